/*
 * Payment ledger.  One row per accepted authorization; the UNIQUE
 * (network, asset, payer, nonce) key is the replay guard and the UNIQUE
 * payment_id the idempotency key.  Two backends with the same semantics
 * (ledger_be.h): SQLite (a file path; WAL, one host) and PostgreSQL (a
 * postgresql:// URI; several hosts share it, a pool of connections per
 * process).  Safe to share one handle between threads and one database
 * between processes and hosts.  A database that cannot be reached gives
 * 503 ledger_unavailable; the PostgreSQL backend reconnects by itself.
 */
#ifndef SF_LEDGER_H
#define SF_LEDGER_H

#include <stddef.h>
#include <stdint.h>

struct sf_err;
struct ledger;

enum ledger_state {
	LEDGER_VERIFIED = 0,	/* payment verified, handler not started */
	LEDGER_WORKING,		/* handler running */
	LEDGER_DELIVERED,	/* result stored, not settled yet */
	LEDGER_SETTLED,
	LEDGER_SETTLE_FAILED,
	LEDGER_WORK_FAILED,	/* handler failed, never settle */
};

#define LEDGER_NEW	1
#define LEDGER_EXISTING	0

struct ledger_payment {
	int64_t			 id;
	char			 endpoint[128];
	char			 request_hash[80];
	char			 payer[48];	/* hex lower-cased; base58 as is */
	char			 amount[80];	/* atomic units, decimal */
	char			 asset[48];	/* hex lower-cased; base58 as is */
	char			 network[48];	/* stored as CAIP-2 */
	int			 x402_version;
	char			 nonce[96];	/* 0x + 64 hex, lower-case; Solana:
					   the payer's signature, base58 */
	char			 valid_after[80];
	char			 valid_before[80];
	char			*payload;	/* raw payment payload JSON */
	char			*requirements;	/* our requirements JSON */
	char			 payment_id[129]; /* "" = none */
	enum ledger_state	 state;
	char			*result;	/* response body, may hold NULs */
	size_t			 result_len;
	char			 content_type[128];
	char			 tx[96];	/* "" = none */
	char			 error[256];
	int64_t			 created, updated;
};

struct ledger_revenue {
	char		endpoint[128];
	char		asset[48];
	char		network[48];
	int64_t		settled_count;
	char		settled[80];	/* sum, atomic units */
	int64_t		pending_count;	/* delivered or settle_failed */
	char		pending[80];
};

/*
 * db: "postgresql://user:pass@host:port/dbname" (or postgres://, libpq's
 * URI syntax) or a SQLite file path.  Creates or upgrades the schema
 * (versioned; several processes and hosts may start at once).  A
 * PostgreSQL server that cannot be reached yet does not fail the open:
 * the pool connects (and migrates) on first use, and calls fail with 503
 * ledger_unavailable meanwhile.  NULL with err on a bad path/URI, a schema
 * newer than this program, or out of memory.
 */
struct ledger	*ledger_open(const char *db, struct sf_err *);
void		 ledger_close(struct ledger *);
/* Whether DB names a PostgreSQL database (else it is a SQLite path). */
int		 ledger_uri_is_pg(const char *db);
/* "sqlite" or "postgresql". */
const char	*ledger_backend(const struct ledger *);
/*
 * Whether a claim could be written now: takes and releases the write lock
 * (a read-only file, a full disk for the WAL or a stuck writer show here).
 * 0 yes; -1 with err (503 ledger_unavailable) no.
 */
int		 ledger_writable(struct ledger *, struct sf_err *);

/*
 * Insert in (state taken from in->state) unless its (network, asset, payer,
 * nonce) or payment_id is taken.  LEDGER_NEW: in was stored and row holds
 * it with its id.  LEDGER_EXISTING: row holds the conflicting row (the
 * payment_id match first).  -1 on error.  Free row with ledger_payment_free.
 */
int	ledger_claim(struct ledger *, const struct ledger_payment *in,
	    struct ledger_payment *row, struct sf_err *);
/*
 * Copy a whole row from another ledger (synthforge-ctl migrate): state,
 * result, tx, error and times as they are; the id is the new ledger's.
 * LEDGER_NEW copied, LEDGER_EXISTING its key is there already, -1 error.
 */
int	ledger_import(struct ledger *, const struct ledger_payment *row,
	    struct sf_err *);
/* By replay key or payment id, without claiming: 1 found, 0 not, -1 error. */
int	ledger_find(struct ledger *, const struct ledger_payment *key,
	    struct ledger_payment *row, struct sf_err *);
/* 1 found, 0 not found, -1 error. */
int	ledger_get(struct ledger *, int64_t id, struct ledger_payment *,
	    struct sf_err *);
/*
 * Move row id to state `to` if it is in state `from` (-1: any state);
 * error (NULL keeps it) is the reason to record.  1 moved, 0 not, -1 error.
 */
int	ledger_set_state(struct ledger *, int64_t id, int from,
	    enum ledger_state to, const char *error, struct sf_err *);
