#include <endian.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <nettle/base64.h>

#include "basics/b64.h"
#include "basics/buf.h"

int
b64_encode(const void *src, size_t len, struct buf *out)
{
	char	*dst;
	size_t	 n;

	n = BASE64_ENCODE_RAW_LENGTH(len);
	if ((dst = malloc(n + 1)) == NULL) {
		out->oom = 1;
		return -1;
	}
	base64_encode_raw(dst, len, src);
	n = buf_append(out, dst, n);
	free(dst);
	return (int)n;
}

/* The standard alphabet: F(character, value) for each. */
#define B64_ALPHABET(F) \
	F('A', 0) F('B', 1) F('C', 2) F('D', 3) F('E', 4) F('F', 5) \
	F('G', 6) F('H', 7) F('I', 8) F('J', 9) F('K', 10) F('L', 11) \
	F('M', 12) F('N', 13) F('O', 14) F('P', 15) F('Q', 16) F('R', 17) \
	F('S', 18) F('T', 19) F('U', 20) F('V', 21) F('W', 22) F('X', 23) \
	F('Y', 24) F('Z', 25) F('a', 26) F('b', 27) F('c', 28) F('d', 29) \
	F('e', 30) F('f', 31) F('g', 32) F('h', 33) F('i', 34) F('j', 35) \
	F('k', 36) F('l', 37) F('m', 38) F('n', 39) F('o', 40) F('p', 41) \
	F('q', 42) F('r', 43) F('s', 44) F('t', 45) F('u', 46) F('v', 47) \
	F('w', 48) F('x', 49) F('y', 50) F('z', 51) F('0', 52) F('1', 53) \
	F('2', 54) F('3', 55) F('4', 56) F('5', 57) F('6', 58) F('7', 59) \
	F('8', 60) F('9', 61) F('+', 62) F('/', 63)

/* 1 + the value of each character of the standard alphabet; 0: none. */
#define B64_STD(c, v)	[c] = (v) + 1,
static const unsigned char b64_std[256] = { B64_ALPHABET(B64_STD) };

/*
 * The value of a quantum's first to fourth character, already where it
 * goes in a big-endian 32-bit word (bits 31-8), and in the low byte a
 * bit that says the character is in the alphabet: four loads and three
 * ORs per quantum, all four characters checked at once.
 */
#define B64_T0(c, v)	[c] = (uint32_t)(v) << 26 | 1,
#define B64_T1(c, v)	[c] = (uint32_t)(v) << 20 | 2,
#define B64_T2(c, v)	[c] = (uint32_t)(v) << 14 | 4,
#define B64_T3(c, v)	[c] = (uint32_t)(v) << 8 | 8,
static const uint32_t b64_t0[256] = { B64_ALPHABET(B64_T0) };
static const uint32_t b64_t1[256] = { B64_ALPHABET(B64_T1) };
static const uint32_t b64_t2[256] = { B64_ALPHABET(B64_T2) };
static const uint32_t b64_t3[256] = { B64_ALPHABET(B64_T3) };

/*
 * Strict, four characters at a time.  Nettle's decoder (one call per
 * character) was two thirds of a payment header's decoding and a tenth
 * of its whole verification (bench_verify); this one keeps nettle's
 * rules: padded to a multiple of 4, at most two '=' and only at the end,
 * and the bits the padding leaves over are zero (RFC 4648 3.5 lets a
 * decoder refuse them; nettle does).  tests/unit/test_b64.c compares it
 * with nettle.
 */
unsigned char *
b64_decode(const char *src, size_t *lenp)
{
	const unsigned char	*s = (const unsigned char *)src;
	unsigned char		*dst, *o;
	size_t			 len, pad = 0, i, full;
	unsigned		 a, b, c;
	uint32_t		 w;

	len = strlen(src);
	if (len % 4 != 0)
		return NULL;
	if (len > 0 && s[len - 1] == '=')
		pad = len > 1 && s[len - 2] == '=' ? 2 : 1;
	if ((dst = malloc(len / 4 * 3 + 1)) == NULL)
		return NULL;
	o = dst;
	full = pad > 0 ? len - 4 : len;
	for (i = 0; i < full; i += 4) {
		w = b64_t0[s[i]] | b64_t1[s[i + 1]] | b64_t2[s[i + 2]] |
		    b64_t3[s[i + 3]];
		if ((w & 0xf) != 0xf)
			goto bad;
		/* Three bytes in one store of four: the fourth is the next
		   quantum's first, or the byte reserved for the NUL. */
		w = htobe32(w);
		memcpy(o, &w, 4);
		o += 3;
	}
	if (pad > 0) {
		if ((a = b64_std[s[i]]) == 0 || (b = b64_std[s[i + 1]]) == 0)
			goto bad;
		a--, b--;
		*o++ = (unsigned char)(a << 2 | b >> 4);
		if (pad == 1) {
			if ((c = b64_std[s[i + 2]]) == 0 || (c - 1) % 4 != 0)
				goto bad;
			c--;
			*o++ = (unsigned char)((b & 0xf) << 4 | c >> 2);
		} else if ((b & 0xf) != 0)
			goto bad;
	}
	*o = '\0';
	if (lenp != NULL)
		*lenp = (size_t)(o - dst);
	return dst;
bad:
	free(dst);
	return NULL;
}

int
b64url_encode(const void *src, size_t len, struct buf *out)
{
	struct base64_encode_ctx	 ctx;
	char				*dst;
	size_t				 n;

	if ((dst = malloc(BASE64_ENCODE_LENGTH(len) +
	    BASE64_ENCODE_FINAL_LENGTH + 1)) == NULL) {
		out->oom = 1;
		return -1;
	}
	base64url_encode_init(&ctx);
	n = base64_encode_update(&ctx, dst, len, src);
	n += base64_encode_final(&ctx, dst + n);
	/* The encoding of len bytes without its padding: 4 chars per 3. */
	n = buf_append(out, dst, (len * 4 + 2) / 3);
	free(dst);
	return (int)n;
}

unsigned char *
b64url_decode(const char *src, size_t len, size_t *lenp)
{
	struct base64_decode_ctx	 ctx;
	unsigned char			*dst;
	size_t				 i, dlen, more;
	static const char		 pad[] = "==";

	if (len % 4 == 1)
		return NULL;
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)src[i];
		if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		    (c >= '0' && c <= '9') || c == '-' || c == '_'))
			return NULL;
	}
	if ((dst = malloc(BASE64_DECODE_LENGTH(len + 2) + 1)) == NULL)
		return NULL;
	base64url_decode_init(&ctx);
	dlen = BASE64_DECODE_LENGTH(len);
	more = 0;
	/* The padding given back lets nettle check the unused bits. */
	if (!base64_decode_update(&ctx, &dlen, dst, len, src) ||
	    !base64_decode_update(&ctx, &more, dst + dlen, (4 - len % 4) % 4,
	    pad) || !base64_decode_final(&ctx)) {
		free(dst);
		return NULL;
	}
	dlen += more;
	dst[dlen] = '\0';
	if (lenp != NULL)
		*lenp = dlen;
	return dst;
}
