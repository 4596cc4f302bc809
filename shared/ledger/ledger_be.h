/*
 * The ledger's backends (internal to shared/ledger/), in the curl vtls
 * style.  ledger.c owns everything the two backends share: the row layout
 * (ledger_columns, the one list of the payments table's columns), the
 * states and their sets (ledger.h), the values of every statement, the
 * decoding of rows, the claim's hand-back and the sums.  A backend only
 * runs SQL: its text for each statement below (with the shared parts
 * written as {names} that ledger_sql fills in), its transactions and
 * locks, and the conversion of values and cells to and from its client
 * library.  Each keeps the semantics of ledger.h exactly: the same
 * compare-and-set conditions, the same ordering of rows.  Keys handed to
 * a backend are canonical already (payer/asset/nonce lower-case, network
 * CAIP-2).
 */
#ifndef SF_LEDGER_BE_H
#define SF_LEDGER_BE_H

#include <stddef.h>
#include <stdint.h>

#include "ledger/ledger.h"

/* Each backend defines its own (its file only). */
struct ledger_be;

/* ---- values and cells ------------------------------------------------- */

/* A statement's parameter; a backend binds v[i] as ?(i+1) / $(i+1). */
enum ledger_vtype { LEDGER_VNULL, LEDGER_VTEXT, LEDGER_VINT, LEDGER_VBLOB };

struct ledger_val {
	enum ledger_vtype	 type;
	const char		*p;	/* TEXT (NUL-terminated), BLOB bytes */
	size_t			 n;	/* BLOB length */
	int64_t			 i;	/* INT */
};

/* Text as it is; NULL is SQL NULL. */
static inline struct ledger_val
ledger_v_text(const char *s)
{
	struct ledger_val v = { s != NULL ? LEDGER_VTEXT : LEDGER_VNULL, s,
	    0, 0 };

	return v;
}

/* Text of a column where "" means none: "" and NULL are SQL NULL. */
static inline struct ledger_val
ledger_v_opt(const char *s)
{
	return ledger_v_text(s != NULL && *s != '\0' ? s : NULL);
}

static inline struct ledger_val
ledger_v_int(int64_t i)
{
	struct ledger_val v = { LEDGER_VINT, NULL, 0, i };

	return v;
}

/* Bytes (n may be 0: an empty value, not NULL); p NULL is SQL NULL. */
static inline struct ledger_val
ledger_v_blob(const void *p, size_t n)
{
	struct ledger_val v = { p != NULL ? LEDGER_VBLOB : LEDGER_VNULL,
	    p != NULL ? (n > 0 ? (const char *)p : "") : NULL, n, 0 };

	return v;
}

/*
 * One column of a row as a backend read it: its bytes (text NUL-terminated;
 * blobs decoded, e.g. bytea unescaped), or p NULL for SQL NULL.  Valid
 * during the callback only.
 */
struct ledger_cell {
	const char	*p;
	size_t		 n;
};

/* Most columns a statement below reads. */
#define LEDGER_MAXCELLS	32
/* Most values a statement below takes. */
#define LEDGER_MAXVALS	24

/* Each row of a query: 0 go on, -1 stop (err set). */
typedef int (*ledger_row_cb)(void *arg, const struct ledger_cell *, int n,
    struct sf_err *);

/* ---- the row layout ----------------------------------------------------- */

enum ledger_ckind {
	LEDGER_C_ID,		/* int64, the key the database assigns */
	LEDGER_C_TEXT,		/* a char array of struct ledger_payment */
	LEDGER_C_INT,		/* int */
	LEDGER_C_TIME,		/* int64 seconds */
	LEDGER_C_STR,		/* malloc'd text, never NULL */
	LEDGER_C_BLOB,		/* malloc'd bytes + result_len, may be NULL */
	LEDGER_C_STATE,		/* enum ledger_state, stored by name */
	LEDGER_C_CLAMP,		/* int64 copy of a uint256 decimal (clamped to
				   INT64_MAX), so range queries can compare it */
	LEDGER_C_I64,		/* int64 (a count, another row's id) */
};

