/*
 * One entry for local verification, whatever the scheme family: decode the
 * payment header, then hand it to the EVM verifier (evm/x402_verify.h) or
 * the Solana one (svm/svm_x402.h) by its network.  Pure, thread-safe.
 */
#ifndef SF_X402_SCHEME_H
#define SF_X402_SCHEME_H

#include <stddef.h>
#include <time.h>

#include "basics/x402_offer.h"
#include "x402/evm/x402_verify.h"
#include "x402/svm/svm_verify.h"
#include "x402/x402_payment.h"

/* Seconds a Solana payment can land: a blockhash lives ~150 slots (60-90 s). */
#define X402_SVM_WINDOW	90

/*
 * As x402_verify_header(): a malformed header gives a verdict with reason
 * invalid_payload / invalid_x402_version and returns 0; -1 only on internal
 * failure.  For a Solana payment (pay->svm) *svm holds the transaction's
 * verdict (payer, payer's signature).  *pay is always safe to free.
 */
int	x402_scheme_verify_header(const char *hdr, int version,
	    const struct x402_offer *offers, size_t noffers, time_t now,
	    struct x402_payment *pay, struct x402_verdict *v,
	    struct svm_verdict *svm);

#endif
