/*
 * The job routes (flow_job.h), free and bound to the payer:
 *
 *   GET    /v1/jobs/{id}?token=T	the job, by its status link
 *   GET    /v1/jobs/{id}		the job, signed in as its payer
 *   GET    /v1/jobs?limit=&cursor=	the signed-in payer's jobs, newest
 *					first
 *   DELETE /v1/jobs/{id}[?token=T]	cancel it before its work ends
 *
 * Signed in: Sign-In-With-X (x402/siwx.h).  Without a token or a
 * SIGN-IN-WITH-X header the answer is the 402 with accepts [] and the
 * sign-in-with-x challenge; the official client signs it and asks again.
 * A job that is not the caller's is answered exactly as one that does not
 * exist (404), so ids cannot be probed.  Every request counts against its
 * client address, and once known its payer, at JOB_POLLS_PER_MINUTE (429
 * with Retry-After beyond); the counts are this process's (one sf-jobs
 * per host).
 */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "basics/captoken.h"
#include "basics/cfg.h"
#include "basics/def.h"
#include "basics/err.h"
#include "basics/msg.h"
#include "basics/now.h"
#include "flow/flow.h"
#include "flow/flow_job.h"
#include "http/http.h"
#include "ledger/ledger.h"
#include "providers/work.h"
#include "x402/siwx.h"

/* ---- the rate limit --------------------------------------------------------- */

/*
 * Token buckets by key (a client address, a payer), direct-mapped with a
 * few probes.  A bucket refills at rate per minute up to rate.  When
 * every probed slot is busy the request passes: the limit protects the
 * server, it never decides money.
 */
#define LIMITER_SLOTS	8192
#define LIMITER_PROBES	4

struct limiter_slot {
	uint64_t	 key;		/* 0 = empty */
	double		 tokens;
	int64_t		 at_ms;
};

struct flow_jobs_limiter {
	pthread_mutex_t		 mu;
	struct limiter_slot	 s[LIMITER_SLOTS];
};

static uint64_t
limiter_hash(const char *kind, const char *v)
{
	uint64_t	 h = 1469598103934665603ULL;	/* FNV-1a */
	const char	*p;

	for (p = kind; *p != '\0'; p++)
		h = (h ^ (uint8_t)*p) * 1099511628211ULL;
	for (p = v; *p != '\0'; p++)
		h = (h ^ (uint8_t)(*p >= 'A' && *p <= 'F' ? *p + 32 : *p)) *
		    1099511628211ULL;
	return h == 0 ? 1 : h;
}

/* One request of key: 0 allowed, else the seconds until one would be. */
static unsigned
limiter_take(struct flow_jobs_limiter *lim, unsigned per_min,
    const char *kind, const char *v)
{
	struct limiter_slot	*s = NULL, *c;
	uint64_t		 k = limiter_hash(kind, v);
	int64_t			 now = http_now_ms();
	double			 rate = per_min / 60000.0, need;
	unsigned		 i, wait = 0;

	if (lim == NULL || v == NULL || *v == '\0')
		return 0;
	pthread_mutex_lock(&lim->mu);
	for (i = 0; i < LIMITER_PROBES && s == NULL; i++) {
		c = &lim->s[(k + i) % LIMITER_SLOTS];
		if (c->key == k)
			s = c;
		else if (c->key == 0 || c->tokens + (now - c->at_ms) * rate >=
		    per_min) {
			/* Empty, or idle long enough to be full: reuse. */
			c->key = k;
			c->tokens = per_min;
			c->at_ms = now;
			s = c;
		}
	}
	if (s != NULL) {
		s->tokens += (now - s->at_ms) * rate;
		if (s->tokens > per_min)
			s->tokens = per_min;
		s->at_ms = now;
		if (s->tokens >= 1)
			s->tokens -= 1;
		else {
			need = (1 - s->tokens) / rate;	/* ms */
			wait = (unsigned)(need / 1000) + 1;
		}
	}
	pthread_mutex_unlock(&lim->mu);
	return wait;
}

