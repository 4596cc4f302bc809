/*
 * The demo budget's stores (internal to shared/ledger/): the same two
 * backends as the ledger.  demo.c decides; a store only counts and
 * records, inside one transaction that holds the lock serialising every
 * admission (SQLite: BEGIN IMMEDIATE on the file; PostgreSQL: the one
 * demo_gate row, SELECT ... FOR UPDATE, on the shared database, so the
 * limits hold across hosts).
 *
 * Every call but begin returns 0 done, -1 error, or 1 when the database
 * asks for the whole admission to be tried again (a serialization
 * failure); end then still has to be called.
 */
#ifndef SF_DEMO_BE_H
#define SF_DEMO_BE_H

#include <time.h>

struct sf_err;
struct demo_tx;		/* each store defines its own */

struct demo_ops {
	/* NULL with err (503 demo_unavailable). */
	struct demo_tx	*(*begin)(const char *where, struct sf_err *);
	int	(*purge)(struct demo_tx *, time_t before);
	/* Rows of client (NULL = all; paid_only) with t > since. */
	int	(*count)(struct demo_tx *, const char *client, int paid_only,
		    time_t since, long *n);
	/* The t of the row at offset (0 = oldest) among those. */
	int	(*nth)(struct demo_tx *, const char *client, int paid_only,
		    time_t since, long offset, time_t *t);
	int	(*insert)(struct demo_tx *, time_t t, const char *client,
		    int paid);
	/* Commit (commit = 1) or roll back, then release the handle. */
	int	(*end)(struct demo_tx *, int commit);
	/* The last error, for the 503 message. */
	const char *(*errmsg)(struct demo_tx *);
};

extern const struct demo_ops	demo_sqlite_ops;
extern const struct demo_ops	demo_pg_ops;

#endif
