#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "basics/cfg.h"
#include "basics/err.h"
#include "http/http.h"
#include "http/sigv4.h"
#include "media/store/media_int.h"

#define S3_CACHE	"public, max-age=31536000, immutable"

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

/* The Host header curl sends for this URL: the port only when not default. */
static int
media_s3_host(const char *url, char *host, size_t sz, char **path,
    struct sf_err *err)
{
	struct http_url	 u;
	long		 def;
	int		 n;

	if (http_url_parse(url, &u, err) == -1)
		return sf_err_set(err, 500, "config_invalid", "S3_ENDPOINT",
		    "S3_ENDPOINT is not an absolute URL");
	def = strcmp(u.scheme, "https") == 0 ? 443 : 80;
	n = u.port == def ? snprintf(host, sz, "%s", u.host) :
	    snprintf(host, sz, "%s:%ld", u.host, u.port);
	*path = u.path;
	u.path = NULL;
	http_url_free(&u);
	if (n < 0 || (size_t)n >= sz || *path == NULL) {
		free(*path);
		*path = NULL;
		return sf_err_set(err, 500, "config_invalid", "S3_ENDPOINT",
		    "S3_ENDPOINT is malformed");
	}
	return 0;
}

/* PUT the bytes with our own SigV4 over exactly the headers we send. */
static int
media_s3_send(const struct cfg *c, const struct media_obj *o,
    const char *put, struct sf_err *err)
{
	const char		*hdrs[7];
	struct sigv4_hdr	 sh[5];
	struct sigv4_req	 sq;
	struct http_req		 q;
	struct http_resp	 h;
	char			 host[300], amzdate[17], auth[600];
	char			 l[5][700], *path = NULL;
	int			 ret = -1;

	if (media_s3_host(put, host, sizeof(host), &path, err) == -1)
		return -1;
	sigv4_amzdate(time(NULL), amzdate);
	sh[0] = (struct sigv4_hdr){ "cache-control", S3_CACHE };
	sh[1] = (struct sigv4_hdr){ "content-type", o->mime };
	sh[2] = (struct sigv4_hdr){ "host", host };
	sh[3] = (struct sigv4_hdr){ "x-amz-content-sha256", o->sha256 };
	sh[4] = (struct sigv4_hdr){ "x-amz-date", amzdate };
	memset(&sq, 0, sizeof(sq));
	sq.method = "PUT";
	sq.path = path;
	sq.query = "";
	sq.hdrs = sh;
	sq.nhdrs = 5;
	sq.payload = o->sha256;
	sq.amzdate = amzdate;
	sq.region = cfg_get_or(c, "S3_REGION", "us-east-1");
	sq.service = "s3";
	sq.access_key = cfg_get(c, "S3_ACCESS_KEY");
	sq.secret_key = cfg_get(c, "S3_SECRET_KEY");
	if (sigv4_authorization(&sq, auth, sizeof(auth)) == -1) {
		free(path);
		return sf_err_set(err, 500, "config_invalid", "S3_ACCESS_KEY",
		    "cannot sign the S3 request (keys or region too long)");
	}
	free(path);
	snprintf(l[0], sizeof(l[0]), "Cache-Control: %s", S3_CACHE);
	snprintf(l[1], sizeof(l[1]), "Host: %s", host);
	snprintf(l[2], sizeof(l[2]), "x-amz-content-sha256: %s", o->sha256);
	snprintf(l[3], sizeof(l[3]), "x-amz-date: %s", amzdate);
	snprintf(l[4], sizeof(l[4]), "Authorization: %s", auth);
	hdrs[0] = l[0];
	hdrs[1] = l[1];
	hdrs[2] = l[2];
	hdrs[3] = l[3];
	hdrs[4] = l[4];
	hdrs[5] = NULL;
	memset(&q, 0, sizeof(q));
	q.method = "PUT";
	q.url = put;
	q.body = o->data;
	q.bodylen = o->len;
	q.ctype = o->mime;	/* sent as Content-Type, signed above */
	q.headers = hdrs;
	q.connect_ms = 10000;
	q.total_ms = 120000;
	q.max_body = 64 * 1024;
	if (http_do(&q, &h, err) == -1) {
		sf_err_set(err, 502, "media_store_failed", NULL,
		    "S3 upload failed: %s", h.fail == HTTP_TIMEOUT ?
		    "timed out" : "no answer");
		goto out;
	}
	if (h.status < 200 || h.status >= 300) {
		/* The body may echo request details: report the status only. */
		sf_err_set(err, 502, "media_store_failed", NULL,
		    "S3 upload answered HTTP %ld", h.status);
		goto out;
	}
	ret = 0;
out:
	explicit_bzero(l[4], sizeof(l[4]));
	explicit_bzero(auth, sizeof(auth));
	http_resp_free(&h);
	return ret;
}

/*
 * Path-style PUT (works on AWS, R2, MinIO, B2), signed with SigV4 here
 * (http/sigv4.h says why not by libcurl).  x-amz-content-sha256 is the
 * digest we already hold; S3 requires it.
 */
int
media_s3_put(const struct cfg *c, const struct media_obj *o, char **url,
    struct sf_err *err)
{
	const char	*ep, *bucket, *region, *ak, *sk, *pub, *pfx;
	char		 key[256], ekey[768];
	char		*put = NULL;
	int		 ret = -1;

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
	if (strchr(bucket, '/') != NULL || strpbrk(region, ":/\r\n") != NULL ||
	    strpbrk(ak, "/\r\n") != NULL)
		return sf_err_set(err, 500, "config_invalid", "S3_BUCKET",
		    "S3_BUCKET, S3_REGION or S3_ACCESS_KEY is malformed");
	if (pfx == NULL)
		pfx = "";
	if (snprintf(key, sizeof(key), "%s%s", pfx, o->name) >=
	    (int)sizeof(key) || sigv4_encode(key, 1, ekey, sizeof(ekey)) < 0)
		return sf_err_set(err, 500, "config_invalid", "S3_PREFIX",
		    "S3_PREFIX too long");
	/* The URL carries the encoded key: what we sign is what we send. */
	if ((put = media_s3_join(ep, bucket, ekey)) == NULL)
		return sf_err_set(err, 500, "internal_error", NULL,
		    "out of memory");
	if (media_s3_send(c, o, put, err) == -1)
		goto out;
	if (pub != NULL && *pub != '\0')
		*url = media_s3_join(pub, "", ekey);
	else
		*url = media_s3_join(ep, bucket, ekey);
	if (*url == NULL) {
		sf_err_set(err, 500, "internal_error", NULL, "out of memory");
		goto out;
	}
	ret = 0;
out:
	free(put);
	return ret;
}
