/*
 * The ledger's jobs (ledger.h, "Jobs"; ledger_job.c): the SQL made from
 * the jobs' row layout, a job recorded once per payment, lookups, a
 * payer's pages, what a runner may take, the lease (one taker wins, also
 * across processes; renewal, release, expiry), cancellation against
 * delivery (one of the two wins), closing, and the schema step that adds
 * the table to a ledger made before it.  The same assertions on SQLite
 * and, with SF_TEST_PG set (make unit-pg), on PostgreSQL.
 */
#include <sys/wait.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sqlite3.h>

#include "basics/err.h"
#include "ledger/ledger.h"
#include "ledger/ledger_be.h"
#include "pgtest.h"
#include "ledger_v1.h"
#include "tap.h"

#define T(e, ...) do { int t_ok = (e); TAP_OK(t_ok, __VA_ARGS__); } while (0)

#define NPROCS		8
#define PAYER_A		"0x70997970C51812dc3A010C7d01b50e0d17dc79C8"
#define PAYER_B		"0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC"

static char	 dbpath[512];
static int	 nonce_seq = 1;

/* A payment of payer in state st; its id. */
static int64_t
pay(struct ledger *l, const char *payer, enum ledger_state st)
{
	struct ledger_payment	 in, row;
	struct sf_err		 err;
	int64_t			 id;

	memset(&in, 0, sizeof(in));
	snprintf(in.endpoint, sizeof(in.endpoint), "text-to-video");
	snprintf(in.request_hash, sizeof(in.request_hash), "h%d", nonce_seq);
	snprintf(in.payer, sizeof(in.payer), "%s", payer);
	snprintf(in.amount, sizeof(in.amount), "200000");
	snprintf(in.asset, sizeof(in.asset),
	    "0x5FbDB2315678afecb367f032d93F642f64180aa3");
	snprintf(in.network, sizeof(in.network), "eip155:84532");
	in.x402_version = 2;
	snprintf(in.nonce, sizeof(in.nonce), "0x%064x", nonce_seq++);
	snprintf(in.valid_after, sizeof(in.valid_after), "0");
	snprintf(in.valid_before, sizeof(in.valid_before), "%lld",
	    (long long)time(NULL) + 600);
	in.payload = "{\"x402Version\":2}";
	in.requirements = "{\"scheme\":\"exact\"}";
	in.state = st;
	if (ledger_claim(l, &in, &row, &err) != LEDGER_NEW)
		return -1;
	id = row.id;
	ledger_payment_free(&row);
	return id;
}

/* A job for payment pid; its seq (read back), or -1. */
static int64_t
job(struct ledger *l, const char *id, int64_t pid, const char *payer)
{
	struct ledger_job	 in, got;
	struct sf_err		 err;
	int64_t			 seq;

	memset(&in, 0, sizeof(in));
	snprintf(in.id, sizeof(in.id), "%s", id);
	in.payment = pid;
	snprintf(in.endpoint, sizeof(in.endpoint), "text-to-video");
	snprintf(in.payer, sizeof(in.payer), "%s", payer);
	snprintf(in.network, sizeof(in.network), "eip155:84532");
	in.request = "{\"prompt\":\"a fox\",\"duration\":5}";
	if (ledger_job_create(l, &in, &err) != LEDGER_NEW ||
	    ledger_job_get(l, id, &got, &err) != 1)
		return -1;
	seq = got.seq;
	ledger_job_free(&got);
	return seq;
}

/* Whether the SQL made of tmpl (PostgreSQL's dialect) holds want. */
static int
sql_has(const char *tmpl, const char *want)
{
	static const struct ledger_dialect d = { "$", "BIGSERIAL PRIMARY KEY",
	    "BIGINT", "BYTEA" };
	struct sf_err	 err;
	char		*s = ledger_sql(tmpl, &d, &err);
	int		 ok = s != NULL && strstr(s, want) != NULL;

	free(s);
	return ok;
}

