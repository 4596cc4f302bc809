/*
 * The paid POST.  flow_paid() at the bottom runs these steps in this
 * order, the order of the request flow (docs/architecture.md).  Each does one thing and
 * returns PAID_GO (the next step runs) or PAID_DONE (the response is
 * written); no step calls another.  A payment the ledger already holds
 * resumes where its row stands: PAID_CLAIM sets p->next to that step.
 *
 *   PAID_REFUSABLE     input URLs guarded, route resolved, our offers built
 *                      (each completed by its scheme family): 4xx/5xx
 *                      before any 402
 *   PAID_ASK           no payment header: the 402 with our offers
 *   PAID_VERIFY        decode, made for this endpoint's resource, the
 *                      family's free local checks (x402_scheme.h);
 *                      invalid: 402 with the reason, but an expired
 *                      payment goes on to PAID_REPLAY
 *   PAID_REPLAY        expired: the stored result if this very payment
 *                      settled this very request, else 402
 *   PAID_PREPARE       what the ledger keeps: the family's terms (payer,
 *                      replay key, amount, validity), the payload to
 *                      settle, our matched offer as JSON, the request hash
 *   PAID_WINDOW        the family's window rule: the payment outlives the
 *                      work and SETTLE_MARGIN, or is settled first (Solana,
 *                      long work), or is too short (held for PAID_RETRY)
 *   PAID_RETRY         too short now: a retry of a payment the ledger knows
 *                      goes on with its row; any other is refused (402)
 *   PAID_CLAIM         the replay guard: claim it, or answer from, wait
 *                      for or take over the row that holds it (a loop: a
 *                      row dropped meanwhile is claimed again, 3 times)
 *   PAID_RESERVE       the payer's exposure: the row reserved (working)
 *                      unless MAX_INFLIGHT_PER_PAYER calls run (429)
 *   PAID_PROVE         the family's proof that it can settle: on chain or
 *                      the facilitator's /verify (402 with its reason; 503
 *                      when nobody could be asked)
 *   PAID_FITS          the payer's other unsettled payments plus this one
 *                      within the balance just read (402), or, balance
 *                      unknown, no other unsettled payment (429)
 *   PAID_SETTLE_FIRST  [SETTLE_FIRST, SETTLE_FIRST_ABOVE, or a family
 *                      window the work may outlast] settled before the work
 *   PAID_ENQUEUE       [a job: Prefer, or the definition's default] the
 *                      job recorded, 202 with its status URL; a runner
 *                      goes on from here (flow_job.h)
 *   PAID_WORK          the upstream call(s) within the deadline, the body
 *   PAID_STORE         the result stored, the row delivered (a crash now
 *                      leaves it to the next request for this payment, or
 *                      synthforge-ctl settle-pending)
 *   PAID_SETTLE        settled (transient failures retried while the
 *                      payment lives, the row kept alive by a heartbeat:
 *                      flow_beat.h), answered with the settlement header
 *
 * Money is never taken for work that failed (unless the seller chose
 * settle-first for the endpoint and the 402 said so), and no upstream
 * money is spent on a payment that was not shown settleable.  A refusal
 * by PAID_RESERVE, PAID_PROVE or PAID_FITS drops the claim, so the payment
 * can be presented again.
 *
 * A runner (flow_paid_job, p->run set) runs the same list on a job's
 * stored request and payment: PAID_CLAIM resumes the job's row where it
 * stands (the proof again before any upstream call, or the settlement of
 * a stored result), PAID_RETRY fails a job its payment can no longer
 * cover (it would outrun validBefore), PAID_STORE first wins the job
 * against a cancellation, and any refusal fails the job, never charged.
 */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <sys/random.h>

#include <nettle/sha2.h>

#include "basics/captoken.h"
#include "basics/cfg.h"
#include "basics/def.h"
#include "basics/err.h"
#include "basics/hex.h"
#include "basics/msg.h"
#include "basics/str.h"
#include "flow/flow.h"
#include "flow/flow_beat.h"
#include "flow/flow_job.h"
#include "flow/webhook.h"
#include "ledger/ledger.h"
#include "media/urlguard.h"
#include "providers/route.h"
#include "providers/work.h"
#include "validate/val.h"
#include "x402/settle.h"
#include "x402/x402_challenge.h"
#include "x402/x402_offer.h"
#include "x402/x402_response.h"
#include "x402/x402_scheme.h"

#define PAID_MAX_OFFERS	CFG_MAX_NETS
/* Clock skew allowed between us and the chain when dating a transfer. */
#define PAID_SKEW	5
/* Claims tried again after the row that held the payment was dropped. */
#define PAID_RECLAIMS	3

/* A step's verdict: go on, or the response is written. */
enum paid_next { PAID_GO = 0, PAID_DONE };

/* The steps, in the order flow_paid() runs them (see above). */
enum paid_step {
	PAID_REFUSABLE = 0, PAID_ASK, PAID_VERIFY, PAID_REPLAY, PAID_PREPARE,
	PAID_WINDOW, PAID_RETRY, PAID_CLAIM, PAID_RESERVE, PAID_PROVE,
	PAID_FITS, PAID_SETTLE_FIRST, PAID_ENQUEUE, PAID_WORK, PAID_STORE,
	PAID_SETTLE, PAID__STEPS
};

/* Everything from version on belongs to the payment (see flow_paid). */
struct paid {
	const struct flow_ctx	*ctx;
	const struct msg_req	*req;
	struct val_result	*vr;
	struct msg_resp		*resp;
	struct flow_outcome	*out;
	struct x402_env		 env;		/* what the schemes read */
	enum paid_step		 next;		/* the step to run next */
	/* The offers and the 402 (PAID_REFUSABLE). */
	struct x402_offer	 offers[PAID_MAX_OFFERS];
	size_t			 noffers;
	char			 resource[640];
	char			 desc[1024];	/* 402 description */
	int			 settle_first;
	/* Jobs (flow_job.h): this request runs as one (PAID_ENQUEUE), or a
	   runner runs this leased job (run set). */
	int			 async;
	const char		*applied;	/* Preference-Applied */
	struct flow_job_run	*run;
	char			 progress[160];	/* last recorded */
	/* The payment (PAID_VERIFY, PAID_PREPARE, PAID_WINDOW). */
	int			 version;
	struct x402_check	 chk;
	int			 expired;	/* only its validBefore failed */
	struct x402_terms	 terms;
	char			*requirements;	/* our matched offer, JSON */
	char			*payload;	/* payment payload to settle */
	char			 req_hash[67];	/* 0x + sha256 hex */
	struct ledger_payment	 in;		/* what the claim writes */
	int			 late;		/* window too short (msg) */
	char			 late_msg[400];
	/* Its ledger row (PAID_RETRY, PAID_CLAIM) and what it stands for. */
	struct ledger_payment	 row;
	int			 known;		/* row holds it: no claim */
	int			 reclaims;
	int64_t			 id;		/* the row this request owns */
	int			 claimed_now;	/* this request created it */
	int64_t			 since;		/* claim time, for reconcile */
	struct ledger_exposure	 ex;		/* PAID_RESERVE */
	struct x402_proof	 proof;		/* PAID_PROVE: balance */
	char			 paid_tx[96];	/* settled first: the tx */
	/* The result to settle for (PAID_WORK, or a row's). */
	char			*body;		/* ours, from the work */
	const char		*result;
	size_t			 result_len;
	const char		*ctype;
	int			 fresh;		/* no settle attempt before */
};

