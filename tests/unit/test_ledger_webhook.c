/*
 * The webhook delivery queue in the ledger (ledger/ledger_webhook.c):
 * enqueue is idempotent per (job, event); a delivery is due at once; a
 * sender takes it by lease (its attempts counted), and of several
 * senders in threads or processes exactly one has it; an outcome is
 * recorded only while the lease is held, so a sender whose lease ran out
 * and was taken over cannot overwrite the new sender's outcome; the
 * secret is erased once delivered; retry, list, next.  The same
 * assertions on SQLite and, with SF_TEST_PG (make unit-pg), PostgreSQL.
 */
#include <sys/wait.h>

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "basics/err.h"
#include "ledger/ledger.h"
#include "ledger/ledger_webhook.h"
#include "pgtest.h"
#include "tap.h"

#define T(e, ...) do { int t_ok = (e); TAP_OK(t_ok, __VA_ARGS__); } while (0)

#define NTHREADS	16
#define NPROCS		12
#define NOW		1767225600000LL
#define SECRET		"whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
#define BODY		"{\"id\":\"job_1\",\"status\":\"succeeded\"}"

static char	 dbpath[512];

static void
fill(struct ledger_webhook *w, const char *job, const char *event)
{
	memset(w, 0, sizeof(*w));
	snprintf(w->job, sizeof(w->job), "%s", job);
	snprintf(w->event, sizeof(w->event), "%s", event);
	snprintf(w->msg_id, sizeof(w->msg_id), "msg_%s_%s", job, event);
	w->url = "https://hooks.example/in?token=t0p";
	w->secret = SECRET;
	w->body = BODY;
	w->body_len = strlen(BODY);
	w->give_up_ms = NOW + 86400000;
}

static void
test_enqueue(struct ledger *l)
{
	struct ledger_webhook	 in, row;
	struct sf_err		 err;

	fill(&in, "job_1", "succeeded");
	T(ledger_webhook_enqueue(l, &in, NOW, &err) == LEDGER_NEW,
	    "a delivery is queued");
	in.url = "https://elsewhere.example/";
	in.body = "{}";
	in.body_len = 2;
	T(ledger_webhook_enqueue(l, &in, NOW + 5, &err) == LEDGER_EXISTING,
	    "the same (job, event) again is not queued twice");
	T(ledger_webhook_find(l, "job_1", "succeeded", &row, &err) == 1,
	    "found by (job, event)");
	T(strcmp(row.url, "https://hooks.example/in?token=t0p") == 0 &&
	    row.body_len == strlen(BODY) && strcmp(row.body, BODY) == 0 &&
	    strcmp(row.secret, SECRET) == 0 &&
	    strcmp(row.msg_id, "msg_job_1_succeeded") == 0,
	    "  the first one kept as it was queued");
	T(row.state == LEDGER_WEBHOOK_PENDING && row.attempts == 0 &&
	    row.created_ms == NOW && row.next_ms == NOW &&
	    row.give_up_ms == NOW + 86400000 && row.lease_ms == 0 &&
	    row.last_status == 0 && row.last_error[0] == '\0',
	    "  pending, due at once, never tried");
	ledger_webhook_free(&row);
	fill(&in, "job_1", "running");
	T(ledger_webhook_enqueue(l, &in, NOW, &err) == LEDGER_NEW,
	    "another event of the job is its own delivery");
	fill(&in, "job_1", "x");
	in.secret = NULL;
	sf_err_clear(&err);
	T(ledger_webhook_enqueue(l, &in, NOW, &err) == -1 &&
	    err.status == 500 && strcmp(err.field, "secret") == 0,
	    "a delivery without a secret is refused (%s)", err.message);
	fill(&in, "job_1", "x");
	in.body_len = 0;
	T(ledger_webhook_enqueue(l, &in, NOW, &err) == -1,
	    "an empty body is refused");
	T(ledger_webhook_find(l, "job_1", "nope", &row, &err) == 0,
	    "an unknown event is not found");
}

static int64_t
id_of(struct ledger *l, const char *job, const char *event)
{
	struct ledger_webhook	 row;
	struct sf_err		 err;
	int64_t			 id = 0;

	if (ledger_webhook_find(l, job, event, &row, &err) == 1)
		id = row.id;
	ledger_webhook_free(&row);
	return id;
}

