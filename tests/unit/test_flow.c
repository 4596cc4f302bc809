/*
 * flow: the handler as a pure function, no socket (DESIGN.md).  A real
 * configuration from a temp file (base-sepolia, PAY_TO, ledger in a temp
 * dir, no provider keys), then flow_handle on OPTIONS, GET (JSON and the
 * redirect for browsers), PUT, foreign paths, bad input, oversized bodies,
 * the 402 challenge (v2 header and v1 body) and a garbage payment, with
 * the outcome filled and the CORS headers on every answer.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "basics/b64.h"
#include "basics/buf.h"
#include "basics/cfg.h"
#include "basics/def.h"
#include "basics/err.h"
#include "flow/flow.h"
#include "basics/msg.h"
#include "hermetic.h"
#include "tap.h"

#define PAY_TO		"0x70997970C51812dc3A010C7d01b50e0d17dc79C8"
#define USDC_BASE_SEPOLIA "0x036CbD53842c5426634e7929541eC2318f3dCF7e"
#define PUBLIC		"https://sf.example"

static char	 dir[] = "/tmp/sf-flow-XXXXXX";

static void
req_init(struct msg_req *r, const struct def_endpoint *ep, const char *method)
{
	memset(r, 0, sizeof(*r));
	r->method = method;
	r->path = ep->path;
	r->query = "";
	r->remote_addr = "127.0.0.1";
	r->user_agent = "test_flow";
	r->body = "";
}

static void
post_body(struct msg_req *r, const char *body)
{
	r->content_type = "application/json";
	r->body = body;
	r->body_len = strlen(body);
}

/* flow_handle, then the checks every answer must pass. */
static void
handle(const struct flow_ctx *ctx, const struct msg_req *req,
    struct msg_resp *resp, struct flow_outcome *out, const char *what)
{
	const char	*h;

	msg_resp_init(resp);
	memset(out, 0xa5, sizeof(*out));
	flow_handle(ctx, req, resp, out);
	h = msg_resp_get_header(resp, "Access-Control-Expose-Headers");
	TAP_OK(h != NULL && strstr(h, "PAYMENT-REQUIRED") != NULL &&
	    strstr(h, "PAYMENT-RESPONSE") != NULL,
	    "%s: Access-Control-Expose-Headers names PAYMENT-REQUIRED", what);
	h = msg_resp_get_header(resp, "Access-Control-Allow-Origin");
	TAP_OK(h != NULL && strcmp(h, "*") == 0, "%s: CORS origin *", what);
	TAP_OK(out->status == resp->status, "%s: out.status = %d", what,
	    resp->status);
	TAP_OK(out->pay != NULL, "%s: out.pay set", what);
}

/* The body as JSON (caller frees), NULL if it is not JSON. */
static cJSON *
body_json(const struct msg_resp *resp)
{
	if (resp->body == NULL || resp->content_type == NULL ||
	    strcmp(resp->content_type, "application/json") != 0)
		return NULL;
	return cJSON_ParseWithLength(resp->body, resp->body_len);
}

/* {"error":{"code","message","field"?}} and nothing else. */
static void
check_error(const struct msg_resp *resp, int status, const char *code,
    const char *fld, const char *what)
{
	cJSON		*j = body_json(resp), *e, *it;
	const char	*f;
	int		 n = 0, shape;

	TAP_OK(resp->status == status, "%s: status %d (got %d)", what, status,
	    resp->status);
	e = cJSON_GetObjectItemCaseSensitive(j, "error");
	shape = cJSON_IsObject(j) && cJSON_GetArraySize(j) == 1 &&
	    cJSON_IsObject(e);
	TAP_OK(shape, "%s: body is {\"error\":{...}} only", what);
	cJSON_ArrayForEach(it, e)
		if (strcmp(it->string, "code") != 0 &&
		    strcmp(it->string, "message") != 0 &&
		    strcmp(it->string, "field") != 0)
			n++;
	TAP_OK(shape && n == 0, "%s: error has only code/message/field", what);
	TAP_STREQ(cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(e,
	    "code")), code, "%s: error.code", what);
	f = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(e,
	    "message"));
	TAP_OK(f != NULL && *f != '\0', "%s: error.message", what);
	f = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(e, "field"));
	if (fld != NULL)
		TAP_STREQ(f, fld, "%s: error.field", what);
	else
		TAP_OK(cJSON_GetObjectItemCaseSensitive(e, "field") == NULL,
		    "%s: no error.field", what);
	cJSON_Delete(j);
}

