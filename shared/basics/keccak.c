#include <stdint.h>
#include <string.h>

#include <nettle/sha3.h>

#include "basics/keccak.h"

/* Lanes are little-endian 64-bit words (FIPS 202 §B.1). */
static void
keccak256_absorb(struct sha3_state *st, const uint8_t *block)
{
	size_t	 i, j;
	uint64_t w;

	for (i = 0; i < KECCAK256_RATE / 8; i++) {
		w = 0;
		for (j = 0; j < 8; j++)
			w |= (uint64_t)block[8 * i + j] << (8 * j);
		st->a[i] ^= w;
	}
	sha3_permute(st);
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
	size_t	 i;

	/* pad10*1 with Keccak's domain byte 0x01 (SHA3 would use 0x06). */
	memset(ctx->block + ctx->index, 0, KECCAK256_RATE - ctx->index);
	ctx->block[ctx->index] ^= 0x01;
	ctx->block[KECCAK256_RATE - 1] ^= 0x80;
	keccak256_absorb(&ctx->state, ctx->block);
	for (i = 0; i < KECCAK256_DIGEST; i++)
		out[i] = (uint8_t)(ctx->state.a[i / 8] >> (8 * (i % 8)));
	keccak256_init(ctx);
}

void
keccak256(const void *data, size_t len, uint8_t out[KECCAK256_DIGEST])
{
	struct keccak256_ctx	 ctx;

	keccak256_init(&ctx);
	keccak256_update(&ctx, data, len);
	keccak256_final(&ctx, out);
}
