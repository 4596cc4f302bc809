#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "basics/cfg.h"
#include "basics/def.h"
#include "ledger/demo.h"
#include "basics/err.h"
#include "flow/flow.h"
#include "basics/msg.h"
#include "basics/str.h"
#include "validate/schema.h"
#include "ledger/ledger.h"
#include "validate/val.h"

const char *
flow_pay_name(enum flow_pay p)
{
	static const char *const name[FLOW_PAY__N] = {
		[FLOW_PAY_NONE] = "none",
		[FLOW_PAY_REQUIRED] = "required",
		[FLOW_PAY_REFUSED] = "refused",
		[FLOW_PAY_VERIFIED] = "verified",
		[FLOW_PAY_SETTLED] = "settled",
		[FLOW_PAY_SETTLE_FAILED] = "settle_failed",
		[FLOW_PAY_SETTLE_UNKNOWN] = "settle_unknown",
		[FLOW_PAY_WORK_FAILED] = "work_failed",
		[FLOW_PAY_REPLAYED] = "replayed",
		[FLOW_PAY_DEMO] = "demo",
	};

	return (unsigned)p < FLOW_PAY__N ? name[p] : "other";
}

static void
flow_cors(struct msg_resp *resp)
{
	msg_resp_header(resp, "Access-Control-Allow-Origin", "*");
	msg_resp_header(resp, "Access-Control-Expose-Headers",
	    "PAYMENT-REQUIRED, PAYMENT-RESPONSE, X-PAYMENT-RESPONSE, "
	    "Location, Retry-After, Preference-Applied");
}

static void
flow_error(struct msg_resp *resp, const struct sf_err *err)
{
	msg_resp_error(resp, err);
}

static void
flow_resource(const struct flow_ctx *ctx, char *buf, size_t sz)
{
	snprintf(buf, sz, "%s%s", ctx->cfg->public_url, ctx->ep->path);
}

/* Browsers asking for a page get sent to the generated man-style page. */
static int
flow_wants_html(const struct msg_req *req)
{
	return req->accept != NULL && strstr(req->accept, "text/html") != NULL;
}

static void
flow_describe(const struct flow_ctx *ctx, const struct msg_req *req,
    struct msg_resp *resp)
{
	const struct def_endpoint	*ep = ctx->ep;
	cJSON				*j, *price;
	char				 url[640], usd[32];
	uint64_t			 lo, hi;

	snprintf(url, sizeof(url), "%s/%s.html", ctx->cfg->public_url,
	    ep->name);
	if (flow_wants_html(req)) {
		resp->status = 302;
		resp->location = strdup(url);
		msg_resp_body(resp, 302, "text/plain", "", 0);
		return;
	}
	if ((j = cJSON_CreateObject()) == NULL)
		goto oom;
	cJSON_AddStringToObject(j, "name", ep->name);
	cJSON_AddStringToObject(j, "description", ep->summary);
	cJSON_AddStringToObject(j, "method", ep->method);
	flow_resource(ctx, url, sizeof(url));
	cJSON_AddStringToObject(j, "url", url);
	def_price_range(ep, &lo, &hi);
	price = cJSON_AddObjectToObject(j, "price");
	def_usd(lo, usd, sizeof(usd));
	cJSON_AddStringToObject(price, "usd", usd);
	snprintf(url, sizeof(url), "%llu", (unsigned long long)lo);
	cJSON_AddStringToObject(price, "amount", url);
	if (hi != lo) {
		def_usd(hi, usd, sizeof(usd));
		cJSON_AddStringToObject(price, "max_usd", usd);
	}
	if (ep->price_note != NULL)
		cJSON_AddStringToObject(price, "note", ep->price_note);
	cJSON_AddStringToObject(price, "asset", "USDC");
	snprintf(url, sizeof(url), "%s/%s.html", ctx->cfg->public_url, ep->name);
	cJSON_AddStringToObject(j, "docs", url);
	cJSON_AddItemToObject(j, "input", schema_input(ep));
	cJSON_AddItemToObject(j, "output", schema_output(ep));
	cJSON_AddStringToObject(j, "payment", "POST a JSON body; the first "
	    "answer is 402 Payment Required with the payment requirements "
	    "(PAYMENT-REQUIRED header for x402 v2, JSON body for v1); sign an "
	    "EIP-3009 transferWithAuthorization and retry with "
	    "PAYMENT-SIGNATURE (v2) or X-PAYMENT (v1).");
	if (msg_resp_json(resp, 200, j) == -1) {
		cJSON_Delete(j);
		goto oom;
	}
	cJSON_Delete(j);
	return;
oom:
	msg_resp_body(resp, 500, "application/json", "{\"error\":{\"code\":"
	    "\"out_of_memory\",\"message\":\"out of memory\"}}", 54);
}

