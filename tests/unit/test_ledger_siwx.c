/*
 * Sign-In-With-X nonces in the ledger (ledger/ledger_siwx.c) and the
 * store over it that the sign-in uses (flow/flow_siwx.c): issued once,
 * used once, expired nonces refused and pruned, and of concurrent
 * consumers in threads and in separate processes (each its own
 * connection) exactly one wins.  A real sign-in (the official client's
 * header, tests/unit/siwx_vectors.h) goes through the store once and is
 * refused when replayed.  The same assertions on SQLite and, with
 * SF_TEST_PG (make unit-pg), on PostgreSQL; and a database made before
 * the nonces' table is upgraded when opened.
 */
#include <sys/wait.h>

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sqlite3.h>

#include "basics/err.h"
#include "flow/flow_siwx.h"
#include "ledger/ledger.h"
#include "ledger/ledger_siwx.h"
#include "x402/siwx.h"
#include "ledger_v1.h"
#include "pgtest.h"
#include "siwx_vectors.h"
#include "tap.h"

#define T(e, ...) do { int t_ok = (e); TAP_OK(t_ok, __VA_ARGS__); } while (0)

#define NTHREADS	16
#define NPROCS		12
#define ROUNDS		4
#define NOW		1767225600000LL	/* ms: any fixed clock */

static char	 dbpath[512];

static const char *
nonce_n(int i)
{
	static char	 b[4][33];
	static int	 k;
	char		*s = b[k++ % 4];

	snprintf(s, 33, "%032x", i);
	return s;
}

static void
test_issue_consume(struct ledger *l)
{
	struct sf_err	 err;

	T(ledger_siwx_nonce_issue(l, nonce_n(1), NOW + 300000, &err) == 1,
	    "a nonce is issued");
	T(ledger_siwx_nonce_issue(l, nonce_n(1), NOW + 600000, &err) == 0,
	    "the same nonce again is not stored twice");
	T(ledger_siwx_nonce_consume(l, nonce_n(2), NOW, &err) == 0,
	    "a nonce never issued is refused");
	T(ledger_siwx_nonce_consume(l, nonce_n(1), NOW, &err) == 1,
	    "the issued nonce is used up once");
	T(ledger_siwx_nonce_consume(l, nonce_n(1), NOW, &err) == 0,
	    "and refused the second time");
	T(ledger_siwx_nonce_issue(l, nonce_n(3), NOW + 300000, &err) == 1 &&
	    ledger_siwx_nonce_consume(l, nonce_n(3), NOW + 300000, &err) == 0,
	    "a nonce is refused at its expiry");
	T(ledger_siwx_nonce_consume(l, nonce_n(3), NOW + 299999, &err) == 1,
	    "and used up just before it");
	sf_err_clear(&err);
	T(ledger_siwx_nonce_issue(l, "", NOW, &err) == -1 &&
	    err.status == 500, "an empty nonce is an error");
	T(ledger_siwx_nonce_consume(l, "a b", NOW, &err) == -1,
	    "a nonce with a space is an error");
}

static void
test_prune(struct ledger *l)
{
	struct sf_err	 err;
	int		 i, n;

	for (i = 100; i < 105; i++)
		ledger_siwx_nonce_issue(l, nonce_n(i), NOW + 1000, &err);
	ledger_siwx_nonce_issue(l, nonce_n(105), NOW + 5000, &err);
	T(ledger_siwx_nonce_consume(l, nonce_n(100), NOW, &err) == 1,
	    "one of them used");
	/* Expired before NOW + 1000: those of test_issue_consume too. */
	n = ledger_siwx_nonce_prune(l, NOW + 1000, &err);
	T(n == 5, "prune deletes the expired, used or not (%d)", n);
	T(ledger_siwx_nonce_issue(l, nonce_n(101), NOW + 9000, &err) == 1,
	    "a pruned nonce is gone from the table");
	T(ledger_siwx_nonce_consume(l, nonce_n(105), NOW + 1000, &err) == 1,
	    "an unexpired nonce is kept");
	T(ledger_siwx_nonce_prune(l, NOW, &err) == 0, "nothing else expired");
	n = ledger_siwx_nonce_prune(l, NOW + 10000000, &err);
	T(n >= 2, "everything expires (%d)", n);
}

struct race {
	struct ledger	*l;		/* NULL: a connection of its own */
	const char	*nonce;
	pthread_mutex_t	 mu;
	int		 won, lost, errors;
};

