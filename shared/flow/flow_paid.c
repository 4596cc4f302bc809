/*
 * The paid POST as a sequence of named steps, in the order of DESIGN.md's
 * request flow (flow_paid() at the bottom reads as the list):
 *
 *   paid_refusable     guard input URLs, route: 4xx/503 before any 402
 *   paid_ask           no payment header: the 402 with our offers
 *   paid_verify_local  decode + verify against our offers (free checks;
 *                      EVM or Solana by the network, x402_scheme.c)
 *   paid_window        validBefore covers deadline + settlement margin
 *   paid_known         the ledger knows it: a replay or a retry
 *   paid_prove         settleable: on chain (balance, nonce unused, an
 *                      eth_call of the transfer) or the facilitator's /verify
 *                      (always for Solana: flow_svm.c)
 *   paid_claim         ledger claim with the payer's exposure and in-flight
 *                      cap checked in one transaction
 *   paid_work          [settle first, by choice] the upstream work, the
 *                      result stored, then settlement with retries
 *   paid_settle        settle (transient failures retried while the
 *                      authorization lives), answer with the header
 *
 * Money is never taken for work that failed (unless the seller chose
 * settle-first for the endpoint and the 402 said so), and no upstream
 * money is spent on a payment that was not shown settleable.
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
#include "x402/facilitator.h"
#include "x402/x402_challenge.h"
#include "x402/x402_payment.h"
#include "x402/evm/x402_verify.h"
#include "x402/x402_scheme.h"
#include "flow/flow_svm.h"

#define PAID_MAX_OFFERS	CFG_MAX_NETS
/* Clock skew allowed between us and the chain when dating a transfer. */
#define PAID_SKEW	5

/* A step's verdict: go on, or the response is written. */
enum paid_next { PAID_GO = 0, PAID_DONE };

struct paid {
	const struct flow_ctx	*ctx;
	const struct msg_req	*req;
	struct val_result	*vr;
	struct msg_resp		*resp;
	struct flow_outcome	*out;
	struct x402_offer	 offers[PAID_MAX_OFFERS];
	size_t			 noffers;
	char			 resource[640];
	char			 desc[1024];	/* 402 description */
	int			 version;
	int			 settle_first;
	struct x402_payment	 pay;
	struct x402_verdict	 vd;
	struct svm_verdict	 svd;		/* Solana: payer, signature */
	char			*requirements;	/* our matched offer, JSON */
	char			*payload;	/* payment payload to settle */
	char			*payload_own;	/* its storage when rewritten */
	char			 req_hash[67];	/* 0x + sha256 hex */
	struct ledger_payment	 in;		/* what the claim writes */
	char			 balance[80];	/* read for this decision, "" */
	int64_t			 since;		/* claim time, for reconcile */
	char			 paid_tx[96];	/* settled first: the tx */
	char			 fac_reason[128]; /* the facilitator's "no" */
	int			 reclaims;	/* claims retried after a drop */
	int			 claimed_now;	/* this request created the row */
};

static void
paid_error(struct paid *p, const struct sf_err *err)
{
	msg_resp_error(p->resp, err);
	snprintf(p->out->reason, sizeof(p->out->reason), "%s", err->code);
}

/* Who paid, and the payment's replay key: EVM nonce or Solana signature. */
static const char *
paid_payer(const struct paid *p)
{
	return p->pay.svm ? p->svd.payer : p->vd.auth.from_hex;
}

static const char *
paid_key(const struct paid *p)
{
	return p->pay.svm ? p->svd.payer_sig : p->vd.auth.nonce_hex;
}

