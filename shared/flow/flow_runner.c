/*
 * Runners (flow_job.h): threads of a serving process that take runnable
 * jobs by lease and run them (flow_job_run).  One manager thread per
 * process looks for jobs (at once when this process recorded one, else
 * every JOB_SCAN_SECONDS: jobs others left, a restart's), leases them
 * into free slots (JOB_RUNNERS), starts a thread per job, and renews each
 * lease at a third of JOB_LEASE_SECONDS; a renewal that finds the lease
 * lost (this process stalled past it and another runner took the job
 * over) or the job cancelled tells the job to stop.  A process that dies
 * stops renewing: its jobs' leases lapse and any runner, on this host or
 * another, takes them over and resumes each from its payment's row and
 * the stored upstream reference.  Everything under mu.
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sys/random.h>

#include "basics/cfg.h"
#include "basics/def.h"
#include "basics/err.h"
#include "basics/now.h"
#include "flow/flow.h"
#include "flow/flow_job.h"
#include "ledger/ledger.h"
#include "providers/prov.h"

/* Runner threads' stack: the flow's frames, libcurl, cJSON; not 8 MiB. */
#define RUNNER_STACK	(512 * 1024)
/* How long flow_runner_stop waits for running jobs before it gives their
   leases up and leaves them to whoever takes them over. */
#define RUNNER_STOP_MS	5000

struct flow_slot {
	struct flow_runner	*r;
	int			 used;		/* a job is in it */
	int			 done;		/* its thread ended: join it */
	pthread_t		 th;
	const struct flow_ctx	*ctx;
	struct ledger_job	 job;
	char			 owner[80];
	int64_t			 renew_at;	/* unix s */
	atomic_int		 stop;		/* PROV_GO, PROV_CANCEL (cancelled),
						   PROV_ABANDON (lease lost, exit) */
	struct timespec		 t0;
};

struct flow_runner {
	struct flow_ctx		*ctxs;
	size_t			 n;
	struct flow_job_cfg	 jc;
	void			(*report)(void *, const char *,
				    const struct flow_outcome *, long long);
	void			*report_arg;
	pthread_mutex_t		 mu;
	pthread_cond_t		 wake;		/* a kick, a slot freed, stop */
	pthread_t		 manager;
	int			 started;	/* manager running */
	/* The webhook pump: its own thread, so a slow receiver never holds
	   up lease renewals. */
	pthread_t		 pump;
	pthread_cond_t		 pump_wake;	/* stop */
	int			 pumping;	/* pump running */
	int			 stopping;
	int			 kicked;
	struct flow_slot	*slots;		/* jc.runners */
	char			 me[64];	/* owner prefix: host/pid */
};

static int64_t
runner_now(void)
{
	return (int64_t)time(NULL);
}

/* "host/pid/random": whose lease it is, unique per lease. */
static void
runner_owner(const struct flow_runner *r, char *out, size_t sz)
{
	uint32_t	 x = 0;

	if (getrandom(&x, sizeof(x), 0) != sizeof(x))
		x = (uint32_t)clock();
	snprintf(out, sz, "%s/%08x", r->me, x);
}

/* The job's endpoint among ours. */
static const struct flow_ctx *
runner_ctx(const struct flow_runner *r, const char *endpoint)
{
	size_t	 i;

	for (i = 0; i < r->n; i++)
		if (strcmp(r->ctxs[i].ep->name, endpoint) == 0)
			return &r->ctxs[i];
	return NULL;
}

static int
runner_should_stop(void *arg)
{
	struct flow_slot	*s = arg;

	return atomic_load(&s->stop);
}

static void *
runner_thread(void *arg)
{
	struct flow_slot	*s = arg;
	struct flow_runner	*r = s->r;
	struct flow_job_run	 run;
	struct timespec		 t1;
	long long		 ms;

	memset(&run, 0, sizeof(run));
	run.job = &s->job;
	run.owner = s->owner;
	run.should_stop = runner_should_stop;
	run.arg = s;
	if (flow_job_run(s->ctx, &run) == -1)
		fprintf(stderr, "%s: job %s: the ledger failed; its lease "
		    "lapses and it is taken over\n", s->ctx->ep->name,
		    s->job.id);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	ms = (t1.tv_sec - s->t0.tv_sec) * 1000LL +
	    (t1.tv_nsec - s->t0.tv_nsec) / 1000000;
	if (r->report != NULL && run.out.status != 0) {
		snprintf(run.out.endpoint, sizeof(run.out.endpoint), "job/%s",
		    s->ctx->ep->name);
		r->report(r->report_arg, run.out.endpoint, &run.out, ms);
	}
	pthread_mutex_lock(&r->mu);
	s->done = 1;
	pthread_cond_signal(&r->wake);
	pthread_mutex_unlock(&r->mu);
	return NULL;
}