static void
test_lease(struct ledger *l)
{
	struct ledger_webhook	 row, w2;
	struct sf_err		 err;
	int64_t			 ids[10], id = id_of(l, "job_1", "succeeded");
	int64_t			 next;
	size_t			 n;

	T(ledger_webhook_due(l, NOW - 1, 10, ids, &n, &err) == 0 && n == 0,
	    "nothing is due before it was queued");
	T(ledger_webhook_due(l, NOW, 10, ids, &n, &err) == 0 && n == 2,
	    "both deliveries are due at once (%zu)", n);
	T(ledger_webhook_take(l, id, "hostA", NOW, NOW + 30000, &row,
	    &err) == 1 && row.id == id && row.attempts == 1 &&
	    row.lease_ms == NOW + 30000 && row.secret != NULL &&
	    strcmp(row.body, BODY) == 0,
	    "a sender takes it: attempt 1, leased, with body and secret");
	ledger_webhook_free(&row);
	T(ledger_webhook_take(l, id, "hostB", NOW + 100, NOW + 30100, &w2,
	    &err) == 0, "a second sender cannot take it under the lease");
	T(ledger_webhook_due(l, NOW + 100, 10, ids, &n, &err) == 0 &&
	    n == 1 && ids[0] != id, "a leased delivery is not listed as due");
	/* hostA dies; after its lease, hostB takes the delivery over. */
	T(ledger_webhook_take(l, id, "hostB", NOW + 30000, NOW + 60000, &w2,
	    &err) == 1 && w2.attempts == 2, "after the lease another sender "
	    "takes it over (attempt 2)");
	ledger_webhook_free(&w2);
	T(ledger_webhook_record(l, id, "hostA", LEDGER_WEBHOOK_DELIVERED, 0,
	    200, NULL, NOW + 30001, &err) == 0,
	    "the first sender, late, cannot record over the lease it lost");
	T(ledger_webhook_record(l, id, "hostB", LEDGER_WEBHOOK_PENDING,
	    NOW + 35000, 503, "HTTP 503", NOW + 30500, &err) == 1,
	    "the holder records a failed attempt, due again later");
	T(ledger_webhook_get(l, id, &row, &err) == 1 &&
	    row.state == LEDGER_WEBHOOK_PENDING && row.next_ms == NOW + 35000 &&
	    row.lease_ms == 0 && row.last_status == 503 &&
	    strcmp(row.last_error, "HTTP 503") == 0 &&
	    row.last_ms == NOW + 30500 && row.secret != NULL,
	    "  the outcome, the lease dropped, the secret kept");
	ledger_webhook_free(&row);
	T(ledger_webhook_take(l, id, "hostB", NOW + 34999, NOW + 40000, &row,
	    &err) == 0, "not taken before it is due again");
	T(ledger_webhook_next(l, &next, &err) == 1 && next == NOW,
	    "next: the earliest pending delivery (the other one, due now)");
	T(ledger_webhook_take(l, id, "hostC", NOW + 35000, NOW + 40000, &row,
	    &err) == 1 && row.attempts == 3, "taken when due (attempt 3)");
	ledger_webhook_free(&row);
	T(ledger_webhook_record(l, id, "hostC", LEDGER_WEBHOOK_DELIVERED, 0,
	    204, NULL, NOW + 35100, &err) == 1, "delivered");
	T(ledger_webhook_get(l, id, &row, &err) == 1 &&
	    row.state == LEDGER_WEBHOOK_DELIVERED && row.secret == NULL &&
	    row.last_status == 204 && row.last_error[0] == '\0' &&
	    row.attempts == 3, "  delivered: the secret erased");
	ledger_webhook_free(&row);
	T(ledger_webhook_take(l, id, "hostD", NOW + 99999999, NOW + 99999999,
	    &row, &err) == 0, "a delivered row is never taken again");
	T(ledger_webhook_retry(l, id, NOW + 40000, NOW + 90000, &err) == 0,
	    "nor sent again by retry (no secret left)");
	sf_err_clear(&err);
	T(ledger_webhook_take(l, id, "", NOW, NOW, &row, &err) == -1,
	    "a sender without a token is an error");
}