/* The SQL of the jobs' row layout. */
static void
test_sql(void)
{
	T(sql_has("SELECT {jcols} FROM", "SELECT j.seq, j.id, j.payment, "
	    "j.endpoint, j.payer, j.network, j.request, "
	    "j.upstream, j.progress, j.message, j.open, j.cancel, "
	    "j.delivering, j.lease_until, j.lease_owner, j.attempts, "
	    "j.started, j.created, j.updated, j.webhook_url, "
	    "j.webhook_secret, p.state, p.tx, p.amount, "
	    "p.valid_before, p.error FROM"), "{jcols}: the job's, then its "
	    "payment's");
	T(sql_has("({jinsert})", "(id, payment, endpoint, payer, network, "
	    "request, upstream, progress, message, open, cancel, "
	    "delivering, lease_until, lease_owner, attempts, started, created, "
	    "updated, webhook_url, webhook_secret)"), "{jinsert}: the table's own columns only");
	T(sql_has("({jvalues})", "($1, $2, ") && sql_has("({jvalues})",
	    ", $20)") && !sql_has("({jvalues})", "$21"), "{jvalues}: $1..$20");
	T(sql_has("{jtable}", "seq BIGSERIAL PRIMARY KEY, id TEXT NOT NULL "
	    "UNIQUE, payment BIGINT NOT NULL UNIQUE,") &&
	    sql_has("{jtable}", "upstream TEXT, ") &&
	    !sql_has("{jtable}", "state") && !sql_has("{jtable}", "amount"),
	    "{jtable}: keys; the payment's columns are not the job's");
	T(sql_has("IN ({inflight})", "IN ('working', 'delivered')"),
	    "{inflight}: the states a runner may take a job in");
}

/* A job's webhook: its URL and secret stored, the secret forgotten. */
static void
test_webhook(struct ledger *l)
{
	struct ledger_job	 in, got;
	struct sf_err		 err;
	int64_t			 pid = pay(l, PAYER_A, LEDGER_WORKING);

	memset(&in, 0, sizeof(in));
	snprintf(in.id, sizeof(in.id), "job_0000000000000000000000000000w001");
	in.payment = pid;
	snprintf(in.endpoint, sizeof(in.endpoint), "text-to-video");
	snprintf(in.payer, sizeof(in.payer), PAYER_A);
	snprintf(in.network, sizeof(in.network), "eip155:84532");
	in.request = "{}";
	in.webhook_url = "https://hooks.example/job?k=1";
	snprintf(in.webhook_secret, sizeof(in.webhook_secret),
	    "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw");
	T(ledger_job_create(l, &in, &err) == LEDGER_NEW, "a job with a "
	    "webhook recorded");
	T(ledger_job_get(l, in.id, &got, &err) == 1 && got.webhook_url &&
	    strcmp(got.webhook_url, in.webhook_url) == 0 &&
	    strcmp(got.webhook_secret, in.webhook_secret) == 0,
	    "its webhook_url and secret read back");
	T(ledger_job_forget_secret(l, got.seq, &err) == 0, "forgotten");
	ledger_job_free(&got);
	T(ledger_job_get(l, in.id, &got, &err) == 1 && got.webhook_url &&
	    got.webhook_secret[0] == '\0', "the secret is gone, the URL kept");
	ledger_job_free(&got);
}

