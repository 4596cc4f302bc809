/*
 * flow: the handler as a function, no socket (docs/architecture.md).  A real
 * configuration from a temp file (base-sepolia, PAY_TO, ledger in a temp
 * dir, no provider keys), then flow_handle on OPTIONS, GET (JSON and the
 * redirect for browsers), PUT, foreign paths, bad input, oversized bodies,
 * the 402 challenge (v2 header and v1 body) and a garbage payment, with
 * the outcome filled and the CORS headers on every answer.  Then the paid
 * steps with signed EIP-3009 payments, the offline provider and a stand-in
 * facilitator on a thread: settled, replayed, reused for another request,
 * too short, expired, refused by /verify, nobody to ask; each answer with
 * its ledger row and the facilitator calls it made.
 */
#include <sys/socket.h>

#include <ftw.h>

#include <netinet/in.h>
#include <arpa/inet.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cjson/cJSON.h>
#include <secp256k1.h>
#include <secp256k1_recovery.h>

#include "basics/b64.h"
#include "basics/buf.h"
#include "basics/cfg.h"
#include "basics/def.h"
#include "basics/err.h"
#include "flow/flow.h"
#include "basics/hex.h"
#include "basics/msg.h"
#include "basics/u256.h"
#include "hermetic.h"
#include "ledger/ledger.h"
#include "tap.h"
#include "x402/evm/eip712.h"

#define PAY_TO		"0x70997970C51812dc3A010C7d01b50e0d17dc79C8"
#define USDC_BASE_SEPOLIA "0x036CbD53842c5426634e7929541eC2318f3dCF7e"
#define PUBLIC		"https://sf.example"
/* anvil #2, a public test key, and its address: the payer. */
#define PAYER_KEY	"0x5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a"
#define PAYER		"0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC"
#define TX		"7a1b000000000000000000000000000000000000000000000000000000000001"

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
	TAP_OK((unsigned)out->pay < FLOW_PAY__N, "%s: out.pay set", what);
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

/*
 * A stand-in facilitator: /verify answers verify_body, /settle settle_body
 * (x402.md §7.1, §7.2), each call counted.  An empty body closes the
 * connection unanswered.
 */
static struct {
	int		 fd, port;
	pthread_mutex_t	 mu;
	const char	*verify_body, *settle_body;
	int		 verifies, settles;
} fac = { .mu = PTHREAD_MUTEX_INITIALIZER };

static void
fac_one(int c)
{
	char		 req[16384], out[2048];
	const char	*body;
	size_t		 len = 0, clen = 0;
	ssize_t		 n;
	char		*end, *p;

	while (len < sizeof(req) - 1) {
		if ((n = read(c, req + len, sizeof(req) - 1 - len)) <= 0)
			return;
		len += (size_t)n;
		req[len] = '\0';
		if ((end = strstr(req, "\r\n\r\n")) == NULL)
			continue;
		if ((p = strcasestr(req, "\r\nContent-Length:")) != NULL &&
		    p < end)
			clen = strtoul(p + 17, NULL, 10);
		if (len >= (size_t)(end + 4 - req) + clen)
			break;
	}
	pthread_mutex_lock(&fac.mu);
	if (strncmp(req, "POST /verify", 12) == 0) {
		fac.verifies++;
		body = fac.verify_body;
	} else {
		fac.settles++;
		body = fac.settle_body;
	}
	pthread_mutex_unlock(&fac.mu);
	if (body[0] == '\0')
		return;
	snprintf(out, sizeof(out), "HTTP/1.1 200 OK\r\nContent-Type: "
	    "application/json\r\nContent-Length: %zu\r\nConnection: close"
	    "\r\n\r\n%s", strlen(body), body);
	if (write(c, out, strlen(out)) < 0)
		return;
}

static void *
fac_serve(void *arg)
{
	int	 c;

	(void)arg;
	while ((c = accept(fac.fd, NULL, NULL)) >= 0) {
		fac_one(c);
		close(c);
	}
	return NULL;
}

