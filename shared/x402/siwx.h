/*
 * Sign-In-With-X: the x402 extension "sign-in-with-x"
 * (specs/extensions/sign-in-with-x.md; CAIP-122), as @x402/extensions
 * 2.27.0 implements it, server side: a route that wants to know which
 * wallet is calling (the free job routes: the payer reads its own jobs)
 * answers 402 with `accepts: []` and a challenge in
 * extensions["sign-in-with-x"]; the client signs the challenge with its
 * wallet and sends it back in the SIGN-IN-WITH-X header; we verify it
 * here, locally, without any chain or facilitator:
 *
 *   eip155 chains: the EIP-4361 message (x402/siwx_msg.h), its EIP-191
 *   personal_sign hash recovered with libsecp256k1 to the claimed address
 *   (EOA); contract wallets (ERC-1271, ERC-6492) through a hook the caller
 *   may fill (struct siwx_contract_verifier);
 *   solana chains: the Sign In With Solana text, ed25519 (libsodium);
 *
 * and the checks of the official server (createSIWxRequestHook:
 * validateSIWxMessage, verifySIWxSignature, then nonce tracking), in its
 * order.  Where we are stricter, on purpose (tests/diff/siwx_diff.mjs
 * writes each rule down and checks it):
 *   - the chain must be one we offered, with its family's signature type
 *     (the official verifier routes by chain prefix and checks neither);
 *   - the nonce must be one we issued (the official hook only remembers
 *     used ones), used up last, after the signature verified, so a forged
 *     header cannot burn a caller's nonce (struct siwx_nonce_store);
 *   - Solana fields, which the official verifier prints unchecked: version
 *     "1", no control characters, RFC 3986 uri and resources, RFC 3339
 *     times; ed25519 S must be canonical (libsodium; tweetnacl takes S+L);
 *   - the header: padded base64, UTF-8, no duplicate keys, at most
 *     SIWX_RESOURCES_MAX resources; uri written "scheme://host" with no
 *     user info (WHATWG URL also reads "https:host" and "user@host");
 *     EVM chain ids above 2^53 - 1 (JavaScript rounds them).
 * And one allowance: issuedAt and notBefore may be skew_ms ahead of our
 * clock (our hosts' clocks differ; the official allows 0).
 *
 * siwx.c builds challenges, siwx_verify.c verifies.  Failure reasons are
 * the official invalidReason strings where there is one (SIWX_R_*).
 * Thread-safe once the config is initialised, if the store and hook are.
 */
#ifndef SF_SIWX_H
#define SF_SIWX_H

#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "basics/net.h"

struct msg_resp;
struct sf_err;

#define SIWX_EXT		"sign-in-with-x"	/* extensions key */
#define SIWX_HEADER		"SIGN-IN-WITH-X"	/* request header */
#define SIWX_HDR_MAX		32768	/* longest header value read, bytes */
#define SIWX_NONCE_LEN		32	/* hex digits (16 random bytes) */
#define SIWX_CHAINS_MAX		8
#define SIWX_RESOURCES_MAX	32	/* resources[] entries accepted */
#define SIWX_SIG_MAX		8192	/* EVM signature bytes (ERC-6492 blobs) */
#define SIWX_TTL_DEFAULT	300000	/* ms: challenge lifetime, max age */
#define SIWX_SKEW_DEFAULT	5000	/* ms: clocks of our hosts may differ */

/* invalidReason strings: @x402/extensions' where it has one. */
#define SIWX_R_HEADER		"invalid_siwx_header"	/* ours: parse */
#define SIWX_R_DOMAIN		"invalid_siwx_domain_mismatch"
#define SIWX_R_URI		"invalid_siwx_uri_mismatch"
#define SIWX_R_ISSUED_AT	"invalid_siwx_issued_at"
#define SIWX_R_TOO_OLD		"invalid_siwx_issued_at_too_old"
#define SIWX_R_IN_FUTURE	"invalid_siwx_issued_at_in_future"
#define SIWX_R_EXPIRATION	"invalid_siwx_expiration_time"
#define SIWX_R_EXPIRED		"invalid_siwx_expired"
#define SIWX_R_NOT_BEFORE	"invalid_siwx_not_before"
#define SIWX_R_NOT_YET		"invalid_siwx_not_yet_valid"
#define SIWX_R_CHAIN		"invalid_siwx_unsupported_chain"
#define SIWX_R_MESSAGE		"invalid_siwx_message"	/* ours: no message */
#define SIWX_R_SIGNATURE	"invalid_siwx_signature"
#define SIWX_R_MALFORMED_SIG	"invalid_siwx_malformed_signature"
#define SIWX_R_VERIFIER		"invalid_siwx_verifier_error"
#define SIWX_R_NONCE		"invalid_siwx_nonce"

