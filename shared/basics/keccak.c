#include <endian.h>
#include <stdint.h>
#include <string.h>

#include <nettle/sha3.h>

#include "basics/keccak.h"

/* Lanes are little-endian 64-bit words (FIPS 202 §B.1). */
static void
keccak256_absorb(struct sha3_state *st, const uint8_t *block)
{
	size_t	 i;
	uint64_t w;

	for (i = 0; i < KECCAK256_RATE / 8; i++) {
		memcpy(&w, block + 8 * i, 8);
		st->a[i] ^= le64toh(w);
	}
	sha3_permute(st);
}

/* The first 32 bytes of the state, the digest. */
static void
keccak256_squeeze(const struct sha3_state *st, uint8_t out[KECCAK256_DIGEST])
{
	size_t	 i;
	uint64_t w;

	for (i = 0; i < KECCAK256_DIGEST / 8; i++) {
		w = htole64(st->a[i]);
		memcpy(out + 8 * i, &w, 8);
	}
}

/* pad10*1 with Keccak's domain byte 0x01 (SHA3 would use 0x06). */
static void
keccak256_pad(uint8_t block[KECCAK256_RATE], size_t index)
{

	memset(block + index, 0, KECCAK256_RATE - index);
	block[index] ^= 0x01;
	block[KECCAK256_RATE - 1] ^= 0x80;
}

void
keccak256_init(struct keccak256_ctx *ctx)
{

	memset(ctx, 0, sizeof(*ctx));
}

void
keccak256_update(struct keccak256_ctx *ctx, const void *data, size_t len)
{
	const uint8_t	*p = data;
	size_t		 n;

	if (ctx->index > 0) {
		n = KECCAK256_RATE - ctx->index;
		if (n > len)
			n = len;
		memcpy(ctx->block + ctx->index, p, n);
		ctx->index += n;
		p += n;
		len -= n;
		if (ctx->index < KECCAK256_RATE)
			return;
		keccak256_absorb(&ctx->state, ctx->block);
		ctx->index = 0;
	}
	for (; len >= KECCAK256_RATE; p += KECCAK256_RATE,
	    len -= KECCAK256_RATE)
		keccak256_absorb(&ctx->state, p);
	if (len > 0) {
		memcpy(ctx->block, p, len);
		ctx->index = len;
	}
}

void
keccak256_final(struct keccak256_ctx *ctx, uint8_t out[KECCAK256_DIGEST])
{

	keccak256_pad(ctx->block, ctx->index);
	keccak256_absorb(&ctx->state, ctx->block);
	keccak256_squeeze(&ctx->state, out);
	keccak256_init(ctx);
}

/* No context to set up and clear again: most inputs are one block. */
void
keccak256(const void *data, size_t len, uint8_t out[KECCAK256_DIGEST])
{
	struct sha3_state	 st;
	uint8_t			 block[KECCAK256_RATE];
	const uint8_t		*p = data;

	memset(&st, 0, sizeof(st));
	for (; len >= KECCAK256_RATE; p += KECCAK256_RATE,
	    len -= KECCAK256_RATE)
		keccak256_absorb(&st, p);
	memcpy(block, p, len);
	keccak256_pad(block, len);
	keccak256_absorb(&st, block);
	keccak256_squeeze(&st, out);
}
