/*
 * PostgreSQL connections for the ledger and the demo budget (internal to
 * shared/ledger/).  One pool per database URI per process, shared by every
 * handle on that URI and by the threads: connections are opened on demand
 * up to PGPOOL_MAX, kept idle for reuse, dropped when broken, and opened
 * again on the next call (so the process reconnects by itself once the
 * server is back).  Each new connection first brings the schema to the
 * version this program knows (pg_schema.c), once per pool.
 *
 * Statements are prepared on the server, once per connection: a caller
 * registers each text once (pgpool_stmt) and runs it by its id; a
 * connection prepares a statement the first time it runs it, in the same
 * round trip, and keeps it, so the server does not parse and plan it
 * again at every call.  What a connection has prepared is recorded on the
 * connection itself: a new one (after a restart, say) starts with none.
 * A statement the server no longer has or can no longer run as prepared
 * (DISCARD ALL; a schema change that alters what it returns) ends every
 * connection of the pool that prepared it before, and the call is tried
 * again on a new one.  A pooler between us and the server must keep one
 * server session per connection (pgbouncer: session mode, or 1.21 and
 * later, which carries prepared statements in transaction mode).
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

struct ledger_dialect;
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
/* Distinct statement texts per pool, at most (pgpool_stmt). */
#define PGPOOL_STMTS		128
/* Statements per pgpool_pipeline, at most. */
#define PGPOOL_PIPE		8

/*
 * The pool for uri (created on first use, then shared; counted).  Checks
 * the URI's syntax and tries one connection: when the server cannot be
 * reached, the pool is still returned (it connects later) and *reachable
 * is 0.  NULL with err on a malformed URI, a schema newer than this
 * program, or out of memory.
 */
struct pgpool	*pgpool_get(const char *uri, int *reachable, struct sf_err *);
void		 pgpool_put(struct pgpool *);

/*
 * A connection (schema current; an idle one the server has closed is
 * dropped, not handed out), or NULL with 503 ledger_unavailable.
 */
PGconn		*pgpool_conn(struct pgpool *, struct sf_err *);
/* Give it back: kept when healthy and idle, else closed. */
void		 pgpool_done(struct pgpool *, PGconn *);

/*
 * The id of statement sql in this pool, for pgpool_exec and
 * pgpool_pipeline: the same text gets the same id for the pool's life
 * (the pool keeps its own copy); on the server it is named "sf<id>".
 * sql is one statement with $1... parameters.  -1 with 500 ledger_error
 * when PGPOOL_STMTS texts are taken, or on out of memory.
 */
int		 pgpool_stmt(struct pgpool *, const char *sql, struct sf_err *);

/*
 * One statement to run: its id (pgpool_stmt) and n text parameters
 * (lens/fmts NULL = all text; a format of 1 marks a binary parameter of
 * lens[i] bytes).
 */
struct pgpool_q {
	int			 id;
	int			 n;
	const char *const	*vals;
	const int		*lens, *fmts;
};

/*
 * q[0..n) (n <= PGPOOL_PIPE) on c in one round trip (libpq's pipeline
 * mode), each prepared on c first where it is not yet.  Statements after
 * one that failed are not run; a transaction is a BEGIN and a COMMIT
 * among them (else each runs on its own).  0 with res[i] the result of
 * q[i] (free each with PQclear); 1 the server asks to run the transaction
 * again (serialization failure, deadlock, or a prepared statement gone or
 * out of date: c is then closed when given back), -1 error; with err,
 * and res[] all NULL.
 */
int		 pgpool_pipeline(struct pgpool *, PGconn *c, int n,
		    const struct pgpool_q *q, PGresult **res, struct sf_err *);

/*
 * Statement q on its own: takes a connection, runs, gives it back; a
 * statement the server asks to retry (pgpool_pipeline's 1) and a pooled
 * connection found dead are retried.  The result (free with PQclear), or
 * NULL with err.
 */
PGresult	*pgpool_exec(struct pgpool *, const struct pgpool_q *q,
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
/* PostgreSQL's types and parameters in the ledger's SQL (ledger_be.h). */
extern const struct ledger_dialect	pg_dialect;

#endif
