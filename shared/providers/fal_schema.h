/*
 * What fal serves as an endpoint's input schema today against the one the
 * contract tests were built from (issue 24).  fal publishes one OpenAPI
 * 3.x document per endpoint (GET https://fal.ai/api/openapi/queue/
 * openapi.json?endpoint_id=<id>); its POST /<id> request body is the
 * input.  The contract is the snapshot FAL_CONTRACTS_FILE holds
 * (etc/fal-contracts.json, written by tests/fakes/contracts/derive.mjs
 * --snapshot from @fal-ai/client's types and checked against them by the
 * test suite): per endpoint id {"required":[...],"properties":{name:
 * {"types":[...],"enum":[...]}}}.
 *
 * Compared: the property names, which are required, each property's JSON
 * types (integer counted as number: TypeScript has no integer) and its
 * string values where either side lists them.  Descriptions, defaults and
 * bounds are not compared (the types carry none).
 */
#ifndef SF_FAL_SCHEMA_H
#define SF_FAL_SCHEMA_H

#include <cjson/cJSON.h>

/*
 * The input contract of endpoint id in fal's OpenAPI document doc, in the
 * snapshot's shape (caller frees); NULL when doc has no POST /<id> with a
 * JSON request body.
 */
cJSON	*fal_schema_input(const cJSON *doc, const char *id);
/*
 * Each difference between served (fal_schema_input) and contract: cb gets
 * one sentence and whether it breaks our calls (a field fal now requires
 * that the contract does not, a required field fal no longer takes, a
 * changed type, a value removed).  Returns how many.
 */
int	fal_schema_diff(const cJSON *served, const cJSON *contract,
	    void (*cb)(void *, int breaking, const char *what), void *arg);

#endif
