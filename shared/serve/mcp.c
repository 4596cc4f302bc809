/*
 * MCP over Streamable HTTP, stateless, JSON responses (mcp.h).  JSON-RPC
 * framing and the MCP methods here; the tools are the endpoints' flows,
 * called in process with a msg_req built from the tool call, so nothing
 * about payment is decided twice.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <cjson/cJSON.h>

#include "basics/b64.h"
#include "basics/buf.h"
#include "basics/cfg.h"
#include "basics/def.h"
#include "basics/err.h"
#include "flow/flow.h"
#include "providers/route.h"
#include "serve/mcp.h"
#include "basics/msg.h"
#include "validate/schema.h"
#include "validate/val_json.h"

/* JSON-RPC 2.0 error codes; -32000 for transport-level refusals, as the
   reference SDKs answer them. */
#define RPC_PARSE_ERROR		-32700
#define RPC_INVALID_REQUEST	-32600
#define RPC_METHOD_NOT_FOUND	-32601
#define RPC_INVALID_PARAMS	-32602
#define RPC_SERVER_ERROR	-32000

/* Revisions whose Streamable HTTP we speak, newest first. */
static const char *const mcp_versions[] = {
	MCP_PROTOCOL_LATEST, "2025-06-18", "2025-03-26", "2024-11-05", NULL,
};

static const char mcp_oom_body[] = "{\"jsonrpc\":\"2.0\",\"id\":null,"
    "\"error\":{\"code\":-32603,\"message\":\"out of memory\"}}";

static void
mcp_oom(struct msg_resp *resp)
{
	if (msg_resp_body(resp, 500, "application/json", mcp_oom_body,
	    sizeof(mcp_oom_body) - 1) == -1)
		resp->status = 500;
}

/* Send msg (taken) as the body. */
static void
mcp_send(struct msg_resp *resp, int status, cJSON *msg)
{
	if (msg == NULL || msg_resp_json(resp, status, msg) == -1)
		mcp_oom(resp);
	cJSON_Delete(msg);
}

static cJSON *
mcp_envelope(const cJSON *id)
{
	cJSON	*m, *i;

	if ((m = cJSON_CreateObject()) == NULL)
		return NULL;
	i = id != NULL ? cJSON_Duplicate(id, 1) : cJSON_CreateNull();
	if (cJSON_AddStringToObject(m, "jsonrpc", "2.0") == NULL ||
	    !cJSON_AddItemToObject(m, "id", i)) {
		cJSON_Delete(i);
		cJSON_Delete(m);
		return NULL;
	}
	return m;
}

static void
mcp_error(struct msg_resp *resp, int status, const cJSON *id, int code,
    const char *fmt, ...) __attribute__((format(printf, 5, 6)));

static void
mcp_error(struct msg_resp *resp, int status, const cJSON *id, int code,
    const char *fmt, ...)
{
	va_list	 ap;
	cJSON	*m, *e;
	char	 msg[512];

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if ((m = mcp_envelope(id)) != NULL &&
	    ((e = cJSON_AddObjectToObject(m, "error")) == NULL ||
	    cJSON_AddNumberToObject(e, "code", code) == NULL ||
	    cJSON_AddStringToObject(e, "message", msg) == NULL)) {
		cJSON_Delete(m);
		m = NULL;
	}
	mcp_send(resp, status, m);
}

/* 200 with result (taken). */
static void
mcp_result(struct msg_resp *resp, const cJSON *id, cJSON *result)
{
	cJSON	*m;

	if (result == NULL || (m = mcp_envelope(id)) == NULL) {
		cJSON_Delete(result);
		mcp_oom(resp);
		return;
	}
	if (!cJSON_AddItemToObject(m, "result", result)) {
		cJSON_Delete(result);
		cJSON_Delete(m);
		m = NULL;
	}
	mcp_send(resp, 200, m);
}

/* Whether the header's media type (parameters ignored) is type. */
static int
mcp_media_is(const char *h, const char *type)
{
	size_t	 n;

	if (h == NULL)
		return 0;
	while (*h == ' ' || *h == '\t')
		h++;
	n = strcspn(h, ";");
	while (n > 0 && (h[n - 1] == ' ' || h[n - 1] == '\t'))
		n--;
	return n == strlen(type) && strncasecmp(h, type, n) == 0;
}