static void
test_abandon_retry(struct ledger *l)
{
	struct ledger_webhook	 row;
	struct sf_err		 err;
	int64_t			 id = id_of(l, "job_1", "running");
	struct ledger_webhook	*rows;
	size_t			 n;

	T(ledger_webhook_take(l, id, "hostA", NOW, NOW + 1000, &row,
	    &err) == 1, "taken");
	ledger_webhook_free(&row);
	T(ledger_webhook_record(l, id, "hostA", LEDGER_WEBHOOK_ABANDONED, 0,
	    410, "HTTP 410 Gone: the receiver asked to stop", NOW + 10,
	    &err) == 1, "abandoned (410)");
	T(ledger_webhook_get(l, id, &row, &err) == 1 &&
	    row.state == LEDGER_WEBHOOK_ABANDONED && row.secret != NULL,
	    "an abandoned delivery keeps its secret for a retry");
	ledger_webhook_free(&row);
	T(ledger_webhook_take(l, id, "hostA", NOW + 99999999, NOW + 99999999,
	    &row, &err) == 0, "and is not taken");
	T(ledger_webhook_next(l, &row.next_ms, &err) == 0,
	    "next: nothing pending");
	T(ledger_webhook_retry(l, id, NOW + 20, NOW + 5000, &err) == 1,
	    "retry puts it back");
	T(ledger_webhook_get(l, id, &row, &err) == 1 &&
	    row.state == LEDGER_WEBHOOK_PENDING && row.next_ms == NOW + 20 &&
	    row.give_up_ms == NOW + 5000 && row.attempts == 1,
	    "  pending, due now, a new deadline, its attempts kept");
	ledger_webhook_free(&row);
	T(ledger_webhook_retry(l, 999999, NOW, NOW, &err) == 0,
	    "retry of an unknown id: 0");

	T(ledger_webhook_list(l, -1, NULL, 0, &rows, &n, &err) == 0 &&
	    n == 2 && rows[0].id > rows[1].id, "list: every row, newest "
	    "first");
	ledger_webhooks_free(rows, n);
	T(ledger_webhook_list(l, LEDGER_WEBHOOK_DELIVERED, NULL, 0, &rows, &n,
	    &err) == 0 && n == 1 && strcmp(rows[0].event, "succeeded") == 0,
	    "list by state");
	ledger_webhooks_free(rows, n);
	T(ledger_webhook_list(l, -1, "job_2", 0, &rows, &n, &err) == 0 &&
	    n == 0, "list by job");
	ledger_webhooks_free(rows, n);
	T(ledger_webhook_list(l, -1, "job_1", 1, &rows, &n, &err) == 0 &&
	    n == 1, "list with a limit");
	ledger_webhooks_free(rows, n);
	T(strcmp(ledger_webhook_state_name(LEDGER_WEBHOOK_ABANDONED),
	    "abandoned") == 0 && ledger_webhook_state_parse("delivered") ==
	    LEDGER_WEBHOOK_DELIVERED && ledger_webhook_state_parse("x") == -1,
	    "state names");
}

struct race {
	struct ledger	*l;
	int64_t		 id;
	pthread_mutex_t	 mu;
	int		 won, errors;
};

static void *
race_thread(void *arg)
{
	struct race		*r = arg;
	struct ledger_webhook	 row;
	struct sf_err		 err;
	char			 owner[32];
	int			 rc;

	snprintf(owner, sizeof(owner), "t%lu", (unsigned long)pthread_self());
	rc = ledger_webhook_take(r->l, r->id, owner, NOW + 10000000,
	    NOW + 10030000, &row, &err);
	ledger_webhook_free(&row);
	pthread_mutex_lock(&r->mu);
	r->won += rc == 1;
	r->errors += rc == -1;
	pthread_mutex_unlock(&r->mu);
	return NULL;
}

static int64_t
queue_one(struct ledger *l, const char *job)
{
	struct ledger_webhook	 in;
	struct sf_err		 err;

	fill(&in, job, "succeeded");
	ledger_webhook_enqueue(l, &in, NOW, &err);
	return id_of(l, job, "succeeded");
}

