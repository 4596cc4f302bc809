/*
 * Keccak-256 as Ethereum uses it: the original Keccak padding (0x01),
 * not FIPS 202 SHA3-256 (0x06).  Built on nettle's Keccak-f[1600].
 */
#ifndef SF_KECCAK_H
#define SF_KECCAK_H

#include <stddef.h>
#include <stdint.h>

#include <nettle/sha3.h>

#define KECCAK256_RATE		136	/* bytes absorbed per permutation */
#define KECCAK256_DIGEST	32

struct keccak256_ctx {
	struct sha3_state	state;
	uint8_t			block[KECCAK256_RATE];
	size_t			index;		/* bytes pending in block */
};

void	keccak256_init(struct keccak256_ctx *);
void	keccak256_update(struct keccak256_ctx *, const void *, size_t);
/* Write the digest and leave the context re-initialised. */
void	keccak256_final(struct keccak256_ctx *, uint8_t out[KECCAK256_DIGEST]);
/* One-shot convenience. */
void	keccak256(const void *, size_t, uint8_t out[KECCAK256_DIGEST]);

#endif
