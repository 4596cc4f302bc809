/*
 * JSON shapes derived from a definition: the JSON Schema of the request
 * body, an example body and response, the bazaar discovery extension and
 * the v1 outputSchema.  The 402s, registry.json and openapi.json all use
 * these, so they cannot disagree.
 */
#ifndef SF_SCHEMA_H
#define SF_SCHEMA_H

#include <cjson/cJSON.h>

struct def_endpoint;

cJSON	*schema_input(const struct def_endpoint *);	/* JSON Schema 2020-12 */
cJSON	*schema_output(const struct def_endpoint *);	/* JSON Schema of 200 body */
cJSON	*schema_example_input(const struct def_endpoint *);
cJSON	*schema_example_output(const struct def_endpoint *);
cJSON	*schema_bazaar(const struct def_endpoint *);	/* {info, schema} */
cJSON	*schema_v1_output(const struct def_endpoint *);	/* v1 outputSchema */
/* The JSON Schema of a job (a 202's body, a status answer). */
cJSON	*schema_job(void);

#endif
