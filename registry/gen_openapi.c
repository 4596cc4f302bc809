/*
 * openapi.json (OpenAPI 3.1): one POST per endpoint with the request and
 * response schemas from schema.h, the 402 with its PAYMENT-REQUIRED
 * header, and the shared error shape for the other statuses.  The offers
 * of the default request ride along as x-x402-accepts, built like the 402.
 */
#include <stdio.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "basics/cfg.h"
#include "basics/def.h"
#include "gen.h"
#include "validate/schema.h"
#include "x402/x402_challenge.h"
#include "x402/x402_offer.h"

static cJSON *
oa_header(const char *desc)
{
	cJSON	*h;

	if ((h = cJSON_CreateObject()) == NULL)
		return NULL;
	cJSON_AddStringToObject(h, "description", desc);
	cJSON_AddItemToObject(h, "schema",
	    cJSON_Parse("{\"type\":\"string\",\"contentEncoding\":\"base64\"}"));
	return h;
}

static cJSON *
oa_plain_header(const char *desc, const char *type)
{
	cJSON	*h;
	char	 s[64];

	if ((h = cJSON_CreateObject()) == NULL)
		return NULL;
	cJSON_AddStringToObject(h, "description", desc);
	snprintf(s, sizeof(s), "{\"type\":\"%s\"}", type);
	cJSON_AddItemToObject(h, "schema", cJSON_Parse(s));
	return h;
}

static cJSON *
oa_param_in(const char *name, const char *in, const char *desc)
{
	cJSON	*p;

	if ((p = cJSON_CreateObject()) == NULL)
		return NULL;
	cJSON_AddStringToObject(p, "name", name);
	cJSON_AddStringToObject(p, "in", in);
	cJSON_AddBoolToObject(p, "required", 0);
	cJSON_AddStringToObject(p, "description", desc);
	cJSON_AddItemToObject(p, "schema", cJSON_Parse("{\"type\":\"string\"}"));
	return p;
}

static cJSON *
oa_param(const char *name, const char *desc)
{
	return oa_param_in(name, "header", desc);
}

static cJSON *
oa_json(cJSON *schema, cJSON *example)
{
	cJSON	*c, *m;

	if ((c = cJSON_CreateObject()) == NULL) {
		cJSON_Delete(schema);
		cJSON_Delete(example);
		return NULL;
	}
	m = cJSON_AddObjectToObject(c, "application/json");
	cJSON_AddItemToObject(m, "schema", schema);
	if (example != NULL)
		cJSON_AddItemToObject(m, "example", example);
	return c;
}

static cJSON *
oa_ref(const char *ref)
{
	cJSON	*r;

	if ((r = cJSON_CreateObject()) != NULL)
		cJSON_AddStringToObject(r, "$ref", ref);
	return r;
}

/*
 * x-payment-info as x402scan and the MPP discovery draft read it: the
 * price in USD, fixed when every request costs the same, else the range
 * over the models (times the units when priced per unit); x402 the one
 * protocol.  Only on an operation this server can be paid for.
 */
static cJSON *
oa_payment_info(const struct gen_ep *ge)
{
	const struct def_endpoint	*ep = ge->ep;
	const struct def_param		*per;
	cJSON				*j, *price, *protos, *x;
	char				 usd[32];
	uint64_t			 hi = ge->hi;

	if ((j = cJSON_CreateObject()) == NULL)
		return NULL;
	price = cJSON_AddObjectToObject(j, "price");
	if (ep->price_per != NULL &&
	    (per = def_find_param(ep, ep->price_per)) != NULL &&
	    per->has_range && per->max >= 1)
		hi *= (uint64_t)per->max;
	if (ge->lo == hi) {
		cJSON_AddStringToObject(price, "mode", "fixed");
		cJSON_AddStringToObject(price, "currency", "USD");
		def_usd(ge->lo, usd, sizeof(usd));
		cJSON_AddStringToObject(price, "amount", usd);
	} else {
		cJSON_AddStringToObject(price, "mode", "dynamic");
		cJSON_AddStringToObject(price, "currency", "USD");
		def_usd(ge->lo, usd, sizeof(usd));
		cJSON_AddStringToObject(price, "min", usd);
		def_usd(hi, usd, sizeof(usd));
		cJSON_AddStringToObject(price, "max", usd);
	}
	protos = cJSON_AddArrayToObject(j, "protocols");
	if ((x = cJSON_CreateObject()) != NULL) {
		cJSON_AddItemToObject(x, "x402", cJSON_CreateObject());
		cJSON_AddItemToArray(protos, x);
	}
	return j;
}