/* ledger_column.flags */
#define LEDGER_C_READ	0x01u	/* in a row's select list ({cols}) */
#define LEDGER_C_WRITE	0x02u	/* written by an insert ({insert}) */
#define LEDGER_C_OPT	0x04u	/* "" is stored as NULL; may be NULL */
#define LEDGER_C_UNIQUE	0x08u
#define LEDGER_C_WORK	0x10u	/* written by the work, NULL in a claim */
#define LEDGER_C_JOIN	0x20u	/* the payment's, read with a job (p.name);
				   not a column of the jobs table */

struct ledger_column {
	const char		*name;
	enum ledger_ckind	 kind;
	unsigned		 flags;
	size_t			 off;	/* in the row's struct */
	size_t			 size;
	size_t			 len_off;	/* LEDGER_C_BLOB: its size_t length */
};

/* The payments table, in its schema's order. */
extern const struct ledger_column	ledger_columns[];
extern const size_t			ledger_ncolumns;
/* Values of a LEDGER_INSERT (the LEDGER_C_WRITE columns). */
#define LEDGER_NINSERT	21
/*
 * The jobs table (struct ledger_job), in its schema's order, and after
 * it the payment's columns a job is read with (LEDGER_C_JOIN).
 */
extern const struct ledger_column	ledger_job_columns[];
extern const size_t			ledger_job_ncolumns;
/* Values of a LEDGER_JOB_INSERT (the jobs' LEDGER_C_WRITE columns). */
#define LEDGER_JOB_NINSERT	20

/*
 * What differs between the SQL dialects in the text ledger_sql makes:
 * how a parameter is written ("?" or "$") and the types of the schema.
 */
struct ledger_dialect {
	const char	*param;
	const char	*id;	/* the row id column's type and key */
	const char	*i64;
	const char	*blob;
};

/*
 * Fill in a backend's SQL: {cols} the select list of a row, {insert} the
 * columns an insert writes and {values} its parameters (1..LEDGER_NINSERT),
 * {table} the payments table's column definitions and keys (the state
 * CHECK included), {id_key} the columns of the payment-identifier's
 * unique index (payer, endpoint, payment_id), and a set of states, quoted and comma-separated:
 * {states} every state, {exposed} LEDGER_EXPOSED, {to_settle}
 * LEDGER_TO_SETTLE, {revenue} LEDGER_PAID or LEDGER_TO_SETTLE, {inflight}
 * LEDGER_INFLIGHT (a job a runner may take).  The same for jobs: {jcols}
 * (the jobs table as j, its payment as p), {jinsert}, {jvalues}
 * (1..LEDGER_JOB_NINSERT), {jtable}.  And the dialect's types, for tables
 * both backends create from one text: {id} the row id column's type and
 * key, {i64}, {blob}.  Anything else between braces is a bug: NULL with
 * 500 ledger_error (also on out of memory).  The text is malloc'd.
 */
char	*ledger_sql(const char *tmpl, const struct ledger_dialect *,
	    struct sf_err *);

/*
 * Schema changes.  Every database, new or old, reaches the current schema
 * by the same steps: SQLite makes a new file at version 1 (lsq_schema: the
 * payments table as {table} makes it now) and runs lsq_steps from there,
 * PRAGMA user_version holding the version (LEDGER_SCHEMA_VERSION is 1 +
 * the number of steps); PostgreSQL runs pg_steps from the first, the
 * version in synthforge_schema.  A change is one new step at the end of
 * each list, written to pass unharmed on a database the new {table}
 * already made: a new column, ALTER TABLE ADD COLUMN (PostgreSQL: IF NOT
 * EXISTS); a new state or a dropped column constraint, in SQLite a rebuild
 * (CREATE payments_new ({table}), copy, drop, rename, the indexes), in
 * PostgreSQL DROP CONSTRAINT IF EXISTS and the new one.  A new table (jobs,
 * say) is its own CREATE ... IF NOT EXISTS in both, its types written
 * {id}, {i64}, {blob} so one text serves both, with its statements added
 * below.
 */