static void *
race_thread(void *arg)
{
	struct race	*r = arg;
	struct ledger	*l = r->l;
	struct sf_err	 err;
	int		 rc = -1;

	if (l != NULL || (l = ledger_open(dbpath, &err)) != NULL)
		rc = ledger_siwx_nonce_consume(l, r->nonce, NOW, &err);
	if (r->l == NULL)
		ledger_close(l);
	pthread_mutex_lock(&r->mu);
	if (rc == 1)
		r->won++;
	else if (rc == 0)
		r->lost++;
	else
		r->errors++;
	pthread_mutex_unlock(&r->mu);
	return NULL;
}

static void
test_threads(struct ledger *l)
{
	struct race	 r;
	pthread_t	 th[NTHREADS];
	struct sf_err	 err;
	int		 i, k;

	for (k = 0; k < 2; k++) {
		memset(&r, 0, sizeof(r));
		pthread_mutex_init(&r.mu, NULL);
		r.l = k == 0 ? l : NULL;
		r.nonce = nonce_n(200 + k);
		ledger_siwx_nonce_issue(l, r.nonce, NOW + 60000, &err);
		for (i = 0; i < NTHREADS; i++)
			pthread_create(&th[i], NULL, race_thread, &r);
		for (i = 0; i < NTHREADS; i++)
			pthread_join(th[i], NULL);
		pthread_mutex_destroy(&r.mu);
		T(r.won == 1 && r.lost == NTHREADS - 1 && r.errors == 0,
		    "%d threads on %s: exactly one uses the nonce (%d won, "
		    "%d errors)", NTHREADS, k == 0 ? "one shared handle" :
		    "their own connections", r.won, r.errors);
	}
}

/*
 * Processes, each with its own ledger handle, held at a gate (a pipe
 * whose write end the parent closes) so they consume at once.  Exit 10
 * won, 11 lost, 1 error.
 */
static void
test_processes(struct ledger *l)
{
	struct sf_err	 err;
	pid_t		 pids[NPROCS];
	int		 gate[2], round, i, st, won, lost, all = 1;
	char		 c;

	for (round = 0; round < ROUNDS; round++) {
		const char *nonce = nonce_n(300 + round);

		ledger_siwx_nonce_issue(l, nonce, NOW + 60000, &err);
		if (pipe(gate) == -1)
			break;
		for (i = 0; i < NPROCS; i++) {
			if ((pids[i] = fork()) == 0) {
				struct ledger	*cl;
				int		 rc;

				close(gate[1]);
				if ((cl = ledger_open(dbpath, &err)) == NULL)
					_exit(1);
				/* Connected before the gate opens. */
				ledger_writable(cl, &err);
				(void)!read(gate[0], &c, 1);
				rc = ledger_siwx_nonce_consume(cl, nonce, NOW,
				    &err);
				ledger_close(cl);
				_exit(rc == 1 ? 10 : rc == 0 ? 11 : 1);
			}
		}
		close(gate[0]);
		usleep(200000);
		close(gate[1]);
		won = lost = 0;
		for (i = 0; i < NPROCS; i++)
			if (pids[i] > 0 && waitpid(pids[i], &st, 0) > 0 &&
			    WIFEXITED(st)) {
				won += WEXITSTATUS(st) == 10;
				lost += WEXITSTATUS(st) == 11;
			}
		if (won != 1 || lost != NPROCS - 1) {
			all = 0;
			printf("# round %d: %d won, %d lost\n", round, won,
			    lost);
		}
	}
	T(all && round == ROUNDS, "%d rounds of %d processes: each time "
	    "exactly one uses the nonce", ROUNDS, NPROCS);
}

