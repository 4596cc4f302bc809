#include <sys/random.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cjson/cJSON.h>
#include <gmp.h>
#include <nettle/ecc-curve.h>
#include <nettle/ecc.h>
#include <nettle/ecdsa.h>
#include <nettle/sha2.h>

#include "basics/b64.h"
#include "basics/buf.h"
#include "x402/cdp_jwt.h"
#include "basics/err.h"
#include "basics/hex.h"

/* base64url without padding (RFC 7515 §2). */
static int
cdp_b64url(const void *p, size_t len, struct buf *out)
{
	struct buf	 t;
	size_t		 i;

	buf_init(&t);
	if (b64_encode(p, len, &t) == -1 || t.oom) {
		buf_free(&t);
		out->oom = 1;
		return -1;
	}
	for (i = 0; i < t.len; i++) {
		if (t.p[i] == '+')
			t.p[i] = '-';
		else if (t.p[i] == '/')
			t.p[i] = '_';
		else if (t.p[i] == '=')
			break;
	}
	buf_append(out, t.p, i);
	buf_free(&t);
	return out->oom ? -1 : 0;
}

/*
 * Pull the 32-byte private scalar out of a PEM.  Both SEC1 and PKCS#8
 * wrap it as INTEGER 1, OCTET STRING (32): 02 01 01 04 20 <d>.
 */
static int
cdp_pem_key(const char *pem, uint8_t d[32])
{
	const char	*b, *e;
	char		*body = NULL, *q;
	unsigned char	*der = NULL;
	size_t		 i, n = 0, len;
	int		 ret = -1;
	static const uint8_t pat[] = { 0x02, 0x01, 0x01, 0x04, 0x20 };

	if ((b = strstr(pem, "-----BEGIN ")) == NULL ||
	    (b = strstr(b, "-----\n")) == NULL)
		return -1;
	b += 6;
	if ((e = strstr(b, "-----END ")) == NULL)
		return -1;
	if ((body = malloc((size_t)(e - b) + 1)) == NULL)
		return -1;
	for (q = body; b < e; b++)
		if (*b != '\n' && *b != '\r' && *b != ' ')
			*q++ = *b;
	*q = '\0';
	if ((der = b64_decode(body, &len)) == NULL)
		goto out;
	for (i = 0; i + sizeof(pat) + 32 <= len; i++)
		if (memcmp(der + i, pat, sizeof(pat)) == 0) {
			memcpy(d, der + i + sizeof(pat), 32);
			n = 1;
			break;
		}
	ret = n ? 0 : -1;
out:
	if (der != NULL) {
		explicit_bzero(der, len);
		free(der);
	}
	explicit_bzero(body, strlen(body));
	free(body);
	return ret;
}

static void
cdp_random(void *ctx, size_t len, uint8_t *dst)
{
	(void)ctx;
	while (len > 0) {
		ssize_t n = getrandom(dst, len, 0);
		if (n <= 0)
			abort();	/* no entropy: never sign with a bad k */
		dst += n;
		len -= (size_t)n;
	}
}

static int
cdp_key(const char *pem, struct ecc_scalar *key)
{
	uint8_t	 d[32];
	mpz_t	 z;
	int	 ok;

	if (cdp_pem_key(pem, d) == -1)
		return -1;
	mpz_init(z);
	mpz_import(z, 32, 1, 1, 1, 0, d);
	explicit_bzero(d, sizeof(d));
	ecc_scalar_init(key, nettle_get_secp_256r1());
	ok = ecc_scalar_set(key, z);
	mpz_clear(z);
	if (!ok) {
		ecc_scalar_clear(key);
		return -1;
	}
	return 0;
}

/* "host/path" of an http(s) URL, for the uris claim. */
static int
cdp_uri(const char *method, const char *url, char *out, size_t sz)
{
	const char	*p;
	size_t		 n;

	if ((p = strstr(url, "://")) == NULL)
		return -1;
	p += 3;
	n = strcspn(p, "?#");
	if ((size_t)snprintf(out, sz, "%s %.*s", method, (int)n, p) >= sz)
		return -1;
	return 0;
}

