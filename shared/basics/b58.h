/*
 * Base58 with the Bitcoin alphabet, as Solana writes addresses (32 bytes)
 * and signatures (64 bytes).  Strict: decoding refuses characters outside
 * the alphabet and any length other than the one asked for; leading '1's
 * stand for leading zero bytes, exactly as @solana/kit's codec does.
 */
#ifndef SF_B58_H
#define SF_B58_H

#include <stddef.h>
#include <stdint.h>

#define B58_ADDR_STRLEN	45	/* 32 bytes: at most 44 characters + NUL */
#define B58_SIG_STRLEN	89	/* 64 bytes: at most 88 characters + NUL */

/*
 * Encode len (<= 64) bytes into out (outsz bytes, NUL-terminated).
 * Returns the string length, or -1 if out is too small or len too big.
 */
int	b58_encode(const uint8_t *src, size_t len, char *out, size_t outsz);
/* Decode s into exactly len (<= 64) bytes.  0, or -1 if malformed. */
int	b58_decode_fixed(const char *s, uint8_t *out, size_t len);
/* Is s the base58 form of a 32-byte address?  1 or 0. */
int	b58_is_address(const char *s);

#endif