static void
test_create(struct ledger *l)
{
	struct ledger_job	 in, got;
	struct sf_err		 err;
	char			 hashes[LEDGER_JOB_TOKENS_MAX][65];
	size_t			 nh;
	int64_t			 pid = pay(l, PAYER_A, LEDGER_WORKING), seq;

	T(pid > 0, "a payment in working");
	T((seq = job(l, "job_00000000000000000000000000000001", pid,
	    PAYER_A)) > 0, "its job recorded");
	memset(&in, 0, sizeof(in));
	snprintf(in.id, sizeof(in.id), "job_00000000000000000000000000000002");
	in.payment = pid;
	snprintf(in.endpoint, sizeof(in.endpoint), "text-to-video");
	snprintf(in.payer, sizeof(in.payer), PAYER_A);
	snprintf(in.network, sizeof(in.network), "eip155:84532");
	in.request = "{}";
	T(ledger_job_create(l, &in, &err) == LEDGER_EXISTING,
	    "a second job for the same payment: EXISTING");
	in.request = NULL;
	T(ledger_job_create(l, &in, &err) == -1 &&
	    strcmp(err.code, "internal_error") == 0, "a missing field: -1");

	T(ledger_job_get(l, "job_00000000000000000000000000000001", &got,
	    &err) == 1, "by public id");
	T(got.seq == seq && got.payment == pid && got.open == 1 &&
	    got.cancel == 0 && got.delivering == 0 && got.lease_until == 0 &&
	    got.attempts == 0 && got.started == 0 && got.upstream == NULL &&
	    got.created > 0 && strcmp(got.request,
	    "{\"prompt\":\"a fox\",\"duration\":5}") == 0, "as stored");
	TAP_STREQ(got.payer, "0x70997970c51812dc3a010c7d01b50e0d17dc79c8",
	    "payer lower-cased as the payment's");
	T(got.state == LEDGER_WORKING && strcmp(got.amount, "200000") == 0 &&
	    got.tx[0] == '\0' && got.valid_before[0] != '\0',
	    "read with its payment's state, amount, tx, validBefore");
	ledger_job_free(&got);
	T(ledger_job_of_payment(l, pid, &got, &err) == 1 && got.seq == seq,
	    "by payment");
	ledger_job_free(&got);
	T(ledger_job_tokens(l, "job_00000000000000000000000000000001", hashes,
	    LEDGER_JOB_TOKENS_MAX, &nh, &err) == 0 && nh == 0, "no link yet");
	T(ledger_job_token_add(l, "job_00000000000000000000000000000001",
	    "aa00000000000000000000000000000000000000000000000000000000000001",
	    &err) == 0 && ledger_job_token_add(l,
	    "job_00000000000000000000000000000001",
	    "bb00000000000000000000000000000000000000000000000000000000000002",
	    &err) == 0, "two links");
	T(ledger_job_token_add(l, "job_00000000000000000000000000000001",
	    "abc", &err) == -1, "a hash that is not 64 hex digits: -1");
	T(ledger_job_tokens(l, "job_00000000000000000000000000000001", hashes,
	    LEDGER_JOB_TOKENS_MAX, &nh, &err) == 0 && nh == 2 &&
	    hashes[0][0] != '\0' && strcmp(hashes[0], hashes[1]) != 0,
	    "both hashes read back");
	T(ledger_job_tokens(l, "job_00000000000000000000000000000001", hashes,
	    1, &nh, &err) == 0 && nh == 1, "at most max");
	sf_err_clear(&err);
	T(ledger_job_get(l, "job_nope", &got, &err) == 0 && err.status == 0 &&
	    ledger_job_of_payment(l, 987654321, &got, &err) == 0,
	    "unknown: 0, no error");
}

/* A payer's pages, newest first; another payer's jobs never show. */
static void
test_list(struct ledger *l)
{
	struct ledger_job	*rows;
	struct sf_err		 err;
	size_t			 n;
	int64_t			 seqs[5];
	char			 id[40];
	int			 i;

	for (i = 0; i < 5; i++) {
		snprintf(id, sizeof(id), "job_b%031d", i);
		seqs[i] = job(l, id, pay(l, PAYER_B, LEDGER_WORKING), PAYER_B);
	}
	T(ledger_job_list(l, "0x3c44cdddb6a900fa2b585dd299e03d12fa4293bc", 0,
	    2, &rows, &n, &err) == 0 && n == 2 && rows[0].seq == seqs[4] &&
	    rows[1].seq == seqs[3], "page 1: the two newest");
	ledger_jobs_free(rows, n);
	T(ledger_job_list(l, PAYER_B, seqs[3], 2, &rows, &n, &err) == 0 &&
	    n == 2 && rows[0].seq == seqs[2] && rows[1].seq == seqs[1],
	    "page 2: below the cursor (any case of the address)");
	ledger_jobs_free(rows, n);
	T(ledger_job_list(l, PAYER_B, seqs[1], 2, &rows, &n, &err) == 0 &&
	    n == 1 && rows[0].seq == seqs[0], "last page");
	ledger_jobs_free(rows, n);
	T(ledger_job_list(l, PAYER_A, 0, 100, &rows, &n, &err) == 0 &&
	    n == 1 && strcmp(rows[0].id,
	    "job_00000000000000000000000000000001") == 0,
	    "the other payer sees only its own");
	ledger_jobs_free(rows, n);
	T(ledger_job_list(l, "0x0000000000000000000000000000000000000001", 0,
	    100, &rows, &n, &err) == 0 && n == 0, "a stranger sees none");
	ledger_jobs_free(rows, n);
	T(ledger_job_list(l, NULL, 0, 100, &rows, &n, &err) == 0 && n == 6,
	    "everyone's (synthforge-ctl jobs)");
	ledger_jobs_free(rows, n);
}

