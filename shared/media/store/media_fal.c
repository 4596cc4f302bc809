#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "basics/cfg.h"
#include "basics/err.h"
#include "http/http.h"
#include "media/store/media_int.h"

/*
 * One storage call, sent again (at most tries - 1 times, 1 s then 2 s
 * apart, within 30 s of the first) when fal answers 429/502/503/504 or
 * the transfer broke: storing an object twice under the same name costs
 * nothing, unlike a job submit (providers/retry.h).
 */
static int
media_fal_call(const struct http_req *q, int tries, struct http_resp *r,
    struct sf_err *err)
{
	int64_t	 end = http_now_ms() + 30000;
	int	 n, rc;

	for (n = 0;; n++) {
		rc = http_do(q, r, err);
		if (n + 1 >= tries || (rc == -1 && (r->fail == HTTP_LOCAL ||
		    r->fail == HTTP_TOOLARGE)) || (rc == 0 &&
		    r->status != 429 && (r->status < 502 || r->status > 504)) ||
		    http_now_ms() + (1000L << n) >= end)
			return rc;
		http_resp_free(r);
		http_sleep_ms(1000L << n, end);
	}
}

/*
 * fal CDN storage, the JS client's path (providers.md §3.7): initiate an
 * upload on the REST host, PUT the bytes to the presigned URL, hand out
 * file_url.  The object is asked never to expire.
 */
int
media_fal_put(const struct cfg *c, const struct media_obj *o, char **url,
    struct sf_err *err)
{
	const char	*key, *base, *fname, *up, *file;
	const char	*hdrs[3];
	char		 auth[512], initurl[512];
	cJSON		*body = NULL, *ans = NULL;
	char		*txt = NULL;
	struct http_req	 q;
	struct http_resp r1, r2;
	int		 ret = -1;

	*url = NULL;
	memset(&r1, 0, sizeof(r1));
	memset(&r2, 0, sizeof(r2));
	key = cfg_get(c, "FAL_KEY");
	if (key == NULL || *key == '\0' || strpbrk(key, "\r\n") != NULL ||
	    strlen(key) > 400)
		return sf_err_set(err, 500, "config_invalid", "MEDIA_STORE",
		    "MEDIA_STORE=fal needs FAL_KEY");
	base = cfg_get_or(c, "FAL_REST_BASE_URL", "https://rest.fal.ai");
	snprintf(initurl, sizeof(initurl),
	    "%s/storage/upload/initiate?storage_type=fal-cdn-v3", base);
	snprintf(auth, sizeof(auth), "Authorization: Key %s", key);
	fname = strchr(o->name, '/') ? strchr(o->name, '/') + 1 : o->name;

	if ((body = cJSON_CreateObject()) == NULL ||
	    cJSON_AddStringToObject(body, "content_type", o->mime) == NULL ||
	    cJSON_AddStringToObject(body, "file_name", fname) == NULL ||
	    (txt = cJSON_PrintUnformatted(body)) == NULL) {
		sf_err_set(err, 500, "internal_error", NULL, "out of memory");
		goto out;
	}
	hdrs[0] = auth;
	hdrs[1] = "X-Fal-Object-Lifecycle: {\"expiration_duration_seconds\":"
	    "null}";
	hdrs[2] = NULL;
	memset(&q, 0, sizeof(q));
	q.method = "POST";
	q.url = initurl;
	q.body = txt;
	q.headers = hdrs;
	q.deadline_ms = http_now_ms() + 30000;
	q.max_body = 64 * 1024;
	if (media_fal_call(&q, 3, &r1, err) == -1)
		goto out;
	if (r1.status < 200 || r1.status >= 300) {
		sf_err_set(err, 502, "media_store_failed", NULL,
		    "fal storage refused the upload (HTTP %ld)", r1.status);
		goto out;
	}
	ans = r1.body.p ? cJSON_ParseWithLength(r1.body.p, r1.body.len) : NULL;
	up = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(ans,
	    "upload_url"));
	file = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(ans,
	    "file_url"));
	if (up == NULL || file == NULL ||
	    (strncmp(up, "https://", 8) != 0 &&
	    strncmp(up, "http://", 7) != 0) ||
	    (strncmp(file, "https://", 8) != 0 &&
	    strncmp(file, "http://", 7) != 0)) {
		sf_err_set(err, 502, "media_store_failed", NULL,
		    "fal storage gave no upload URL");
		goto out;
	}

	memset(&q, 0, sizeof(q));
	q.method = "PUT";
	q.url = up;
	q.body = o->data;
	q.bodylen = o->len;
	q.ctype = o->mime;
	q.deadline_ms = http_now_ms() + 120000;
	q.max_body = 64 * 1024;
	if (media_fal_call(&q, 2, &r2, err) == -1)
		goto out;
	if (r2.status < 200 || r2.status >= 300) {
		sf_err_set(err, 502, "media_store_failed", NULL,
		    "fal storage upload answered HTTP %ld", r2.status);
		goto out;
	}
	if ((*url = strdup(file)) == NULL) {
		sf_err_set(err, 500, "internal_error", NULL, "out of memory");
		goto out;
	}
	ret = 0;
out:
	/* The header held the key. */
	explicit_bzero(auth, sizeof(auth));
	http_resp_free(&r1);
	http_resp_free(&r2);
	cJSON_Delete(ans);
	cJSON_Delete(body);
	free(txt);
	return ret;
}
