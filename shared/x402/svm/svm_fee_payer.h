/*
 * extra.feePayer of a Solana offer: the facilitator's signer, named in its
 * GET /supported (kinds[] with x402Version 2, scheme "exact" and our
 * network).  Cached per (facilitator URL, network) for the whole process:
 * an answer for SVM_FEE_PAYER_TTL seconds, a failure for
 * SVM_FEE_PAYER_RETRY seconds (so a facilitator that is down is neither
 * asked on every 402 nor forgotten).  Thread-safe.
 */
#ifndef SF_SVM_FEE_PAYER_H
#define SF_SVM_FEE_PAYER_H

#include <stddef.h>
#include <time.h>

#include "basics/b58.h"

struct facilitator_config;

#define SVM_FEE_PAYER_TTL	300
#define SVM_FEE_PAYER_RETRY	30

/*
 * Fill out (base58) for network (CAIP-2) at facilitator fc.  0 on success;
 * -1 with why (a sentence for the log) when the facilitator cannot be
 * asked, does not support the network, or names no valid fee payer.
 * fresh = 1 when this call asked the facilitator (so the caller logs once).
 */
int	svm_fee_payer(const struct facilitator_config *fc, const char *network,
	    time_t now, char out[B58_ADDR_STRLEN], char *why, size_t whysz,
	    int *fresh);
/* Find the fee payer of network in a /supported reply.  0 or -1 (why). */
int	svm_fee_payer_parse(const char *json, const char *network,
	    char out[B58_ADDR_STRLEN], char *why, size_t whysz);
/* Forget every cached answer (tests). */
void	svm_fee_payer_flush(void);

#endif
