/*
 * Ledger: claim semantics, state changes, revenue, pending settlement, and
 * the replay guard under contention (threads and forked processes).  The
 * same assertions run on SQLite and, with SF_TEST_PG set (make unit-pg),
 * on PostgreSQL, plus what only a server has: unreachable, bad URI, a
 * schema newer than the program.
 */
#include <sys/wait.h>

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "basics/err.h"
#include "ledger/ledger.h"
#include "pgtest.h"
#include "tap.h"

/* TAP_OK evaluates its condition twice on failure: evaluate once here. */
#define T(e, ...) do { int t_ok = (e); TAP_OK(t_ok, __VA_ARGS__); } while (0)

#define NTHREADS	16
#define NPROCS		12

static char	 dbpath[512];

static void
fill(struct ledger_payment *p, const char *nonce, const char *pid,
    const char *reqhash, const char *amount)
{
	memset(p, 0, sizeof(*p));
	snprintf(p->endpoint, sizeof(p->endpoint), "/v1/image");
	snprintf(p->request_hash, sizeof(p->request_hash), "%s", reqhash);
	snprintf(p->payer, sizeof(p->payer),
	    "0x70997970C51812dc3A010C7d01b50e0d17dc79C8");
	snprintf(p->amount, sizeof(p->amount), "%s", amount);
	snprintf(p->asset, sizeof(p->asset),
	    "0x5FbDB2315678afecb367f032d93F642f64180aa3");
	snprintf(p->network, sizeof(p->network), "eip155:84532");
	p->x402_version = 2;
	snprintf(p->nonce, sizeof(p->nonce), "%s", nonce);
	snprintf(p->valid_after, sizeof(p->valid_after), "0");
	snprintf(p->valid_before, sizeof(p->valid_before), "%lld",
	    (long long)time(NULL) + 600);
	p->payload = "{\"x402Version\":2}";
	p->requirements = "{\"scheme\":\"exact\"}";
	snprintf(p->payment_id, sizeof(p->payment_id), "%s", pid ? pid : "");
	p->state = LEDGER_VERIFIED;
}

static const char *
nonce_n(int i)
{
	static char	 b[8][67];
	static int	 k;
	char		*s = b[k++ % 8];

	snprintf(s, 67, "0x%064x", i);
	return s;
}

struct race {
	int	news, existing, errors;
};

static void *
race_thread(void *arg)
{
	struct race		*r = arg;
	struct ledger		*l;
	struct ledger_payment	 in, row;
	struct sf_err		 err;
	int			 rc;

	/* One connection per thread, as a FastCGI worker pool would. */
	if ((l = ledger_open(dbpath, &err)) == NULL) {
		__atomic_add_fetch(&r->errors, 1, __ATOMIC_SEQ_CST);
		return NULL;
	}
	fill(&in, nonce_n(777), NULL, "h", "10000");
	rc = ledger_claim(l, &in, &row, &err);
	if (rc == LEDGER_NEW)
		__atomic_add_fetch(&r->news, 1, __ATOMIC_SEQ_CST);
	else if (rc == LEDGER_EXISTING)
		__atomic_add_fetch(&r->existing, 1, __ATOMIC_SEQ_CST);
	else
		__atomic_add_fetch(&r->errors, 1, __ATOMIC_SEQ_CST);
	ledger_payment_free(&row);
	ledger_close(l);
	return NULL;
}

static void *
shared_thread(void *arg)
{
	struct ledger		*l = arg;
	struct ledger_payment	 in, row;
	struct sf_err		 err;
	int			 rc;

	/* One handle shared by all threads: the mutex serialises. */
	fill(&in, nonce_n(888), NULL, "h", "10000");
	rc = ledger_claim(l, &in, &row, &err);
	ledger_payment_free(&row);
	return (void *)(intptr_t)rc;
}

