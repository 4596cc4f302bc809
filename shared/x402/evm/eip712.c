#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "x402/evm/eip712.h"
#include "basics/keccak.h"
#include "basics/u256.h"

const uint8_t eip712_domain_typehash[32] = {
	0x8b, 0x73, 0xc3, 0xc6, 0x9b, 0xb8, 0xfe, 0x3d,
	0x51, 0x2e, 0xcc, 0x4c, 0xf7, 0x59, 0xcc, 0x79,
	0x23, 0x9f, 0x7b, 0x17, 0x9b, 0x0f, 0xfa, 0xca,
	0xa9, 0xa7, 0x5d, 0x52, 0x2b, 0x39, 0x40, 0x0f,
};

const uint8_t eip712_twa_typehash[32] = {
	0x7c, 0x7c, 0x6c, 0xdb, 0x67, 0xa1, 0x87, 0x43,
	0xf4, 0x9e, 0xc6, 0xfa, 0x9b, 0x35, 0xf5, 0x0d,
	0x52, 0xed, 0x05, 0xcb, 0xed, 0x4c, 0xc5, 0x92,
	0xe1, 0x3b, 0x44, 0x50, 0x1c, 0x1a, 0x22, 0x67,
};

/* An address as an ABI word: 12 zero bytes, then the 20 bytes. */
static void
eip712_put_addr(uint8_t word[32], const uint8_t addr[20])
{

	memset(word, 0, 12);
	memcpy(word + 12, addr, 20);
}

void
eip712_domain_separator(const struct eip712_domain *d, uint8_t out[32])
{
	uint8_t	 enc[5 * 32];

	memcpy(enc, eip712_domain_typehash, 32);
	keccak256(d->name, d->name_len, enc + 32);
	keccak256(d->version, d->version_len, enc + 64);
	u256_from_u64(d->chain_id, enc + 96);
	eip712_put_addr(enc + 128, d->contract);
	keccak256(enc, sizeof(enc), out);
}

void
eip712_twa_hash(const struct eip712_twa *m, uint8_t out[32])
{
	uint8_t	 enc[7 * 32];

	memcpy(enc, eip712_twa_typehash, 32);
	eip712_put_addr(enc + 32, m->from);
	eip712_put_addr(enc + 64, m->to);
	memcpy(enc + 96, m->value, 32);
	memcpy(enc + 128, m->valid_after, 32);
	memcpy(enc + 160, m->valid_before, 32);
	memcpy(enc + 192, m->nonce, 32);
	keccak256(enc, sizeof(enc), out);
}

void
eip712_digest(const uint8_t dsep[32], const uint8_t shash[32], uint8_t out[32])
{
	uint8_t	 enc[2 + 64];

	enc[0] = 0x19;
	enc[1] = 0x01;
	memcpy(enc + 2, dsep, 32);
	memcpy(enc + 34, shash, 32);
	keccak256(enc, sizeof(enc), out);
}

void
eip712_twa_digest(const struct eip712_domain *d, const struct eip712_twa *m,
    uint8_t out[32])
{
	uint8_t	 dsep[32], shash[32];

	eip712_domain_separator(d, dsep);
	eip712_twa_hash(m, shash);
	eip712_digest(dsep, shash, out);
}