/* Join the threads that ended and free their slots.  Under mu. */
static void
runner_reap(struct flow_runner *r)
{
	unsigned	 i;

	for (i = 0; i < r->jc.runners; i++)
		if (r->slots[i].used && r->slots[i].done) {
			pthread_join(r->slots[i].th, NULL);
			ledger_job_free(&r->slots[i].job);
			r->slots[i].used = r->slots[i].done = 0;
		}
}

static unsigned
runner_free_slots(const struct flow_runner *r)
{
	unsigned	 i, n = 0;

	for (i = 0; i < r->jc.runners; i++)
		n += !r->slots[i].used;
	return n;
}

/* Start job (leased to owner) in a free slot.  Under mu.  0 or -1. */
static int
runner_start(struct flow_runner *r, const struct flow_ctx *ctx,
    struct ledger_job *job, const char *owner)
{
	struct flow_slot	*s = NULL;
	pthread_attr_t		 a;
	unsigned		 i;
	int			 rc;

	for (i = 0; i < r->jc.runners && s == NULL; i++)
		if (!r->slots[i].used)
			s = &r->slots[i];
	if (s == NULL)
		return -1;
	s->ctx = ctx;
	s->job = *job;			/* takes its strings */
	memset(job, 0, sizeof(*job));
	snprintf(s->owner, sizeof(s->owner), "%s", owner);
	s->renew_at = runner_now() + (int64_t)(r->jc.lease_s / 3 ?
	    r->jc.lease_s / 3 : 1);
	atomic_store(&s->stop, 0);
	s->done = 0;
	clock_gettime(CLOCK_MONOTONIC, &s->t0);
	pthread_attr_init(&a);
	pthread_attr_setstacksize(&a, RUNNER_STACK);
	rc = pthread_create(&s->th, &a, runner_thread, s);
	pthread_attr_destroy(&a);
	if (rc != 0) {
		*job = s->job;
		memset(&s->job, 0, sizeof(s->job));
		return -1;
	}
	s->used = 1;
	return 0;
}

/*
 * Lease up to the free slots' worth of runnable jobs and start them.
 * Called without mu (ledger calls); takes it to start each.
 */
static void
runner_scan(struct flow_runner *r)
{
	struct ledger		*l = r->ctxs[0].ledger;
	const struct flow_ctx	*ctx;
	struct ledger_job	*rows = NULL;
	struct sf_err		 err;
	char			 owner[80];
	size_t			 n = 0, i;
	unsigned		 want;

	pthread_mutex_lock(&r->mu);
	want = r->stopping ? 0 : runner_free_slots(r);
	pthread_mutex_unlock(&r->mu);
	if (want == 0)
		return;
	if (ledger_job_runnable(l, r->n == 1 ? r->ctxs[0].ep->name : NULL,
	    runner_now(), want, &rows, &n, &err) == -1) {
		fprintf(stderr, "jobs: cannot look for jobs: %s\n",
		    err.message);
		return;
	}
	for (i = 0; i < n; i++) {
		if ((ctx = runner_ctx(r, rows[i].endpoint)) == NULL)
			continue;
		runner_owner(r, owner, sizeof(owner));
		if (ledger_job_lease(l, rows[i].seq, owner, r->jc.lease_s,
		    &err) != 1)
			continue;	/* another runner has it */
		pthread_mutex_lock(&r->mu);
		if (runner_start(r, ctx, &rows[i], owner) == -1) {
			(void)ledger_job_release(l, rows[i].seq, owner, &err);
			pthread_mutex_unlock(&r->mu);
			break;
		}
		pthread_mutex_unlock(&r->mu);
	}
	ledger_jobs_free(rows, n);
}

/* Renew the leases that are due; stop jobs whose lease is lost or that
   were cancelled.  Called without mu. */