/*
 * Clients send "application/json, text/event-stream"; we only ever answer
 * JSON, so any Accept that allows it will do, and none at all too.
 */
static int
mcp_accepts_json(const char *accept)
{
	char	 range[128];
	size_t	 n;

	if (accept == NULL || *accept == '\0')
		return 1;
	while (*accept != '\0') {
		n = strcspn(accept, ",");
		if (n < sizeof(range)) {
			memcpy(range, accept, n);
			range[n] = '\0';
			if (mcp_media_is(range, "application/json") ||
			    mcp_media_is(range, "application/*") ||
			    mcp_media_is(range, "*/*"))
				return 1;
		}
		accept += n;
		if (*accept == ',')
			accept++;
	}
	return 0;
}

static int
mcp_version_known(const char *v)
{
	const char *const	*p;

	for (p = mcp_versions; *p != NULL; p++)
		if (strcmp(*p, v) == 0)
			return 1;
	return 0;
}

/*
 * DNS rebinding guard (transport spec: servers must validate Origin).
 * Requests without Origin are not from a browser page; ours is always
 * allowed; others only when listed in MCP_ORIGINS.
 */
static int
mcp_origin_ok(const struct mcp_ctx *ctx, const char *origin)
{
	const char	*p;
	size_t		 n, ol;

	if (origin == NULL || strcasecmp(origin, ctx->origin) == 0)
		return 1;
	if (ctx->origins == NULL)
		return 0;
	ol = strlen(origin);
	for (p = ctx->origins; *p != '\0'; ) {
		while (*p == ' ' || *p == ',')
			p++;
		n = strcspn(p, ", ");
		if ((n == 1 && *p == '*') ||
		    (n == ol && n > 0 && strncasecmp(p, origin, n) == 0))
			return 1;
		p += n;
	}
	return 0;
}

static void
mcp_cors(const struct mcp_ctx *ctx, const struct msg_req *req,
    struct msg_resp *resp)
{
	msg_resp_header(resp, "Vary", "Origin");
	if (req->origin != NULL && mcp_origin_ok(ctx, req->origin))
		msg_resp_header(resp, "Access-Control-Allow-Origin",
		    req->origin);
}

/* ---- tools ------------------------------------------------------------ */

static cJSON *
mcp_tool(const struct def_endpoint *ep)
{
	cJSON		*t, *in;
	char		 desc[1024], a[32], b[32], range[80];
	uint64_t	 lo, hi;
	size_t		 n;

	def_price_range(ep, &lo, &hi);
	def_usd(lo, a, sizeof(a));
	def_usd(hi, b, sizeof(b));
	if (lo == hi)
		snprintf(range, sizeof(range), "$%s", a);
	else
		snprintf(range, sizeof(range), "$%s\xe2\x80\x93$%s", a, b);
	n = strlen(ep->summary);
	snprintf(desc, sizeof(desc), "%s%s %s per %s in USDC, paid with x402 "
	    "(params._meta[\"x402/payment\"]).", ep->summary,
	    n > 0 && ep->summary[n - 1] == '.' ? "" : ".", range,
	    ep->price_per != NULL ? ep->price_per : "call");
	t = cJSON_CreateObject();
	in = schema_input(ep);
	if (t == NULL || in == NULL)
		goto fail;
	/* Draft 2020-12 is MCP's default dialect; older clients choke on
	   the $schema keyword, and it says nothing new. */
	cJSON_DeleteItemFromObjectCaseSensitive(in, "$schema");
	if (cJSON_AddStringToObject(t, "name", ep->name) == NULL ||
	    cJSON_AddStringToObject(t, "title", ep->title) == NULL ||
	    cJSON_AddStringToObject(t, "description", desc) == NULL ||
	    !cJSON_AddItemToObject(t, "inputSchema", in))
		goto fail;
	/*
	 * No outputSchema: outputs a run did not produce are left out
	 * (flow_shape), and clients reject a structuredContent that misses
	 * a "required" property of a declared outputSchema.
	 */
	return t;
fail:
	cJSON_Delete(in);
	cJSON_Delete(t);
	return NULL;
}

/*
 * get_job (0) and cancel_job (1): free, bound to the job's status link
 * (the payer got it with the job).
 */
