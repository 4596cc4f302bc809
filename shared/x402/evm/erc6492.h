/*
 * ERC-6492 ("Signature Validation for Predeploy Contracts",
 * eips.ethereum.org/EIPS/eip-6492): a contract wallet that is not deployed
 * yet signs
 *
 *	abi.encode(address factory, bytes factoryCalldata, bytes innerSig)
 *	‖ 0x6492649264926492649264926492649264926492649264926492649264926492
 *
 * so a verifier can run factory.call(factoryCalldata) first and then ask the
 * wallet (ERC-1271 isValidSignature) about innerSig.  And the deployless
 * "universal validator" of the ERC's reference implementation, as viem
 * ships it (erc6492SignatureValidatorByteCode, viem 2.57.20): an eth_call
 * without `to` whose data is its creation code followed by
 * abi.encode(address signer, bytes32 hash, bytes signature); the
 * constructor returns one byte, 0x01 valid or 0x00 not, and covers EOAs,
 * deployed ERC-1271 wallets and wrapped counterfactual ones alike.
 * Pure computation, no I/O.
 */
#ifndef SF_ERC6492_H
#define SF_ERC6492_H

#include <stddef.h>
#include <stdint.h>

struct buf;

#define ERC6492_MAGIC_LEN	32
/* Creation code of the universal validator, bytes. */
#define ERC6492_VALIDATOR_LEN	1709

extern const uint8_t	erc6492_magic[ERC6492_MAGIC_LEN];
/* viem's erc6492SignatureValidatorByteCode, "0x" + hex (test_erc6492
   checks it against the lab's capture of viem's constant). */
extern const char	erc6492_validator_hex[];

/* A parsed wrapper; the pointers point into the parsed signature. */
struct erc6492_sig {
	uint8_t		 factory[20];
	const uint8_t	*factory_calldata;
	size_t		 factory_calldata_len;
	const uint8_t	*inner;		/* the signature the wallet checks */
	size_t		 inner_len;
};

/* 1 if sig ends in the 32-byte magic suffix, else 0. */
int	erc6492_has_magic(const uint8_t *sig, size_t len);
/*
 * Parse sig[0..len).  Returns 0 when it has no magic suffix (not a
 * wrapper; out untouched), 1 when it is a wrapper (out filled), -1 when
 * it ends in the magic but the rest is not the canonical encoding of
 * (address, bytes, bytes): the address word's first 12 bytes zero, the
 * offsets exactly 0x60 and right after the first `bytes`, lengths inside
 * the input, zero padding, nothing left over.  why (may be NULL) then
 * gets what is wrong.  Stricter than Solidity's abi.decode, on purpose:
 * what we accept every decoder reads the same way (clients encode with
 * viem, ethers or abi.encode, which write exactly this form).
 */
int	erc6492_parse(const uint8_t *sig, size_t len, struct erc6492_sig *out,
	    char *why, size_t whylen);
/* Append the wrapper of (factory, calldata, inner) to out.  0 or -1 (oom). */
int	erc6492_wrap(const uint8_t factory[20], const uint8_t *calldata,
	    size_t calldata_len, const uint8_t *inner, size_t inner_len,
	    struct buf *out);
/*
 * The validator's eth_call data: creation code ‖ abi.encode(signer, hash,
 * signature), appended to out.  signature is passed whole (wrapped or
 * not).  0 or -1 (oom).
 */
int	erc6492_validator_calldata(const uint8_t signer[20],
	    const uint8_t hash[32], const uint8_t *sig, size_t sig_len,
	    struct buf *out);
/* The validator's answer ("0x01" / "0x00", as eth_call returns it): 1
   valid, 0 not, -1 anything else (not the validator's answer). */
int	erc6492_validator_result(const char *hex);

#endif
