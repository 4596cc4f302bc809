/*
 * Jobs (flow_job.h): whether a call runs as one, what its JSON says, its
 * record, and a runner's run of one job through the paid flow.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sys/random.h>

#include "basics/b64.h"
#include "basics/buf.h"
#include "basics/captoken.h"
#include "basics/cfg.h"
#include "basics/def.h"
#include "basics/err.h"
#include "basics/hex.h"
#include "basics/msg.h"
#include "flow/flow.h"
#include "flow/flow_job.h"
#include "flow/webhook.h"
#include "http/webhook_sig.h"
#include "ledger/ledger.h"
#include "validate/prefer.h"
#include "validate/val.h"

/* ---- settings ----------------------------------------------------------- */

static const struct {
	const char	*key;
	unsigned	 def, lo, hi;
	size_t		 off;
} flow_job_keys[] = {
	{ "JOB_RUNNERS", 16, 0, 4096,
	    offsetof(struct flow_job_cfg, runners) },
	{ "JOB_LEASE_SECONDS", 30, 3, 3600,
	    offsetof(struct flow_job_cfg, lease_s) },
	{ "JOB_SCAN_SECONDS", 2, 1, 600,
	    offsetof(struct flow_job_cfg, scan_s) },
	{ "JOB_RETRY_AFTER", 5, 1, 600,
	    offsetof(struct flow_job_cfg, retry_after) },
	{ "JOB_POLLS_PER_MINUTE", 120, 1, 100000,
	    offsetof(struct flow_job_cfg, polls_per_minute) },
};
#define FLOW_JOB_NKEYS	(sizeof(flow_job_keys) / sizeof(flow_job_keys[0]))

int
flow_job_check_cfg(const struct cfg *c, struct sf_err *err)
{
	size_t	 i;

	for (i = 0; i < FLOW_JOB_NKEYS; i++)
		if (cfg_check_uint(c, flow_job_keys[i].key,
		    flow_job_keys[i].lo, flow_job_keys[i].hi, err) == -1)
			return -1;
	return 0;
}

void
flow_job_cfg_read(const struct cfg *c, struct flow_job_cfg *jc)
{
	const char	*v;
	size_t		 i;

	for (i = 0; i < FLOW_JOB_NKEYS; i++) {
		v = cfg_get(c, flow_job_keys[i].key);
		*(unsigned *)((char *)jc + flow_job_keys[i].off) =
		    v != NULL && *v != '\0' ? (unsigned)strtoul(v, NULL, 10) :
		    flow_job_keys[i].def;
	}
}

/* ---- the choice ----------------------------------------------------------- */

int
flow_job_wanted(const struct def_endpoint *ep, const char *prefer,
    const char **applied)
{
	struct prefer	 pf;
	int		 job;

	prefer_init(&pf);
	prefer_parse(&pf, prefer);
	if (ep->async == DEF_ASYNC_NEVER)
		job = 0;
	else if (pf.respond_async)
		job = 1;
	else if (pf.wait)
		job = 0;
	else
		job = ep->async == DEF_ASYNC_DEFAULT;
	if (applied != NULL)
		*applied = ep->async == DEF_ASYNC_NEVER ? "" :
		    pf.respond_async ? "respond-async" : pf.wait ? "wait" : "";
	return job;
}

/* ---- status --------------------------------------------------------------- */

const char *
flow_job_status(const struct ledger_job *j)
{
	switch (j->state) {
	case LEDGER_SETTLED:
		return "succeeded";
	case LEDGER_SETTLE_FAILED:
		return "failed";
	case LEDGER_WORK_FAILED:
		return j->cancel ? "cancelled" : "failed";
	case LEDGER_DELIVERED:
		return "running";
	default:
		/* Cancelled once asked: delivery can no longer win. */
		return j->cancel ? "cancelled" : j->started ? "running" :
		    "queued";
	}
}

int
flow_job_terminal(const struct ledger_job *j)
{
	const char	*s = flow_job_status(j);

	return strcmp(s, "queued") != 0 && strcmp(s, "running") != 0;
}

/* ---- JSON ----------------------------------------------------------------- */

