/*
 * u256: strict decimal parsing, printing, comparison and the sums money
 * needs (the ledger's exposure and revenue).  Addition is checked against
 * fixed vectors and, over random operands, against GMP's mpz_add (an
 * independent implementation, linked already through nettle's hogweed).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gmp.h>

#include "basics/hex.h"
#include "tap.h"
#include "basics/u256.h"

#define MAX256 "115792089237316195423570985008687907853269984665640564039457584007913129639935"
#define TWO256 "115792089237316195423570985008687907853269984665640564039457584007913129639936"

static void
test_parse(void)
{
	/* 19 digits and fewer take the 64-bit path, 20 and more the long one. */
	static const char *good[] = { "0", "1", "10000", "1234567890123456789",
	    "9999999999999999999", "10000000000000000000",
	    "18446744073709551615", "18446744073709551616", MAX256 };
	static const char *bad[] = { "", "-1", "+1", "01", "00", "1.0", "1e5",
	    "123456789012345678x", "0123456789012345678",
	    " 1", "1 ", "0x10", "1_000", "١", TWO256,
	    "999999999999999999999999999999999999999999999999999999999999999999999999999999",
	    "1000000000000000000000000000000000000000000000000000000000000000000000000000000" };
	uint8_t		 a[32];
	char		 dec[U256_DEC_SIZE];
	size_t		 i;

	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		TAP_OK(u256_from_dec(good[i], a) == 0, "accept \"%s\"", good[i]);
		u256_to_dec(a, dec);
		TAP_STREQ(dec, good[i], "round trip #%zu", i);
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		TAP_OK(u256_from_dec(bad[i], a) == -1, "reject \"%s\"", bad[i]);
	TAP_OK(u256_from_dec(NULL, a) == -1, "reject NULL");
}

static void
test_layout(void)
{
	uint8_t		 a[32];
	char		 hx[67];

	TAP_OK(u256_from_dec(MAX256, a) == 0, "2^256-1");
	hex_encode(a, 32, hx);
	TAP_STREQ(hx, "0xffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff",
	    "2^256-1 is all ones");
	TAP_OK(u256_from_dec("1740672154", a) == 0, "timestamp");
	hex_encode(a, 32, hx);
	TAP_STREQ(hx, "0x0000000000000000000000000000000000000000000000000000000067c08c9a",
	    "1740672154 big-endian");
}

static void
test_u64(void)
{
	uint8_t		 a[32];
	char		 dec[U256_DEC_SIZE];
	uint64_t	 x;

	u256_from_u64(UINT64_MAX, a);
	u256_to_dec(a, dec);
	TAP_STREQ(dec, "18446744073709551615", "from_u64(max)");
	TAP_OK(u256_to_u64(a, &x) == 0 && x == UINT64_MAX, "to_u64(max)");
	TAP_OK(u256_from_dec("18446744073709551616", a) == 0 &&
	    u256_to_u64(a, &x) == -1, "to_u64 overflow");
}

static void
test_cmp(void)
{
	uint8_t		 a[32], b[32];

	u256_from_dec("10000", a);
	u256_from_dec("10001", b);
	TAP_OK(u256_cmp(a, b) < 0 && u256_cmp(b, a) > 0 &&
	    u256_cmp(a, a) == 0, "compare");
	u256_from_dec("256", a);
	u256_from_dec("255", b);
	TAP_OK(u256_cmp(a, b) > 0, "compare across a byte boundary");
}

static void
test_add_vectors(void)
{
	static const struct {
		const char	*a, *b, *sum;	/* sum NULL: overflow */
	} v[] = {
		{ "0", "0", "0" },
		{ "10000", "250000", "260000" },
		{ "255", "1", "256" },		/* carry into the next byte */
		{ "18446744073709551615", "1", "18446744073709551616" },
		{ "99999999999999999999999999999999", "250000",
		  "100000000000000000000000000249999" },
		{ MAX256, "0", MAX256 },
		{ "57896044618658097711785492504343953926634992332820282019728792003956564819967",
		  "57896044618658097711785492504343953926634992332820282019728792003956564819968",
		  MAX256 },
		{ MAX256, "1", NULL },
		{ MAX256, MAX256, NULL },
	};
	uint8_t		 a[32], b[32], s[32];
	char		 dec[U256_DEC_SIZE];
	size_t		 i;
	int		 rc;

	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		u256_from_dec(v[i].a, a);
		u256_from_dec(v[i].b, b);
		rc = u256_add(a, b, s);
		u256_to_dec(s, dec);
		if (v[i].sum == NULL)
			TAP_OK(rc == -1, "%.12s... + %.12s... overflows",
			    v[i].a, v[i].b);
		else
			TAP_OK(rc == 0 && strcmp(dec, v[i].sum) == 0,
			    "%.20s + %.20s = %.24s", v[i].a, v[i].b, dec);
	}
	u256_from_dec("7", a);
	u256_from_dec("5", b);
	rc = u256_add(a, b, a);
	u256_to_dec(a, dec);
	TAP_OK(rc == 0 && strcmp(dec, "12") == 0, "out may be an operand: "
	    "7 + 5 = %s in place", dec);
}