static int
fac_start(pthread_t *th)
{
	struct sockaddr_in	 sa;
	socklen_t		 sl = sizeof(sa);

	fac.fd = socket(AF_INET, SOCK_STREAM, 0);
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(fac.fd, (struct sockaddr *)&sa, sizeof(sa)) == -1 ||
	    listen(fac.fd, 16) == -1 ||
	    getsockname(fac.fd, (struct sockaddr *)&sa, &sl) == -1)
		return -1;
	fac.port = ntohs(sa.sin_port);
	fac.verify_body = "{\"isValid\":true}";
	fac.settle_body = "{\"success\":true,\"transaction\":\"0x" TX "\","
	    "\"network\":\"eip155:84532\"}";
	return pthread_create(th, NULL, fac_serve, NULL) == 0 ? 0 : -1;
}

static void
fac_calls(int *verifies, int *settles)
{
	pthread_mutex_lock(&fac.mu);
	*verifies = fac.verifies;
	*settles = fac.settles;
	pthread_mutex_unlock(&fac.mu);
}

static const struct def_entry	*de, *de2;
static struct flow_ctx		 ctx, ctx2;
static struct cfg		*cfg;
static char			 conf[700], db[700];

/* A real configuration in the temp dir; both endpoints' flows on it. */
static int
setup(void)
{
	struct sf_err	 err;
	char		 text[1600];
	FILE		*f;

	if (mkdtemp(dir) == NULL) {
		perror("mkdtemp");
		return -1;
	}
	snprintf(conf, sizeof(conf), "%s/synthforge.conf", dir);
	snprintf(db, sizeof(db), "%s/ledger.db", dir);
	snprintf(text, sizeof(text), "# test_flow\nPAY_TO=%s\nDB=%s\n"
	    "NETWORKS=base-sepolia\nPUBLIC_URL=%s/\nMEDIA_DIR=%s/media\n"
	    "FACILITATOR_URL=http://127.0.0.1:%d\nSETTLE_RETRY=0\n",
	    PAY_TO, db, PUBLIC, dir, fac.port);
	if ((f = fopen(conf, "w")) == NULL || fputs(text, f) == EOF ||
	    fclose(f) != 0) {
		perror(conf);
		return -1;
	}
	sf_err_clear(&err);
	if ((cfg = cfg_load(conf, &err)) == NULL) {
		printf("Bail out! cfg_load: %s\n", err.message);
		return -1;
	}
	de = def_lookup("image-generate");
	de2 = def_lookup("api-v1-image-generate");
	if (de == NULL || de2 == NULL) {
		printf("Bail out! definitions missing\n");
		return -1;
	}
	TAP_OK(flow_init(&ctx, cfg, de->ep, &err) == 0, "flow_init (%s)",
	    err.message);
	TAP_OK(flow_init(&ctx2, cfg, de2->ep, &err) == 0,
	    "flow_init api-v1-image-generate (%s)", err.message);
	TAP_OK(access(db, F_OK) == 0, "ledger created in the temp dir");
	return 0;
}

static int
rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static void
teardown(void)
{
	static const char *const sfx[] = { "", "-wal", "-shm", "-journal" };
	char	 path[800];
	size_t	 i;

	flow_fini(&ctx2);
	flow_fini(&ctx);
	TAP_OK(ctx.ledger == NULL, "flow_fini closes the ledger");
	cfg_free(cfg);
	unlink(conf);
	for (i = 0; i < sizeof(sfx) / sizeof(sfx[0]); i++) {
		snprintf(path, sizeof(path), "%s%s", db, sfx[i]);
		unlink(path);
	}
	/* The media the paid calls stored, and the folder. */
	TAP_OK(nftw(dir, rm_one, 8, FTW_DEPTH | FTW_PHYS) == 0,
	    "temp dir removed");
}