static cJSON *
oa_operation(const struct gen *g, const struct gen_ep *ge)
{
	const struct def_endpoint	*ep = ge->ep;
	const struct gen_status		*s;
	struct x402_offer		 offers[CFG_MAX_NETS];
	cJSON				*op, *params, *rb, *res, *r, *h, *acc;
	char				 code[8], ref[64];
	size_t				 i, n;

	char				 desc[4096];

	if ((op = cJSON_CreateObject()) == NULL)
		return NULL;
	cJSON_AddStringToObject(op, "operationId", ep->name);
	cJSON_AddStringToObject(op, "summary", ep->summary);
	/* Refused before payment on this configuration: said first, and
	   as a flag a client can test. */
	if (!ge->usable) {
		snprintf(desc, sizeof(desc), "UNAVAILABLE on this server (%s): "
		    "every call is refused before any payment.  %s", ge->why,
		    ep->description);
		cJSON_AddStringToObject(op, "description", desc);
		cJSON_AddStringToObject(op, "x-unavailable", ge->why);
	} else {
		cJSON_AddStringToObject(op, "description", ep->description);
		cJSON_AddItemToObject(op, "x-payment-info",
		    oa_payment_info(ge));
	}
	cJSON_AddItemToObject(op, "tags", cJSON_CreateStringArray(
	    (const char *[]){ ep->category }, 1));
	cJSON_AddItemToObject(cJSON_AddObjectToObject(op, "externalDocs"),
	    "url", cJSON_CreateString(ge->page));
	params = cJSON_AddArrayToObject(op, "parameters");
	cJSON_AddItemToArray(params, oa_param("PAYMENT-SIGNATURE",
	    "x402 v2: base64 JSON PaymentPayload for one of the offers of the "
	    "402."));
	cJSON_AddItemToArray(params, oa_param("X-PAYMENT",
	    "x402 v1: base64 JSON payment for one of the offers of the 402."));
	if (ep->async != DEF_ASYNC_NEVER)
		cJSON_AddItemToArray(params, oa_param("Prefer",
		    ep->async == DEF_ASYNC_DEFAULT ? "RFC 7240.  This call "
		    "runs as a job by default (202 and a status URL); \"wait\" "
		    "asks for the synchronous answer." : "RFC 7240.  "
		    "\"respond-async\" runs the call as a job: 202 and a status "
		    "URL at once."));
	rb = cJSON_AddObjectToObject(op, "requestBody");
	cJSON_AddBoolToObject(rb, "required", 1);
	cJSON_AddItemToObject(rb, "content", oa_json(schema_input(ep),
	    schema_example_input(ep)));

	res = cJSON_AddObjectToObject(op, "responses");
	for (s = gen_statuses; s->code != 0; s++) {
		/* Not an answer to this operation: to PUT, DELETE, ... */
		if (s->code == 405 || (s->code == 202 &&
		    ep->async == DEF_ASYNC_NEVER))
			continue;
		snprintf(code, sizeof(code), "%d", s->code);
		if (s->code == 200) {
			r = cJSON_AddObjectToObject(res, code);
			cJSON_AddStringToObject(r, "description", s->when);
			h = cJSON_AddObjectToObject(r, "headers");
			cJSON_AddItemToObject(h, "PAYMENT-RESPONSE", oa_header(
			    "x402 v2 settlement: base64 JSON SettleResponse."));
			cJSON_AddItemToObject(h, "X-PAYMENT-RESPONSE", oa_header(
			    "x402 v1 settlement: base64 JSON."));
			cJSON_AddItemToObject(r, "content", oa_json(
			    schema_output(ep), schema_example_output(ep)));
		} else {
			snprintf(ref, sizeof(ref), "#/components/responses/%d",
			    s->code);
			cJSON_AddItemToObject(res, code, oa_ref(ref));
		}
	}
	acc = cJSON_AddArrayToObject(op, "x-x402-accepts");
	n = x402_offers_ep(g->cfg, ge->base_amount, ge->ep->deadline, offers,
	    CFG_MAX_NETS);
	for (i = 0; i < n; i++)
		cJSON_AddItemToArray(acc, x402_offer_v2(&offers[i]));
	return op;
}

