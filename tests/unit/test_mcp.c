/*
 * mcp: mcp_handle as a pure function, no socket.  A real configuration
 * from a temp file (base-sepolia, ledger in a temp dir, no provider keys),
 * then the transport checks (path, Origin, methods, Content-Type, Accept,
 * MCP-Protocol-Version), the JSON-RPC framing (parse errors, batches,
 * notifications, unknown methods, ids echoed) and the MCP methods:
 * initialize, ping, tools/list (every definition, its input schema) and
 * tools/call (bad arguments, the 402 as a tool result with the same
 * accepts the endpoint's flow offers, a refused payment).
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
#include "serve/mcp.h"
#include "basics/msg.h"
#include "hermetic.h"
#include "tap.h"

#define PAY_TO		"0x70997970C51812dc3A010C7d01b50e0d17dc79C8"
#define PUBLIC		"https://sf.example"

static char	 dir[] = "/tmp/sf-mcp-XXXXXX";

static void
req_post(struct msg_req *r, const char *body)
{
	memset(r, 0, sizeof(*r));
	r->method = "POST";
	r->path = MCP_PATH;
	r->query = "";
	r->remote_addr = "127.0.0.1";
	r->user_agent = "test_mcp";
	r->content_type = "application/json";
	r->accept = "application/json, text/event-stream";
	r->body = body;
	r->body_len = strlen(body);
}

/* mcp_handle, its body as JSON (NULL if none), the outcome consistent. */
static cJSON *
call(const struct mcp_ctx *ctx, const struct msg_req *req,
    struct msg_resp *resp, struct flow_outcome *out)
{
	msg_resp_init(resp);
	memset(out, 0xa5, sizeof(*out));
	mcp_handle(ctx, req, resp, out);
	TAP_OK(out->status == resp->status, "out.status = %d", resp->status);
	if (resp->body_len == 0)
		return NULL;
	return cJSON_ParseWithLength(resp->body, resp->body_len);
}

/* One POST of body: status and parsed body; the response is freed. */
static cJSON *
post(const struct mcp_ctx *ctx, const char *body, int *status)
{
	struct msg_req		 req;
	struct msg_resp		 resp;
	struct flow_outcome	 out;
	cJSON			*j;

	req_post(&req, body);
	j = call(ctx, &req, &resp, &out);
	*status = resp.status;
	msg_resp_free(&resp);
	return j;
}

static int
rpc_code(const cJSON *j)
{
	const cJSON *c = cJSON_GetObjectItemCaseSensitive(
	    cJSON_GetObjectItemCaseSensitive(j, "error"), "code");

	return cJSON_IsNumber(c) ? c->valueint : 0;
}

static const cJSON *
path(const cJSON *j, const char *a, const char *b)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(j, a);

	return b != NULL ? cJSON_GetObjectItemCaseSensitive(v, b) : v;
}

/* The 402 header of the endpoint's own flow for the same body. */
static cJSON *
http_402(const struct flow_ctx *fc, const char *body)
{
	struct msg_req		 req;
	struct msg_resp		 resp;
	unsigned char		*raw;
	size_t			 len;
	const char		*h;
	cJSON			*j = NULL;

	memset(&req, 0, sizeof(req));
	req.method = "POST";
	req.path = fc->ep->path;
	req.query = "";
	req.content_type = "application/json";
	req.body = body;
	req.body_len = strlen(body);
	msg_resp_init(&resp);
	flow_handle(fc, &req, &resp, NULL);
	if ((h = msg_resp_get_header(&resp, "PAYMENT-REQUIRED")) != NULL &&
	    (raw = b64_decode(h, &len)) != NULL) {
		j = cJSON_ParseWithLength((const char *)raw, len);
		free(raw);
	}
	msg_resp_free(&resp);
	return j;
}

