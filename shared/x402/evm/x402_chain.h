/*
 * Optional on-chain pre-checks of a locally valid payment, the cheap part
 * of the facilitator's simulation diagnosis (reference x402.md §6.1):
 * authorizationState(from, nonce) and balanceOf(from) on the asset, both by
 * eth_call through rpc.h (libcurl, with timeouts).
 */
#ifndef SF_X402_CHAIN_H
#define SF_X402_CHAIN_H

#include "x402/evm/x402_verify.h"

struct rpc;

#define X402_R_NONCE_USED	"invalid_exact_evm_nonce_already_used"
#define X402_R_BALANCE		"invalid_exact_evm_insufficient_balance"
#define X402_R_SIMULATION	"invalid_exact_evm_transaction_simulation_failed"

/* Selectors, for reference; test_x402_chain proves them with keccak. */
#define X402_CHAIN_SEL_AUTH_STATE	"e94a0102" /* authorizationState(address,bytes32) */
#define X402_CHAIN_SEL_BALANCE_OF	"70a08231" /* balanceOf(address) */

/*
 * Check a verdict from x402_verify() against the chain.  Does nothing when
 * the verdict is already invalid or rpc/rpc->url is NULL or "".  Returns 0
 * when the chain answered (the verdict may now be invalid with reason
 * X402_R_NONCE_USED or X402_R_BALANCE); -1 when it could not be asked, the
 * verdict then being invalid with reason X402_R_UNEXPECTED ("unexpected_
 * verify_error") and the RPC error in its message.
 */
int	x402_chain_check(const struct rpc *, struct x402_verdict *);
/* The same, and balance (79 bytes) gets balanceOf(from), decimal, once
   the chain answered it (untouched before). */
int	x402_chain_state(const struct rpc *, struct x402_verdict *,
	    char balance[79]);

/*
 * Prove a locally valid payment settleable on chain before any work, as a
 * facilitator's /verify does (x402.md §6.1, §6.4): x402_chain_check
 * (authorizationState unused, balanceOf(from) >= value), then an eth_call
 * of transferWithAuthorization(from, to, value, validAfter, validBefore,
 * nonce, v, r, s) built from payload_json (the stored payload, v already
 * 27/28) that must not revert.  balance (79 bytes) gets balanceOf(from),
 * decimal, for the exposure check.  Returns as x402_chain_check; a revert
 * gives reason X402_R_SIMULATION with the node's message.
 */
int	x402_chain_prove(const struct rpc *, const char *payload_json,
	    struct x402_verdict *, char balance[79]);

#endif