/*
 * Single-use nonces, kept by the caller where every process and host
 * sees them (the ledger: SQLite on one host, PostgreSQL across hosts).
 * Both functions must be thread-safe.
 */
struct siwx_nonce_store {
	void	*ctx;
	/*
	 * Remember nonce (SIWX_NONCE_LEN lower-case hex digits, NUL-
	 * terminated) as issued and usable until expires_ms (ms since the
	 * epoch: the challenge's expiry plus the clock skew).  0, or -1 if
	 * it could not be stored (no challenge is sent then).
	 */
	int	(*issue)(void *ctx, const char *nonce, int64_t expires_ms);
	/*
	 * Use nonce up, atomically across processes and hosts (one UPDATE
	 * ... SET used = 1 WHERE nonce = ? AND used = 0 AND expires > ?,
	 * counting the rows): 1 when it was issued, is unexpired at now_ms
	 * and unused (now used); 0 when unknown, expired or used; -1 when
	 * the store failed (the sign-in is then refused: fail closed).
	 * Called last, after the signature verified, and only with a string
	 * shaped like ours (SIWX_NONCE_LEN lower-case hex digits).
	 */
	int	(*consume)(void *ctx, const char *nonce, int64_t now_ms);
};

/*
 * Contract wallets (ERC-1271 isValidSignature on a deployed wallet,
 * ERC-6492 for a counterfactual one) need the chain; their verification
 * is the caller's (evm/siwx_wallet.h fills one backed by the universal
 * ERC-6492 validator on the network's RPC).  Asked only on eip155
 * chains, when the signature is not a 65-byte signature that recovers to
 * the claimed address.  verify == NULL: EOAs only, as the official
 * verifier without an evmVerifier.
 */
struct siwx_contract_verifier {
	void	*ctx;
	/*
	 * chain_id: the CAIP-2 id signed for; address: the claimed wallet;
	 * message[0..msglen): the EIP-4361 text; digest: its EIP-191 hash;
	 * sig[0..siglen): the signature bytes (siglen <= SIWX_SIG_MAX).
	 * 1 valid, 0 invalid, -1 could not tell (RPC down: refused, 503).
	 */
	int	(*verify)(void *ctx, const char *chain_id,
		    const uint8_t address[20], const char *message,
		    size_t msglen, const uint8_t digest[32],
		    const uint8_t *sig, size_t siglen);
};

struct siwx_chain {
	char		 id[72];	/* CAIP-2 */
	enum net_family	 family;	/* NET_EVM: eip191, NET_SVM: ed25519 */
};

struct siwx_config {
	char				 origin[256];	/* "https://host[:port]" */
	char				 host[256];	/* "host[:port]" = domain */
	struct siwx_chain		 chains[SIWX_CHAINS_MAX];
	size_t				 nchains;
	char				 statement[256]; /* "" = none */
	int64_t				 ttl_ms;	/* expiry and max age */
	int64_t				 skew_ms;	/* issuedAt/notBefore ahead */
	struct siwx_nonce_store		 nonces;
	struct siwx_contract_verifier	 contract;
};

/*
 * The origin of an http(s) URL as WHATWG's URL.origin writes it (scheme
 * and host lower-cased, the scheme's default port and leading zeros of
 * the port dropped, IPv6 in inet_ntop form) into origin (osz bytes), and
 * its host ("host[:port]", URL.host) into host (hsz bytes).  Stricter
 * than WHATWG: "scheme://" literally, no user info, a host of letters,
 * digits and "-._~" or an IPv6 literal, nothing percent-encoded.  rest
 * (may be NULL) gets what follows the authority.  0, or -1 when url is no
 * such URL or a buffer is too small.
 */
int	siwx_origin(const char *url, char *origin, size_t osz, char *host,
	    size_t hsz, const char **rest);