int
cdp_jwt_make(const char *key_id, const char *pem, const char *method,
    const char *url, time_t now, struct buf *out, struct sf_err *err)
{
	struct ecc_scalar	 key;
	struct dsa_signature	 sig;
	struct sha256_ctx	 h;
	struct buf		 si;
	cJSON			*hd = NULL, *cl = NULL, *a;
	char			*hs = NULL, *cs = NULL, uri[512], nonce[35];
	uint8_t			 rnd[16], dig[SHA256_DIGEST_SIZE], rs[64];
	int			 ret = -1;

	buf_init(&si);
	if (cdp_uri(method, url, uri, sizeof(uri)) == -1)
		return sf_err_set(err, 500, "config_error", NULL,
		    "CDP auth: bad facilitator URL");
	if (cdp_key(pem, &key) == -1)
		return sf_err_set(err, 500, "config_error", NULL,
		    "CDP auth: secret is not a PEM P-256 private key");
	if (now == 0)
		now = time(NULL);
	cdp_random(NULL, sizeof(rnd), rnd);
	hex_encode(rnd, sizeof(rnd), nonce);
	if ((hd = cJSON_CreateObject()) == NULL ||
	    !cJSON_AddStringToObject(hd, "alg", "ES256") ||
	    !cJSON_AddStringToObject(hd, "kid", key_id) ||
	    !cJSON_AddStringToObject(hd, "typ", "JWT") ||
	    !cJSON_AddStringToObject(hd, "nonce", nonce + 2) ||
	    (cl = cJSON_CreateObject()) == NULL ||
	    !cJSON_AddStringToObject(cl, "sub", key_id) ||
	    !cJSON_AddStringToObject(cl, "iss", "cdp") ||
	    (a = cJSON_AddArrayToObject(cl, "aud")) == NULL ||
	    !cJSON_AddItemToArray(a, cJSON_CreateString("cdp_service")) ||
	    (a = cJSON_AddArrayToObject(cl, "uris")) == NULL ||
	    !cJSON_AddItemToArray(a, cJSON_CreateString(uri)) ||
	    !cJSON_AddNumberToObject(cl, "iat", (double)now) ||
	    !cJSON_AddNumberToObject(cl, "nbf", (double)now) ||
	    !cJSON_AddNumberToObject(cl, "exp", (double)now + 120) ||
	    (hs = cJSON_PrintUnformatted(hd)) == NULL ||
	    (cs = cJSON_PrintUnformatted(cl)) == NULL)
		goto oom;
	cdp_b64url(hs, strlen(hs), &si);
	buf_puts(&si, ".");
	cdp_b64url(cs, strlen(cs), &si);
	if (si.oom)
		goto oom;
	sha256_init(&h);
	sha256_update(&h, si.len, (const uint8_t *)si.p);
	sha256_digest(&h, sizeof(dig), dig);
	dsa_signature_init(&sig);
	ecdsa_sign(&key, NULL, cdp_random, sizeof(dig), dig, &sig);
	/* JWS wants fixed-width big-endian r||s. */
	memset(rs, 0, sizeof(rs));
	mpz_export(rs + 32 - (mpz_sizeinbase(sig.r, 256)), NULL, 1, 1, 1, 0,
	    sig.r);
	mpz_export(rs + 64 - (mpz_sizeinbase(sig.s, 256)), NULL, 1, 1, 1, 0,
	    sig.s);
	dsa_signature_clear(&sig);
	buf_puts(out, si.p);
	buf_puts(out, ".");
	cdp_b64url(rs, sizeof(rs), out);
	if (out->oom)
		goto oom;
	ret = 0;
	goto done;
oom:
	sf_err_set(err, 500, "internal_error", NULL, "out of memory");
done:
	ecc_scalar_clear(&key);
	cJSON_Delete(hd);
	cJSON_Delete(cl);
	cJSON_free(hs);
	cJSON_free(cs);
	buf_free(&si);
	return ret;
}

/* Decode base64url (no padding) into a malloc'd block. */
static unsigned char *
cdp_unb64url(const char *s, size_t n, size_t *lenp)
{
	char		*t;
	unsigned char	*r;
	size_t		 i;

	if ((t = malloc(n + 4)) == NULL)
		return NULL;
	for (i = 0; i < n; i++)
		t[i] = s[i] == '-' ? '+' : s[i] == '_' ? '/' : s[i];
	while (i % 4)
		t[i++] = '=';
	t[i] = '\0';
	r = b64_decode(t, lenp);
	free(t);
	return r;
}

int
cdp_jwt_verify(const char *token, const char *pem)
{
	struct ecc_scalar	 key;
	struct ecc_point	 pub;
	struct dsa_signature	 sig;
	struct sha256_ctx	 h;
	const char		*dot;
	unsigned char		*rs;
	uint8_t			 dig[SHA256_DIGEST_SIZE];
	size_t			 len;
	int			 ok = 0;

	if ((dot = strrchr(token, '.')) == NULL)
		return -1;
	if ((rs = cdp_unb64url(dot + 1, strlen(dot + 1), &len)) == NULL)
		return -1;
	if (len != 64 || cdp_key(pem, &key) == -1) {
		free(rs);
		return -1;
	}
	ecc_point_init(&pub, nettle_get_secp_256r1());
	ecc_point_mul_g(&pub, &key);
	dsa_signature_init(&sig);
	mpz_import(sig.r, 32, 1, 1, 1, 0, rs);
	mpz_import(sig.s, 32, 1, 1, 1, 0, rs + 32);
	sha256_init(&h);
	sha256_update(&h, (size_t)(dot - token), (const uint8_t *)token);
	sha256_digest(&h, sizeof(dig), dig);
	ok = ecdsa_verify(&pub, sizeof(dig), dig, &sig);
	dsa_signature_clear(&sig);
	ecc_point_clear(&pub);
	ecc_scalar_clear(&key);
	free(rs);
	return ok ? 0 : -1;
}
