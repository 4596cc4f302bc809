/*
 * Payment ledger.  One row per accepted authorization; the UNIQUE
 * (network, asset, payer, nonce) key is the replay guard and payment_id,
 * unique per (payer, endpoint), the idempotency key: the same id from
 * another wallet, or for another endpoint, is another payment's.  A row is deleted only while it is
 * still verified, by ledger_unclaim (or ledger_release): a claim refused
 * before any work, so the payment may be presented again.  Two backends
 * with the same semantics (ledger_be.h): SQLite (a file path; WAL, one
 * host) and PostgreSQL (a postgresql:// URI; several hosts share it, a
 * pool of connections per process).  Safe to share one handle between
 * threads and one database between processes and hosts.  A database that
 * cannot be reached gives 503 ledger_unavailable; the PostgreSQL backend
 * reconnects by itself.  Lookups answer "not found" as a return code,
 * never as an error.
 */
#ifndef SF_LEDGER_H
#define SF_LEDGER_H

#include <stddef.h>
#include <stdint.h>

struct sf_err;
struct ledger;

/*
 * The states of a payment row.  This table is their one definition: the
 * enum, the names stored in the state column, the schema's CHECK and every
 * set of states the backends' SQL asks for (ledger_be.h) are made from
 * it.  The flags say what a state means for money:
 *   LEDGER_EXPOSED    counts in its payer's exposure while its validBefore
 *                     is ahead, unless settled first (tx known)
 *   LEDGER_INFLIGHT   a paid call not answered yet (the in-flight cap)
 *   LEDGER_TO_SETTLE  still to settle: settle-pending takes it, revenue
 *                     counts it as pending
 *   LEDGER_PAID       settled: revenue counts it as settled
 * Adding a state is a row here (new rows at the end, so the numbers of the
 * others stay), its flags, and for databases made before it a schema step
 * that widens their CHECK (ledger_be.h says how).
 */
#define LEDGER_EXPOSED		0x01u
#define LEDGER_INFLIGHT		0x02u
#define LEDGER_TO_SETTLE	0x04u
#define LEDGER_PAID		0x08u

#define LEDGER_STATES(X)						\
	/* payment verified and claimed, the work not started */	\
	X(LEDGER_VERIFIED,	"verified",	0)			\
	/* admitted against the exposure; the work is running */	\
	X(LEDGER_WORKING,	"working",	LEDGER_EXPOSED | LEDGER_INFLIGHT) \
	/* result stored, not settled yet */				\
	X(LEDGER_DELIVERED,	"delivered",					\
	    LEDGER_EXPOSED | LEDGER_INFLIGHT | LEDGER_TO_SETTLE)	\
	X(LEDGER_SETTLED,	"settled",	LEDGER_PAID)		\
	/* settlement failed; the result is kept for another try */	\
	X(LEDGER_SETTLE_FAILED,	"settle_failed",				\
	    LEDGER_EXPOSED | LEDGER_TO_SETTLE)				\
	/* the work failed: never settle (the same payment may retry) */ \
	X(LEDGER_WORK_FAILED,	"work_failed",	0)

enum ledger_state {
#define LEDGER_STATE_ENUM(e, name, flags)	e,
	LEDGER_STATES(LEDGER_STATE_ENUM)
#undef LEDGER_STATE_ENUM
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
	int64_t		pending_count;	/* LEDGER_TO_SETTLE rows */
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
 * nonce) or its payer's payment_id for its endpoint is taken.  LEDGER_NEW:
 * in was stored and row holds it with its id.  LEDGER_EXISTING: row holds
 * the conflicting row (the payment_id match first).  -1 on error.  Free
 * row with ledger_payment_free.
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
/* By payment id (key's payer's, for key's endpoint), else replay key,
   without claiming: 1 found, 0 not found, -1 error. */
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
/*
 * from -> to only if untouched since `before` (taking over a dead owner's
 * row); 1 moved, 0 not, -1 error.  A compare-and-set on the state and the
 * time, so of two takers one wins; the winner's move refreshes updated,
 * which works as its lease.  Any state can be taken over this way (the
 * flow takes stale verified and working rows; a delivered row whose
 * settlement went stale is taken with from = to = LEDGER_DELIVERED).
 */
int	ledger_take_stale(struct ledger *, int64_t id, enum ledger_state from,
	    enum ledger_state to, int64_t before, struct sf_err *);
/*
 * The owner's heartbeat: refresh row id's updated time to now if it is
 * still in `state` and not leased into the future (ledger_lease), so a
 * taker waiting for it to go stale (ledger_take_stale) leaves a live
 * owner alone.  The flow beats every PAID_HEARTBEAT seconds while it
 * settles a delivered row.  1 refreshed, 0 not (state changed, or a
 * settler holds a lease), -1 error.
 */
