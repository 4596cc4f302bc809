/*
 * Ethereum JSON-RPC over HTTP (libcurl + cJSON): the handful of calls
 * settlement needs.  Errors: err->code "http_timeout" / "http_transport"
 * (no answer: the call may or may not have taken effect), "rpc_error"
 * (the node refused; its message is in err->message: a revert says
 * "revert"), "rpc_unavailable" (a JSON-RPC error with HTTP 429 or 5xx:
 * rate-limited or failing, nothing said of the call), "rpc_bad_response".
 */
#ifndef SF_RPC_H
#define SF_RPC_H

#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

struct sf_err;

struct rpc {
	const char	*url;		/* may embed an API key: never logged */
	long		 connect_ms;	/* 0 = 5000 */
	long		 total_ms;	/* per call, 0 = 15000 */
	/* A budget for a run of calls (the proof before work): after this
	   instant (http_now_ms) no call starts ("http_timeout"), and each
	   call's timeouts are cut to what is left.  0 = none. */
	int64_t		 deadline_ms;
};

struct rpc_fees {
	uint64_t	base_fee;	/* latest block baseFeePerGas, wei */
	uint64_t	max_priority_fee;
	uint64_t	max_fee;	/* 2 * base + priority */
};

struct rpc_receipt {
	int		status;		/* 1 success, 0 reverted */
	uint64_t	block;
	uint64_t	gas_used;
};

/* Generic call; params is consumed (may be NULL = []).  *result is owned. */
int	rpc_call(const struct rpc *, const char *method, cJSON *params,
	    cJSON **result, struct sf_err *);
int	rpc_chain_id(const struct rpc *, uint64_t *, struct sf_err *);
int	rpc_block_number(const struct rpc *, uint64_t *, struct sf_err *);
/* eth_getTransactionCount(addr, "pending"). */
int	rpc_nonce(const struct rpc *, const char *addr, uint64_t *,
	    struct sf_err *);
int	rpc_gas_price(const struct rpc *, uint64_t *, struct sf_err *);
int	rpc_fees(const struct rpc *, struct rpc_fees *, struct sf_err *);
int	rpc_estimate_gas(const struct rpc *, const char *from, const char *to,
	    const char *data, uint64_t *gas, struct sf_err *);
/* eth_call at "latest"; *out is a malloc'd "0x..." string. */
int	rpc_eth_call(const struct rpc *, const char *to, const char *data,
	    char **out, struct sf_err *);
/* eth_sendRawTransaction; tx gets the hash. */
int	rpc_send_raw(const struct rpc *, const char *rawhex, char tx[67],
	    struct sf_err *);
/* 1 mined (receipt filled), 0 not yet, -1 error. */
int	rpc_receipt(const struct rpc *, const char *tx, struct rpc_receipt *,
	    struct sf_err *);
/* EIP-3009 authorizationState(from, nonce): *used 1 or 0. */
int	rpc_authorization_state(const struct rpc *, const char *token,
	    const char *from, const char *nonce, int *used, struct sf_err *);
/* ERC-20 balanceOf as a decimal string (out holds 79 bytes). */
int	rpc_balance_of(const struct rpc *, const char *token,
	    const char *owner, char out[79], struct sf_err *);
/*
 * The transaction that emitted AuthorizationUsed(from, nonce) on token,
 * searched from block from_block to latest.  1 found, 0 none, -1 error.
 */
int	rpc_find_authorization_tx(const struct rpc *, const char *token,
	    const char *from, const char *nonce, uint64_t from_block,
	    char tx[67], struct sf_err *);
/*
 * Did transaction tx emit Transfer(from, to, value) from token?  1 yes,
 * 0 no (or not mined), -1 error.
 */
int	rpc_tx_has_transfer(const struct rpc *, const char *tx,
	    const char *token, const char *from, const char *to,
	    const uint8_t value[32], struct sf_err *);
/* Timestamp (unix seconds) of the block that mined tx.  0, or -1 (also
   when tx is not mined). */
int	rpc_tx_block_time(const struct rpc *, const char *tx, uint64_t *ts,
	    struct sf_err *);
/* Parse a JSON-RPC quantity ("0x1a"). 0 or -1. */
int	rpc_quantity(const char *, uint64_t *);
/* First 4 bytes of keccak256(signature), e.g. "balanceOf(address)". */
void	rpc_selector(const char *sig, uint8_t out[4]);

#endif