static cJSON *
mcp_job_tool(int cancel)
{
	cJSON	*t, *in, *props, *p;

	if ((t = cJSON_CreateObject()) == NULL)
		return NULL;
	cJSON_AddStringToObject(t, "name", cancel ? "cancel_job" : "get_job");
	cJSON_AddStringToObject(t, "title", cancel ? "Cancel a job" :
	    "Read a job");
	cJSON_AddStringToObject(t, "description", cancel ? "Free.  Cancel a "
	    "job (a paid tool that ran as a job) before its work ends: "
	    "nothing is charged.  Give its status_url (or job_id and token)." :
	    "Free.  The status of a job (a paid tool that ran as a job): "
	    "queued, running, succeeded (with the result and the settlement), "
	    "failed or cancelled (not charged).  Give its status_url (or "
	    "job_id and token); poll again after retry_after seconds.");
	in = cJSON_AddObjectToObject(t, "inputSchema");
	cJSON_AddStringToObject(in, "type", "object");
	props = cJSON_AddObjectToObject(in, "properties");
	p = cJSON_AddObjectToObject(props, "status_url");
	cJSON_AddStringToObject(p, "type", "string");
	cJSON_AddStringToObject(p, "description", "The job's status_url, "
	    "as the paid call returned it (it carries the token).");
	p = cJSON_AddObjectToObject(props, "job_id");
	cJSON_AddStringToObject(p, "type", "string");
	cJSON_AddStringToObject(p, "description", "The job's id.");
	p = cJSON_AddObjectToObject(props, "token");
	cJSON_AddStringToObject(p, "type", "string");
	cJSON_AddStringToObject(p, "description", "The token of its "
	    "status_url.");
	cJSON_AddBoolToObject(in, "additionalProperties", 0);
	return t;
}

static cJSON *
mcp_tools_list(const struct mcp_ctx *ctx)
{
	cJSON	*r, *arr, *t;
	size_t	 i;
	char	 why[160];

	if ((r = cJSON_CreateObject()) == NULL ||
	    (arr = cJSON_AddArrayToObject(r, "tools")) == NULL)
		goto fail;
	for (i = 0; i < 2; i++)
		if ((t = mcp_job_tool(i)) == NULL ||
		    !cJSON_AddItemToArray(arr, t)) {
			cJSON_Delete(t);
			goto fail;
		}
	for (i = 0; i < ctx->nflows; i++) {
		/* A tool every call of which the flow refuses (no provider
		   key; video has no offline stand-in) is not offered: an
		   agent would pick it and fail.  tools/call still answers
		   for it, with the flow's error. */
		if (!route_ep_usable(ctx->cfg, ctx->flows[i].ep, why,
		    sizeof(why)))
			continue;
		if ((t = mcp_tool(ctx->flows[i].ep)) == NULL)
			goto fail;
		if (!cJSON_AddItemToArray(arr, t)) {
			cJSON_Delete(t);
			goto fail;
		}
	}
	return r;
fail:
	cJSON_Delete(r);
	return NULL;
}

/* A base64 JSON header of the flow's response, decoded; NULL if none. */
static cJSON *
mcp_header_json(const struct msg_resp *r, const char *name)
{
	const char	*h;
	unsigned char	*raw;
	size_t		 len;
	cJSON		*j;

	if ((h = msg_resp_get_header(r, name)) == NULL ||
	    (raw = b64_decode(h, &len)) == NULL)
		return NULL;
	j = cJSON_ParseWithLength((const char *)raw, len);
	free(raw);
	return j;
}

static cJSON *
mcp_settlement(const struct msg_resp *r)
{
	cJSON	*j;

	if ((j = mcp_header_json(r, "PAYMENT-RESPONSE")) == NULL)
		j = mcp_header_json(r, "X-PAYMENT-RESPONSE");
	return j;
}

/* content: [{type:"text", text}] */
static int
mcp_text(cJSON *result, const char *text)
{
	cJSON	*arr, *c;

	if ((arr = cJSON_AddArrayToObject(result, "content")) == NULL ||
	    (c = cJSON_CreateObject()) == NULL)
		return -1;
	if (!cJSON_AddItemToArray(arr, c) ||
	    cJSON_AddStringToObject(c, "type", "text") == NULL ||
	    cJSON_AddStringToObject(c, "text", text) == NULL)
		return -1;
	return 0;
}

/*
 * The tool result for the flow's answer.  200: the endpoint's JSON as
 * structuredContent and text, the settlement in _meta.  402: the v2
 * PaymentRequired the HTTP 402 carries (its error is the reason), plus
 * the failed settlement when there was one (x402 MCP transport).  Any
 * other status: our error JSON.  The last two with isError.
 */
