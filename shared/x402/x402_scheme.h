/*
 * A payment scheme family behind one table of functions, in the manner of
 * curl's lib/vtls/vtls_int.h (struct Curl_ssl): the request flow, the 402,
 * the facilitator proof and settlement call these and never ask which
 * family a payment belongs to.  Two entries today, each in its folder:
 *
 *   evm_scheme  (evm/evm_scheme.c)  "exact" on EVM chains: an EIP-3009
 *               transferWithAuthorization signed by the payer
 *   svm_scheme  (svm/svm_scheme.c)  "exact" on Solana: a partially signed
 *               SPL TransferChecked the facilitator co-signs as fee payer
 *
 * A family is picked by network (x402_scheme_for, x402_scheme_of_offer) or
 * by the decoded payment (x402_scheme_verify_header).  Every function of
 * an entry is set; thread-safe; none keeps state between calls except the
 * caches named where they are (the Solana fee payer).
 */
#ifndef SF_X402_SCHEME_H
#define SF_X402_SCHEME_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include <cjson/cJSON.h>

#include "x402/evm/x402_verify.h"
#include "x402/svm/svm_verify.h"
#include "x402/x402_offer.h"
#include "x402/x402_payment.h"

struct cfg;
struct facilitator_config;
struct settle_config;
struct settle_result;

/* What a scheme reads besides the payment: the seller's settings. */
struct x402_env {
	const struct cfg		*cfg;		/* RPC_URL_<net>, per-network
							   facilitators */
	const struct settle_config	*settle;	/* SETTLE, FACILITATOR_URL,
							   RPC_URL, relayer, CDP */
	long				 rpc_ms;	/* per chain read, ms */
};

/* One payment as decoded and checked locally (x402_scheme_verify_header). */
struct x402_check {
	const struct x402_scheme	*scheme;	/* its family; NULL: the
							   header did not decode */
	struct x402_payment		 pay;		/* decoded header */
	struct x402_verdict		 vd;		/* valid, reason, message,
							   payer, matched offer */
	struct svm_verdict		 svm;		/* Solana's own facts
							   (payer's signature) */
};

/* What the ledger records of a payment, in its family's terms. */
struct x402_terms {
	char	 payer[48];		/* EIP-55 hex, or base58 */
	char	 key[96];		/* replay key: the EIP-3009 nonce (0x +
					   64 hex); Solana: the payer's
					   transaction signature (base58) */
	char	 amount[80];		/* atomic units, decimal */
	char	 valid_after[80];	/* unix seconds, decimal */
	char	 valid_before[80];
};

/* Whether a payment stays valid long enough for the work and settlement. */
enum x402_window {
	X402_WINDOW_OK = 0,		/* it outlives work + settlement margin */
	X402_WINDOW_SETTLE_FIRST,	/* it cannot, by its family's nature:
					   settle before the work */
	X402_WINDOW_SHORT,		/* the payer chose too short a window:
					   refuse, message says what to sign */
};

/* What proving a payment settleable found. */
struct x402_proof {
	int	 settleable;		/* 1 proven; 0 refused (reason) */
	char	 reason[128];		/* x402 reason; a facilitator's is
					   passed through (x402.md §6.5) */
	char	 message[256];
	char	 balance[80];		/* the payer's balance read for the
					   exposure check, atomic, decimal;
					   "" = unknown (only this payment was
					   proven) */
};

struct x402_scheme {
	const char	*name;		/* "evm", "svm" */
	const char	*title;		/* "EVM", "Solana": for people */
	/* Seconds a payment of this family can stay valid at most; 0 = the
	   payer chooses (validBefore).  Work longer than this is settled
	   first and the 402's description says so (late_note). */
	unsigned	 max_window;
	const char	*late_note;
	/* What a 402 offering this family says of it besides (EVM: which
	   contract wallets pay, and how they are proven); NULL: nothing. */
	const char	*pay_note;