static void
test_add_dec(void)
{
	char	 acc[U256_DEC_SIZE];

	snprintf(acc, sizeof(acc), "0");
	TAP_OK(u256_add_dec(acc, "10000") == 0 &&
	    u256_add_dec(acc, "10000") == 0 && strcmp(acc, "20000") == 0,
	    "decimal sum 0 + 10000 + 10000 = %s", acc);
	TAP_OK(u256_add_dec(acc, "0010") == -1 && strcmp(acc, "20000") == 0,
	    "a non-strict operand is refused, acc unchanged");
	TAP_OK(u256_add_dec(acc, "x") == -1 && u256_add_dec(acc, "") == -1,
	    "garbage and empty refused");
	snprintf(acc, sizeof(acc), "%s", MAX256);
	TAP_OK(u256_add_dec(acc, "1") == -1 && strcmp(acc, MAX256) == 0,
	    "overflow refused, acc unchanged");
	snprintf(acc, sizeof(acc), "1e3");
	TAP_OK(u256_add_dec(acc, "1") == -1, "a bad accumulator refused");
}

/* xorshift64*: reproducible operands of every width. */
static uint64_t
rnd(void)
{
	static uint64_t	 x = 0x9e3779b97f4a7c15ULL;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	return x * 2685821657736338717ULL;
}

static void
rnd_u256(uint8_t out[32])
{
	int	 k, top = rnd() % 2 ? 0 : (int)(rnd() % 33); /* leading 0s */

	for (k = 0; k < 32; k++)
		out[k] = k < top ? 0 : (uint8_t)rnd();
	/* A run of 0xff bytes at the low end makes a long carry. */
	if (rnd() % 5 == 0)
		for (k = 8 + (int)(rnd() % 24); k < 32; k++)
			out[k] = 0xff;
}

static void
test_add_gmp(void)
{
	enum { N = 20000 };
	uint8_t		 a[32], b[32], s[32];
	char		 da[U256_DEC_SIZE], db[U256_DEC_SIZE], ds[U256_DEC_SIZE];
	char		 want[U256_DEC_SIZE + 2];
	mpz_t		 x, y, z, lim;
	int		 i, bad = 0, overflows = 0, rc, over;

	mpz_inits(x, y, z, lim, NULL);
	mpz_ui_pow_ui(lim, 2, 256);
	for (i = 0; i < N; i++) {
		rnd_u256(a);
		rnd_u256(b);
		u256_to_dec(a, da);
		u256_to_dec(b, db);
		rc = u256_add(a, b, s);
		mpz_set_str(x, da, 10);
		mpz_set_str(y, db, 10);
		mpz_add(z, x, y);
		over = mpz_cmp(z, lim) >= 0;
		overflows += over;
		if (over)
			mpz_sub(z, z, lim);	/* the wrapped sum out holds */
		mpz_get_str(want, 10, z);
		u256_to_dec(s, ds);
		if (rc != (over ? -1 : 0) || strcmp(ds, want) != 0) {
			if (bad++ < 3)
				printf("# %s + %s: got %s (%d), GMP %s\n", da,
				    db, ds, rc, want);
		}
	}
	mpz_clears(x, y, z, lim, NULL);
	TAP_OK(bad == 0, "%d random sums agree with GMP's mpz_add, %d of "
	    "them overflowing (%d differ)", N, overflows, bad);
	TAP_OK(overflows > 100 && overflows < N - 100,
	    "the operands cover sums on both sides of 2^256");
}

int
main(void)
{
	test_parse();
	test_layout();
	test_u64();
	test_cmp();
	test_add_vectors();
	test_add_dec();
	test_add_gmp();
	return tap_done();
}