static cJSON *
mcp_tool_result(const struct msg_resp *ir)
{
	cJSON	*r, *sc = NULL, *pr, *meta;
	char	*text = NULL;
	int	 ok = 0, is_error = 1;

	if ((r = cJSON_CreateObject()) == NULL)
		return NULL;
	if (ir->status == 402 &&
	    (sc = mcp_header_json(ir, "PAYMENT-REQUIRED")) != NULL) {
		if ((pr = mcp_settlement(ir)) != NULL &&
		    !cJSON_AddItemToObject(sc, "x402/payment-response", pr)) {
			cJSON_Delete(pr);
			goto out;
		}
		if ((text = cJSON_PrintUnformatted(sc)) == NULL)
			goto out;
	} else {
		if ((text = malloc(ir->body_len + 1)) == NULL)
			goto out;
		if (ir->body_len > 0)
			memcpy(text, ir->body, ir->body_len);
		text[ir->body_len] = '\0';
		sc = cJSON_ParseWithLength(text, ir->body_len);
		if (!cJSON_IsObject(sc)) {
			cJSON_Delete(sc);
			sc = NULL;
		}
		/* 202: the job, at once (a successful result). */
		if ((ir->status == 200 || ir->status == 202) && sc != NULL) {
			is_error = 0;
			if ((pr = mcp_settlement(ir)) != NULL &&
			    ((meta = cJSON_AddObjectToObject(r, "_meta")) ==
			    NULL || !cJSON_AddItemToObject(meta,
			    "x402/payment-response", pr))) {
				cJSON_Delete(pr);
				goto out;
			}
		}
	}
	if (mcp_text(r, text) == -1)
		goto out;
	if (sc != NULL) {
		if (!cJSON_AddItemToObject(r, "structuredContent", sc))
			goto out;
		sc = NULL;
	}
	if (cJSON_AddBoolToObject(r, "isError", is_error) == NULL)
		goto out;
	ok = 1;
out:
	free(text);
	cJSON_Delete(sc);
	if (!ok) {
		cJSON_Delete(r);
		r = NULL;
	}
	return r;
}

/*
 * The job's id and token from the arguments: status_url (".../v1/jobs/ID
 * ?token=T"), or job_id and token.  0, or -1 (none given, or malformed).
 */
static int
mcp_job_args(const cJSON *args, char *id, size_t idsz, char *tok,
    size_t toksz)
{
	const cJSON	*u, *i, *t;
	const char	*p, *q;

	u = cJSON_GetObjectItemCaseSensitive(args, "status_url");
	i = cJSON_GetObjectItemCaseSensitive(args, "job_id");
	t = cJSON_GetObjectItemCaseSensitive(args, "token");
	if (cJSON_IsString(u)) {
		if ((p = strstr(u->valuestring, FLOW_JOBS_PATH "/")) == NULL)
			return -1;
		p += strlen(FLOW_JOBS_PATH "/");
		snprintf(id, idsz, "%.*s", (int)strcspn(p, "?#/"), p);
		if ((q = strstr(p, "?token=")) == NULL &&
		    (q = strstr(p, "&token=")) == NULL)
			return -1;
		q += 7;
		snprintf(tok, toksz, "%.*s", (int)strcspn(q, "&#"), q);
		return 0;
	}
	if (!cJSON_IsString(i) || !cJSON_IsString(t))
		return -1;
	snprintf(id, idsz, "%s", i->valuestring);
	snprintf(tok, toksz, "%s", t->valuestring);
	return 0;
}

/*
 * get_job and cancel_job: the job route (GET or DELETE /v1/jobs/ID?token=
 * T) answered in process, its answer as the tool result: the job, or its
 * error (isError), e.g. another payer's job is not found.
 */
static void
mcp_job_call(const struct mcp_ctx *ctx, const struct msg_req *req,
    const cJSON *id, const cJSON *params, int cancel, struct msg_resp *resp,
    struct flow_outcome *out)
{
	const cJSON		*args;
	struct msg_req		 in;
	struct msg_resp		 ir;
	struct msg_param	 prm;
	char			 jid[128], tok[128], path[256];

