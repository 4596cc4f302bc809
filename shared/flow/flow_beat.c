/*
 * The owners' heartbeat on their ledger rows while they settle
 * (flow_beat.h): one thread for the process, over a list of the rows
 * being settled.  The wait is on a condition variable over
 * CLOCK_MONOTONIC, so a clock step does not skip a beat.
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "basics/err.h"
#include "flow/flow_beat.h"

/* Rows touched per pass, at most; the rest wait for the next pass. */
#define FLOW_BEAT_BATCH	64

static pthread_mutex_t	 beat_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t	 beat_cv;
/* The row being touched (NULL: none); its owner's stop waits for it, so
   that a ledger closed after flow_beat_stop is never touched. */
static struct flow_beat	*beat_cur;
static pthread_cond_t	 beat_done = PTHREAD_COND_INITIALIZER;
static struct flow_beat	*beat_rows;
/* The process whose thread beats (0: none yet); a child after fork()
   has no thread and starts its own. */
static pid_t		 beat_pid;
static atomic_ulong	 beat_touched;

static int
beat_due(const struct timespec *due, const struct timespec *now)
{
	return due->tv_sec < now->tv_sec || (due->tv_sec == now->tv_sec &&
	    due->tv_nsec <= now->tv_nsec);
}

/* Still registered: b is on the list, for row id (addresses are
   compared, never followed: b may be gone). */
static int
beat_listed(const struct flow_beat *b, int64_t id)
{
	const struct flow_beat	*r;

	for (r = beat_rows; r != NULL; r = r->next)
		if (r == b && r->id == id)
			return 1;
	return 0;
}

/* Off the list (beat_mu held). */
static void
beat_unlink(struct flow_beat *b)
{
	struct flow_beat	**pp;

	for (pp = &beat_rows; *pp != NULL; pp = &(*pp)->next)
		if (*pp == b) {
			*pp = b->next;
			break;
		}
	b->on = 0;
}

/*
 * Touch one row, if its owner still has it registered: marked as being
 * touched (beat_cur) for the time it takes, so its owner's stop waits for
 * the touch and b stays valid until then.  Called and returns with
 * beat_mu held; the touch itself runs without it.
 */
static void
beat_touch(struct flow_beat *b, int64_t id)
{
	struct sf_err	 err;
	int		 rc;

	if (!beat_listed(b, id))
		return;		/* stopped since the pass began */
	beat_cur = b;
	pthread_mutex_unlock(&beat_mu);
	sf_err_clear(&err);
	rc = ledger_touch(b->ledger, b->id, b->state, &err);
	pthread_mutex_lock(&beat_mu);
	beat_cur = NULL;
	pthread_cond_broadcast(&beat_done);
	if (rc != 1 && b->on) {
		fprintf(stderr, "ledger: row %lld: %s\n", (long long)id,
		    rc == 0 ? "its state or lease changed: no longer kept "
		    "alive" : err.message);
		/* 0: the row moved on (settled by a taker, leased by
		   settle-pending): nothing left to keep alive.  -1: beat
		   again, the ledger may be back by then. */
		if (rc == 0)
			beat_unlink(b);
	}
	/* Counted last: who sees the count sees its outcome applied. */
	atomic_fetch_add(&beat_touched, 1);
}

static void *
beat_run(void *arg)
{
	struct {
		struct flow_beat	*b;
		int64_t			 id;
	}			 todo[FLOW_BEAT_BATCH];
	struct flow_beat	*r;
	struct timespec		 now, at;
	size_t			 n, i;

	(void)arg;
	pthread_mutex_lock(&beat_mu);
	for (;;) {
		clock_gettime(CLOCK_MONOTONIC, &now);
		n = 0;
		for (r = beat_rows; r != NULL && n < FLOW_BEAT_BATCH;
		    r = r->next) {
			if (!beat_due(&r->due, &now))
				continue;
			todo[n].b = r;
			todo[n].id = r->id;
			n++;
			r->due = now;
			r->due.tv_sec += FLOW_BEAT_S;
		}
		if (n > 0) {
			for (i = 0; i < n; i++)
				beat_touch(todo[i].b, todo[i].id);
			continue;
		}
		/* Nothing due: sleep a beat (a new row is due a beat on). */
		at = now;
		at.tv_sec += FLOW_BEAT_S;
		(void)pthread_cond_timedwait(&beat_cv, &beat_mu, &at);
	}
	return NULL;
}

/*
 * The thread for this process, started on first use (beat_mu held), with
 * every signal blocked in it (serve_run takes SIGTERM and the rest by
 * sigwait in a thread of its own).  0, or -1 when it could not start
 * (tried again at the next settlement).
 */
static int
beat_thread(void)
{
	pthread_condattr_t	 ca;
	pthread_t		 th;
	sigset_t		 all, old;
	int			 rc;

	if (beat_pid == getpid())
		return 0;
	beat_rows = NULL;	/* a parent's rows are not this process's */
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&beat_cv, &ca);
	pthread_condattr_destroy(&ca);
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	rc = pthread_create(&th, NULL, beat_run, NULL);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (rc != 0) {
		fprintf(stderr, "ledger: a row settles without a heartbeat: "
		    "%s\n", strerror(rc));
		return -1;
	}
	pthread_detach(th);
	beat_pid = getpid();
	return 0;
}

void
flow_beat_start(struct flow_beat *b, struct ledger *l, int64_t id,
    enum ledger_state state)
{
	memset(b, 0, sizeof(*b));
	b->ledger = l;
	b->id = id;
	b->state = state;
	clock_gettime(CLOCK_MONOTONIC, &b->due);
	b->due.tv_sec += FLOW_BEAT_S;
	pthread_mutex_lock(&beat_mu);
	if (beat_thread() == 0) {
		b->next = beat_rows;
		beat_rows = b;
		b->on = 1;
	}
	pthread_mutex_unlock(&beat_mu);
}

void
flow_beat_stop(struct flow_beat *b)
{
	pthread_mutex_lock(&beat_mu);
	if (b->on)
		beat_unlink(b);
	/* A touch of this row under way ends first (its ledger may be
	   closed right after this returns). */
	while (beat_cur == b)
		pthread_cond_wait(&beat_done, &beat_mu);
	pthread_mutex_unlock(&beat_mu);
}

unsigned long
flow_beat_touches(void)
{
	return atomic_load(&beat_touched);
}
