/*
 * Settlement of an EVM "exact" payment (evm_scheme's settle_once and
 * settle_until_ms; the retry loop around them is settle.c's): through the
 * facilitator's /settle or our own relayer transaction (SETTLE=direct,
 * settle_direct.h), and an outcome the answer leaves open decided on
 * chain: authorizationState(from, nonce) unused means nothing moved
 * (FAILED, retryable); used means settled if an AuthorizationUsed
 * transaction of ours carries Transfer(from, payTo, value), mined after
 * we accepted the payment (x402.md §6.1; EIP-3009).
 */
#ifndef SF_EVM_SETTLE_H
#define SF_EVM_SETTLE_H

#include <stdint.h>

struct settle_config;
struct settle_result;

/* As x402_scheme.settle_once (x402_scheme.h). */
void	evm_settle_once(const struct settle_config *, int version,
	    const char *payload, const char *requirements, int64_t since,
	    int fresh, struct settle_result *);
/* The authorization's validBefore in unix ms (INT64_MAX when beyond any
   date, 0 when the payload is unreadable). */
int64_t	evm_settle_until_ms(const char *payload);
/* Does a reason (or message) say the authorization nonce is spent? */
int	evm_settle_nonce_used(const char *reason, const char *message);

#endif
