/*
 * The paid POST, one direction: guard input URLs -> route (503 before any
 * 402) -> 402 | verify -> claim in the ledger (replay guard) -> work ->
 * store the result -> settle -> answer with the settlement header.
 * Money is never taken for work that failed: settlement comes last, and
 * the result is only given away once settlement succeeded.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sys/random.h>

#include <nettle/sha2.h>

#include "basics/b64.h"
#include "basics/buf.h"
#include "basics/cfg.h"
#include "basics/def.h"
#include "basics/err.h"
#include "flow/flow.h"
#include "basics/hex.h"
#include "ledger/ledger.h"
#include "basics/msg.h"
#include "providers/route.h"
#include "x402/evm/rpc.h"
#include "media/urlguard.h"
#include "validate/val.h"
#include "providers/work.h"
#include "x402/evm/x402_chain.h"
#include "x402/x402_challenge.h"
#include "x402/x402_payment.h"
#include "x402/evm/x402_verify.h"

#define PAID_MAX_OFFERS	CFG_MAX_NETS

struct paid {
	const struct flow_ctx	*ctx;
	const struct msg_req	*req;
	struct val_result	*vr;
	struct msg_resp		*resp;
	struct flow_outcome	*out;
	struct x402_offer	 offers[PAID_MAX_OFFERS];
	size_t			 noffers;
	char			 resource[640];
	int			 version;
	struct x402_payment	 pay;
	struct x402_verdict	 vd;
	char			*requirements;	/* our matched offer, JSON */
	char			*payload;	/* payment payload to settle */
	char			*payload_own;	/* its storage when rewritten */
	char			 req_hash[67];	/* 0x + sha256 hex */
};

static void
paid_error(struct paid *p, const struct sf_err *err)
{
	msg_resp_error(p->resp, err);
	snprintf(p->out->reason, sizeof(p->out->reason), "%s", err->code);
}

static void
paid_challenge(struct paid *p, const char *reason, const char *message)
{
	struct sf_err	 err;

	if (x402_challenge(p->resp, 402, p->ctx->ep, p->resource, p->offers,
	    p->noffers, reason, message) == -1) {
		sf_err_set(&err, 500, "out_of_memory", NULL, "out of memory");
		paid_error(p, &err);
		return;
	}
	snprintf(p->out->reason, sizeof(p->out->reason), "%s", reason);
}

/* The settlement header of our version: base64 JSON SettleResponse. */
static void
paid_settle_header(struct paid *p, int success, const char *tx,
    const char *reason)
{
	const struct x402_offer	*o = p->vd.offer;
	cJSON			*j;
	char			*s;
	struct buf		 b;

	if ((j = cJSON_CreateObject()) == NULL)
		return;
	cJSON_AddBoolToObject(j, "success", success);
	if (!success && reason != NULL)
		cJSON_AddStringToObject(j, "errorReason", reason);
	cJSON_AddStringToObject(j, "transaction", tx != NULL ? tx : "");
	cJSON_AddStringToObject(j, "network",
	    p->version == 1 ? o->network_v1 : o->network);
	cJSON_AddStringToObject(j, "payer", p->vd.payer);
	buf_init(&b);
	if ((s = cJSON_PrintUnformatted(j)) != NULL &&
	    b64_encode(s, strlen(s), &b) == 0 && !b.oom)
		msg_resp_header(p->resp, p->version == 1 ?
		    "X-PAYMENT-RESPONSE" : "PAYMENT-RESPONSE", b.p);
	cJSON_free(s);
	cJSON_Delete(j);
	buf_free(&b);
}

/* sha256(endpoint name, NUL, normalised body): "same request" for replays. */
static int
paid_hash(struct paid *p)
{
	struct sha256_ctx	 h;
	uint8_t			 d[SHA256_DIGEST_SIZE];
	char			*s;

	if ((s = cJSON_PrintUnformatted(p->vr->req)) == NULL)
		return -1;
	sha256_init(&h);
	sha256_update(&h, strlen(p->ctx->ep->name) + 1,
	    (const uint8_t *)p->ctx->ep->name);
	sha256_update(&h, strlen(s), (const uint8_t *)s);
	sha256_digest(&h, sizeof(d), d);
	hex_encode(d, sizeof(d), p->req_hash);
	cJSON_free(s);
	return 0;
}