	/*
	 * Complete one of our offers for a live 402 (Solana: extra.feePayer
	 * from the facilitator's /supported, cached).  0, or -1 when it
	 * cannot be offered now, with why (a sentence for the log) and
	 * *fresh = 1 if a remote party was asked (so the caller logs once).
	 */
	int	(*offer_complete)(const struct x402_env *, struct x402_offer *,
		    char *why, size_t whysz, int *fresh);
	/* Add the offer's "extra" members to extra (EIP-712 domain; fee payer). */
	void	(*offer_extra)(cJSON *extra, const struct x402_offer *);

	/*
	 * Local verification, free checks only, in the reference order:
	 * match c->pay to one of offers[0..n) and fill c->vd (and the
	 * family's own facts).  0 with the verdict filled (valid or not), -1
	 * only on internal failure.
	 */
	int	(*verify)(const struct x402_offer *offers, size_t n, time_t now,
		    struct x402_check *c);
	/* The ledger's terms of a locally valid payment (now: unix seconds). */
	void	(*terms)(const struct x402_check *, time_t now,
		    struct x402_terms *);
	/* The payload JSON to store and settle (EVM: v as 27/28); malloc'd,
	   NULL on out of memory. */
	char	*(*payload)(const struct x402_check *);
	/*
	 * The window rule: must the payment be refused, settled first, or is
	 * it fine for work of work_s seconds plus margin_s for settlement?
	 * msg (msz bytes) gets the refusal's sentence on X402_WINDOW_SHORT.
	 */
	enum x402_window (*window)(const struct x402_check *, time_t now,
		    unsigned work_s, unsigned margin_s, char *msg, size_t msz);

	/*
	 * Prove a locally valid, claimed payment settleable before any work
	 * (x402.md §6.1, §6.4): on chain where the family and the network
	 * allow it, else the facilitator's /verify.  payload and requirements
	 * are the stored JSON.  0 answered (proof filled: settleable or
	 * refused with a reason); -1 nobody could be asked.
	 */
	int	(*prove)(const struct x402_env *, const struct x402_check *,
		    int version, const char *payload, const char *requirements,
		    struct x402_proof *);

	/* The settlement settings for a network: the seller's, with what
	   this family needs (its chain for reconciliation, its facilitator). */
	void	(*settle_config)(const struct x402_env *, const char *network,
		    struct settle_config *out);
	/*
	 * One settlement attempt (r arrives zeroed but for r->network, the
	 * requirements' network), and where the chain can tell, an unknown
	 * outcome decided on it.  since: unix seconds we accepted the payment
	 * (a transfer before it is not ours; 0 = any); fresh: no earlier
	 * attempt of ours can exist, so "already used" is someone else's.
	 */
	void	(*settle_once)(const struct settle_config *, int version,
		    const char *payload, const char *requirements,
		    int64_t since, int fresh, struct settle_result *r);
	/* Until when (unix ms) settlement may be attempted; 0 = unknown,
	   one attempt only; INT64_MAX = no bound. */
	int64_t	(*settle_until_ms)(const char *payload);
};

/* The family of a network (CAIP-2 or v1 name); unknown names are EVM's. */
const struct x402_scheme *x402_scheme_for(const char *network);
/* The family of one of our offers. */
const struct x402_scheme *x402_scheme_of_offer(const struct x402_offer *);
/* The family of a requirements JSON object (its "network"). */
const struct x402_scheme *x402_scheme_of_requirements(const char *json);

/*
 * Decode a payment header (x402_payment_decode) and verify it with its
 * family (c->scheme set).  A malformed header gives a verdict with reason
 * invalid_payload / invalid_x402_version, c->scheme NULL, and returns 0;
 * -1 only on internal failure.  Free with x402_check_free, always.
 */
int	x402_scheme_verify_header(const char *hdr, int version,
	    const struct x402_offer *offers, size_t noffers, time_t now,
	    struct x402_check *c);
void	x402_check_free(struct x402_check *);

/*
 * The proof every family can fall back on: the facilitator's /verify at
 * fc, which simulates the transfer of this payment alone (no balance
 * comes back).  As x402_scheme.prove.
 */
int	x402_scheme_prove_facilitator(const struct facilitator_config *fc,
	    int version, const char *payload, const char *requirements,
	    struct x402_proof *);

#endif