/* ---- lookups the routes and MCP share ------------------------------------- */

static int
jobs_same_payer(const char *a, const char *b)
{
	return strncmp(a, "0x", 2) == 0 ? strcasecmp(a, b) == 0 :
	    strcmp(a, b) == 0;
}

int
flow_jobs_find(struct ledger *l, const char *id, const char *token,
    const char *siwx_payer, struct ledger_job *job, struct sf_err *err)
{
	char	 h[LEDGER_JOB_TOKENS_MAX][65];
	uint8_t	 stored[CAPTOKEN_HASH_LEN];
	size_t	 n, i;
	int	 rc, ok = 0;

	memset(job, 0, sizeof(*job));
	if (id == NULL || strncmp(id, "job_", 4) != 0 ||
	    strlen(id) != LEDGER_JOB_ID_LEN)
		return 0;
	if ((rc = ledger_job_get(l, id, job, err)) != 1)
		return rc;
	if (token != NULL) {
		if (ledger_job_tokens(l, id, h, LEDGER_JOB_TOKENS_MAX, &n,
		    err) == -1) {
			ledger_job_free(job);
			return -1;
		}
		/* Every stored hash compared, in constant time each. */
		for (i = 0; i < n; i++)
			if (captoken_hash_parse(h[i], stored) == 0)
				ok |= captoken_check(token, stored);
	}
	if (siwx_payer != NULL && jobs_same_payer(job->payer, siwx_payer))
		ok = 1;
	if (!ok)
		ledger_job_free(job);
	return ok;
}

int
flow_jobs_cancel(const struct cfg *cfg, struct ledger *l,
    struct ledger_job *job, struct sf_err *err)
{
	struct sf_err	 uerr;
	cJSON		*ref;
	char		 owner[64];
	int		 rc;

	if (job->cancel)
		return 1;
	if (flow_job_terminal(job) || job->state != LEDGER_WORKING)
		return 0;
	if ((rc = ledger_job_cancel(l, job->seq, err)) != 1)
		return rc;
	job->cancel = 1;
	/*
	 * No runner on it (queued, or its runner died): finish the cancel
	 * here.  Otherwise its runner learns it at its next renewal and
	 * stops the upstream; its result can no longer be delivered.
	 */
	snprintf(owner, sizeof(owner), "cancel/%ld", (long)time(NULL));
	if (ledger_job_lease(l, job->seq, owner, 30, err) == 1) {
		if (ledger_set_state(l, job->payment, LEDGER_WORKING,
		    LEDGER_WORK_FAILED, "job_cancelled", err) == -1 ||
		    ledger_job_close(l, job->seq, NULL, err) == -1)
			return -1;
		job->open = 0;
		job->state = LEDGER_WORK_FAILED;
		if (job->upstream != NULL &&
		    (ref = cJSON_Parse(job->upstream)) != NULL) {
			(void)work_cancel(cfg, ref, &uerr);
			cJSON_Delete(ref);
		}
	}
	return 1;
}

/* ---- the routes ------------------------------------------------------------- */

/* A cancel recorded here: its webhook hears of it now, through the flow
   of the job's endpoint (its runner, if any, says it again: once). */
static void
jobs_notify(const struct flow_jobs_ctx *jc, const struct ledger_job *job)
{
	size_t	 i;

	for (i = 0; i < jc->nctxs; i++)
		if (strcmp(jc->ctxs[i].ep->name, job->endpoint) == 0) {
			(void)flow_job_notify(&jc->ctxs[i], job->id);
			return;
		}
}

int
flow_jobs_init(struct flow_jobs_ctx *jc, const struct cfg *c,
    struct ledger *l, const struct siwx_config *siwx, struct flow_ctx *ctxs,
    size_t nctxs, struct sf_err *err)
{
	memset(jc, 0, sizeof(*jc));
	jc->cfg = c;
	flow_job_cfg_read(c, &jc->jc);
	jc->ledger = l;
	jc->siwx = siwx;
	jc->ctxs = ctxs;
	jc->nctxs = nctxs;
	if ((jc->limiter = calloc(1, sizeof(*jc->limiter))) == NULL)
		return sf_err_set(err, 500, "out_of_memory", NULL,
		    "out of memory");
	pthread_mutex_init(&jc->limiter->mu, NULL);
	return 0;
}