	args = cJSON_GetObjectItemCaseSensitive(params, "arguments");
	if (mcp_job_args(args, jid, sizeof(jid), tok, sizeof(tok)) == -1) {
		mcp_error(resp, 200, id, RPC_INVALID_PARAMS, "%s needs "
		    "arguments.status_url (the job's status link) or job_id "
		    "and token", cancel ? "cancel_job" : "get_job");
		return;
	}
	snprintf(path, sizeof(path), "%s/%s", FLOW_JOBS_PATH, jid);
	memset(&prm, 0, sizeof(prm));
	prm.raw_key = "token";
	prm.raw_key_len = 5;
	prm.key = "token";
	prm.value = tok;
	memset(&in, 0, sizeof(in));
	in.method = cancel ? "DELETE" : "GET";
	in.path = path;
	in.query = "";
	in.params = &prm;
	in.nparams = 1;
	in.accept = "application/json";
	in.remote_addr = req->remote_addr;
	in.user_agent = req->user_agent;
	msg_resp_init(&ir);
	flow_jobs_handle(&ctx->jobs, &in, &ir, out);
	snprintf(out->endpoint, sizeof(out->endpoint), "mcp/%s", cancel ?
	    "cancel_job" : "get_job");
	mcp_result(resp, id, mcp_tool_result(&ir));
	msg_resp_free(&ir);
}

/*
 * tools/call: the endpoint's flow on a POST of the arguments, with the
 * payment (if any) as the header the HTTP client would have sent.  issue:
 * what the parse of the message found (val_json.h), NULL when nothing.
 */
static void
mcp_call(const struct mcp_ctx *ctx, const struct msg_req *req,
    const cJSON *id, const cJSON *params, const struct sf_err *issue,
    struct msg_resp *resp, struct flow_outcome *out)
{
	const struct flow_ctx	*fc = NULL;
	const cJSON		*name, *args, *meta, *pay, *ver;
	struct msg_req		 in;
	struct msg_resp		 ir;
	struct buf		 hdr;
	char			*body = NULL, *ps = NULL;
	size_t			 i;

	name = cJSON_GetObjectItemCaseSensitive(params, "name");
	if (!cJSON_IsString(name)) {
		mcp_error(resp, 200, id, RPC_INVALID_PARAMS,
		    "tools/call needs params.name, a string");
		return;
	}
	if (strcmp(name->valuestring, "get_job") == 0 ||
	    strcmp(name->valuestring, "cancel_job") == 0) {
		mcp_job_call(ctx, req, id, params, name->valuestring[0] == 'c',
		    resp, out);
		return;
	}
	for (i = 0; i < ctx->nflows && fc == NULL; i++)
		if (strcmp(ctx->flows[i].ep->name, name->valuestring) == 0)
			fc = &ctx->flows[i];
	if (fc == NULL) {
		mcp_error(resp, 200, id, RPC_INVALID_PARAMS, "unknown tool "
		    "\"%.100s\"; tools/list names them", name->valuestring);
		return;
	}
	args = cJSON_GetObjectItemCaseSensitive(params, "arguments");
	if (args != NULL && !cJSON_IsNull(args) && !cJSON_IsObject(args)) {
		mcp_error(resp, 200, id, RPC_INVALID_PARAMS,
		    "params.arguments must be an object");
		return;
	}
	meta = cJSON_GetObjectItemCaseSensitive(params, "_meta");
	pay = cJSON_IsObject(meta) ?
	    cJSON_GetObjectItemCaseSensitive(meta, "x402/payment") : NULL;
	if (pay != NULL && cJSON_IsNull(pay))
		pay = NULL;
	if (pay != NULL && !cJSON_IsObject(pay)) {
		mcp_error(resp, 200, id, RPC_INVALID_PARAMS,
		    "params._meta[\"x402/payment\"] must be a PaymentPayload "
		    "object");
		return;
	}