/* The CAIP-122 signature type of a family: "eip191" or "ed25519". */
const char *siwx_type(enum net_family);

/*
 * Fill c for our origin and the chains we offer sign-in on.
 * public_url: PUBLIC_URL (http or https; its origin is kept: scheme and
 * host lower-cased, the default port dropped, path ignored; no user info).
 * networks[0..n): names net_lookup() knows ("base-sepolia",
 * "eip155:8453", "solana-devnet", CAIP-2 ids), 1..SIWX_CHAINS_MAX,
 * written as CAIP-2 in the challenge, in this order (clients take the
 * first of their family).  store: copied; both functions required.
 * Defaults: no statement (set c->statement, EIP-4361 characters only,
 * checked by siwx_extension()), ttl SIWX_TTL_DEFAULT, skew
 * SIWX_SKEW_DEFAULT, no contract verifier.
 * 0, or -1 with a 500 config_invalid error.
 */
int	siwx_config_init(struct siwx_config *c, const char *public_url,
	    const char *const *networks, size_t n,
	    const struct siwx_nonce_store *store, struct sf_err *);

/*
 * The extensions["sign-in-with-x"] object of a 402, exactly as
 * createSIWxResourceServerExtension() enriches it: info {domain, uri,
 * version "1", nonce (fresh, recorded through store->issue), issuedAt
 * (now_ms), resources [uri], expirationTime (now_ms + ttl), statement
 * (when set)}, supportedChains [{chainId, type}], schema (buildSIWxSchema).
 * resource_url: the absolute URL of the route as we publish it; uri is our
 * origin + its path and query (rebaseResourcePath).  A new cJSON object
 * (caller frees), or NULL with the error: 503 siwx_store_unavailable
 * when the nonce could not be stored, 500 otherwise.
 */
cJSON	*siwx_extension(const struct siwx_config *, const char *resource_url,
	    int64_t now_ms, struct sf_err *);
/*
 * The whole PaymentRequired of an auth-only route: {x402Version: 2,
 * error, resource {url, description, mimeType "application/json"},
 * accepts: [], extensions {"sign-in-with-x": siwx_extension()}}.
 * error: a reason code ("sign_in_required", or the verdict's reason).
 */
cJSON	*siwx_required(const struct siwx_config *, const char *resource_url,
	    const char *description, const char *error, int64_t now_ms,
	    struct sf_err *);
/*
 * Fill resp with that 402: PAYMENT-REQUIRED (base64 of the JSON),
 * Cache-Control: no-store, and our error body {"error": {"code":
 * "sign_in_required" or why->reason, "message"}}.  why: the failed
 * verdict of the header sent, NULL when none was sent.  0, or -1 with
 * the error of siwx_extension() (the caller answers it instead).
 */
struct siwx_verdict;
int	siwx_challenge(struct msg_resp *, const struct siwx_config *,
	    const char *resource_url, const char *description,
	    const struct siwx_verdict *why, int64_t now_ms, struct sf_err *);

struct siwx_verdict {
	int		 valid;
	const char	*reason;	/* SIWX_R_*; NULL if valid */
	char		 message[256];	/* for humans; names the field */
	char		 address[48];	/* signer: EIP-55 0x-hex or base58 */
	char		 chain_id[72];	/* CAIP-2 it signed in on */
	enum net_family	 family;
	int		 contract;	/* 1: the contract-wallet hook vouched */
	int64_t		 issued_ms;	/* its issuedAt */
	int64_t		 expires_ms;	/* its expirationTime, 0 if none */
};

/*
 * Verify the SIGN-IN-WITH-X header value hdr (base64 of the JSON payload
 * the official client sends) at now_ms (ms since the epoch) and, when
 * everything holds, use its nonce up.  Returns 0 with the verdict filled
 * (valid or not: a malformed header is a verdict, SIWX_R_HEADER), or -1
 * when it could not be decided: out of memory (500), the nonce store or
 * the contract-wallet hook failed (503 siwx_store_unavailable /
 * siwx_verifier_unavailable; the verdict then says SIWX_R_NONCE /
 * SIWX_R_VERIFIER).  address and chain_id are set only when valid.
 */
int	siwx_verify(const struct siwx_config *, const char *hdr,
	    int64_t now_ms, struct siwx_verdict *, struct sf_err *);

#endif
