/*
 * Unsigned 256-bit integers as 32 big-endian bytes (the EVM word layout),
 * converted from and to the decimal strings x402 puts on the wire, and
 * the little arithmetic money needs (sums of amounts, compared with a
 * balance): the one bignum of the tree.
 */
#ifndef SF_U256_H
#define SF_U256_H

#include <stddef.h>
#include <stdint.h>

#define U256_LEN	32
#define U256_DEC_MAX	78	/* digits of 2^256 - 1 */
#define U256_DEC_SIZE	(U256_DEC_MAX + 1)

/*
 * Strict decimal: [0-9]+, no sign, no fraction or exponent, no leading
 * zeros except "0" itself, at most 78 digits, value < 2^256.  0 or -1.
 */
int	u256_from_dec(const char *, uint8_t out[U256_LEN]);
/* Write the decimal form; out holds at least U256_DEC_SIZE bytes. */
void	u256_to_dec(const uint8_t in[U256_LEN], char out[U256_DEC_SIZE]);
void	u256_from_u64(uint64_t, uint8_t out[U256_LEN]);
/* 0 if the value fits in 64 bits, -1 otherwise. */
int	u256_to_u64(const uint8_t in[U256_LEN], uint64_t *);
/* <0, 0, >0 like memcmp (big-endian makes that exact). */
int	u256_cmp(const uint8_t a[U256_LEN], const uint8_t b[U256_LEN]);
/*
 * out = a + b.  0, or -1 when the sum is 2^256 or more (out then holds
 * the sum modulo 2^256).  out may be a or b.
 */
int	u256_add(const uint8_t a[U256_LEN], const uint8_t b[U256_LEN],
	    uint8_t out[U256_LEN]);
/*
 * Decimal strings (u256_from_dec's grammar): acc = acc + b, written back
 * as decimal (acc holds U256_DEC_SIZE bytes).  0, or -1 when either is
 * not a strict decimal or the sum overflows (acc unchanged).
 */
int	u256_add_dec(char acc[U256_DEC_SIZE], const char *b);

#endif