/* A response of the GET operation, in the error shape. */
static void
oa_get_error(cJSON *res, const char *code, const char *desc)
{
	cJSON	*r;

	r = cJSON_AddObjectToObject(res, code);
	cJSON_AddStringToObject(r, "description", desc);
	cJSON_AddItemToObject(r, "content", oa_json(oa_ref(
	    "#/components/schemas/Error"), NULL));
}

/*
 * GET (and HEAD) of an endpoint: its description as JSON, free; a
 * browser is sent to the page.  A DEF_EP_DEMO endpoint also answers
 * GET ?demo=true with a free, rate-limited demo (flow_demo.c).
 */
static cJSON *
oa_get(const struct gen_ep *ge)
{
	const struct def_endpoint	*ep = ge->ep;
	int				 demo = (ep->flags & DEF_EP_DEMO) != 0;
	cJSON				*op, *res, *r, *h, *ps, *sch;
	char				 id[160];

	if ((op = cJSON_CreateObject()) == NULL)
		return NULL;
	snprintf(id, sizeof(id), "%s-describe", ep->name);
	cJSON_AddStringToObject(op, "operationId", id);
	cJSON_AddStringToObject(op, "summary", demo ? "Describe the endpoint "
	    "(free), or run the free demo with ?demo=true" :
	    "Describe the endpoint (free)");
	cJSON_AddStringToObject(op, "description", demo ?
	    "Without a query: the endpoint's name, description, method, url, "
	    "price, docs and input/output JSON Schemas; a browser (Accept: "
	    "text/html) is redirected to the page.  With demo=true: a free, "
	    "rate-limited run of the default request (prompt and model from "
	    "the query, a small fixed size); the answer is the OUTPUT object "
	    "with \"demo\": true, a \"notice\" and price \"$0.00\"." :
	    "The endpoint's name, description, method, url, price, docs and "
	    "input/output JSON Schemas; a browser (Accept: text/html) is "
	    "redirected to the page.  Nothing is charged.");
	cJSON_AddItemToObject(op, "tags", cJSON_CreateStringArray(
	    (const char *[]){ ep->category }, 1));
	if (demo) {
		ps = cJSON_AddArrayToObject(op, "parameters");
		cJSON_AddItemToArray(ps, oa_param_in("demo", "query",
		    "true: run the free demo instead of describing."));
		cJSON_AddItemToArray(ps, oa_param_in("prompt", "query",
		    "The demo's prompt (URL-encoded); a default when absent."));
		if (def_find_param(ep, "model") != NULL)
			cJSON_AddItemToArray(ps, oa_param_in("model", "query",
			    "The demo's model, as in the POST body."));
	}
	res = cJSON_AddObjectToObject(op, "responses");
	r = cJSON_AddObjectToObject(res, "200");
	cJSON_AddStringToObject(r, "description", demo ? "The description, "
	    "or with demo=true the demo's OUTPUT object." : "The description.");
	sch = cJSON_Parse("{\"type\":\"object\",\"required\":[\"name\","
	    "\"method\",\"url\",\"price\",\"input\",\"output\"]}");
	if (demo) {
		cJSON *any = cJSON_CreateObject();
		cJSON *one = cJSON_AddArrayToObject(any, "oneOf");

		cJSON_AddItemToArray(one, sch);
		cJSON_AddItemToArray(one, schema_output(ep));
		sch = any;
	}
	cJSON_AddItemToObject(r, "content", oa_json(sch, NULL));
	r = cJSON_AddObjectToObject(res, "302");
	cJSON_AddStringToObject(r, "description", "A browser (Accept: "
	    "text/html) is sent to the endpoint's page.");
	h = cJSON_AddObjectToObject(r, "headers");
	cJSON_AddItemToObject(h, "Location", oa_plain_header(
	    "The page's URL.", "string"));
	cJSON_AddItemToObject(res, "404", oa_ref("#/components/responses/404"));
	if (!demo)
		return op;
	oa_get_error(res, "400", "Bad Request.  A query key other than demo, "
	    "prompt and model, or a value that breaks a rule.  Codes: "
	    "invalid_query, invalid_value, unknown_field, duplicate_field, "
	    "too_long, missing_field");
	oa_get_error(res, "403", "Forbidden.  The demo is off on this server.  "
	    "Codes: demo_disabled");
	oa_get_error(res, "429", "Too Many Requests.  Over the demo's budget "
	    "for this client (demo_rate_limited) or for all clients "
	    "(demo_busy); retry after the Retry-After header's seconds.  "
	    "Codes: demo_rate_limited, demo_busy");
	h = cJSON_AddObjectToObject(cJSON_GetObjectItem(res, "429"), "headers");
	cJSON_AddItemToObject(h, "Retry-After", oa_plain_header(
	    "Seconds to wait before the next demo request.", "integer"));
	oa_get_error(res, "503", "Service Unavailable.  The demo's budget "
	    "store cannot be used (it fails closed).  Codes: "
	    "demo_unavailable");
	return op;
}

