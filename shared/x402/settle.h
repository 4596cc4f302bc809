/*
 * Settlement facade: one call settles a verified payment through the
 * facilitator or directly on chain (SETTLE = facilitator | direct), and
 * turns "unknown" into an answer where the chain can tell: if the
 * authorization's nonce is used on chain the payment counts as settled,
 * if not it failed and may be retried.
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
	char			tx[67];		/* "" if unknown */
	char			network[48];
	char			payer[43];
	char			reason[128];	/* x402 errorReason on failure */
	char			message[256];
};

/* "facilitator" or "direct"; 0 or -1. */
int	settle_mode_parse(const char *, enum settle_mode *);
const char *settle_outcome_name(enum settle_outcome);
enum settle_outcome settle_payment(const struct settle_config *,
	    int x402_version, const char *payload_json,
	    const char *requirements_json, struct settle_result *);

#endif
