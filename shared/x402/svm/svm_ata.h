/*
 * Program-derived addresses and the associated token account (ATA) of an
 * owner for a mint under SPL Token or Token-2022 (Solana docs "Program
 * Derived Addresses"; spl-associated-token-account).  The address is
 * sha256(seeds ‖ bump ‖ program ‖ "ProgramDerivedAddress") for the highest
 * bump (255 down to 0) whose hash is NOT an ed25519 point; the curve test
 * is libsodium's.  Checked against @solana/kit's findAssociatedTokenPda.
 */
#ifndef SF_SVM_ATA_H
#define SF_SVM_ATA_H

#include <stddef.h>
#include <stdint.h>

extern const uint8_t svm_token_program[32];	/* Tokenkeg... */
extern const uint8_t svm_token2022_program[32];	/* TokenzQd... */
extern const uint8_t svm_ata_program[32];	/* ATokenGP... */
extern const uint8_t svm_compute_budget_program[32];
extern const uint8_t svm_memo_program[32];	/* MemoSq4g... */
extern const uint8_t svm_lighthouse_program[32]; /* L2TExMFK... */

/* 1 if the 32 bytes decode to a point of edwards25519, else 0. */
int	svm_on_curve(const uint8_t p[32]);
/*
 * findProgramAddress(seeds, program): nseeds seeds of at most 32 bytes.
 * 0 with out and *bump set; -1 if no bump works or a seed is too long.
 */
int	svm_find_pda(const uint8_t *const *seeds, const size_t *seedlen,
	    size_t nseeds, const uint8_t program[32], uint8_t out[32],
	    uint8_t *bump);
/* ATA of owner for mint under token_program.  0 or -1. */
int	svm_ata(const uint8_t owner[32], const uint8_t mint[32],
	    const uint8_t token_program[32], uint8_t out[32]);

#endif