/* The PAYMENT-REQUIRED header decoded (caller frees). */
static cJSON *
payment_required(const struct msg_resp *resp)
{
	const char	*h = msg_resp_get_header(resp, "PAYMENT-REQUIRED");
	unsigned char	*d;
	size_t		 len;
	cJSON		*j;

	if (h == NULL || (d = b64_decode(h, &len)) == NULL)
		return NULL;
	j = cJSON_ParseWithLength((const char *)d, len);
	free(d);
	return j;
}

static const char *
jstr(const cJSON *o, const char *k)
{
	return cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(o, k));
}

static double
jnum(const cJSON *o, const char *k)
{
	const cJSON	*v = cJSON_GetObjectItemCaseSensitive(o, k);

	return cJSON_IsNumber(v) ? v->valuedouble : -1;
}

/* A 402 challenge for amount: v2 header with error, v1 body. */
static void
check_402(const struct msg_resp *resp, const char *amount, const char *error,
    const char *what)
{
	cJSON		*v2, *v1, *a;
	const char	*s;

	TAP_OK(resp->status == 402, "%s: 402 (got %d)", what, resp->status);
	s = msg_resp_get_header(resp, "Cache-Control");
	TAP_OK(s != NULL && strcmp(s, "no-store") == 0,
	    "%s: Cache-Control no-store", what);

	v2 = payment_required(resp);
	TAP_OK(cJSON_IsObject(v2), "%s: PAYMENT-REQUIRED base64-decodes to JSON",
	    what);
	TAP_OK(jnum(v2, "x402Version") == 2, "%s: header x402Version 2", what);
	TAP_STREQ(jstr(v2, "error"), error, "%s: header error", what);
	TAP_STREQ(jstr(cJSON_GetObjectItemCaseSensitive(v2, "resource"), "url"),
	    PUBLIC "/v1/image-generate", "%s: header resource.url", what);
	a = cJSON_GetObjectItemCaseSensitive(v2, "accepts");
	TAP_OK(cJSON_GetArraySize(a) == 1, "%s: one v2 offer (one network)",
	    what);
	a = cJSON_GetArrayItem(a, 0);
	TAP_STREQ(jstr(a, "scheme"), "exact", "%s: v2 scheme", what);
	TAP_STREQ(jstr(a, "network"), "eip155:84532", "%s: v2 network", what);
	TAP_STREQ(jstr(a, "amount"), amount, "%s: v2 amount", what);
	TAP_STREQ(jstr(a, "payTo"), PAY_TO, "%s: v2 payTo", what);
	TAP_STREQ(jstr(a, "asset"), USDC_BASE_SEPOLIA, "%s: v2 asset", what);
	TAP_OK(jnum(a, "maxTimeoutSeconds") == 300, "%s: v2 maxTimeoutSeconds",
	    what);
	TAP_STREQ(jstr(cJSON_GetObjectItemCaseSensitive(a, "extra"), "name"),
	    "USDC", "%s: v2 extra.name", what);
	TAP_STREQ(jstr(cJSON_GetObjectItemCaseSensitive(a, "extra"), "version"),
	    "2", "%s: v2 extra.version", what);
	cJSON_Delete(v2);

	v1 = body_json(resp);
	TAP_OK(jnum(v1, "x402Version") == 1, "%s: body x402Version 1", what);
	TAP_STREQ(jstr(v1, "error"), error, "%s: body error", what);
	a = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(v1, "accepts"),
	    0);
	TAP_STREQ(jstr(a, "maxAmountRequired"), amount,
	    "%s: v1 accepts[0].maxAmountRequired", what);
	TAP_STREQ(jstr(a, "network"), "base-sepolia", "%s: v1 network", what);
	TAP_STREQ(jstr(a, "payTo"), PAY_TO, "%s: v1 payTo", what);
	TAP_STREQ(jstr(a, "asset"), USDC_BASE_SEPOLIA, "%s: v1 asset", what);
	cJSON_Delete(v1);
}

