/* RLP against vectors computed with viem 2.x toRlp(). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "basics/buf.h"
#include "basics/hex.h"
#include "x402/evm/rlp.h"
#include "tap.h"

#define T(e, ...) do { int t_ok = (e); TAP_OK(t_ok, __VA_ARGS__); } while (0)

static char *
enc(const struct buf *b)
{
	static char	 s[4096];

	if (b->len * 2 + 3 > sizeof(s))
		return "(too long)";
	hex_encode((const uint8_t *)b->p, b->len, s);
	return s;
}

int
main(void)
{
	struct buf	 b, l, in;
	uint8_t		 big[1024], w[32];
	char		 h[64];

	buf_init(&b);
	rlp_bytes(&b, "", 0);
	TAP_STREQ(enc(&b), "0x80", "empty string");
	buf_reset(&b);
	rlp_bytes(&b, "\x7f", 1);
	TAP_STREQ(enc(&b), "0x7f", "single byte < 0x80 is itself");
	buf_reset(&b);
	rlp_bytes(&b, "\x80", 1);
	TAP_STREQ(enc(&b), "0x8180", "single byte 0x80");
	buf_reset(&b);
	rlp_bytes(&b, "dog", 3);
	TAP_STREQ(enc(&b), "0x83646f67", "dog");
	buf_reset(&b);
	memset(big, 0xaa, 56);
	rlp_bytes(&b, big, 56);
	T(b.len == 58 && memcmp(b.p, "\xb8\x38", 2) == 0,
	    "56 bytes: long form b838");
	buf_reset(&b);
	memset(big, 0xbb, sizeof(big));
	rlp_bytes(&b, big, sizeof(big));
	hex_encode((const uint8_t *)b.p, 9, h);
	TAP_STREQ(h, "0xb90400bbbbbbbbbbbb", "1024 bytes: b90400");

	/* ["dog", "", ["0x01"]] */
	buf_init(&l);
	buf_init(&in);
	buf_reset(&b);
	rlp_bytes(&b, "dog", 3);
	rlp_bytes(&b, "", 0);
	rlp_bytes(&in, "\x01", 1);
	rlp_list(&b, &in);
	rlp_list(&l, &b);
	TAP_STREQ(enc(&l), "0xc783646f6780c101", "nested list");

	buf_reset(&b);
	rlp_uint(&b, 0);
	TAP_STREQ(enc(&b), "0x80", "uint 0 is the empty string");
	buf_reset(&b);
	rlp_uint(&b, 84532);
	TAP_STREQ(enc(&b), "0x83014a34", "uint 84532");
	buf_reset(&b);
	rlp_uint(&b, 1000000000);
	TAP_STREQ(enc(&b), "0x843b9aca00", "uint 1 gwei");
	buf_reset(&b);
	memset(w, 0, sizeof(w));
	w[31] = 0x7f;
	rlp_u256(&b, w);
	TAP_STREQ(enc(&b), "0x7f", "u256 small");
	buf_reset(&b);
	memset(w, 0xff, sizeof(w));
	rlp_u256(&b, w);
	T(b.len == 33 && (uint8_t)b.p[0] == 0xa0, "u256 max: a0 + 32 bytes");
	T(!b.oom && !l.oom, "no allocation failure");
	buf_free(&b);
	buf_free(&l);
	buf_free(&in);
	return tap_done();
}