/*
 * Sign-In-With-X nonces (ledger_siwx.c): one row per nonce issued, usable
 * once (used 0 -> 1) until expires (ms since the epoch); rows are deleted
 * once expired, used or not.
 */
#define LEDGER_SIWX_DDL							\
	"CREATE TABLE IF NOT EXISTS siwx_nonces ("			\
	" nonce TEXT PRIMARY KEY,"					\
	" expires {i64} NOT NULL,"					\
	" used INTEGER NOT NULL DEFAULT 0);"				\
	"CREATE INDEX IF NOT EXISTS siwx_nonces_expires"		\
	" ON siwx_nonces (expires);"

/*
 * Webhook deliveries (ledger_webhook.c): one row per (job, event), its
 * body and the job's secret (NULL once delivered), the attempts, when
 * the next is due, the lease of the host sending it, the last answer.
 * Times in ms since the epoch.
 */
#define LEDGER_WEBHOOK_DDL						\
	"CREATE TABLE IF NOT EXISTS webhook_deliveries ("		\
	" id {id},"							\
	" job TEXT NOT NULL,"						\
	" event TEXT NOT NULL,"						\
	" msg_id TEXT NOT NULL,"					\
	" url TEXT NOT NULL,"						\
	" secret TEXT,"							\
	" body {blob} NOT NULL,"					\
	" state TEXT NOT NULL CHECK (state IN"				\
	" ('pending', 'delivered', 'abandoned')),"			\
	" attempts INTEGER NOT NULL DEFAULT 0,"				\
	" created {i64} NOT NULL,"					\
	" next_at {i64} NOT NULL,"					\
	" give_up {i64} NOT NULL,"					\
	" lease_until {i64} NOT NULL DEFAULT 0,"			\
	" lease_owner TEXT,"						\
	" last_at {i64} NOT NULL DEFAULT 0,"				\
	" last_status INTEGER NOT NULL DEFAULT 0,"			\
	" last_error TEXT,"						\
	" UNIQUE (job, event));"					\
	"CREATE INDEX IF NOT EXISTS webhook_deliveries_due"		\
	" ON webhook_deliveries (state, next_at);"

/* A delivery row as every LEDGER_WEBHOOK_* statement reads it, in the
   order ledger_webhook.c decodes it. */
#define LEDGER_WEBHOOK_COLS						\
	"id, job, event, msg_id, url, secret, body, state, attempts,"	\
	" created, next_at, give_up, lease_until, last_at, last_status," \
	" last_error"

/* ---- statements --------------------------------------------------------- */

/*
 * Every statement a backend runs for ledger.c, with its values ?1... in
 * order and what it answers.  A backend's table holds the SQL of each.
 */