static int
paid_requirements(struct paid *p)
{
	cJSON	*j;

	j = p->version == 1 ?
	    x402_offer_v1(p->ctx->ep, p->resource, p->vd.offer) :
	    x402_offer_v2(p->vd.offer);
	if (j == NULL)
		return -1;
	p->requirements = cJSON_PrintUnformatted(j);
	cJSON_Delete(j);
	return p->requirements == NULL ? -1 : 0;
}

/*
 * The payload we store and settle.  A signature with v = 0/1 verifies
 * (we normalise) but USDC's ecrecover wants 27/28 and facilitators pass v
 * through, so the stored copy carries v + 27.
 */
static int
paid_payload(struct paid *p)
{
	cJSON	*j, *pl, *sig;
	char	 hex[2 * 65 + 3];
	uint8_t	 s[65];

	p->payload = p->pay.canonical;
	if (p->pay.sig_len != 65 || p->pay.sig[64] >= 27)
		return 0;
	memcpy(s, p->pay.sig, 65);
	s[64] += 27;
	hex_encode(s, 65, hex);		/* writes the 0x itself */
	if ((j = cJSON_Parse(p->pay.canonical)) == NULL)
		return -1;
	pl = cJSON_GetObjectItemCaseSensitive(j, "payload");
	sig = cJSON_GetObjectItemCaseSensitive(pl, "signature");
	if (!cJSON_IsString(sig) ||
	    !cJSON_ReplaceItemInObjectCaseSensitive(pl, "signature",
	    cJSON_CreateString(hex)) ||
	    (p->payload_own = cJSON_PrintUnformatted(j)) == NULL) {
		cJSON_Delete(j);
		return -1;
	}
	cJSON_Delete(j);
	p->payload = p->payload_own;
	return 0;
}

static void
paid_on_request_id(void *arg, const char *id)
{
	struct flow_outcome	*out = arg;

	snprintf(out->upstream_id, sizeof(out->upstream_id), "%s", id);
}

/* 200 with the stored body and the settlement header. */
static void
paid_deliver(struct paid *p, const char *body, size_t len, const char *ctype,
    const char *tx)
{
	msg_resp_body(p->resp, 200, ctype[0] ? ctype : "application/json",
	    body, len);
	paid_settle_header(p, 1, tx, NULL);
	snprintf(p->out->tx, sizeof(p->out->tx), "%s", tx);
}

/*
 * Settle row id whose result is stored, then answer.  Only the result's
 * owner (the claimer, or whoever moved it out of settle_failed) gets here.
 */
static void
paid_settle(struct paid *p, int64_t id, const char *body, size_t len,
    const char *ctype)
{
	struct settle_result	 sr;
	struct sf_err		 err;
	char			 msg[512];

	memset(&sr, 0, sizeof(sr));
	settle_payment(&p->ctx->settle, p->version, p->payload,
	    p->requirements, &sr);
	switch (sr.outcome) {
	case SETTLE_OK:
		if (ledger_set_settled(p->ctx->ledger, id, sr.tx,
		    sr.chain_checked ? sr.message : NULL, &err) == -1)
			fprintf(stderr, "%s: ledger: settled %s but could not "
			    "record it: %s\n", p->ctx->ep->name, sr.tx,
			    err.message);
		p->out->pay = "settled";
		paid_deliver(p, body, len, ctype, sr.tx);
		return;
	case SETTLE_FAILED:
		ledger_set_state(p->ctx->ledger, id, -1, LEDGER_SETTLE_FAILED,
		    sr.reason, &err);
		p->out->pay = "settle_failed";
		snprintf(msg, sizeof(msg), "settlement failed (%s%s%s); the "
		    "result is kept: retry with the same payment once the "
		    "problem is fixed, or sign a new one", sr.reason,
		    sr.message[0] ? ": " : "", sr.message);
		paid_challenge(p, sr.reason[0] ? sr.reason :
		    "unexpected_settle_error", msg);
		paid_settle_header(p, 0, "", sr.reason[0] ? sr.reason :
		    "unexpected_settle_error");
		return;
	case SETTLE_UNKNOWN:
	default:
		/* Not failed: it may still land.  Keep it delivered for ctl. */
		p->out->pay = "settle_unknown";
		sf_err_set(&err, 503, "settlement_pending", NULL,
		    "the settlement could not be confirmed yet (%s); nothing "
		    "more will be charged: retry with the same payment to "
		    "receive the result", sr.message[0] ? sr.message :
		    "no answer");
		paid_error(p, &err);
		msg_resp_header(p->resp, "Retry-After", "10");
		return;
	}
}

