#include <string.h>

#include "basics/def.h"
#include "validate/schema.h"

static const char *
schema_json_type(enum def_type t)
{
	switch (t) {
	case DEF_INTEGER:
		return "integer";
	case DEF_NUMBER:
		return "number";
	case DEF_BOOLEAN:
		return "boolean";
	default:
		return "string";
	}
}

static cJSON *
schema_param(const struct def_param *p)
{
	cJSON			*o, *arr;
	const char *const	*e;

	if ((o = cJSON_CreateObject()) == NULL)
		return NULL;
	cJSON_AddStringToObject(o, "type", schema_json_type(p->type));
	cJSON_AddStringToObject(o, "description", p->desc ? p->desc : "");
	if (p->type == DEF_URL || p->type == DEF_WEBHOOK)
		cJSON_AddStringToObject(o, "format", "uri");
	if (p->has_range) {
		cJSON_AddNumberToObject(o, "minimum", p->min);
		cJSON_AddNumberToObject(o, "maximum", p->max);
	}
	if (p->max_len > 0)
		cJSON_AddNumberToObject(o, "maxLength", p->max_len);
	if (p->enums != NULL && (arr = cJSON_AddArrayToObject(o, "enum")) != NULL)
		for (e = p->enums; *e != NULL; e++)
			cJSON_AddItemToArray(arr, cJSON_CreateString(*e));
	if (p->has_default) {
		if (p->type == DEF_BOOLEAN)
			cJSON_AddBoolToObject(o, "default", p->def_bool);
		else
			cJSON_AddNumberToObject(o, "default", p->def_num);
	} else if (p->def_str != NULL)
		cJSON_AddStringToObject(o, "default", p->def_str);
	if (p->example != NULL) {
		cJSON *ex = cJSON_Parse(p->example);
		if (ex != NULL && (arr = cJSON_AddArrayToObject(o, "examples")) != NULL)
			cJSON_AddItemToArray(arr, ex);
		else
			cJSON_Delete(ex);
	}
	return o;
}

cJSON *
schema_input(const struct def_endpoint *ep)
{
	cJSON			*s, *props, *req;
	const struct def_param	*p;

	if ((s = cJSON_CreateObject()) == NULL)
		return NULL;
	cJSON_AddStringToObject(s, "$schema",
	    "https://json-schema.org/draft/2020-12/schema");
	cJSON_AddStringToObject(s, "type", "object");
	props = cJSON_AddObjectToObject(s, "properties");
	req = cJSON_AddArrayToObject(s, "required");
	for (p = ep->params; p != NULL && p->name != NULL; p++) {
		cJSON_AddItemToObject(props, p->name, schema_param(p));
		if (p->required)
			cJSON_AddItemToArray(req, cJSON_CreateString(p->name));
	}
	cJSON_AddBoolToObject(s, "additionalProperties", 0);
	return s;
}

cJSON *
schema_output(const struct def_endpoint *ep)
{
	cJSON			*s, *props, *o, *req;
	const struct def_output	*out;

	if ((s = cJSON_CreateObject()) == NULL)
		return NULL;
	cJSON_AddStringToObject(s, "type", "object");
	props = cJSON_AddObjectToObject(s, "properties");
	req = cJSON_AddArrayToObject(s, "required");
	for (out = ep->outputs; out != NULL && out->name != NULL; out++) {
		o = cJSON_AddObjectToObject(props, out->name);
		cJSON_AddStringToObject(o, "type", out->type);
		cJSON_AddStringToObject(o, "description", out->desc);
		cJSON_AddItemToArray(req, cJSON_CreateString(out->name));
	}
	return s;
}

cJSON *
schema_example_input(const struct def_endpoint *ep)
{
	const struct def_param	*p;
	cJSON			*o, *v;

	if (ep->example != NULL && (o = cJSON_Parse(ep->example)) != NULL)
		return o;
	if ((o = cJSON_CreateObject()) == NULL)
		return NULL;
	for (p = ep->params; p != NULL && p->name != NULL; p++)
		if (p->required && p->example != NULL &&
		    (v = cJSON_Parse(p->example)) != NULL)
			cJSON_AddItemToObject(o, p->name, v);
	return o;
}

cJSON *
schema_example_output(const struct def_endpoint *ep)
{
	const struct def_output	*out;
	cJSON			*o, *v;

	if ((o = cJSON_CreateObject()) == NULL)
		return NULL;
	for (out = ep->outputs; out != NULL && out->name != NULL; out++)
		if (out->example != NULL &&
		    (v = cJSON_Parse(out->example)) != NULL)
			cJSON_AddItemToObject(o, out->name, v);
	return o;
}