enum ledger_stmt {
	/* ?1 payment_id (NULL: none) ?2 network ?3 asset ?4 payer ?5 nonce
	   ?6 endpoint: the row {cols} with that payment id of that payer
	   for that endpoint, else that replay key (LEDGER_NKEY values). */
	LEDGER_FIND,
	/* ?1 id: the row {cols}. */
	LEDGER_GET,
	/* {values}: insert the row unless a key is taken (PostgreSQL:
	   RETURNING id); 1 stored, 0 not. */
	LEDGER_INSERT,
	/* ?1 to ?2 error (NULL: keep) ?3 now ?4 id ?5 from (NULL: any). */
	LEDGER_SET_STATE,
	/* ?1 to ?2 now ?3 id ?4 from ?5 before: only if updated < before. */
	LEDGER_TAKE_STALE,
	/* ?1 until ?2 id ?3 state ?4 seen: updated = until if still seen. */
	LEDGER_LEASE,
	/* ?1 result ?2 content_type ?3 now ?4 id. */
	LEDGER_STORE_RESULT,
	/* ?1 settled ?2 tx ?3 error (the note) ?4 now ?5 id. */
	LEDGER_SET_SETTLED,
	/* ?1 state (NULL: all) ?2 limit: rows {cols}, newest first. */
	LEDGER_LIST,
	/* ?1 now ?2 untouched since: rows {cols} in {to_settle} whose
	   validBefore is after now, oldest first. */
	LEDGER_PENDING,
	/* endpoint, asset, network, state, amount of every row in
	   {revenue}, ordered by endpoint, asset, network. */
	LEDGER_REVENUE,
	/* ?1 network ?2 asset ?3 payer ?4 now: amount, state, tx of the
	   payer's rows in {exposed} whose validBefore is after now. */
	LEDGER_EXPOSURE,
	/* ?1 id ?2 state: network, asset, payer of the row if in state. */
	LEDGER_ADMIT_ROW,
	/* ?1 id ?2 state: delete the row if in state. */
	LEDGER_UNCLAIM,
	/* ?1 tx (NULL: none) ?2 now ?3 id. */
	LEDGER_SET_TX,
	/* ?1 result ?2 content_type ?3 now ?4 to ?5 from ?6 id: the result
	   stored and, if the row is in from, its state set to to; one
	   statement (LEDGER_STORE_RESULT and LEDGER_SET_STATE at once). */
	LEDGER_DELIVER,

	/* Jobs (struct ledger_job), each read as {jcols}. */
	/* {jvalues}: insert unless its id or payment is taken; 1, 0. */
	LEDGER_JOB_INSERT,
	/* ?1 public id: the job. */
	LEDGER_JOB_GET,
	/* ?1 payments.id: the job of that payment. */
	LEDGER_JOB_OF_PAYMENT,
	/* ?1 payer (NULL: all) ?2 below seq (NULL: from the newest) ?3
	   limit: jobs, newest (highest seq) first. */
	LEDGER_JOB_LIST,
	/* ?1 now ?2 endpoint (NULL: any) ?3 limit: open jobs whose payment
	   is in {inflight} and whose lease ended before now, oldest first. */
	LEDGER_JOB_RUNNABLE,
	/* ?1 until ?2 owner ?3 now ?4 seq: lease an open job whose lease
	   ended before now (a compare-and-set: one taker wins); attempts+1. */
	LEDGER_JOB_LEASE,
	/* ?1 until ?2 now ?3 seq ?4 owner: extend the lease if still owner's;
	   RETURNING cancel. */
	LEDGER_JOB_RENEW,
	/* ?1 now ?2 seq ?3 owner: give the lease up if still owner's. */
	LEDGER_JOB_RELEASE,
	/* ?1 now ?2 seq: started = now unless set. */
	LEDGER_JOB_STARTED,
	/* ?1 upstream reference (JSON) ?2 now ?3 seq. */
	LEDGER_JOB_UPSTREAM,
	/* ?1 progress (NULL: none) ?2 now ?3 seq. */
	LEDGER_JOB_PROGRESS,
	/* ?1 message (NULL: keep) ?2 now ?3 seq: closed (no runner takes it
	   again), lease given up. */
	LEDGER_JOB_CLOSE,
	/* ?1 now ?2 seq: cancel = 1 unless delivering. */
	LEDGER_JOB_CANCEL,
	/* ?1 now ?2 seq: delivering = 1 unless cancel. */
	LEDGER_JOB_DELIVERING,
	/* ?1 job id ?2 token hash ?3 now: one more status link of a job. */
	LEDGER_JOB_TOKEN_ADD,
	/* ?1 job id: the hashes of its status links' tokens, oldest first. */
	LEDGER_JOB_TOKENS,
	/* ?1 now ?2 seq: webhook_secret = NULL. */
	LEDGER_JOB_FORGET_SECRET,