/* The work, then the result stored, then settlement. */
static void
paid_work(struct paid *p, int64_t id)
{
	struct work_job	 job;
	struct sf_err	 err;
	cJSON		*facts = NULL, *body = NULL;
	char		*s = NULL, usd[32], price[40];
	struct timespec	 t0, t1;
	const struct def_param *prm;
	uint32_t	 rnd;

	/*
	 * A seed the caller left out is chosen here, so the response can say
	 * which one reproduces the image (the request hash is already taken).
	 */
	prm = def_find_param(p->ctx->ep, "seed");
	if (prm != NULL && (prm->models == NULL || val_model_allows(prm,
	    p->vr->model)) && cJSON_GetObjectItemCaseSensitive(p->vr->req,
	    "seed") == NULL) {
		if (getrandom(&rnd, sizeof(rnd), 0) != sizeof(rnd))
			rnd = (uint32_t)time(NULL);
		cJSON_AddNumberToObject(p->vr->req, "seed", (double)(rnd %
		    (uint32_t)(prm->has_range && prm->max < 4294967295.0 ?
		    prm->max + 1 : 1000000000)));
	}
	memset(&job, 0, sizeof(job));
	job.ep = p->ctx->ep;
	job.model = p->vr->model;
	job.tier = p->vr->tier;
	job.req = p->vr->req;
	job.cfg = p->ctx->cfg;
	job.on_request_id = paid_on_request_id;
	job.arg = p->out;
	sf_err_clear(&err);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	if (work_run(&job, &facts, &err) == -1) {
		clock_gettime(CLOCK_MONOTONIC, &t1);
		p->out->upstream_ms = (t1.tv_sec - t0.tv_sec) * 1000 +
		    (t1.tv_nsec - t0.tv_nsec) / 1000000;
		/* Not charged: the authorization is never submitted. */
		ledger_set_state(p->ctx->ledger, id, LEDGER_WORKING,
		    LEDGER_WORK_FAILED, err.code, NULL);
		p->out->pay = "work_failed";
		if (strlen(err.message) + 40 < sizeof(err.message))
			strcat(err.message, "; you were not charged");
		paid_error(p, &err);
		return;
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	p->out->upstream_ms = (t1.tv_sec - t0.tv_sec) * 1000 +
	    (t1.tv_nsec - t0.tv_nsec) / 1000000;
	def_usd(p->vr->price, usd, sizeof(usd));
	snprintf(price, sizeof(price), "$%s", usd);
	cJSON_AddStringToObject(facts, "price", price);
	snprintf(p->out->provider, sizeof(p->out->provider), "%s",
	    cJSON_GetStringValue(cJSON_GetObjectItem(facts, "source")) ?
	    cJSON_GetStringValue(cJSON_GetObjectItem(facts, "source")) : "");
	if ((body = flow_shape(p->ctx->ep, facts)) == NULL ||
	    (s = cJSON_PrintUnformatted(body)) == NULL) {
		sf_err_set(&err, 500, "out_of_memory", NULL, "out of memory");
		goto fail;
	}
	/* Recorded before settling: a crash now leaves it for synthforge-ctl. */
	if (ledger_store_result(p->ctx->ledger, id, "application/json", s,
	    strlen(s), &err) == -1 ||
	    ledger_set_state(p->ctx->ledger, id, LEDGER_WORKING,
	    LEDGER_DELIVERED, NULL, &err) == -1)
		goto fail;
	paid_settle(p, id, s, strlen(s), "application/json");
	goto out;
fail:
	ledger_set_state(p->ctx->ledger, id, -1, LEDGER_WORK_FAILED, err.code,
	    NULL);
	paid_error(p, &err);
out:
	cJSON_free(s);
	cJSON_Delete(body);
	cJSON_Delete(facts);
}

/*
 * The payment is in the ledger already.  Same payment, different request:
 * 409.  Same request: the stored result once settled, a settlement retry
 * when it had failed, the work again when the work had failed (nothing was
 * charged), or wait while another request is still on it.
 */
static void
paid_existing(struct paid *p, struct ledger_payment *row)
{
	struct sf_err	 err;
	int		 waited = 0, limit, moved;

	limit = (int)(p->ctx->ep->deadline + 90) * 5;
	for (;;) {
		/* Another nonce: the row was found by its payment id alone. */
		if (strcmp(row->nonce, p->vd.auth.nonce_hex) != 0) {
			sf_err_set(&err, 409, "payment_identifier_reused", NULL,
			    "this payment-identifier was already used with "
			    "another payment");
			paid_error(p, &err);
			return;
		}
		if (strcmp(row->request_hash, p->req_hash) != 0 ||
		    strcmp(row->endpoint, p->ctx->ep->name) != 0) {
			sf_err_set(&err, 409, "payment_already_used", NULL,
			    "this payment was already used for a different "
			    "request; sign a new payment for this one");
			paid_error(p, &err);
			return;
		}
		switch (row->state) {
		case LEDGER_SETTLED:
			p->out->pay = "replayed";
			paid_deliver(p, row->result, row->result_len,
			    row->content_type, row->tx);
			return;
		case LEDGER_SETTLE_FAILED:
			moved = ledger_set_state(p->ctx->ledger, row->id,
			    LEDGER_SETTLE_FAILED, LEDGER_DELIVERED, NULL, &err);
			if (moved == 1) {
				paid_settle(p, row->id, row->result,
				    row->result_len, row->content_type);
				return;
			}
			break;
		case LEDGER_WORK_FAILED:
			moved = ledger_set_state(p->ctx->ledger, row->id,
			    LEDGER_WORK_FAILED, LEDGER_WORKING, NULL, &err);
			if (moved == 1) {
				paid_work(p, row->id);
				return;
			}
			break;
		case LEDGER_VERIFIED:
		case LEDGER_WORKING:
			/*
			 * Untouched for longer than the work can take: the
			 * process that claimed it died.  Nothing was settled,
			 * so the work may be done again for this payment.
			 */
			if (ledger_take_stale(p->ctx->ledger, row->id,
			    row->state, LEDGER_WORKING, (int64_t)time(NULL) -
			    (int64_t)p->ctx->ep->deadline - 120, &err) == 1) {
				paid_work(p, row->id);
				return;
			}
			break;
		default:
			break;
		}
		if (waited >= limit) {
			sf_err_set(&err, 409, "payment_in_progress", NULL,
			    "this payment is still being processed; retry "
			    "with the same payment to receive the result");
			paid_error(p, &err);
			msg_resp_header(p->resp, "Retry-After", "10");
			return;
		}
		usleep(200000);
		waited++;
		ledger_payment_free(row);
		if (ledger_get(p->ctx->ledger, row->id, row, &err) != 1) {
			sf_err_set(&err, 500, "ledger_unavailable", NULL,
			    "the payment ledger cannot be read; nothing was "
			    "charged");
			paid_error(p, &err);
			return;
		}
	}
}

/* The settled ledger row of this very payment and request, if any. */
static int
paid_settled_copy(struct paid *p, struct ledger_payment *row)
{
	struct ledger_payment	 key;
	struct sf_err		 err;

	memset(&key, 0, sizeof(key));
	snprintf(key.payer, sizeof(key.payer), "%s", p->vd.auth.from_hex);
	snprintf(key.asset, sizeof(key.asset), "%s", p->vd.offer->asset);
	snprintf(key.network, sizeof(key.network), "%s", p->vd.offer->network);
	snprintf(key.nonce, sizeof(key.nonce), "%s", p->vd.auth.nonce_hex);
	if (ledger_find(p->ctx->ledger, &key, row, &err) != 1)
		return 0;
	if (row->state == LEDGER_SETTLED &&
	    strcmp(row->nonce, p->vd.auth.nonce_hex) == 0 &&
	    strcmp(row->request_hash, p->req_hash) == 0 &&
	    strcmp(row->endpoint, p->ctx->ep->name) == 0)
		return 1;
	ledger_payment_free(row);
	memset(row, 0, sizeof(*row));
	return 0;
}

static int
paid_check_urls(struct paid *p, struct sf_err *err)
{
	const struct def_param	*prm;
	const cJSON		*v;

	for (prm = p->ctx->ep->params; prm->name != NULL; prm++) {
		if (prm->type != DEF_URL)
			continue;
		v = cJSON_GetObjectItemCaseSensitive(p->vr->req, prm->name);
		if (cJSON_IsString(v) && urlguard_check(p->ctx->cfg,
		    v->valuestring, prm->name, err) == -1)
			return -1;
	}
	return 0;
}

void
flow_paid(const struct flow_ctx *ctx, const struct msg_req *req,
    struct val_result *vr, struct msg_resp *resp, struct flow_outcome *out)
{
	struct paid		 p;
	struct route		 rt;
	struct sf_err		 err;
	struct ledger_payment	 in, row;
	struct rpc		 rpc;
	const char		*hdr, *rpc_url;
	int			 rc;

	memset(&p, 0, sizeof(p));
	memset(&row, 0, sizeof(row));
	p.ctx = ctx;
	p.req = req;
	p.vr = vr;
	p.resp = resp;
	p.out = out;
	sf_err_clear(&err);
	snprintf(out->amount, sizeof(out->amount), "%s", vr->amount);
	snprintf(p.resource, sizeof(p.resource), "%s%s", ctx->cfg->public_url,
	    ctx->ep->path);

	/* Everything that can refuse the request refuses it before the 402. */
	if (paid_check_urls(&p, &err) == -1 ||
	    route_resolve(ctx->cfg, ctx->ep, vr->model, &rt, &err) == -1) {
		paid_error(&p, &err);
		return;
	}
	snprintf(out->provider, sizeof(out->provider), "%s",
	    rt.offline ? "offline" : rt.provider);
	p.noffers = cfg_offers(ctx->cfg, vr->amount, p.offers, PAID_MAX_OFFERS);

	if (req->payment_v2 == NULL && req->payment_v1 == NULL) {
		out->pay = "required";
		paid_challenge(&p, "payment_required", "Payment required: sign "
		    "the offered EIP-3009 authorization and retry with "
		    "PAYMENT-SIGNATURE (x402 v2) or X-PAYMENT (v1).");
		snprintf(out->reason, sizeof(out->reason), "%s", "");
		return;
	}
	/* v2 wins when a client sends both. */
	p.version = req->payment_v2 != NULL ? 2 : 1;
	hdr = p.version == 2 ? req->payment_v2 : req->payment_v1;
	if (x402_verify_header(hdr, p.version, p.offers, p.noffers, time(NULL),
	    &p.pay, &p.vd) == -1) {
		sf_err_set(&err, 500, "unexpected_verify_error", NULL,
		    "the payment could not be verified (out of memory); "
		    "nothing was charged");
		paid_error(&p, &err);
		goto out;
	}
	snprintf(out->payer, sizeof(out->payer), "%s", p.vd.payer);
	if (!p.vd.valid) {
		/*
		 * Expired, but signed right: if this exact payment was settled
		 * for this exact request, its stored result is the caller's.
		 */
		if (strcmp(p.vd.reason, X402_R_VALID_BEFORE) == 0 &&
		    p.vd.offer != NULL && paid_hash(&p) == 0 &&
		    paid_settled_copy(&p, &row)) {
			out->pay = "replayed";
			paid_deliver(&p, row.result, row.result_len,
			    row.content_type, row.tx);
			goto out;
		}
		out->pay = "refused";
		paid_challenge(&p, p.vd.reason, p.vd.message);
		goto out;
	}
	snprintf(out->network, sizeof(out->network), "%s", p.vd.offer->network);
	if (paid_hash(&p) == -1 || paid_requirements(&p) == -1 ||
	    paid_payload(&p) == -1) {
		sf_err_set(&err, 500, "out_of_memory", NULL, "out of memory");
		paid_error(&p, &err);
		goto out;
	}

	/* Recorded before anything else happens: the replay guard. */
	memset(&in, 0, sizeof(in));
	snprintf(in.endpoint, sizeof(in.endpoint), "%s", ctx->ep->name);
	snprintf(in.request_hash, sizeof(in.request_hash), "%s", p.req_hash);
	snprintf(in.payer, sizeof(in.payer), "%s", p.vd.auth.from_hex);
	snprintf(in.amount, sizeof(in.amount), "%s", p.vd.auth.value_dec);
	snprintf(in.asset, sizeof(in.asset), "%s", p.vd.offer->asset);
	snprintf(in.network, sizeof(in.network), "%s", p.vd.offer->network);
	in.x402_version = p.version;
	snprintf(in.nonce, sizeof(in.nonce), "%s", p.vd.auth.nonce_hex);
	snprintf(in.valid_after, sizeof(in.valid_after), "%s",
	    p.vd.auth.valid_after_dec);
	snprintf(in.valid_before, sizeof(in.valid_before), "%s",
	    p.vd.auth.valid_before_dec);
	in.payload = p.payload;
	in.requirements = p.requirements;
	if (p.pay.has_id)
		snprintf(in.payment_id, sizeof(in.payment_id), "%s", p.pay.id);
	in.state = LEDGER_VERIFIED;

	/* Known already (a replay, a retry): the ledger answers, not the chain. */
	if ((rc = ledger_find(ctx->ledger, &in, &row, &err)) == 1) {
		out->pay = "verified";
		paid_existing(&p, &row);
		goto out;
	}
	if (rc == -1) {
		sf_err_set(&err, 503, "ledger_unavailable", NULL,
		    "the payment ledger cannot be read; nothing was charged, "
		    "retry later");
		paid_error(&p, &err);
		goto out;
	}
	if ((rpc_url = cfg_get(ctx->cfg, "RPC_URL")) != NULL &&
	    *rpc_url != '\0') {
		memset(&rpc, 0, sizeof(rpc));
		rpc.url = rpc_url;
		rpc.total_ms = ctx->rpc_ms;
		if (x402_chain_check(&rpc, &p.vd) == -1) {
			sf_err_set(&err, 503, "unexpected_verify_error", NULL,
			    "the chain could not be asked whether this payment "
			    "can settle; nothing was charged, retry later");
			paid_error(&p, &err);
			goto out;
		}
		if (!p.vd.valid) {
			/* A copy of this payment may have just been claimed. */
			if (ledger_find(ctx->ledger, &in, &row, &err) == 1) {
				out->pay = "verified";
				paid_existing(&p, &row);
				goto out;
			}
			out->pay = "refused";
			paid_challenge(&p, p.vd.reason, p.vd.message);
			goto out;
		}
	}
	if ((rc = ledger_claim(ctx->ledger, &in, &row, &err)) == -1) {
		sf_err_set(&err, 503, "ledger_unavailable", NULL,
		    "the payment could not be recorded, so it was not used; "
		    "nothing was charged, retry later");
		paid_error(&p, &err);
		goto out;
	}
	out->pay = "verified";
	if (rc == LEDGER_NEW) {
		if (ledger_set_state(ctx->ledger, row.id, LEDGER_VERIFIED,
		    LEDGER_WORKING, NULL, &err) != 1) {
			sf_err_set(&err, 503, "ledger_unavailable", NULL,
			    "the payment could not be recorded, so it was not "
			    "used; nothing was charged, retry later");
			paid_error(&p, &err);
			goto out;
		}
		paid_work(&p, row.id);
	} else
		paid_existing(&p, &row);
out:
	ledger_payment_free(&row);
	cJSON_free(p.requirements);
	cJSON_free(p.payload_own);
	x402_payment_free(&p.pay);
}
