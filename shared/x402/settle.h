/*
 * Settlement, whatever the scheme family: one call settles a verified
 * payment through the facilitator or directly on chain (SETTLE =
 * facilitator | direct; EVM only), retrying transient failures with
 * backoff while the budget and the payment's own deadline allow.  Each
 * attempt is the family's settle_once (x402_scheme.h), found by the
 * requirements' network: EVM turns "unknown" into an answer where the
 * chain can tell (evm/evm_settle.h: the authorization's nonce used on
 * chain by a transfer to us counts as settled, unused means it failed and
 * may be retried); Solana asks its facilitator (svm/svm_scheme.c).
 */
#ifndef SF_SETTLE_H
#define SF_SETTLE_H

#include <stdint.h>

#include "x402/facilitator.h"
#include "x402/evm/settle_direct.h"

enum settle_mode {
	SETTLE_MODE_FACILITATOR = 0,
	SETTLE_MODE_DIRECT,
};

enum settle_outcome {
	SETTLE_OK = 0,
	SETTLE_FAILED,
	SETTLE_UNKNOWN,
};

struct settle_config {
	enum settle_mode		 mode;
	struct facilitator_config	 facilitator;
	struct settle_direct_config	 direct;	/* its rpc_url is the chain */
	/* Chain check for facilitator mode; NULL: use direct.rpc_url. */
	const char			*rpc_url;
	long				 rpc_ms;	/* 0 = 10000 */
	uint64_t			 log_blocks;	/* tx search window, 0 = 5000 */
};

struct settle_result {
	enum settle_outcome	outcome;
	int			retryable;	/* FAILED: nothing landed */
	int			chain_checked;	/* outcome from authorizationState */
	int			spent;		/* FAILED: the authorization was
						   used already (by whom, the
						   chain tells when checked) */
	char			tx[96];		/* "" if unknown */
	char			network[48];
	char			payer[48];
	char			reason[128];	/* x402 errorReason on failure */
	char			message[256];
	int			attempts;	/* settle calls made */
};

struct settle_opts {
	/* Unix seconds we accepted the payment (claimed it after proving
	   the nonce unused): an AuthorizationUsed transfer mined before that
	   is not ours.  0: any transfer to payTo counts (synthforge-ctl on
	   rows of an older ledger). */
	int64_t			since;
	/* Retry transient failures for up to this many ms; 0 = one call. */
	long			budget_ms;
	/* No earlier settle attempt of ours can exist (the row was just
	   claimed and proven unused): "nonce already used" on the first
	   attempt is someone else's transfer, never reconciled into ours. */
	int			fresh;
	/* Unix seconds the payment stays valid to, as the ledger keeps it
	   (x402_terms.valid_before): the end of the retries where the
	   family cannot read it from the payload (Solana: the blockhash's
	   life, counted from the claim).  0 = unknown. */
	int64_t			valid_before;
};

/*
 * One POST /settle at c->facilitator, its answer as r (outcome, tx, reason,
 * message; network and payer where the facilitator names them, else left
 * as they are; retryable when it said "no", so nothing moved).  out (may
 * be NULL) gets the facilitator's answer untruncated.  For the families'
 * settle_once.
 */
void	settle_facilitator(const struct settle_config *c, int x402_version,
	    const char *payload_json, const char *requirements_json,
	    struct settle_result *r, struct facilitator_result *out);
/* "facilitator" or "direct"; 0 or -1. */
int	settle_mode_parse(const char *, enum settle_mode *);
const char *settle_outcome_name(enum settle_outcome);
/*
 * Settle payload (the stored payment JSON) against requirements (our
 * offer JSON): attempts by the family of the requirements' network,
 * transient failures (settle_transient) retried with backoff from 0.5 s
 * to 8 s for up to o->budget_ms, and never later than the family's
 * settle_until_ms (where it returns 0, o->valid_before) less a block time
 * (6 s); with neither, one attempt.  r is always filled; returns
 * r->outcome.  settle_payment: one attempt, not fresh, any transfer
 * counts (o all zero).
 */
enum settle_outcome settle_payment(const struct settle_config *,
	    int x402_version, const char *payload_json,
	    const char *requirements_json, struct settle_result *);
enum settle_outcome settle_payment_opts(const struct settle_config *,
	    int x402_version, const char *payload_json,
	    const char *requirements_json, const struct settle_opts *,
	    struct settle_result *);
/*
 * Worth another try with the same authorization?  1 for UNKNOWN (no
 * answer, 5xx, timeout) and for FAILED with a reason that is not the
 * payer's doing (unexpected_settle_error, settlement_pending, transaction
 * failed, facilitator or node unreachable); 0 otherwise (balance,
 * signature, nonce used, window, amount: retrying cannot help).
 */
int	settle_transient(const struct settle_result *);

#endif