/* Runnable: open, payment in flight, lease ended; leases. */
static void
test_lease(struct ledger *l)
{
	struct ledger_job	*rows, got;
	struct sf_err		 err;
	size_t			 n, i;
	int64_t			 pid, seq;
	int			 cancel, found;

	pid = pay(l, PAYER_A, LEDGER_WORKING);
	seq = job(l, "job_lease00000000000000000000000001", pid, PAYER_A);
	T(ledger_job_runnable(l, "text-to-video", time(NULL), 100, &rows, &n,
	    &err) == 0 && n == 7 && rows[0].seq < rows[n - 1].seq,
	    "every working job is runnable, oldest first (%zu)", n);
	ledger_jobs_free(rows, n);
	T(ledger_job_runnable(l, "image-generate", time(NULL), 100, &rows,
	    &n, &err) == 0 && n == 0, "another endpoint's runner sees none");
	ledger_jobs_free(rows, n);
	T(ledger_job_runnable(l, NULL, time(NULL), 3, &rows, &n, &err) == 0 &&
	    n == 3, "at most limit");
	ledger_jobs_free(rows, n);

	T(ledger_job_lease(l, seq, "host/1/a", 30, &err) == 1,
	    "leased");
	T(ledger_job_lease(l, seq, "host/2/b", 30, &err) == 0,
	    "a second taker loses while the lease runs");
	T(ledger_job_runnable(l, NULL, time(NULL), 100, &rows, &n, &err) ==
	    0, "runnable again");
	for (found = 0, i = 0; i < n; i++)
		found |= rows[i].seq == seq;
	T(!found, "a leased job is not runnable");
	ledger_jobs_free(rows, n);
	T(ledger_job_get(l, "job_lease00000000000000000000000001", &got,
	    &err) == 1 && got.attempts == 1 && got.lease_until >= time(NULL) +
	    29 && strcmp(got.lease_owner, "host/1/a") == 0, "owner, end, "
	    "attempts");
	ledger_job_free(&got);
	T(ledger_job_renew(l, seq, "host/1/a", 60, &cancel, &err) == 1 &&
	    cancel == 0, "the owner renews");
	T(ledger_job_renew(l, seq, "host/2/b", 60, &cancel, &err) == 0,
	    "anyone else cannot");
	T(ledger_job_release(l, seq, "host/2/b", &err) == 0 &&
	    ledger_job_release(l, seq, "host/1/a", &err) == 1,
	    "released by its owner only");
	T(ledger_job_lease(l, seq, "host/2/b", -5, &err) == 1,
	    "taken by another once released (a lease already over)");
	T(ledger_job_lease(l, seq, "host/3/c", 30, &err) == 1,
	    "an expired lease is taken over");
	T(ledger_job_renew(l, seq, "host/2/b", 30, &cancel, &err) == 0,
	    "the old owner learns it lost the job");

	T(ledger_job_started(l, seq, &err) == 0 &&
	    ledger_job_set_upstream(l, seq, "{\"provider\":\"fal\","
	    "\"request_id\":\"r1\"}", &err) == 0 &&
	    ledger_job_set_progress(l, seq, "IN_QUEUE, position 2", &err) ==
	    0, "started, upstream reference, progress");
	T(ledger_job_get(l, "job_lease00000000000000000000000001", &got,
	    &err) == 1 && got.started > 0 && got.upstream != NULL &&
	    strstr(got.upstream, "\"r1\"") != NULL &&
	    strcmp(got.progress, "IN_QUEUE, position 2") == 0, "read back");
	ledger_job_free(&got);

	T(ledger_set_state(l, pid, LEDGER_WORKING, LEDGER_DELIVERED, NULL,
	    &err) == 1 && ledger_job_release(l, seq, "host/3/c", &err) == 1,
	    "delivered, released");
	T(ledger_job_runnable(l, NULL, time(NULL), 100, &rows, &n, &err) == 0,
	    "runnable");
	for (found = 0, i = 0; i < n; i++)
		found |= rows[i].seq == seq;
	T(found, "a delivered job is runnable (its settlement is left)");
	ledger_jobs_free(rows, n);
	T(ledger_set_state(l, pid, -1, LEDGER_SETTLED, NULL, &err) == 1 &&
	    ledger_job_runnable(l, NULL, time(NULL), 100, &rows, &n, &err) ==
	    0, "settled");
	for (found = 0, i = 0; i < n; i++)
		found |= rows[i].seq == seq;
	T(!found, "a settled job is not runnable");
	ledger_jobs_free(rows, n);

	T(ledger_job_close(l, seq, "done", &err) == 0 &&
	    ledger_job_get(l, "job_lease00000000000000000000000001", &got,
	    &err) == 1 && got.open == 0 && strcmp(got.message, "done") == 0 &&
	    got.lease_until == 0, "closed with its message");
	ledger_job_free(&got);
	T(ledger_set_state(l, pid, -1, LEDGER_WORKING, NULL, &err) == 1 &&
	    ledger_job_lease(l, seq, "host/4/d", 30, &err) == 0,
	    "a closed job is never leased again");
}