int	ledger_touch(struct ledger *, int64_t id, enum ledger_state state,
	    struct sf_err *);
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
/*
 * The result stored (as ledger_store_result) and, if the row is in state
 * from, moved to state to, in one statement: one round trip to a shared
 * database instead of two, and no crash between the two.  0 (whether or
 * not the state moved, as ledger_set_state's caller in the paid flow
 * took it) or -1 with err.
 */
int	ledger_deliver(struct ledger *, int64_t id, const char *ctype,
	    const void *body, size_t len, enum ledger_state from,
	    enum ledger_state to, struct sf_err *);
/* State settled with tx ("" or NULL: unknown tx) and a note (may be NULL). */
int	ledger_set_settled(struct ledger *, int64_t id, const char *tx,
	    const char *note, struct sf_err *);
/* Rows in state (-1: all), newest first, at most limit (0: no limit). */
int	ledger_list(struct ledger *, int state, size_t limit,
	    struct ledger_payment **rows, size_t *n, struct sf_err *);
/*
 * Rows that still need settlement: in a LEDGER_TO_SETTLE state (delivered,
 * settle_failed), validBefore after now, and untouched for min_age seconds
 * (so a live worker that is settling its own row is left alone).  Oldest
 * first.
 */
int	ledger_pending_settlement(struct ledger *, int64_t now, int64_t min_age,
	    struct ledger_payment **rows, size_t *n, struct sf_err *);
/* Sums per (endpoint, asset, network) of the LEDGER_PAID rows (settled)
   and of the LEDGER_TO_SETTLE rows (pending), in u256.  A stored amount
   that is not a strict uint256 decimal is 500 ledger_error. */
int	ledger_revenue(struct ledger *, struct ledger_revenue **rows, size_t *n,
	    struct sf_err *);

/*
 * Exposure: what one payer (network, asset, payer) has admitted and not
 * yet settled, so the flow never works for more than the wallet can pay.
 * Unsettled = rows in a LEDGER_EXPOSED state (working, delivered,
 * settle_failed) whose validBefore is still ahead (an expired
 * authorization can no longer move money) and that were not settled
 * first; in flight = those of them in a LEDGER_INFLIGHT state (working,
 * delivered: paid calls not answered yet).
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
 * payer_locks (an upsert that locks it as SELECT ... FOR UPDATE would),
 * three round trips, retried on a serialization failure.  On 1, ex holds the payer's OTHER unsettled payments at that
 * moment (rows reserved later count this one).  Then the flow reads the
 * balance (or asks the facilitator) and asks ledger_fits: 1 when ex's
 * unsettled + amount <= balance (strict uint256 decimals, atomic units,
 * summed in u256; NULL = unknown: only when nothing else is unsettled), 0
 * otherwise (also when a figure is not a strict decimal below 2^256).  ledger_release undoes a reservation that did not fit or
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

/*
 * Jobs (docs/calling.md, "Jobs"): a paid call answered 202 at once and
 * worked by a runner.  One row per job in the jobs table, beside its
 * payment's row (1:1, by payments.id), which keeps the money as for any
 * call: working while queued or running (exposed, in flight), delivered
 * once the result is stored, settled, work_failed (failed or cancelled:
 * never settled).  The job row adds what a runner and a poller need: the
 * normalised request, the capability token's hash, the lease a runner
 * holds while it works (so another takes over when it dies), the stored
 * upstream reference to resume from, cancellation, progress, and the
 * sentence saying why it failed.  A job is open until its runner closes
 * it; only open jobs whose payment is in flight are runnable.  Its status
 * links' capability tokens are kept as SHA-256 hashes only, in a table of
 * their own (a payment sent again gets a new link; the old ones stay
 * valid).
 */
#define LEDGER_JOB_ID_LEN	36	/* "job_" + 32 lower-case hex */

struct ledger_job {
	int64_t		 seq;		/* the database's key, for paging */
	char		 id[LEDGER_JOB_ID_LEN + 4];	/* public id */
	int64_t		 payment;	/* payments.id */
	char		 endpoint[128];
	char		 payer[48];	/* as the payment's: hex lower-case,
					   base58 as is */
	char		 network[48];	/* CAIP-2 */
	char		*request;	/* normalised request JSON */
	char		*upstream;	/* upstream reference JSON, NULL: none */
	char		 progress[160];	/* "" = none reported */
	char		 message[512];	/* why it failed, "" = none */
	int		 open;		/* 1 until a runner closed it */
	int		 cancel;	/* cancellation asked */
	int		 delivering;	/* its result is being stored: too
					   late to cancel */
	int64_t		 lease_until;	/* unix seconds; 0 = none */
	char		 lease_owner[64];
	int		 attempts;	/* leases taken */
	int64_t		 started;	/* first work began; 0 = queued */
	int64_t		 created, updated;
	/* The payer's webhook_url (NULL: none) and the job's Standard
	   Webhooks secret ("whsec_...", "" none or forgotten: erased once
	   the job's last delivery is queued, ledger_job_forget_secret). */
	char		*webhook_url;
	char		 webhook_secret[96];
	/* Read with the job from its payment (not written by a job insert). */
	enum ledger_state state;
	char		 tx[96];	/* "" = none */
	char		 amount[80];
	char		 valid_before[80];
	char		 error[256];	/* the payment's reason code */
};

