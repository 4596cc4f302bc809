/*
 * The PostgreSQL schema, versioned: synthforge_schema holds the version
 * of component 'ledger'; steps[i] brings version i to i + 1.  Several
 * hosts may start at once: the upgrade runs in one transaction that
 * locks the version row (SELECT ... FOR UPDATE), so the second host waits
 * and then finds the work done.  On PostgreSQL an advisory lock also
 * covers the CREATE TABLE IF NOT EXISTS race before that row exists; where
 * advisory locks do not exist (or are no-ops, as on CockroachDB), every
 * step is idempotent and a failed attempt is simply retried.
 *
 * Portable SQL only: BIGSERIAL ids, TEXT, BIGINT seconds, BYTEA, UNIQUE
 * constraints, INSERT ... ON CONFLICT, SELECT ... FOR UPDATE.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libpq-fe.h>

#include "basics/err.h"
#include "ledger/ledger_be.h"
#include "ledger/pg/pgpool.h"

const struct ledger_dialect pg_dialect = {
	.param = "$",
	.id = "BIGSERIAL PRIMARY KEY",
	.i64 = "BIGINT",
	.blob = "BYTEA",
};

/* Any number: the key of the advisory lock that serialises upgrades. */
#define PG_SCHEMA_LOCK	"7306117042"

static const char *const pg_steps[] = {
	/* 0 -> 1: payments (ledger_columns, as the SQLite schema) and the
	   demo budget. */
	"CREATE TABLE IF NOT EXISTS payments ({table});"
	"CREATE INDEX IF NOT EXISTS payments_state"
	" ON payments (state, valid_before_s);"
	"CREATE INDEX IF NOT EXISTS payments_endpoint ON payments (endpoint);"
	"CREATE TABLE IF NOT EXISTS demo_hits ("
	" id BIGSERIAL PRIMARY KEY,"
	" client TEXT NOT NULL,"
	" t BIGINT NOT NULL,"
	" paid INTEGER NOT NULL DEFAULT 0);"
	"CREATE INDEX IF NOT EXISTS demo_hits_client ON demo_hits (client, t);"
	"CREATE INDEX IF NOT EXISTS demo_hits_t ON demo_hits (t);"
	/* One row every admission locks: the budget's serialisation point. */
	"CREATE TABLE IF NOT EXISTS demo_gate (id INTEGER PRIMARY KEY);"
	"INSERT INTO demo_gate (id) VALUES (1) ON CONFLICT DO NOTHING;",
	/* 1 -> 2: one row per payer that admissions lock (ledger_reserve). */
	"CREATE TABLE IF NOT EXISTS payer_locks ("
	" network TEXT NOT NULL,"
	" asset TEXT NOT NULL,"
	" payer TEXT NOT NULL,"
	" PRIMARY KEY (network, asset, payer));",
	/* 2 -> 3: Sign-In-With-X nonces, webhook deliveries. */
	LEDGER_SIWX_DDL LEDGER_WEBHOOK_DDL,
	/* 3 -> 4: payment_id unique per payer and endpoint, not alone (a
	   database made at 0 with this {table} has no payment_id UNIQUE:
	   the DROP finds nothing). */
	"ALTER TABLE payments DROP CONSTRAINT IF EXISTS"
	" payments_payment_id_key;"
	"CREATE UNIQUE INDEX IF NOT EXISTS payments_payment_id"
	" ON payments ({id_key});",
	/* 4 -> 5: jobs (issue 25; ledger_job_columns). */
	"CREATE TABLE IF NOT EXISTS jobs ({jtable});"
	"CREATE INDEX IF NOT EXISTS jobs_runnable ON jobs (open, lease_until);"
	"CREATE INDEX IF NOT EXISTS jobs_payer ON jobs (payer, seq);"
	"CREATE TABLE IF NOT EXISTS job_tokens (job TEXT NOT NULL,"
	" hash TEXT NOT NULL UNIQUE, created BIGINT NOT NULL);"
	"CREATE INDEX IF NOT EXISTS job_tokens_job ON job_tokens (job);",
};
#define PG_SCHEMA_VERSION ((int)(sizeof(pg_steps) / sizeof(pg_steps[0])))

