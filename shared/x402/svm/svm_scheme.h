/*
 * The Solana "exact" scheme family as an entry of the scheme table
 * (x402_scheme.h): a partially signed SPL TransferChecked that only a
 * facilitator can complete, as fee payer.  Local checks in svm/svm_x402.h
 * and svm/svm_verify.h; offers carry the facilitator's fee payer
 * (svm/svm_fee_payer.h); the proof before work is always the network's
 * facilitator's /verify (its simulation), and so is settlement
 * (FACILITATOR_URL_<NET>, else FACILITATOR_URL; never SETTLE=direct, no
 * EVM chain check).  The payer cannot choose the window: a blockhash
 * lives SVM_WINDOW seconds, so longer work is settled first.
 */
#ifndef SF_SVM_SCHEME_H
#define SF_SVM_SCHEME_H

#include "x402/x402_scheme.h"

/* Seconds a Solana payment can land: a blockhash lives ~150 slots (60-90 s). */
#define SVM_WINDOW	90

extern const struct x402_scheme svm_scheme;

#endif