static void
runner_renew(struct flow_runner *r)
{
	struct ledger	*l = r->ctxs[0].ledger;
	struct sf_err	 err;
	struct {
		int64_t	 seq;
		char	 owner[80];
		unsigned slot;
	}		 due[64];
	unsigned	 i, n = 0;
	int		 cancel, rc;

	pthread_mutex_lock(&r->mu);
	for (i = 0; i < r->jc.runners && n < 64; i++)
		if (r->slots[i].used && !r->slots[i].done &&
		    r->slots[i].renew_at <= runner_now()) {
			due[n].seq = r->slots[i].job.seq;
			snprintf(due[n].owner, sizeof(due[n].owner), "%s",
			    r->slots[i].owner);
			due[n++].slot = i;
		}
	pthread_mutex_unlock(&r->mu);
	for (i = 0; i < n; i++) {
		rc = ledger_job_renew(l, due[i].seq, due[i].owner,
		    r->jc.lease_s, &cancel, &err);
		pthread_mutex_lock(&r->mu);
		if (rc == -1)
			r->slots[due[i].slot].renew_at = runner_now() + 1;
		else
			r->slots[due[i].slot].renew_at = runner_now() +
			    (int64_t)(r->jc.lease_s / 3 ? r->jc.lease_s / 3 : 1);
		/* Lost: another runner has it (leave the upstream job to
		   it); cancelled: cancel it upstream too. */
		if (rc == 0)
			atomic_store(&r->slots[due[i].slot].stop, PROV_ABANDON);
		else if (rc == 1 && cancel) {
			atomic_store(&r->slots[due[i].slot].stop, PROV_CANCEL);
			r->slots[due[i].slot].job.cancel = 1;
		}
		pthread_mutex_unlock(&r->mu);
	}
}

static void *
runner_manager(void *arg)
{
	struct flow_runner	*r = arg;
	struct timespec		 until;
	int64_t			 next_scan = 0;

	pthread_mutex_lock(&r->mu);
	while (!r->stopping) {
		runner_reap(r);
		if (r->kicked || runner_now() >= next_scan) {
			r->kicked = 0;
			next_scan = runner_now() + r->jc.scan_s;
			pthread_mutex_unlock(&r->mu);
			runner_scan(r);
			pthread_mutex_lock(&r->mu);
		}
		pthread_mutex_unlock(&r->mu);
		runner_renew(r);
		pthread_mutex_lock(&r->mu);
		if (r->stopping || r->kicked)
			continue;
		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_sec += 1;	/* renewals and scans are due by the second */
		(void)pthread_cond_timedwait(&r->wake, &r->mu, &until);
	}
	pthread_mutex_unlock(&r->mu);
	return NULL;
}

/*
 * Once every WEBHOOK_PRUNE_EVERY_MS (the first at start): delete the
 * deliveries kept WEBHOOK_KEEP_DAYS after they were over.  Every process
 * does it; the delete is the same on each, so hosts need not agree.
 */
static void
runner_prune(struct flow_runner *r, int64_t now, int64_t *last)
{
	struct sf_err	 err;
	int		 n;

	if (*last != 0 && now - *last < WEBHOOK_PRUNE_EVERY_MS)
		return;
	*last = now;
	if ((n = webhook_prune(r->ctxs[0].ledger, &r->ctxs[0].webhooks, now,
	    &err)) == -1)
		fprintf(stderr, "webhooks: pruning old deliveries: %s\n",
		    err.message);
	else if (n > 0)
		fprintf(stderr, "webhooks: %d deliveries over for %lld days "
		    "deleted\n", n, (long long)(r->ctxs[0].webhooks.keep_ms /
		    86400000));
}

/*
 * Send the jobs' webhook deliveries that are due (any process's: the
 * queue is in the ledger), then sleep until the next is due, at most a
 * second (deliveries queued meanwhile, here or on another host).
 */
