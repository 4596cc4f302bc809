#include <stdio.h>
#include <string.h>

#include "basics/hex.h"
#include "basics/keccak.h"
#include "x402/evm/eip191.h"
#include "x402/evm/x402_verify.h"

void
eip191_hash(const void *msg, size_t len, uint8_t digest[32])
{
	struct keccak256_ctx	 k;
	char			 n[24];

	snprintf(n, sizeof(n), "%zu", len);
	keccak256_init(&k);
	keccak256_update(&k, EIP191_PREFIX, sizeof(EIP191_PREFIX) - 1);
	keccak256_update(&k, n, strlen(n));
	keccak256_update(&k, msg, len);
	keccak256_final(&k, digest);
}

int
eip191_recover(const void *msg, size_t len, const uint8_t *sig,
    size_t siglen, uint8_t addr[HEX_ADDR_LEN])
{
	uint8_t	 digest[32];

	if (siglen != 65)
		return -1;
	eip191_hash(msg, len, digest);
	return x402_verify_recover(digest, sig, 0, addr);
}