static void
test_takers(struct ledger *l)
{
	struct race	 r;
	struct sf_err	 err;
	pthread_t	 th[NTHREADS];
	pid_t		 pids[NPROCS];
	int		 i, st, gate[2], won = 0, errs = 0;
	int64_t		 id;
	char		 c;

	memset(&r, 0, sizeof(r));
	pthread_mutex_init(&r.mu, NULL);
	r.l = l;
	r.id = queue_one(l, "job_threads");
	for (i = 0; i < NTHREADS; i++)
		pthread_create(&th[i], NULL, race_thread, &r);
	for (i = 0; i < NTHREADS; i++)
		pthread_join(th[i], NULL);
	pthread_mutex_destroy(&r.mu);
	T(r.won == 1 && r.errors == 0, "%d threads: exactly one takes the "
	    "delivery (%d)", NTHREADS, r.won);

	id = queue_one(l, "job_procs");
	if (pipe(gate) == -1)
		return;
	for (i = 0; i < NPROCS; i++)
		if ((pids[i] = fork()) == 0) {
			struct ledger		*cl;
			struct ledger_webhook	 row;
			char			 owner[32];
			int			 rc;

			close(gate[1]);
			if ((cl = ledger_open(dbpath, &err)) == NULL)
				_exit(1);
			ledger_writable(cl, &err);
			(void)!read(gate[0], &c, 1);
			snprintf(owner, sizeof(owner), "p%d", (int)getpid());
			rc = ledger_webhook_take(cl, id, owner, NOW + 1000,
			    NOW + 31000, &row, &err);
			ledger_webhook_free(&row);
			ledger_close(cl);
			_exit(rc == 1 ? 10 : rc == 0 ? 11 : 1);
		}
	close(gate[0]);
	usleep(200000);
	close(gate[1]);
	for (i = 0; i < NPROCS; i++)
		if (pids[i] > 0 && waitpid(pids[i], &st, 0) > 0 &&
		    WIFEXITED(st)) {
			won += WEXITSTATUS(st) == 10;
			errs += WEXITSTATUS(st) == 1;
		}
	T(won == 1 && errs == 0, "%d processes: exactly one takes the "
	    "delivery (%d)", NPROCS, won);
}

/* Over (delivered, abandoned) and old enough: deleted; pending: never. */
static void
test_prune(struct ledger *l)
{
	struct ledger_webhook	 row;
	struct sf_err		 err;
	int64_t			 done = queue_one(l, "job_p");
	int64_t			 pend = queue_one(l, "job_q");
	int			 n;

	T(ledger_webhook_take(l, done, "hostP", NOW + 20000000,
	    NOW + 20001000, &row, &err) == 1, "taken");
	ledger_webhook_free(&row);
	T(ledger_webhook_record(l, done, "hostP", LEDGER_WEBHOOK_DELIVERED,
	    0, 200, NULL, NOW + 20000500, &err) == 1, "delivered");
	T(ledger_webhook_prune(l, NOW + 20000499, &err) >= 0 &&
	    ledger_webhook_get(l, done, &row, &err) == 1,
	    "prune before its last outcome: kept");
	ledger_webhook_free(&row);
	n = ledger_webhook_prune(l, NOW + 20000500, &err);
	T(n >= 1 && ledger_webhook_get(l, done, &row, &err) == 0,
	    "prune at its last outcome: deleted (%d rows)", n);
	ledger_webhook_free(&row);
	T(ledger_webhook_prune(l, NOW * 2, &err) >= 0 &&
	    ledger_webhook_get(l, pend, &row, &err) == 1 &&
	    row.state == LEDGER_WEBHOOK_PENDING, "a pending row is never "
	    "pruned");
	ledger_webhook_free(&row);
}

int
main(void)
{
	struct ledger	*l;
	struct sf_err	 err;
	char		 dir[] = "/tmp/sf-whq-XXXXXX", cmd[300];

	if (mkdtemp(dir) == NULL)
		return 1;
	snprintf(dbpath, sizeof(dbpath), "%s/ledger.db", dir);
	if (pgtest_db("sf_ledger_webhook", dbpath, dbpath,
	    sizeof(dbpath)) == -1)
		TAP_OK(0, "a fresh PostgreSQL database");
	l = ledger_open(dbpath, &err);
	T(l != NULL, "open (%s)", l ? ledger_backend(l) : err.message);
	if (l == NULL)
		return tap_done();
	printf("# backend: %s\n", ledger_backend(l));
	TAP_CASE_ARGS(test_enqueue, l);
	TAP_CASE_ARGS(test_lease, l);
	TAP_CASE_ARGS(test_abandon_retry, l);
	TAP_CASE_ARGS(test_takers, l);
	TAP_CASE_ARGS(test_prune, l);
	ledger_close(l);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	if (system(cmd) != 0)
		printf("# cleanup failed\n");
	return tap_done();
}