void
flow_jobs_fini(struct flow_jobs_ctx *jc)
{
	if (jc->limiter != NULL) {
		pthread_mutex_destroy(&jc->limiter->mu);
		free(jc->limiter);
	}
	jc->limiter = NULL;
}

static void
jobs_error(struct msg_resp *resp, struct flow_outcome *out, int status,
    const char *code, const char *fmt, const char *arg)
{
	struct sf_err	 err;

	sf_err_set(&err, status, code, NULL, fmt, arg != NULL ? arg : "");
	msg_resp_error(resp, &err);
	snprintf(out->reason, sizeof(out->reason), "%s", code);
}

static int
jobs_limited(const struct flow_jobs_ctx *jc, struct msg_resp *resp,
    struct flow_outcome *out, const char *kind, const char *v)
{
	unsigned	 wait;
	char		 ra[16];

	if ((wait = limiter_take(jc->limiter, jc->jc.polls_per_minute, kind,
	    v)) == 0)
		return 0;
	jobs_error(resp, out, 429, "too_many_requests", "too many job "
	    "requests from this %s; polling is free but limited: retry after "
	    "the time in Retry-After", strcmp(kind, "a") == 0 ?
	    "address" : "payer");
	snprintf(ra, sizeof(ra), "%u", wait);
	msg_resp_header(resp, "Retry-After", ra);
	return 1;
}

/* The query's value of key, decoded, or NULL. */
static const char *
jobs_param(const struct msg_req *req, const char *key)
{
	size_t	 i;

	for (i = 0; i < req->nparams; i++)
		if (req->params[i].key != NULL &&
		    strcmp(req->params[i].key, key) == 0)
			return req->params[i].value;
	return NULL;
}

/*
 * Who is signed in: 1 with payer (the verified SIGN-IN-WITH-X address),
 * 0 answered (the 402 challenge: none sent, or refused), -1 answered (an
 * error).
 */
static int
jobs_signed_in(const struct flow_jobs_ctx *jc, const struct msg_req *req,
    const char *url, struct msg_resp *resp, struct flow_outcome *out,
    char *payer, size_t sz)
{
	struct siwx_verdict	 vd;
	struct sf_err		 err;
	int64_t			 now = now_wall_ms();

	if (jc->siwx == NULL) {
		jobs_error(resp, out, 401, "token_required", "this job route "
		    "needs the job's status link (its ?token=)%s", NULL);
		return -1;
	}
	memset(&vd, 0, sizeof(vd));
	if (req->siwx != NULL) {
		if (siwx_verify(jc->siwx, req->siwx, now, &vd, &err) == -1) {
			msg_resp_error(resp, &err);
			snprintf(out->reason, sizeof(out->reason), "%s",
			    err.code);
			return -1;
		}
		if (vd.valid) {
			snprintf(payer, sz, "%s", vd.address);
			snprintf(out->payer, sizeof(out->payer), "%s",
			    vd.address);
			return 1;
		}
	}
	if (siwx_challenge(resp, jc->siwx, url, "The jobs of the wallet that "
	    "paid for them (free: sign in with that wallet)", req->siwx !=
	    NULL ? &vd : NULL, now, &err) == -1) {
		msg_resp_error(resp, &err);
		snprintf(out->reason, sizeof(out->reason), "%s", err.code);
		return -1;
	}
	snprintf(out->reason, sizeof(out->reason), "%s", req->siwx != NULL ?
	    vd.reason : "sign_in_required");
	return 0;
}

