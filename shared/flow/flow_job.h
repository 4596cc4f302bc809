/*
 * Jobs (docs/calling.md, "Jobs"; issue 25): a paid call answered 202
 * Accepted at once with a status URL, its work done by a runner, settled
 * only when it succeeds.  The submit runs the paid flow's steps to
 * settle-first (verified, claimed, proven settleable, admitted against
 * the payer's exposure; a Solana payment settled) and then PAID_ENQUEUE
 * records the job (ledger.h, "Jobs") and answers 202.  A runner leases
 * the job and runs the same flow on the stored request and payment
 * (flow_job_run), resuming where the payment's row stands: the work, or
 * the settlement of a stored result.  Whoever runs it, the money path is
 * the one of docs/money-path.md.
 *
 *   flow_job.c      the choice (Prefer), the job's JSON, the record, the
 *                   runner's entry
 *   flow_runner.c   runner threads: lease, renew, take over (JOB_*)
 *   flow_jobs.c     GET /v1/jobs, GET and DELETE /v1/jobs/{id}: the
 *                   capability token or Sign-In-With-X, rate-limited
 */
#ifndef SF_FLOW_JOB_H
#define SF_FLOW_JOB_H

#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "basics/captoken.h"

struct cfg;
struct def_endpoint;
struct flow_ctx;
struct flow_outcome;
struct ledger;
struct ledger_job;
struct ledger_payment;
struct msg_req;
struct msg_resp;
struct sf_err;
struct siwx_config;

/* Where the job routes live (the web servers route the prefix there). */
#define FLOW_JOBS_PATH		"/v1/jobs"
/* Jobs one GET /v1/jobs page lists at most (?limit=, default 20). */
#define FLOW_JOBS_PAGE_MAX	100

/*
 * The job settings (docs/configuration.md), read once per process.
 *   JOB_RUNNERS		jobs this process works at once (0: none: it
 *				only records jobs; another process or
 *				synthforge-ctl jobs run works them), 16
 *   JOB_LEASE_SECONDS		a runner's lease, renewed at a third of it;
 *				a job whose runner died is taken over once
 *				it lapses, 30
 *   JOB_SCAN_SECONDS		how often a process looks for jobs left to
 *				run (by others, or after a restart), 2
 *   JOB_RETRY_AFTER		Retry-After while a job runs, seconds, 5
 *   JOB_POLLS_PER_MINUTE	status requests per payer and per client
 *				address per minute (429 beyond), 120
 */
struct flow_job_cfg {
	unsigned	 runners;
	unsigned	 lease_s;
	unsigned	 scan_s;
	unsigned	 retry_after;
	unsigned	 polls_per_minute;
};

/* The keys above, checked (0, or -1 with err naming the key). */
int	flow_job_check_cfg(const struct cfg *, struct sf_err *);
/* Read them (after the check): defaults where unset. */
void	flow_job_cfg_read(const struct cfg *, struct flow_job_cfg *);

/*
 * Does this request run as a job?  prefer: the Prefer header (NULL:
 * none).  A DEF_ASYNC_NEVER endpoint: never.  "respond-async": yes.
 * "wait" (any value) without respond-async: no.  Neither: the
 * definition's default.  applied (may be NULL) gets what goes in
 * Preference-Applied ("respond-async", "wait", "" for none).
 */
int	flow_job_wanted(const struct def_endpoint *, const char *prefer,
	    const char **applied);

/*
 * What a status answer says of a job: "queued", "running", "succeeded",
 * "failed", "cancelled" (docs/calling.md, "Jobs"), from its row and its
 * payment's state.  Terminal: succeeded, failed, cancelled.
 */
const char *flow_job_status(const struct ledger_job *);
int	flow_job_terminal(const struct ledger_job *);

/*
 * The job's JSON for a 202, a status poll, a list or MCP: id, endpoint,
 * status, times, progress, the status URL (token: the capability token
 * when the caller has it, else NULL: the URL without it), Retry-After
 * while it runs, the payment (network, payer, amount, charged, the
 * transaction) and what is charged when; succeeded: the result (the
 * synchronous call's body, pay->result) and the settlement; failed or
 * cancelled: the error in our shape, saying it was not charged.  pay may
 * be NULL (no result included).  NULL on out of memory.
 */
cJSON	*flow_job_json(const struct cfg *, const struct flow_job_cfg *,
	    const struct ledger_job *, const struct ledger_payment *pay,
	    const char *token);

/*
 * PAID_ENQUEUE's record: the job of the payment in (claimed and admitted:
 * its row id payment, working), with the normalised request req: a fresh
 * id, a fresh status link's token (tok; only its hash is stored), read
 * back into *job.  0, or -1 with err (nothing usable recorded).
 */
int	flow_job_record(struct ledger *, const struct ledger_payment *in,
	    int64_t payment, const cJSON *req, struct ledger_job *job,
	    char tok[CAPTOKEN_STRLEN], struct sf_err *);
/*
 * What the 202 of a submit adds for a job with a webhook_url: "webhook":
 * its url, the job's secret (handed to the payer here and never in a
 * status answer) and how deliveries are signed.  Nothing without one.
 */
