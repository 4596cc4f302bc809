/*
 * The PostgreSQL connection pool (ledger/pg/pgpool.c) and its prepared
 * statements.  Without a server: a malformed URI refused, an unreachable
 * one answered 503 at once, statement ids (one per text, a limit).  With
 * SF_TEST_PG (make unit-pg), on a real server: a statement is prepared
 * once on a connection and then only executed; a new connection (the
 * server closed the old ones) prepares again; a connection whose prepared
 * statements the server dropped (DEALLOCATE ALL), and a schema change
 * that alters what a prepared statement returns, cost one retry on a new
 * connection, not an error (so does a name the server has that the
 * connection's record lacks); a statement that fails in a pipeline leaves
 * the pool usable; a transaction over two pipelines commits; values are
 * compressed with lz4 where the server has it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <libpq-fe.h>

#include "basics/err.h"
#include "ledger/pg/pgpool.h"
#include "pgtest.h"
#include "tap.h"

#define T(e, ...) do { int t_ok = (e); TAP_OK(t_ok, __VA_ARGS__); } while (0)

static char	 dbpath[512];

/* One statement by id, its first cell as a number; -1 on error. */
static long
one(struct pgpool *p, int id, const char *arg, struct sf_err *err)
{
	const char	*v[1] = { arg };
	struct pgpool_q	 q = { id, arg != NULL ? 1 : 0, v, NULL, NULL };
	PGresult	*r;
	long		 n;

	sf_err_clear(err);
	if ((r = pgpool_exec(p, &q, err)) == NULL)
		return -1;
	n = PQntuples(r) == 1 ? atol(PQgetvalue(r, 0, 0)) : -1;
	PQclear(r);
	return n;
}

/*
 * What the pooled connection (the one a single thread gets back each
 * time) has prepared under name: its executions so far (generic and
 * custom plans, PostgreSQL 14 and later), 0 when it has not, -1 error.
 */
static long
prepared_runs(struct pgpool *p, int id)
{
	struct sf_err	 err;
	char		 sql[160];
	PGconn		*c;
	PGresult	*r;
	long		 n = -1;

	if ((c = pgpool_conn(p, &err)) == NULL)
		return -1;
	snprintf(sql, sizeof(sql), "SELECT coalesce(sum(generic_plans +"
	    " custom_plans), 0) FROM pg_prepared_statements WHERE name ="
	    " 'sf%d'", id);
	r = PQexec(c, sql);
	if (PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1)
		n = atol(PQgetvalue(r, 0, 0));
	PQclear(r);
	pgpool_done(p, c);
	return n;
}

/* The backend of the pooled connection (as prepared_runs finds it). */
static int
pooled_pid(struct pgpool *p)
{
	struct sf_err	 err;
	PGconn		*c;
	int		 pid;

	if ((c = pgpool_conn(p, &err)) == NULL)
		return -1;
	pid = PQbackendPID(c);
	pgpool_done(p, c);
	return pid;
}

static void
test_offline(void)
{
	struct pgpool	*p;
	struct sf_err	 err;
	char		 sql[64];
	time_t		 t0;
	int		 up = 1, a, b, i, last = 0;

	sf_err_clear(&err);
	T(pgpool_get("postgresql://x@127.0.0.1:port/db", &up, &err) == NULL &&
	    strcmp(err.code, "config_invalid") == 0,
	    "a malformed URI is refused (%s)", err.message);
	sf_err_clear(&err);
	p = pgpool_get("postgresql://x@127.0.0.1:1/nothing", &up, &err);
	T(p != NULL && up == 0, "an unreachable server: a pool, not reached");
	if (p == NULL)
		return;
	a = pgpool_stmt(p, "SELECT 1", &err);
	b = pgpool_stmt(p, "SELECT 2", &err);
	T(a >= 0 && b >= 0 && a != b, "two texts, two ids (%d, %d)", a, b);
	T(pgpool_stmt(p, "SELECT 1", &err) == a, "the same text, its id");
	for (i = 0; i < PGPOOL_STMTS && last >= 0; i++) {
		snprintf(sql, sizeof(sql), "SELECT %d + 1", i);
		last = pgpool_stmt(p, sql, &err);
	}
	T(last == -1 && strcmp(err.code, "ledger_error") == 0,
	    "more than %d texts are refused (%s)", PGPOOL_STMTS, err.message);
	t0 = time(NULL);
	T(one(p, a, NULL, &err) == -1 && err.status == 503 &&
	    time(NULL) - t0 < 5, "unreachable: a statement fails fast with 503 "
	    "(%s)", err.message);
	pgpool_put(p);
}

/* Prepared once per connection, then only executed. */
static void
test_prepared_once(struct pgpool *p)
{
	struct sf_err	 err;
	int		 id;

	id = pgpool_stmt(p, "SELECT $1::int + 1", &err);
	T(one(p, id, "41", &err) == 42 && one(p, id, "1", &err) == 2 &&
	    one(p, id, "2", &err) == 3, "a statement by id, three times");
	T(prepared_runs(p, id) == 3, "prepared once on the connection, "
	    "executed three times there (%ld)", prepared_runs(p, id));
}