static void *
runner_pump(void *arg)
{
	struct flow_runner		*r = arg;
	struct webhook_pump_stats	 st;
	struct sf_err			 err;
	struct timespec			 until;
	int64_t				 wait_ms, now, pruned = 0;
	int				 failing = 0;

	pthread_mutex_lock(&r->mu);
	while (!r->stopping) {
		pthread_mutex_unlock(&r->mu);
		memset(&st, 0, sizeof(st));
		if (webhook_pump(r->ctxs[0].ledger, &r->ctxs[0].webhooks, 10,
		    1000, &st, &err) == -1) {
			if (!failing)
				fprintf(stderr, "webhooks: %s\n", err.message);
			failing = 1;
		} else
			failing = 0;
		now = now_wall_ms();
		runner_prune(r, now, &pruned);
		wait_ms = st.taken >= 10 ? 0 : st.next_ms > now &&
		    st.next_ms - now < 1000 ? st.next_ms - now : 1000;
		pthread_mutex_lock(&r->mu);
		if (r->stopping || wait_ms == 0)
			continue;
		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_sec += wait_ms / 1000;
		until.tv_nsec += (long)(wait_ms % 1000) * 1000000L;
		if (until.tv_nsec >= 1000000000L) {
			until.tv_sec++;
			until.tv_nsec -= 1000000000L;
		}
		(void)pthread_cond_timedwait(&r->pump_wake, &r->mu, &until);
	}
	pthread_mutex_unlock(&r->mu);
	return NULL;
}

/*
 * Start a runner thread with the process's shutdown signals blocked in it
 * (and so in the job threads it starts): serve_run takes SIGTERM, SIGINT
 * and SIGHUP in its own thread by sigwait, and runners start before it.
 * A thread that had them unblocked would take the SIGTERM a web server
 * sends at its shutdown, in libfcgi's handler, and the process would
 * never stop.
 */
static int
runner_spawn(pthread_t *th, void *(*fn)(void *), void *arg)
{
	sigset_t	 set, old;
	int		 rc;

	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	pthread_sigmask(SIG_BLOCK, &set, &old);
	rc = pthread_create(th, NULL, fn, arg);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	return rc;
}

struct flow_runner *
flow_runner_start(struct flow_ctx *ctxs, size_t n,
    const struct flow_job_cfg *jc, struct sf_err *err)
{
	struct flow_runner	*r;
	char			 host[48];
	unsigned		 i;

	if ((r = calloc(1, sizeof(*r))) == NULL || (jc->runners > 0 &&
	    (r->slots = calloc(jc->runners, sizeof(*r->slots))) == NULL)) {
		free(r);
		sf_err_set(err, 500, "out_of_memory", NULL, "out of memory");
		return NULL;
	}
	r->ctxs = ctxs;
	r->n = n;
	r->jc = *jc;
	for (i = 0; i < jc->runners; i++) {
		r->slots[i].r = r;
		atomic_init(&r->slots[i].stop, 0);
	}
	if (gethostname(host, sizeof(host)) == -1)
		snprintf(host, sizeof(host), "host");
	host[sizeof(host) - 1] = '\0';
	snprintf(r->me, sizeof(r->me), "%s/%ld", host, (long)getpid());
	pthread_mutex_init(&r->mu, NULL);
	pthread_cond_init(&r->wake, NULL);
	pthread_cond_init(&r->pump_wake, NULL);
	if (jc->runners == 0 || n == 0)
		return r;
	if (runner_spawn(&r->manager, runner_manager, r) != 0) {
		pthread_cond_destroy(&r->pump_wake);
		pthread_cond_destroy(&r->wake);
		pthread_mutex_destroy(&r->mu);
		free(r->slots);
		free(r);
		sf_err_set(err, 500, "internal_error", NULL,
		    "cannot start the job runner: %s", strerror(errno));
		return NULL;
	}
	r->started = 1;
	if (runner_spawn(&r->pump, runner_pump, r) == 0)
		r->pumping = 1;
	else
		fprintf(stderr, "job runner: no webhook pump here (%s): "
		    "another process sends them\n", strerror(errno));
	return r;
}

void
flow_runner_report(struct flow_runner *r,
    void (*report)(void *, const char *, const struct flow_outcome *,
    long long), void *arg)
{
	if (r == NULL)
		return;
	pthread_mutex_lock(&r->mu);
	r->report = report;
	r->report_arg = arg;
	pthread_mutex_unlock(&r->mu);
}

void
flow_runner_kick(struct flow_runner *r)
{
	if (r == NULL || !r->started)
		return;
	pthread_mutex_lock(&r->mu);
	r->kicked = 1;
	pthread_cond_signal(&r->wake);
	pthread_mutex_unlock(&r->mu);
}

/* Slots whose thread still runs.  Under mu. */
static unsigned
runner_busy(const struct flow_runner *r)
{
	unsigned	 i, n = 0;

	for (i = 0; i < r->jc.runners; i++)
		n += r->slots[i].used && !r->slots[i].done;
	return n;
}