/*
 * One strict parse of the body (val_body): a discovery probe ("{}" or no
 * body, no payment) gets the 402 of the default request; anything else
 * must be JSON and pass the definition, before any 402.
 */
static int
flow_validate(const struct flow_ctx *ctx, const struct msg_req *req,
    struct val_result *vr, struct sf_err *err)
{
	return val_body(ctx->ep, req->content_type, req->body, req->body_len,
	    req->payment_v2 != NULL || req->payment_v1 != NULL, vr, err);
}

static void
flow_post(const struct flow_ctx *ctx, const struct msg_req *req,
    struct msg_resp *resp, struct flow_outcome *out)
{
	struct sf_err		 err;
	struct val_result	 vr;

	sf_err_clear(&err);
	if (req->dup_payment)
		sf_err_set(&err, 400, "conflicting_payment_headers", NULL,
		    "the payment header was sent more than once (or under a "
		    "look-alike name such as X_PAYMENT); send exactly one "
		    "PAYMENT-SIGNATURE or X-PAYMENT header");
	else if (req->bad_length)
		sf_err_set(&err, 400, "invalid_content_length", NULL,
		    "the Content-Length header is not a number of bytes "
		    "(digits only, no sign)");
	else if (req->body_too_large)
		sf_err_set(&err, 413, "body_too_large", NULL,
		    "the request body is larger than %zu bytes",
		    ctx->cfg->body_max);
	else if (flow_validate(ctx, req, &vr, &err) == 0) {
		flow_paid(ctx, req, &vr, resp, out);
		val_result_free(&vr);
		return;
	}
	flow_error(resp, &err);
	str_copy(out->reason, sizeof(out->reason), err.code);
}

int
flow_can_prove(const struct cfg *cfg, struct sf_err *err)
{
	const char	*fac = cfg_get_or(cfg, "FACILITATOR_URL",
			    "https://x402.org/facilitator");
	size_t		 i;

	for (i = 0; i < cfg->nnets; i++)
		if (cfg->nets[i].mainnet && cfg->nets[i].rpc_url[0] == '\0' &&
		    strstr(fac, "x402.org") != NULL)
			return sf_err_set(err, 500, "config_invalid", "RPC_URL",
			    "%s is a mainnet: payments on it must be proven "
			    "settleable before any paid work, but it has no "
			    "RPC (set RPC_URL_%llu) and the x402.org "
			    "facilitator verifies testnets only (set a mainnet "
			    "FACILITATOR_URL such as CDP's)",
			    cfg->nets[i].network, cfg->nets[i].chain_id);
	return 0;
}

/* Every name in SETTLE_FIRST is an endpoint's name (as x402_settle_first
   compares it, "image-generate"), or "all". */
static int
flow_check_settle_first(const struct cfg *cfg, struct sf_err *err)
{
	const char		*list = cfg_get_or(cfg, "SETTLE_FIRST", ""), *p;
	const struct def_entry	*e;
	char			 name[64];
	size_t			 n;

	for (p = list; *p != '\0'; p += n) {
		p += strspn(p, ", ");
		if ((n = strcspn(p, ", ")) == 0)
			break;
		snprintf(name, sizeof(name), "%.*s", (int)n, p);
		for (e = def_table; e->ep != NULL; e++)
			if (strcmp(e->ep->name, name) == 0)
				break;
		if (strcmp(name, "all") != 0 && e->ep == NULL)
			return sf_err_set(err, 500, "config_invalid",
			    "SETTLE_FIRST", "SETTLE_FIRST names \"%.48s\", "
			    "which is no endpoint here (list endpoint names "
			    "such as image-generate, or all)", name);
	}
	return 0;
}