/* The server closed the pooled connections: the new one prepares anew. */
static void
test_reconnect(struct pgpool *p)
{
	struct sf_err	 err;
	int		 id, pid;

	id = pgpool_stmt(p, "SELECT $1::int * 2", &err);
	T(one(p, id, "21", &err) == 42, "prepared before the restart");
	pid = pooled_pid(p);
	T(pgtest_exec(dbpath, "SELECT pg_terminate_backend(pid) FROM "
	    "pg_stat_activity WHERE datname = current_database() AND "
	    "pid <> pg_backend_pid()") == 0, "the server closed the pooled "
	    "connections");
	usleep(100000);
	T(one(p, id, "5", &err) == 10, "the statement again, at once (%s)",
	    err.message);
	T(pooled_pid(p) != pid && prepared_runs(p, id) == 1,
	    "on a new connection, which prepared it itself");
}

/* The server dropped what the connection had prepared. */
static void
test_deallocated(struct pgpool *p)
{
	struct sf_err	 err;
	PGconn		*c;
	PGresult	*r;
	int		 id, ok = 0;

	id = pgpool_stmt(p, "SELECT $1::int - 1", &err);
	T(one(p, id, "43", &err) == 42, "prepared");
	if ((c = pgpool_conn(p, &err)) != NULL) {
		r = PQexec(c, "DEALLOCATE ALL");
		ok = PQresultStatus(r) == PGRES_COMMAND_OK;
		PQclear(r);
		pgpool_done(p, c);
	}
	T(ok, "DEALLOCATE ALL on the pooled connection");
	T(one(p, id, "8", &err) == 7, "the statement still runs (%s)",
	    err.message);
	T(one(p, id, "9", &err) == 8 && prepared_runs(p, id) == 2,
	    "prepared again on a new connection, then kept");
}

/*
 * The server has a statement of the name the connection's record says it
 * has not prepared (it never should): one retry on a new connection.
 */
static void
test_out_of_sync(struct pgpool *p)
{
	struct sf_err	 err;
	char		 sql[64];
	PGconn		*c;
	PGresult	*r;
	int		 id, ok = 0;

	id = pgpool_stmt(p, "SELECT $1::int / 2", &err);
	if ((c = pgpool_conn(p, &err)) != NULL) {
		snprintf(sql, sizeof(sql), "PREPARE sf%d AS SELECT 0", id);
		r = PQexec(c, sql);
		ok = PQresultStatus(r) == PGRES_COMMAND_OK;
		PQclear(r);
		pgpool_done(p, c);
	}
	T(ok, "the name taken on the pooled connection behind its back");
	T(one(p, id, "84", &err) == 42, "the statement runs (%s)",
	    err.message);
	T(prepared_runs(p, id) == 1, "prepared on a new connection");
}

/* A schema change alters what a prepared statement returns. */
static void
test_schema_change(struct pgpool *p)
{
	struct sf_err	 err;
	int		 id;

	T(pgtest_exec(dbpath, "CREATE TABLE t (a INTEGER, b TEXT);"
	    "INSERT INTO t VALUES (1, '7')") == 0, "a table");
	id = pgpool_stmt(p, "SELECT a, b FROM t WHERE a = $1", &err);
	T(one(p, id, "1", &err) == 1, "prepared on it");
	T(pgtest_exec(dbpath, "ALTER TABLE t ALTER COLUMN a TYPE BIGINT") == 0,
	    "a column's type changed (the server cannot run the prepared "
	    "statement again: its result would change)");
	T(one(p, id, "1", &err) == 1, "the statement still runs (%s)",
	    err.message);
	T(prepared_runs(p, id) == 1, "prepared anew on a new connection");
}

/* A pooled connection's setting name, as SHOW says; "" on error. */
static const char *
pooled_setting(struct pgpool *p, const char *name)
{
	static char	 v[64];
	struct sf_err	 err;
	char		 sql[96];
	PGconn		*c;
	PGresult	*r;

	v[0] = '\0';
	if ((c = pgpool_conn(p, &err)) == NULL)
		return v;
	snprintf(sql, sizeof(sql), "SHOW %s", name);
	r = PQexec(c, sql);
	if (PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1)
		snprintf(v, sizeof(v), "%s", PQgetvalue(r, 0, 0));
	PQclear(r);
	pgpool_done(p, c);
	return v;
}

/* Out-of-line values (a payment's payload) compressed with lz4. */
static void
test_lz4(struct pgpool *p)
{
	int	 has;

	/* Whether this server was built with lz4 (Debian's is). */
	has = pgtest_exec(dbpath, "DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM"
	    " pg_settings WHERE name = 'default_toast_compression' AND"
	    " 'lz4' = ANY (enumvals)) THEN RAISE 'no lz4'; END IF; END $$")
	    == 0;
	if (has)
		T(strcmp(pooled_setting(p, "default_toast_compression"),
		    "lz4") == 0, "a pooled connection compresses with lz4");
	else
		T(strcmp(pooled_setting(p, "default_toast_compression"),
		    "pglz") == 0, "a server without lz4 keeps pglz");
}