/* The version recorded, 0 when there is no table yet, -1 on error. */
static int
pg_schema_version(PGconn *c, int for_update, struct sf_err *err)
{
	PGresult	*r;
	const char	*st;
	int		 v;

	r = PQexec(c, for_update ? "SELECT version FROM synthforge_schema"
	    " WHERE component = 'ledger' FOR UPDATE" :
	    "SELECT version FROM synthforge_schema WHERE component = 'ledger'");
	if (PQresultStatus(r) == PGRES_TUPLES_OK) {
		v = PQntuples(r) == 1 ? atoi(PQgetvalue(r, 0, 0)) : 0;
		PQclear(r);
		return v;
	}
	st = PQresultErrorField(r, PG_DIAG_SQLSTATE);
	if (!for_update && st != NULL && strcmp(st, "42P01") == 0) {
		PQclear(r);
		return 0;
	}
	pgpool_check(c, r, "schema version", err);
	PQclear(r);
	return -1;
}

static int
pg_schema_run(PGconn *c, const char *sql, const char *what,
    struct sf_err *err)
{
	PGresult	*r = PQexec(c, sql);
	int		 rc = pgpool_check(c, r, what, err);

	PQclear(r);
	return rc == 0 ? 0 : -1;
}

/* One attempt at the upgrade, in one transaction.  0 or -1 with err. */
static int
pg_schema_upgrade(PGconn *c, struct sf_err *err)
{
	PGresult	*r;
	char		 sql[160], *step;
	int		 v, rc;

	if (pg_schema_run(c, "BEGIN", "begin", err) == -1)
		return -1;
	/* PostgreSQL: serialise the DDL; elsewhere, carry on without. */
	r = PQexec(c, "SELECT pg_advisory_xact_lock(" PG_SCHEMA_LOCK ")");
	if (PQresultStatus(r) != PGRES_TUPLES_OK) {
		PQclear(r);
		r = PQexec(c, "ROLLBACK");
		PQclear(r);
		if (pg_schema_run(c, "BEGIN", "begin", err) == -1)
			return -1;
	} else
		PQclear(r);
	if (pg_schema_run(c, "CREATE TABLE IF NOT EXISTS synthforge_schema ("
	    " component TEXT PRIMARY KEY, version INTEGER NOT NULL);"
	    "INSERT INTO synthforge_schema (component, version)"
	    " VALUES ('ledger', 0) ON CONFLICT DO NOTHING", "schema table",
	    err) == -1 || (v = pg_schema_version(c, 1, err)) == -1)
		goto fail;
	if (v > PG_SCHEMA_VERSION) {
		sf_err_set(err, 500, "ledger_error", NULL, "the ledger "
		    "database has schema version %d; this program knows %d: "
		    "upgrade synthforge", v, PG_SCHEMA_VERSION);
		goto fail;
	}
	for (; v < PG_SCHEMA_VERSION; v++) {
		/* The steps name the ledger's columns and states as
		   ledger_sql does ({table}). */
		if ((step = ledger_sql(pg_steps[v], &pg_dialect, err)) == NULL)
			goto fail;
		rc = pg_schema_run(c, step, "schema upgrade", err);
		free(step);
		if (rc == -1)
			goto fail;
	}
	snprintf(sql, sizeof(sql), "UPDATE synthforge_schema SET version = %d"
	    " WHERE component = 'ledger'", PG_SCHEMA_VERSION);
	if (pg_schema_run(c, sql, "schema version", err) == -1 ||
	    pg_schema_run(c, "COMMIT", "commit", err) == -1)
		goto fail;
	return 0;
fail:
	r = PQexec(c, "ROLLBACK");
	PQclear(r);
	return -1;
}

int
pg_schema_migrate(PGconn *c, struct sf_err *err)
{
	int	 v, try;

	/* Fast path, no lock: every process of every host checks. */
	if ((v = pg_schema_version(c, 0, err)) == PG_SCHEMA_VERSION)
		return 0;
	if (v > PG_SCHEMA_VERSION)
		return sf_err_set(err, 500, "ledger_error", NULL, "the ledger "
		    "database has schema version %d; this program knows %d: "
		    "upgrade synthforge", v, PG_SCHEMA_VERSION);
	/* Concurrent DDL elsewhere may fail an attempt: try again. */
	for (try = 0; try < 5; try++) {
		if (pg_schema_upgrade(c, err) == 0)
			return 0;
		if (PQstatus(c) != CONNECTION_OK ||
		    strstr(err->message, "this program knows") != NULL)
			return -1;
		usleep(50000u * (unsigned)(try + 1));
	}
	return -1;
}