static void
test_transport(const struct mcp_ctx *ctx)
{
	struct msg_req		 req;
	struct msg_resp		 resp;
	struct flow_outcome	 out;
	cJSON			*j;
	const char		*ping = "{\"jsonrpc\":\"2.0\",\"id\":1,"
	    "\"method\":\"ping\"}";

	req_post(&req, ping);
	req.path = "/mcpx";
	j = call(ctx, &req, &resp, &out);
	TAP_OK(resp.status == 404, "foreign path: 404");
	TAP_OK(cJSON_IsObject(path(j, "error", "code")) == 0 &&
	    cJSON_IsString(path(j, "error", "code")), "foreign path: our "
	    "error shape");
	cJSON_Delete(j);
	msg_resp_free(&resp);

	req_post(&req, ping);
	req.method = "GET";
	j = call(ctx, &req, &resp, &out);
	TAP_OK(resp.status == 405, "GET: 405 (no SSE stream)");
	TAP_STREQ(msg_resp_get_header(&resp, "Allow"), "POST, OPTIONS",
	    "GET: Allow");
	TAP_OK(rpc_code(j) == -32000, "GET: JSON-RPC error body");
	cJSON_Delete(j);
	msg_resp_free(&resp);

	req_post(&req, ping);
	req.method = "DELETE";
	j = call(ctx, &req, &resp, &out);
	TAP_OK(resp.status == 405, "DELETE: 405 (no sessions)");
	cJSON_Delete(j);
	msg_resp_free(&resp);
}

/* Browser origins: ours and MCP_ORIGINS' pass, others are refused. */
static void
test_origins(const struct mcp_ctx *ctx)
{
	struct msg_req		 req;
	struct msg_resp		 resp;
	struct flow_outcome	 out;
	cJSON			*j;
	const char		*ping = "{\"jsonrpc\":\"2.0\",\"id\":1,"
	    "\"method\":\"ping\"}";

	req_post(&req, ping);
	req.method = "OPTIONS";
	req.origin = PUBLIC;
	j = call(ctx, &req, &resp, &out);
	TAP_OK(resp.status == 204, "OPTIONS from our origin: 204");
	TAP_STREQ(msg_resp_get_header(&resp, "Access-Control-Allow-Origin"),
	    PUBLIC, "OPTIONS: origin echoed");
	TAP_OK(msg_resp_get_header(&resp, "Access-Control-Allow-Headers")
	    != NULL && strstr(msg_resp_get_header(&resp,
	    "Access-Control-Allow-Headers"), "MCP-Protocol-Version") != NULL,
	    "OPTIONS: MCP-Protocol-Version allowed");
	cJSON_Delete(j);
	msg_resp_free(&resp);

	req_post(&req, ping);
	req.origin = "https://evil.example";
	j = call(ctx, &req, &resp, &out);
	TAP_OK(resp.status == 403, "foreign Origin: 403");
	TAP_OK(msg_resp_get_header(&resp, "Access-Control-Allow-Origin") ==
	    NULL, "foreign Origin: no CORS grant");
	cJSON_Delete(j);
	msg_resp_free(&resp);

	req_post(&req, ping);
	req.origin = "https://tools.example";
	j = call(ctx, &req, &resp, &out);
	TAP_OK(resp.status == 200, "Origin listed in MCP_ORIGINS: 200");
	cJSON_Delete(j);
	msg_resp_free(&resp);
}

/* Content-Type, Accept, MCP-Protocol-Version and the body cap. */
static void
test_headers(const struct mcp_ctx *ctx)
{
	struct msg_req		 req;
	struct msg_resp		 resp;
	struct flow_outcome	 out;
	cJSON			*j;
	const char		*ping = "{\"jsonrpc\":\"2.0\",\"id\":1,"
	    "\"method\":\"ping\"}";

	req_post(&req, ping);
	req.content_type = "text/plain";
	j = call(ctx, &req, &resp, &out);
	TAP_OK(resp.status == 415, "Content-Type text/plain: 415");
	cJSON_Delete(j);
	msg_resp_free(&resp);

	req_post(&req, ping);
	req.content_type = "Application/JSON; charset=utf-8";
	j = call(ctx, &req, &resp, &out);
	TAP_OK(resp.status == 200, "Content-Type with charset: 200");
	cJSON_Delete(j);
	msg_resp_free(&resp);

	req_post(&req, ping);
	req.accept = "text/event-stream";
	j = call(ctx, &req, &resp, &out);
	TAP_OK(resp.status == 406, "Accept text/event-stream only: 406");
	cJSON_Delete(j);
	msg_resp_free(&resp);

	req_post(&req, ping);
	req.accept = NULL;
	j = call(ctx, &req, &resp, &out);
	TAP_OK(resp.status == 200, "no Accept: 200");
	cJSON_Delete(j);
	msg_resp_free(&resp);

	req_post(&req, ping);
	req.mcp_version = "2025-06-18";
	j = call(ctx, &req, &resp, &out);
	TAP_OK(resp.status == 200, "MCP-Protocol-Version 2025-06-18: 200");
	cJSON_Delete(j);
	msg_resp_free(&resp);

	req_post(&req, ping);
	req.mcp_version = "1999-01-01";
	j = call(ctx, &req, &resp, &out);
	TAP_OK(resp.status == 400 && rpc_code(j) == -32000,
	    "unknown MCP-Protocol-Version: 400");
	cJSON_Delete(j);
	msg_resp_free(&resp);

	req_post(&req, ping);
	req.body_too_large = 1;
	req.body_len = 0;
	j = call(ctx, &req, &resp, &out);
	TAP_OK(resp.status == 413, "body over the cap: 413");
	cJSON_Delete(j);
	msg_resp_free(&resp);
}

