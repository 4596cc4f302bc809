/*
 * Our payment offers ("PaymentRequirements"), built from the configuration
 * for one priced request: one per configured network.  The 402 challenge
 * serialises them (x402_challenge.h), the verifier matches an incoming
 * payment against them and never trusts the client's copy, and the
 * generator lists them (registry.json, openapi.json, pages).  The money
 * policy that shapes them lives here too: the window a payment must cover
 * and whether an endpoint settles before its work.
 */
#ifndef SF_X402_OFFER_H
#define SF_X402_OFFER_H

#include <stddef.h>
#include <stdint.h>

struct cfg;

#define X402_OFFER_ADDR	48	/* 0x + 40 hex, or base58 of 32 bytes */

/* Seconds of headroom the offered window adds for the client's signing. */
#define X402_SIGN_SLACK	60

struct x402_offer {
	int		svm;		/* Solana: the SVM exact scheme */
	char		scheme[8];	/* "exact" */
	char		network[48];	/* CAIP-2, "eip155:84532", "solana:..." */
	char		network_v1[32];	/* "base-sepolia"; "" = not offered to v1 */
	uint64_t	chain_id;
	char		amount[80];	/* atomic units, decimal string */
	char		asset[X402_OFFER_ADDR];	/* as configured */
	char		pay_to[X402_OFFER_ADDR];
	unsigned	max_timeout;	/* maxTimeoutSeconds */
	char		name[64];	/* EIP-712 domain name (extra.name) */
	char		version[16];	/* EIP-712 domain version */
	char		fee_payer[X402_OFFER_ADDR]; /* SVM: extra.feePayer */
	unsigned	decimals;	/* SVM: the mint's decimals */
	int		mainnet;
};

/*
 * Our offers for one price (amount: atomic units, decimal): one per
 * configured network, at most max.  Returns the count.
 * maxTimeoutSeconds is MAX_TIMEOUT (no endpoint deadline known).  Solana
 * offers come without extra.feePayer (it is the facilitator's, see
 * x402/svm/svm_fee_payer.h): a live 402 completes them
 * (x402_scheme_offer_complete) or drops them.
 */
size_t		 x402_offers(const struct cfg *, const char *amount,
		    struct x402_offer *out, size_t max);
/*
 * The same for an endpoint whose work takes up to deadline seconds:
 * maxTimeoutSeconds = max(MAX_TIMEOUT, x402_window(deadline) +
 * X402_SIGN_SLACK), so an official client's validBefore (now +
 * maxTimeoutSeconds) covers the work and the settlement after it.
 */
size_t		 x402_offers_ep(const struct cfg *, const char *amount,
		    unsigned deadline, struct x402_offer *out, size_t max);
/*
 * 1 when a and b offer the same thing (every field: what the 402 says
 * of them), else 0.  For caches keyed by the offers.
 */
int		 x402_offer_equal(const struct x402_offer *a,
		    const struct x402_offer *b);
/* Seconds a payment must stay valid to be worked on: deadline + SETTLE_MARGIN. */
unsigned	 x402_window(const struct cfg *, unsigned deadline);
/*
 * Settle before the work?  SETTLE_FIRST lists endpoint names (or "all");
 * SETTLE_FIRST_ABOVE settles first when the price (atomic units, decimal)
 * exceeds it.  amount NULL: only the list counts.  1 yes, 0 no.
 */
int		 x402_settle_first(const struct cfg *, const char *endpoint,
		    const char *amount);

#endif