/* Rows copied whole (synthforge-ctl migrate): state, result, times kept. */
static void
test_import(struct ledger *src)
{
	struct ledger		*dst;
	struct ledger_payment	*rows, got;
	struct sf_err		 err;
	char			 path[600];
	size_t			 n, i;
	int			 news = 0, again = 0;

	snprintf(path, sizeof(path), "%s.copy", dbpath);
	if (pgtest_on() && pgtest_db("sf_ledger_copy", "", path,
	    sizeof(path)) == -1)
		TAP_OK(0, "a fresh PostgreSQL database for the copy");
	if ((dst = ledger_open(path, &err)) == NULL) {
		TAP_OK(0, "open the copy: %s", err.message);
		return;
	}
	T(ledger_list(src, -1, 0, &rows, &n, &err) == 0 && n > 5,
	    "source rows listed");
	for (i = n; i-- > 0;) {
		news += ledger_import(dst, &rows[i], &err) == LEDGER_NEW;
		again += ledger_import(dst, &rows[i], &err) == LEDGER_EXISTING;
	}
	T(news == (int)n && again == (int)n,
	    "every row copied once, a second copy is EXISTING (%d/%d of %zu)",
	    news, again, n);
	for (i = 0; i < n; i++)
		if (rows[i].result != NULL)
			break;
	if (i < n) {
		T(ledger_find(dst, &rows[i], &got, &err) == 1 &&
		    got.state == rows[i].state &&
		    got.result_len == rows[i].result_len &&
		    memcmp(got.result, rows[i].result, got.result_len) == 0 &&
		    got.created == rows[i].created &&
		    strcmp(got.payment_id, rows[i].payment_id) == 0,
		    "a copied row keeps state, result bytes, times, payment id");
		ledger_payment_free(&got);
	} else
		T(0, "a row with a result to compare");
	ledger_payments_free(rows, n);
	ledger_close(dst);
}

/* What only a database server has. */
static void
test_pg_only(void)
{
	struct ledger		*l;
	struct ledger_payment	 in, row;
	struct sf_err		 err;
	char			 sql[200];
	time_t			 t0;

	sf_err_clear(&err);
	l = ledger_open("postgresql://synthforge@127.0.0.1:1/nothing", &err);
	T(l != NULL, "an unreachable server does not fail the open");
	if (l != NULL) {
		T(ledger_writable(l, &err) == -1 && err.status == 503 &&
		    strcmp(err.code, "ledger_unavailable") == 0,
		    "unreachable: writable says 503 ledger_unavailable (%s)",
		    err.message);
		fill(&in, nonce_n(5000), NULL, "h", "1");
		t0 = time(NULL);
		T(ledger_claim(l, &in, &row, &err) == -1 &&
		    err.status == 503 && strcmp(err.code,
		    "ledger_unavailable") == 0 && time(NULL) - t0 < 10,
		    "unreachable: a claim fails fast with 503");
		ledger_close(l);
	}
	sf_err_clear(&err);
	T(ledger_open("postgresql://synthforge@127.0.0.1:notaport/x",
	    &err) == NULL && strcmp(err.code, "config_invalid") == 0,
	    "a malformed URI is config_invalid (%s)", err.message);
	snprintf(sql, sizeof(sql), "UPDATE synthforge_schema SET version ="
	    " version + 1 WHERE component = 'ledger'");
	T(pgtest_exec(dbpath, sql) == 0, "schema version bumped");
	sf_err_clear(&err);
	T(ledger_open(dbpath, &err) == NULL &&
	    strstr(err.message, "this program knows") != NULL,
	    "a newer schema is refused (%s)", err.message);
}

