#include <sys/random.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cjson/cJSON.h>
#include <gmp.h>
#include <nettle/asn1.h>
#include <nettle/base64.h>
#include <nettle/ecc-curve.h>
#include <nettle/ecc.h>
#include <nettle/ecdsa.h>
#include <nettle/sha2.h>

#include "basics/b64.h"
#include "basics/buf.h"
#include "x402/cdp_jwt.h"
#include "basics/err.h"
#include "basics/hex.h"

/* id-ecPublicKey 1.2.840.10045.2.1 and prime256v1 1.2.840.10045.3.1.7,
   DER contents (RFC 5480 §2.1.1). */
static const uint8_t cdp_oid_ec[] = { 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01 };
static const uint8_t cdp_oid_p256[] = {
	0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07 };

static int
cdp_is_oid(const struct asn1_der_iterator *i, const uint8_t *oid, size_t n)
{
	return i->type == ASN1_IDENTIFIER && i->length == n &&
	    memcmp(i->data, oid, n) == 0;
}

/*
 * RFC 5915 ECPrivateKey ::= SEQUENCE { version INTEGER (1), privateKey
 * OCTET STRING (32 bytes for P-256), parameters [0] namedCurve OPTIONAL,
 * publicKey [1] BIT STRING OPTIONAL }.  A curve named here must be P-256
 * (inside PKCS#8 the curve is named outside, and usually not here).
 */
static int
cdp_sec1(const uint8_t *der, size_t len, uint8_t d[32])
{
	struct asn1_der_iterator	 i, p;
	const uint32_t			 param0 = ASN1_CLASS_CONTEXT_SPECIFIC |
					    ASN1_TYPE_CONSTRUCTED | 0;
	uint32_t			 v;

	if (asn1_der_iterator_first(&i, len, der) !=
	    ASN1_ITERATOR_CONSTRUCTED || i.type != ASN1_SEQUENCE ||
	    asn1_der_decode_constructed_last(&i) != ASN1_ITERATOR_PRIMITIVE ||
	    i.type != ASN1_INTEGER || !asn1_der_get_uint32(&i, &v) || v != 1 ||
	    asn1_der_iterator_next(&i) != ASN1_ITERATOR_PRIMITIVE ||
	    i.type != ASN1_OCTETSTRING || i.length != 32)
		return -1;
	memcpy(d, i.data, 32);
	if (asn1_der_iterator_next(&i) == ASN1_ITERATOR_CONSTRUCTED &&
	    (uint32_t)i.type == param0 &&
	    (asn1_der_decode_constructed(&i, &p) != ASN1_ITERATOR_PRIMITIVE ||
	    !cdp_is_oid(&p, cdp_oid_p256, sizeof(cdp_oid_p256)))) {
		explicit_bzero(d, 32);
		return -1;
	}
	return 0;
}

/*
 * RFC 5208 PrivateKeyInfo (RFC 5958 OneAsymmetricKey) ::= SEQUENCE {
 * version INTEGER (0 or 1), privateKeyAlgorithm SEQUENCE { id-ecPublicKey,
 * prime256v1 }, privateKey OCTET STRING (an ECPrivateKey), ... }.
 */
static int
cdp_pkcs8(const uint8_t *der, size_t len, uint8_t d[32])
{
	struct asn1_der_iterator	 i, alg;
	uint32_t			 v;

	if (asn1_der_iterator_first(&i, len, der) !=
	    ASN1_ITERATOR_CONSTRUCTED || i.type != ASN1_SEQUENCE ||
	    asn1_der_decode_constructed_last(&i) != ASN1_ITERATOR_PRIMITIVE ||
	    i.type != ASN1_INTEGER || !asn1_der_get_uint32(&i, &v) || v > 1 ||
	    asn1_der_iterator_next(&i) != ASN1_ITERATOR_CONSTRUCTED ||
	    i.type != ASN1_SEQUENCE ||
	    asn1_der_decode_constructed(&i, &alg) != ASN1_ITERATOR_PRIMITIVE ||
	    !cdp_is_oid(&alg, cdp_oid_ec, sizeof(cdp_oid_ec)) ||
	    asn1_der_iterator_next(&alg) != ASN1_ITERATOR_PRIMITIVE ||
	    !cdp_is_oid(&alg, cdp_oid_p256, sizeof(cdp_oid_p256)) ||
	    asn1_der_iterator_next(&i) != ASN1_ITERATOR_PRIMITIVE ||
	    i.type != ASN1_OCTETSTRING)
		return -1;
	return cdp_sec1(i.data, i.length, d);
}

/*
 * The 32-byte P-256 private scalar of a PEM block (RFC 7468): "EC PRIVATE
 * KEY" (SEC1) or "PRIVATE KEY" (PKCS#8), base64 between the armour lines
 * (nettle skips the line breaks).
 */