static void
flow_job_time(cJSON *o, const char *name, int64_t t)
{
	struct tm	 tm;
	time_t		 tt = (time_t)t;
	char		 b[32];

	if (t <= 0 || gmtime_r(&tt, &tm) == NULL ||
	    strftime(b, sizeof(b), "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		return;
	cJSON_AddStringToObject(o, name, b);
}

/* Its status URL, with the token when the caller holds it. */
static void
flow_job_url(const struct cfg *c, const struct ledger_job *j,
    const char *token, char *out, size_t sz)
{
	snprintf(out, sz, "%s%s/%s%s%s", c->public_url, FLOW_JOBS_PATH, j->id,
	    token != NULL ? "?token=" : "", token != NULL ? token : "");
}

/* Settled at its submit (Solana): charged whatever becomes of the job. */
static int
flow_job_paid_first(const struct ledger_job *j)
{
	return j->tx[0] != '\0' && j->state != LEDGER_SETTLED;
}

static void
flow_job_payment(cJSON *o, const struct ledger_job *j)
{
	cJSON	*p;
	int	 charged = j->state == LEDGER_SETTLED || j->tx[0] != '\0';

	if ((p = cJSON_AddObjectToObject(o, "payment")) == NULL)
		return;
	cJSON_AddStringToObject(p, "network", j->network);
	cJSON_AddStringToObject(p, "payer", j->payer);
	cJSON_AddStringToObject(p, "amount", j->amount);
	cJSON_AddBoolToObject(p, "charged", charged);
	if (j->tx[0] != '\0')
		cJSON_AddStringToObject(p, "transaction", j->tx);
	else
		cJSON_AddNullToObject(p, "transaction");
	cJSON_AddStringToObject(p, "terms", flow_job_paid_first(j) ||
	    (j->state == LEDGER_SETTLED && strncmp(j->network, "solana:", 7)
	    == 0) ? "settled when the job was submitted (a Solana payment "
	    "expires within about a minute, before this work could end); if "
	    "the job fails, send the same request with the same payment "
	    "again to have it redone at no further charge" : "settled only "
	    "when the job succeeds: a job that fails, is cancelled or would "
	    "outrun the payment's validBefore is not charged");
}

/* failed or cancelled: our error shape, saying what was charged. */
static void
flow_job_error(cJSON *o, const struct ledger_job *j, const char *status)
{
	cJSON		*e;
	char		 msg[700];
	const char	*code;
	int		 cancelled = strcmp(status, "cancelled") == 0;

	code = cancelled ? "job_cancelled" : j->error[0] != '\0' ? j->error :
	    "job_failed";
	if (j->message[0] != '\0')
		snprintf(msg, sizeof(msg), "%s", j->message);
	else if (cancelled)
		snprintf(msg, sizeof(msg), "the job was cancelled before its "
		    "work ended; %s", flow_job_paid_first(j) ? "the payment "
		    "was settled at submit: send the same request with the "
		    "same payment again to have it run at no further charge" :
		    "you were not charged");
	else if (j->state == LEDGER_SETTLE_FAILED)
		snprintf(msg, sizeof(msg), "the payment could not be settled "
		    "(%s): the result is withheld and you were not charged",
		    j->error[0] ? j->error : "unexpected_settle_error");
	else
		snprintf(msg, sizeof(msg), "the job failed; %s",
		    flow_job_paid_first(j) ? "the payment was settled at "
		    "submit: send the same request with the same payment again "
		    "to have it redone at no further charge" :
		    "you were not charged");
	if ((e = cJSON_AddObjectToObject(o, "error")) == NULL)
		return;
	cJSON_AddStringToObject(e, "code", code);
	cJSON_AddStringToObject(e, "message", msg);
}

cJSON *
flow_job_json(const struct cfg *c, const struct flow_job_cfg *jc,
    const struct ledger_job *j, const struct ledger_payment *pay,
    const char *token)
{
	const char	*status = flow_job_status(j);
	cJSON		*o, *res, *st;
	char		 url[768];

	if ((o = cJSON_CreateObject()) == NULL)
		return NULL;
	cJSON_AddStringToObject(o, "object", "job");
	cJSON_AddStringToObject(o, "id", j->id);
	cJSON_AddStringToObject(o, "endpoint", j->endpoint);
	cJSON_AddStringToObject(o, "status", status);
	flow_job_time(o, "created_at", j->created);
	flow_job_time(o, "started_at", j->started);
	if (j->progress[0] != '\0' && !flow_job_terminal(j))
		cJSON_AddStringToObject(o, "progress", j->progress);
	flow_job_url(c, j, token, url, sizeof(url));
	cJSON_AddStringToObject(o, "status_url", url);
	if (!flow_job_terminal(j)) {
		cJSON_AddNumberToObject(o, "retry_after", jc->retry_after);
		cJSON_AddStringToObject(o, "cancel", "DELETE the status URL "
		    "before the work ends (nothing is charged)");
	}
	flow_job_payment(o, j);
	if (strcmp(status, "succeeded") == 0) {
		if (pay != NULL && pay->result != NULL &&
		    (res = cJSON_ParseWithLength(pay->result,
		    pay->result_len)) != NULL)
			cJSON_AddItemToObject(o, "result", res);
		if ((st = cJSON_AddObjectToObject(o, "settlement")) != NULL) {
			cJSON_AddBoolToObject(st, "success", 1);
			cJSON_AddStringToObject(st, "transaction", j->tx);
			cJSON_AddStringToObject(st, "network", j->network);
			cJSON_AddStringToObject(st, "payer", j->payer);
		}
	} else if (strcmp(status, "failed") == 0 ||
	    strcmp(status, "cancelled") == 0)
		flow_job_error(o, j, status);
	return o;
}

/* ---- the record ------------------------------------------------------------ */

static int
flow_job_new_id(char *out, size_t sz)
{
	uint8_t	 r[16];
	char	 hex[2 * sizeof(r) + 3];

	if (getrandom(r, sizeof(r), 0) != sizeof(r))
		return -1;
	hex_encode(r, sizeof(r), hex);		/* "0x..." */
	snprintf(out, sz, "job_%s", hex + 2);
	return 0;
}

/* A fresh token, its hash stored for job id.  0 or -1. */
static int
flow_job_token(struct ledger *l, const char *id, char tok[CAPTOKEN_STRLEN],
    struct sf_err *err)
{
	uint8_t	 h[CAPTOKEN_HASH_LEN];
	char	 hex[CAPTOKEN_HASH_HEXLEN];

	if (captoken_new(tok, h) == -1)
		return sf_err_set(err, 503, "internal_error", NULL,
		    "no randomness for a status link");
	captoken_hash_hex(h, hex);
	return ledger_job_token_add(l, id, hex, err);
}

int
flow_job_record(struct ledger *l, const struct ledger_payment *in,
    int64_t payment, const cJSON *req, struct ledger_job *job,
    char tok[CAPTOKEN_STRLEN], struct sf_err *err)
{
	struct ledger_job	 j;
	const cJSON		*wh;
	char			*body;
	int			 rc;

	memset(job, 0, sizeof(*job));
	memset(&j, 0, sizeof(j));
	if (flow_job_new_id(j.id, sizeof(j.id)) == -1)
		return sf_err_set(err, 503, "internal_error", NULL,
		    "no randomness for a job id");
	if ((body = cJSON_PrintUnformatted(req)) == NULL)
		return sf_err_set(err, 500, "out_of_memory", NULL,
		    "out of memory");
	j.payment = payment;
	snprintf(j.endpoint, sizeof(j.endpoint), "%s", in->endpoint);
	snprintf(j.payer, sizeof(j.payer), "%s", in->payer);
	snprintf(j.network, sizeof(j.network), "%s", in->network);
	j.request = body;
	/* Deliveries of its status changes, signed with its own secret. */
	wh = cJSON_GetObjectItemCaseSensitive(req, WEBHOOK_FIELD);
	if (cJSON_IsString(wh) && wh->valuestring[0] != '\0') {
		j.webhook_url = wh->valuestring;
		if (webhook_sig_secret_new(j.webhook_secret) == -1) {
			cJSON_free(body);
			return sf_err_set(err, 503, "internal_error", NULL,
			    "no randomness for a webhook secret");
		}
	}
	/* The link first: a job is never there without one. */
	rc = flow_job_token(l, j.id, tok, err) == -1 ? -1 :
	    ledger_job_create(l, &j, err);
	cJSON_free(body);
	if (rc == -1)
		return -1;
	if (rc != LEDGER_NEW)
		return sf_err_set(err, 500, "ledger_error", NULL,
		    "this payment has a job already");
	if ((rc = ledger_job_get(l, j.id, job, err)) != 1)
		return rc == 0 ? sf_err_set(err, 500, "ledger_error", NULL,
		    "the job just recorded cannot be read") : -1;
	return 0;
}

void
flow_job_json_webhook(cJSON *o, const struct ledger_job *j)
{
	cJSON	*w;

	if (j->webhook_url == NULL || j->webhook_secret[0] == '\0' ||
	    (w = cJSON_AddObjectToObject(o, "webhook")) == NULL)
		return;
	cJSON_AddStringToObject(w, "url", j->webhook_url);
	cJSON_AddStringToObject(w, "secret", j->webhook_secret);
	cJSON_AddStringToObject(w, "events", "running, succeeded, failed, "
	    "cancelled: one delivery per change of status");
	cJSON_AddStringToObject(w, "signature", "Standard Webhooks v1 "
	    "(webhook-id, webhook-timestamp, webhook-signature: HMAC-SHA256 "
	    "with this secret); verify with any Standard Webhooks library, "
	    "e.g. new Webhook(secret).verify(body, headers)");
}

int
flow_job_notify(const struct flow_ctx *ctx, const char *id)
{
	struct ledger_job	 j;
	struct ledger_payment	 pay, *pp = NULL;
	struct sf_err		 err;
	const char		*status;
	cJSON			*o;
	char			*body = NULL;
	int			 rc;

	if ((rc = ledger_job_get(ctx->ledger, id, &j, &err)) != 1)
		return rc;
	status = flow_job_status(&j);
	rc = 0;
	if (j.webhook_url == NULL || j.webhook_secret[0] == '\0' ||
	    strcmp(status, "queued") == 0)
		goto out;
	memset(&pay, 0, sizeof(pay));
	if (strcmp(status, "succeeded") == 0 && ledger_get(ctx->ledger,
	    j.payment, &pay, &err) == 1)
		pp = &pay;
	if ((o = flow_job_json(ctx->cfg, &ctx->jobs, &j, pp, NULL)) != NULL) {
		body = cJSON_PrintUnformatted(o);
		cJSON_Delete(o);
	}
	if (pp != NULL)
		ledger_payment_free(pp);
	if (body == NULL) {
		sf_err_set(&err, 500, "out_of_memory", NULL, "out of memory");
		rc = -1;
	} else if (webhook_enqueue(ctx->ledger, &ctx->webhooks, j.id, status,
	    j.webhook_url, j.webhook_secret, body, strlen(body), &err) == -1)
		rc = -1;
	else if (flow_job_terminal(&j) &&
	    ledger_job_forget_secret(ctx->ledger, j.seq, &err) == -1)
		rc = -1;
	cJSON_free(body);
	if (rc == -1)
		fprintf(stderr, "%s: job %s: webhook %s not queued: %s\n",
		    ctx->ep->name, j.id, status, err.message);
out:
	ledger_job_free(&j);
	return rc;
}

int
flow_job_link(struct ledger *l, const char *id, char tok[CAPTOKEN_STRLEN],
    struct sf_err *err)
{
	char	 h[LEDGER_JOB_TOKENS_MAX][65];
	size_t	 n;

	if (ledger_job_tokens(l, id, h, LEDGER_JOB_TOKENS_MAX, &n, err) == -1)
		return -1;
	if (n >= LEDGER_JOB_TOKENS_MAX)
		return 0;
	return flow_job_token(l, id, tok, err) == -1 ? -1 : 1;
}

/* ---- a runner's run --------------------------------------------------------- */

/* The request a runner replays: the stored body and payment. */
static int
flow_job_request(const struct flow_ctx *ctx, const struct ledger_job *j,
    const struct ledger_payment *pay, struct msg_req *req, struct buf *hdr)
{
	memset(req, 0, sizeof(*req));
	req->method = ctx->ep->method;
	req->path = ctx->ep->path;
	req->query = "";
	req->content_type = "application/json";
	req->accept = "application/json";
	req->remote_addr = "runner";
	req->body = j->request;
	req->body_len = strlen(j->request);
	if (b64_encode(pay->payload, strlen(pay->payload), hdr) == -1 ||
	    hdr->oom)
		return -1;
	if (pay->x402_version == 1)
		req->payment_v1 = hdr->p;
	else
		req->payment_v2 = hdr->p;
	return 0;
}

/* The sentence of an error answer ({"error":{"message"}}), if any. */
static void
flow_job_resp_message(const struct msg_resp *r, char *out, size_t sz)
{
	const cJSON	*m;
	cJSON		*j;

	if (r->body == NULL || (j = cJSON_ParseWithLength(r->body,
	    r->body_len)) == NULL)
		return;
	m = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(
	    j, "error"), "message");
	if (cJSON_IsString(m))
		snprintf(out, sz, "%s", m->valuestring);
	cJSON_Delete(j);
}

/*
 * After the flow: a job whose payment is over is closed with the
 * sentence its status gives (succeeded: none); one still in flight
 * (settlement unknown, nobody could prove it, the ledger failed) stays
 * open for the next lease.
 */
static int
flow_job_finish(const struct flow_ctx *ctx, struct flow_job_run *run,
    const struct msg_resp *resp)
{
	struct ledger_job	 now;
	struct sf_err		 err;
	int			 rc;

	if ((rc = ledger_job_get(ctx->ledger, run->job->id, &now, &err)) != 1)
		return rc == 0 ? 0 : -1;
	if (ledger_state_flags(now.state) & LEDGER_INFLIGHT) {
		ledger_job_free(&now);
		return 0;
	}
	if (now.state != LEDGER_SETTLED && run->message[0] == '\0')
		flow_job_resp_message(resp, run->message,
		    sizeof(run->message));
	if (now.state == LEDGER_SETTLE_FAILED)
		snprintf(run->message, sizeof(run->message), "the payment "
		    "could not be settled (%s): the result is withheld and you "
		    "were not charged", now.error[0] ? now.error :
		    "unexpected_settle_error");
	rc = ledger_job_close(ctx->ledger, now.seq, now.state ==
	    LEDGER_SETTLED || run->message[0] == '\0' ? NULL : run->message,
	    &err);
	ledger_job_free(&now);
	return rc;
}

/* Its payment is over, or it was cancelled before a runner took it. */
static int
flow_job_nothing_to_run(const struct flow_ctx *ctx,
    struct flow_job_run *run, const struct ledger_payment *pay)
{
	struct sf_err	 err;

	if (run->job->cancel && pay->state == LEDGER_WORKING &&
	    ledger_set_state(ctx->ledger, pay->id, LEDGER_WORKING,
	    LEDGER_WORK_FAILED, "job_cancelled", &err) == -1)
		return -1;
	return ledger_job_close(ctx->ledger, run->job->seq, NULL, &err);
}

int
flow_job_run(const struct flow_ctx *ctx, struct flow_job_run *run)
{
	struct ledger_payment	 pay;
	struct val_result	 vr;
	struct msg_req		 req;
	struct msg_resp		 resp;
	struct sf_err		 err;
	struct buf		 hdr;
	int			 rc;

	memset(&run->out, 0, sizeof(run->out));
	run->out.upstream_ms = -1;
	run->message[0] = '\0';
	if ((rc = ledger_get(ctx->ledger, run->job->payment, &pay, &err)) != 1)
		return rc == 0 ? ledger_job_close(ctx->ledger, run->job->seq,
		    "its payment is not in the ledger", &err) : -1;
	if ((pay.state != LEDGER_WORKING && pay.state != LEDGER_DELIVERED) ||
	    (run->job->cancel && pay.state == LEDGER_WORKING)) {
		rc = flow_job_nothing_to_run(ctx, run, &pay);
		if (run->job->webhook_url != NULL)
			(void)flow_job_notify(ctx, run->job->id);
		ledger_payment_free(&pay);
		return rc;
	}
	buf_init(&hdr);
	msg_resp_init(&resp);
	if (flow_job_request(ctx, run->job, &pay, &req, &hdr) == -1) {
		rc = -1;
		goto out;
	}
	if (val_request(ctx->ep, req.content_type, req.body, req.body_len,
	    &vr, &err) == -1) {
		/* The definition changed under it: never worked, never paid. */
		snprintf(run->message, sizeof(run->message), "the stored "
		    "request no longer validates (%.300s); the job did not "
		    "run and you were not charged", err.message);
		if (ledger_set_state(ctx->ledger, pay.id, LEDGER_WORKING,
		    LEDGER_WORK_FAILED, "invalid_request", &err) == 0)
			ledger_set_state(ctx->ledger, pay.id, LEDGER_DELIVERED,
			    LEDGER_SETTLE_FAILED, "invalid_request", &err);
	} else {
		flow_paid_job(ctx, &req, &vr, &resp, &run->out, run);
		val_result_free(&vr);
	}
	rc = flow_job_finish(ctx, run, &resp);
	if (run->job->webhook_url != NULL)
		(void)flow_job_notify(ctx, run->job->id);
out:
	msg_resp_free(&resp);
	buf_free(&hdr);
	ledger_payment_free(&pay);
	return rc;
}