void
flow_runner_stop(struct flow_runner *r)
{
	struct sf_err	 err;
	struct timespec	 until;
	unsigned	 i;
	int		 waited;

	if (r == NULL)
		return;
	pthread_mutex_lock(&r->mu);
	r->stopping = 1;
	pthread_cond_broadcast(&r->wake);
	pthread_cond_broadcast(&r->pump_wake);
	/* Stopping: the jobs stay upstream; whoever takes them resumes. */
	for (i = 0; i < r->jc.runners; i++)
		atomic_store(&r->slots[i].stop, PROV_ABANDON);
	pthread_mutex_unlock(&r->mu);
	if (r->started)
		pthread_join(r->manager, NULL);
	if (r->pumping)
		pthread_join(r->pump, NULL);
	pthread_mutex_lock(&r->mu);
	for (waited = 0; runner_busy(r) > 0 && waited < RUNNER_STOP_MS;
	    waited += 100) {
		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_nsec += 100 * 1000000L;
		if (until.tv_nsec >= 1000000000L) {
			until.tv_sec++;
			until.tv_nsec -= 1000000000L;
		}
		(void)pthread_cond_timedwait(&r->wake, &r->mu, &until);
	}
	runner_reap(r);
	if (runner_busy(r) > 0) {
		/* Still working: give their leases up so another runner
		   takes them over at once; the threads end with the process
		   (so r is not freed). */
		for (i = 0; i < r->jc.runners; i++)
			if (r->slots[i].used && !r->slots[i].done)
				(void)ledger_job_release(r->ctxs[0].ledger,
				    r->slots[i].job.seq, r->slots[i].owner,
				    &err);
		pthread_mutex_unlock(&r->mu);
		return;
	}
	pthread_mutex_unlock(&r->mu);
	pthread_cond_destroy(&r->wake);
	pthread_cond_destroy(&r->pump_wake);
	pthread_mutex_destroy(&r->mu);
	free(r->slots);
	free(r);
}

/* A lease that covers a job's work and settlement (nothing renews it). */
static int64_t
runner_whole_lease(const struct flow_ctx *ctx, const struct flow_job_cfg *jc)
{
	int64_t	 s = (int64_t)ctx->ep->deadline +
		    (int64_t)ctx->cfg->settle_margin + 120;

	return s > (int64_t)jc->lease_s ? s : (int64_t)jc->lease_s;
}

int
flow_runner_drain(struct flow_ctx *ctxs, size_t n,
    const struct flow_job_cfg *jc, int once)
{
	struct flow_runner	 r;
	struct flow_job_run	 run;
	struct ledger_job	*rows;
	const struct flow_ctx	*ctx;
	struct sf_err		 err;
	char			 owner[80], host[48];
	size_t			 nrows, i;
	int			 ran = 0, took;

	memset(&r, 0, sizeof(r));
	r.ctxs = ctxs;
	r.n = n;
	r.jc = *jc;
	if (gethostname(host, sizeof(host)) == -1)
		snprintf(host, sizeof(host), "host");
	host[sizeof(host) - 1] = '\0';
	snprintf(r.me, sizeof(r.me), "%s/%ld", host, (long)getpid());
	do {
		if (ledger_job_runnable(ctxs[0].ledger, NULL, runner_now(), 64,
		    &rows, &nrows, &err) == -1) {
			fprintf(stderr, "synthforge-ctl: %s\n", err.message);
			return -1;
		}
		for (took = 0, i = 0; i < nrows; i++) {
			if ((ctx = runner_ctx(&r, rows[i].endpoint)) == NULL)
				continue;
			runner_owner(&r, owner, sizeof(owner));
			/* Nobody renews it here: a lease for the whole job. */
			if (ledger_job_lease(ctxs[0].ledger, rows[i].seq, owner,
			    runner_whole_lease(ctx, jc), &err) != 1)
				continue;
			took++;
			memset(&run, 0, sizeof(run));
			run.job = &rows[i];
			run.owner = owner;
			if (flow_job_run(ctx, &run) == -1)
				printf("error\t%s\t%s\n", rows[i].id,
				    rows[i].endpoint);
			else
				printf("ran\t%s\t%s\t%s\t%s\n", rows[i].id,
				    rows[i].endpoint, flow_pay_name(run.out.pay),
				    run.message[0] ? run.message : "-");
			fflush(stdout);
			ran++;
		}
		ledger_jobs_free(rows, nrows);
	} while (!once && took > 0);
	return ran;
}