	buf_init(&hdr);
	msg_resp_init(&ir);
	memset(&in, 0, sizeof(in));
	in.method = fc->ep->method;
	in.path = fc->ep->path;
	in.query = "";
	in.content_type = "application/json";
	in.accept = "application/json";
	in.user_agent = req->user_agent;
	in.remote_addr = req->remote_addr;
	body = cJSON_IsObject(args) ? cJSON_PrintUnformatted(args) :
	    strdup("{}");
	if (body == NULL)
		goto oom;
	in.body = body;
	in.body_len = strlen(body);
	/* The endpoint's own cap applies to its body, not to our framing. */
	if (in.body_len > ctx->cfg->body_max) {
		in.body_too_large = 1;
		in.body_len = 0;
	}
	if (pay != NULL) {
		if ((ps = cJSON_PrintUnformatted(pay)) == NULL ||
		    b64_encode(ps, strlen(ps), &hdr) == -1 || hdr.oom)
			goto oom;
		/* As over HTTP, the payload's own version picks the header. */
		ver = cJSON_GetObjectItemCaseSensitive(pay, "x402Version");
		if (cJSON_IsNumber(ver) && ver->valuedouble == 1)
			in.payment_v1 = hdr.p;
		else
			in.payment_v2 = hdr.p;
	}
	/* Re-printed arguments lose what follows a \u0000: the parse of
	   the raw message judged it. */
	if (issue != NULL)
		msg_resp_error(&ir, issue);
	else
		flow_handle(fc, &in, &ir, out);
	snprintf(out->endpoint, sizeof(out->endpoint), "mcp/%s", fc->ep->name);
	mcp_result(resp, id, mcp_tool_result(&ir));
	goto done;
oom:
	mcp_oom(resp);
done:
	msg_resp_free(&ir);
	buf_free(&hdr);
	cJSON_free(ps);
	if (body != NULL && cJSON_IsObject(args))
		cJSON_free(body);
	else
		free(body);
}

/* ---- lifecycle -------------------------------------------------------- */

static void
mcp_initialize(const struct mcp_ctx *ctx, const cJSON *id,
    const cJSON *params, struct msg_resp *resp)
{
	const cJSON	*pv;
	const char	*v;
	cJSON		*r, *caps, *tools, *info;

	(void)ctx;
	pv = cJSON_GetObjectItemCaseSensitive(params, "protocolVersion");
	if (!cJSON_IsString(pv)) {
		mcp_error(resp, 200, id, RPC_INVALID_PARAMS,
		    "initialize needs params.protocolVersion");
		return;
	}
	/* Version negotiation: theirs when we speak it, else our latest. */
	v = mcp_version_known(pv->valuestring) ? pv->valuestring :
	    MCP_PROTOCOL_LATEST;
	if ((r = cJSON_CreateObject()) == NULL ||
	    cJSON_AddStringToObject(r, "protocolVersion", v) == NULL ||
	    (caps = cJSON_AddObjectToObject(r, "capabilities")) == NULL ||
	    (tools = cJSON_AddObjectToObject(caps, "tools")) == NULL ||
	    cJSON_AddFalseToObject(tools, "listChanged") == NULL ||
	    (info = cJSON_AddObjectToObject(r, "serverInfo")) == NULL ||
	    cJSON_AddStringToObject(info, "name", "synthforge") == NULL ||
	    cJSON_AddStringToObject(info, "title",
	    "synthforge generative media") == NULL ||
	    cJSON_AddStringToObject(info, "version", "1") == NULL ||
	    cJSON_AddStringToObject(r, "instructions", "Each tool is one "
	    "paid synthforge endpoint (image, audio, video generation); its "
	    "result is the endpoint's JSON with a permanent media URL.  A "
	    "call without payment returns isError with the x402 "
	    "PaymentRequired object as structuredContent; sign one of its "
	    "accepts and call again with the PaymentPayload in "
	    "params._meta[\"x402/payment\"].  The same payment with the same "
	    "arguments returns the same result without charging again.  A "
	    "tool whose work takes minutes (video) runs as a job: its paid "
	    "call returns the job at once (id, status, status_url); call the "
	    "free get_job with the status_url until it succeeds (the result) "
	    "or fails (not charged); cancel_job cancels it.") ==
	    NULL) {
		cJSON_Delete(r);
		mcp_oom(resp);
		return;
	}
	mcp_result(resp, id, r);
}

/* ---- HTTP ------------------------------------------------------------- */

static void
mcp_post(const struct mcp_ctx *ctx, const struct msg_req *req,
    struct msg_resp *resp, struct flow_outcome *out)
{
	const cJSON	*id, *method, *params, *jv;
	const char	*m;
	struct val_json	 j;
	struct sf_err	 perr;
	cJSON		*msg;

