#include <stdint.h>
#include <string.h>

#include "basics/b58.h"

static const char b58_alpha[] =
    "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";

/* Schoolbook base conversion: inputs are at most 64 bytes / 88 digits. */
int
b58_encode(const uint8_t *src, size_t len, char *out, size_t outsz)
{
	uint8_t	 dig[96];		/* base-58 digits, least significant first */
	size_t	 ndig = 0, zeros = 0, i, j, n;
	unsigned carry;

	if (len > 64)
		return -1;
	while (zeros < len && src[zeros] == 0)
		zeros++;
	for (i = zeros; i < len; i++) {
		carry = src[i];
		for (j = 0; j < ndig; j++) {
			carry += (unsigned)dig[j] << 8;
			dig[j] = carry % 58;
			carry /= 58;
		}
		while (carry > 0) {
			dig[ndig++] = carry % 58;
			carry /= 58;
		}
	}
	n = zeros + ndig;
	if (n + 1 > outsz)
		return -1;
	for (i = 0; i < zeros; i++)
		out[i] = '1';
	for (j = 0; j < ndig; j++)
		out[zeros + j] = b58_alpha[dig[ndig - 1 - j]];
	out[n] = '\0';
	return (int)n;
}

static int
b58_val(char c)
{
	const char	*p;

	if (c == '\0' || (p = strchr(b58_alpha, c)) == NULL)
		return -1;
	return (int)(p - b58_alpha);
}

int
b58_decode_fixed(const char *s, uint8_t *out, size_t len)
{
	uint8_t	 b[64];		/* big-endian bytes of the value, right-aligned */
	size_t	 slen, zeros = 0, i, j, used = 0;
	unsigned carry;
	int	 v;

	if (s == NULL || len == 0 || len > 64)
		return -1;
	slen = strlen(s);
	if (slen == 0 || slen > 2 * len)	/* 58^(2n) > 256^n */
		return -1;
	while (zeros < slen && s[zeros] == '1')
		zeros++;
	memset(b, 0, sizeof(b));
	for (i = zeros; i < slen; i++) {
		if ((v = b58_val(s[i])) < 0)
			return -1;
		carry = (unsigned)v;
		for (j = 0; j < used; j++) {
			carry += (unsigned)b[63 - j] * 58;
			b[63 - j] = carry & 0xff;
			carry >>= 8;
		}
		while (carry > 0) {
			if (used == 64)
				return -1;
			b[63 - used++] = carry & 0xff;
			carry >>= 8;
		}
	}
	/* The leading '1's are the leading zero bytes, no more, no fewer. */
	if (zeros + used != len)
		return -1;
	memset(out, 0, zeros);
	memcpy(out + zeros, b + 64 - used, used);
	return 0;
}

int
b58_is_address(const char *s)
{
	uint8_t	 a[32];

	return b58_decode_fixed(s, a, sizeof(a)) == 0;
}
