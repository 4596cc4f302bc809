#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "basics/hex.h"
#include "basics/keccak.h"

static int
hex_nibble(char c)
{

	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static int
hex_digits(const char *s, size_t ndig, uint8_t *out)
{
	size_t	 i;
	int	 hi, lo;

	for (i = 0; i < ndig / 2; i++) {
		if ((hi = hex_nibble(s[2 * i])) < 0 ||
		    (lo = hex_nibble(s[2 * i + 1])) < 0)
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
		if (hex_nibble(s[i]) < 0)
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
	int	 nib;

	/* EIP-55 hashes the lower-case hex digits without "0x". */
	hex_encode(addr, HEX_ADDR_LEN, out);
	keccak256(out + 2, 2 * HEX_ADDR_LEN, h);
	for (i = 0; i < 2 * HEX_ADDR_LEN; i++) {
		nib = (i % 2 == 0) ? h[i / 2] >> 4 : h[i / 2] & 0xf;
		if (nib >= 8 && out[2 + i] >= 'a')
			out[2 + i] -= 'a' - 'A';
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