/* The store flow_siwx_nonces makes, under a real sign-in. */
static void
test_store(struct ledger *l)
{
	const char		*nets[] = { "base-sepolia", "solana-devnet" };
	const struct siwx_vec	*v = &siwx_vecs[0];
	struct siwx_nonce_store	 s;
	struct siwx_config	 c;
	struct siwx_verdict	 vd;
	struct sf_err		 err;
	cJSON			*ext;
	const cJSON		*n;
	int			 rc;

	flow_siwx_nonces(&s, l);
	T(s.ctx == l && s.issue != NULL && s.consume != NULL,
	    "flow_siwx_nonces fills the store");
	T(siwx_config_init(&c, SIWX_VEC_ORIGIN "/", nets, 2, &s, &err) == 0,
	    "a sign-in configuration takes it");
	snprintf(c.statement, sizeof(c.statement), "%s", SIWX_VEC_STATEMENT);

	/* A challenge records its nonce in the ledger. */
	ext = siwx_extension(&c, SIWX_VEC_RESOURCE, NOW, &err);
	n = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(
	    ext, "info"), "nonce");
	T(cJSON_IsString(n) && strlen(n->valuestring) == SIWX_NONCE_LEN,
	    "a challenge carries a fresh nonce");
	if (cJSON_IsString(n)) {
		T(ledger_siwx_nonce_issue(l, n->valuestring, NOW, &err) == 0,
		    "  which is in the ledger");
		T(s.consume(s.ctx, n->valuestring, NOW + c.ttl_ms +
		    c.skew_ms) == 0, "  usable until the challenge's expiry "
		    "plus the skew only");
		T(s.consume(s.ctx, n->valuestring, NOW) == 1 &&
		    s.consume(s.ctx, n->valuestring, NOW) == 0,
		    "  and once");
	}
	cJSON_Delete(ext);
	T(s.issue(s.ctx, nonce_n(1000), NOW + 1000) == 0 &&
	    s.issue(s.ctx, nonce_n(1000), NOW + 1000) == -1,
	    "a nonce issued twice is a failure (no challenge goes out)");

	/* The official client's header, its nonce issued by us. */
	T(s.issue(s.ctx, v->nonce, SIWX_VEC_NOW_MS + 300000) == 0,
	    "the vector's nonce is issued");
	rc = siwx_verify(&c, v->header, SIWX_VEC_NOW_MS, &vd, &err);
	T(rc == 0 && vd.valid, "a real sign-in is accepted through the "
	    "ledger's store (%s)", vd.valid ? vd.address : vd.message);
	rc = siwx_verify(&c, v->header, SIWX_VEC_NOW_MS, &vd, &err);
	T(rc == 0 && !vd.valid && vd.reason != NULL &&
	    strcmp(vd.reason, SIWX_R_NONCE) == 0,
	    "the same header replayed is refused: %s",
	    vd.reason ? vd.reason : "valid");
}

/* A database made before the nonces' table gets it when opened. */
static void
test_upgrade(void)
{
	struct ledger	*l;
	struct sf_err	 err;
	char		 old[600], sql[200];
	sqlite3		*db;
	int		 ok;

	if (pgtest_on()) {
		snprintf(sql, sizeof(sql), "DROP TABLE siwx_nonces;"
		    " UPDATE synthforge_schema SET version = 2"
		    " WHERE component = 'ledger'");
		T(pgtest_exec(dbpath, sql) == 0, "the database set back to "
		    "version 2, without the table");
		snprintf(old, sizeof(old), "%s", dbpath);
	} else {
		/* Version 1 as it was shipped: the payments table only. */
		snprintf(old, sizeof(old), "%s.v1", dbpath);
		ok = sqlite3_open(old, &db) == SQLITE_OK &&
		    sqlite3_exec(db, LEDGER_V1_SCHEMA "PRAGMA user_version = 1",
		    NULL, NULL, NULL) == SQLITE_OK;
		sqlite3_close(db);
		T(ok, "a version 1 file");
	}
	l = ledger_open(old, &err);
	T(l != NULL, "it opens (%s)", l ? "upgraded" : err.message);
	if (l == NULL)
		return;
	T(ledger_siwx_nonce_issue(l, nonce_n(5000), NOW + 1000, &err) == 1 &&
	    ledger_siwx_nonce_consume(l, nonce_n(5000), NOW, &err) == 1,
	    "and keeps nonces");
	ledger_close(l);
}

int
main(void)
{
	struct ledger	*l;
	struct sf_err	 err;
	char		 dir[] = "/tmp/sf-siwx-XXXXXX", cmd[300];

	if (mkdtemp(dir) == NULL)
		return 1;
	snprintf(dbpath, sizeof(dbpath), "%s/ledger.db", dir);
	if (pgtest_db("sf_ledger_siwx", dbpath, dbpath, sizeof(dbpath)) == -1)
		TAP_OK(0, "a fresh PostgreSQL database");
	l = ledger_open(dbpath, &err);
	T(l != NULL, "open (%s)", l ? ledger_backend(l) : err.message);
	if (l == NULL)
		return tap_done();
	printf("# backend: %s\n", ledger_backend(l));
	TAP_CASE_ARGS(test_issue_consume, l);
	TAP_CASE_ARGS(test_prune, l);
	TAP_CASE_ARGS(test_threads, l);
	TAP_CASE_ARGS(test_processes, l);
	TAP_CASE_ARGS(test_store, l);
	ledger_close(l);
	TAP_CASE(test_upgrade);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	if (system(cmd) != 0)
		printf("# cleanup failed\n");
	return tap_done();
}