static void
test_framing(const struct mcp_ctx *ctx)
{
	cJSON	*j;
	int	 st;

	j = post(ctx, "{\"jsonrpc\":\"2.0\",\"id\":1,", &st);
	TAP_OK(st == 400 && rpc_code(j) == -32700, "truncated JSON: -32700");
	TAP_OK(cJSON_IsNull(path(j, "id", NULL)), "parse error: id null");
	cJSON_Delete(j);
	j = post(ctx, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"} x",
	    &st);
	TAP_OK(st == 400 && rpc_code(j) == -32700, "trailing garbage: -32700");
	cJSON_Delete(j);
	j = post(ctx, "[{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"}]",
	    &st);
	TAP_OK(st == 400 && rpc_code(j) == -32600, "batch: -32600");
	cJSON_Delete(j);
	j = post(ctx, "{\"id\":1,\"method\":\"ping\"}", &st);
	TAP_OK(st == 400 && rpc_code(j) == -32600, "no jsonrpc: -32600");
	cJSON_Delete(j);
	j = post(ctx, "{\"jsonrpc\":\"2.0\",\"id\":{},\"method\":\"ping\"}",
	    &st);
	TAP_OK(st == 400 && rpc_code(j) == -32600, "object id: -32600");
	cJSON_Delete(j);
	j = post(ctx, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":7}", &st);
	TAP_OK(st == 400 && rpc_code(j) == -32600, "numeric method: -32600");
	cJSON_Delete(j);
	j = post(ctx, "{\"jsonrpc\":\"2.0\",\"method\":"
	    "\"notifications/initialized\"}", &st);
	TAP_OK(st == 202 && j == NULL, "notifications/initialized: 202, "
	    "no body");
	cJSON_Delete(j);
	j = post(ctx, "{\"jsonrpc\":\"2.0\",\"id\":\"s1\",\"result\":{}}", &st);
	TAP_OK(st == 202 && j == NULL, "a client response: 202");
	cJSON_Delete(j);
	j = post(ctx, "{\"jsonrpc\":\"2.0\",\"id\":\"abc\",\"method\":"
	    "\"resources/list\"}", &st);
	TAP_OK(st == 200 && rpc_code(j) == -32601, "unknown method: -32601");
	TAP_STREQ(cJSON_GetStringValue(path(j, "id", NULL)), "abc",
	    "string id echoed");
	cJSON_Delete(j);
	j = post(ctx, "{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"tools/list\","
	    "\"params\":[]}", &st);
	TAP_OK(st == 200 && rpc_code(j) == -32602, "array params: -32602");
	cJSON_Delete(j);
	j = post(ctx, "{\"jsonrpc\":\"2.0\",\"id\":42,\"method\":\"ping\"}",
	    &st);
	TAP_OK(st == 200 && cJSON_IsObject(path(j, "result", NULL)) &&
	    cJSON_GetArraySize(path(j, "result", NULL)) == 0, "ping: {}");
	TAP_OK(cJSON_IsNumber(path(j, "id", NULL)) &&
	    path(j, "id", NULL)->valueint == 42, "numeric id echoed");
	TAP_STREQ(cJSON_GetStringValue(path(j, "jsonrpc", NULL)), "2.0",
	    "jsonrpc 2.0");
	cJSON_Delete(j);
}

