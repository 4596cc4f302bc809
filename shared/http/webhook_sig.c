#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include <nettle/base64.h>
#include <nettle/hmac.h>
#include <nettle/memops.h>

#include "basics/b64.h"
#include "basics/err.h"
#include "http/webhook_sig.h"

static int
webhook_sig_random(uint8_t *p, size_t n)
{
	ssize_t	 r;

	while (n > 0) {
		if ((r = getrandom(p, n, 0)) <= 0)
			return -1;
		p += r;
		n -= (size_t)r;
	}
	return 0;
}

int
webhook_sig_secret_new(char out[WEBHOOK_SIG_SECRET_STRLEN])
{
	uint8_t	 key[WEBHOOK_SIG_KEY_BYTES];
	size_t	 n = sizeof(WEBHOOK_SIG_PREFIX) - 1;

	if (webhook_sig_random(key, sizeof(key)) == -1)
		return -1;
	memcpy(out, WEBHOOK_SIG_PREFIX, n);
	base64_encode_raw(out + n, sizeof(key), key);
	out[n + BASE64_ENCODE_RAW_LENGTH(sizeof(key))] = '\0';
	explicit_bzero(key, sizeof(key));
	return 0;
}

int
webhook_sig_secret_decode(const char *secret, uint8_t key[WEBHOOK_SIG_KEY_MAX],
    size_t *keylen)
{
	unsigned char	*k;
	size_t		 n;

	if (secret == NULL)
		return -1;
	if (strncmp(secret, WEBHOOK_SIG_PREFIX, sizeof(WEBHOOK_SIG_PREFIX) - 1) == 0)
		secret += sizeof(WEBHOOK_SIG_PREFIX) - 1;
	if ((k = b64_decode(secret, &n)) == NULL)
		return -1;
	if (n < WEBHOOK_SIG_KEY_MIN || n > WEBHOOK_SIG_KEY_MAX) {
		explicit_bzero(k, n);
		free(k);
		return -1;
	}
	memcpy(key, k, n);
	*keylen = n;
	explicit_bzero(k, n);
	free(k);
	return 0;
}

int
webhook_sig_id_new(char out[WEBHOOK_SIG_ID_MAX + 1])
{
	struct base64_encode_ctx	 ctx;
	uint8_t				 r[16];
	size_t				 n;

	if (webhook_sig_random(r, sizeof(r)) == -1)
		return -1;
	memcpy(out, "msg_", 4);
	base64url_encode_init(&ctx);
	n = base64_encode_update(&ctx, out + 4, sizeof(r), r);
	n += base64_encode_final(&ctx, out + 4 + n);
	/* 16 bytes: 22 characters and "==", which an id does without. */
	while (n > 0 && out[4 + n - 1] == '=')
		n--;
	out[4 + n] = '\0';
	return 0;
}

int
webhook_sig_id_ok(const char *id)
{
	size_t	 i;

	if (id == NULL)
		return 0;
	for (i = 0; id[i] != '\0'; i++)
		if (i == WEBHOOK_SIG_ID_MAX || !((id[i] >= 'a' && id[i] <= 'z') ||
		    (id[i] >= 'A' && id[i] <= 'Z') || (id[i] >= '0' &&
		    id[i] <= '9') || id[i] == '_' || id[i] == '-'))
			return 0;
	return i > 0;
}

/* The raw 32-byte HMAC of id "." ts "." body; 0 or -1 (bad secret/id). */
static int
webhook_sig_mac(const char *secret, const char *id, int64_t ts,
    const void *body, size_t len, uint8_t mac[SHA256_DIGEST_SIZE])
{
	struct hmac_sha256_ctx	 h;
	uint8_t			 key[WEBHOOK_SIG_KEY_MAX];
	char			 t[WEBHOOK_SIG_TS_STRLEN + 2];
	size_t			 klen;

	if (!webhook_sig_id_ok(id) || ts < 0 ||
	    webhook_sig_secret_decode(secret, key, &klen) == -1)
		return -1;
	hmac_sha256_set_key(&h, klen, key);
	explicit_bzero(key, sizeof(key));
	hmac_sha256_update(&h, strlen(id), (const uint8_t *)id);
	snprintf(t, sizeof(t), ".%" PRId64 ".", ts);
	hmac_sha256_update(&h, strlen(t), (const uint8_t *)t);
	hmac_sha256_update(&h, len, body);
	hmac_sha256_digest(&h, SHA256_DIGEST_SIZE, mac);
	explicit_bzero(&h, sizeof(h));
	return 0;
}

int
webhook_sig_sign(const char *secret, const char *id, int64_t ts,
    const void *body, size_t len, char out[WEBHOOK_SIG_STRLEN])
{
	uint8_t	 mac[SHA256_DIGEST_SIZE];

	if (webhook_sig_mac(secret, id, ts, body, len, mac) == -1)
		return -1;
	memcpy(out, "v1,", 3);
	base64_encode_raw(out + 3, sizeof(mac), mac);
	out[3 + BASE64_ENCODE_RAW_LENGTH(sizeof(mac))] = '\0';
	return 0;
}

int
webhook_sig_headers(const char *secret, const char *id, int64_t ts,
    const void *body, size_t len, struct webhook_sig_headers *out,
    struct sf_err *err)
{
	uint8_t	 key[WEBHOOK_SIG_KEY_MAX];
	size_t	 klen;

	if (!webhook_sig_id_ok(id))
		return sf_err_set(err, 500, "webhook_id_invalid", NULL,
		    "webhook-id must be 1 to %d characters of [A-Za-z0-9_-]",
		    WEBHOOK_SIG_ID_MAX);
	if (webhook_sig_secret_decode(secret, key, &klen) == -1)
		return sf_err_set(err, 500, "webhook_secret_invalid", NULL,
		    "the webhook secret is not whsec_ + base64 of %d to %d "
		    "bytes", WEBHOOK_SIG_KEY_MIN, WEBHOOK_SIG_KEY_MAX);
	explicit_bzero(key, sizeof(key));
	if (ts < 0)
		return sf_err_set(err, 500, "webhook_timestamp_invalid", NULL,
		    "webhook-timestamp before 1970");
	if (webhook_sig_sign(secret, id, ts, body, len, out->signature) == -1)
		return sf_err_set(err, 500, "webhook_sign_failed", NULL,
		    "could not sign the webhook");
	snprintf(out->id, sizeof(out->id), "%s", id);
	snprintf(out->timestamp, sizeof(out->timestamp), "%" PRId64, ts);
	return 0;
}

int
webhook_sig_verify(const char *secret, const char *id, const char *ts,
    const char *sigs, const void *body, size_t len, int64_t now,
    int64_t tolerance)
{
	char		 want[WEBHOOK_SIG_STRLEN];
	const char	*p, *e;
	int64_t		 t = 0;
	size_t		 n, wn;
	int		 ok = 0;

	if (ts == NULL || sigs == NULL || *ts == '\0')
		return 0;
	for (p = ts; *p != '\0'; p++) {
		if (*p < '0' || *p > '9' || t > (INT64_MAX - 9) / 10)
			return 0;
		t = t * 10 + (*p - '0');
	}
	if (now - t > tolerance || t - now > tolerance ||
	    webhook_sig_sign(secret, id, t, body, len, want) == -1)
		return 0;
	wn = strlen(want);
	for (p = sigs; *p != '\0'; p = *e != '\0' ? e + 1 : e) {
		e = p + strcspn(p, " ");
		n = (size_t)(e - p);
		/* Every candidate of the right length is compared in full. */
		if (n == wn && memeql_sec(p, want, wn))
			ok = 1;
	}
	return ok;
}