static int
cdp_pem_key(const char *pem, uint8_t d[32])
{
	static const struct {
		const char	*begin, *end;
		int		(*parse)(const uint8_t *, size_t, uint8_t *);
	} kinds[] = {
		{ "-----BEGIN EC PRIVATE KEY-----", "-----END EC PRIVATE KEY-----",
		    cdp_sec1 },
		{ "-----BEGIN PRIVATE KEY-----", "-----END PRIVATE KEY-----",
		    cdp_pkcs8 },
	};
	struct base64_decode_ctx	 ctx;
	const char			*b, *e;
	uint8_t				*der;
	size_t				 k, n, len = 0;
	int				 ret = -1;

	for (k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++)
		if ((b = strstr(pem, kinds[k].begin)) != NULL)
			break;
	if (k == sizeof(kinds) / sizeof(kinds[0]) ||
	    (e = strstr(b, kinds[k].end)) == NULL)
		return -1;
	b += strlen(kinds[k].begin);
	n = (size_t)(e - b);
	if ((der = malloc(BASE64_DECODE_LENGTH(n) + 1)) == NULL)
		return -1;
	base64_decode_init(&ctx);
	len = BASE64_DECODE_LENGTH(n);
	if (base64_decode_update(&ctx, &len, der, n, b) &&
	    base64_decode_final(&ctx))
		ret = kinds[k].parse(der, len, d);
	explicit_bzero(der, BASE64_DECODE_LENGTH(n) + 1);
	free(der);
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

/* The JWS header {alg, kid, typ, nonce} and claims, as base64url
   "header.claims" appended to si.  0 or -1 (out of memory). */
static int
cdp_signing_input(const char *key_id, const char *uri, time_t now,
    struct buf *si)
{
	cJSON	*hd = NULL, *cl = NULL, *a;
	char	*hs = NULL, *cs = NULL, nonce[35];
	uint8_t	 rnd[16];
	int	 ret = -1;

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
		goto out;
	b64url_encode(hs, strlen(hs), si);
	buf_puts(si, ".");
	b64url_encode(cs, strlen(cs), si);
	ret = si->oom ? -1 : 0;
out:
	cJSON_Delete(hd);
	cJSON_Delete(cl);
	cJSON_free(hs);
	cJSON_free(cs);
	return ret;
}

/* ES256 over the signing input: fixed-width big-endian r||s (JWS). */
static void
cdp_sign(const struct ecc_scalar *key, const struct buf *si, uint8_t rs[64])
{
	struct dsa_signature	 sig;
	struct sha256_ctx	 h;
	uint8_t			 dig[SHA256_DIGEST_SIZE];

	sha256_init(&h);
	sha256_update(&h, si->len, (const uint8_t *)si->p);
	sha256_digest(&h, sizeof(dig), dig);
	dsa_signature_init(&sig);
	ecdsa_sign(key, NULL, cdp_random, sizeof(dig), dig, &sig);
	memset(rs, 0, 64);
	mpz_export(rs + 32 - (mpz_sizeinbase(sig.r, 256)), NULL, 1, 1, 1, 0,
	    sig.r);
	mpz_export(rs + 64 - (mpz_sizeinbase(sig.s, 256)), NULL, 1, 1, 1, 0,
	    sig.s);
	dsa_signature_clear(&sig);
}

int
cdp_jwt_make(const char *key_id, const char *pem, const char *method,
    const char *url, time_t now, struct buf *out, struct sf_err *err)
{
	struct ecc_scalar	 key;
	struct buf		 si;
	char			 uri[512];
	uint8_t			 rs[64];
	int			 ret = 0;

	if (cdp_uri(method, url, uri, sizeof(uri)) == -1)
		return sf_err_set(err, 500, "config_error", NULL,
		    "CDP auth: bad facilitator URL");
	if (cdp_key(pem, &key) == -1)
		return sf_err_set(err, 500, "config_error", NULL,
		    "CDP auth: secret is not a PEM P-256 private key");
	buf_init(&si);
	if (cdp_signing_input(key_id, uri, now != 0 ? now : time(NULL),
	    &si) == 0) {
		cdp_sign(&key, &si, rs);
		buf_puts(out, si.p);
		buf_puts(out, ".");
		b64url_encode(rs, sizeof(rs), out);
	} else
		ret = -1;
	if (ret == -1 || out->oom)
		ret = sf_err_set(err, 500, "internal_error", NULL,
		    "out of memory");
	ecc_scalar_clear(&key);
	buf_free(&si);
	return ret;
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
	if ((rs = b64url_decode(dot + 1, strlen(dot + 1), &len)) == NULL)
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