/*
 * Record the job of a payment (in: id, payment, endpoint, payer,
 * network, request; the rest is set here: open, times).  LEDGER_NEW
 * stored, LEDGER_EXISTING the payment (or the id) has a job already, -1
 * error.
 */
int	ledger_job_create(struct ledger *, const struct ledger_job *in,
	    struct sf_err *);
/*
 * Status links: add the hash of one more token of job id (64 lower-case
 * hex digits, captoken_hash_hex) — 0 or -1; the hashes of a job's
 * tokens, at most max, oldest first — 0 with *n, or -1.
 */
#define LEDGER_JOB_TOKENS_MAX	16
int	ledger_job_token_add(struct ledger *, const char *id,
	    const char *hash_hex, struct sf_err *);
int	ledger_job_tokens(struct ledger *, const char *id,
	    char hashes[][65], size_t max, size_t *n, struct sf_err *);
/* By public id, or by payments.id: 1 found, 0 not found, -1 error. */
int	ledger_job_get(struct ledger *, const char *id, struct ledger_job *,
	    struct sf_err *);
int	ledger_job_of_payment(struct ledger *, int64_t payment,
	    struct ledger_job *, struct sf_err *);
/*
 * One page of a payer's jobs (payer NULL: everyone's), newest first:
 * those with seq below `before` (0: from the newest), at most limit
 * (1..1000).  0 or -1.  Free with ledger_jobs_free.
 */
int	ledger_job_list(struct ledger *, const char *payer, int64_t before,
	    size_t limit, struct ledger_job **rows, size_t *n,
	    struct sf_err *);
/*
 * Jobs a runner may take now (open, payment in flight, lease ended),
 * of endpoint (NULL: any), oldest first, at most limit.  0 or -1.
 */
int	ledger_job_runnable(struct ledger *, const char *endpoint,
	    int64_t now, size_t limit, struct ledger_job **rows, size_t *n,
	    struct sf_err *);
/*
 * Lease job seq for lease_s seconds to owner (a string naming the
 * runner, unique per lease), if it is open and its lease has ended: a
 * compare-and-set, so of two takers one wins.  1 taken, 0 not, -1.
 */
int	ledger_job_lease(struct ledger *, int64_t seq, const char *owner,
	    int64_t lease_s, struct sf_err *);
/*
 * Extend owner's lease to now + lease_s: 1 (and *cancel: cancellation
 * asked), 0 the lease is no longer owner's (stop: someone took it over),
 * -1 error.  ledger_job_release gives it up (1, 0, -1).
 */
int	ledger_job_renew(struct ledger *, int64_t seq, const char *owner,
	    int64_t lease_s, int *cancel, struct sf_err *);
int	ledger_job_release(struct ledger *, int64_t seq, const char *owner,
	    struct sf_err *);
/* The work began (first time only).  0 or -1. */
int	ledger_job_started(struct ledger *, int64_t seq, struct sf_err *);
/* The upstream reference to resume from (JSON, NULL clears).  0 or -1. */
int	ledger_job_set_upstream(struct ledger *, int64_t seq,
	    const char *json, struct sf_err *);
/* What the upstream reports ("" or NULL: nothing).  0 or -1. */
int	ledger_job_set_progress(struct ledger *, int64_t seq,
	    const char *progress, struct sf_err *);
/* The webhook secret erased from the job (its deliveries keep their
   own copy until delivered).  0 or -1. */
int	ledger_job_forget_secret(struct ledger *, int64_t seq,
	    struct sf_err *);
/* Closed: no runner takes it again; message (NULL keeps it).  0, -1. */
int	ledger_job_close(struct ledger *, int64_t seq, const char *message,
	    struct sf_err *);
/*
 * Ask to cancel: 1 recorded (or recorded before), 0 too late (its result
 * is being delivered), -1.  ledger_job_delivering is the runner's side
 * of the same row: 1 it may store the result, 0 cancellation came first.
 * Both compare-and-set one row, so exactly one of the two wins.
 */
int	ledger_job_cancel(struct ledger *, int64_t seq, struct sf_err *);
int	ledger_job_delivering(struct ledger *, int64_t seq, struct sf_err *);
void	ledger_job_free(struct ledger_job *);
void	ledger_jobs_free(struct ledger_job *, size_t);

void		 ledger_payment_free(struct ledger_payment *);
void		 ledger_payments_free(struct ledger_payment *, size_t);
/* The stored name of a state ("?" for a number outside the table). */
const char	*ledger_state_name(enum ledger_state);
/* The state of a stored name; -1 when unknown. */
int		 ledger_state_parse(const char *);
/* LEDGER_EXPOSED | ... of a state (0 outside the table). */
unsigned	 ledger_state_flags(enum ledger_state);

#endif