static void
jobs_send(const struct flow_jobs_ctx *jc, struct msg_resp *resp,
    int status, cJSON *j)
{
	if (j == NULL || msg_resp_json(resp, status, j) == -1)
		msg_resp_body(resp, 500, "application/json", "{\"error\":{"
		    "\"code\":\"out_of_memory\",\"message\":\"out of memory\"}}",
		    54);
	cJSON_Delete(j);
	(void)jc;
}

/* GET /v1/jobs: the signed-in payer's page. */
static void
jobs_list(const struct flow_jobs_ctx *jc, const struct msg_req *req,
    struct msg_resp *resp, struct flow_outcome *out)
{
	struct ledger_job	*rows = NULL;
	struct sf_err		 err;
	cJSON			*o, *data;
	const char		*v;
	char			 url[640], payer[64], next[24], *end;
	long long		 limit = 20, cursor = 0;
	size_t			 n = 0, i;

	if ((v = jobs_param(req, "limit")) != NULL) {
		limit = strtoll(v, &end, 10);
		if (*v == '\0' || *end != '\0' || limit < 1 ||
		    limit > FLOW_JOBS_PAGE_MAX) {
			jobs_error(resp, out, 400, "invalid_query", "limit must "
			    "be a whole number from 1 to 100%s", NULL);
			return;
		}
	}
	if ((v = jobs_param(req, "cursor")) != NULL) {
		cursor = strtoll(v, &end, 10);
		if (*v == '\0' || *end != '\0' || cursor < 1) {
			jobs_error(resp, out, 400, "invalid_query", "cursor "
			    "must be the next_cursor of the page before%s",
			    NULL);
			return;
		}
	}
	snprintf(url, sizeof(url), "%s%s", jc->cfg->public_url,
	    FLOW_JOBS_PATH);
	if (jobs_signed_in(jc, req, url, resp, out, payer, sizeof(payer)) != 1)
		return;
	if (jobs_limited(jc, resp, out, "p", payer))
		return;
	/* One more than the page: whether there is a next one. */
	if (ledger_job_list(jc->ledger, payer, cursor, (size_t)limit + 1,
	    &rows, &n, &err) == -1) {
		jobs_error(resp, out, 503, "ledger_unavailable", "the jobs "
		    "cannot be read right now; retry later%s", NULL);
		return;
	}
	o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "object", "list");
	data = cJSON_AddArrayToObject(o, "data");
	for (i = 0; i < n && i < (size_t)limit; i++)
		cJSON_AddItemToArray(data, flow_job_json(jc->cfg, &jc->jc,
		    &rows[i], NULL, NULL));
	if (n > (size_t)limit) {
		snprintf(next, sizeof(next), "%lld",
		    (long long)rows[limit - 1].seq);
		cJSON_AddStringToObject(o, "next_cursor", next);
	} else
		cJSON_AddNullToObject(o, "next_cursor");
	ledger_jobs_free(rows, n);
	jobs_send(jc, resp, 200, o);
	msg_resp_header(resp, "Cache-Control", "no-store");
}