/*
 * The job routes (sf-jobs, flow_jobs.c): GET /v1/jobs (the signed-in
 * payer's jobs), GET and DELETE /v1/jobs/{id} (by its status link's
 * token, or signed in).  Free; Sign-In-With-X answers 402 with accepts []
 * and the sign-in-with-x challenge.
 */
static cJSON *
oa_job_op(const char *id, const char *summary, const char *desc, int list)
{
	cJSON	*op, *ps, *res, *r, *h;

	op = cJSON_CreateObject();
	cJSON_AddStringToObject(op, "operationId", id);
	cJSON_AddStringToObject(op, "summary", summary);
	cJSON_AddStringToObject(op, "description", desc);
	cJSON_AddItemToObject(op, "tags", cJSON_CreateStringArray(
	    (const char *[]){ "jobs" }, 1));
	ps = cJSON_AddArrayToObject(op, "parameters");
	if (list) {
		cJSON_AddItemToArray(ps, oa_param_in("limit", "query",
		    "Jobs per page, 1-100 (default 20)."));
		cJSON_AddItemToArray(ps, oa_param_in("cursor", "query",
		    "The next_cursor of the page before."));
	} else {
		r = oa_param_in("id", "path", "The job's id.");
		cJSON_ReplaceItemInObject(r, "required", cJSON_CreateTrue());
		cJSON_AddItemToArray(ps, r);
		cJSON_AddItemToArray(ps, oa_param_in("token", "query",
		    "The token of the job's status link (no sign-in needed)."));
	}
	cJSON_AddItemToArray(ps, oa_param("SIGN-IN-WITH-X", "Sign-In-With-X "
	    "(x402 extension sign-in-with-x): the signed challenge of the "
	    "402, base64 JSON, as the payer's wallet."));
	res = cJSON_AddObjectToObject(op, "responses");
	r = cJSON_AddObjectToObject(res, "200");
	cJSON_AddStringToObject(r, "description", list ? "The payer's jobs, "
	    "newest first ({object: list, data, next_cursor})." : "The job.");
	h = cJSON_AddObjectToObject(r, "headers");
	cJSON_AddItemToObject(h, "Retry-After", oa_plain_header("While the "
	    "job runs: seconds before the next poll.", "integer"));
	cJSON_AddItemToObject(r, "content", oa_json(list ? cJSON_Parse(
	    "{\"type\":\"object\",\"properties\":{\"object\":{\"const\":"
	    "\"list\"},\"data\":{\"type\":\"array\",\"items\":{\"$ref\":"
	    "\"#/components/schemas/Job\"}},\"next_cursor\":{\"type\":"
	    "[\"string\",\"null\"]}}}") : oa_ref("#/components/schemas/Job"),
	    NULL));
	r = cJSON_AddObjectToObject(res, "402");
	cJSON_AddStringToObject(r, "description", "Sign in: no token and no "
	    "(or a refused) SIGN-IN-WITH-X header.  PAYMENT-REQUIRED carries "
	    "accepts [] and extensions[\"sign-in-with-x\"], the challenge to "
	    "sign with the wallet that paid.  Codes: sign_in_required, "
	    "invalid_siwx_*");
	h = cJSON_AddObjectToObject(r, "headers");
	cJSON_AddItemToObject(h, "PAYMENT-REQUIRED", oa_header("x402 v2: "
	    "base64 JSON PaymentRequired with accepts [] and the "
	    "sign-in-with-x challenge."));
	cJSON_AddItemToObject(r, "content", oa_json(oa_ref(
	    "#/components/schemas/Error"), NULL));
	if (!list) {
		r = cJSON_AddObjectToObject(res, "404");
		cJSON_AddStringToObject(r, "description", "No such job for this "
		    "link or this wallet (the same answer either way).  Codes: "
		    "job_not_found");
		cJSON_AddItemToObject(r, "content", oa_json(oa_ref(
		    "#/components/schemas/Error"), NULL));
	}
	if (strcmp(id, "job-cancel") == 0) {
		r = cJSON_AddObjectToObject(res, "409");
		cJSON_AddStringToObject(r, "description", "Too late: its work "
		    "has ended.  Codes: job_finished");
		cJSON_AddItemToObject(r, "content", oa_json(oa_ref(
		    "#/components/schemas/Error"), NULL));
	}
	r = cJSON_AddObjectToObject(res, "429");
	cJSON_AddStringToObject(r, "description", "Polling is free but "
	    "limited per client address and per payer.  Codes: "
	    "too_many_requests");
	h = cJSON_AddObjectToObject(r, "headers");
	cJSON_AddItemToObject(h, "Retry-After", oa_plain_header(
	    "Seconds to wait.", "integer"));
	cJSON_AddItemToObject(r, "content", oa_json(oa_ref(
	    "#/components/schemas/Error"), NULL));
	return op;
}

