/* Strict decimal uint256 parsing, printing and comparison. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "basics/hex.h"
#include "tap.h"
#include "basics/u256.h"

#define MAX256 "115792089237316195423570985008687907853269984665640564039457584007913129639935"

int
main(void)
{
	static const char *good[] = { "0", "1", "10000", "18446744073709551615",
	    "18446744073709551616", MAX256 };
	static const char *bad[] = { "", "-1", "+1", "01", "00", "1.0", "1e5",
	    " 1", "1 ", "0x10", "1_000", "١",
	    "115792089237316195423570985008687907853269984665640564039457584007913129639936",
	    "999999999999999999999999999999999999999999999999999999999999999999999999999999",
	    "1000000000000000000000000000000000000000000000000000000000000000000000000000000" };
	uint8_t		 a[32], b[32];
	char		 dec[U256_DEC_SIZE], hx[67];
	uint64_t	 x;
	size_t		 i;

	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		TAP_OK(u256_from_dec(good[i], a) == 0, "accept \"%s\"", good[i]);
		u256_to_dec(a, dec);
		TAP_STREQ(dec, good[i], "round trip #%zu", i);
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		TAP_OK(u256_from_dec(bad[i], a) == -1, "reject \"%s\"", bad[i]);
	TAP_OK(u256_from_dec(NULL, a) == -1, "reject NULL");

	TAP_OK(u256_from_dec(MAX256, a) == 0, "2^256-1");
	hex_encode(a, 32, hx);
	TAP_STREQ(hx, "0xffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff",
	    "2^256-1 is all ones");
	TAP_OK(u256_from_dec("1740672154", a) == 0, "timestamp");
	hex_encode(a, 32, hx);
	TAP_STREQ(hx, "0x0000000000000000000000000000000000000000000000000000000067c08c9a",
	    "1740672154 big-endian");

	u256_from_u64(UINT64_MAX, a);
	u256_to_dec(a, dec);
	TAP_STREQ(dec, "18446744073709551615", "from_u64(max)");
	TAP_OK(u256_to_u64(a, &x) == 0 && x == UINT64_MAX, "to_u64(max)");
	TAP_OK(u256_from_dec("18446744073709551616", a) == 0 &&
	    u256_to_u64(a, &x) == -1, "to_u64 overflow");

	u256_from_dec("10000", a);
	u256_from_dec("10001", b);
	TAP_OK(u256_cmp(a, b) < 0 && u256_cmp(b, a) > 0 &&
	    u256_cmp(a, a) == 0, "compare");
	u256_from_dec("256", a);
	u256_from_dec("255", b);
	TAP_OK(u256_cmp(a, b) > 0, "compare across a byte boundary");
	return tap_done();
}
