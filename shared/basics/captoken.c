#include <stdint.h>
#include <string.h>
#include <sys/random.h>

#include <nettle/base64.h>
#include <nettle/memops.h>
#include <nettle/sha2.h>

#include "basics/captoken.h"

int
captoken_new(char tok[CAPTOKEN_STRLEN], uint8_t hash[CAPTOKEN_HASH_LEN])
{
	struct base64_encode_ctx	 ctx;
	uint8_t				 r[CAPTOKEN_BYTES];
	char				 enc[BASE64_ENCODE_LENGTH(CAPTOKEN_BYTES) +
					    BASE64_ENCODE_FINAL_LENGTH];
	size_t				 n, got = 0;
	ssize_t				 k;

	while (got < sizeof(r)) {
		if ((k = getrandom(r + got, sizeof(r) - got, 0)) <= 0)
			return -1;
		got += (size_t)k;
	}
	base64url_encode_init(&ctx);
	n = base64_encode_update(&ctx, enc, sizeof(r), r);
	n += base64_encode_final(&ctx, enc + n);
	explicit_bzero(r, sizeof(r));
	/* 32 bytes: 43 characters and one '=' we do without. */
	if (n != CAPTOKEN_LEN + 1 || enc[CAPTOKEN_LEN] != '=')
		return -1;
	memcpy(tok, enc, CAPTOKEN_LEN);
	tok[CAPTOKEN_LEN] = '\0';
	explicit_bzero(enc, sizeof(enc));
	captoken_hash(tok, hash);
	return 0;
}

static int
captoken_digit(int c)
{

	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '-')
		return 62;
	if (c == '_')
		return 63;
	return -1;
}

int
captoken_valid(const char *s)
{
	size_t	 i;
	int	 d = 0;

	if (s == NULL)
		return 0;
	for (i = 0; i < CAPTOKEN_LEN; i++)
		if ((d = captoken_digit((unsigned char)s[i])) < 0)
			return 0;
	/* 43 * 6 = 258 bits for 256: the last digit's two low bits are 0. */
	return s[CAPTOKEN_LEN] == '\0' && (d & 3) == 0;
}

void
captoken_hash(const char *tok, uint8_t hash[CAPTOKEN_HASH_LEN])
{
	struct sha256_ctx	 c;

	if (tok == NULL)
		tok = "";
	sha256_init(&c);
	sha256_update(&c, strlen(tok), (const uint8_t *)tok);
	sha256_digest(&c, CAPTOKEN_HASH_LEN, hash);
}

void
captoken_hash_hex(const uint8_t hash[CAPTOKEN_HASH_LEN],
    char out[CAPTOKEN_HASH_HEXLEN])
{
	static const char	 hx[] = "0123456789abcdef";
	size_t			 i;

	for (i = 0; i < CAPTOKEN_HASH_LEN; i++) {
		out[2 * i] = hx[hash[i] >> 4];
		out[2 * i + 1] = hx[hash[i] & 0xf];
	}
	out[2 * CAPTOKEN_HASH_LEN] = '\0';
}

int
captoken_hash_parse(const char *hex, uint8_t hash[CAPTOKEN_HASH_LEN])
{
	size_t	 i;
	int	 hi, lo;

	if (hex == NULL || strlen(hex) != 2 * CAPTOKEN_HASH_LEN)
		return -1;
	for (i = 0; i < CAPTOKEN_HASH_LEN; i++) {
		hi = hex[2 * i] >= 'a' && hex[2 * i] <= 'f' ? hex[2 * i] - 'a' + 10 :
		    hex[2 * i] >= '0' && hex[2 * i] <= '9' ? hex[2 * i] - '0' : -1;
		lo = hex[2 * i + 1] >= 'a' && hex[2 * i + 1] <= 'f' ?
		    hex[2 * i + 1] - 'a' + 10 : hex[2 * i + 1] >= '0' &&
		    hex[2 * i + 1] <= '9' ? hex[2 * i + 1] - '0' : -1;
		if (hi < 0 || lo < 0)
			return -1;
		hash[i] = (uint8_t)(hi << 4 | lo);
	}
	return 0;
}

int
captoken_check(const char *presented, const uint8_t stored[CAPTOKEN_HASH_LEN])
{
	uint8_t	 h[CAPTOKEN_HASH_LEN];

	if (!captoken_valid(presented))
		return 0;
	captoken_hash(presented, h);
	return memeql_sec(h, stored, sizeof(h)) ? 1 : 0;
}