/* GET or DELETE /v1/jobs/{id}. */
static void
jobs_one(const struct flow_jobs_ctx *jc, const struct msg_req *req,
    const char *id, struct msg_resp *resp, struct flow_outcome *out)
{
	struct ledger_job	 job;
	struct ledger_payment	 pay;
	struct sf_err		 err;
	const char		*token = jobs_param(req, "token");
	char			 url[640], payer[64], ra[16];
	int			 rc, del = strcmp(req->method, "DELETE") == 0;

	snprintf(url, sizeof(url), "%s%s/%.64s", jc->cfg->public_url,
	    FLOW_JOBS_PATH, id);
	payer[0] = '\0';
	if (token == NULL && (rc = jobs_signed_in(jc, req, url, resp, out,
	    payer, sizeof(payer))) != 1)
		return;
	rc = flow_jobs_find(jc->ledger, id, token, payer[0] ? payer : NULL,
	    &job, &err);
	if (rc == -1) {
		jobs_error(resp, out, 503, "ledger_unavailable", "the job "
		    "cannot be read right now; retry later%s", NULL);
		return;
	}
	if (rc == 0) {
		jobs_error(resp, out, 404, "job_not_found", "no job %.64s for "
		    "this link or this wallet", id);
		return;
	}
	snprintf(out->payer, sizeof(out->payer), "%s", job.payer);
	if (jobs_limited(jc, resp, out, "p", job.payer)) {
		ledger_job_free(&job);
		return;
	}
	if (del && (rc = flow_jobs_cancel(jc->cfg, jc->ledger, &job,
	    &err)) != 1) {
		if (rc == -1)
			jobs_error(resp, out, 503, "ledger_unavailable", "the "
			    "job cannot be cancelled right now; retry later%s",
			    NULL);
		else
			jobs_error(resp, out, 409, "job_finished", "the job's "
			    "work has ended (it is %s): it can no longer be "
			    "cancelled", flow_job_status(&job));
		ledger_job_free(&job);
		return;
	}
	if (del && job.webhook_url != NULL)
		jobs_notify(jc, &job);
	memset(&pay, 0, sizeof(pay));
	if (job.state == LEDGER_SETTLED && ledger_get(jc->ledger, job.payment,
	    &pay, &err) == -1) {
		jobs_error(resp, out, 503, "ledger_unavailable", "the job's "
		    "result cannot be read right now; retry later%s", NULL);
		ledger_job_free(&job);
		return;
	}
	jobs_send(jc, resp, 200, flow_job_json(jc->cfg, &jc->jc, &job, &pay,
	    token));
	msg_resp_header(resp, "Cache-Control", "no-store");
	if (!flow_job_terminal(&job)) {
		snprintf(ra, sizeof(ra), "%u", jc->jc.retry_after);
		msg_resp_header(resp, "Retry-After", ra);
	}
	ledger_payment_free(&pay);
	ledger_job_free(&job);
}

void
flow_jobs_handle(const struct flow_jobs_ctx *jc, const struct msg_req *req,
    struct msg_resp *resp, struct flow_outcome *out)
{
	const char	*path = req->path != NULL ? req->path : "";
	size_t		 n = strlen(FLOW_JOBS_PATH);
	const char	*id = NULL;

	if (strncmp(path, FLOW_JOBS_PATH, n) != 0 ||
	    (path[n] != '\0' && path[n] != '/')) {
		jobs_error(resp, out, 404, "not_found", "no job route at "
		    "%.200s", path);
		goto out;
	}
	if (path[n] == '/' && path[n + 1] != '\0')
		id = path + n + 1;
	if (strcmp(req->method, "OPTIONS") == 0) {
		msg_resp_body(resp, 204, "text/plain", "", 0);
		msg_resp_header(resp, "Access-Control-Allow-Methods",
		    id != NULL ? "GET, DELETE, OPTIONS" : "GET, OPTIONS");
		msg_resp_header(resp, "Access-Control-Allow-Headers",
		    "SIGN-IN-WITH-X");
		msg_resp_header(resp, "Access-Control-Max-Age", "86400");
		goto out;
	}
	if (jobs_limited(jc, resp, out, "a", req->remote_addr))
		goto out;
	if (id == NULL && (strcmp(req->method, "GET") == 0 ||
	    strcmp(req->method, "HEAD") == 0))
		jobs_list(jc, req, resp, out);
	else if (id != NULL && (strcmp(req->method, "GET") == 0 ||
	    strcmp(req->method, "HEAD") == 0 ||
	    strcmp(req->method, "DELETE") == 0))
		jobs_one(jc, req, id, resp, out);
	else {
		jobs_error(resp, out, 405, "method_not_allowed", "%s is not "
		    "allowed here: GET reads, DELETE cancels", req->method);
		msg_resp_header(resp, "Allow", id != NULL ?
		    "GET, DELETE, OPTIONS" : "GET, OPTIONS");
	}
out:
	msg_resp_header(resp, "Access-Control-Allow-Origin", "*");
	msg_resp_header(resp, "Access-Control-Expose-Headers",
	    "PAYMENT-REQUIRED, Retry-After");
	out->status = resp->status;
}