cJSON *
schema_bazaar(const struct def_endpoint *ep)
{
	cJSON	*b, *info, *in, *out, *sch, *props, *o, *req;

	if ((b = cJSON_CreateObject()) == NULL)
		return NULL;
	info = cJSON_AddObjectToObject(b, "info");
	in = cJSON_AddObjectToObject(info, "input");
	cJSON_AddStringToObject(in, "type", "http");
	cJSON_AddStringToObject(in, "method", ep->method);
	cJSON_AddStringToObject(in, "bodyType", "json");
	cJSON_AddItemToObject(in, "body", schema_example_input(ep));
	out = cJSON_AddObjectToObject(info, "output");
	cJSON_AddStringToObject(out, "type", "json");
	cJSON_AddItemToObject(out, "example", schema_example_output(ep));

	sch = cJSON_AddObjectToObject(b, "schema");
	cJSON_AddStringToObject(sch, "$schema",
	    "https://json-schema.org/draft/2020-12/schema");
	cJSON_AddStringToObject(sch, "type", "object");
	props = cJSON_AddObjectToObject(sch, "properties");
	o = cJSON_AddObjectToObject(props, "input");
	cJSON_AddStringToObject(o, "type", "object");
	req = cJSON_AddObjectToObject(o, "properties");
	cJSON_AddItemToObject(req, "type", cJSON_Parse("{\"type\":\"string\",\"const\":\"http\"}"));
	cJSON_AddItemToObject(req, "method", cJSON_Parse("{\"type\":\"string\",\"enum\":[\"POST\",\"GET\"]}"));
	cJSON_AddItemToObject(req, "bodyType", cJSON_Parse("{\"type\":\"string\",\"enum\":[\"json\"]}"));
	cJSON_AddItemToObject(req, "body", schema_input(ep));
	cJSON_AddItemToObject(o, "required", cJSON_Parse("[\"type\",\"method\",\"bodyType\",\"body\"]"));
	o = cJSON_AddObjectToObject(props, "output");
	cJSON_AddStringToObject(o, "type", "object");
	cJSON_AddItemToObject(sch, "required", cJSON_Parse("[\"input\"]"));
	return b;
}

cJSON *
schema_v1_output(const struct def_endpoint *ep)
{
	const struct def_param	*p;
	cJSON			*s, *in, *fields, *f;

	if ((s = cJSON_CreateObject()) == NULL)
		return NULL;
	in = cJSON_AddObjectToObject(s, "input");
	cJSON_AddStringToObject(in, "type", "http");
	cJSON_AddStringToObject(in, "method", ep->method);
	cJSON_AddBoolToObject(in, "discoverable", 1);
	cJSON_AddStringToObject(in, "bodyType", "json");
	fields = cJSON_AddObjectToObject(in, "bodyFields");
	for (p = ep->params; p != NULL && p->name != NULL; p++) {
		f = cJSON_AddObjectToObject(fields, p->name);
		cJSON_AddStringToObject(f, "type", schema_json_type(p->type));
		cJSON_AddBoolToObject(f, "required", p->required);
		cJSON_AddStringToObject(f, "description", p->desc ? p->desc : "");
	}
	cJSON_AddItemToObject(s, "output", schema_output(ep));
	return s;
}

/* The job object (flow/flow_job.h, docs/calling.md "Jobs"). */
static const char schema_job_text[] =
"{\"$schema\":\"https://json-schema.org/draft/2020-12/schema\","
 "\"title\":\"Job\",\"type\":\"object\","
 "\"description\":\"A paid call that runs as a job: answered 202 Accepted "
  "at once; GET its status_url (free) until it succeeded, failed or was "
  "cancelled.  The payment is settled only when it succeeds (Solana: at "
  "the submit).\","
 "\"required\":[\"object\",\"id\",\"endpoint\",\"status\",\"status_url\","
  "\"payment\"],"
 "\"properties\":{"
  "\"object\":{\"const\":\"job\"},"
  "\"id\":{\"type\":\"string\",\"pattern\":\"^job_[0-9a-f]{32}$\"},"
  "\"endpoint\":{\"type\":\"string\"},"
  "\"status\":{\"enum\":[\"queued\",\"running\",\"succeeded\",\"failed\","
   "\"cancelled\"]},"
  "\"created_at\":{\"type\":\"string\",\"format\":\"date-time\"},"
  "\"started_at\":{\"type\":\"string\",\"format\":\"date-time\"},"
  "\"progress\":{\"type\":\"string\",\"description\":\"what the upstream "
   "reports, while it runs\"},"
  "\"status_url\":{\"type\":\"string\",\"format\":\"uri\",\"description\":"
   "\"GET reads the job, DELETE cancels it; with ?token= it needs no "
   "sign-in\"},"
  "\"retry_after\":{\"type\":\"integer\",\"description\":\"seconds before "
   "the next poll, while it runs\"},"
  "\"cancel\":{\"type\":\"string\"},"
  "\"payment\":{\"type\":\"object\",\"required\":[\"network\",\"payer\","
   "\"amount\",\"charged\"],\"properties\":{"
   "\"network\":{\"type\":\"string\"},\"payer\":{\"type\":\"string\"},"
   "\"amount\":{\"type\":\"string\",\"pattern\":\"^[0-9]+$\"},"
   "\"charged\":{\"type\":\"boolean\"},"
   "\"transaction\":{\"type\":[\"string\",\"null\"]},"
   "\"terms\":{\"type\":\"string\"}}},"
  "\"result\":{\"type\":\"object\",\"description\":\"succeeded: the "
   "synchronous call's body\"},"
  "\"settlement\":{\"type\":\"object\",\"properties\":{"
   "\"success\":{\"type\":\"boolean\"},\"transaction\":{\"type\":\"string\"},"
   "\"network\":{\"type\":\"string\"},\"payer\":{\"type\":\"string\"}}},"
  "\"error\":{\"type\":\"object\",\"description\":\"failed or cancelled: "
   "why, and that it was not charged\",\"required\":[\"code\","
   "\"message\"],\"properties\":{\"code\":{\"type\":\"string\"},"
   "\"message\":{\"type\":\"string\"}}},"
  "\"webhook\":{\"type\":\"object\",\"description\":\"the 202 of a "
   "submit with a webhook_url only: where each change of status is POSTed "
   "(Standard Webhooks v1) and the job's secret that verifies it\","
   "\"properties\":{\"url\":{\"type\":\"string\",\"format\":\"uri\"},"
   "\"secret\":{\"type\":\"string\",\"pattern\":\"^whsec_\"},"
   "\"events\":{\"type\":\"string\"},"
   "\"signature\":{\"type\":\"string\"}}}}}";

cJSON *
schema_job(void)
{
	return cJSON_Parse(schema_job_text);
}