static void
oa_jobs(cJSON *paths)
{
	cJSON	*pi;

	pi = cJSON_AddObjectToObject(paths, "/v1/jobs");
	cJSON_AddItemToObject(pi, "get", oa_job_op("jobs-list", "The signed-in "
	    "payer's jobs (free)", "Sign in with the wallet that paid "
	    "(Sign-In-With-X); another wallet sees none of them.", 1));
	pi = cJSON_AddObjectToObject(paths, "/v1/jobs/{id}");
	cJSON_AddItemToObject(pi, "get", oa_job_op("job-get", "A job's status "
	    "(free)", "queued, running, succeeded (with the result and the "
	    "settlement), failed or cancelled (not charged).  By its status "
	    "link (?token=) or signed in as its payer.", 0));
	cJSON_AddItemToObject(pi, "delete", oa_job_op("job-cancel", "Cancel a "
	    "job (free)", "Before its work ends: the upstream job is "
	    "cancelled where the provider can, a late result is discarded, "
	    "nothing is settled.", 0));
}

static const char oa_components[] =
"{\"schemas\":{"
 "\"Error\":{\"type\":\"object\",\"required\":[\"error\"],\"properties\":{"
  "\"error\":{\"type\":\"object\",\"required\":[\"code\",\"message\"],"
  "\"properties\":{"
   "\"code\":{\"type\":\"string\",\"description\":\"snake_case reason\"},"
   "\"message\":{\"type\":\"string\",\"description\":\"what happened and "
    "what to do\"},"
   "\"field\":{\"type\":\"string\",\"description\":\"the input it is "
    "about, when one is\"}}}}},"
 "\"PaymentRequirements\":{\"type\":\"object\",\"required\":[\"scheme\","
  "\"network\",\"amount\",\"asset\",\"payTo\",\"maxTimeoutSeconds\","
  "\"extra\"],\"properties\":{"
   "\"scheme\":{\"type\":\"string\",\"const\":\"exact\"},"
   "\"network\":{\"type\":\"string\",\"description\":\"CAIP-2\"},"
   "\"amount\":{\"type\":\"string\",\"pattern\":\"^[0-9]+$\"},"
   "\"asset\":{\"type\":\"string\"},\"payTo\":{\"type\":\"string\"},"
   "\"maxTimeoutSeconds\":{\"type\":\"integer\"},"
   "\"extra\":{\"type\":\"object\"}}},"
 "\"PaymentRequiredV1\":{\"type\":\"object\",\"required\":[\"x402Version\","
  "\"accepts\"],\"properties\":{"
   "\"x402Version\":{\"type\":\"integer\",\"const\":1},"
   "\"error\":{\"type\":\"string\"},\"message\":{\"type\":\"string\"},"
   "\"accepts\":{\"type\":\"array\",\"items\":{\"type\":\"object\"}}}}"