	/* ---- Sign-In-With-X nonces (ledger_siwx.c; times in ms) ---- */
	/* ?1 nonce ?2 expires: insert unless the nonce is there; 1, 0. */
	LEDGER_SIWX_ISSUE,
	/* ?1 nonce ?2 now: used = 1 where unused and expires > now; the
	   rows changed (1 the caller may sign in, 0 not). */
	LEDGER_SIWX_CONSUME,
	/* ?1 now: delete every row with expires <= now; rows deleted. */
	LEDGER_SIWX_PRUNE,

	/* ---- webhook deliveries (ledger_webhook.c; times in ms) ---- */
	/* ?1 job ?2 event ?3 msg_id ?4 url ?5 secret ?6 body ?7 now
	   ?8 give_up: insert a pending row due now unless (job, event) is
	   there; 1 stored, 0 not. */
	LEDGER_WEBHOOK_ENQUEUE,
	/* ?1 job ?2 event: the row LEDGER_WEBHOOK_COLS. */
	LEDGER_WEBHOOK_FIND,
	/* ?1 id: the row LEDGER_WEBHOOK_COLS. */
	LEDGER_WEBHOOK_GET,
	/* ?1 now ?2 limit: id of pending rows due (next_at <= now) and not
	   leased (lease_until <= now), the longest due first. */
	LEDGER_WEBHOOK_DUE,
	/* ?1 lease_until ?2 owner ?3 id ?4 now: attempts + 1 and the lease,
	   only if still pending, due and not leased; RETURNING the row
	   LEDGER_WEBHOOK_COLS (none: another sender has it). */
	LEDGER_WEBHOOK_TAKE,
	/* ?1 state ?2 next_at ?3 status ?4 error ?5 now ?6 id ?7 owner: the
	   attempt's outcome, the lease dropped, the secret erased when
	   delivered; only while owner holds the lease.  Rows changed. */
	LEDGER_WEBHOOK_RECORD,
	/* ?1 state (NULL: all) ?2 job (NULL: all) ?3 limit: rows
	   LEDGER_WEBHOOK_COLS, newest first. */
	LEDGER_WEBHOOK_LIST,
	/* ?1 now ?2 give_up ?3 id: pending again, due now, not leased, for
	   a row not delivered that still has its secret.  Rows changed. */
	LEDGER_WEBHOOK_RETRY,
	/* The earliest next_at of the pending rows (one row; NULL: none). */
	LEDGER_WEBHOOK_NEXT,
	/* ?1 before: delete the delivered and abandoned rows whose last
	   outcome is at or before ?1; rows deleted. */
	LEDGER_WEBHOOK_PRUNE,
	LEDGER_NSTMT
};

/*
 * Run statement s on the ledger's backend (ledger.c), for the modules of
 * this folder that keep tables of their own (ledger_siwx.c,
 * ledger_webhook.c): what ledger_ops.run answers.
 */
int	ledger_be_run(struct ledger *, enum ledger_stmt s,
	    const struct ledger_val *v, int n, ledger_row_cb cb, void *arg,
	    struct sf_err *);

/* Values of LEDGER_FIND (a claim's key). */
#define LEDGER_NKEY	6

/* A backend's statements through ledger_sql: 0, or -1 with err. */
int	ledger_sql_stmts(const char *const tmpl[LEDGER_NSTMT],
	    const struct ledger_dialect *, char *out[LEDGER_NSTMT],
	    struct sf_err *);
void	ledger_sql_stmts_free(char *out[LEDGER_NSTMT]);

/*
 * The values of LEDGER_INSERT for a row: all of it (claim 0: a row copied
 * whole), or as a claim writes it (claim 1: the work's columns NULL,
 * created and updated now).  Pointers into p.
 */
void	ledger_row_values(const struct ledger_payment *p, int claim,
	    int64_t now, struct ledger_val v[LEDGER_NINSERT]);