int
main(void)
{
	struct ledger		*l;
	struct ledger_payment	 in, row, got, *rows;
	struct ledger_revenue	*rev;
	struct sf_err		 err;
	struct race		 r = { 0, 0, 0 };
	pthread_t		 th[NTHREADS];
	pid_t			 pids[NPROCS];
	int			 i, rc, status, news, ex;
	int64_t			 id;
	size_t			 n;
	char			 dir[] = "/tmp/sf-ledger-XXXXXX";

	if (mkdtemp(dir) == NULL)
		return 1;
	snprintf(dbpath, sizeof(dbpath), "%s/ledger.db", dir);
	if (pgtest_db("sf_ledger", dbpath, dbpath, sizeof(dbpath)) == -1)
		TAP_OK(0, "a fresh PostgreSQL database");

	l = ledger_open(dbpath, &err);
	T(l != NULL, "open creates the schema (%s)", l ? "" : err.message);
	printf("# backend: %s\n", l ? ledger_backend(l) : "?");
	T(l != NULL && strcmp(ledger_backend(l), pgtest_on() ? "postgresql" :
	    "sqlite") == 0, "DB picks the backend");
	if (l == NULL)
		return tap_done();

	fill(&in, nonce_n(1), "pay_aaaaaaaaaaaaaaaa", "req1", "10000");
	rc = ledger_claim(l, &in, &row, &err);
	T(rc == LEDGER_NEW && row.id > 0, "first claim is NEW");
	id = row.id;
	TAP_STREQ(row.payer, "0x70997970c51812dc3a010c7d01b50e0d17dc79c8",
	    "payer stored lower-case");
	ledger_payment_free(&row);

	/* Same authorization presented as v1: same chain, same key. */
	fill(&in, nonce_n(1), NULL, "req2", "10000");
	snprintf(in.network, sizeof(in.network), "base-sepolia");
	snprintf(in.payer, sizeof(in.payer),
	    "0x70997970c51812dc3a010c7d01b50e0d17dc79c8");
	rc = ledger_claim(l, &in, &row, &err);
	T(rc == LEDGER_EXISTING && row.id == id,
	    "v1 replay of the same nonce is EXISTING");
	TAP_STREQ(row.request_hash, "req1", "existing row returned");
	ledger_payment_free(&row);

	fill(&in, nonce_n(2), "pay_aaaaaaaaaaaaaaaa", "req3", "10000");
	rc = ledger_claim(l, &in, &row, &err);
	T(rc == LEDGER_EXISTING && row.id == id,
	    "same payment id, new nonce is EXISTING (caller: 409)");
	ledger_payment_free(&row);

	T(ledger_set_state(l, id, LEDGER_VERIFIED, LEDGER_WORKING, NULL,
	    &err) == 1, "verified -> working");
	T(ledger_set_state(l, id, LEDGER_VERIFIED, LEDGER_WORKING, NULL,
	    &err) == 0, "second CAS from verified does nothing");
	T(ledger_store_result(l, id, "image/png", "\x89PNG\0x", 6,
	    &err) == 0, "store result with NUL bytes");
	T(ledger_set_state(l, id, -1, LEDGER_DELIVERED, NULL, &err) == 1,
	    "-> delivered");
	T(ledger_get(l, id, &got, &err) == 1, "get");
	T(got.result_len == 6 && memcmp(got.result, "\x89PNG\0x", 6) == 0,
	    "result round-trips");
	TAP_STREQ(got.content_type, "image/png", "content type");
	T(got.state == LEDGER_DELIVERED, "state delivered");
	ledger_payment_free(&got);

	/* Taking over a dead worker's row: only when stale, only once. */
	fill(&in, nonce_n(900), NULL, "req-stale", "10000");
	in.state = LEDGER_WORKING;
	T(ledger_claim(l, &in, &row, &err) == LEDGER_NEW, "claim a working row");
	T(ledger_take_stale(l, row.id, LEDGER_WORKING, LEDGER_WORKING,
	    (int64_t)time(NULL) - 100, &err) == 0,
	    "a fresh row is not taken over");
	T(ledger_take_stale(l, row.id, LEDGER_VERIFIED, LEDGER_WORKING,
	    (int64_t)time(NULL) + 10, &err) == 0,
	    "take-over checks the state too");
	T(ledger_take_stale(l, row.id, LEDGER_WORKING, LEDGER_WORKING,
	    (int64_t)time(NULL) + 10, &err) == 1,
	    "a row untouched since the cut-off is taken over");
	T(ledger_take_stale(l, row.id, LEDGER_WORKING, LEDGER_WORKING,
	    (int64_t)time(NULL) - 1, &err) == 0,
	    "the take-over refreshed it: a second taker loses");
	ledger_payment_free(&row);

	T(ledger_pending_settlement(l, time(NULL), 0, &rows, &n,
	    &err) == 0 && n == 1 && rows[0].id == id, "one pending row");
	ledger_payments_free(rows, n);
	T(ledger_pending_settlement(l, time(NULL), 3600, &rows, &n,
	    &err) == 0 && n == 0, "min_age hides fresh rows");
	ledger_payments_free(rows, n);
	T(ledger_pending_settlement(l, time(NULL) + 601, 0, &rows, &n,
	    &err) == 0 && n == 0, "expired validBefore is not pending");
	ledger_payments_free(rows, n);

	/* Two settlers read the same pending row: one lease wins. */
	T(ledger_get(l, id, &got, &err) == 1, "get the pending row");
	T(ledger_lease(l, id, LEDGER_DELIVERED, got.updated, 300, &err) == 1,
	    "the first settler leases the version it read");
	T(ledger_lease(l, id, LEDGER_DELIVERED, got.updated, 300, &err) == 0,
	    "a second settler with the same version loses");
	T(ledger_pending_settlement(l, time(NULL), 0, &rows, &n,
	    &err) == 0 && n == 0, "a leased row is not pending, even at "
	    "min_age 0");
	ledger_payments_free(rows, n);
	T(ledger_pending_settlement(l, time(NULL) + 301, 0, &rows, &n,
	    &err) == 0 && n == 1, "after the lease it is pending again");
	ledger_payments_free(rows, n);
	ledger_payment_free(&got);
	T(ledger_set_state(l, id, LEDGER_DELIVERED, LEDGER_DELIVERED, NULL,
	    &err) == 1, "the settler writing the row ends the lease");

	fill(&in, nonce_n(3), NULL, "req4", "250000");
	rc = ledger_claim(l, &in, &row, &err);
	T(rc == LEDGER_NEW, "second payment");
	T(ledger_set_settled(l, row.id, "0xabc", NULL, &err) == 0,
	    "set settled");
	ledger_payment_free(&row);
	fill(&in, nonce_n(4), NULL, "req5",
	    "99999999999999999999999999999999");
	rc = ledger_claim(l, &in, &row, &err);
	T(ledger_set_settled(l, row.id, NULL, "settled (confirmed on "
	    "chain)", &err) == 0, "settled without tx");
	ledger_payment_free(&row);

	T(ledger_revenue(l, &rev, &n, &err) == 0 && n == 1,
	    "revenue: one endpoint");
	if (n == 1) {
		TAP_STREQ(rev[0].settled, "100000000000000000000000000249999",
		    "settled sum beyond 64 bits");
		T(rev[0].settled_count == 2, "settled count");
		TAP_STREQ(rev[0].pending, "10000", "pending sum");
	}
	free(rev);

	T(ledger_list(l, LEDGER_SETTLED, 0, &rows, &n, &err) == 0 &&
	    n == 2, "list settled");
	ledger_payments_free(rows, n);
	T(ledger_list(l, -1, 1, &rows, &n, &err) == 0 && n == 1,
	    "list with limit");
	ledger_payments_free(rows, n);

	/* Shared handle, many threads. */
	for (i = 0; i < NTHREADS; i++)
		pthread_create(&th[i], NULL, shared_thread, l);
	news = ex = 0;
	for (i = 0; i < NTHREADS; i++) {
		void *ret;
		pthread_join(th[i], &ret);
		if ((intptr_t)ret == LEDGER_NEW)
			news++;
		else if ((intptr_t)ret == LEDGER_EXISTING)
			ex++;
	}
	T(news == 1 && ex == NTHREADS - 1,
	    "shared handle: %d threads, exactly one NEW", NTHREADS);
	ledger_close(l);

	/* A connection per thread. */
	for (i = 0; i < NTHREADS; i++)
		pthread_create(&th[i], NULL, race_thread, &r);
	for (i = 0; i < NTHREADS; i++)
		pthread_join(th[i], NULL);
	T(r.news == 1 && r.existing == NTHREADS - 1 && r.errors == 0,
	    "own connections: %d threads, exactly one NEW", NTHREADS);

	/* Processes: exit 10 = NEW, 11 = EXISTING. */
	for (i = 0; i < NPROCS; i++) {
		if ((pids[i] = fork()) == 0) {
			struct ledger *cl;

			if ((cl = ledger_open(dbpath, &err)) == NULL)
				_exit(1);
			fill(&in, nonce_n(999), NULL, "h", "1");
			rc = ledger_claim(cl, &in, &row, &err);
			ledger_payment_free(&row);
			ledger_close(cl);
			_exit(rc == LEDGER_NEW ? 10 :
			    rc == LEDGER_EXISTING ? 11 : 1);
		}
	}
	news = ex = 0;
	for (i = 0; i < NPROCS; i++) {
		if (pids[i] > 0 && waitpid(pids[i], &status, 0) > 0 &&
		    WIFEXITED(status)) {
			news += WEXITSTATUS(status) == 10;
			ex += WEXITSTATUS(status) == 11;
		}
	}
	T(news == 1 && ex == NPROCS - 1,
	    "%d processes: exactly one NEW (%d new, %d existing)", NPROCS,
	    news, ex);

	l = ledger_open(dbpath, &err);
	T(l != NULL, "reopen keeps schema version");
	test_import(l);
	ledger_close(l);
	if (pgtest_on())
		test_pg_only();

	{
		char cmd[300];
		snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
		if (system(cmd) != 0)
			printf("# cleanup failed\n");
	}
	return tap_done();
}