"}}";

static cJSON *
oa_components_build(void)
{
	const struct gen_status	*s;
	cJSON			*c, *rs, *r, *h, *job;
	char			 code[8], desc[512];

	if ((c = cJSON_Parse(oa_components)) == NULL)
		return NULL;
	if ((job = schema_job()) != NULL) {
		cJSON_DeleteItemFromObjectCaseSensitive(job, "$schema");
		cJSON_AddItemToObject(cJSON_GetObjectItem(c, "schemas"), "Job",
		    job);
	}
	rs = cJSON_AddObjectToObject(c, "responses");
	for (s = gen_statuses; s->code != 0; s++) {
		if (s->code == 200)
			continue;
		snprintf(code, sizeof(code), "%d", s->code);
		r = cJSON_AddObjectToObject(rs, code);
		snprintf(desc, sizeof(desc), "%s.  %s%s%s", s->reason, s->when,
		    s->codes[0] != '\0' ? "  Codes: " : "", s->codes);
		cJSON_AddStringToObject(r, "description", desc);
		if (s->code == 202) {
			h = cJSON_AddObjectToObject(r, "headers");
			cJSON_AddItemToObject(h, "Location", oa_plain_header(
			    "The job's status_url.", "string"));
			cJSON_AddItemToObject(h, "Retry-After", oa_plain_header(
			    "Seconds before the first poll.", "integer"));
			cJSON_AddItemToObject(h, "Preference-Applied",
			    oa_plain_header("respond-async, when it was asked "
			    "for.", "string"));
			cJSON_AddItemToObject(r, "content", oa_json(oa_ref(
			    "#/components/schemas/Job"), NULL));
			continue;
		}
		if (s->code == 402) {
			h = cJSON_AddObjectToObject(r, "headers");
			cJSON_AddItemToObject(h, "PAYMENT-REQUIRED", oa_header(
			    "x402 v2: base64 JSON PaymentRequired {x402Version: "
			    "2, error, resource, accepts: [PaymentRequirements], "
			    "extensions}."));
			cJSON_AddItemToObject(r, "content", oa_json(oa_ref(
			    "#/components/schemas/PaymentRequiredV1"), NULL));
		} else
			cJSON_AddItemToObject(r, "content", oa_json(oa_ref(
			    "#/components/schemas/Error"), NULL));
		if (s->code == 429 || s->code == 503) {
			h = cJSON_AddObjectToObject(r, "headers");
			cJSON_AddItemToObject(h, "Retry-After", oa_plain_header(
			    "Seconds to wait before retrying.", "integer"));
		} else if (s->code == 405) {
			h = cJSON_AddObjectToObject(r, "headers");
			cJSON_AddItemToObject(h, "Allow", oa_plain_header(
			    "The methods answered: GET, POST, OPTIONS.",
			    "string"));
		}
	}
	return c;
}

