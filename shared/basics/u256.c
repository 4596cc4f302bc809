#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "basics/u256.h"

int
u256_from_dec(const char *s, uint8_t out[U256_LEN])
{
	uint32_t	 limb[8];	/* little-endian 32-bit limbs */
	uint64_t	 acc;
	uint32_t	 chunk, mul;
	size_t		 len, i, k;
	int		 j;

	if (s == NULL)
		return -1;
	len = strnlen(s, U256_DEC_MAX + 1);
	if (len == 0 || len > U256_DEC_MAX || (s[0] == '0' && len > 1))
		return -1;
	/* Most amounts and times fit 64 bits: 19 digits at most. */
	if (len <= 19) {
		for (i = 0, acc = 0; i < len; i++) {
			if (s[i] < '0' || s[i] > '9')
				return -1;
			acc = acc * 10 + (uint64_t)(s[i] - '0');
		}
		u256_from_u64(acc, out);
		return 0;
	}
	memset(limb, 0, sizeof(limb));
	/* Nine digits at a time: v = v * 10^k + chunk, in 32-bit limbs. */
	for (i = 0; i < len; i += k) {
		chunk = 0;
		mul = 1;
		for (k = 0; k < 9 && i + k < len; k++) {
			if (s[i + k] < '0' || s[i + k] > '9')
				return -1;
			chunk = chunk * 10 + (uint32_t)(s[i + k] - '0');
			mul *= 10;
		}
		acc = chunk;
		for (j = 0; j < 8; j++) {
			acc += (uint64_t)limb[j] * mul;
			limb[j] = (uint32_t)acc;
			acc >>= 32;
		}
		if (acc != 0)
			return -1;	/* >= 2^256 */
	}
	for (j = 0; j < 8; j++) {
		out[31 - 4 * j] = (uint8_t)limb[j];
		out[30 - 4 * j] = (uint8_t)(limb[j] >> 8);
		out[29 - 4 * j] = (uint8_t)(limb[j] >> 16);
		out[28 - 4 * j] = (uint8_t)(limb[j] >> 24);
	}
	return 0;
}

void
u256_to_dec(const uint8_t in[U256_LEN], char out[U256_DEC_SIZE])
{
	uint8_t		 v[U256_LEN];
	char		 tmp[U256_DEC_SIZE];
	size_t		 n = 0, i;
	unsigned	 rem;
	int		 k, zero;

	memcpy(v, in, sizeof(v));
	do {
		/* Long division by 10, most significant byte first. */
		rem = 0;
		zero = 1;
		for (k = 0; k < U256_LEN; k++) {
			rem = rem << 8 | v[k];
			v[k] = (uint8_t)(rem / 10);
			rem %= 10;
			if (v[k] != 0)
				zero = 0;
		}
		tmp[n++] = (char)('0' + rem);
	} while (!zero);
	for (i = 0; i < n; i++)
		out[i] = tmp[n - 1 - i];
	out[n] = '\0';
}

void
u256_from_u64(uint64_t x, uint8_t out[U256_LEN])
{
	int	 k;

	memset(out, 0, U256_LEN);
	for (k = U256_LEN - 1; k >= U256_LEN - 8; k--, x >>= 8)
		out[k] = (uint8_t)x;
}

int
u256_to_u64(const uint8_t in[U256_LEN], uint64_t *x)
{
	int	 k;

	for (k = 0; k < U256_LEN - 8; k++)
		if (in[k] != 0)
			return -1;
	*x = 0;
	for (; k < U256_LEN; k++)
		*x = *x << 8 | in[k];
	return 0;
}

int
u256_cmp(const uint8_t a[U256_LEN], const uint8_t b[U256_LEN])
{

	return memcmp(a, b, U256_LEN);
}

int
u256_add(const uint8_t a[U256_LEN], const uint8_t b[U256_LEN],
    uint8_t out[U256_LEN])
{
	unsigned	 carry = 0;
	int		 k;

	/* Least significant byte last (big-endian). */
	for (k = U256_LEN - 1; k >= 0; k--) {
		carry += (unsigned)a[k] + b[k];
		out[k] = (uint8_t)carry;
		carry >>= 8;
	}
	return carry ? -1 : 0;
}

int
u256_add_dec(char acc[U256_DEC_SIZE], const char *b)
{
	uint8_t	 x[U256_LEN], y[U256_LEN];

	if (u256_from_dec(acc, x) == -1 || u256_from_dec(b, y) == -1 ||
	    u256_add(x, y, x) == -1)
		return -1;
	u256_to_dec(x, acc);
	return 0;
}