static void
paid_challenge(struct paid *p, const char *reason, const char *message)
{
	struct sf_err	 err;

	if (x402_challenge_desc(p->resp, 402, p->ctx->ep, p->resource,
	    p->offers, p->noffers, reason, message,
	    p->desc[0] ? p->desc : NULL) == -1) {
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

	j = p->version == 1 ? x402_offer_v1_desc(p->ctx->ep, p->resource,
	    p->vd.offer, p->desc[0] ? p->desc : NULL) :
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

static void	paid_claim(struct paid *, struct ledger_payment *);

/* ---- settle ---------------------------------------------------------- */

/*
 * This request's settlement: the settings with the chain of this payment's
 * network for reconciliation (RPC_URL_<net>), the dated claim, the retry
 * budget.
 */
static void
paid_settle_opts(struct paid *p, int fresh, struct settle_config *sc,
    struct settle_opts *o)
{
	const char	*rpc = cfg_rpc_for(p->ctx->cfg, p->vd.offer->network);

	*sc = p->ctx->settle;
	if (p->pay.svm)			/* its facilitator, no EVM chain */
		flow_svm_settle_config(p->ctx, p->vd.offer, sc);
	else if (rpc != NULL)
		sc->rpc_url = rpc;
	o->since = p->since > PAID_SKEW ? p->since - PAID_SKEW : 0;
	o->budget_ms = (long)p->ctx->cfg->settle_retry * 1000;
	o->fresh = fresh;
}

/* settle_failed: the result is kept for a retry of the same payment. */
static void
paid_settle_failed(struct paid *p, int64_t id, const struct settle_result *sr)
{
	struct sf_err	 err;
	char		 msg[700];
	const char	*reason = sr->reason[0] ? sr->reason :
			    "unexpected_settle_error";

	ledger_set_state(p->ctx->ledger, id, -1, LEDGER_SETTLE_FAILED,
	    reason, &err);
	p->out->pay = "settle_failed";
	snprintf(msg, sizeof(msg), "settlement failed (%.120s%s%.250s) after %d "
	    "attempt%s; the result is kept: retry with the same payment once "
	    "the problem is fixed, or sign a new one", reason,
	    sr->message[0] ? ": " : "", sr->message, sr->attempts,
	    sr->attempts == 1 ? "" : "s");
	paid_challenge(p, reason, msg);
	paid_settle_header(p, 0, "", reason);
}

/* Not failed: it may still land.  Kept delivered for a retry or ctl. */
static void
paid_settle_unknown(struct paid *p, const struct settle_result *sr)
{
	struct sf_err	 err;

	p->out->pay = "settle_unknown";
	sf_err_set(&err, 503, "settlement_pending", NULL,
	    "the settlement could not be confirmed yet (%s); nothing more "
	    "will be charged: retry with the same payment to receive the "
	    "result", sr->message[0] ? sr->message : "no answer");
	paid_error(p, &err);
	msg_resp_header(p->resp, "Retry-After", "10");
}

/*
 * Settle row id whose result is stored, then answer.  Only the result's
 * owner (the claimer, or whoever moved it out of settle_failed) gets here.
 * Transient failures are retried inside settle_payment_opts.  fresh: no
 * settle attempt can precede this one (the row comes from the working
 * state of this request, in which nothing is ever settled), so a "nonce
 * already used" is someone else's transfer and never a delivery.
 */
static void
paid_settle(struct paid *p, int64_t id, const char *body, size_t len,
    const char *ctype, int fresh)
{
	struct settle_config	 sc;
	struct settle_result	 sr;
	struct settle_opts	 o;
	struct sf_err		 err;

	memset(&sr, 0, sizeof(sr));
	if (p->paid_tx[0] != '\0') {		/* settled first */
		sr.outcome = SETTLE_OK;
		snprintf(sr.tx, sizeof(sr.tx), "%s", p->paid_tx);
	} else {
		paid_settle_opts(p, fresh, &sc, &o);
		settle_payment_opts(&sc, p->version, p->payload,
		    p->requirements, &o, &sr);
	}
	if (sr.outcome == SETTLE_FAILED) {
		paid_settle_failed(p, id, &sr);
		return;
	}
	if (sr.outcome != SETTLE_OK) {
		paid_settle_unknown(p, &sr);
		return;
	}
	if (ledger_set_settled(p->ctx->ledger, id, sr.tx,
	    sr.chain_checked ? sr.message : NULL, &err) == -1)
		fprintf(stderr, "%s: ledger: settled %s but could not record "
		    "it: %s\n", p->ctx->ep->name, sr.tx, err.message);
	p->out->pay = "settled";
	paid_deliver(p, body, len, ctype, sr.tx);
}

/*
 * Settle-first (SETTLE_FIRST, SETTLE_FIRST_ABOVE): take the money before
 * the work.  0 paid (p->paid_tx set and recorded), -1 answered: nothing
 * was done, the row is work_failed so the same payment can try again.
 */
static int
paid_settle_first(struct paid *p, int64_t id)
{
	struct settle_config	 sc;
	struct settle_result	 sr;
	struct settle_opts	 o;
	struct sf_err		 err;

	/* Fresh only on the row this request claimed: a taken-over one may
	   have been settled first by its dead owner. */
	paid_settle_opts(p, p->claimed_now, &sc, &o);
	settle_payment_opts(&sc, p->version, p->payload, p->requirements, &o,
	    &sr);
	if (sr.outcome == SETTLE_OK && ledger_set_tx(p->ctx->ledger, id,
	    sr.tx, &err) == 0) {
		snprintf(p->paid_tx, sizeof(p->paid_tx), "%s", sr.tx);
		snprintf(p->out->tx, sizeof(p->out->tx), "%s", sr.tx);
		return 0;
	}
	ledger_set_state(p->ctx->ledger, id, -1, LEDGER_WORK_FAILED,
	    sr.outcome == SETTLE_OK ? "ledger_error" : sr.reason, &err);
	if (sr.outcome == SETTLE_FAILED) {
		p->out->pay = "settle_failed";
		paid_challenge(p, sr.reason[0] ? sr.reason :
		    "unexpected_settle_error", "settlement (before the work, "
		    "as this endpoint does) failed; nothing was done");
		paid_settle_header(p, 0, "", sr.reason[0] ? sr.reason :
		    "unexpected_settle_error");
	} else
		paid_settle_unknown(p, &sr);
	return -1;
}

/* ---- work ------------------------------------------------------------ */

/*
 * A seed the caller left out is chosen here, so the response can say
 * which one reproduces the image (the request hash is already taken).
 */
static void
paid_seed(struct paid *p)
{
	const struct def_param	*prm;
	uint32_t		 rnd;

	prm = def_find_param(p->ctx->ep, "seed");
	if (prm == NULL || (prm->models != NULL && !val_model_allows(prm,
	    p->vr->model)) || cJSON_GetObjectItemCaseSensitive(p->vr->req,
	    "seed") != NULL)
		return;
	if (getrandom(&rnd, sizeof(rnd), 0) != sizeof(rnd))
		rnd = (uint32_t)time(NULL);
	cJSON_AddNumberToObject(p->vr->req, "seed", (double)(rnd %
	    (uint32_t)(prm->has_range && prm->max < 4294967295.0 ?
	    prm->max + 1 : 1000000000)));
}

/* The upstream call(s) with the definition's deadline.  0 or -1. */
static int
paid_upstream(struct paid *p, cJSON **facts, struct sf_err *err)
{
	struct work_job	 job;
	struct timespec	 t0, t1;
	int		 rc;

	memset(&job, 0, sizeof(job));
	job.ep = p->ctx->ep;
	job.model = p->vr->model;
	job.tier = p->vr->tier;
	job.req = p->vr->req;
	job.cfg = p->ctx->cfg;
	job.on_request_id = paid_on_request_id;
	job.arg = p->out;
	sf_err_clear(err);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	rc = work_run(&job, facts, err);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	p->out->upstream_ms = (t1.tv_sec - t0.tv_sec) * 1000 +
	    (t1.tv_nsec - t0.tv_nsec) / 1000000;
	return rc;
}

/* The work failed: never settled, unless it was settled first. */
static void
paid_work_failed(struct paid *p, int64_t id, struct sf_err *err)
{
	const char	*tail = p->paid_tx[0] ? "; the payment was settled "
			    "before the work (as this endpoint announces): send "
			    "the same request with the same payment again to "
			    "have the work redone at no charge" :
			    "; you were not charged";

	ledger_set_state(p->ctx->ledger, id, -1, LEDGER_WORK_FAILED,
	    err->code, NULL);
	p->out->pay = "work_failed";
	if (strlen(err->message) + strlen(tail) < sizeof(err->message))
		strcat(err->message, tail);
	paid_error(p, err);
}

/* The response body from the work's facts; NULL on out of memory. */
static char *
paid_body(struct paid *p, cJSON *facts)
{
	cJSON		*body;
	char		*s, usd[32], price[40];
	const char	*src;

	def_usd(p->vr->price, usd, sizeof(usd));
	snprintf(price, sizeof(price), "$%s", usd);
	cJSON_AddStringToObject(facts, "price", price);
	src = cJSON_GetStringValue(cJSON_GetObjectItem(facts, "source"));
	snprintf(p->out->provider, sizeof(p->out->provider), "%s",
	    src ? src : "");
	if ((body = flow_shape(p->ctx->ep, facts)) == NULL)
		return NULL;
	s = cJSON_PrintUnformatted(body);
	cJSON_Delete(body);
	return s;
}

/* [Settle first,] the work, the result stored, then settlement. */
static void
paid_work(struct paid *p, int64_t id)
{
	struct sf_err	 err;
	cJSON		*facts = NULL;
	char		*s = NULL;

	if (p->settle_first && p->paid_tx[0] == '\0' &&
	    paid_settle_first(p, id) == -1)
		return;
	paid_seed(p);
	if (paid_upstream(p, &facts, &err) == -1) {
		paid_work_failed(p, id, &err);
		return;
	}
	if ((s = paid_body(p, facts)) == NULL) {
		sf_err_set(&err, 500, "out_of_memory", NULL, "out of memory");
		paid_work_failed(p, id, &err);
		goto out;
	}
	/* Recorded before settling: a crash now leaves it for synthforge-ctl. */
	if (ledger_store_result(p->ctx->ledger, id, "application/json", s,
	    strlen(s), &err) == -1 ||
	    ledger_set_state(p->ctx->ledger, id, LEDGER_WORKING,
	    LEDGER_DELIVERED, NULL, &err) == -1) {
		paid_work_failed(p, id, &err);
		goto out;
	}
	paid_settle(p, id, s, strlen(s), "application/json", 1);
out:
	cJSON_free(s);
	cJSON_Delete(facts);
}

/* ---- prove settleable, admit ------------------------------------------ */

/*
 * On chain, when this network has an RPC: the facilitator's checks done
 * by us, and the balance read for the exposure decision.  EVM today; a
 * second scheme family adds its branch here.  0 answered (p->vd may now
 * be invalid), -1 no answer.
 */
static int
paid_prove_chain(struct paid *p, const char *rpc_url)
{
	struct rpc	 rpc;

	memset(&rpc, 0, sizeof(rpc));
	rpc.url = rpc_url;
	rpc.total_ms = p->ctx->rpc_ms;
	return x402_chain_prove(&rpc, p->payload, &p->vd, p->balance);
}

/* Without an RPC: the facilitator's /verify simulates the transfer. */
static int
paid_prove_facilitator(struct paid *p)
{
	struct facilitator_result	 fr;
	struct settle_config		 sc;

	sc = p->ctx->settle;
	if (p->pay.svm)
		flow_svm_settle_config(p->ctx, p->vd.offer, &sc);
	facilitator_verify(&sc.facilitator, p->version, p->payload,
	    p->requirements, &fr);
	if (fr.outcome == FACILITATOR_UNKNOWN)
		return -1;
	if (fr.outcome == FACILITATOR_FAILED || !fr.success) {
		p->vd.valid = 0;
		p->vd.reason = X402_R_UNEXPECTED;
		/* The facilitator's reason, passed through (x402.md §6.5). */
		snprintf(p->fac_reason, sizeof(p->fac_reason), "%s",
		    fr.reason[0] ? fr.reason : X402_R_UNEXPECTED);
		snprintf(p->vd.message, sizeof(p->vd.message), "%.250s",
		    fr.message[0] ? fr.message : "the facilitator refused");
	}
	return 0;
}

/* Refuse before any work: the claim is dropped, the payment reusable. */
static void
paid_refuse(struct paid *p, int64_t id, int status, const char *code,
    const char *msg)
{
	struct sf_err	 err;

	/* Reserved (working) or only claimed (verified): either way dropped. */
	ledger_release(p->ctx->ledger, id, &err);
	p->out->pay = "refused";
	if (status == 402) {
		paid_challenge(p, code, msg);
		return;
	}
	sf_err_set(&err, status, code, NULL, "%s", msg);
	paid_error(p, &err);
}

/*
 * Prove the claimed payment settleable: chain or facilitator.  PAID_GO
 * when it is; otherwise refused (402 with the reason, 503 when nobody
 * could be asked) before any upstream call.
 */
static enum paid_next
paid_prove(struct paid *p, int64_t id)
{
	const char	*rpc_url = cfg_rpc_for(p->ctx->cfg, p->vd.offer->network);
	int		 rc;

	p->balance[0] = '\0';
	/* Solana: the facilitator simulates; our chain check is EVM's. */
	rc = rpc_url != NULL && !p->pay.svm ? paid_prove_chain(p, rpc_url) :
	    paid_prove_facilitator(p);
	if (rc == -1) {
		paid_refuse(p, id, 503, "unexpected_verify_error", "nobody "
		    "could be asked whether this payment can settle; nothing "
		    "was charged, retry later");
		msg_resp_header(p->resp, "Retry-After", "5");
		return PAID_DONE;
	}
	if (p->vd.valid)
		return PAID_GO;
	paid_refuse(p, id, 402, p->fac_reason[0] ? p->fac_reason :
	    p->vd.reason, p->vd.message);
	return PAID_DONE;
}

/* The payer's other unsettled payments do not fit: 402 or 429. */
static void
paid_over(struct paid *p, int64_t id, int rc, const struct ledger_exposure *ex)
{
	char	 msg[512];

	if (rc == LEDGER_OVER_INFLIGHT) {
		snprintf(msg, sizeof(msg), "this wallet already has %u paid "
		    "calls in progress here (the limit per payer); nothing was "
		    "charged: retry when one has finished",
		    p->ctx->cfg->max_inflight);
		paid_refuse(p, id, 429, "too_many_in_flight", msg);
	} else if (p->balance[0] == '\0') {
		/* Facilitator-only: /verify proved this payment alone. */
		snprintf(msg, sizeof(msg), "this wallet has %lld other "
		    "unsettled payment(s) here and its balance cannot be read "
		    "on this network, so one is taken at a time; nothing was "
		    "charged: retry when it has settled",
		    (long long)ex->unsettled_count);
		paid_refuse(p, id, 429, "too_many_in_flight", msg);
	} else {
		snprintf(msg, sizeof(msg), "the wallet's balance %s does not "
		    "cover this payment (%s) on top of its other unsettled "
		    "payments here (%lld, %s in total), which count against "
		    "it; nothing was charged", p->balance, p->in.amount,
		    (long long)ex->unsettled_count, ex->unsettled);
		paid_refuse(p, id, 402, "insufficient_balance", msg);
		return;
	}
	msg_resp_header(p->resp, "Retry-After", "5");
}

/*
 * Reserve against the payer's exposure, prove, check the balance, work.
 * The exposure is taken before the balance is read: a payment of this
 * payer settling in between is then counted twice (refused, safe) rather
 * than not at all (work for a payment the wallet can no longer cover).
 */
static void
paid_admit(struct paid *p, int64_t id)
{
	struct ledger_exposure	 ex;
	struct sf_err		 err;
	int			 rc;

	rc = ledger_reserve(p->ctx->ledger, id, p->ctx->cfg->max_inflight,
	    &ex, &err);
	if (rc == LEDGER_OVER_INFLIGHT) {
		paid_over(p, id, rc, &ex);
		return;
	}
	if (rc != 1) {
		sf_err_set(&err, 503, "ledger_unavailable", NULL, "the payment "
		    "could not be recorded, so it was not used; nothing was "
		    "charged, retry later");
		paid_error(p, &err);
		return;
	}
	if (paid_prove(p, id) == PAID_DONE)
		return;
	if (!ledger_fits(&ex, p->in.amount, p->balance[0] ? p->balance :
	    NULL)) {
		paid_over(p, id, LEDGER_OVER_BALANCE, &ex);
		return;
	}
	p->out->pay = "verified";
	paid_work(p, id);
}

/* ---- known payments --------------------------------------------------- */

/* Same payment, another request (or another payment under this id): 409. */
static int
paid_mismatch(struct paid *p, const struct ledger_payment *row)
{
	struct sf_err	 err;

	if (strcmp(row->nonce, paid_key(p)) != 0)
		sf_err_set(&err, 409, "payment_identifier_reused", NULL,
		    "this payment-identifier was already used with another "
		    "payment");
	else if (strcmp(row->request_hash, p->req_hash) != 0 ||
	    strcmp(row->endpoint, p->ctx->ep->name) != 0)
		sf_err_set(&err, 409, "payment_already_used", NULL,
		    "this payment was already used for a different request; "
		    "sign a new payment for this one");
	else
		return 0;
	paid_error(p, &err);
	return 1;
}

/*
 * One look at a known row of this payment and request: 1 answered, 0 not
 * yet (another request is on it).  Settled: the stored result; settle
 * failed: settlement again; work failed: the work again (nothing charged,
 * or settled first); claimed by a process that died: taken over.
 */
static int
paid_existing_once(struct paid *p, struct ledger_payment *row)
{
	struct ledger	*l = p->ctx->ledger;
	struct sf_err	 err;
	int64_t		 stale = (int64_t)time(NULL) -
			    (int64_t)p->ctx->ep->deadline - 120;

	p->since = row->created;
	snprintf(p->paid_tx, sizeof(p->paid_tx), "%s", row->tx);
	switch (row->state) {
	case LEDGER_SETTLED:
		p->out->pay = "replayed";
		paid_deliver(p, row->result, row->result_len,
		    row->content_type, row->tx);
		return 1;
	case LEDGER_SETTLE_FAILED:
		if (ledger_set_state(l, row->id, LEDGER_SETTLE_FAILED,
		    LEDGER_DELIVERED, NULL, &err) != 1)
			return 0;
		paid_settle(p, row->id, row->result, row->result_len,
		    row->content_type, 0);
		return 1;
	case LEDGER_WORK_FAILED:
		if (ledger_set_state(l, row->id, LEDGER_WORK_FAILED,
		    LEDGER_WORKING, NULL, &err) != 1)
			return 0;
		paid_work(p, row->id);
		return 1;
	case LEDGER_VERIFIED:
		/* Its claimer died before admission: prove it again. */
		if (ledger_take_stale(l, row->id, row->state, LEDGER_VERIFIED,
		    stale, &err) != 1)
			return 0;
		paid_admit(p, row->id);
		return 1;
	case LEDGER_WORKING:
		/* Untouched longer than the work takes; nothing settled. */
		if (ledger_take_stale(l, row->id, row->state, LEDGER_WORKING,
		    stale, &err) != 1)
			return 0;
		paid_work(p, row->id);
		return 1;
	default:
		return 0;
	}
}

/*
 * The payment is in the ledger already: answer from its row, waiting
 * while another request is still on it.
 */
static void
paid_existing(struct paid *p, struct ledger_payment *row)
{
	struct sf_err	 err;
	int		 rc, waited, limit = (int)(p->ctx->ep->deadline + 90) * 5;

	p->out->pay = "verified";
	for (waited = 0;; waited++) {
		if (paid_mismatch(p, row) || paid_existing_once(p, row))
			return;
		if (waited >= limit) {
			sf_err_set(&err, 409, "payment_in_progress", NULL,
			    "this payment is still being processed; retry "
			    "with the same payment to receive the result");
			paid_error(p, &err);
			msg_resp_header(p->resp, "Retry-After", "10");
			return;
		}
		usleep(200000);
		ledger_payment_free(row);
		if ((rc = ledger_get(p->ctx->ledger, row->id, row, &err)) == 0 &&
		    p->reclaims++ < 3) {
			/* Its claimer refused it and dropped the claim: ours
			   to try, so the caller hears the reason itself. */
			paid_claim(p, row);
			return;
		}
		if (rc != 1) {
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
	snprintf(key.payer, sizeof(key.payer), "%s", paid_payer(p));
	snprintf(key.asset, sizeof(key.asset), "%s", p->vd.offer->asset);
	snprintf(key.network, sizeof(key.network), "%s", p->vd.offer->network);
	snprintf(key.nonce, sizeof(key.nonce), "%s", paid_key(p));
	if (ledger_find(p->ctx->ledger, &key, row, &err) != 1)
		return 0;
	if (row->state == LEDGER_SETTLED &&
	    strcmp(row->nonce, paid_key(p)) == 0 &&
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


/* ---- the steps before the claim ----------------------------------------- */

/* Whether one of p's offers is on a Solana network. */
static int
paid_offers_svm(const struct paid *p)
{
	size_t	 i;

	for (i = 0; i < p->noffers; i++)
		if (strncmp(p->offers[i].network, "solana:", 7) == 0)
			return 1;
	return 0;
}

/* Everything that can refuse the request refuses it before the 402. */
static enum paid_next
paid_refusable(struct paid *p)
{
	const struct flow_ctx	*ctx = p->ctx;
	struct route		 rt;
	struct sf_err		 err;

	sf_err_clear(&err);
	if (paid_check_urls(p, &err) == -1 ||
	    route_resolve(ctx->cfg, ctx->ep, p->vr->model, &rt, &err) == -1) {
		paid_error(p, &err);
		return PAID_DONE;
	}
	snprintf(p->out->provider, sizeof(p->out->provider), "%s",
	    rt.offline ? "offline" : rt.provider);
	p->noffers = cfg_offers_ep(ctx->cfg, p->vr->amount, ctx->ep->deadline,
	    p->offers, PAID_MAX_OFFERS);
	p->noffers = flow_svm_offers(ctx, p->offers, p->noffers);
	p->settle_first = cfg_settle_first(ctx->cfg, ctx->ep->name,
	    p->vr->amount);
	if (p->settle_first)
		snprintf(p->desc, sizeof(p->desc), "%s %s", ctx->ep->summary,
		    X402_SETTLE_FIRST_NOTE);
	else if (paid_offers_svm(p) &&
	    cfg_window(ctx->cfg, ctx->ep->deadline) > X402_SVM_WINDOW)
		snprintf(p->desc, sizeof(p->desc), "%s %s", ctx->ep->summary,
		    X402_SVM_SETTLE_FIRST_NOTE);
	return PAID_GO;
}

/* No payment header: the 402 with our offers. */
static enum paid_next
paid_ask(struct paid *p)
{
	if (p->req->payment_v2 != NULL || p->req->payment_v1 != NULL)
		return PAID_GO;
	p->out->pay = "required";
	paid_challenge(p, "payment_required", "Payment required: sign one of "
	    "the offered payments (an EIP-3009 authorization, or a Solana "
	    "transfer) and retry with PAYMENT-SIGNATURE (x402 v2) or X-PAYMENT "
	    "(v1).");
	p->out->reason[0] = '\0';
	return PAID_DONE;
}

/*
 * Decode and verify against our own offers, free checks only (the scheme
 * verifier: EVM exact today, matched by the offer's network family).
 * Expired but signed right: if this exact payment was settled for this
 * exact request, its stored result is the caller's.
 */
static enum paid_next
paid_verify_local(struct paid *p, struct ledger_payment *row)
{
	struct sf_err	 err;
	const char	*hdr;

	/* v2 wins when a client sends both. */
	p->version = p->req->payment_v2 != NULL ? 2 : 1;
	hdr = p->version == 2 ? p->req->payment_v2 : p->req->payment_v1;
	if (x402_scheme_verify_header(hdr, p->version, p->offers, p->noffers,
	    time(NULL), &p->pay, &p->vd, &p->svd) == -1) {
		sf_err_set(&err, 500, "unexpected_verify_error", NULL, "the "
		    "payment could not be verified (out of memory); nothing "
		    "was charged");
		paid_error(p, &err);
		return PAID_DONE;
	}
	snprintf(p->out->payer, sizeof(p->out->payer), "%s", p->vd.payer);
	if (p->vd.valid)
		return PAID_GO;
	if (strcmp(p->vd.reason, X402_R_VALID_BEFORE) == 0 &&
	    p->vd.offer != NULL && paid_hash(p) == 0 &&
	    paid_settled_copy(p, row)) {
		p->out->pay = "replayed";
		paid_deliver(p, row->result, row->result_len,
		    row->content_type, row->tx);
		return PAID_DONE;
	}
	p->out->pay = "refused";
	paid_challenge(p, p->vd.reason, p->vd.message);
	return PAID_DONE;
}

/* What the ledger keeps of this payment (p->in), and its JSON forms. */
static enum paid_next
paid_prepare(struct paid *p)
{
	struct ledger_payment	*in = &p->in;
	struct sf_err		 err;

	snprintf(p->out->network, sizeof(p->out->network), "%s",
	    p->vd.offer->network);
	if (paid_hash(p) == -1 || paid_requirements(p) == -1 ||
	    paid_payload(p) == -1) {
		sf_err_set(&err, 500, "out_of_memory", NULL, "out of memory");
		paid_error(p, &err);
		return PAID_DONE;
	}
	snprintf(in->endpoint, sizeof(in->endpoint), "%s", p->ctx->ep->name);
	snprintf(in->request_hash, sizeof(in->request_hash), "%s", p->req_hash);
	snprintf(in->payer, sizeof(in->payer), "%s", paid_payer(p));
	snprintf(in->amount, sizeof(in->amount), "%s", p->pay.svm ?
	    p->vd.offer->amount : p->vd.auth.value_dec);
	snprintf(in->asset, sizeof(in->asset), "%s", p->vd.offer->asset);
	snprintf(in->network, sizeof(in->network), "%s", p->vd.offer->network);
	in->x402_version = p->version;
	snprintf(in->nonce, sizeof(in->nonce), "%s", paid_key(p));
	if (p->pay.svm) {
		/* The blockhash's lifetime is the window; counted from now. */
		snprintf(in->valid_after, sizeof(in->valid_after), "%lld",
		    (long long)time(NULL));
		snprintf(in->valid_before, sizeof(in->valid_before), "%lld",
		    (long long)time(NULL) + X402_SVM_WINDOW);
	} else {
		snprintf(in->valid_after, sizeof(in->valid_after), "%s",
		    p->vd.auth.valid_after_dec);
		snprintf(in->valid_before, sizeof(in->valid_before), "%s",
		    p->vd.auth.valid_before_dec);
	}
	in->payload = p->payload;
	in->requirements = p->requirements;
	if (p->pay.has_id)
		snprintf(in->payment_id, sizeof(in->payment_id), "%s", p->pay.id);
	in->state = LEDGER_VERIFIED;
	return PAID_GO;
}

/*
 * The authorization must outlive the work and the settlement after it:
 * validBefore >= now + deadline + SETTLE_MARGIN.  A payment the ledger
 * knows (a retry) is answered from its row instead.
 */
static enum paid_next
paid_window(struct paid *p, struct ledger_payment *row)
{
	struct sf_err		 err;
	unsigned long long	 vb, need;
	char			*end, msg[400];

	/*
	 * Solana: the window is the blockhash's (~60-90 s) and the payer
	 * cannot lengthen it.  Work that may outlast it is paid first, or
	 * we could end up doing work that can no longer be paid for (the
	 * 402's description says so).  README "Solana payments".
	 */
	if (p->pay.svm) {
		if (cfg_window(p->ctx->cfg, p->ctx->ep->deadline) >
		    X402_SVM_WINDOW)
			p->settle_first = 1;
		return PAID_GO;
	}
	need = (unsigned long long)time(NULL) +
	    cfg_window(p->ctx->cfg, p->ctx->ep->deadline);
	vb = strtoull(p->vd.auth.valid_before_dec, &end, 10);
	if (*end != '\0' || vb >= need)		/* too long for 64 bits: far */
		return PAID_GO;
	if (ledger_find(p->ctx->ledger, &p->in, row, &err) == 1) {
		paid_existing(p, row);
		return PAID_DONE;
	}
	snprintf(msg, sizeof(msg), "validBefore %llu is too soon: this "
	    "endpoint's work takes up to %u s and settlement needs %u s more, "
	    "so sign with validBefore >= %llu (now + maxTimeoutSeconds from "
	    "this 402); nothing was charged", vb, p->ctx->ep->deadline,
	    p->ctx->cfg->settle_margin, need);
	p->out->pay = "refused";
	paid_challenge(p, "valid_before_too_soon", msg);
	return PAID_DONE;
}

/* Claim it (the replay guard), or answer from the row that has it. */
static void
paid_claim(struct paid *p, struct ledger_payment *row)
{
	struct sf_err	 err;
	int		 rc;

	if ((rc = ledger_claim(p->ctx->ledger, &p->in, row, &err)) == -1) {
		sf_err_set(&err, 503, "ledger_unavailable", NULL, "the payment "
		    "could not be recorded, so it was not used; nothing was "
		    "charged, retry later");
		paid_error(p, &err);
		return;
	}
	p->out->pay = "verified";
	if (rc != LEDGER_NEW) {
		paid_existing(p, row);
		return;
	}
	p->since = row->created;
	p->claimed_now = 1;
	paid_admit(p, row->id);
}

void
flow_paid(const struct flow_ctx *ctx, const struct msg_req *req,
    struct val_result *vr, struct msg_resp *resp, struct flow_outcome *out)
{
	struct paid		 p;
	struct ledger_payment	 row;

	memset(&p, 0, sizeof(p));
	memset(&row, 0, sizeof(row));
	p.ctx = ctx;
	p.req = req;
	p.vr = vr;
	p.resp = resp;
	p.out = out;
	snprintf(out->amount, sizeof(out->amount), "%s", vr->amount);
	snprintf(p.resource, sizeof(p.resource), "%s%s", ctx->cfg->public_url,
	    ctx->ep->path);
	if (paid_refusable(&p) == PAID_GO && paid_ask(&p) == PAID_GO &&
	    paid_verify_local(&p, &row) == PAID_GO &&
	    paid_prepare(&p) == PAID_GO && paid_window(&p, &row) == PAID_GO)
		paid_claim(&p, &row);	/* -> prove -> admit -> work -> settle */
	ledger_payment_free(&row);
	cJSON_free(p.requirements);
	cJSON_free(p.payload_own);
	x402_payment_free(&p.pay);
}
