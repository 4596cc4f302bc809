/*
 * The webhook delivery queue in the ledger: one row per (job, event), so
 * that a delivery outlives the process and the host that queued it.  Any
 * host may send a due delivery: it takes the row by lease (a
 * compare-and-set on the lease time, so of several senders one has it),
 * sends, and records the outcome while it still holds the lease; a sender
 * that dies leaves the row to the next after the lease.  The row keeps
 * the body and the job's signing secret, so any host can sign a retry;
 * the secret is erased once the delivery is made.
 *
 * This is the queue only: when to send, how to sign and what an answer
 * means are flow/webhook.h's.  Times are ms since the epoch, given by the
 * caller.  A table of its own (webhook_deliveries, ledger_be.h), SQLite
 * or PostgreSQL as the ledger.  Thread-safe, as the ledger.
 */
#ifndef SF_LEDGER_WEBHOOK_H
#define SF_LEDGER_WEBHOOK_H

#include <stddef.h>
#include <stdint.h>

struct ledger;
struct sf_err;

#define LEDGER_WEBHOOK_JOB_MAX		128	/* job id, characters */
#define LEDGER_WEBHOOK_EVENT_MAX	64	/* event name, characters */
#define LEDGER_WEBHOOK_MSG_MAX		128	/* webhook-id, characters */
#define LEDGER_WEBHOOK_URL_MAX		2048
#define LEDGER_WEBHOOK_SECRET_MAX	128
#define LEDGER_WEBHOOK_BODY_MAX		(1024 * 1024)	/* bytes */
#define LEDGER_WEBHOOK_OWNER_MAX	64	/* a sender's lease token */

enum ledger_webhook_state {
	LEDGER_WEBHOOK_PENDING = 0,	/* to send: due at next_ms */
	LEDGER_WEBHOOK_DELIVERED,	/* answered 2xx; secret erased */
	LEDGER_WEBHOOK_ABANDONED	/* 410, or its time ran out */
};

struct ledger_webhook {
	int64_t				 id;
	char				 job[LEDGER_WEBHOOK_JOB_MAX + 1];
	char				 event[LEDGER_WEBHOOK_EVENT_MAX + 1];
	char				 msg_id[LEDGER_WEBHOOK_MSG_MAX + 1];
	char				*url;
	char				*secret;	/* NULL once delivered */
	char				*body;		/* NUL-terminated too */
	size_t				 body_len;
	enum ledger_webhook_state	 state;
	int				 attempts;	/* taken so far */
	int64_t				 created_ms;
	int64_t				 next_ms;	/* due (pending) */
	int64_t				 give_up_ms;	/* no attempt after */
	int64_t				 lease_ms;	/* leased until */
	int64_t				 last_ms;	/* last outcome */
	int				 last_status;	/* HTTP, 0 none */
	char				 last_error[256];
};

/*
 * Queue the delivery of in (job, event, msg_id, url, secret, body and
 * body_len, give_up_ms; the rest is ignored), pending and due at now_ms,
 * unless (job, event) is queued already: idempotent, so a job that
 * records one state change twice (a retry after a crash) sends it once.
 * Text fields are NUL-terminated and within the maxima above; body is
 * 1..LEDGER_WEBHOOK_BODY_MAX bytes.  LEDGER_NEW queued; LEDGER_EXISTING
 * there already (left as it is); -1 with err (500 internal_error naming
 * a missing or oversized field, else the ledger's).
 */
int	ledger_webhook_enqueue(struct ledger *, const struct ledger_webhook *in,
	    int64_t now_ms, struct sf_err *);
/*
 * The ids of pending deliveries due at now_ms and not leased, the
 * longest due first, at most limit (1..1000) into ids[]; *n gets the
 * count.  0, or -1 with err.
 */
int	ledger_webhook_due(struct ledger *, int64_t now_ms, size_t limit,
	    int64_t *ids, size_t *n, struct sf_err *);
/*
 * Take delivery id for an attempt: only if it is still pending, due and
 * not leased at now_ms; its attempts counted and its lease set to
 * lease_until_ms for owner (the sender's token, 1..LEDGER_WEBHOOK_OWNER_MAX
 * characters).  1 taken (row filled: free it with ledger_webhook_free),
 * 0 not (another sender has it, or it was recorded meanwhile), -1 error.
 */
int	ledger_webhook_take(struct ledger *, int64_t id, const char *owner,
	    int64_t now_ms, int64_t lease_until_ms, struct ledger_webhook *row,
	    struct sf_err *);
/*
 * The outcome of owner's attempt at id: state (PENDING again due at
 * next_ms, DELIVERED, ABANDONED), the answer's status (0: none) and what
 * went wrong (NULL or "": nothing; never a secret), at now_ms; the lease
 * dropped, the secret erased when DELIVERED.  Only while owner still
 * holds the lease.  1 recorded, 0 the lease was lost (another sender took
 * the row after it ran out), -1 error.
 */
int	ledger_webhook_record(struct ledger *, int64_t id, const char *owner,
	    enum ledger_webhook_state state, int64_t next_ms, int status,
	    const char *error, int64_t now_ms, struct sf_err *);
/*
 * Send id again: pending, due at now_ms, not leased, until give_up_ms,
 * whatever its state but delivered (an abandoned delivery keeps its
 * secret for this).  1 queued again; 0 no such row, or delivered; -1.
 */
int	ledger_webhook_retry(struct ledger *, int64_t id, int64_t now_ms,
	    int64_t give_up_ms, struct sf_err *);
/* 1 found (row filled), 0 not, -1 error. */
int	ledger_webhook_get(struct ledger *, int64_t id, struct ledger_webhook *,
	    struct sf_err *);
int	ledger_webhook_find(struct ledger *, const char *job, const char *event,
	    struct ledger_webhook *, struct sf_err *);
/*
 * Rows in state (-1: all) of job (NULL: all), newest first, at most limit
 * (0: no limit).  0 (*rows malloc'd, free with ledger_webhooks_free), or
 * -1 with err.
 */
int	ledger_webhook_list(struct ledger *, int state, const char *job,
	    size_t limit, struct ledger_webhook **rows, size_t *n,
	    struct sf_err *);
/* When the earliest pending delivery is due: 1 (*next_ms set), 0 none
   pending, -1 error. */
int	ledger_webhook_next(struct ledger *, int64_t *next_ms, struct sf_err *);

/*
 * Delete the deliveries that are over (delivered, or abandoned) whose
 * last outcome was at or before before_ms: their bodies (up to 1 MiB
 * each) would otherwise stay in the ledger for ever.  Pending rows are
 * never deleted.  The rows deleted (0..), or -1 with err.
 */
int	ledger_webhook_prune(struct ledger *, int64_t before_ms,
	    struct sf_err *);

void	ledger_webhook_free(struct ledger_webhook *);
void	ledger_webhooks_free(struct ledger_webhook *, size_t);
/* "pending", "delivered", "abandoned"; "?" outside the enum. */
const char *ledger_webhook_state_name(enum ledger_webhook_state);
/* The state of a name, or -1. */
int	ledger_webhook_state_parse(const char *);

#endif