void	flow_job_json_webhook(cJSON *, const struct ledger_job *);
/*
 * A change of job id's status, for its webhook (none: nothing): its
 * status now (running, succeeded, failed, cancelled; queued: nothing)
 * queued for delivery as that event with the status body (the result
 * once succeeded; the status URL without a token), once per event
 * whoever calls (webhook_enqueue is idempotent per job and event).  A
 * terminal status erases the secret from the job.  Never waits for the
 * receiver.  0, or -1 (the ledger failed; logged, nothing else to do).
 */
int	flow_job_notify(const struct flow_ctx *, const char *id);
/*
 * Another status link for job id (its payment was sent again): 1 with
 * tok, 0 the job has LEDGER_JOB_TOKENS_MAX links already (none minted:
 * Sign-In-With-X or an earlier link reads it), -1 error.
 */
int	flow_job_link(struct ledger *, const char *id,
	    char tok[CAPTOKEN_STRLEN], struct sf_err *);

/* What a runner hands the paid flow (flow.h: struct flow_job_run). */
struct flow_job_run;

/*
 * Run one leased job to its end: the stored request and payment through
 * the paid flow from where the payment's row stands, then the job closed
 * (terminal) or left to the next lease (settlement unknown).  ctx: the
 * job's endpoint.  0, or -1 when the ledger could not be read or written
 * (the lease lapses and another runner takes it over).
 */
int	flow_job_run(const struct flow_ctx *, struct flow_job_run *);

/* ---- runners (flow_runner.c) -------------------------------------------- */

struct flow_runner;

/*
 * Start the runner threads of a process serving ctxs[0..n) (one
 * endpoint's process: its own; sf-jobs, sf-mcp: every endpoint): they
 * take runnable jobs of those endpoints by lease, at most cfg->runners at
 * once, looking every cfg->scan_s seconds and at once when kicked.  A
 * lease is renewed at a third of its length while its job runs; a job
 * whose lease was lost is stopped.  NULL with err (threads, memory);
 * with cfg->runners 0 a runner that takes nothing (kicks do nothing).
 */
struct flow_runner *flow_runner_start(struct flow_ctx *ctxs, size_t n,
	    const struct flow_job_cfg *, struct sf_err *);
/*
 * Who hears of each job run (the log line, the metrics): report(arg,
 * "job/<endpoint>", outcome, ms) from the runner's thread, after the run.
 */
void	flow_runner_report(struct flow_runner *,
	    void (*report)(void *, const char *, const struct flow_outcome *,
	    long long), void *arg);
/* A job was recorded here: look now (thread-safe; NULL does nothing). */
void	flow_runner_kick(struct flow_runner *);
/* Stop taking jobs, stop the running ones (their leases are given up,
   another runner resumes them), join, free. */
void	flow_runner_stop(struct flow_runner *);
/*
 * synthforge-ctl jobs run: take and run every runnable job of ctxs in
 * this thread, one at a time, until none is left (once: one pass).
 * Prints one line per job to stdout.  Returns the jobs run, -1 on a
 * ledger error.
 */
int	flow_runner_drain(struct flow_ctx *ctxs, size_t n,
	    const struct flow_job_cfg *, int once);

/* ---- the job routes (flow_jobs.c) ------------------------------------- */

struct flow_jobs_ctx {
	const struct cfg		*cfg;
	struct flow_job_cfg		 jc;
	struct ledger			*ledger;
	const struct siwx_config	*siwx;	/* NULL: token only */
	struct flow_jobs_limiter	*limiter;
	/* Cancels need the endpoint's flow (its runner, its provider). */
	struct flow_ctx			*ctxs;
	size_t				 nctxs;
};

int	flow_jobs_init(struct flow_jobs_ctx *, const struct cfg *,
	    struct ledger *, const struct siwx_config *, struct flow_ctx *ctxs,
	    size_t nctxs, struct sf_err *);
void	flow_jobs_fini(struct flow_jobs_ctx *);
/*
 * GET /v1/jobs (the signed-in payer's jobs, paged: ?limit=&cursor=),
 * GET /v1/jobs/{id} (?token= or Sign-In-With-X), DELETE /v1/jobs/{id}
 * (cancel), OPTIONS.  Free; rate-limited per payer and per client
 * address (429 with Retry-After).  Always fills resp.
 */
void	flow_jobs_handle(const struct flow_jobs_ctx *, const struct msg_req *,
	    struct msg_resp *, struct flow_outcome *);

/*
 * One job for the caller who holds token (its status link) or who signed
 * in as payer (siwx_payer, NULL: not signed in): 1 with *job (free it),
 * 0 not theirs or not there (the same answer, so ids cannot be probed),
 * -1 ledger error (err).  For MCP's get_job and cancel_job too.
 */
int	flow_jobs_find(struct ledger *, const char *id, const char *token,
	    const char *siwx_payer, struct ledger_job *job, struct sf_err *);
/*
 * Cancel job (found as above) before its work ends: 1 cancelled (or
 * cancellation asked of its runner, which stops the upstream), 0 too late
 * (its result is being delivered, or it is over), -1 error.  A job whose
 * runner is gone is cancelled here, upstream too (its stored reference;
 * best effort: the money never depends on it).
 */
int	flow_jobs_cancel(const struct cfg *, struct ledger *,
	    struct ledger_job *job, struct sf_err *);

#endif
