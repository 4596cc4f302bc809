/*
 * EIP-191 version 0x45, "personal_sign": the hash an Ethereum wallet signs
 * for a text message, keccak256("\x19Ethereum Signed Message:\n" + the
 * decimal byte length + the bytes), and the externally owned account
 * (EOA) that signed it, recovered as viem's recoverMessageAddress() does.
 * Pure, thread-safe (libsecp256k1 through x402_verify_recover()).
 */
#ifndef SF_EIP191_H
#define SF_EIP191_H

#include <stddef.h>
#include <stdint.h>

#include "basics/hex.h"

#define EIP191_PREFIX	"\x19" "Ethereum Signed Message:\n"

/* The 32-byte personal_sign digest of msg[0..len). */
void	eip191_hash(const void *msg, size_t len, uint8_t digest[32]);
/*
 * Recover the EOA that signed msg[0..len): sig is r ‖ s ‖ v, exactly 65
 * bytes, v 27/28 or 0/1, s above n/2 accepted (viem accepts it too;
 * personal_sign has no EIP-2 rule).  0 with addr filled, or -1 when the
 * signature is not 65 bytes or recovers no key.
 */
int	eip191_recover(const void *msg, size_t len, const uint8_t *sig,
	    size_t siglen, uint8_t addr[HEX_ADDR_LEN]);

#endif
