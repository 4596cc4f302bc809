/*
 * Response bodies are shaped by the definition: each output takes the work
 * fact of its name (or def_output.from) converted to its declared type, so
 * a page that documents width as a string gets a string.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "basics/def.h"
#include "flow/flow.h"

static cJSON *
flow_shape_value(const struct def_output *o, const cJSON *v)
{
	char	 num[64];
	char	*end;
	double	 d;

	if (v == NULL || cJSON_IsNull(v))
		return cJSON_CreateNull();
	if (strcmp(o->type, "string") == 0) {
		if (cJSON_IsString(v))
			return cJSON_CreateString(v->valuestring);
		if (cJSON_IsRaw(v))
			return cJSON_CreateString(v->valuestring);
		if (cJSON_IsNumber(v)) {
			d = v->valuedouble;
			if (d == floor(d) && fabs(d) < 9007199254740992.0)
				snprintf(num, sizeof(num), "%.0f", d);
			else
				snprintf(num, sizeof(num), "%.17g", d);
			return cJSON_CreateString(num);
		}
		if (cJSON_IsBool(v))
			return cJSON_CreateString(cJSON_IsTrue(v) ? "true" : "false");
	} else if (strcmp(o->type, "number") == 0 ||
	    strcmp(o->type, "integer") == 0) {
		if (cJSON_IsNumber(v))
			return cJSON_CreateNumber(v->valuedouble);
		if (cJSON_IsRaw(v))
			return cJSON_CreateRaw(v->valuestring);
		if (cJSON_IsString(v)) {
			d = strtod(v->valuestring, &end);
			if (end != v->valuestring && *end == '\0' && isfinite(d))
				return cJSON_CreateNumber(d);
		}
	} else if (strcmp(o->type, "boolean") == 0) {
		if (cJSON_IsBool(v))
			return cJSON_CreateBool(cJSON_IsTrue(v));
	} else
		return cJSON_Duplicate(v, 1);	/* arrays and objects as they are */
	return cJSON_Duplicate(v, 1);
}

cJSON *
flow_shape(const struct def_endpoint *ep, const cJSON *facts)
{
	const struct def_output	*o;
	cJSON			*body, *v;

	if ((body = cJSON_CreateObject()) == NULL)
		return NULL;
	for (o = ep->outputs; o != NULL && o->name != NULL; o++) {
		v = cJSON_GetObjectItemCaseSensitive(facts,
		    o->from != NULL ? o->from : o->name);
		/* A fact this run did not produce is left out, not null. */
		if (v == NULL)
			continue;
		if (!cJSON_AddItemToObject(body, o->name, flow_shape_value(o, v))) {
			cJSON_Delete(body);
			return NULL;
		}
	}
	return body;
}
