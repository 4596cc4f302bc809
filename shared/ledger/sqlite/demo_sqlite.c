/*
 * The demo budget in a SQLite file (demo_be.h): one connection per
 * admission (processes share only the file), one BEGIN IMMEDIATE
 * transaction each, so separate processes and threads of one host agree.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "basics/err.h"
#include "ledger/demo_be.h"
#include "ledger/sqlite/sqlite_busy.h"

/* Waits for another process's admission; each holds the lock briefly. */
#define DEMO_BUSY_MS	5000

struct demo_tx {
	sqlite3	*db;
};

static const char dsq_schema[] =
	"CREATE TABLE IF NOT EXISTS demo_hits ("
	" client TEXT NOT NULL,"
	" t INTEGER NOT NULL,"
	" paid INTEGER NOT NULL DEFAULT 0);"
	"CREATE INDEX IF NOT EXISTS demo_hits_client ON demo_hits (client, t);"
	"CREATE INDEX IF NOT EXISTS demo_hits_t ON demo_hits (t);";

static struct demo_tx *
dsq_begin(const char *path, struct sf_err *err)
{
	struct demo_tx	*tx;
	const char	*what = "open";
	int		 i;

	if ((tx = calloc(1, sizeof(*tx))) == NULL) {
		sf_err_set(err, 503, "demo_unavailable", NULL,
		    "the free demo is unavailable right now (out of memory)");
		return NULL;
	}
	if (sqlite3_open_v2(path, &tx->db, SQLITE_OPEN_READWRITE |
	    SQLITE_OPEN_CREATE, NULL) != SQLITE_OK)
		goto fail;
	if (sqlite3_busy_timeout(tx->db, DEMO_BUSY_MS) != SQLITE_OK)
		goto fail;
	/* A busy new file tried again, as the ledger's start (sqlite_busy.h). */
	for (i = 0;; i++) {
		what = "schema";
		if (sqlite3_exec(tx->db, "PRAGMA journal_mode = WAL", NULL,
		    NULL, NULL) == SQLITE_OK &&
		    sqlite3_exec(tx->db, dsq_schema, NULL, NULL, NULL) ==
		    SQLITE_OK) {
			/* IMMEDIATE: count and insert under one write lock,
			   across processes. */
			what = "lock";
			if (sqlite3_exec(tx->db, "BEGIN IMMEDIATE", NULL, NULL,
			    NULL) == SQLITE_OK)
				return tx;
		}
		if (!sqlite_busy_pause(tx->db, i))
			goto fail;
	}
fail:
	sf_err_set(err, 503, "demo_unavailable", NULL,
	    "the free demo is unavailable right now (%s: %.160s); try again "
	    "later, or POST with an x402 payment", what,
	    tx->db != NULL ? sqlite3_errmsg(tx->db) : "cannot open");
	sqlite3_close(tx->db);
	free(tx);
	return NULL;
}

/* ?1 client or NULL, ?2 paid_only, ?3 since (and ?4 in nth). */
static int
dsq_bind(sqlite3_stmt *st, const char *client, int paid_only, time_t since)
{
	return ((client != NULL ? sqlite3_bind_text(st, 1, client, -1,
	    SQLITE_TRANSIENT) : sqlite3_bind_null(st, 1)) != SQLITE_OK ||
	    sqlite3_bind_int(st, 2, paid_only) != SQLITE_OK ||
	    sqlite3_bind_int64(st, 3, (sqlite3_int64)since) != SQLITE_OK) ?
	    -1 : 0;
}

static int
dsq_count(struct demo_tx *tx, const char *client, int paid_only,
    time_t since, long *n)
{
	sqlite3_stmt	*st = NULL;
	int		 rc = -1;

	*n = 0;
	if (sqlite3_prepare_v2(tx->db, "SELECT count(*) FROM demo_hits "
	    "WHERE (?1 IS NULL OR client = ?1) AND (?2 = 0 OR paid = 1) "
	    "AND t > ?3", -1, &st, NULL) == SQLITE_OK &&
	    dsq_bind(st, client, paid_only, since) == 0 &&
	    sqlite3_step(st) == SQLITE_ROW) {
		*n = (long)sqlite3_column_int64(st, 0);
		rc = 0;
	}
	sqlite3_finalize(st);
	return rc;
}

static int
dsq_nth(struct demo_tx *tx, const char *client, int paid_only, time_t since,
    long offset, time_t *t)
{
	sqlite3_stmt	*st = NULL;
	int		 rc = -1;

	*t = 0;
	if (sqlite3_prepare_v2(tx->db, "SELECT t FROM demo_hits "
	    "WHERE (?1 IS NULL OR client = ?1) AND (?2 = 0 OR paid = 1) "
	    "AND t > ?3 ORDER BY t LIMIT 1 OFFSET ?4", -1, &st,
	    NULL) == SQLITE_OK &&
	    dsq_bind(st, client, paid_only, since) == 0 &&
	    sqlite3_bind_int64(st, 4, (sqlite3_int64)offset) == SQLITE_OK &&
	    sqlite3_step(st) == SQLITE_ROW) {
		*t = (time_t)sqlite3_column_int64(st, 0);
		rc = 0;
	}
	sqlite3_finalize(st);
	return rc;
}

static int
dsq_purge(struct demo_tx *tx, time_t before)
{
	sqlite3_stmt	*st = NULL;
	int		 rc = -1;

	if (sqlite3_prepare_v2(tx->db, "DELETE FROM demo_hits WHERE t <= ?1",
	    -1, &st, NULL) == SQLITE_OK &&
	    sqlite3_bind_int64(st, 1, (sqlite3_int64)before) == SQLITE_OK &&
	    sqlite3_step(st) == SQLITE_DONE)
		rc = 0;
	sqlite3_finalize(st);
	return rc;
}

static int
dsq_insert(struct demo_tx *tx, time_t t, const char *client, int paid)
{
	sqlite3_stmt	*st = NULL;
	int		 rc = -1;

	if (sqlite3_prepare_v2(tx->db, "INSERT INTO demo_hits (t, client, paid)"
	    " VALUES (?1, ?2, ?3)", -1, &st, NULL) == SQLITE_OK &&
	    sqlite3_bind_int64(st, 1, (sqlite3_int64)t) == SQLITE_OK &&
	    sqlite3_bind_text(st, 2, client, -1, SQLITE_TRANSIENT) ==
	    SQLITE_OK && sqlite3_bind_int(st, 3, paid) == SQLITE_OK &&
	    sqlite3_step(st) == SQLITE_DONE)
		rc = 0;
	sqlite3_finalize(st);
	return rc;
}

static int
dsq_end(struct demo_tx *tx, int commit)
{
	int	 rc = 0;

	if (commit && sqlite3_exec(tx->db, "COMMIT", NULL, NULL, NULL) !=
	    SQLITE_OK)
		rc = -1;
	if (!commit || rc == -1)
		sqlite3_exec(tx->db, "ROLLBACK", NULL, NULL, NULL);
	sqlite3_close(tx->db);
	free(tx);
	return rc;
}

static const char *
dsq_errmsg(struct demo_tx *tx)
{
	return sqlite3_errmsg(tx->db);
}

const struct demo_ops demo_sqlite_ops = {
	.begin = dsq_begin,
	.purge = dsq_purge,
	.count = dsq_count,
	.nth = dsq_nth,
	.insert = dsq_insert,
	.end = dsq_end,
	.errmsg = dsq_errmsg,
};