/* The EVM networks served. */
static size_t
flow_evm_nets(const struct cfg *cfg)
{
	size_t	 i, n = 0;

	for (i = 0; i < cfg->nnets; i++)
		n += !cfg->nets[i].svm;
	return n;
}

int
flow_check_cfg(const struct cfg *cfg, struct sf_err *err)
{
	enum settle_mode	 mode;
	const char		*m = cfg_get_or(cfg, "SETTLE", "facilitator");
	const char		*kf;
	size_t			 nevm;

	if (settle_mode_parse(m, &mode) == -1)
		return sf_err_set(err, 500, "config_invalid", "SETTLE",
		    "SETTLE=\"%.32s\" must be facilitator or direct", m);
	if (mode == SETTLE_MODE_DIRECT) {
		if (cfg_check_set(cfg, "RPC_URL", "SETTLE=direct", err) == -1 ||
		    cfg_check_set(cfg, "RELAYER_KEY_FILE", "SETTLE=direct",
		    err) == -1)
			return -1;
		kf = cfg_get(cfg, "RELAYER_KEY_FILE");
		if (access(kf, R_OK) == -1)
			return sf_err_set(err, 500, "config_invalid",
			    "RELAYER_KEY_FILE", "RELAYER_KEY_FILE %.200s "
			    "cannot be read: %s", kf, strerror(errno));
		/* Every payment of the others would be worked, then refused
		   by RPC_URL's node: work the seller pays for. */
		if ((nevm = flow_evm_nets(cfg)) > 1)
			return sf_err_set(err, 500, "config_invalid",
			    "SETTLE", "SETTLE=direct sends to RPC_URL, one "
			    "chain: serve one EVM network with it (NETWORKS "
			    "lists %zu), or settle through a facilitator",
			    nevm);
	}
	if (cfg_check_uint(cfg, "RELAYER_GAS_MAX", 50000, 30000000, err) == -1)
		return -1;
	if ((cfg_get_or(cfg, "CDP_API_KEY_ID", NULL) == NULL) !=
	    (cfg_get_or(cfg, "CDP_API_KEY_SECRET", NULL) == NULL))
		return sf_err_set(err, 500, "config_missing",
		    cfg_get_or(cfg, "CDP_API_KEY_ID", NULL) == NULL ?
		    "CDP_API_KEY_ID" : "CDP_API_KEY_SECRET",
		    "CDP_API_KEY_ID and CDP_API_KEY_SECRET go together: "
		    "one is set without the other");
	if (flow_job_check_cfg(cfg, err) == -1)
		return -1;
	return flow_check_settle_first(cfg, err);
}

int
flow_init(struct flow_ctx *ctx, const struct cfg *cfg,
    const struct def_endpoint *ep, struct sf_err *err)
{
	const char	*db, *mode, *v;

	memset(ctx, 0, sizeof(*ctx));
	ctx->cfg = cfg;
	ctx->ep = ep;
	if (flow_check_cfg(cfg, err) == -1 || flow_can_prove(cfg, err) == -1)
		return -1;
	mode = cfg_get_or(cfg, "SETTLE", "facilitator");
	if (settle_mode_parse(mode, &ctx->settle.mode) == -1)
		return sf_err_set(err, 500, "config_invalid", "SETTLE",
		    "SETTLE=\"%s\" must be facilitator or direct", mode);
	db = cfg_get_or(cfg, "DB", "var/ledger.db");
	/* The relayer's nonce lock sits next to a SQLite ledger; with a
	   PostgreSQL URI, next to the relayer key (settle_direct's default). */
	if (ledger_uri_is_pg(db))
		ctx->lock_path[0] = '\0';
	else
		snprintf(ctx->lock_path, sizeof(ctx->lock_path),
		    "%s.nonce.lock", db);
	ctx->settle.facilitator.url = cfg_get_or(cfg, "FACILITATOR_URL",
	    "https://x402.org/facilitator");
	ctx->settle.facilitator.cdp_key_id = cfg_get(cfg, "CDP_API_KEY_ID");
	ctx->settle.facilitator.cdp_key_secret = cfg_get(cfg,
	    "CDP_API_KEY_SECRET");
	v = cfg_get(cfg, "RPC_URL");
	ctx->settle.rpc_url = v != NULL && *v != '\0' ? v : NULL;
	ctx->settle.direct.rpc_url = ctx->settle.rpc_url;
	ctx->settle.direct.key_file = cfg_get(cfg, "RELAYER_KEY_FILE");
	ctx->settle.direct.lock_file = ctx->lock_path;
	ctx->settle.direct.gas_max = strtoull(cfg_get_or(cfg,
	    "RELAYER_GAS_MAX", "0"), NULL, 10);
	if (ctx->settle.mode == SETTLE_MODE_DIRECT &&
	    (ctx->settle.rpc_url == NULL || ctx->settle.direct.key_file == NULL))
		return sf_err_set(err, 500, "config_missing",
		    ctx->settle.rpc_url == NULL ? "RPC_URL" : "RELAYER_KEY_FILE",
		    "SETTLE=direct needs RPC_URL and RELAYER_KEY_FILE");
	ctx->rpc_ms = cfg->rpc_timeout_ms;
	flow_job_cfg_read(cfg, &ctx->jobs);
	if (webhook_config_init(&ctx->webhooks, cfg, err) == -1)
		return -1;
	if (flow_can_prove(cfg, err) == -1)
		return -1;
	if ((ctx->ledger = ledger_open(db, err)) == NULL)
		return -1;
	return 0;
}

