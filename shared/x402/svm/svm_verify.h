/*
 * Local verification of an x402 SVM "exact" payment transaction against
 * the offer WE made (x402 specs/schemes/exact/scheme_exact_svm.md, as
 * @x402/svm 2.27.0's facilitator applies it on its static path), plus two
 * checks of ours that the facilitator leaves to simulation: the transfer's
 * decimals and its source (the ATA of the signing owner).  Pure, no I/O,
 * thread-safe; ed25519 and SHA-256 are libsodium's.
 *
 * Order: decode; fee payer = key 0 = ours; every other signer's ed25519
 * signature over the message valid; 3..7 instructions; [0] SetComputeUnit-
 * Limit; [1] SetComputeUnitPrice <= SVM_MAX_CU_PRICE µlamports; [2]
 * TransferChecked of SPL Token or Token-2022 (exactly 10 data bytes, 4
 * accounts), authority not the fee payer, mint ours, destination =
 * ATA(payTo), amount = price, decimals ours, source = ATA(authority);
 * [3..6] Memo or Lighthouse only; the fee payer in no instruction.
 */
#ifndef SF_SVM_VERIFY_H
#define SF_SVM_VERIFY_H

#include <stddef.h>
#include <stdint.h>

#include "basics/b58.h"

#define SVM_MAX_CU_PRICE	5000000ULL	/* @x402/svm's cap, µlamports */

/* invalidReason strings, verbatim from @x402/svm where it has one. */
#define SVM_R_DECODE	"invalid_exact_svm_payload_transaction_could_not_be_decoded"
#define SVM_R_FEE_PAYER	"invalid_exact_svm_fee_payer_mismatch"
#define SVM_R_SIGNATURE	"invalid_exact_svm_payload_signature_invalid"
#define SVM_R_IX_LEN	"invalid_exact_svm_payload_transaction_instructions_length"
#define SVM_R_CU_LIMIT	"invalid_exact_svm_payload_transaction_instructions_compute_limit_instruction"
#define SVM_R_CU_PRICE	"invalid_exact_svm_payload_transaction_instructions_compute_price_instruction"
#define SVM_R_CU_PRICE_HIGH "invalid_exact_svm_payload_transaction_instructions_compute_price_instruction_too_high"
#define SVM_R_NO_TRANSFER "invalid_exact_svm_payload_no_transfer_instruction"
#define SVM_R_FEE_PAYER_FUNDS "invalid_exact_svm_payload_transaction_fee_payer_transferring_funds"
#define SVM_R_MINT	"invalid_exact_svm_payload_mint_mismatch"
#define SVM_R_RECIPIENT	"invalid_exact_svm_payload_recipient_mismatch"
#define SVM_R_AMOUNT	"invalid_exact_svm_payload_amount_mismatch"
#define SVM_R_UNKNOWN_IX "invalid_exact_svm_payload_unknown_optional_instruction"
/* Ours (the facilitator leaves these to simulation). */
#define SVM_R_DECIMALS	"invalid_exact_svm_payload_decimals_mismatch"
#define SVM_R_SOURCE	"invalid_exact_svm_payload_source_mismatch"
#define SVM_R_FEE_PAYER_IX "invalid_exact_svm_payload_fee_payer_in_instruction"

/* What we expect, in bytes (decoded once from the offer). */
struct svm_expect {
	uint8_t		 fee_payer[32];
	uint8_t		 mint[32];
	uint8_t		 pay_to[32];
	uint64_t	 amount;	/* atomic units */
	uint8_t		 decimals;
};

struct svm_verdict {
	int		 valid;
	const char	*reason;	/* SVM_R_*; NULL if valid */
	char		 message[200];
	char		 payer[B58_ADDR_STRLEN];	/* transfer authority */
	char		 payer_sig[B58_SIG_STRLEN];	/* its signature: ledger key */
	uint8_t		 blockhash[32];
	int		 token2022;
	char		 source[B58_ADDR_STRLEN];	/* the token account
							   debited (ATA of
							   payer), "" until
							   checked */
};

/*
 * Check the wire transaction tx (len bytes).  Returns 0 with the verdict
 * filled (valid or not); never fails otherwise.
 */
int	svm_verify_tx(const uint8_t *tx, size_t len, const struct svm_expect *,
	    struct svm_verdict *);

#endif