static void
test_initialize(const struct mcp_ctx *ctx)
{
	cJSON	*j;
	int	 st;

	j = post(ctx, "{\"jsonrpc\":\"2.0\",\"id\":0,\"method\":\"initialize\","
	    "\"params\":{\"protocolVersion\":\"2025-06-18\",\"capabilities\":"
	    "{},\"clientInfo\":{\"name\":\"t\",\"version\":\"1\"}}}", &st);
	TAP_OK(st == 200, "initialize: 200");
	TAP_STREQ(cJSON_GetStringValue(path(path(j, "result", NULL),
	    "protocolVersion", NULL)), "2025-06-18",
	    "initialize: a version we speak is echoed");
	TAP_OK(cJSON_IsFalse(path(path(path(j, "result", NULL),
	    "capabilities", NULL), "tools", "listChanged")),
	    "initialize: tools capability, listChanged false");
	TAP_STREQ(cJSON_GetStringValue(path(path(j, "result", NULL),
	    "serverInfo", "name")), "synthforge", "initialize: serverInfo");
	cJSON_Delete(j);
	j = post(ctx, "{\"jsonrpc\":\"2.0\",\"id\":0,\"method\":\"initialize\","
	    "\"params\":{\"protocolVersion\":\"2099-01-01\"}}", &st);
	TAP_STREQ(cJSON_GetStringValue(path(path(j, "result", NULL),
	    "protocolVersion", NULL)), MCP_PROTOCOL_LATEST,
	    "initialize: an unknown version gets our latest");
	cJSON_Delete(j);
	j = post(ctx, "{\"jsonrpc\":\"2.0\",\"id\":0,\"method\":\"initialize\"}",
	    &st);
	TAP_OK(rpc_code(j) == -32602, "initialize without params: -32602");
	cJSON_Delete(j);
}

static void
test_tools_list(const struct mcp_ctx *ctx)
{
	const struct def_entry	*e;
	const cJSON		*tools, *t, *in;
	cJSON			*j;
	size_t			 n = 0, found = 0, good = 0, video = 0;
	size_t			 jobs = 0;
	int			 st;

	/* No provider key, a testnet: video has no offline stand-in, so
	   every video call is refused and no video tool is offered. */
	j = post(ctx, "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"tools/list\","
	    "\"params\":{}}", &st);
	tools = path(path(j, "result", NULL), "tools", NULL);
	TAP_OK(st == 200 && cJSON_IsArray(tools), "tools/list: array");
	for (e = def_table; e->ep != NULL; e++) {
		if (e->ep->media != NULL && strcmp(e->ep->media, "video") == 0) {
			cJSON_ArrayForEach(t, tools)
				if (strcmp(cJSON_GetStringValue(path(t, "name",
				    NULL)) ? cJSON_GetStringValue(path(t, "name",
				    NULL)) : "", e->ep->name) == 0)
					video++;
			continue;
		}
		n++;
		cJSON_ArrayForEach(t, tools) {
			if (strcmp(cJSON_GetStringValue(path(t, "name", NULL)) ?
			    cJSON_GetStringValue(path(t, "name", NULL)) : "",
			    e->ep->name) != 0)
				continue;
			found++;
			in = path(t, "inputSchema", NULL);
			if (cJSON_IsObject(in) &&
			    strcmp(cJSON_GetStringValue(path(in, "type", NULL)) ?
			    cJSON_GetStringValue(path(in, "type", NULL)) : "",
			    "object") == 0 &&
			    !cJSON_HasObjectItem(in, "$schema") &&
			    cJSON_IsObject(path(in, "properties", NULL)) &&
			    cJSON_IsString(path(t, "description", NULL)) &&
			    strchr(path(t, "description", NULL)->valuestring,
			    '$') != NULL)
				good++;
		}
	}
	/* And the two free job tools, get_job and cancel_job. */
	cJSON_ArrayForEach(t, tools)
		jobs += strcmp(cJSON_GetStringValue(path(t, "name", NULL)) ?
		    cJSON_GetStringValue(path(t, "name", NULL)) : "",
		    "get_job") == 0 || strcmp(cJSON_GetStringValue(path(t,
		    "name", NULL)) ? cJSON_GetStringValue(path(t, "name",
		    NULL)) : "", "cancel_job") == 0;
	TAP_OK(cJSON_GetArraySize(tools) == (int)n + 2 && found == n &&
	    video == 0 && jobs == 2, "tools/list without FAL_KEY: one tool "
	    "per definition but video (%zu), get_job and cancel_job", n);
	TAP_OK(good == n, "tools/list: object inputSchema without $schema, "
	    "description with the price");
	cJSON_Delete(j);

	/* With the key the video tools are back: one per definition. */
	setenv("FAL_KEY", "test-fal-key", 1);
	j = post(ctx, "{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"tools/list\","
	    "\"params\":{}}", &st);
	unsetenv("FAL_KEY");
	tools = path(path(j, "result", NULL), "tools", NULL);
	for (n = 0, e = def_table; e->ep != NULL; e++)
		n++;
	TAP_OK(st == 200 && cJSON_GetArraySize(tools) == (int)n + 2,
	    "tools/list with FAL_KEY: one tool per definition (%zu) and the "
	    "two job tools", n);
	cJSON_Delete(j);
}