/* Two pipelines, one transaction; a failing statement. */
static void
test_pipeline(struct pgpool *p)
{
	struct sf_err	 err;
	struct pgpool_q	 q[3];
	PGresult	*r[3];
	PGconn		*c;
	const char	*v[1] = { "5" };
	int		 begin, ins, commit, bad, sum, rc, i;

	T(pgtest_exec(dbpath, "CREATE TABLE u (a INTEGER)") == 0, "a table");
	begin = pgpool_stmt(p, "BEGIN", &err);
	commit = pgpool_stmt(p, "COMMIT", &err);
	ins = pgpool_stmt(p, "INSERT INTO u VALUES ($1::int) RETURNING a",
	    &err);
	bad = pgpool_stmt(p, "SELECT 1 / ($1::int - 5)", &err);
	sum = pgpool_stmt(p, "SELECT coalesce(sum(a), 0) FROM u", &err);
	memset(q, 0, sizeof(q));
	q[0].id = begin;
	q[1].id = ins;
	q[1].n = 1;
	q[1].vals = v;
	q[2].id = bad;
	q[2].n = 1;
	q[2].vals = v;
	if ((c = pgpool_conn(p, &err)) == NULL) {
		TAP_OK(0, "a connection (%s)", err.message);
		return;
	}
	rc = pgpool_pipeline(p, c, 3, q, r, &err);
	T(rc == -1 && strcmp(err.code, "ledger_error") == 0 &&
	    r[0] == NULL && r[1] == NULL && r[2] == NULL,
	    "a statement that fails: -1, ledger_error, no results (%s)",
	    err.message);
	pgpool_done(p, c);
	T(one(p, sum, NULL, &err) == 0, "its transaction rolled back, the "
	    "pool usable (%s)", err.message);
	if ((c = pgpool_conn(p, &err)) == NULL) {
		TAP_OK(0, "a connection (%s)", err.message);
		return;
	}
	rc = pgpool_pipeline(p, c, 2, q, r, &err);
	T(rc == 0 && PQntuples(r[1]) == 1 && strcmp(PQgetvalue(r[1], 0, 0),
	    "5") == 0 && PQtransactionStatus(c) == PQTRANS_INTRANS,
	    "BEGIN and a statement: its row, the transaction open");
	for (i = 0; i < 2; i++)
		PQclear(r[i]);
	q[0].id = ins;
	q[0].n = 1;
	q[0].vals = v;
	q[1].id = commit;
	q[1].n = 0;
	rc = pgpool_pipeline(p, c, 2, q, r, &err);
	T(rc == 0 && PQtransactionStatus(c) == PQTRANS_IDLE,
	    "another statement and COMMIT");
	for (i = 0; i < 2; i++)
		PQclear(r[i]);
	pgpool_done(p, c);
	T(one(p, sum, NULL, &err) == 10, "both rows committed");
	/* One statement, new to the connection, twice in a pipeline. */
	q[0].id = q[1].id = pgpool_stmt(p, "SELECT $1::int * 3", &err);
	q[0].n = q[1].n = 1;
	q[0].vals = q[1].vals = v;
	if ((c = pgpool_conn(p, &err)) == NULL) {
		TAP_OK(0, "a connection (%s)", err.message);
		return;
	}
	rc = pgpool_pipeline(p, c, 2, q, r, &err);
	T(rc == 0 && strcmp(PQgetvalue(r[0], 0, 0), "15") == 0 &&
	    strcmp(PQgetvalue(r[1], 0, 0), "15") == 0,
	    "a statement twice in one pipeline, prepared once (%s)",
	    rc == 0 ? "" : err.message);
	if (rc == 0)
		for (i = 0; i < 2; i++)
			PQclear(r[i]);
	pgpool_done(p, c);
}

int
main(void)
{
	struct pgpool	*p;
	struct sf_err	 err;
	int		 up;

	TAP_CASE(test_offline);
	if (!pgtest_on())
		return tap_done();
	if (pgtest_db("sf_pgpool", "", dbpath, sizeof(dbpath)) == -1) {
		TAP_OK(0, "a fresh PostgreSQL database");
		return tap_done();
	}
	sf_err_clear(&err);
	if ((p = pgpool_get(dbpath, &up, &err)) == NULL || !up) {
		TAP_OK(0, "the pool reaches the server (%s)", err.message);
		return tap_done();
	}
	TAP_CASE_ARGS(test_prepared_once, p);
	TAP_CASE_ARGS(test_reconnect, p);
	TAP_CASE_ARGS(test_deallocated, p);
	TAP_CASE_ARGS(test_out_of_sync, p);
	TAP_CASE_ARGS(test_schema_change, p);
	TAP_CASE_ARGS(test_pipeline, p);
	TAP_CASE_ARGS(test_lz4, p);
	pgpool_put(p);
	return tap_done();
}