	if (req->bad_length) {
		mcp_error(resp, 400, NULL, RPC_INVALID_REQUEST,
		    "the Content-Length header is not a number of bytes "
		    "(digits only, no sign)");
		return;
	}
	if (req->body_too_large) {
		mcp_error(resp, 413, NULL, RPC_INVALID_REQUEST,
		    "the request body is too large");
		return;
	}
	if (!mcp_media_is(req->content_type, "application/json")) {
		mcp_error(resp, 415, NULL, RPC_SERVER_ERROR, "Content-Type "
		    "must be application/json: one JSON-RPC message per POST");
		return;
	}
	if (!mcp_accepts_json(req->accept)) {
		mcp_error(resp, 406, NULL, RPC_SERVER_ERROR, "Accept must "
		    "allow application/json (this server never streams)");
		return;
	}
	if (req->mcp_version != NULL && !mcp_version_known(req->mcp_version)) {
		mcp_error(resp, 400, NULL, RPC_SERVER_ERROR, "unsupported "
		    "MCP-Protocol-Version \"%.40s\"; supported: %s, 2025-06-18, "
		    "2025-03-26, 2024-11-05", req->mcp_version,
		    MCP_PROTOCOL_LATEST);
		return;
	}
	/* The same strict parse as an endpoint's body (val_json.h). */
	sf_err_clear(&perr);
	if (val_json_parse(req->body, req->body_len, &j, &perr) == -1 ||
	    j.blank) {
		if (perr.status == 500)
			mcp_oom(resp);
		else
			mcp_error(resp, 400, NULL, RPC_PARSE_ERROR,
			    "parse error: %s", j.blank ? "the body is empty; "
			    "send one JSON-RPC message" : perr.message);
		return;
	}
	msg = j.tree;
	id = cJSON_GetObjectItemCaseSensitive(msg, "id");
	if (id != NULL && !cJSON_IsString(id) && !cJSON_IsNumber(id))
		id = NULL;	/* answered with id null, as JSON-RPC says */
	method = cJSON_GetObjectItemCaseSensitive(msg, "method");
	params = cJSON_GetObjectItemCaseSensitive(msg, "params");
	jv = cJSON_GetObjectItemCaseSensitive(msg, "jsonrpc");
	if (cJSON_IsArray(msg)) {
		/* Batches left the protocol in 2025-06-18. */
		mcp_error(resp, 400, NULL, RPC_INVALID_REQUEST,
		    "JSON-RPC batches are not supported; send one message "
		    "per POST");
	} else if (!cJSON_IsObject(msg) || !cJSON_IsString(jv) ||
	    strcmp(jv->valuestring, "2.0") != 0 ||
	    (cJSON_HasObjectItem(msg, "id") && id == NULL) ||
	    (method != NULL && !cJSON_IsString(method))) {
		mcp_error(resp, 400, id, RPC_INVALID_REQUEST, "invalid "
		    "request: a JSON-RPC 2.0 object with a string method and "
		    "a string or number id");
	} else if (method == NULL) {
		/* A response or error from the client: we never ask, but the
		   transport says to accept it. */
		if (id != NULL && (cJSON_HasObjectItem(msg, "result") ||
		    cJSON_HasObjectItem(msg, "error")))
			msg_resp_body(resp, 202, "text/plain", "", 0);
		else
			mcp_error(resp, 400, id, RPC_INVALID_REQUEST,
			    "invalid request: no method");
	} else if (id == NULL) {
		/* Notifications (initialized, cancelled, ...): accepted,
		   nothing to do for a stateless server. */
		msg_resp_body(resp, 202, "text/plain", "", 0);
	} else if (params != NULL && !cJSON_IsObject(params)) {
		mcp_error(resp, 200, id, RPC_INVALID_PARAMS,
		    "params must be an object");
	} else if (strcmp((m = method->valuestring), "initialize") == 0) {
		mcp_initialize(ctx, id, params, resp);
	} else if (strcmp(m, "ping") == 0) {
		mcp_result(resp, id, cJSON_CreateObject());
	} else if (strcmp(m, "tools/list") == 0) {
		/* One page: cursor ignored, no nextCursor. */
		mcp_result(resp, id, mcp_tools_list(ctx));
	} else if (strcmp(m, "tools/call") == 0) {
		mcp_call(ctx, req, id, params, j.flags != 0 ? &j.issue : NULL,
		    resp, out);
	} else {
		mcp_error(resp, 200, id, RPC_METHOD_NOT_FOUND, "method not "
		    "found: %.100s (this server offers initialize, ping, "
		    "tools/list, tools/call)", m);
	}
	val_json_free(&j);
}