/* from -> to only if untouched since `before` (taking over a dead owner's
   row); 1 moved, 0 not, -1 error. */
int	ledger_take_stale(struct ledger *, int64_t id, enum ledger_state from,
	    enum ledger_state to, int64_t before, struct sf_err *);
/*
 * Take row id to settle it (synthforge-ctl settle-pending): only if it is
 * still in `state` and its updated time is still `seen` (the version the
 * caller read), set updated to now + lease_s, so no other settler lists
 * it (pending rows are those untouched for min_age) until the lease ends
 * or the settlement writes the row.  A settler that dies leaves the row to
 * the next run after lease_s.  1 taken, 0 someone else has it, -1 error.
 */
int	ledger_lease(struct ledger *, int64_t id, enum ledger_state state,
	    int64_t seen, int64_t lease_s, struct sf_err *);
int	ledger_store_result(struct ledger *, int64_t id, const char *ctype,
	    const void *body, size_t len, struct sf_err *);
/* State settled with tx ("" or NULL: unknown tx) and a note (may be NULL). */
int	ledger_set_settled(struct ledger *, int64_t id, const char *tx,
	    const char *note, struct sf_err *);
/* Rows in state (-1: all), newest first, at most limit (0: no limit). */
int	ledger_list(struct ledger *, int state, size_t limit,
	    struct ledger_payment **rows, size_t *n, struct sf_err *);
/*
 * Rows that still need settlement: delivered or settle_failed, validBefore
 * after now, and untouched for min_age seconds (so a live worker that is
 * settling its own row is left alone).  Oldest first.
 */
int	ledger_pending_settlement(struct ledger *, int64_t now, int64_t min_age,
	    struct ledger_payment **rows, size_t *n, struct sf_err *);
/* Sums per (endpoint, asset, network). */
int	ledger_revenue(struct ledger *, struct ledger_revenue **rows, size_t *n,
	    struct sf_err *);

/*
 * Exposure: what one payer (network, asset, payer) has admitted and not
 * yet settled, so the flow never works for more than the wallet can pay.
 * Unsettled = working, delivered, settle_failed rows whose validBefore is
 * still ahead (an expired authorization can no longer move money) and that
 * were not settled first; in flight = working, delivered (paid calls not
 * answered yet).
 */
struct ledger_exposure {
	char		unsettled[80];	/* sum of amounts, atomic, decimal */
	int64_t		unsettled_count;
	int64_t		inflight;
};

#define LEDGER_OVER_BALANCE	2	/* unsettled + amount > balance (!ledger_fits) */
#define LEDGER_OVER_INFLIGHT	3	/* max_inflight calls already running */

/*
 * The money path's two-phase admission, for a balance read AFTER the
 * exposure (so a payment that settles in between is counted twice, never
 * missed: a balance read before the exposure could predate a settlement
 * the exposure no longer shows).  ledger_reserve: in one write
 * transaction (so concurrent reservations in threads, processes or hosts
 * queue per payer), move a claimed row (state verified) to working when
 * its payer has fewer than max_inflight calls in flight: 1 reserved, 0 not
 * in state verified (another request has it), LEDGER_OVER_INFLIGHT (ex
 * filled, row unchanged), -1 error.  SQLite: one BEGIN IMMEDIATE
 * transaction; PostgreSQL: one transaction holding the payer's row in
 * payer_locks (SELECT ... FOR UPDATE), retried on a serialization
 * failure.  On 1, ex holds the payer's OTHER unsettled payments at that
 * moment (rows reserved later count this one).  Then the flow reads the balance (or asks the facilitator) and
 * asks ledger_fits: 1 when ex's unsettled + amount <= balance (decimal
 * atomic units; NULL = unknown: only when nothing else is unsettled), 0
 * otherwise.  ledger_release undoes a reservation that did not fit or
 * could not be proven (working -> verified -> dropped): 1, 0, -1.
 */
int	ledger_reserve(struct ledger *, int64_t id, unsigned max_inflight,
	    struct ledger_exposure *ex, struct sf_err *);
int	ledger_fits(const struct ledger_exposure *ex, const char *amount,
	    const char *balance);
int	ledger_release(struct ledger *, int64_t id, struct sf_err *);
/* Drop a claim still in state verified (refused before any work, so the
   payment may be presented again later).  1 dropped, 0 not, -1 error. */
int	ledger_unclaim(struct ledger *, int64_t id, struct sf_err *);
/* The exposure of key's (network, asset, payer) now.  0 or -1. */
int	ledger_exposure(struct ledger *, const struct ledger_payment *key,
	    struct ledger_exposure *, struct sf_err *);
/* Record the settlement tx of a row without changing its state (settle
   first: paid, the work still to do).  0 or -1. */
int	ledger_set_tx(struct ledger *, int64_t id, const char *tx,
	    struct sf_err *);

void		 ledger_payment_free(struct ledger_payment *);
void		 ledger_payments_free(struct ledger_payment *, size_t);
const char	*ledger_state_name(enum ledger_state);
/* -1 when unknown. */
int		 ledger_state_parse(const char *);

#endif