static void
test_tools_call(const struct mcp_ctx *ctx)
{
	const cJSON		*r, *sc, *txt;
	cJSON			*j, *text;
	int			 st;

	j = post(ctx, "{\"jsonrpc\":\"2.0\",\"id\":5,\"method\":\"tools/call\","
	    "\"params\":{\"name\":\"no-such-tool\",\"arguments\":{}}}", &st);
	TAP_OK(st == 200 && rpc_code(j) == -32602, "unknown tool: -32602");
	cJSON_Delete(j);
	j = post(ctx, "{\"jsonrpc\":\"2.0\",\"id\":5,\"method\":\"tools/call\","
	    "\"params\":{\"name\":\"image-generate\",\"arguments\":[1]}}", &st);
	TAP_OK(rpc_code(j) == -32602, "array arguments: -32602");
	cJSON_Delete(j);
	j = post(ctx, "{\"jsonrpc\":\"2.0\",\"id\":5,\"method\":\"tools/call\","
	    "\"params\":{\"name\":\"image-generate\",\"arguments\":{\"prompt\":"
	    "\"x\"},\"_meta\":{\"x402/payment\":\"abc\"}}}", &st);
	TAP_OK(rpc_code(j) == -32602, "string x402/payment: -32602");
	cJSON_Delete(j);

	/* Validation refuses before any payment: our error JSON. */
	j = post(ctx, "{\"jsonrpc\":\"2.0\",\"id\":6,\"method\":\"tools/call\","
	    "\"params\":{\"name\":\"image-generate\",\"arguments\":{\"prompt\":"
	    "\"x\",\"width\":\"wide\"}}}", &st);
	r = path(j, "result", NULL);
	TAP_OK(st == 200 && cJSON_IsTrue(path(r, "isError", NULL)),
	    "bad arguments: a tool result with isError");
	sc = path(r, "structuredContent", NULL);
	TAP_STREQ(cJSON_GetStringValue(path(path(sc, "error", NULL), "field",
	    NULL)), "width", "bad arguments: error.field names width");
	txt = path(cJSON_GetArrayItem(path(r, "content", NULL), 0), "text",
	    NULL);
	text = cJSON_IsString(txt) ? cJSON_Parse(txt->valuestring) : NULL;
	TAP_OK(text != NULL && cJSON_Compare(text, sc, 1),
	    "bad arguments: content[0].text is the same JSON");
	cJSON_Delete(text);
	cJSON_Delete(j);
}

