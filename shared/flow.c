#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cfg.h"
#include "def.h"
#include "err.h"
#include "flow.h"
#include "msg.h"
#include "schema.h"
#include "val.h"
#include "x402_challenge.h"

#define FLOW_MAX_OFFERS	CFG_MAX_NETS

static void
flow_cors(struct msg_resp *resp)
{
	msg_resp_header(resp, "Access-Control-Allow-Origin", "*");
	msg_resp_header(resp, "Access-Control-Expose-Headers",
	    "PAYMENT-REQUIRED, PAYMENT-RESPONSE, X-PAYMENT-RESPONSE");
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

static void
flow_post(const struct flow_ctx *ctx, const struct msg_req *req,
    struct msg_resp *resp)
{
	struct sf_err		 err;
	struct val_result	 vr;
	struct x402_offer	 offers[FLOW_MAX_OFFERS];
	size_t			 noffers;
	char			 resource[640];

	sf_err_clear(&err);
	if (req->bad_length) {
		sf_err_set(&err, 400, "invalid_content_length", NULL,
		    "the Content-Length header is not a valid number");
		flow_error(resp, &err);
		return;
	}
	if (req->body_too_large) {
		sf_err_set(&err, 413, "body_too_large", NULL,
		    "the request body is larger than %zu bytes",
		    ctx->cfg->body_max);
		flow_error(resp, &err);
		return;
	}
	if (val_request(ctx->ep, req->content_type, req->body, req->body_len,
	    &vr, &err) == -1) {
		flow_error(resp, &err);
		return;
	}
	flow_resource(ctx, resource, sizeof(resource));
	noffers = cfg_offers(ctx->cfg, vr.amount, offers, FLOW_MAX_OFFERS);

	if (req->payment_v2 == NULL && req->payment_v1 == NULL) {
		if (x402_challenge(resp, 402, ctx->ep, resource, offers,
		    noffers, "payment_required", "This endpoint costs a fixed "
		    "amount of USDC per call: sign the offered EIP-3009 "
		    "authorization and retry with PAYMENT-SIGNATURE (v2) or "
		    "X-PAYMENT (v1).") == -1) {
			sf_err_set(&err, 500, "out_of_memory", NULL,
			    "out of memory");
			flow_error(resp, &err);
		}
		val_result_free(&vr);
		return;
	}
	sf_err_set(&err, 501, "payment_not_supported_yet", NULL,
	    "payment verification is not available on this server yet; "
	    "nothing was charged");
	flow_error(resp, &err);
	val_result_free(&vr);
}

void
flow_handle(const struct flow_ctx *ctx, const struct msg_req *req,
    struct msg_resp *resp)
{
	struct sf_err	 err;

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
		    "Content-Type, PAYMENT-SIGNATURE, X-PAYMENT, "
		    "Access-Control-Expose-Headers");
		msg_resp_header(resp, "Access-Control-Max-Age", "86400");
	} else if (strcmp(req->method, "GET") == 0 ||
	    strcmp(req->method, "HEAD") == 0) {
		flow_describe(ctx, req, resp);
	} else if (strcmp(req->method, ctx->ep->method) == 0) {
		flow_post(ctx, req, resp);
	} else {
		sf_err_set(&err, 405, "method_not_allowed", NULL,
		    "%s is not allowed here; use %s (GET describes the "
		    "endpoint)", req->method, ctx->ep->method);
		flow_error(resp, &err);
		msg_resp_header(resp, "Allow", "GET, POST, OPTIONS");
	}
	flow_cors(resp);
}
