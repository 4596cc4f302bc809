/*
 * PostgreSQL connections for the ledger and the demo budget (internal to
 * shared/ledger/).  One pool per database URI per process, shared by every
 * handle on that URI and by the threads: connections are opened on demand
 * up to PGPOOL_MAX, kept idle for reuse, dropped when broken, and opened
 * again on the next call (so the process reconnects by itself once the
 * server is back).  Each new connection first brings the schema to the
 * version this program knows (pg_schema.c), once per pool.
 *
 * Errors: the database cannot be reached or is busy beyond retries ->
 * 503 ledger_unavailable; anything else the server refuses -> 500
 * ledger_error.  Messages carry the server's text, never the URI (it may
 * hold a password).
 */
#ifndef SF_PGPOOL_H
#define SF_PGPOOL_H

#include <stddef.h>

#include <libpq-fe.h>

struct sf_err;
struct pgpool;

/* Connections per pool, at most (each worker thread uses one at a time). */
#define PGPOOL_MAX		16
/* Seconds to wait for a connection to open (libpq connect_timeout). */
#define PGPOOL_CONNECT_S	"5"
/* After a failed connect, calls fail fast for this long (ms). */
#define PGPOOL_BACKOFF_MS	500
/* Retries of a statement the server asks to retry (40001, 40P01). */
#define PGPOOL_RETRIES		8

/*
 * The pool for uri (created on first use, then shared; counted).  Checks
 * the URI's syntax and tries one connection: when the server cannot be
 * reached, the pool is still returned (it connects later) and *reachable
 * is 0.  NULL with err on a malformed URI, a schema newer than this
 * program, or out of memory.
 */
struct pgpool	*pgpool_get(const char *uri, int *reachable, struct sf_err *);
void		 pgpool_put(struct pgpool *);

/* A connection (schema current), or NULL with 503 ledger_unavailable. */
PGconn		*pgpool_conn(struct pgpool *, struct sf_err *);
/* Give it back: kept when healthy and idle, else closed. */
void		 pgpool_done(struct pgpool *, PGconn *);

/*
 * One statement with text parameters (lens/fmts NULL = all text; a
 * format of 1 marks a binary parameter of lens[i] bytes).  Takes a
 * connection, runs, gives it back; a statement the server asks to retry
 * (serialization failure, deadlock) and a pooled connection found dead
 * are retried.  The result (free with PQclear), or NULL with err.
 */
PGresult	*pgpool_exec(struct pgpool *, const char *sql, int n,
		    const char *const *vals, const int *lens, const int *fmts,
		    struct sf_err *);

/*
 * For callers running their own transaction on a connection: res (may be
 * NULL) checked; 0 fine, 1 the server asks to retry the transaction, -1
 * error (err set).  PQclear stays with the caller.
 */
int		 pgpool_check(PGconn *, const PGresult *, const char *what,
		    struct sf_err *);

/* Create or upgrade the schema on c (pg_schema.c).  0 or -1 with err. */
int		 pg_schema_migrate(PGconn *c, struct sf_err *);

#endif