static enum paid_next	paid_job_refuse(struct paid *, const char *,
			    const char *);

static void
paid_error(struct paid *p, const struct sf_err *err)
{
	msg_resp_error(p->resp, err);
	str_copy(p->out->reason, sizeof(p->out->reason), err->code);
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
	str_copy(p->out->reason, sizeof(p->out->reason), reason);
}

/* The settlement header of our version. */
static void
paid_settle_header(struct paid *p, int success, const char *tx,
    const char *reason)
{
	x402_response_header(p->resp, p->version, p->chk.vd.offer,
	    p->chk.vd.payer, success, tx, reason);
}

/* 200 with the stored body and the settlement header. */
static void
paid_deliver(struct paid *p, const char *body, size_t len, const char *ctype,
    const char *tx)
{
	msg_resp_body(p->resp, 200, ctype[0] ? ctype : "application/json",
	    body, len);
	paid_settle_header(p, 1, tx, NULL);
	str_copy(p->out->tx, sizeof(p->out->tx), tx);
}

/*
 * A job's answer to its submit, new or sent again: its result once
 * settled (a replay), else 202 with the job, a status link (tok: the one
 * just minted, NULL: mint another), Location, Retry-After, and what was
 * settled first if anything (Solana).
 */
static void
paid_job_answer(struct paid *p, const struct ledger_job *job, const char *tok)
{
	struct sf_err	 err;
	const cJSON	*url;
	cJSON		*j;
	char		 fresh[CAPTOKEN_STRLEN], ra[16];

	if (job->state == LEDGER_SETTLED && p->row.result != NULL) {
		p->out->pay = FLOW_PAY_REPLAYED;
		paid_deliver(p, p->row.result, p->row.result_len,
		    p->row.content_type, p->row.tx);
		return;
	}
	if (tok == NULL && flow_job_link(p->ctx->ledger, job->id, fresh,
	    &err) == 1)
		tok = fresh;
	if ((j = flow_job_json(p->ctx->cfg, &p->ctx->jobs, job, NULL,
	    tok)) != NULL)
		flow_job_json_webhook(j, job);
	if (j == NULL || msg_resp_json(p->resp, 202, j) == -1) {
		cJSON_Delete(j);
		sf_err_set(&err, 500, "out_of_memory", NULL, "out of memory");
		paid_error(p, &err);
		return;
	}
	url = cJSON_GetObjectItemCaseSensitive(j, "status_url");
	if (cJSON_IsString(url))
		p->resp->location = strdup(url->valuestring);
	cJSON_Delete(j);
	snprintf(ra, sizeof(ra), "%u", p->ctx->jobs.retry_after);
	msg_resp_header(p->resp, "Retry-After", ra);
	if (p->applied != NULL && *p->applied != '\0')
		msg_resp_header(p->resp, "Preference-Applied", p->applied);
	if (job->tx[0] != '\0')
		paid_settle_header(p, 1, job->tx, NULL);
	str_copy(p->out->tx, sizeof(p->out->tx), job->tx);
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

/*
 * Refuse before any work: the claim is dropped, the payment reusable.  A
 * job's runner fails the job instead (its row stays, work_failed: never
 * settled), and the job's status says why.
 */
static void
paid_refuse(struct paid *p, int status, const char *code, const char *msg)
{
	struct sf_err	 err;

	/* A runner's: nobody could tell (503) is tried again later. */
	if (p->run != NULL) {
		if (status != 503)
			(void)paid_job_refuse(p, code, msg);
		else
			str_copy(p->run->message, sizeof(p->run->message), msg);
		return;
	}
	/* Reserved (working) or only claimed (verified): either way dropped. */
	ledger_release(p->ctx->ledger, p->id, &err);
	p->out->pay = FLOW_PAY_REFUSED;
	if (status == 402) {
		paid_challenge(p, code, msg);
		return;
	}
	sf_err_set(&err, status, code, NULL, "%s", msg);
	paid_error(p, &err);
}

/*
 * A runner's refusal: the job failed and is never charged (its working
 * row goes to work_failed; a stored result not yet settled, delivered,
 * to settle_failed), and its status gives msg.
 */
static enum paid_next
paid_job_refuse(struct paid *p, const char *code, const char *msg)
{
	struct sf_err	 err;

	if (ledger_set_state(p->ctx->ledger, p->id, LEDGER_WORKING,
	    LEDGER_WORK_FAILED, code, &err) == 0)
		ledger_set_state(p->ctx->ledger, p->id, LEDGER_DELIVERED,
		    LEDGER_SETTLE_FAILED, code, &err);
	p->out->pay = FLOW_PAY_REFUSED;
	str_copy(p->out->reason, sizeof(p->out->reason), code);
	str_copy(p->run->message, sizeof(p->run->message), msg);
	return PAID_DONE;
}

static void
paid_ledger_down(struct paid *p)
{
	struct sf_err	 err;

	sf_err_set(&err, 503, "ledger_unavailable", NULL, "the payment could "
	    "not be recorded, so it was not used; nothing was charged, retry "
	    "later");
	paid_error(p, &err);
}

/* ---- before the 402 and the payment ----------------------------------- */

static int
paid_check_urls(struct paid *p, struct sf_err *err)
{
	const struct def_param	*prm;
	const cJSON		*v;

	for (prm = p->ctx->ep->params; prm->name != NULL; prm++) {
		if (prm->type != DEF_URL && prm->type != DEF_WEBHOOK)
			continue;
		v = cJSON_GetObjectItemCaseSensitive(p->vr->req, prm->name);
		if (!cJSON_IsString(v))
			continue;
		/* A webhook is sent to, not fetched: its own rules. */
		if ((prm->type == DEF_WEBHOOK ? webhook_check_url(p->ctx->cfg,
		    v->valuestring, prm->name, err) : urlguard_check(
		    p->ctx->cfg, v->valuestring, prm->name, err)) == -1)
			return -1;
	}
	return 0;
}

/*
 * Our offers, one per network, each completed by its family for a live
 * 402; one that cannot be had now (a Solana facilitator without a fee
 * payer) is left out, and the log says why once per facilitator answer.
 */
static void
paid_offers(struct paid *p)
{
	const struct x402_scheme	*s;
	size_t				 i, n, k;
	char				 why[256];
	int				 fresh;

	n = x402_offers_ep(p->ctx->cfg, p->vr->amount, p->ctx->ep->deadline,
	    p->offers, PAID_MAX_OFFERS);
	for (i = k = 0; i < n; i++) {
		s = x402_scheme_of_offer(&p->offers[i]);
		if (s->offer_complete(&p->env, &p->offers[i], why, sizeof(why),
		    &fresh) == -1) {
			if (fresh)
				fprintf(stderr, "%s: %s (%s) not offered: %s\n",
				    p->ctx->ep->name, s->title,
				    p->offers[i].network, why);
			continue;
		}
		if (k != i)
			p->offers[k] = p->offers[i];
		k++;
	}
	p->noffers = k;
}

/* Append note to the 402's description (once). */
static void
paid_note(struct paid *p, const char *note)
{
	size_t	 n = strlen(p->desc);

	if (note != NULL && strstr(p->desc, note) == NULL && n + 1 <
	    sizeof(p->desc)) {
		p->desc[n] = ' ';
		str_copy(p->desc + n + 1, sizeof(p->desc) - n - 1, note);
	}
}

/*
 * What the 402 adds to the summary: a job's answer (202 and a status
 * URL), then when the money moves: a settle-first endpoint's promise, an
 * offered family whose payments the work may outlive, or for a job that
 * it is settled only when it succeeds; then what each offered family
 * says of itself.
 */
static void
paid_describe(struct paid *p)
{
	const struct x402_scheme	*s;
	size_t				 i;
	int				 late = 0;

	str_copy(p->desc, sizeof(p->desc), p->ctx->ep->summary);
	if (p->async)
		paid_note(p, X402_JOB_NOTE);
	if (p->settle_first)
		paid_note(p, X402_SETTLE_FIRST_NOTE);
	for (i = 0; i < p->noffers && !p->settle_first; i++) {
		s = x402_scheme_of_offer(&p->offers[i]);
		if (s->max_window > 0 && x402_window(p->ctx->cfg,
		    p->ctx->ep->deadline) > s->max_window) {
			paid_note(p, s->late_note);
			late = 1;
		}
	}
	if (p->async && !p->settle_first)
		paid_note(p, late ? "Other payments are settled only when the "
		    "job succeeds." : X402_JOB_PAY_NOTE);
	for (i = 0; i < p->noffers; i++)
		paid_note(p, x402_scheme_of_offer(&p->offers[i])->pay_note);
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
	str_copy(p->out->provider, sizeof(p->out->provider),
	    rt.offline ? "offline" : rt.provider);
	if (p->run == NULL)
		p->async = flow_job_wanted(ctx->ep, p->req->prefer,
		    &p->applied);
	paid_offers(p);
	p->settle_first = x402_settle_first(ctx->cfg, ctx->ep->name,
	    p->vr->amount);
	paid_describe(p);
	return PAID_GO;
}

/* No payment header: the 402 with our offers. */
static enum paid_next
paid_ask(struct paid *p)
{
	if (p->req->payment_v2 != NULL || p->req->payment_v1 != NULL)
		return PAID_GO;
	p->out->pay = FLOW_PAY_REQUIRED;
	paid_challenge(p, "payment_required", "Payment required: sign one of "
	    "the offered payments (an EIP-3009 authorization, or a Solana "
	    "transfer) and retry with PAYMENT-SIGNATURE (x402 v2) or X-PAYMENT "
	    "(v1).");
	p->out->reason[0] = '\0';
	return PAID_DONE;
}

/* A payment made for another resource (another endpoint's 402). */
static void
paid_resource_refused(struct paid *p)
{
	char	 msg[1400];

	snprintf(msg, sizeof(msg), "this payment was made for the resource "
	    "%.600s, not for %.600s: it pays for the endpoint whose 402 it "
	    "answers; nothing was charged and it can still pay for that one, "
	    "or sign a payment for this endpoint's 402", p->chk.pay.resource_url,
	    p->resource);
	p->out->pay = FLOW_PAY_REFUSED;
	paid_challenge(p, "resource_mismatch", msg);
}

/*
 * Decode and verify against our own offers, free checks only, by the
 * payment's family.  Invalid: refused, except a payment whose only fault
 * is its expiry (PAID_REPLAY may hold its result).
 */
static enum paid_next
paid_verify(struct paid *p)
{
	const struct x402_verdict	*vd = &p->chk.vd;
	struct sf_err			 err;
	const char			*hdr;

	/* v2 wins when a client sends both. */
	p->version = p->req->payment_v2 != NULL ? 2 : 1;
	hdr = p->version == 2 ? p->req->payment_v2 : p->req->payment_v1;
	if (x402_scheme_verify_header(hdr, p->version, p->offers, p->noffers,
	    time(NULL), &p->chk) == -1) {
		sf_err_set(&err, 500, "unexpected_verify_error", NULL, "the "
		    "payment could not be verified (out of memory); nothing "
		    "was charged");
		paid_error(p, &err);
		return PAID_DONE;
	}
	str_copy(p->out->payer, sizeof(p->out->payer), vd->payer);
	if (p->chk.scheme != NULL && !x402_payment_for(&p->chk.pay,
	    p->resource)) {
		paid_resource_refused(p);
		return PAID_DONE;
	}
	if (vd->valid)
		return PAID_GO;
	if (strcmp(vd->reason, X402_R_VALID_BEFORE) == 0 && vd->offer != NULL) {
		p->expired = 1;
		return PAID_GO;
	}
	if (p->run != NULL)
		return paid_job_refuse(p, vd->reason, "the stored payment no "
		    "longer verifies against this server's offers (its "
		    "settings changed); the job did not run and you were not "
		    "charged");
	p->out->pay = FLOW_PAY_REFUSED;
	paid_challenge(p, vd->reason, vd->message);
	return PAID_DONE;
}

/* The settled ledger row of this very payment and request, if any. */
static int
paid_settled_copy(struct paid *p)
{
	const struct x402_offer	*o = p->chk.vd.offer;
	struct ledger_payment	 key, *row = &p->row;
	struct sf_err		 err;

	p->chk.scheme->terms(&p->chk, time(NULL), &p->terms);
	memset(&key, 0, sizeof(key));
	str_copy(key.payer, sizeof(key.payer), p->terms.payer);
	str_copy(key.asset, sizeof(key.asset), o->asset);
	str_copy(key.network, sizeof(key.network), o->network);
	str_copy(key.nonce, sizeof(key.nonce), p->terms.key);
	if (ledger_find(p->ctx->ledger, &key, row, &err) != 1)
		return 0;
	return row->state == LEDGER_SETTLED &&
	    strcmp(row->nonce, p->terms.key) == 0 &&
	    strcmp(row->request_hash, p->req_hash) == 0 &&
	    strcmp(row->endpoint, p->ctx->ep->name) == 0;
}

/* A replay of an expired payment: its stored result, or refused. */
static enum paid_next
paid_replay(struct paid *p)
{
	const struct ledger_payment	*row = &p->row;

	if (!p->expired)
		return PAID_GO;
	/* A runner: a stored result may still be settled (or found settled
	   on chain); work is never started on an expired payment. */
	if (p->run != NULL)
		return p->run->job->state == LEDGER_DELIVERED ? PAID_GO :
		    paid_job_refuse(p, X402_R_VALID_BEFORE, "the payment's "
		    "authorization expired before the job could run; you were "
		    "not charged");
	if (paid_hash(p) == 0 && paid_settled_copy(p)) {
		p->out->pay = FLOW_PAY_REPLAYED;
		paid_deliver(p, row->result, row->result_len,
		    row->content_type, row->tx);
		return PAID_DONE;
	}
	p->out->pay = FLOW_PAY_REFUSED;
	paid_challenge(p, p->chk.vd.reason, p->chk.vd.message);
	return PAID_DONE;
}

static int
paid_requirements(struct paid *p)
{
	cJSON	*j;

	j = p->version == 1 ? x402_offer_v1_desc(p->ctx->ep, p->resource,
	    p->chk.vd.offer, p->desc[0] ? p->desc : NULL) :
	    x402_offer_v2(p->chk.vd.offer);
	if (j == NULL)
		return -1;
	p->requirements = cJSON_PrintUnformatted(j);
	cJSON_Delete(j);
	return p->requirements == NULL ? -1 : 0;
}

/* What the ledger keeps of this payment (p->in), and its JSON forms. */
static enum paid_next
paid_prepare(struct paid *p)
{
	const struct x402_offer	*o = p->chk.vd.offer;
	struct ledger_payment	*in = &p->in;
	struct sf_err		 err;

	str_copy(p->out->network, sizeof(p->out->network), o->network);
	p->chk.scheme->terms(&p->chk, time(NULL), &p->terms);
	if (paid_hash(p) == -1 || paid_requirements(p) == -1 ||
	    (p->payload = p->chk.scheme->payload(&p->chk)) == NULL) {
		sf_err_set(&err, 500, "out_of_memory", NULL, "out of memory");
		paid_error(p, &err);
		return PAID_DONE;
	}
	str_copy(in->endpoint, sizeof(in->endpoint), p->ctx->ep->name);
	str_copy(in->request_hash, sizeof(in->request_hash), p->req_hash);
	str_copy(in->payer, sizeof(in->payer), p->terms.payer);
	str_copy(in->amount, sizeof(in->amount), p->terms.amount);
	str_copy(in->asset, sizeof(in->asset), o->asset);
	str_copy(in->network, sizeof(in->network), o->network);
	in->x402_version = p->version;
	str_copy(in->nonce, sizeof(in->nonce), p->terms.key);
	str_copy(in->valid_after, sizeof(in->valid_after),
	    p->terms.valid_after);
	str_copy(in->valid_before, sizeof(in->valid_before),
	    p->terms.valid_before);
	in->payload = p->payload;
	in->requirements = p->requirements;
	if (p->chk.pay.has_id)
		str_copy(in->payment_id, sizeof(in->payment_id), p->chk.pay.id);
	in->state = LEDGER_VERIFIED;
	return PAID_GO;
}

/*
 * The payment must outlive the work and the settlement after it (deadline
 * + SETTLE_MARGIN), by its family's rule: fine, settled first (a window
 * the payer cannot lengthen), or too short (PAID_RETRY answers).
 */
static enum paid_next
paid_window(struct paid *p)
{
	switch (p->chk.scheme->window(&p->chk, time(NULL),
	    p->ctx->ep->deadline, p->ctx->cfg->settle_margin, p->late_msg,
	    sizeof(p->late_msg))) {
	case X402_WINDOW_SETTLE_FIRST:
		p->settle_first = 1;
		break;
	case X402_WINDOW_SHORT:
		p->late = 1;
		break;
	default:
		break;
	}
	return PAID_GO;
}

/* Too short to start now: a retry of a known payment goes on with its
   row (its result, its settlement); any other is refused. */
static enum paid_next
paid_retry(struct paid *p)
{
	struct sf_err	 err;

	if (!p->late)
		return PAID_GO;
	/* A runner starts no work the payment cannot outlast (the work may
	   already be upstream: then it is finished and settled if it can). */
	if (p->run != NULL)
		return p->run->job->state != LEDGER_WORKING ||
		    p->run->job->upstream != NULL ? PAID_GO :
		    paid_job_refuse(p, "valid_before_too_soon", "the job "
		    "would outrun the payment's authorization (validBefore): "
		    "the work could not finish and be settled before it "
		    "expires, so it was not started; you were not charged");
	if (ledger_find(p->ctx->ledger, &p->in, &p->row, &err) == 1) {
		p->known = 1;
		return PAID_GO;
	}
	p->out->pay = FLOW_PAY_REFUSED;
	paid_challenge(p, "valid_before_too_soon", p->late_msg);
	return PAID_DONE;
}

/* ---- the claim: a new row, or the one that holds this payment ---------- */

/* Same payment, another request (or another payment under this id): 409. */
static int
paid_mismatch(struct paid *p)
{
	const struct ledger_payment	*row = &p->row;
	struct sf_err			 err;

	if (strcmp(row->nonce, p->terms.key) != 0)
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

/* What looking at a known row decided. */
enum paid_row {
	PAID_ROW_TAKEN,		/* ours now: p->next says where to resume */
	PAID_ROW_ANSWERED,	/* the response is written (its stored
				   result, a 409, an error) */
	PAID_ROW_BUSY,		/* another request is on it: wait */
	PAID_ROW_GONE,		/* its claimer dropped it: claim it again */
};

/*
 * One look at a known row of this payment and request.  Settled: the
 * stored result.  Settle failed: settlement again.  Work failed: the work
 * again (nothing charged, or settled first).  Claimed by a process that
 * died (untouched longer than the work takes): taken over where it was.
 * Delivered by a process that died while settling (its heartbeat stopped
 * FLOW_BEAT_STALE seconds ago): settled again, not fresh, so a transfer
 * its owner made is found and counted as this payment's, never repeated.
 */
static enum paid_row
paid_take(struct paid *p)
{
	struct ledger		*l = p->ctx->ledger;
	struct ledger_payment	*row = &p->row;
	struct sf_err		 err;
	enum paid_step		 at;
	int64_t			 stale = (int64_t)time(NULL) -
				    (int64_t)p->ctx->ep->deadline - 120;
	int			 took;

	p->since = row->created;
	str_copy(p->paid_tx, sizeof(p->paid_tx), row->tx);
	switch (row->state) {
	case LEDGER_SETTLED:
		p->out->pay = FLOW_PAY_REPLAYED;
		paid_deliver(p, row->result, row->result_len,
		    row->content_type, row->tx);
		return PAID_ROW_ANSWERED;
	case LEDGER_SETTLE_FAILED:
		took = ledger_set_state(l, row->id, LEDGER_SETTLE_FAILED,
		    LEDGER_DELIVERED, NULL, &err) == 1;
		at = PAID_SETTLE;
		break;
	/*
	 * The work again.  Settled first: the money is ours, straight to the
	 * work.  Otherwise proven again from the reservation on: the payer's
	 * balance may have moved since, and a stale working row's owner may
	 * have died before its proof.
	 */
	case LEDGER_WORK_FAILED:
		took = ledger_set_state(l, row->id, LEDGER_WORK_FAILED,
		    row->tx[0] ? LEDGER_WORKING : LEDGER_VERIFIED, NULL,
		    &err) == 1;
		at = row->tx[0] ? PAID_SETTLE_FIRST : PAID_RESERVE;
		break;
	case LEDGER_VERIFIED:		/* died before its reservation */
		took = ledger_take_stale(l, row->id, row->state,
		    LEDGER_VERIFIED, stale, &err) == 1;
		at = PAID_RESERVE;
		break;
	case LEDGER_WORKING:		/* nothing was settled after work */
		took = ledger_take_stale(l, row->id, row->state,
		    row->tx[0] ? LEDGER_WORKING : LEDGER_VERIFIED, stale,
		    &err) == 1;
		at = row->tx[0] ? PAID_SETTLE_FIRST : PAID_RESERVE;
		break;
	case LEDGER_DELIVERED:		/* its settler's heartbeat stopped */
		took = ledger_take_stale(l, row->id, row->state,
		    LEDGER_DELIVERED, (int64_t)time(NULL) - FLOW_BEAT_STALE + 1,
		    &err) == 1;
		at = PAID_SETTLE;
		break;
	default:
		return PAID_ROW_BUSY;
	}
	if (!took)
		return PAID_ROW_BUSY;
	p->id = row->id;
	p->next = at;
	/* The stored result, for a settlement that failed before. */
	p->result = row->result;
	p->result_len = row->result_len;
	p->ctype = row->content_type;
	return PAID_ROW_TAKEN;
}

/* The row again after a pause: busy (read), gone (its claimer dropped
   it), or answered (the ledger cannot be read). */
static enum paid_row
paid_reread(struct paid *p)
{
	struct sf_err	 err;
	int64_t		 id = p->row.id;
	int		 rc;

	usleep(200000);
	ledger_payment_free(&p->row);
	if ((rc = ledger_get(p->ctx->ledger, id, &p->row, &err)) == 1)
		return PAID_ROW_BUSY;
	if (rc == 0 && p->reclaims++ < PAID_RECLAIMS)
		return PAID_ROW_GONE;
	sf_err_set(&err, 500, "ledger_unavailable", NULL, "the payment ledger "
	    "cannot be read; nothing was charged");
	paid_error(p, &err);
	return PAID_ROW_ANSWERED;
}

/* The same payer (hex in any case; base58 as is)? */
static int
paid_same_payer(const char *a, const char *b)
{
	return strncmp(a, "0x", 2) == 0 ? strcasecmp(a, b) == 0 :
	    strcmp(a, b) == 0;
}

/*
 * A known row that is a job answers with the job: its result when it
 * succeeded (200 and the settlement, as a synchronous replay), else 202
 * and a new status link.  The same payment, or the same
 * payment-identifier from the same payer for the same request (a retry
 * that signed a new payment: never used); anything else is the 409 of
 * paid_mismatch.  1 answered (job or error), 0 the row has no job.
 */
static int
paid_job_known(struct paid *p)
{
	const struct ledger_payment	*row = &p->row;
	struct ledger_job		 job;
	struct sf_err			 err;
	int				 rc;

	if ((rc = ledger_job_of_payment(p->ctx->ledger, row->id, &job,
	    &err)) == 0)
		return 0;
	if (rc == -1) {
		paid_ledger_down(p);
		return 1;
	}
	if ((strcmp(row->nonce, p->terms.key) != 0 &&
	    paid_same_payer(row->payer, p->terms.payer) &&
	    strcmp(row->request_hash, p->req_hash) == 0 &&
	    strcmp(row->endpoint, p->ctx->ep->name) == 0) ||
	    !paid_mismatch(p))
		paid_job_answer(p, &job, NULL);
	ledger_job_free(&job);
	return 1;
}

/*
 * The payment is in the ledger already: answer from its row, take it
 * over, or wait (polling) while another request is on it.  Never busy.
 */
static enum paid_row
paid_known(struct paid *p)
{
	struct sf_err	 err;
	enum paid_row	 r;
	int		 waited, limit = (int)(p->ctx->ep->deadline + 90) * 5;

	p->out->pay = FLOW_PAY_VERIFIED;
	if (paid_job_known(p))
		return PAID_ROW_ANSWERED;
	for (waited = 0;; waited++) {
		if (paid_mismatch(p))
			return PAID_ROW_ANSWERED;
		if ((r = paid_take(p)) != PAID_ROW_BUSY)
			return r;
		if (waited >= limit) {
			sf_err_set(&err, 409, "payment_in_progress", NULL,
			    "this payment is still being processed; retry "
			    "with the same payment to receive the result");
			paid_error(p, &err);
			msg_resp_header(p->resp, "Retry-After", "10");
			return PAID_ROW_ANSWERED;
		}
		if ((r = paid_reread(p)) != PAID_ROW_BUSY)
			return r;
	}
}

/*
 * The replay guard: claim the payment (a new row: on to PAID_RESERVE), or
 * go on from the row that holds it.  Its claimer may refuse it and drop
 * the row while we wait: then it is ours to claim, so the caller hears
 * the reason itself.
 */
/*
 * A runner's claim: the job's payment row (leased with the job) resumes
 * where it stands: working, the proof again before any upstream call
 * (the payer may have spent the balance since the submit) unless the
 * upstream has the work already; delivered, the settlement of its stored
 * result.  Anything else is over: nothing to do.
 */
static enum paid_next
paid_resume(struct paid *p)
{
	struct ledger_payment	*row = &p->row;
	struct sf_err		 err;
	int			 rc;

	if ((rc = ledger_get(p->ctx->ledger, p->id, row, &err)) != 1) {
		if (rc == -1)
			paid_ledger_down(p);
		return PAID_DONE;
	}
	p->since = row->created;
	str_copy(p->paid_tx, sizeof(p->paid_tx), row->tx);
	switch (row->state) {
	case LEDGER_WORKING:
		/* Its runner stopped during an upstream call that left no
		   reference: calling again could pay the upstream twice. */
		if (p->run->job->upstream == NULL && p->run->job->started != 0)
			return paid_job_refuse(p, "job_interrupted", "the job's "
			    "runner stopped during its upstream call, which "
			    "cannot be resumed; it was not started again (the "
			    "upstream would have been paid twice) and you were "
			    "not charged");
		p->next = p->run->job->upstream != NULL ? PAID_SETTLE_FIRST :
		    PAID_PROVE;
		return PAID_GO;
	case LEDGER_DELIVERED:
		p->result = row->result;
		p->result_len = row->result_len;
		p->ctype = row->content_type;
		p->next = PAID_SETTLE;
		return PAID_GO;
	default:
		return PAID_DONE;
	}
}

static enum paid_next
paid_claim(struct paid *p)
{
	struct sf_err	 err;
	int		 rc;

	if (p->run != NULL)
		return paid_resume(p);
	for (;;) {
		if (!p->known) {
			rc = ledger_claim(p->ctx->ledger, &p->in, &p->row,
			    &err);
			if (rc == -1) {
				paid_ledger_down(p);
				return PAID_DONE;
			}
			p->out->pay = FLOW_PAY_VERIFIED;
			if (rc == LEDGER_NEW) {
				p->since = p->row.created;
				p->claimed_now = 1;
				p->id = p->row.id;
				return PAID_GO;
			}
		}
		switch (paid_known(p)) {
		case PAID_ROW_TAKEN:
			return PAID_GO;
		case PAID_ROW_GONE:
			p->known = 0;
			break;
		default:
			return PAID_DONE;
		}
	}
}

/* ---- admission: exposure, proof, balance ------------------------------- */

/* The payer's other unsettled payments do not fit: 402 or 429. */
static void
paid_over(struct paid *p, int rc)
{
	const struct ledger_exposure	*ex = &p->ex;
	char				 msg[512];

	if (rc == LEDGER_OVER_INFLIGHT) {
		snprintf(msg, sizeof(msg), "this wallet already has %u paid "
		    "calls in progress here (the limit per payer); nothing was "
		    "charged: retry when one has finished",
		    p->ctx->cfg->max_inflight);
		paid_refuse(p, 429, "too_many_in_flight", msg);
	} else if (p->proof.balance[0] == '\0') {
		/* Facilitator-only: /verify proved this payment alone. */
		snprintf(msg, sizeof(msg), "this wallet has %lld other "
		    "unsettled payment(s) here and its balance cannot be read "
		    "on this network, so one is taken at a time; nothing was "
		    "charged: retry when it has settled",
		    (long long)ex->unsettled_count);
		paid_refuse(p, 429, "too_many_in_flight", msg);
	} else {
		snprintf(msg, sizeof(msg), "the wallet's balance %s does not "
		    "cover this payment (%s) on top of its other unsettled "
		    "payments here (%lld, %s in total), which count against "
		    "it; nothing was charged", p->proof.balance, p->in.amount,
		    (long long)ex->unsettled_count, ex->unsettled);
		paid_refuse(p, 402, "insufficient_balance", msg);
		return;
	}
	msg_resp_header(p->resp, "Retry-After", "5");
}

/*
 * Reserve against the payer's exposure (in one ledger transaction per
 * payer).  The exposure is taken before the balance is read (PAID_PROVE):
 * a payment of this payer settling in between is then counted twice
 * (refused, safe) rather than not at all (work for a payment the wallet
 * can no longer cover).
 */
static enum paid_next
paid_reserve(struct paid *p)
{
	struct sf_err	 err;
	int		 rc;

	rc = ledger_reserve(p->ctx->ledger, p->id, p->ctx->cfg->max_inflight,
	    &p->ex, &err);
	if (rc == LEDGER_OVER_INFLIGHT) {
		paid_over(p, rc);
		return PAID_DONE;
	}
	if (rc != 1) {
		paid_ledger_down(p);
		return PAID_DONE;
	}
	return PAID_GO;
}

/* Settleable, by the family's proof (chain or facilitator), before any
   upstream call; refused with the reason, or 503 if nobody could tell. */
static enum paid_next
paid_prove(struct paid *p)
{
	if (p->chk.scheme->prove(&p->env, &p->chk, p->version, p->payload,
	    p->requirements, &p->proof) == -1) {
		paid_refuse(p, 503, "unexpected_verify_error", "nobody could "
		    "be asked whether this payment can settle; nothing was "
		    "charged, retry later");
		msg_resp_header(p->resp, "Retry-After", "5");
		return PAID_DONE;
	}
	if (p->proof.settleable)
		return PAID_GO;
	paid_refuse(p, 402, p->proof.reason, p->proof.message);
	return PAID_DONE;
}

/* This payment on top of the payer's other unsettled ones fits. */
static enum paid_next
paid_fits(struct paid *p)
{
	/* A runner's job was admitted at its submit and still counts. */
	if (p->run != NULL)
		return PAID_GO;
	if (!ledger_fits(&p->ex, p->in.amount, p->proof.balance[0] ?
	    p->proof.balance : NULL)) {
		paid_over(p, LEDGER_OVER_BALANCE);
		return PAID_DONE;
	}
	p->out->pay = FLOW_PAY_VERIFIED;
	return PAID_GO;
}

/* ---- settlement -------------------------------------------------------- */

/*
 * This request's settlement: the family's settings for the network (its
 * chain, its facilitator), the dated claim, the retry budget.
 */
static void
paid_settle_opts(struct paid *p, int fresh, struct settle_config *sc,
    struct settle_opts *o)
{
	p->chk.scheme->settle_config(&p->env, p->chk.vd.offer->network, sc);
	o->since = p->since > PAID_SKEW ? p->since - PAID_SKEW : 0;
	o->budget_ms = (long)p->ctx->cfg->settle_retry * 1000;
	o->fresh = fresh;
	/* The row's: a taken-over Solana row keeps its claim's window. */
	o->valid_before = strtoll(p->row.valid_before, NULL, 10);
}

/*
 * Another request settled this row while this one failed (it took the
 * row over believing us dead): answer with its settlement.  1 answered.
 */
static int
paid_settled_by_other(struct paid *p)
{
	struct ledger_payment	 row;
	struct sf_err		 err;
	int			 done = 0;

	if (ledger_get(p->ctx->ledger, p->id, &row, &err) == 1 &&
	    row.state == LEDGER_SETTLED) {
		p->out->pay = FLOW_PAY_SETTLED;
		paid_deliver(p, p->result, p->result_len, p->ctype, row.tx);
		done = 1;
	}
	ledger_payment_free(&row);
	return done;
}

/*
 * settle_failed: the result is kept for a retry of the same payment.
 * Only a row still delivered turns settle_failed: one settled meanwhile
 * by a taker stays settled.  A payment already spent that this request
 * may itself have settled before (not fresh: a row taken over) and that
 * no chain could confirm is not called failed to the buyer: a new
 * payment could charge them twice.
 */
static void
paid_settle_failed(struct paid *p, const struct settle_result *sr)
{
	struct sf_err	 err;
	char		 msg[700];
	const char	*reason = sr->reason[0] ? sr->reason :
			    "unexpected_settle_error";

	if (ledger_set_state(p->ctx->ledger, p->id, LEDGER_DELIVERED,
	    LEDGER_SETTLE_FAILED, reason, &err) == 0 &&
	    paid_settled_by_other(p))
		return;

	p->out->pay = FLOW_PAY_SETTLE_FAILED;
	if (sr->spent && !p->fresh && !sr->chain_checked)
		snprintf(msg, sizeof(msg), "settlement refused: this "
		    "payment's authorization is already used on chain (%.120s),"
		    " maybe by this server's own settlement of it before a "
		    "restart, which it cannot confirm without a chain "
		    "connection for this network; do not sign a new payment "
		    "for this request: send this one again later (the seller "
		    "confirms it with RPC_URL set)", reason);
	else
		snprintf(msg, sizeof(msg), "settlement failed (%.120s%s%.250s) "
		    "after %d attempt%s; the result is kept: retry with the "
		    "same payment once the problem is fixed, or sign a new "
		    "one", reason, sr->message[0] ? ": " : "", sr->message,
		    sr->attempts, sr->attempts == 1 ? "" : "s");
	paid_challenge(p, reason, msg);
	paid_settle_header(p, 0, "", reason);
}

/* Not failed: it may still land.  Kept delivered for a retry or ctl. */
static void
paid_settle_unknown(struct paid *p, const struct settle_result *sr)
{
	struct sf_err	 err;

	p->out->pay = FLOW_PAY_SETTLE_UNKNOWN;
	sf_err_set(&err, 503, "settlement_pending", NULL,
	    "the settlement could not be confirmed yet (%s); nothing more "
	    "will be charged: retry with the same payment to receive the "
	    "result", sr->message[0] ? sr->message : "no answer");
	paid_error(p, &err);
	msg_resp_header(p->resp, "Retry-After", "10");
}

/*
 * Settle-first (SETTLE_FIRST, SETTLE_FIRST_ABOVE, or a family window the
 * work may outlast): take the money before the work, once (a row settled
 * first by an earlier attempt carries its tx).  Failed: nothing was done,
 * the row is work_failed so the same payment can try again.
 */
static enum paid_next
paid_settle_first(struct paid *p)
{
	struct settle_config	 sc;
	struct settle_result	 sr;
	struct settle_opts	 o;
	struct sf_err		 err;
	const char		*reason;

	if (!p->settle_first || p->paid_tx[0] != '\0')
		return PAID_GO;
	/* Fresh only on the row this request claimed: a taken-over one may
	   have been settled first by its dead owner. */
	paid_settle_opts(p, p->claimed_now, &sc, &o);
	settle_payment_opts(&sc, p->version, p->payload, p->requirements, &o,
	    &sr);
	if (sr.outcome == SETTLE_OK && ledger_set_tx(p->ctx->ledger, p->id,
	    sr.tx, &err) == 0) {
		str_copy(p->paid_tx, sizeof(p->paid_tx), sr.tx);
		str_copy(p->out->tx, sizeof(p->out->tx), sr.tx);
		return PAID_GO;
	}
	ledger_set_state(p->ctx->ledger, p->id, -1, LEDGER_WORK_FAILED,
	    sr.outcome == SETTLE_OK ? "ledger_error" : sr.reason, &err);
	if (sr.outcome != SETTLE_FAILED) {
		paid_settle_unknown(p, &sr);
		return PAID_DONE;
	}
	reason = sr.reason[0] ? sr.reason : "unexpected_settle_error";
	p->out->pay = FLOW_PAY_SETTLE_FAILED;
	paid_challenge(p, reason, "settlement (before the work, as this "
	    "endpoint does) failed; nothing was done");
	paid_settle_header(p, 0, "", reason);
	return PAID_DONE;
}

/* Whether a runner still holds its job's lease (renewed here). */
static int
paid_job_held(struct paid *p)
{
	struct sf_err	 err;
	int		 cancel;

	return ledger_job_renew(p->ctx->ledger, p->run->job->seq,
	    p->run->owner, p->ctx->jobs.lease_s, &cancel, &err) == 1;
}

/*
 * Settle the stored result, then answer.  Only the result's owner (the
 * claimer, or whoever moved it out of settle_failed) gets here; transient
 * failures are retried inside settle_payment_opts.  p->fresh: no settle
 * attempt can precede this one (the row comes from the working state of
 * this request, in which nothing is ever settled), so a "nonce already
 * used" is someone else's transfer and never a delivery.  Not fresh (a
 * delivered row taken over from a dead owner, or one that failed
 * before): a transfer of this authorization made after the claim is
 * ours, found on chain, and settles the row without a second one.
 */
static enum paid_next
paid_settle(struct paid *p)
{
	struct settle_config	 sc;
	struct settle_result	 sr;
	struct settle_opts	 o;
	struct sf_err		 err;
	struct flow_beat	 beat;

	memset(&sr, 0, sizeof(sr));
	/* A runner settles only while the job is still its own. */
	if (p->run != NULL && !paid_job_held(p))
		return PAID_DONE;
	if (p->paid_tx[0] != '\0') {		/* settled first */
		sr.outcome = SETTLE_OK;
		str_copy(sr.tx, sizeof(sr.tx), p->paid_tx);
	} else {
		paid_settle_opts(p, p->fresh, &sc, &o);
		/* Retries may take SETTLE_RETRY seconds: we are alive. */
		flow_beat_start(&beat, p->ctx->ledger, p->id, LEDGER_DELIVERED);
		settle_payment_opts(&sc, p->version, p->payload,
		    p->requirements, &o, &sr);
		flow_beat_stop(&beat);
	}
	if (sr.outcome == SETTLE_FAILED) {
		paid_settle_failed(p, &sr);
		return PAID_DONE;
	}
	if (sr.outcome != SETTLE_OK) {
		paid_settle_unknown(p, &sr);
		return PAID_DONE;
	}
	if (ledger_set_settled(p->ctx->ledger, p->id, sr.tx,
	    sr.chain_checked ? sr.message : NULL, &err) == -1)
		fprintf(stderr, "%s: ledger: settled %s but could not record "
		    "it: %s\n", p->ctx->ep->name, sr.tx, err.message);
	p->out->pay = FLOW_PAY_SETTLED;
	paid_deliver(p, p->result, p->result_len, p->ctype, sr.tx);
	return PAID_DONE;
}

/* ---- a job -------------------------------------------------------------- */

static void	paid_seed(struct paid *);

/*
 * A job (flow_job.h): the seed chosen now (a runner taking it over runs
 * the same request), the job recorded with a fresh status link, this
 * process's runner kicked, 202.  Not recorded: the claim is dropped as
 * for any refusal before the work (503), unless the payment was settled
 * first: then the row is work_failed, so the same payment runs it later
 * at no further charge.  A runner goes on to the work.
 */
static enum paid_next
paid_enqueue(struct paid *p)
{
	struct ledger_job	 job;
	struct sf_err		 err;
	char			 tok[CAPTOKEN_STRLEN];

	if (p->run != NULL || !p->async)
		return PAID_GO;
	paid_seed(p);
	if (flow_job_record(p->ctx->ledger, &p->in, p->id, p->vr->req, &job,
	    tok, &err) == -1) {
		if (p->paid_tx[0] == '\0') {
			paid_refuse(p, 503, "ledger_unavailable", "the job "
			    "could not be recorded, so the payment was not "
			    "used; nothing was charged, retry later");
		} else {
			ledger_set_state(p->ctx->ledger, p->id, LEDGER_WORKING,
			    LEDGER_WORK_FAILED, "ledger_unavailable", &err);
			sf_err_set(&err, 503, "ledger_unavailable", NULL, "the "
			    "job could not be recorded; the payment was "
			    "settled first: send the same request with the "
			    "same payment again to have it run at no further "
			    "charge");
			paid_error(p, &err);
		}
		msg_resp_header(p->resp, "Retry-After", "5");
		return PAID_DONE;
	}
	flow_runner_kick(p->ctx->runner);
	p->out->pay = FLOW_PAY_VERIFIED;
	paid_job_answer(p, &job, tok);
	ledger_job_free(&job);
	return PAID_DONE;
}

/* ---- the work ---------------------------------------------------------- */

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

static void
paid_on_request_id(void *arg, const char *id)
{
	struct paid	*p = arg;

	str_copy(p->out->upstream_id, sizeof(p->out->upstream_id), id);
}

/*
 * A queue adapter's reference, once its submit is answered: a runner
 * records it in the job before the first poll, so another runner that
 * takes the job over polls it rather than submitting again.
 */
static void
paid_on_upstream(void *arg, const cJSON *ref)
{
	struct paid	*p = arg;
	struct sf_err	 err;
	char		*s;

	if (p->run == NULL || (s = cJSON_PrintUnformatted(ref)) == NULL)
		return;
	if (ledger_job_set_upstream(p->ctx->ledger, p->run->job->seq, s,
	    &err) == -1)
		fprintf(stderr, "%s: job %s: could not record the upstream "
		    "reference: %s\n", p->ctx->ep->name, p->run->job->id,
		    err.message);
	cJSON_free(s);
}

/* What the upstream says of a job's work, recorded when it changes. */
static void
paid_on_progress(void *arg, const char *text)
{
	struct paid	*p = arg;
	struct sf_err	 err;

	if (p->run == NULL || strcmp(p->progress, text) == 0)
		return;
	str_copy(p->progress, sizeof(p->progress), text);
	(void)ledger_job_set_progress(p->ctx->ledger, p->run->job->seq, text,
	    &err);
}

/* A runner's job, between polls: cancelled, or taken over elsewhere. */
static int
paid_should_stop(void *arg)
{
	struct paid	*p = arg;

	return p->run != NULL && p->run->should_stop != NULL ?
	    p->run->should_stop(p->run->arg) : 0;
}

/* Whether a stored reference is of the route's provider. */
static int
paid_same_provider(const cJSON *ref, const char *provider)
{
	const cJSON	*v = cJSON_GetObjectItemCaseSensitive(ref, "provider");

	return cJSON_IsString(v) && strcmp(v->valuestring, provider) == 0;
}

/* The upstream call(s) with the definition's deadline.  0 or -1. */
static int
paid_upstream(struct paid *p, cJSON **facts, struct sf_err *err)
{
	struct work_job	 job;
	struct timespec	 t0, t1;
	cJSON		*ref = NULL;
	int		 rc;

	memset(&job, 0, sizeof(job));
	job.ep = p->ctx->ep;
	job.model = p->vr->model;
	job.tier = p->vr->tier;
	job.req = p->vr->req;
	job.cfg = p->ctx->cfg;
	job.on_request_id = paid_on_request_id;
	job.on_upstream = paid_on_upstream;
	job.on_progress = paid_on_progress;
	job.should_stop = paid_should_stop;
	job.arg = p;
	sf_err_clear(err);
	/* A job taken over resumes the upstream job its first runner made. */
	if (p->run != NULL && p->run->job->upstream != NULL &&
	    (ref = cJSON_Parse(p->run->job->upstream)) == NULL)
		return sf_err_set(err, 500, "internal_error", NULL,
		    "the job's upstream reference cannot be read");
	if (ref != NULL && !paid_same_provider(ref, p->out->provider)) {
		cJSON_Delete(ref);
		return sf_err_set(err, 503, "route_changed", NULL, "the job's "
		    "work was submitted to another provider than its route "
		    "names now; it was not submitted again");
	}
	job.resume = ref;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	rc = work_run(&job, facts, err);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	cJSON_Delete(ref);
	p->out->upstream_ms = (t1.tv_sec - t0.tv_sec) * 1000 +
	    (t1.tv_nsec - t0.tv_nsec) / 1000000;
	return rc;
}

/* The work failed: never settled, unless it was settled first. */
static void
paid_work_failed(struct paid *p, struct sf_err *err)
{
	const char	*tail = p->paid_tx[0] ? "; the payment was settled "
			    "before the work (as this endpoint announces): send "
			    "the same request with the same payment again to "
			    "have the work redone at no charge" :
			    "; you were not charged";

	/* A runner whose job was taken over leaves it to the new one. */
	if (p->run != NULL && strcmp(err->code, "job_abandoned") == 0)
		return;
	ledger_set_state(p->ctx->ledger, p->id, -1, LEDGER_WORK_FAILED,
	    err->code, NULL);
	p->out->pay = FLOW_PAY_WORK_FAILED;
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
	str_copy(p->out->provider, sizeof(p->out->provider), src ? src : "");
	if ((body = flow_shape(p->ctx->ep, facts)) == NULL)
		return NULL;
	s = cJSON_PrintUnformatted(body);
	cJSON_Delete(body);
	return s;
}

/* The upstream work, and the response body made of its facts. */
static enum paid_next
paid_work(struct paid *p)
{
	struct sf_err	 err;
	cJSON		*facts = NULL;

	paid_seed(p);
	if (p->run != NULL &&
	    ledger_job_started(p->ctx->ledger, p->run->job->seq, &err) == 0 &&
	    p->run->job->webhook_url != NULL)
		(void)flow_job_notify(p->ctx, p->run->job->id);
	if (paid_upstream(p, &facts, &err) == -1) {
		cJSON_Delete(facts);
		paid_work_failed(p, &err);
		return PAID_DONE;
	}
	p->body = paid_body(p, facts);
	cJSON_Delete(facts);
	if (p->body == NULL) {
		sf_err_set(&err, 500, "out_of_memory", NULL, "out of memory");
		paid_work_failed(p, &err);
		return PAID_DONE;
	}
	p->result = p->body;
	p->result_len = strlen(p->body);
	p->ctype = "application/json";
	return PAID_GO;
}

/* Recorded before settling: a crash now leaves it for synthforge-ctl. */
static enum paid_next
paid_store(struct paid *p)
{
	struct sf_err	 err;
	int		 rc;

	/* A runner's job against its cancellation: one of the two wins. */
	if (p->run != NULL && (rc = ledger_job_delivering(p->ctx->ledger,
	    p->run->job->seq, &err)) != 1) {
		if (rc == 0)
			return paid_job_refuse(p, "job_cancelled", "the job "
			    "was cancelled before its result was delivered; "
			    "the late result was discarded and you were not "
			    "charged");
		paid_work_failed(p, &err);
		return PAID_DONE;
	}
	if (ledger_deliver(p->ctx->ledger, p->id, p->ctype, p->result,
	    p->result_len, LEDGER_WORKING, LEDGER_DELIVERED, &err) == -1) {
		paid_work_failed(p, &err);
		return PAID_DONE;
	}
	p->fresh = 1;
	return PAID_GO;
}

/* ---- the sequence ------------------------------------------------------ */

static enum paid_next (*const paid_steps[PAID__STEPS])(struct paid *) = {
	[PAID_REFUSABLE] = paid_refusable,
	[PAID_ASK] = paid_ask,
	[PAID_VERIFY] = paid_verify,
	[PAID_REPLAY] = paid_replay,
	[PAID_PREPARE] = paid_prepare,
	[PAID_WINDOW] = paid_window,
	[PAID_RETRY] = paid_retry,
	[PAID_CLAIM] = paid_claim,
	[PAID_RESERVE] = paid_reserve,
	[PAID_PROVE] = paid_prove,
	[PAID_FITS] = paid_fits,
	[PAID_SETTLE_FIRST] = paid_settle_first,
	[PAID_ENQUEUE] = paid_enqueue,
	[PAID_WORK] = paid_work,
	[PAID_STORE] = paid_store,
	[PAID_SETTLE] = paid_settle,
};

void
flow_paid(const struct flow_ctx *ctx, const struct msg_req *req,
    struct val_result *vr, struct msg_resp *resp, struct flow_outcome *out)
{
	flow_paid_job(ctx, req, vr, resp, out, NULL);
}

void
flow_paid_job(const struct flow_ctx *ctx, const struct msg_req *req,
    struct val_result *vr, struct msg_resp *resp, struct flow_outcome *out,
    struct flow_job_run *run)
{
	struct paid	 p;
	enum paid_step	 s;
	size_t		 n;
	int		 tail = 0;

	/* The payment's part of p (8 KiB) is zeroed only once there is a
	   payment: a 402 had spent more on it than on its answer.  A runner
	   starts from its job's payment: all of p at once. */
	memset(&p, 0, run != NULL ? sizeof(p) : offsetof(struct paid, version));
	tail = run != NULL;
	p.run = run;
	if (run != NULL)
		p.id = run->job->payment;
	p.ctx = ctx;
	p.req = req;
	p.vr = vr;
	p.resp = resp;
	p.out = out;
	p.env.cfg = ctx->cfg;
	p.env.settle = &ctx->settle;
	p.env.rpc_ms = ctx->rpc_ms;
	str_copy(out->amount, sizeof(out->amount), vr->amount);
	n = str_copy(p.resource, sizeof(p.resource), ctx->cfg->public_url);
	if (n < sizeof(p.resource))
		str_copy(p.resource + n, sizeof(p.resource) - n, ctx->ep->path);
	/* A step may move p.next forward (the claim, to where a row stands). */
	for (s = PAID_REFUSABLE; s < PAID__STEPS; s = p.next) {
		p.next = s + 1;
		if (s > PAID_ASK && !tail) {
			memset(&p.version, 0, sizeof(p) -
			    offsetof(struct paid, version));
			tail = 1;
		}
		if (paid_steps[s](&p) == PAID_DONE)
			break;
	}
	if (!tail)
		return;
	ledger_payment_free(&p.row);
	cJSON_free(p.requirements);
	free(p.payload);
	cJSON_free(p.body);
	x402_check_free(&p.chk);
}
