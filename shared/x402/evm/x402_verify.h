/*
 * Local verification of an x402 EVM "exact" (EIP-3009) payment against the
 * offers WE made for this request (reference x402.md §3.5, §6.1, §6.4).
 * Pure computation, no I/O, thread-safe.  A valid verdict means the payment
 * is well-formed, addressed to us, signed by authorization.from and inside
 * its time window; nonce state and balance need the chain (x402_chain.h)
 * or the facilitator.
 *
 * Only an EOA's signature is decided here: 65 bytes recovering to
 * authorization.from.  Any other (another length, an ERC-6492 wrapper, 65
 * bytes that recover to someone else or to nobody) may be a contract
 * wallet's, which only the chain or the facilitator can judge (ERC-1271,
 * ERC-6492; x402_wallet.h): such a payment whose every other check passes
 * is refused with X402_R_SIGNATURE and marked wallet = 1, so a caller
 * that does not prove it fails closed.  A malformed ERC-6492 wrapper is
 * refused outright (wallet = 0), and so is a payment whose other checks
 * fail (their reason: a signature nobody verified is not called invalid).
 */
#ifndef SF_X402_VERIFY_H
#define SF_X402_VERIFY_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "x402/x402_offer.h"
#include "x402/x402_payment.h"

/* invalidReason strings, verbatim from @x402/evm where it has one. */
#define X402_R_INVALID_PAYLOAD	"invalid_payload"
#define X402_R_INVALID_VERSION	"invalid_x402_version"
/* Ours: no offer agrees with the payment ("No matching payment requirements"). */
#define X402_R_NO_MATCH		"no_matching_requirements"
#define X402_R_SCHEME		"invalid_exact_evm_scheme"
#define X402_R_NETWORK		"invalid_exact_evm_network_mismatch"
#define X402_R_DOMAIN		"invalid_exact_evm_missing_eip712_domain"
#define X402_R_SIGNATURE	"invalid_exact_evm_signature"
#define X402_R_RECIPIENT	"invalid_exact_evm_recipient_mismatch"
#define X402_R_VALID_BEFORE	"invalid_exact_evm_payload_authorization_valid_before"
#define X402_R_VALID_AFTER	"invalid_exact_evm_payload_authorization_valid_after"
#define X402_R_VALUE_V2		"invalid_exact_evm_payload_authorization_value_mismatch"
#define X402_R_VALUE_V1		"invalid_exact_evm_payload_authorization_value"
/* Ours: accepted.asset differs from the offer's (unreachable after matching). */
#define X402_R_ASSET		"invalid_exact_evm_asset_mismatch"
#define X402_R_UNEXPECTED	"unexpected_verify_error"

/* Seconds validBefore must lie beyond now (block-time slack, as upstream). */
#define X402_VERIFY_SLACK	6

struct x402_verdict {
	int				 valid;
	const char			*reason;	/* X402_R_*; NULL if valid */
	char				 message[256];
	char				 payer[48];	/* EIP-55 from (or base58), "" if undecoded */
	const struct x402_offer		*offer;		/* matched offer or NULL */
	size_t				 offer_index;
	struct x402_authorization	 auth;		/* copy, for the ledger */
	int				 recovered_ok;	/* signer was recovered */
	uint8_t				 recovered[HEX_ADDR_LEN];
	/* Invalid (X402_R_SIGNATURE) only because the signature is not an
	   EOA's: a possible contract wallet, to be proven on chain or by
	   the facilitator (evm_scheme's verify and prove). */
	int				 wallet;
};

/*
 * Match the payment to one of offers[0..noffers) and check it in the
 * reference order.  Returns 0 when the verdict was filled (valid or not),
 * -1 only on internal failure (the verdict then says unexpected_verify_error).
 */
int	x402_verify(const struct x402_payment *, const struct x402_offer *offers,
	    size_t noffers, time_t now, struct x402_verdict *);
/*
 * Decode hdr (x402_payment_decode) and verify.  A malformed header gives a
 * verdict with reason invalid_payload / invalid_x402_version and return 0;
 * -1 only on internal failure (out of memory: unexpected_verify_error).
 * On return *pay is always safe to pass to x402_payment_free(); on success
 * it holds the decoded payment (canonical bytes, payment id) for the ledger.
 */
int	x402_verify_header(const char *hdr, int version,
	    const struct x402_offer *offers, size_t noffers, time_t now,
	    struct x402_payment *pay, struct x402_verdict *);
/*
 * Recover the signer of a 32-byte digest from r ‖ s ‖ v.  v may be 27/28
 * or 0/1.  With low_s set, s above n/2 is refused (as USDC's ecrecover
 * does).  0 on success, -1 if the signature is unusable.
 */
int	x402_verify_recover(const uint8_t digest[32], const uint8_t sig[65],
	    int low_s, uint8_t addr[HEX_ADDR_LEN]);

#endif