/* A tool call without a payment, or with one that is none. */
static void
test_tools_call_unpaid(const struct mcp_ctx *ctx)
{
	const struct flow_ctx	*fc = NULL;
	const cJSON		*r, *sc, *txt;
	cJSON			*j, *want, *got;
	size_t			 i;
	int			 st;

	for (i = 0; i < ctx->nflows; i++)
		if (strcmp(ctx->flows[i].ep->name, "image-generate") == 0)
			fc = &ctx->flows[i];
	if (fc == NULL) {
		TAP_OK(0, "image-generate among the flows");
		return;
	}

	/* No payment: the PaymentRequired of the HTTP 402 for this body. */
	j = post(ctx, "{\"jsonrpc\":\"2.0\",\"id\":7,\"method\":\"tools/call\","
	    "\"params\":{\"name\":\"image-generate\",\"arguments\":{\"prompt\":"
	    "\"a fox\"}}}", &st);
	r = path(j, "result", NULL);
	sc = path(r, "structuredContent", NULL);
	TAP_OK(st == 200 && cJSON_IsTrue(path(r, "isError", NULL)),
	    "no payment: isError");
	TAP_OK(cJSON_IsNumber(path(sc, "x402Version", NULL)) &&
	    path(sc, "x402Version", NULL)->valueint == 2,
	    "no payment: x402Version 2");
	TAP_STREQ(cJSON_GetStringValue(path(sc, "error", NULL)),
	    "payment_required", "no payment: error payment_required");
	want = http_402(fc, "{\"prompt\":\"a fox\"}");
	TAP_OK(want != NULL && cJSON_Compare(path(want, "accepts", NULL),
	    path(sc, "accepts", NULL), 1), "no payment: the HTTP 402's accepts");
	TAP_OK(want != NULL && cJSON_Compare(path(want, "resource", NULL),
	    path(sc, "resource", NULL), 1), "no payment: the same resource");
	cJSON_Delete(want);
	txt = path(cJSON_GetArrayItem(path(r, "content", NULL), 0), "text",
	    NULL);
	got = cJSON_IsString(txt) ? cJSON_Parse(txt->valuestring) : NULL;
	TAP_OK(got != NULL && cJSON_Compare(got, sc, 1),
	    "no payment: content[0].text is the PaymentRequired");
	cJSON_Delete(got);
	cJSON_Delete(j);

	/* A payment that is no payment: refused with its reason. */
	j = post(ctx, "{\"jsonrpc\":\"2.0\",\"id\":8,\"method\":\"tools/call\","
	    "\"params\":{\"name\":\"image-generate\",\"arguments\":{\"prompt\":"
	    "\"a fox\"},\"_meta\":{\"x402/payment\":{\"x402Version\":2}}}}",
	    &st);
	r = path(j, "result", NULL);
	sc = path(r, "structuredContent", NULL);
	TAP_OK(cJSON_IsTrue(path(r, "isError", NULL)) &&
	    cJSON_IsArray(path(sc, "accepts", NULL)),
	    "bad payment: PaymentRequired again");
	TAP_OK(cJSON_IsString(path(sc, "error", NULL)) &&
	    strcmp(path(sc, "error", NULL)->valuestring,
	    "payment_required") != 0, "bad payment: the reason (%s)",
	    cJSON_GetStringValue(path(sc, "error", NULL)));
	cJSON_Delete(j);
}

int
main(void)
{
	struct mcp_ctx	 ctx;
	struct sf_err	 err;
	struct cfg	*cfg;
	char		 conf[700], db[700], text[1600];
	FILE		*f;

	hermetic();
	if (mkdtemp(dir) == NULL) {
		perror("mkdtemp");
		return 2;
	}
	snprintf(conf, sizeof(conf), "%s/synthforge.conf", dir);
	snprintf(db, sizeof(db), "%s/ledger.db", dir);
	snprintf(text, sizeof(text), "# test_mcp\nPAY_TO=%s\nDB=%s\n"
	    "NETWORKS=base-sepolia\nPUBLIC_URL=%s/\nMEDIA_DIR=%s/media\n"
	    "MCP_ORIGINS=https://other.example, https://tools.example\n",
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
	if (mcp_init(&ctx, cfg, &err) == -1) {
		printf("Bail out! mcp_init: %s\n", err.message);
		cfg_free(cfg);
		return 2;
	}
	TAP_STREQ(ctx.origin, PUBLIC, "our origin from PUBLIC_URL");
	TAP_CASE_ARGS(test_transport, &ctx);
	TAP_CASE_ARGS(test_origins, &ctx);
	TAP_CASE_ARGS(test_headers, &ctx);
	TAP_CASE_ARGS(test_framing, &ctx);
	TAP_CASE_ARGS(test_initialize, &ctx);
	TAP_CASE_ARGS(test_tools_list, &ctx);
	TAP_CASE_ARGS(test_tools_call, &ctx);
	TAP_CASE_ARGS(test_tools_call_unpaid, &ctx);
	mcp_fini(&ctx);
	cfg_free(cfg);
	unlink(db);
	snprintf(text, sizeof(text), "rm -rf '%s'", dir);
	if (system(text) != 0)
		printf("# could not remove %s\n", dir);
	return tap_done();
}