/* Cancellation against delivery: one row, one winner. */
static void
test_cancel(struct ledger *l)
{
	struct ledger_job	 got;
	struct sf_err		 err;
	int64_t			 a, b;
	int			 cancel;

	a = job(l, "job_cancel0000000000000000000000001", pay(l, PAYER_A,
	    LEDGER_WORKING), PAYER_A);
	b = job(l, "job_cancel0000000000000000000000002", pay(l, PAYER_A,
	    LEDGER_WORKING), PAYER_A);
	T(ledger_job_cancel(l, a, &err) == 1, "cancel asked");
	T(ledger_job_cancel(l, a, &err) == 1, "asked again: still 1");
	T(ledger_job_delivering(l, a, &err) == 0,
	    "the runner may not deliver a cancelled job");
	T(ledger_job_lease(l, a, "host/1/x", 30, &err) == 1 &&
	    ledger_job_renew(l, a, "host/1/x", 30, &cancel, &err) == 1 &&
	    cancel == 1, "its runner learns it at renewal");
	T(ledger_job_delivering(l, b, &err) == 1, "b's runner delivers");
	T(ledger_job_cancel(l, b, &err) == 0, "too late to cancel b");
	T(ledger_job_get(l, "job_cancel0000000000000000000000002", &got,
	    &err) == 1 && got.delivering == 1 && got.cancel == 0, "b as is");
	ledger_job_free(&got);
}

/* NPROCS processes lease one job at once: exactly one wins. */
static void
test_processes(void)
{
	struct ledger	*l;
	struct sf_err	 err;
	pid_t		 pids[NPROCS];
	int64_t		 seq;
	int		 i, status, won = 0, lost = 0;
	char		 owner[32];

	if ((l = ledger_open(dbpath, &err)) == NULL) {
		TAP_OK(0, "open: %s", err.message);
		return;
	}
	seq = job(l, "job_race00000000000000000000000001", pay(l, PAYER_A,
	    LEDGER_WORKING), PAYER_A);
	ledger_close(l);
	for (i = 0; i < NPROCS; i++) {
		if ((pids[i] = fork()) == 0) {
			if ((l = ledger_open(dbpath, &err)) == NULL)
				_exit(1);
			snprintf(owner, sizeof(owner), "p%d", i);
			status = ledger_job_lease(l, seq, owner, 30, &err);
			ledger_close(l);
			_exit(status == 1 ? 10 : status == 0 ? 11 : 1);
		}
	}
	for (i = 0; i < NPROCS; i++)
		if (pids[i] > 0 && waitpid(pids[i], &status, 0) > 0 &&
		    WIFEXITED(status)) {
			won += WEXITSTATUS(status) == 10;
			lost += WEXITSTATUS(status) == 11;
		}
	T(won == 1 && lost == NPROCS - 1, "%d processes, one lease (%d won, "
	    "%d lost)", NPROCS, won, lost);
}

