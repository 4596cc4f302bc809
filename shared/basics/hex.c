#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "basics/hex.h"
#include "basics/keccak.h"

/* 1 + the value of each hex digit, either case; 0: no digit. */
static const unsigned char hex_val[256] = {
	['0'] = 1, ['1'] = 2, ['2'] = 3, ['3'] = 4, ['4'] = 5, ['5'] = 6,
	['6'] = 7, ['7'] = 8, ['8'] = 9, ['9'] = 10,
	['a'] = 11, ['b'] = 12, ['c'] = 13, ['d'] = 14, ['e'] = 15, ['f'] = 16,
	['A'] = 11, ['B'] = 12, ['C'] = 13, ['D'] = 14, ['E'] = 15, ['F'] = 16
};

/* Not a digit: 0 - 1 wraps around, above 15 (one test per byte pair). */
static int
hex_digits(const char *s, size_t ndig, uint8_t *out)
{
	const unsigned char	*u = (const unsigned char *)s;
	size_t			 i;
	unsigned		 hi, lo;

	for (i = 0; i < ndig / 2; i++) {
		hi = hex_val[u[2 * i]] - 1u;
		lo = hex_val[u[2 * i + 1]] - 1u;
		if ((hi | lo) > 15)
			return -1;
		out[i] = (uint8_t)(hi << 4 | lo);
	}
	return 0;
}

int
hex_decode_fixed(const char *s, uint8_t *out, size_t n)
{

	if (s == NULL || s[0] != '0' || s[1] != 'x')
		return -1;
	s += 2;
	/* strnlen guards against reading far past a short string. */
	if (strnlen(s, 2 * n + 1) != 2 * n)
		return -1;
	return hex_digits(s, 2 * n, out);
}

int
hex_decode(const char *s, uint8_t *out, size_t max, size_t *lenp)
{
	size_t	 len;

	if (s == NULL || s[0] != '0' || s[1] != 'x')
		return -1;
	s += 2;
	len = strnlen(s, 2 * max + 1);
	if (len == 0 || len % 2 != 0 || len > 2 * max)
		return -1;
	if (hex_digits(s, len, out) == -1)
		return -1;
	*lenp = len / 2;
	return 0;
}

int
hex_check(const char *s, size_t max, size_t *lenp)
{
	size_t	 len, i;

	if (s == NULL || s[0] != '0' || s[1] != 'x')
		return -1;
	s += 2;
	len = strnlen(s, 2 * max + 1);
	if (len == 0 || len % 2 != 0 || len > 2 * max)
		return -1;
	for (i = 0; i < len; i++)
		if (hex_val[(unsigned char)s[i]] == 0)
			return -1;
	*lenp = len / 2;
	return 0;
}

void
hex_encode(const uint8_t *in, size_t n, char *out)
{
	static const char	 digits[] = "0123456789abcdef";
	size_t			 i;

	*out++ = '0';
	*out++ = 'x';
	for (i = 0; i < n; i++) {
		*out++ = digits[in[i] >> 4];
		*out++ = digits[in[i] & 0xf];
	}
	*out = '\0';
}

void
hex_eip55(const uint8_t addr[HEX_ADDR_LEN], char out[HEX_ADDR_STRLEN])
{
	uint8_t	 h[KECCAK256_DIGEST];
	size_t	 i;
	char	*d = out + 2;

	/* EIP-55 hashes the lower-case hex digits without "0x". */
	hex_encode(addr, HEX_ADDR_LEN, out);
	keccak256(d, 2 * HEX_ADDR_LEN, h);
	/*
	 * A letter goes upper case where its nibble of the hash is 8 or
	 * more (the nibble's top bit).  Without branches: the hash's bits
	 * are random, and a mispredicted branch per digit cost more than
	 * the digits.
	 */
	for (i = 0; i < HEX_ADDR_LEN; i++) {
		d[2 * i] -= (char)((((h[i] >> 7) & 1) &
		    (d[2 * i] >= 'a')) << 5);
		d[2 * i + 1] -= (char)((((h[i] >> 3) & 1) &
		    (d[2 * i + 1] >= 'a')) << 5);
	}
}

int
hex_addr_eq(const char *a, const char *b)
{
	uint8_t	 x[HEX_ADDR_LEN], y[HEX_ADDR_LEN];

	if (hex_decode_fixed(a, x, sizeof(x)) == -1 ||
	    hex_decode_fixed(b, y, sizeof(y)) == -1)
		return 0;
	return memcmp(x, y, sizeof(x)) == 0;
}