static void
test_options(void)
{
	struct msg_req		 req;
	struct msg_resp		 resp;
	struct flow_outcome	 out;
	const char		*h;

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
	TAP_STREQ(flow_pay_name(out.pay), "none", "OPTIONS: pay none");
	msg_resp_free(&resp);
}

/* GET: the JSON description; from a browser, the page; HEAD like GET. */
static void
test_get(void)
{
	struct msg_req		 req;
	struct msg_resp		 resp;
	struct flow_outcome	 out;
	cJSON			*j;

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
	TAP_STREQ(flow_pay_name(out.pay), "none", "GET: pay none");
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
}

/* Other methods and paths: 405 with Allow, 404 for paths not ours. */
static void
test_methods_and_paths(void)
{
	struct msg_req		 req;
	struct msg_resp		 resp;
	struct flow_outcome	 out;
	const char		*h;

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
	TAP_STREQ(flow_pay_name(out.pay), "none",
	    "foreign path: no payment asked");
	msg_resp_free(&resp);
	req.path = "/v1/image-generate/extra";
	req.method = "GET";
	handle(&ctx, &req, &resp, &out, "path below ours");
	TAP_OK(resp.status == 404, "path below ours: 404");
	msg_resp_free(&resp);
}

/* Bad input, bodies too large, bad lengths, two payment headers: refused
   before any payment is asked. */
static void
test_refused_before_402(void)
{
	struct msg_req		 req;
	struct msg_resp		 resp;
	struct flow_outcome	 out;

	req_init(&req, de->ep, "POST");
	post_body(&req, "{\"width\":512}");
	handle(&ctx, &req, &resp, &out, "POST missing prompt");
	check_error(&resp, 400, "missing_field", "prompt", "POST missing prompt");
	TAP_OK(msg_resp_get_header(&resp, "PAYMENT-REQUIRED") == NULL,
	    "POST bad input: no 402 challenge");
	TAP_STREQ(flow_pay_name(out.pay), "none", "POST bad input: pay none");
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

	/* GET or HEAD with a body: the cause named, not a description. */
	req_init(&req, de->ep, "GET");
	post_body(&req, "{\"prompt\":\"a\"}");
	handle(&ctx, &req, &resp, &out, "GET with a body");
	check_error(&resp, 400, "body_not_allowed", NULL, "GET with a body");
	TAP_OK(strstr(resp.body, "GET request carries no body") != NULL,
	    "GET with a body: says so");
	msg_resp_free(&resp);
	req_init(&req, de->ep, "HEAD");
	post_body(&req, "{}");
	handle(&ctx, &req, &resp, &out, "HEAD with a body");
	check_error(&resp, 400, "body_not_allowed", NULL, "HEAD with a body");
	msg_resp_free(&resp);
}

/* A valid request without payment: the challenge for this exact request. */
static void
test_unpaid(void)
{
	struct msg_req		 req;
	struct msg_resp		 resp;
	struct flow_outcome	 out;
	cJSON			*j, *v2;

	req_init(&req, de->ep, "POST");
	post_body(&req, "{\"prompt\":\"a lighthouse at dawn\",\"width\":1000}");
	handle(&ctx, &req, &resp, &out, "POST unpaid");
	check_402(&resp, "10000", "payment_required", "POST unpaid");
	TAP_STREQ(flow_pay_name(out.pay), "required",
	    "POST unpaid: pay required");
	TAP_STREQ(out.amount, "10000", "POST unpaid: out.amount");
	TAP_STREQ(out.reason, "", "POST unpaid: no refusal reason");
	v2 = payment_required(&resp);
	j = cJSON_GetObjectItemCaseSensitive(v2, "extensions");
	TAP_OK(cJSON_GetObjectItemCaseSensitive(j, "bazaar") != NULL,
	    "POST unpaid: bazaar extension offered");
	cJSON_Delete(v2);
	msg_resp_free(&resp);
}