/* A ledger made before jobs gets the table when it is opened. */
static void
test_schema_step(void)
{
	struct ledger		*l;
	struct ledger_job	 got;
	struct sf_err		 err;
	char			 cmd[700];
	int			 rc;

	if (pgtest_on())
		rc = pgtest_exec(dbpath, "DROP TABLE jobs; DROP TABLE "
		    "job_tokens; UPDATE "
		    "synthforge_schema SET version = 4 WHERE component = "
		    "'ledger'");
	else {
		snprintf(cmd, sizeof(cmd), "sqlite3 %s 'DROP TABLE jobs; "
		    "DROP TABLE job_tokens; PRAGMA user_version = 3;'", dbpath);
		rc = system(cmd) == 0 ? 0 : -1;
	}
	T(rc == 0, "a ledger as the version before jobs");
	T((l = ledger_open(dbpath, &err)) != NULL, "opened (%s)",
	    l ? "" : err.message);
	if (l == NULL)
		return;
	T(job(l, "job_after_step000000000000000000001", pay(l, PAYER_A,
	    LEDGER_WORKING), PAYER_A) > 0 && ledger_job_get(l,
	    "job_after_step000000000000000000001", &got, &err) == 1,
	    "the step added the jobs table");
	ledger_job_free(&got);
	ledger_close(l);
}

/* A file as the first release made it (version 1) takes every step up to
   the jobs table, its payments kept. */
static void
test_schema_from_v1(void)
{
	struct ledger		*l;
	struct ledger_job	 got;
	struct sf_err		 err;
	sqlite3			*db;
	char			 path[600];
	int			 ok;

	snprintf(path, sizeof(path), "%s.v1", dbpath);
	ok = sqlite3_open(path, &db) == SQLITE_OK &&
	    sqlite3_exec(db, LEDGER_V1_SCHEMA "PRAGMA user_version = 1;",
	    NULL, NULL, NULL) == SQLITE_OK;
	sqlite3_close(db);
	T(ok, "a ledger file of schema version 1");
	if ((l = ledger_open(path, &err)) == NULL) {
		TAP_OK(0, "the version 1 file opens: %s", err.message);
		return;
	}
	T(job(l, "job_after_v1_000000000000000000001", pay(l, PAYER_A,
	    LEDGER_WORKING), PAYER_A) > 0 && ledger_job_get(l,
	    "job_after_v1_000000000000000000001", &got, &err) == 1,
	    "upgraded from version 1: jobs recorded and read");
	ledger_job_free(&got);
	ledger_close(l);
	unlink(path);
}

int
main(void)
{
	struct ledger	*l;
	struct sf_err	 err;
	char		 dir[] = "/tmp/sf-ledger-job-XXXXXX", cmd[300];

	TAP_CASE(test_sql);
	if (mkdtemp(dir) == NULL)
		return 1;
	snprintf(dbpath, sizeof(dbpath), "%s/ledger.db", dir);
	if (pgtest_db("sf_ledger_job", dbpath, dbpath, sizeof(dbpath)) == -1)
		TAP_OK(0, "a fresh PostgreSQL database");
	l = ledger_open(dbpath, &err);
	T(l != NULL, "open creates the schema (%s)", l ? "" : err.message);
	if (l == NULL)
		return tap_done();
	printf("# backend: %s\n", ledger_backend(l));
	TAP_CASE_ARGS(test_create, l);
	TAP_CASE_ARGS(test_list, l);
	TAP_CASE_ARGS(test_lease, l);
	TAP_CASE_ARGS(test_cancel, l);
	TAP_CASE_ARGS(test_webhook, l);
	ledger_close(l);
	TAP_CASE(test_processes);
	TAP_CASE(test_schema_step);
	if (!pgtest_on())
		TAP_CASE(test_schema_from_v1);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	if (system(cmd) != 0)
		printf("# cleanup failed\n");
	return tap_done();
}
