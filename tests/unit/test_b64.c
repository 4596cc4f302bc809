/*
 * b64: padded base64 and unpadded base64url over nettle, against the test
 * vectors of RFC 4648 §10 and the two characters the alphabets differ in
 * (RFC 4648 §5), and the strictness the callers rely on: no whitespace,
 * no missing or extra padding, no foreign alphabet, no stray bits; and
 * b64_decode, our own, beside nettle's decoder on every last quantum and
 * on random text.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <nettle/base64.h>

#include "basics/b64.h"
#include "basics/buf.h"
#include "tap.h"

static const struct { const char *plain, *b64, *url; } vec[] = {
	{ "", "", "" },
	{ "f", "Zg==", "Zg" },
	{ "fo", "Zm8=", "Zm8" },
	{ "foo", "Zm9v", "Zm9v" },
	{ "foob", "Zm9vYg==", "Zm9vYg" },
	{ "fooba", "Zm9vYmE=", "Zm9vYmE" },
	{ "foobar", "Zm9vYmFy", "Zm9vYmFy" },
};

static void
test_vectors(void)
{
	struct buf	 b;
	unsigned char	*d;
	size_t		 i, n;

	for (i = 0; i < sizeof(vec) / sizeof(vec[0]); i++) {
		buf_init(&b);
		b64_encode(vec[i].plain, strlen(vec[i].plain), &b);
		buf_puts(&b, "");
		TAP_STREQ(b.p, vec[i].b64, "base64 of \"%s\"", vec[i].plain);
		buf_reset(&b);
		b64url_encode(vec[i].plain, strlen(vec[i].plain), &b);
		buf_puts(&b, "");
		TAP_STREQ(b.p, vec[i].url, "base64url of \"%s\"",
		    vec[i].plain);
		buf_free(&b);
		d = b64_decode(vec[i].b64, &n);
		TAP_OK(d != NULL && n == strlen(vec[i].plain) &&
		    memcmp(d, vec[i].plain, n) == 0, "decode \"%s\"",
		    vec[i].b64);
		free(d);
		d = b64url_decode(vec[i].url, strlen(vec[i].url), &n);
		TAP_OK(d != NULL && n == strlen(vec[i].plain) &&
		    memcmp(d, vec[i].plain, n) == 0, "url-decode \"%s\"",
		    vec[i].url);
		free(d);
	}
}

/* 0xfb 0xff: "+/8=" in base64, "-_8" in base64url. */
static void
test_alphabets(void)
{
	static const unsigned char	 raw[] = { 0xfb, 0xff };
	struct buf			 b;
	unsigned char			*d;
	size_t				 n;

	buf_init(&b);
	b64_encode(raw, 2, &b);
	buf_puts(&b, "");
	TAP_STREQ(b.p, "+/8=", "base64 uses + and /");
	buf_reset(&b);
	b64url_encode(raw, 2, &b);
	buf_puts(&b, "");
	TAP_STREQ(b.p, "-_8", "base64url uses - and _, no padding");
	buf_free(&b);
	d = b64url_decode("-_8", 3, &n);
	TAP_OK(d != NULL && n == 2 && memcmp(d, raw, 2) == 0,
	    "url-decode -_8");
	free(d);
}

static void
test_strict(void)
{
	static const char *const bad64[] = { "Zg=", "Zg", " Zm9v", "Zg===",
	    "-_8=", "Zm9v=Zm9", NULL };
	static const char *const badurl[] = { "Zg==", "+/8", "Z", "Zm9vY",
	    "Zh", "-_9", "Zm9 v", NULL };
	size_t	 i, n;

	for (i = 0; bad64[i] != NULL; i++)
		TAP_OK(b64_decode(bad64[i], &n) == NULL,
		    "base64 refuses \"%s\"", bad64[i]);
	for (i = 0; badurl[i] != NULL; i++)
		TAP_OK(b64url_decode(badurl[i], strlen(badurl[i]), &n) ==
		    NULL, "base64url refuses \"%s\"", badurl[i]);
	TAP_OK(b64_decode("Zm9v\n", &n) == NULL &&
	    b64url_decode("Zm9v\n", 5, &n) == NULL, "a newline is refused");
}

/* The decoder b64_decode replaced: strict prescan, then nettle. */
static unsigned char *
nettle_decode(const char *src, size_t *lenp)
{
	struct base64_decode_ctx	 ctx;
	unsigned char			*dst;
	size_t				 len, i, pad, dlen;
	unsigned char			 c;

	len = strlen(src);
	if (len % 4 != 0)
		return NULL;
	for (pad = 0; pad < 2 && pad < len && src[len - 1 - pad] == '='; pad++)
		continue;
	for (i = 0; i < len - pad; i++) {
		c = (unsigned char)src[i];
		if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		    (c >= '0' && c <= '9') || c == '+' || c == '/'))
			return NULL;
	}
	if ((dst = malloc(BASE64_DECODE_LENGTH(len) + 1)) == NULL)
		return NULL;
	base64_decode_init(&ctx);
	dlen = BASE64_DECODE_LENGTH(len);
	if (!base64_decode_update(&ctx, &dlen, dst, len, src) ||
	    !base64_decode_final(&ctx)) {
		free(dst);
		return NULL;
	}
	*lenp = dlen;
	return dst;
}

/* Whether both decoders agree on s (both refuse, or the same bytes). */
static int
same_as_nettle(const char *s)
{
	unsigned char	*a, *b;
	size_t		 na = 0, nb = 0;
	int		 ok;

	a = b64_decode(s, &na);
	b = nettle_decode(s, &nb);
	ok = (a == NULL) == (b == NULL) &&
	    (a == NULL || (na == nb && memcmp(a, b, na) == 0));
	free(a);
	free(b);
	return ok;
}

static void
test_nettle(void)
{
	static const char	 set[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghij"
	    "klmnopqrstuvwxyz0123456789+/=-_ *";
	char			 s[13];
	size_t			 i, j, k, l, bad = 0, n = strlen(set);
	uint32_t		 x = 2463534242u;

	/* Every last quantum over the alphabet, '=', url and foreign
	   characters, behind a full one. */
	memcpy(s, "Zm9v", 4);
	for (i = 0; i < n; i++)
		for (j = 0; j < n; j++)
			for (k = 0; k < n; k++)
				for (l = 0; l < n; l++) {
					s[4] = set[i], s[5] = set[j];
					s[6] = set[k], s[7] = set[l];
					s[8] = '\0';
					bad += !same_as_nettle(s);
				}
	/* Random text of 0..12 characters (xorshift32). */
	for (i = 0; i < 200000; i++) {
		l = i % 13;
		for (j = 0; j < l; j++) {
			x ^= x << 13, x ^= x >> 17, x ^= x << 5;
			s[j] = set[x % n];
		}
		s[l] = '\0';
		bad += !same_as_nettle(s);
	}
	TAP_OK(bad == 0, "b64_decode agrees with nettle (%zu differ)", bad);
}

int
main(void)
{
	test_vectors();
	test_alphabets();
	test_strict();
	test_nettle();
	return tap_done();
}