int
gen_openapi(const struct gen *g)
{
	cJSON	*j, *info, *srv, *paths, *pi, *op, *svc, *docs;
	size_t	 i;
	int	 rc;
	char	 desc[1024];

	if ((j = cJSON_CreateObject()) == NULL)
		return -1;
	cJSON_AddStringToObject(j, "openapi", "3.1.0");
	info = cJSON_AddObjectToObject(j, "info");
	cJSON_AddStringToObject(info, "title", "synthforge");
	snprintf(desc, sizeof(desc), "Pay-per-call generative media endpoints. "
	    " Every POST is paid in USDC with x402 (HTTP 402, EIP-3009%s) on "
	    "%s; the first unpaid call answers 402 with the offers.  GET "
	    "describes an endpoint for free; other methods answer 405 "
	    "(#/components/responses/405).",
	    gen_any_svm(g) ? "; on Solana an SPL TransferChecked" : "",
	    g->networks);
	cJSON_AddStringToObject(info, "description", desc);
	/* The catalogue's version is its date: it changes when it does. */
	cJSON_AddStringToObject(info, "version", g->date_iso);
	/* Service facts the payment-discovery readers look for. */
	svc = cJSON_AddObjectToObject(j, "x-service-info");
	cJSON_AddItemToObject(svc, "categories",
	    cJSON_CreateStringArray((const char *[]){ "media" }, 1));
	docs = cJSON_AddObjectToObject(svc, "docs");
	snprintf(desc, sizeof(desc), "%s/index.html", g->cfg->public_url);
	cJSON_AddStringToObject(docs, "homepage", desc);
	snprintf(desc, sizeof(desc), "%s/llms.txt", g->cfg->public_url);
	cJSON_AddStringToObject(docs, "llms", desc);
	snprintf(desc, sizeof(desc), "%s/x402.7.html", g->cfg->public_url);
	cJSON_AddStringToObject(docs, "apiReference", desc);
	srv = cJSON_AddArrayToObject(j, "servers");
	cJSON_AddItemToArray(srv, cJSON_CreateObject());
	cJSON_AddStringToObject(cJSON_GetArrayItem(srv, 0), "url",
	    g->cfg->public_url);
	paths = cJSON_AddObjectToObject(j, "paths");
	for (i = 0; i < g->neps; i++) {
		const struct gen_ep *ge = &g->eps[i];
		char method[16];
		size_t k;

		for (k = 0; k + 1 < sizeof(method) && ge->ep->method[k]; k++)
			method[k] = (char)(ge->ep->method[k] | 0x20);
		method[k] = '\0';
		if ((op = oa_operation(g, ge)) == NULL) {
			cJSON_Delete(j);
			return -1;
		}
		pi = cJSON_AddObjectToObject(paths, ge->ep->path);
		cJSON_AddItemToObject(pi, method, op);
		if (strcmp(method, "get") != 0)
			cJSON_AddItemToObject(pi, "get", oa_get(ge));
	}
	oa_jobs(paths);
	cJSON_AddItemToObject(j, "components", oa_components_build());
	rc = gen_write_json(g->wwwdir, "openapi.json", j);
	cJSON_Delete(j);
	return rc;
}