/*
 * Fill p from the cells of a row read with {cols}: 0, or -1 when a
 * required column is NULL or memory ran out (p then holds nothing).
 */
int	ledger_row_decode(const struct ledger_cell *, int n,
	    struct ledger_payment *p);
/* The values of LEDGER_JOB_INSERT for j.  Pointers into j. */
void	ledger_job_values(const struct ledger_job *j,
	    struct ledger_val v[LEDGER_JOB_NINSERT]);
/* Fill j from a row read with {jcols}: 0, or -1 (j holds nothing). */
int	ledger_job_decode(const struct ledger_cell *, int n,
	    struct ledger_job *j);

/*
 * The admission of ledger_reserve, run by a backend in one transaction
 * that holds the payer's lock: LEDGER_ADMIT_ROW with row[] (no row: the
 * answer is 0) and its row to key(), which fills exp[] and clears the
 * tally; the payer's lock (PostgreSQL: on exp[0..2]); LEDGER_EXPOSURE with
 * exp[] and each row to scan() (PostgreSQL reads the same rows by the
 * row's id, row[0], with exp[3], sent with the lock in one round trip:
 * ledger_pg.c); decide(): non-zero is the answer, nothing
 * written; else LEDGER_SET_STATE with move[], whose count is the answer.
 * A backend may run it again from the start (a serialization failure).
 */
struct ledger_admission {
	struct ledger_val	 row[2];
	struct ledger_val	 exp[4];
	struct ledger_val	 move[5];
	ledger_row_cb		 key;	/* arg: this struct */
	ledger_row_cb		 scan;	/* arg: this struct */
	int			(*decide)(struct ledger_admission *,
				    struct sf_err *);
	void			*arg;	/* ledger.c's */
	char			 network[48], asset[48], payer[48];
};

struct ledger_ops {
	const char	*name;		/* "sqlite", "postgresql" */
	struct ledger_be *(*open)(const char *uri, struct sf_err *);
	void	 (*close)(struct ledger_be *);
	int	 (*writable)(struct ledger_be *, struct sf_err *);
	/*
	 * Run statement s with v[0..n), each row it reads to cb (NULL:
	 * none wanted).  Rows read (a query, or RETURNING), else rows
	 * changed; -1 with err.
	 */
	int	 (*run)(struct ledger_be *, enum ledger_stmt s,
		    const struct ledger_val *v, int n, ledger_row_cb cb,
		    void *arg, struct sf_err *);
	/*
	 * LEDGER_INSERT of ins unless a key is taken, else LEDGER_FIND of
	 * key seeing that insert's outcome (SQLite: in one write
	 * transaction; PostgreSQL: the insert again if the conflicting row
	 * was deleted meanwhile).  LEDGER_NEW with *id; LEDGER_EXISTING with
	 * the row given to cb; -1 with err.
	 */
	int	 (*claim)(struct ledger_be *, const struct ledger_val *ins,
		    const struct ledger_val *key, int64_t *id,
		    ledger_row_cb cb, void *arg, struct sf_err *);
	/* struct ledger_admission: 1 moved, 0, LEDGER_OVER_*, -1. */
	int	 (*admit)(struct ledger_be *, struct ledger_admission *,
		    struct sf_err *);
};

extern const struct ledger_ops	ledger_sqlite_ops;
extern const struct ledger_ops	ledger_pg_ops;

/* src (NULL: "") into dst, truncated to sz - 1 bytes. */
void	ledger_copy(char *dst, size_t sz, const char *src);

/* ---- the front (ledger.c, ledger_job.c) ---------------------------------- */

struct ledger {
	const struct ledger_ops	*ops;
	struct ledger_be	*be;
};

/* Unix seconds now. */
int64_t	ledger_now(void);
/* src into dst (sz bytes), lower-cased if it is 0x hex (base58 is not
   case-free). */
void	ledger_lower(char *dst, size_t sz, const char *src);

#endif
