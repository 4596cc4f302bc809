/*
 * Capability tokens (basics/captoken.h): their shape (43 base64url
 * characters, canonical), that they differ and use the whole alphabet,
 * SHA-256 of the text (FIPS 180-4 vector), the stored hash's hex form,
 * and the check: the right token matches, any other string does not.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tap.h"

#include "basics/captoken.h"

#define NTOK	2000

static int
cmp(const void *a, const void *b)
{

	return strcmp(a, b);
}

int
main(void)
{
	static char	 toks[NTOK][CAPTOKEN_STRLEN];
	static const char abc_sha256[] =
	    "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
	const char	*alpha = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
	uint8_t		 h[CAPTOKEN_HASH_LEN], h2[CAPTOKEN_HASH_LEN];
	char		 hex[CAPTOKEN_HASH_HEXLEN], t[CAPTOKEN_STRLEN + 1];
	int		 seen[256] = { 0 }, all = 1, shape = 1, hashes = 1, dup = 0, lastok = 1;
	static int	 pos[CAPTOKEN_LEN][256];
	int		 spread = 1, k, n;
	size_t		 i, j;

	for (i = 0; i < NTOK; i++) {
		if (captoken_new(toks[i], h) == -1) {
			shape = 0;
			break;
		}
		shape &= strlen(toks[i]) == CAPTOKEN_LEN && captoken_valid(toks[i]);
		captoken_hash(toks[i], h2);
		hashes &= memcmp(h, h2, sizeof(h)) == 0 && captoken_check(toks[i], h) == 1;
		for (j = 0; j + 1 < CAPTOKEN_LEN; j++) {
			seen[(unsigned char)toks[i][j]]++;
			pos[j][(unsigned char)toks[i][j]]++;
		}
		lastok &= strchr("AEIMQUYcgkosw048", toks[i][CAPTOKEN_LEN - 1]) != NULL;
	}
	TAP_OK(shape, "%d tokens: 43 base64url characters each, valid", NTOK);
	TAP_OK(hashes, "  each given with the SHA-256 of its text, and it checks");
	for (i = 0; alpha[i] != '\0'; i++)
		all &= seen[(unsigned char)alpha[i]] > 0;
	TAP_OK(all, "  the whole base64url alphabet appears");
	TAP_OK(lastok, "  the last character carries no stray bits (256 of 258 bits)");
	/* Every position varies: all 256 bits are random, not a prefix. */
	for (j = 0; j + 1 < CAPTOKEN_LEN; j++) {
		for (k = 0, n = 0; k < 256; k++)
			n += pos[j][k] > 0;
		spread &= n >= 48;
	}
	TAP_OK(spread, "  every position takes most of the 64 characters");
	qsort(toks, NTOK, sizeof(toks[0]), cmp);
	for (i = 1; i < NTOK; i++)
		dup |= strcmp(toks[i - 1], toks[i]) == 0;
	TAP_OK(!dup, "  no two alike");

	captoken_hash("abc", h);
	captoken_hash_hex(h, hex);
	TAP_STREQ(hex, abc_sha256, "SHA-256(\"abc\") (FIPS 180-4 example)");
	TAP_OK(captoken_hash_parse(hex, h2) == 0 && memcmp(h, h2, 32) == 0, "hex round trip");
	hex[0] = 'B';
	TAP_OK(captoken_hash_parse(hex, h2) == -1, "upper-case hex refused");
	TAP_OK(captoken_hash_parse("abcd", h2) == -1 && captoken_hash_parse(NULL, h2) == -1,
	    "short or missing hex refused");

	captoken_new(t, h);
	TAP_OK(captoken_check(t, h) == 1, "the token checks against its hash");
	t[5] = t[5] == 'A' ? 'B' : 'A';
	TAP_OK(captoken_check(t, h) == 0, "one character changed: no");
	captoken_new(t, h);
	t[CAPTOKEN_LEN - 1] = t[CAPTOKEN_LEN - 1] == 'A' ? 'E' : 'A';
	TAP_OK(captoken_check(t, h) == 0, "the last character changed (still canonical): no");
	captoken_new(t, h);
	t[CAPTOKEN_LEN - 1] = 'B';
	TAP_OK(!captoken_valid(t) && captoken_check(t, h) == 0, "a non-canonical last character: not a token");
	captoken_new(t, h);
	memcpy(t + CAPTOKEN_LEN, "A", 2);
	TAP_OK(!captoken_valid(t) && captoken_check(t, h) == 0, "44 characters: not a token");
	t[CAPTOKEN_LEN - 1] = '\0';
	TAP_OK(!captoken_valid(t) && captoken_check(t, h) == 0, "42 characters: not a token");
	captoken_new(t, h);
	t[10] = '+';
	TAP_OK(!captoken_valid(t), "standard base64's '+' is not base64url");
	t[10] = '=';
	TAP_OK(!captoken_valid(t), "nor '='");
	TAP_OK(captoken_check(NULL, h) == 0 && captoken_check("", h) == 0, "NULL and \"\": no");
	captoken_hash(NULL, h);
	captoken_hash("", h2);
	TAP_OK(memcmp(h, h2, 32) == 0, "NULL hashes as \"\"");
	return tap_done();
}
