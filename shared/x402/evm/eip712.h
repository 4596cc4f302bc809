/*
 * EIP-712 hashing for EIP-3009 TransferWithAuthorization, the message an
 * x402 "exact" EVM payment signs (reference x402.md §5).
 */
#ifndef SF_EIP712_H
#define SF_EIP712_H

#include <stddef.h>
#include <stdint.h>

#define EIP712_DOMAIN_TYPE \
	"EIP712Domain(string name,string version,uint256 chainId," \
	"address verifyingContract)"
#define EIP712_TWA_TYPE \
	"TransferWithAuthorization(address from,address to,uint256 value," \
	"uint256 validAfter,uint256 validBefore,bytes32 nonce)"

/* keccak256 of the two type strings above (checked in test_eip712). */
extern const uint8_t	eip712_domain_typehash[32];
extern const uint8_t	eip712_twa_typehash[32];

struct eip712_domain {
	const char	*name;		/* extra.name, UTF-8 */
	size_t		 name_len;
	const char	*version;	/* extra.version */
	size_t		 version_len;
	uint64_t	 chain_id;
	uint8_t		 contract[20];	/* verifyingContract = asset */
};

struct eip712_twa {
	uint8_t		 from[20];
	uint8_t		 to[20];
	uint8_t		 value[32];	/* uint256 words, big-endian */
	uint8_t		 valid_after[32];
	uint8_t		 valid_before[32];
	uint8_t		 nonce[32];
};

void	eip712_domain_separator(const struct eip712_domain *, uint8_t out[32]);
void	eip712_twa_hash(const struct eip712_twa *, uint8_t out[32]);
/* keccak256(0x19 0x01 ‖ domainSeparator ‖ structHash) */
void	eip712_digest(const uint8_t dsep[32], const uint8_t shash[32],
	    uint8_t out[32]);
/* All three in one. */
void	eip712_twa_digest(const struct eip712_domain *,
	    const struct eip712_twa *, uint8_t out[32]);

#endif