int
main(void)
{
	const struct def_entry	*de, *de2;
	struct flow_ctx		 ctx, ctx2;
	struct msg_req		 req;
	struct msg_resp		 resp;
	struct flow_outcome	 out;
	struct sf_err		 err;
	struct cfg		*cfg;
	cJSON			*j, *v2;
	const char		*h;
	char			 conf[700], db[700], text[1600];
	FILE			*f;

	hermetic();
	if (mkdtemp(dir) == NULL) {
		perror("mkdtemp");
		return 2;
	}
	snprintf(conf, sizeof(conf), "%s/synthforge.conf", dir);
	snprintf(db, sizeof(db), "%s/ledger.db", dir);
	snprintf(text, sizeof(text), "# test_flow\nPAY_TO=%s\nDB=%s\n"
	    "NETWORKS=base-sepolia\nPUBLIC_URL=%s/\nMEDIA_DIR=%s/media\n",
	    PAY_TO, db, PUBLIC, dir);
	if ((f = fopen(conf, "w")) == NULL || fputs(text, f) == EOF ||
	    fclose(f) != 0) {
		perror(conf);
		return 2;
	}
	sf_err_clear(&err);
	if ((cfg = cfg_load(conf, &err)) == NULL) {
		printf("Bail out! cfg_load: %s\n", err.message);
		return 2;
	}
	de = def_lookup("image-generate");
	de2 = def_lookup("api-v1-image-generate");
	if (de == NULL || de2 == NULL) {
		printf("Bail out! definitions missing\n");
		return 2;
	}
	TAP_OK(flow_init(&ctx, cfg, de->ep, &err) == 0, "flow_init (%s)",
	    err.message);
	TAP_OK(flow_init(&ctx2, cfg, de2->ep, &err) == 0,
	    "flow_init api-v1-image-generate (%s)", err.message);
	TAP_OK(access(db, F_OK) == 0, "ledger created in the temp dir");

	/* OPTIONS */
	req_init(&req, de->ep, "OPTIONS");
	req.origin = "https://app.example";
	handle(&ctx, &req, &resp, &out, "OPTIONS");
	TAP_OK(resp.status == 204, "OPTIONS: 204");
	h = msg_resp_get_header(&resp, "Access-Control-Allow-Methods");
	TAP_OK(h != NULL && strstr(h, "POST") != NULL &&
	    strstr(h, "GET") != NULL && strstr(h, "OPTIONS") != NULL,
	    "OPTIONS: Allow-Methods GET, POST, OPTIONS");
	h = msg_resp_get_header(&resp, "Access-Control-Allow-Headers");
	TAP_OK(h != NULL && strstr(h, "Content-Type") != NULL &&
	    strstr(h, "PAYMENT-SIGNATURE") != NULL &&
	    strstr(h, "X-PAYMENT") != NULL,
	    "OPTIONS: Allow-Headers Content-Type, PAYMENT-SIGNATURE, X-PAYMENT");
	TAP_OK(resp.body_len == 0, "OPTIONS: empty body");
	TAP_STREQ(out.pay, "none", "OPTIONS: pay none");
	msg_resp_free(&resp);

	/* GET: the JSON description. */
	req_init(&req, de->ep, "GET");
	req.accept = "application/json";
	handle(&ctx, &req, &resp, &out, "GET");
	TAP_OK(resp.status == 200, "GET: 200");
	j = body_json(&resp);
	TAP_OK(cJSON_IsObject(j), "GET: JSON body");
	TAP_STREQ(jstr(j, "name"), "image-generate", "GET: name");
	TAP_STREQ(jstr(j, "method"), "POST", "GET: method");
	TAP_STREQ(jstr(j, "url"), PUBLIC "/v1/image-generate",
	    "GET: url from PUBLIC_URL");
	TAP_STREQ(jstr(j, "docs"), PUBLIC "/image-generate.html", "GET: docs");
	TAP_STREQ(jstr(cJSON_GetObjectItemCaseSensitive(j, "price"), "amount"),
	    "10000", "GET: price.amount");
	TAP_STREQ(jstr(cJSON_GetObjectItemCaseSensitive(j, "price"), "usd"),
	    "0.01", "GET: price.usd");
	TAP_OK(cJSON_GetObjectItemCaseSensitive(j, "input") != NULL &&
	    cJSON_GetObjectItemCaseSensitive(j, "output") != NULL,
	    "GET: input and output schemas");
	TAP_STREQ(out.pay, "none", "GET: pay none");
	TAP_OK(msg_resp_get_header(&resp, "PAYMENT-REQUIRED") == NULL,
	    "GET: no challenge");
	cJSON_Delete(j);
	msg_resp_free(&resp);

	req_init(&req, de2->ep, "GET");
	handle(&ctx2, &req, &resp, &out, "GET api-v1-image-generate");
	j = body_json(&resp);
	TAP_STREQ(jstr(cJSON_GetObjectItemCaseSensitive(j, "price"), "amount"),
	    "20000", "GET api-v1: price.amount is the cheapest model");
	TAP_STREQ(jstr(cJSON_GetObjectItemCaseSensitive(j, "price"), "max_usd"),
	    "0.075", "GET api-v1: price.max_usd");
	cJSON_Delete(j);
	msg_resp_free(&resp);

	/* GET from a browser: to the page. */
	req_init(&req, de->ep, "GET");
	req.accept = "text/html,application/xhtml+xml,*/*;q=0.8";
	handle(&ctx, &req, &resp, &out, "GET html");
	TAP_OK(resp.status == 302, "GET html: 302 (got %d)", resp.status);
	TAP_STREQ(resp.location, PUBLIC "/image-generate.html",
	    "GET html: Location is PUBLIC_URL/<name>.html");
	msg_resp_free(&resp);

	req_init(&req, de->ep, "HEAD");
	handle(&ctx, &req, &resp, &out, "HEAD");
	TAP_OK(resp.status == 200, "HEAD: 200 like GET");
	msg_resp_free(&resp);

	/* Other methods and paths. */
	req_init(&req, de->ep, "PUT");
	post_body(&req, "{\"prompt\":\"a\"}");
	handle(&ctx, &req, &resp, &out, "PUT");
	check_error(&resp, 405, "method_not_allowed", NULL, "PUT");
	h = msg_resp_get_header(&resp, "Allow");
	TAP_OK(h != NULL && strstr(h, "POST") != NULL && strstr(h, "GET") != NULL,
	    "PUT: Allow header lists GET and POST");
	msg_resp_free(&resp);
	req_init(&req, de->ep, "DELETE");
	handle(&ctx, &req, &resp, &out, "DELETE");
	TAP_OK(resp.status == 405, "DELETE: 405");
	msg_resp_free(&resp);

	req_init(&req, de->ep, "POST");
	req.path = "/v1/image-generate-pro";
	post_body(&req, "{\"prompt\":\"a\"}");
	handle(&ctx, &req, &resp, &out, "foreign path");
	check_error(&resp, 404, "not_found", NULL, "foreign path");
	TAP_STREQ(out.pay, "none", "foreign path: no payment asked");
	msg_resp_free(&resp);
	req.path = "/v1/image-generate/extra";
	req.method = "GET";
	handle(&ctx, &req, &resp, &out, "path below ours");
	TAP_OK(resp.status == 404, "path below ours: 404");
	msg_resp_free(&resp);

	/* POST refused before any payment. */
	req_init(&req, de->ep, "POST");
	post_body(&req, "{\"width\":512}");
	handle(&ctx, &req, &resp, &out, "POST missing prompt");
	check_error(&resp, 400, "missing_field", "prompt", "POST missing prompt");
	TAP_OK(msg_resp_get_header(&resp, "PAYMENT-REQUIRED") == NULL,
	    "POST bad input: no 402 challenge");
	TAP_STREQ(out.pay, "none", "POST bad input: pay none");
	TAP_STREQ(out.reason, "missing_field", "POST bad input: out.reason");
	msg_resp_free(&resp);

	post_body(&req, "{\"prompt\":\"a\",\"width\":99999}");
	handle(&ctx, &req, &resp, &out, "POST out of range");
	check_error(&resp, 400, "out_of_range", "width", "POST out of range");
	msg_resp_free(&resp);

	post_body(&req, "{\"prompt\":\"a\"}");
	req.content_type = "text/plain";
	handle(&ctx, &req, &resp, &out, "POST text/plain");
	check_error(&resp, 415, "unsupported_media_type", NULL,
	    "POST text/plain");
	msg_resp_free(&resp);

	post_body(&req, "{\"prompt\":\"a\"}");
	req.body_too_large = 1;
	handle(&ctx, &req, &resp, &out, "POST too large");
	check_error(&resp, 413, "body_too_large", NULL, "POST too large");
	TAP_STREQ(out.reason, "body_too_large", "POST too large: out.reason");
	msg_resp_free(&resp);
	req.body_too_large = 0;
	req.bad_length = 1;
	handle(&ctx, &req, &resp, &out, "POST bad Content-Length");
	check_error(&resp, 400, "invalid_content_length", NULL,
	    "POST bad Content-Length");
	msg_resp_free(&resp);
	req.bad_length = 0;
	/* Two payment headers (a look-alike name among them): refused. */
	req.dup_payment = 1;
	handle(&ctx, &req, &resp, &out, "POST duplicate payment header");
	check_error(&resp, 400, "conflicting_payment_headers", NULL,
	    "POST duplicate payment header");
	TAP_OK(msg_resp_get_header(&resp, "PAYMENT-REQUIRED") == NULL,
	    "POST duplicate payment header: no payment asked");
	msg_resp_free(&resp);
	req.dup_payment = 0;

	/* POST valid, no payment: the challenge for this exact request. */
	req_init(&req, de->ep, "POST");
	post_body(&req, "{\"prompt\":\"a lighthouse at dawn\",\"width\":1000}");
	handle(&ctx, &req, &resp, &out, "POST unpaid");
	check_402(&resp, "10000", "payment_required", "POST unpaid");
	TAP_STREQ(out.pay, "required", "POST unpaid: pay required");
	TAP_STREQ(out.amount, "10000", "POST unpaid: out.amount");
	TAP_STREQ(out.reason, "", "POST unpaid: no refusal reason");
	v2 = payment_required(&resp);
	j = cJSON_GetObjectItemCaseSensitive(v2, "extensions");
	TAP_OK(cJSON_GetObjectItemCaseSensitive(j, "bazaar") != NULL,
	    "POST unpaid: bazaar extension offered");
	cJSON_Delete(v2);
	msg_resp_free(&resp);

	/* The price of the exact request: the model's, on api-v1. */
	req_init(&req, de2->ep, "POST");
	post_body(&req, "{\"prompt\":\"a\",\"model\":\"flux-1.1-pro\","
	    "\"width\":1024,\"height\":768}");
	handle(&ctx2, &req, &resp, &out, "POST api-v1 flux-1.1-pro");
	TAP_OK(resp.status == 402, "POST api-v1 flux-1.1-pro: 402");
	v2 = payment_required(&resp);
	TAP_STREQ(jstr(cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(v2,
	    "accepts"), 0), "amount"), "40000",
	    "POST api-v1 flux-1.1-pro: v2 amount 40000");
	cJSON_Delete(v2);
	j = body_json(&resp);
	TAP_STREQ(jstr(cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(j,
	    "accepts"), 0), "maxAmountRequired"), "40000",
	    "POST api-v1 flux-1.1-pro: v1 maxAmountRequired 40000");
	cJSON_Delete(j);
	TAP_STREQ(out.amount, "40000", "POST api-v1 flux-1.1-pro: out.amount");
	msg_resp_free(&resp);

	/* Issue 14: a retired model and a size the model refuses cost nothing. */
	req_init(&req, de2->ep, "POST");
	post_body(&req, "{\"prompt\":\"a\",\"model\":\"imagen-4\","
	    "\"num_images\":3}");
	handle(&ctx2, &req, &resp, &out, "POST api-v1 imagen-4");
	j = body_json(&resp);
	TAP_OK(resp.status == 400 && strcmp(jstr(
	    cJSON_GetObjectItemCaseSensitive(j, "error"), "code"),
	    "model_retired") == 0, "POST api-v1 imagen-4: 400 model_retired, "
	    "no 402 (%d)", resp.status);
	cJSON_Delete(j);
	msg_resp_free(&resp);
	req_init(&req, de2->ep, "POST");
	post_body(&req, "{\"prompt\":\"a\",\"model\":\"flux-1.1-pro\","
	    "\"width\":2048,\"height\":1024}");
	handle(&ctx2, &req, &resp, &out, "POST api-v1 flux-1.1-pro 2048");
	j = body_json(&resp);
	TAP_OK(resp.status == 400 && strcmp(jstr(
	    cJSON_GetObjectItemCaseSensitive(j, "error"), "code"),
	    "invalid_size") == 0, "POST api-v1 flux-1.1-pro 2048 wide: 400 "
	    "invalid_size, no 402 (%d)", resp.status);
	cJSON_Delete(j);
	msg_resp_free(&resp);

	/* A garbage payment: refused with the reason, a fresh challenge. */
	req_init(&req, de->ep, "POST");
	post_body(&req, "{\"prompt\":\"a lighthouse at dawn\"}");
	req.payment_v2 = "not-a-payment!!";
	handle(&ctx, &req, &resp, &out, "POST garbage v2");
	check_402(&resp, "10000", "invalid_payload", "POST garbage v2");
	TAP_STREQ(out.pay, "refused", "POST garbage v2: pay refused");
	TAP_STREQ(out.reason, "invalid_payload", "POST garbage v2: out.reason");
	TAP_STREQ(out.amount, "10000", "POST garbage v2: out.amount");
	TAP_OK(msg_resp_get_header(&resp, "PAYMENT-RESPONSE") == NULL,
	    "POST garbage v2: nothing settled");
	msg_resp_free(&resp);

	req.payment_v2 = "e30=";	/* {} */
	handle(&ctx, &req, &resp, &out, "POST {} v2");
	v2 = payment_required(&resp);
	TAP_OK(resp.status == 402 && strcmp(out.pay, "refused") == 0,
	    "POST {} v2: 402 refused");
	TAP_STREQ(jstr(v2, "error"), "invalid_payload", "POST {} v2: header error");
	cJSON_Delete(v2);
	msg_resp_free(&resp);

	req.payment_v2 = NULL;
	req.payment_v1 = "%%%";
	handle(&ctx, &req, &resp, &out, "POST garbage v1");
	j = body_json(&resp);
	TAP_OK(resp.status == 402, "POST garbage v1: 402");
	TAP_STREQ(jstr(j, "error"), "invalid_payload", "POST garbage v1: body error");
	TAP_STREQ(out.pay, "refused", "POST garbage v1: pay refused");
	cJSON_Delete(j);
	msg_resp_free(&resp);

	/* out may be NULL. */
	req.payment_v1 = NULL;
	msg_resp_init(&resp);
	flow_handle(&ctx, &req, &resp, NULL);
	TAP_OK(resp.status == 402, "flow_handle with out NULL");
	msg_resp_free(&resp);

	flow_fini(&ctx2);
	flow_fini(&ctx);
	TAP_OK(ctx.ledger == NULL, "flow_fini closes the ledger");
	cfg_free(cfg);
	unlink(conf);
	unlink(db);
	snprintf(text, sizeof(text), "%s-wal", db);
	unlink(text);
	snprintf(text, sizeof(text), "%s-shm", db);
	unlink(text);
	snprintf(text, sizeof(text), "%s-journal", db);
	unlink(text);
	rmdir(dir);
	return tap_done();
}
