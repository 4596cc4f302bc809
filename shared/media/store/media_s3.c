#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>

#include "basics/cfg.h"
#include "basics/err.h"
#include "media/store/media_int.h"

static size_t
media_s3_discard(char *p, size_t sz, size_t n, void *arg)
{
	(void)p;
	(void)arg;
	return sz * n;
}

static char *
media_s3_join(const char *base, const char *a, const char *b)
{
	size_t	 bl = strlen(base), sz;
	char	*s;

	while (bl > 0 && base[bl - 1] == '/')
		bl--;
	sz = bl + strlen(a) + strlen(b) + 3;
	if ((s = malloc(sz)) == NULL)
		return NULL;
	if (*a != '\0')
		snprintf(s, sz, "%.*s/%s/%s", (int)bl, base, a, b);
	else
		snprintf(s, sz, "%.*s/%s", (int)bl, base, b);
	return s;
}

/*
 * Path-style PUT (works on AWS, R2, MinIO, B2); libcurl signs it with
 * SigV4.  We send x-amz-content-sha256 ourselves: S3 requires it and we
 * already hold the digest.
 */
int
media_s3_put(const struct cfg *c, const struct media_obj *o, char **url,
    struct sf_err *err)
{
	const char		*ep, *bucket, *region, *ak, *sk, *pub, *pfx;
	char			 key[256], sigv4[128], h1[128], h2[96];
	char			*put = NULL;
	struct curl_slist	*hl = NULL, *nl;
	CURL			*h = NULL;
	CURLcode		 rc;
	long			 status = 0;
	int			 ret = -1;

	*url = NULL;
	ep = cfg_get(c, "S3_ENDPOINT");
	bucket = cfg_get(c, "S3_BUCKET");
	ak = cfg_get(c, "S3_ACCESS_KEY");
	sk = cfg_get(c, "S3_SECRET_KEY");
	region = cfg_get_or(c, "S3_REGION", "us-east-1");
	pfx = cfg_get_or(c, "S3_PREFIX", "");
	pub = cfg_get(c, "S3_PUBLIC_URL");
	if (ep == NULL || *ep == '\0' || bucket == NULL || *bucket == '\0' ||
	    ak == NULL || *ak == '\0' || sk == NULL || *sk == '\0')
		return sf_err_set(err, 500, "config_invalid", "MEDIA_STORE",
		    "MEDIA_STORE=s3 needs S3_ENDPOINT, S3_BUCKET, "
		    "S3_ACCESS_KEY and S3_SECRET_KEY");
	if (strchr(bucket, '/') != NULL || strpbrk(region, ":\r\n") != NULL)
		return sf_err_set(err, 500, "config_invalid", "S3_BUCKET",
		    "S3_BUCKET or S3_REGION is malformed");
	if (pfx == NULL)
		pfx = "";
	if (snprintf(key, sizeof(key), "%s%s", pfx, o->name) >=
	    (int)sizeof(key))
		return sf_err_set(err, 500, "config_invalid", "S3_PREFIX",
		    "S3_PREFIX too long");
	snprintf(sigv4, sizeof(sigv4), "aws:amz:%s:s3", region);
	snprintf(h1, sizeof(h1), "Content-Type: %s", o->mime);
	snprintf(h2, sizeof(h2), "x-amz-content-sha256: %s", o->sha256);

	if ((put = media_s3_join(ep, bucket, key)) == NULL ||
	    (h = curl_easy_init()) == NULL)
		goto oom;
	if ((nl = curl_slist_append(hl, h1)) == NULL)
		goto oom;
	hl = nl;
	if ((nl = curl_slist_append(hl, h2)) == NULL)
		goto oom;
	hl = nl;
	if ((nl = curl_slist_append(hl, "Cache-Control: public, "
	    "max-age=31536000, immutable")) == NULL)
		goto oom;
	hl = nl;
	/* No "Expect: 100-continue" round trip. */
	if ((nl = curl_slist_append(hl, "Expect:")) == NULL)
		goto oom;
	hl = nl;

	curl_easy_setopt(h, CURLOPT_URL, put);
	curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, "PUT");
	curl_easy_setopt(h, CURLOPT_POSTFIELDS, o->data);
	curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)o->len);
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, hl);
	curl_easy_setopt(h, CURLOPT_AWS_SIGV4, sigv4);
	curl_easy_setopt(h, CURLOPT_USERNAME, ak);
	curl_easy_setopt(h, CURLOPT_PASSWORD, sk);
	curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, 10000L);
	curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, 120000L);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, media_s3_discard);
	rc = curl_easy_perform(h);
	curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
	if (rc != CURLE_OK) {
		sf_err_set(err, 502, "media_store_failed", NULL,
		    "S3 upload failed: %s", curl_easy_strerror(rc));
		goto out;
	}
	if (status < 200 || status >= 300) {
		/* The body may echo request details: report the status only. */
		sf_err_set(err, 502, "media_store_failed", NULL,
		    "S3 upload answered HTTP %ld", status);
		goto out;
	}
	if (pub != NULL && *pub != '\0')
		*url = media_s3_join(pub, "", key);
	else
		*url = media_s3_join(ep, bucket, key);
	if (*url == NULL)
		goto oom;
	ret = 0;
	goto out;
oom:
	sf_err_set(err, 500, "internal_error", NULL, "out of memory");
out:
	curl_slist_free_all(hl);
	if (h != NULL)
		curl_easy_cleanup(h);
	free(put);
	return ret;
}
