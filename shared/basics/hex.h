/*
 * Strict 0x-hex for EVM values: fixed-length fields (addresses, nonces,
 * hashes), variable-length byte strings (signatures), lower-case encoding,
 * EIP-55 checksummed addresses for display.
 */
#ifndef SF_HEX_H
#define SF_HEX_H

#include <stddef.h>
#include <stdint.h>

#define HEX_ADDR_LEN	20
#define HEX_ADDR_STRLEN	43	/* "0x" + 40 digits + NUL */

/*
 * Parse "0x" followed by exactly 2*n hex digits (either case) into out.
 * No "0X", no whitespace, no sign.  0 on success, -1 otherwise.
 */
int	hex_decode_fixed(const char *, uint8_t *out, size_t n);
/*
 * Parse "0x" followed by a non-zero even number of hex digits, at most
 * 2*max.  *lenp gets the byte count.  0 or -1.
 */
int	hex_decode(const char *, uint8_t *out, size_t max, size_t *lenp);
/*
 * Check that s is "0x" + a non-zero even number of hex digits, at most
 * 2*max, without decoding; *lenp gets the byte count.  0 or -1.
 */
int	hex_check(const char *, size_t max, size_t *lenp);
/* Write "0x" + 2*n lower-case digits + NUL; out holds 2*n+3 bytes. */
void	hex_encode(const uint8_t *, size_t n, char *out);
/* Write the EIP-55 mixed-case form of a 20-byte address. */
void	hex_eip55(const uint8_t addr[HEX_ADDR_LEN], char out[HEX_ADDR_STRLEN]);
/* 1 if both are valid 0x addresses naming the same 20 bytes, else 0. */
int	hex_addr_eq(const char *, const char *);

#endif
