#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <nettle/hmac.h>
#include <nettle/sha2.h>

#include "basics/buf.h"
#include "http/sigv4.h"

#define SIGV4_MAX_HDRS	16

void
sigv4_amzdate(time_t t, char out[17])
{
	struct tm	 tm;

	gmtime_r(&t, &tm);
	strftime(out, 17, "%Y%m%dT%H%M%SZ", &tm);
}

int
sigv4_encode(const char *s, int keep_slash, char *out, size_t sz)
{
	static const char	 hx[] = "0123456789ABCDEF";
	size_t			 n = 0;
	unsigned char		 c;

	for (; *s != '\0'; s++) {
		c = (unsigned char)*s;
		if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		    (c >= '0' && c <= '9') || c == '-' || c == '_' ||
		    c == '.' || c == '~' || (keep_slash && c == '/')) {
			if (n + 1 >= sz)
				return -1;
			out[n++] = (char)c;
		} else {
			if (n + 3 >= sz)
				return -1;
			out[n++] = '%';
			out[n++] = hx[c >> 4];
			out[n++] = hx[c & 15];
		}
	}
	if (n >= sz)
		return -1;
	out[n] = '\0';
	return (int)n;
}

static void
sigv4_hmac(const uint8_t *key, size_t klen, const char *msg,
    uint8_t out[SHA256_DIGEST_SIZE])
{
	struct hmac_sha256_ctx	 h;

	hmac_sha256_set_key(&h, klen, key);
	hmac_sha256_update(&h, strlen(msg), (const uint8_t *)msg);
	hmac_sha256_digest(&h, SHA256_DIGEST_SIZE, out);
	explicit_bzero(&h, sizeof(h));
}

static void
sigv4_tohex(const uint8_t *p, size_t n, char *out)
{
	static const char	 hx[] = "0123456789abcdef";
	size_t			 i;

	for (i = 0; i < n; i++) {
		out[i * 2] = hx[p[i] >> 4];
		out[i * 2 + 1] = hx[p[i] & 15];
	}
	out[n * 2] = '\0';
}

/* Header indices in name order (few headers: insertion sort). */
static void
sigv4_order(const struct sigv4_req *q, size_t *ix)
{
	size_t	 i, j, t;

	for (i = 0; i < q->nhdrs; i++)
		ix[i] = i;
	for (i = 1; i < q->nhdrs; i++)
		for (j = i; j > 0 && strcmp(q->hdrs[ix[j - 1]].name,
		    q->hdrs[ix[j]].name) > 0; j--) {
			t = ix[j];
			ix[j] = ix[j - 1];
			ix[j - 1] = t;
		}
}

/* The canonical request's hash and the SignedHeaders list. */
static int
sigv4_canonical(const struct sigv4_req *q, struct buf *signed_hdrs,
    char hash[2 * SHA256_DIGEST_SIZE + 1])
{
	struct sha256_ctx	 s;
	struct buf		 c;
	size_t			 ix[SIGV4_MAX_HDRS], i;
	uint8_t			 d[SHA256_DIGEST_SIZE];

	sigv4_order(q, ix);
	buf_init(&c);
	buf_printf(&c, "%s\n%s\n%s\n", q->method, q->path, q->query);
	for (i = 0; i < q->nhdrs; i++)
		buf_printf(&c, "%s:%s\n", q->hdrs[ix[i]].name,
		    q->hdrs[ix[i]].value);
	buf_puts(&c, "\n");
	for (i = 0; i < q->nhdrs; i++)
		buf_printf(signed_hdrs, "%s%s", i ? ";" : "",
		    q->hdrs[ix[i]].name);
	buf_printf(&c, "%s\n%s", signed_hdrs->p, q->payload);
	if (c.oom || signed_hdrs->oom) {
		buf_free(&c);
		return -1;
	}
	sha256_init(&s);
	sha256_update(&s, c.len, (const uint8_t *)c.p);
	sha256_digest(&s, sizeof(d), d);
	sigv4_tohex(d, sizeof(d), hash);
	buf_free(&c);
	return 0;
}

int
sigv4_authorization(const struct sigv4_req *q, char *out, size_t sz)
{
	struct buf	 sh, sts;
	char		 date[9], scope[160], hash[2 * SHA256_DIGEST_SIZE + 1];
	char		 sig[2 * SHA256_DIGEST_SIZE + 1], k0[128];
	uint8_t		 k[SHA256_DIGEST_SIZE], d[SHA256_DIGEST_SIZE];
	int		 n, ret = -1;

	if (q->method == NULL || q->path == NULL || q->query == NULL ||
	    q->payload == NULL || q->amzdate == NULL ||
	    strlen(q->amzdate) != 16 || q->region == NULL ||
	    q->service == NULL || q->access_key == NULL ||
	    q->secret_key == NULL || q->nhdrs == 0 ||
	    q->nhdrs > SIGV4_MAX_HDRS)
		return -1;
	memcpy(date, q->amzdate, 8);
	date[8] = '\0';
	n = snprintf(scope, sizeof(scope), "%s/%s/%s/aws4_request", date,
	    q->region, q->service);
	if (n < 0 || (size_t)n >= sizeof(scope))
		return -1;
	n = snprintf(k0, sizeof(k0), "AWS4%s", q->secret_key);
	if (n < 0 || (size_t)n >= sizeof(k0))
		return -1;
	buf_init(&sh);
	buf_init(&sts);
	if (sigv4_canonical(q, &sh, hash) == -1)
		goto out;
	buf_printf(&sts, "AWS4-HMAC-SHA256\n%s\n%s\n%s", q->amzdate, scope,
	    hash);
	if (sts.oom)
		goto out;
	/* kSigning = HMAC(HMAC(HMAC(HMAC("AWS4"+secret, date), region),
	   service), "aws4_request") */
	sigv4_hmac((const uint8_t *)k0, strlen(k0), date, k);
	sigv4_hmac(k, sizeof(k), q->region, k);
	sigv4_hmac(k, sizeof(k), q->service, k);
	sigv4_hmac(k, sizeof(k), "aws4_request", k);
	sigv4_hmac(k, sizeof(k), sts.p, d);
	sigv4_tohex(d, sizeof(d), sig);
	n = snprintf(out, sz, "AWS4-HMAC-SHA256 Credential=%s/%s, "
	    "SignedHeaders=%s, Signature=%s", q->access_key, scope, sh.p, sig);
	if (n >= 0 && (size_t)n < sz)
		ret = 0;
out:
	explicit_bzero(k0, sizeof(k0));
	explicit_bzero(k, sizeof(k));
	buf_free(&sh);
	buf_free(&sts);
	return ret;
}
