/*
 * Direct settlement: we send transferWithAuthorization ourselves from a
 * relayer key (EIP-1559 type-2 transaction, signed with libsecp256k1).
 * settle_direct() runs five phases (settle_direct.c): accept (the
 * authorization matches our requirements and has not expired, the relayer
 * key is ours), same chain (the node's chain id), build (the call: an
 * EOA's (v, r, s) overload, or for a contract wallet the bytes overload
 * with its signature byte for byte, deploying a wallet not deployed yet
 * in the same transaction through Multicall3 (x402_wallet.h); a gas
 * estimate of that exact transaction that doubles as the simulation,
 * capped by RELAYER_GAS_MAX; fees), broadcast (under the nonce lock),
 * await (the receipt).  Sends are serialised across
 * processes by an exclusive flock, so the relayer's nonce is read, used
 * and broadcast by one process at a time.
 */
#ifndef SF_SETTLE_DIRECT_H
#define SF_SETTLE_DIRECT_H

#include <stddef.h>
#include <stdint.h>

#include "x402/evm/x402_wallet_cfg.h"

struct buf;
struct sf_err;

enum settle_direct_outcome {
	SETTLE_DIRECT_OK = 0,
	SETTLE_DIRECT_FAILED,	/* nothing landed; see retryable */
	SETTLE_DIRECT_UNKNOWN,	/* sent (tx known) but no receipt in time */
};

struct settle_direct_config {
	const char	*rpc_url;	/* may embed an API key: never logged */
	const char	*key_file;	/* "0x" + 64 hex; mode 0600, ours */
	const char	*lock_file;	/* NULL: key_file + ".lock" */
	long		 rpc_ms;	/* per RPC call, 0 = 15000 */
	long		 receipt_ms;	/* wait for the receipt, 0 = 60000 */
	/* Contract wallets: the network's ERC-6492 factories, which may
	   deploy a payer's wallet in the settling transaction. */
	struct x402_wallet_factories factories;
	/* RELAYER_GAS_MAX: most gas one settling transaction may take
	   (estimate + 25 % + 10000), 0 = SETTLE_DIRECT_GAS_MAX. */
	uint64_t	 gas_max;
};

#define SETTLE_DIRECT_GAS_MAX	1000000

struct settle_direct_result {
	enum settle_direct_outcome outcome;
	int		retryable;	/* FAILED only: worth trying again */
	char		tx[67];
	char		reason[128];	/* x402-style code where one fits */
	char		message[256];
};

/* EIP-3009 authorization as signed by the payer. */
struct settle_direct_auth {
	uint8_t		from[20], to[20];
	uint8_t		value[32], valid_after[32], valid_before[32];
	uint8_t		nonce[32];
	uint8_t		v;		/* 27 or 28 */
	uint8_t		r[32], s[32];
};

/* An unsigned type-2 transaction (value is always 0). */
struct settle_direct_tx {
	uint64_t	 chain_id, nonce;
	uint64_t	 max_priority_fee, max_fee, gas;
	uint8_t		 to[20];
	const uint8_t	*data;
	size_t		 data_len;
};

/*
 * Read payload.authorization and a 65-byte payload.signature as v, r, s
 * (v1 and v2 shapes), v normalised to 27/28: an EOA's payment.  0, or -1
 * with err 400 invalid_payload, or invalid_exact_evm_signature for a
 * signature of another length (a contract wallet's: use
 * settle_direct_parse_auth).
 */
int	settle_direct_parse(const char *payload_json,
	    struct settle_direct_auth *, struct sf_err *);
/* payload.authorization only (v, r, s left zero), whatever the
   signature: the payer, the nonce, the window of any EVM payment. */
int	settle_direct_parse_auth(const char *payload_json,
	    struct settle_direct_auth *, struct sf_err *);
/* A 65-byte r || s || v into a (v 0/1 as 27/28).  0, or -1 with err. */
int	settle_direct_vrs(const uint8_t sig[65], struct settle_direct_auth *,
	    struct sf_err *);
/* ABI-encode transferWithAuthorization(...,v,r,s) into out. */
int	settle_direct_calldata(const struct settle_direct_auth *,
	    struct buf *out);
/* Sign tx; out gets the raw bytes (0x02 || rlp), hash the tx hash. */
int	settle_direct_sign(const struct settle_direct_tx *, const uint8_t key[32],
	    struct buf *out, uint8_t hash[32], struct sf_err *);
/* Load and check the relayer key; addr gets its 0x address. */
int	settle_direct_load_key(const char *path, uint8_t key[32], char addr[43],
	    struct sf_err *);
/*
 * Settle one payment against its requirements (token = asset).  FAILED
 * with retryable = 0 when the payment itself is at fault (value, payTo,
 * expiry, a revert the simulation shows) or the setup is (no RPC_URL,
 * another chain); retryable = 1 when nothing landed for a passing reason
 * (node unreachable or refusing, relayer key unreadable).  UNKNOWN: sent,
 * no receipt before receipt_ms (tx kept for reconciliation).
 */
enum settle_direct_outcome settle_direct(const struct settle_direct_config *,
	    const char *payload_json, const char *requirements_json,
	    struct settle_direct_result *);

#endif