void
flow_fini(struct flow_ctx *ctx)
{
	ledger_close(ctx->ledger);
	ctx->ledger = NULL;
}

void
flow_handle(const struct flow_ctx *ctx, const struct msg_req *req,
    struct msg_resp *resp, struct flow_outcome *out)
{
	struct flow_outcome	 scratch;
	struct sf_err		 err;

	if (out == NULL)
		out = &scratch;
	memset(out, 0, sizeof(*out));
	out->pay = FLOW_PAY_NONE;
	out->upstream_ms = -1;
	sf_err_clear(&err);
	/* The web server routes by prefix; only our exact path is ours. */
	if (req->path != NULL && req->path[0] != '\0' &&
	    strcmp(req->path, ctx->ep->path) != 0) {
		sf_err_set(&err, 404, "not_found", NULL, "no endpoint at %.200s; "
		    "see /llms.txt for the list", req->path);
		flow_error(resp, &err);
	} else if (strcmp(req->method, "OPTIONS") == 0) {
		msg_resp_body(resp, 204, "text/plain", "", 0);
		msg_resp_header(resp, "Access-Control-Allow-Methods",
		    "GET, POST, OPTIONS");
		msg_resp_header(resp, "Access-Control-Allow-Headers",
		    "Content-Type, PAYMENT-SIGNATURE, X-PAYMENT, Prefer, "
		    "Access-Control-Expose-Headers");
		msg_resp_header(resp, "Access-Control-Max-Age", "86400");
	} else if ((strcmp(req->method, "GET") == 0 ||
	    strcmp(req->method, "HEAD") == 0) &&
	    (req->body_len > 0 || req->body_too_large)) {
		/* RFC 9110 9.3.1: a body on GET has no meaning; it is most
		   likely a request meant for POST.  Said, not ignored. */
		sf_err_set(&err, 400, "body_not_allowed", NULL, "a %s request "
		    "carries no body: GET without one describes the endpoint, "
		    "POST the JSON request to use it", req->method);
		flow_error(resp, &err);
	} else if (strcmp(req->method, "GET") == 0 &&
	    (ctx->ep->flags & DEF_EP_DEMO) && flow_demo_wanted(req)) {
		flow_demo(ctx, req, resp, out);
	} else if (strcmp(req->method, "GET") == 0 ||
	    strcmp(req->method, "HEAD") == 0) {
		flow_describe(ctx, req, resp);
	} else if (strcmp(req->method, ctx->ep->method) == 0) {
		flow_post(ctx, req, resp, out);
	} else {
		sf_err_set(&err, 405, "method_not_allowed", NULL,
		    "%s is not allowed here; use %s (GET describes the "
		    "endpoint)", req->method, ctx->ep->method);
		flow_error(resp, &err);
		msg_resp_header(resp, "Allow", "GET, POST, OPTIONS");
	}
	flow_cors(resp);
	out->status = resp->status;
}
