/*
 * An x402 SVM "exact" payment against the offers WE made: match the
 * client's accepted copy (v2: scheme, network, amount, asset, payTo,
 * maxTimeoutSeconds, extra.feePayer; v1: scheme and network) to one of our
 * Solana offers, then check the transaction (svm_verify.h) against it.
 * The verdict is the EVM verifier's struct, so the flow handles both the
 * same way; the Solana specifics come back in *tx.  A transaction that
 * does not decode is "invalid_payload" (the decoder's reason in message).
 */
#ifndef SF_SVM_X402_H
#define SF_SVM_X402_H

#include <stddef.h>

#include "x402/x402_offer.h"
#include "x402/evm/x402_verify.h"
#include "x402/svm/svm_verify.h"
#include "x402/x402_payment.h"

/* 0 with v and tx filled (valid or not); never fails otherwise. */
int	svm_x402_verify(const struct x402_payment *,
	    const struct x402_offer *offers, size_t noffers,
	    struct x402_verdict *v, struct svm_verdict *tx);

#endif