void
mcp_handle(const struct mcp_ctx *ctx, const struct msg_req *req,
    struct msg_resp *resp, struct flow_outcome *out)
{
	struct flow_outcome	 scratch;
	struct sf_err		 err;

	if (out == NULL)
		out = &scratch;
	memset(out, 0, sizeof(*out));
	out->pay = FLOW_PAY_NONE;
	out->upstream_ms = -1;
	if (req->path != NULL && req->path[0] != '\0' &&
	    strcmp(req->path, MCP_PATH) != 0) {
		sf_err_set(&err, 404, "not_found", NULL, "no endpoint at "
		    "%.200s; see /llms.txt for the list", req->path);
		msg_resp_error(resp, &err);
	} else if (!mcp_origin_ok(ctx, req->origin)) {
		mcp_error(resp, 403, NULL, RPC_SERVER_ERROR, "Origin %.200s is "
		    "not allowed (MCP_ORIGINS)", req->origin);
	} else if (strcmp(req->method, "OPTIONS") == 0) {
		msg_resp_body(resp, 204, "text/plain", "", 0);
		msg_resp_header(resp, "Access-Control-Allow-Methods",
		    "POST, OPTIONS");
		msg_resp_header(resp, "Access-Control-Allow-Headers",
		    "Content-Type, Accept, MCP-Protocol-Version, "
		    "Mcp-Session-Id, Last-Event-ID");
		msg_resp_header(resp, "Access-Control-Max-Age", "86400");
	} else if (strcmp(req->method, "POST") == 0) {
		mcp_post(ctx, req, resp, out);
	} else {
		/* GET would open an SSE stream and DELETE end a session: a
		   stateless JSON server has neither. */
		mcp_error(resp, 405, NULL, RPC_SERVER_ERROR, "%.20s is not "
		    "allowed here: POST one JSON-RPC message (no SSE stream, "
		    "no sessions)", req->method);
		msg_resp_header(resp, "Allow", "POST, OPTIONS");
	}
	mcp_cors(ctx, req, resp);
	out->status = resp->status;
}

/* "scheme://host[:port]" of PUBLIC_URL: what a browser sends as Origin. */
static void
mcp_own_origin(const char *url, char *buf, size_t sz)
{
	const char	*p;
	size_t		 n;

	p = strstr(url, "://");
	n = p == NULL ? strlen(url) : (size_t)(p - url) + 3 +
	    strcspn(p + 3, "/?#");
	snprintf(buf, sz, "%.*s", (int)n, url);
}

int
mcp_init(struct mcp_ctx *ctx, const struct cfg *cfg, struct sf_err *err)
{
	const struct def_entry	*e;
	const char		*o;
	size_t			 n = 0;

	memset(ctx, 0, sizeof(*ctx));
	ctx->cfg = cfg;
	mcp_own_origin(cfg->public_url, ctx->origin, sizeof(ctx->origin));
	o = cfg_get(cfg, "MCP_ORIGINS");
	ctx->origins = o != NULL && *o != '\0' ? o : NULL;
	for (e = def_table; e->ep != NULL; e++)
		n++;
	if ((ctx->flows = calloc(n > 0 ? n : 1, sizeof(*ctx->flows))) == NULL)
		return sf_err_set(err, 500, "out_of_memory", NULL,
		    "out of memory");
	for (e = def_table; e->ep != NULL; e++) {
		if (flow_init(&ctx->flows[ctx->nflows], cfg, e->ep, err) == -1) {
			flow_fini(&ctx->flows[ctx->nflows]);
			mcp_fini(ctx);
			return -1;
		}
		ctx->nflows++;
	}
	if (ctx->nflows > 0 && flow_jobs_init(&ctx->jobs, cfg,
	    ctx->flows[0].ledger, NULL, ctx->flows, ctx->nflows, err) == -1) {
		mcp_fini(ctx);
		return -1;
	}
	return 0;
}

void
mcp_fini(struct mcp_ctx *ctx)
{
	size_t	 i;

	flow_jobs_fini(&ctx->jobs);
	for (i = 0; i < ctx->nflows; i++)
		flow_fini(&ctx->flows[i]);
	free(ctx->flows);
	ctx->flows = NULL;
	ctx->nflows = 0;
}