/* The price of the exact request (the model's, on api-v1); a retired
   model and a size the model refuses cost nothing (issue 14). */
static void
test_price_of_request(void)
{
	struct msg_req		 req;
	struct msg_resp		 resp;
	struct flow_outcome	 out;
	cJSON			*j, *v2;

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
}

/* A garbage payment: refused with the reason, a fresh challenge. */
static void
test_garbage_payment(void)
{
	struct msg_req		 req;
	struct msg_resp		 resp;
	struct flow_outcome	 out;
	cJSON			*j, *v2;

	req_init(&req, de->ep, "POST");
	post_body(&req, "{\"prompt\":\"a lighthouse at dawn\"}");
	req.payment_v2 = "not-a-payment!!";
	handle(&ctx, &req, &resp, &out, "POST garbage v2");
	check_402(&resp, "10000", "invalid_payload", "POST garbage v2");
	TAP_STREQ(flow_pay_name(out.pay), "refused",
	    "POST garbage v2: pay refused");
	TAP_STREQ(out.reason, "invalid_payload", "POST garbage v2: out.reason");
	TAP_STREQ(out.amount, "10000", "POST garbage v2: out.amount");
	TAP_OK(msg_resp_get_header(&resp, "PAYMENT-RESPONSE") == NULL,
	    "POST garbage v2: nothing settled");
	msg_resp_free(&resp);

	req.payment_v2 = "e30=";	/* {} */
	handle(&ctx, &req, &resp, &out, "POST {} v2");
	v2 = payment_required(&resp);
	TAP_OK(resp.status == 402 && out.pay == FLOW_PAY_REFUSED,
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
	TAP_STREQ(flow_pay_name(out.pay), "refused",
	    "POST garbage v1: pay refused");
	cJSON_Delete(j);
	msg_resp_free(&resp);

	/* out may be NULL. */
	req.payment_v1 = NULL;
	msg_resp_init(&resp);
	flow_handle(&ctx, &req, &resp, NULL);
	TAP_OK(resp.status == 402, "flow_handle with out NULL");
	msg_resp_free(&resp);
}

/* ---- the paid steps ---------------------------------------------------- */

#define PAID_BODY	"{\"prompt\":\"a paid lighthouse\"}"

/* Our offer for PAID_BODY, as the 402 gives it (caller frees). */
static cJSON *
the_offer(void)
{
	struct msg_req		 req;
	struct msg_resp		 resp;
	cJSON			*v2, *o;

	req_init(&req, de->ep, "POST");
	post_body(&req, PAID_BODY);
	msg_resp_init(&resp);
	flow_handle(&ctx, &req, &resp, NULL);
	v2 = payment_required(&resp);
	o = cJSON_Duplicate(cJSON_GetArrayItem(
	    cJSON_GetObjectItemCaseSensitive(v2, "accepts"), 0), 1);
	cJSON_Delete(v2);
	msg_resp_free(&resp);
	return o;
}

/* r ‖ s ‖ v of PAYER_KEY over the EIP-3009 digest of the offer's domain. */
static void
pay_sign(const cJSON *o, const struct eip712_twa *m, char *out)
{
	static secp256k1_context		*sc;
	secp256k1_ecdsa_recoverable_signature	 rs;
	struct eip712_domain			 d;
	const cJSON				*x;
	uint8_t					 key[32], dg[32], sig[65];
	int					 recid;

	if (sc == NULL)
		sc = secp256k1_context_create(SECP256K1_CONTEXT_NONE);
	x = cJSON_GetObjectItemCaseSensitive(o, "extra");
	d.name = jstr(x, "name");
	d.name_len = strlen(d.name);
	d.version = jstr(x, "version");
	d.version_len = strlen(d.version);
	d.chain_id = 84532;
	if (hex_decode_fixed(jstr(o, "asset"), d.contract, 20) == -1 ||
	    hex_decode_fixed(PAYER_KEY, key, 32) == -1)
		abort();
	eip712_twa_digest(&d, m, dg);
	if (!secp256k1_ecdsa_sign_recoverable(sc, &rs, dg, key, NULL, NULL) ||
	    !secp256k1_ecdsa_recoverable_signature_serialize_compact(sc, sig,
	    &recid, &rs))
		abort();
	sig[64] = (uint8_t)(27 + recid);
	hex_encode(sig, 65, out);
}

/* A PAYMENT-SIGNATURE for offer o: validBefore vb, nonce ending in n. */
static char *
pay_header(const cJSON *o, long long vb, unsigned n)
{
	struct eip712_twa	 m;
	struct buf		 h;
	cJSON			*j, *pl, *a;
	char			 sig[140], nonce[67], vbs[24], *t;

	memset(&m, 0, sizeof(m));
	m.nonce[31] = (uint8_t)n;
	snprintf(vbs, sizeof(vbs), "%lld", vb);
	if (hex_decode_fixed(PAYER, m.from, 20) == -1 ||
	    hex_decode_fixed(jstr(o, "payTo"), m.to, 20) == -1 ||
	    u256_from_dec(jstr(o, "amount"), m.value) == -1 ||
	    u256_from_dec(vbs, m.valid_before) == -1)
		abort();
	hex_encode(m.nonce, 32, nonce);
	pay_sign(o, &m, sig);
	j = cJSON_CreateObject();
	cJSON_AddNumberToObject(j, "x402Version", 2);
	cJSON_AddItemToObject(j, "accepted", cJSON_Duplicate(o, 1));
	pl = cJSON_AddObjectToObject(j, "payload");
	cJSON_AddStringToObject(pl, "signature", sig);
	a = cJSON_AddObjectToObject(pl, "authorization");
	cJSON_AddStringToObject(a, "from", PAYER);
	cJSON_AddStringToObject(a, "to", jstr(o, "payTo"));
	cJSON_AddStringToObject(a, "value", jstr(o, "amount"));
	cJSON_AddStringToObject(a, "validAfter", "0");
	cJSON_AddStringToObject(a, "validBefore", vbs);
	cJSON_AddStringToObject(a, "nonce", nonce);
	t = cJSON_PrintUnformatted(j);
	buf_init(&h);
	if (t == NULL || b64_encode(t, strlen(t), &h) == -1 ||
	    buf_puts(&h, "") == -1)
		abort();
	cJSON_free(t);
	cJSON_Delete(j);
	return buf_steal(&h, NULL);
}

/* POST body with payment hdr (freed here). */
static void
paid(struct msg_resp *resp, struct flow_outcome *out, const char *body,
    char *hdr, const char *what)
{
	struct msg_req	 req;

	req_init(&req, de->ep, "POST");
	post_body(&req, body);
	req.payment_v2 = hdr;
	handle(&ctx, &req, resp, out, what);
	free(hdr);
}

/* The ledger row of nonce n: its state, -1 when there is none. */
static int
row_state(unsigned n, char *tx, size_t txsz)
{
	struct ledger_payment	*rows;
	struct sf_err		 err;
	size_t			 i, k;
	char			 nonce[67];
	uint8_t			 b[32];
	int			 st = -1;

	memset(b, 0, sizeof(b));
	b[31] = (uint8_t)n;
	hex_encode(b, 32, nonce);
	if (ledger_list(ctx.ledger, -1, 0, &rows, &k, &err) == -1)
		return -2;
	for (i = 0; i < k; i++)
		if (strcmp(rows[i].nonce, nonce) == 0) {
			st = (int)rows[i].state;
			if (tx != NULL)
				snprintf(tx, txsz, "%s", rows[i].tx);
		}
	ledger_payments_free(rows, k);
	return st;
}

/* The error code of a JSON error body, or of a v1 402 body. */
static const char *
answer_code(const struct msg_resp *resp, char *buf, size_t sz)
{
	cJSON	*j = body_json(resp);
	cJSON	*e = cJSON_GetObjectItemCaseSensitive(j, "error");

	snprintf(buf, sz, "%s", cJSON_IsString(e) ? e->valuestring :
	    cJSON_IsObject(e) ? jstr(e, "code") : "");
	cJSON_Delete(j);
	return buf;
}

/* Settled, then the same payment again: its stored result, nothing new
   asked; for another request: 409. */
static void
test_paid_settle_replay(const cJSON *o, time_t now)
{
	struct msg_resp		 resp;
	struct flow_outcome	 out;
	cJSON			*pr;
	char			*first, tx[96], code[64];
	unsigned char		*d;
	size_t			 n;
	int			 v0, s0, v, st;

	fac_calls(&v0, &s0);
	paid(&resp, &out, PAID_BODY, pay_header(o, now + 600, 2), "paid");
	TAP_OK(resp.status == 200, "paid: 200 (%d)", resp.status);
	TAP_STREQ(flow_pay_name(out.pay), "settled", "paid: pay settled");
	d = b64_decode(msg_resp_get_header(&resp, "PAYMENT-RESPONSE") ?
	    msg_resp_get_header(&resp, "PAYMENT-RESPONSE") : "", &n);
	pr = d != NULL ? cJSON_Parse((char *)d) : NULL;
	TAP_OK(cJSON_IsTrue(cJSON_GetObjectItem(pr, "success")) &&
	    strcmp(jstr(pr, "transaction"), "0x" TX) == 0 &&
	    strcmp(jstr(pr, "network"), "eip155:84532") == 0 &&
	    strcmp(jstr(pr, "payer"), PAYER) == 0, "paid: PAYMENT-RESPONSE "
	    "success, transaction, network, payer");
	cJSON_Delete(pr);
	free(d);
	fac_calls(&v, &st);
	TAP_OK(v == v0 + 1 && st == s0 + 1, "paid: one /verify, one /settle");
	TAP_OK(row_state(2, tx, sizeof(tx)) == LEDGER_SETTLED &&
	    strcmp(tx, "0x" TX) == 0, "paid: the row is settled with its tx");
	first = resp.body != NULL ? strndup(resp.body, resp.body_len) : NULL;
	msg_resp_free(&resp);

	paid(&resp, &out, PAID_BODY, pay_header(o, now + 600, 2), "replay");
	TAP_OK(resp.status == 200 && first != NULL && resp.body_len ==
	    strlen(first) && memcmp(resp.body, first, resp.body_len) == 0,
	    "replay: 200, the stored result");
	TAP_STREQ(flow_pay_name(out.pay), "replayed", "replay: pay replayed");
	fac_calls(&v, &st);
	TAP_OK(v == v0 + 1 && st == s0 + 1, "replay: nothing asked");
	msg_resp_free(&resp);
	free(first);

	paid(&resp, &out, "{\"prompt\":\"another\"}", pay_header(o,
	    now + 600, 2), "reused");
	TAP_OK(resp.status == 409 && strcmp(answer_code(&resp, code,
	    sizeof(code)), "payment_already_used") == 0,
	    "the same payment for another request: 409 payment_already_used");
	msg_resp_free(&resp);
}

/* Windows: too short and unknown (402), too short but known (its row),
   expired but settled for this request (its row), expired (402). */
static void
test_paid_windows(const cJSON *o, time_t now)
{
	struct msg_resp		 resp;
	struct flow_outcome	 out;
	char			 code[96];
	int			 v0, s0, v, st;

	fac_calls(&v0, &s0);
	paid(&resp, &out, PAID_BODY, pay_header(o, now + 30, 1), "too soon");
	TAP_OK(resp.status == 402 && strcmp(out.reason,
	    "valid_before_too_soon") == 0 && row_state(1, NULL, 0) == -1,
	    "validBefore too soon: 402 valid_before_too_soon, no row");
	msg_resp_free(&resp);
	paid(&resp, &out, PAID_BODY, pay_header(o, now + 30, 2), "late retry");
	TAP_OK(resp.status == 200 && out.pay == FLOW_PAY_REPLAYED,
	    "too soon, but the ledger has it settled: its result (%d)",
	    resp.status);
	msg_resp_free(&resp);
	paid(&resp, &out, PAID_BODY, pay_header(o, now + 2, 2), "expired");
	TAP_OK(resp.status == 200 && out.pay == FLOW_PAY_REPLAYED,
	    "expired, settled for this very request: its result (%d)",
	    resp.status);
	msg_resp_free(&resp);
	paid(&resp, &out, PAID_BODY, pay_header(o, now + 2, 4), "expired new");
	TAP_OK(resp.status == 402 && strcmp(answer_code(&resp, code,
	    sizeof(code)), "invalid_exact_evm_payload_authorization_"
	    "valid_before") == 0 && row_state(4, NULL, 0) == -1,
	    "expired and unknown: 402 with the verifier's reason, no row");
	msg_resp_free(&resp);
	fac_calls(&v, &st);
	TAP_OK(v == v0 && st == s0, "windows: the facilitator never asked");
}

/* Not proven settleable: refused (the facilitator's reason passed
   through) or 503 when it does not answer; the claim dropped each time. */
static void
test_paid_unproven(const cJSON *o, time_t now)
{
	struct msg_resp		 resp;
	struct flow_outcome	 out;
	char			 code[96];
	const char		*h;
	int			 i, v0, s0, v, st;

	fac_calls(&v0, &s0);
	fac.verify_body = "{\"isValid\":false,\"invalidReason\":"
	    "\"invalid_exact_evm_insufficient_balance\"}";
	for (i = 0; i < 2; i++) {
		paid(&resp, &out, PAID_BODY, pay_header(o, now + 600, 3),
		    "verify says no");
		TAP_OK(resp.status == 402 && strcmp(answer_code(&resp, code,
		    sizeof(code)), "invalid_exact_evm_insufficient_balance") ==
		    0 && out.pay == FLOW_PAY_REFUSED && row_state(3, NULL,
		    0) == -1, "/verify says no (%d): 402 with its reason, the "
		    "claim dropped", i + 1);
		msg_resp_free(&resp);
	}
	fac.verify_body = "";
	paid(&resp, &out, PAID_BODY, pay_header(o, now + 600, 3), "no answer");
	h = msg_resp_get_header(&resp, "Retry-After");
	TAP_OK(resp.status == 503 && strcmp(out.reason,
	    "unexpected_verify_error") == 0 && h != NULL &&
	    strcmp(h, "5") == 0 && row_state(3, NULL, 0) == -1,
	    "/verify unanswered: 503, Retry-After 5, the claim dropped");
	msg_resp_free(&resp);
	fac_calls(&v, &st);
	TAP_OK(v == v0 + 3 && st == s0, "unproven: three /verify, no /settle");
	fac.verify_body = "{\"isValid\":true}";
}

static void
test_paid(void)
{
	cJSON	*o = the_offer();
	time_t	 now = time(NULL);

	TAP_OK(o != NULL, "the 402 offers a payment");
	if (o == NULL)
		return;
	test_paid_settle_replay(o, now);
	test_paid_windows(o, now);
	test_paid_unproven(o, now);
	cJSON_Delete(o);
}

int
main(void)
{
	pthread_t	 th;

	hermetic();
	if (fac_start(&th) == -1 || setup() == -1)
		return 2;
	test_options();
	test_get();
	test_methods_and_paths();
	test_refused_before_402();
	test_unpaid();
	test_price_of_request();
	test_garbage_payment();
	test_paid();
	teardown();
	shutdown(fac.fd, SHUT_RDWR);
	close(fac.fd);
	pthread_join(th, NULL);
	return tap_done();
}
