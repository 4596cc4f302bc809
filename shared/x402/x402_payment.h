/*
 * Decoding of the client's payment header: PAYMENT-SIGNATURE (v2) or
 * X-PAYMENT (v1), base64 of a JSON PaymentPayload (reference x402.md §2.2,
 * §3.2, §11).  Two "exact" payloads are understood: EVM (EIP-3009
 * authorization + signature) and SVM (a base64 partially signed Solana
 * transaction, scheme_exact_svm.md), told apart by the network.
 * Decoding checks shape and syntax only; x402_verify() decides validity.
 */
#ifndef SF_X402_PAYMENT_H
#define SF_X402_PAYMENT_H

#include <stddef.h>
#include <stdint.h>

#include "basics/hex.h"
#include "basics/u256.h"
#include "x402/x402_offer.h"
#include "x402/svm/svm_tx.h"

struct sf_err;

#define X402_PAYMENT_HDR_MAX	65536	/* longest header value accepted */
#define X402_PAYMENT_SIG_MAX	8192	/* bytes; ERC-6492 blobs are long */
#define X402_PAYMENT_ID_MIN	16
#define X402_PAYMENT_ID_MAX	128

/* The signed EIP-3009 message, as bytes and as the client wrote it. */
struct x402_authorization {
	uint8_t	 from[HEX_ADDR_LEN];
	uint8_t	 to[HEX_ADDR_LEN];
	uint8_t	 value[U256_LEN];
	uint8_t	 valid_after[U256_LEN];
	uint8_t	 valid_before[U256_LEN];
	uint8_t	 nonce[32];
	char	 from_hex[HEX_ADDR_STRLEN];
	char	 to_hex[HEX_ADDR_STRLEN];
	char	 value_dec[U256_DEC_SIZE];
	char	 valid_after_dec[U256_DEC_SIZE];
	char	 valid_before_dec[U256_DEC_SIZE];
	char	 nonce_hex[67];		/* "0x" + 64 digits, lower case */
};

/* v2 "accepted": the client's copy of the offer it chose. */
struct x402_accepted {
	char		 scheme[32];
	char		 network[128];
	char		 amount[U256_DEC_SIZE];
	char		 asset[X402_OFFER_ADDR];	/* hex, or base58 (SVM) */
	char		 pay_to[X402_OFFER_ADDR];
	uint64_t	 max_timeout;
	int		 has_fee_payer;	/* SVM: extra.feePayer */
	char		 fee_payer[X402_OFFER_ADDR];
	int		 has_name;	/* extra.name present */
	char		 name[128];
	int		 has_version;
	char		 version[64];
};

struct x402_payment {
	int				 version;	/* 1 or 2 */
	char				 scheme[32];	/* v1 top level; v2 = accepted */
	char				 network[128];
	struct x402_accepted		 accepted;	/* v2 only */
	char				*resource_url;	/* v2 resource.url, v1 a
							   top-level resource
							   string; optional,
							   NULL */
	uint8_t				 sig[65];	/* valid iff sig_len == 65 */
	size_t				 sig_len;	/* decoded length, any size */
	/* The whole signature, sig_len bytes (at most X402_PAYMENT_SIG_MAX;
	   a contract wallet's is any length): malloc'd, NULL when empty. */
	uint8_t				*sig_bytes;
	struct x402_authorization	 auth;		/* EVM only */
	int				 svm;		/* an SVM payload */
	uint8_t				 svm_tx[SVM_TX_MAX]; /* wire bytes */
	size_t				 svm_tx_len;
	int				 has_id;
	char				 id[X402_PAYMENT_ID_MAX + 1];
	/* Decoded JSON exactly as received: stable bytes for hashing. */
	char				*canonical;
	size_t				 canonical_len;
};

/*
 * Decode a header value.  version is 2 for PAYMENT-SIGNATURE and 1 for
 * X-PAYMENT; the payload's x402Version must agree.  On failure returns -1
 * with err->code "invalid_payload" (or "invalid_x402_version"), status 402,
 * field naming the offending JSON path; the payment needs no freeing then.
 * On success the payment owns memory: call x402_payment_free().
 */
int	x402_payment_decode(const char *hdr, int version,
	    struct x402_payment *, struct sf_err *);
void	x402_payment_free(struct x402_payment *);
/*
 * Whether a payment made for the resource it names (p->resource_url, the
 * URL of the 402 the client echoes back) was made for ours (our 402's
 * resource: PUBLIC_URL + the endpoint's path).  The path decides, as RFC
 * 3986 §6.2.2 normalises it (percent-encoded unreserved characters
 * decoded, other escapes upper-cased; query, fragment and a trailing
 * slash ignored; case kept); the origin does not, since one service
 * answers under several names (PUBLIC_URL, a balancer, a host's own) and
 * payTo already binds the payment to this seller.  1: ours, or no
 * resource named (it is optional); 0: another resource.
 */
int	x402_payment_for(const struct x402_payment *p, const char *ours);

#endif
