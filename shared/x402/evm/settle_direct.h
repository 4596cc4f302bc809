/*
 * Direct settlement: we send transferWithAuthorization ourselves from a
 * relayer key (EIP-1559 type-2 transaction, signed with libsecp256k1).
 * Sends are serialised across processes by an exclusive flock, so the
 * relayer's nonce is read, used and broadcast by one process at a time.
 */
#ifndef SF_SETTLE_DIRECT_H
#define SF_SETTLE_DIRECT_H

#include <stddef.h>
#include <stdint.h>

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
};

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

/* Read payload.authorization and payload.signature (v1 and v2 shapes). */
int	settle_direct_parse(const char *payload_json,
	    struct settle_direct_auth *, struct sf_err *);
/* ABI-encode transferWithAuthorization(...,v,r,s) into out. */
int	settle_direct_calldata(const struct settle_direct_auth *,
	    struct buf *out);
/* Sign tx; out gets the raw bytes (0x02 || rlp), hash the tx hash. */
int	settle_direct_sign(const struct settle_direct_tx *, const uint8_t key[32],
	    struct buf *out, uint8_t hash[32], struct sf_err *);
/* Load and check the relayer key; addr gets its 0x address. */
int	settle_direct_load_key(const char *path, uint8_t key[32], char addr[43],
	    struct sf_err *);
/* Settle one payment against its requirements (token = asset). */
enum settle_direct_outcome settle_direct(const struct settle_direct_config *,
	    const char *payload_json, const char *requirements_json,
	    struct settle_direct_result *);

#endif
