/*
 * Sign-In-With-X nonces in the ledger: the single-use store behind
 * struct siwx_nonce_store (x402/siwx.h; flow/flow_siwx.h fills one from a
 * ledger), so a nonce issued by one process or host can be used once, by
 * any of them, before it expires.  A table of its own (siwx_nonces,
 * ledger_be.h), in the same database as the payments: SQLite on one
 * host, PostgreSQL across hosts.  Times are ms since the epoch, given by
 * the caller.  Thread-safe, as the ledger.
 */
#ifndef SF_LEDGER_SIWX_H
#define SF_LEDGER_SIWX_H

#include <stdint.h>

struct ledger;
struct sf_err;

/* Longest nonce stored, characters (ours are 32 hex digits). */
#define LEDGER_SIWX_NONCE_MAX	128

/*
 * Record nonce (1..LEDGER_SIWX_NONCE_MAX printable ASCII characters) as
 * issued, usable until expires_ms.  1 stored; 0 the nonce is there
 * already (issued before: the caller must not hand it out again); -1 with
 * err (500 internal_error for a malformed nonce, else the ledger's).
 */
int	ledger_siwx_nonce_issue(struct ledger *, const char *nonce,
	    int64_t expires_ms, struct sf_err *);
/*
 * Use nonce up: one UPDATE ... SET used = 1 WHERE nonce = ? AND used = 0
 * AND expires > now_ms, its rows counted, so of any number of callers in
 * threads, processes or hosts exactly one gets 1.  1 used up now; 0
 * unknown, expired or used before; -1 with err (the caller refuses the
 * sign-in: fail closed).
 */
int	ledger_siwx_nonce_consume(struct ledger *, const char *nonce,
	    int64_t now_ms, struct sf_err *);
/* Delete every nonce whose expiry is at or before now_ms, used or not:
   the rows deleted, or -1 with err. */
int	ledger_siwx_nonce_prune(struct ledger *, int64_t now_ms,
	    struct sf_err *);

#endif
