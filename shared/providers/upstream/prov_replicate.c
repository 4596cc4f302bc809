/*
 * Replicate predictions: create with "Prefer: wait" (the answer holds up
 * to 60 s and often carries the output), else poll urls.get with backoff;
 * at our deadline POST urls.cancel.  Output is a URL or a list of URLs
 * that expire, so the work step fetches them at once.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <cjson/cJSON.h>

#include "basics/err.h"
#include "http/http.h"
#include "providers/prov.h"
#include "providers/retry.h"
#include "providers/provs.h"

#define WHO	"Replicate"

static cJSON *
rep_input(const struct prov_job *j)
{
	static const char *const ratios[] = {
		"1:1", "16:9", "21:9", "3:2", "2:3", "4:5", "5:4", "3:4",
		"4:3", "9:16", "9:21", NULL
	};
	const cJSON	*req = j->req;
	const char	*s;
	cJSON		*b, *in;
	double		 d;
	int		 w, h;

	if ((b = cJSON_CreateObject()) == NULL)
		return NULL;
	if (strchr(j->upstream, '/') == NULL)
		cJSON_AddStringToObject(b, "version", j->upstream);
	if ((in = cJSON_AddObjectToObject(b, "input")) == NULL) {
		cJSON_Delete(b);
		return NULL;
	}
	prov_size(req, &w, &h);
	cJSON_AddStringToObject(in, "prompt", prov_prompt(req) ?
	    prov_prompt(req) : "");
	if (w && h) {
		/* Models take one or the other; extra inputs are ignored. */
		cJSON_AddStringToObject(in, "aspect_ratio",
		    prov_aspect(w, h, ratios));
		cJSON_AddNumberToObject(in, "width", w);
		cJSON_AddNumberToObject(in, "height", h);
	}
	if (prov_num(req, "seed", &d) == 0)
		cJSON_AddNumberToObject(in, "seed", d);
	if (prov_num(req, "steps", &d) == 0)
		cJSON_AddNumberToObject(in, "num_inference_steps", d);
	if (prov_num(req, "cfg_scale", &d) == 0 && d > 0)
		cJSON_AddNumberToObject(in, "guidance", d);
	if (prov_num(req, "num_images", &d) == 0 && d > 1)
		cJSON_AddNumberToObject(in, "num_outputs",
		    d > PROV_MAX_OUT ? PROV_MAX_OUT : d);
	if ((s = prov_str(req, "negative_prompt")) != NULL && *s != '\0')
		cJSON_AddStringToObject(in, "negative_prompt", s);
	if ((s = prov_str(req, "image_url")) != NULL)
		cJSON_AddStringToObject(in, "image", s);
	if (prov_num(req, "duration", &d) == 0)
		cJSON_AddNumberToObject(in, "duration", d);
	cJSON_AddStringToObject(in, "output_format", "png");
	return b;
}

/* 1 still running, 0 done (outputs added), -1 error. */
static int
rep_state(const cJSON *p, const char *key, struct prov_result *r,
    struct sf_err *err)
{
	const cJSON	*o, *it;
	const char	*s = prov_str(p, "status");
	char		 m[320];

	if (s == NULL)
		return sf_err_set(err, 502, "upstream_error", NULL,
		    WHO " returned no prediction status");
	if (strcmp(s, "starting") == 0 || strcmp(s, "processing") == 0)
		return 1;
	if (strcmp(s, "succeeded") == 0) {
		o = cJSON_GetObjectItemCaseSensitive(p, "output");
		if (cJSON_IsString(o))
			return prov_out_url(r, o->valuestring, NULL, err);
		if (cJSON_IsArray(o) && cJSON_GetArraySize(o) > 0) {
			cJSON_ArrayForEach(it, o)
				if (!cJSON_IsString(it) ||
				    prov_out_url(r, it->valuestring, NULL,
				    err) == -1)
					return sf_err_set(err, 502,
					    "upstream_error", NULL,
					    WHO " returned a bad output");
			return 0;
		}
		return sf_err_set(err, 502, "upstream_error", NULL,
		    WHO " returned no output");
	}
	o = cJSON_GetObjectItemCaseSensitive(p, "error");
	prov_sanitise(m, sizeof(m), cJSON_IsString(o) ? o->valuestring : "",
	    key);
	if (prov_is_moderation(m))
		return sf_err_set(err, 422, "content_moderated", NULL,
		    WHO " refused the request on content grounds: %s", m);
	return sf_err_set(err, 502, "upstream_error", NULL,
	    WHO " prediction %.16s%s%s", s, m[0] ? ": " : "", m);
}

static void
rep_cancel(const struct prov_job *j, const char *const *hdrs,
    const char *url)
{
	struct prov_job	 cj = *j;
	struct http_resp h;

	if (url == NULL || *url == '\0')
		return;
	cj.deadline_ms = http_now_ms() + 3000;
	if (prov_call(&cj, "POST", url, NULL, hdrs, RETRY_NONE, &h, NULL) == 0)
		(void)0;
	http_resp_free(&h);
}

/*
 * Submit (with Prefer: wait, so a quick model answers at once): the
 * prediction in *p, its URLs in get and cancel and handed to the caller
 * (prov_upstream) before the first poll.  0, or -1 with err.
 */
static int
rep_submit(const struct prov_job *j, const char *base, const char *key,
    const char **hdrs, struct prov_result *r, cJSON **p, char *get,
    char *cancel, size_t sz, struct sf_err *err)
{
	struct http_resp h;
	const cJSON	*urls;
	cJSON		*in;
	const char	*s;
	char		 url[1024];
	int		 rc = -1;

	memset(&h, 0, sizeof(h));
	if ((in = rep_input(j)) == NULL)
		return sf_err_set(err, 500, "internal_error", NULL, "oom");
	if (strchr(j->upstream, '/') != NULL)
		snprintf(url, sizeof(url), "%s/models/%s/predictions", base,
		    j->upstream);
	else
		snprintf(url, sizeof(url), "%s/predictions", base);
	if (prov_call(j, "POST", url, in, hdrs, RETRY_SUBMIT, &h, err) == -1)
		goto out;
	if (!PROV_OK(&h)) {
		prov_http_error(WHO, h.status, h.body.p, key, err);
		goto out;
	}
	if ((*p = prov_json(&h, WHO, err)) == NULL)
		goto out;
	if ((s = prov_str(*p, "id")) == NULL) {
		sf_err_set(err, 502, "upstream_error", NULL,
		    WHO " returned no prediction id");
		goto out;
	}
	prov_request_id(j, r, s);
	urls = cJSON_GetObjectItemCaseSensitive(*p, "urls");
	snprintf(get, sz, "%s", prov_str(urls, "get") ? prov_str(urls,
	    "get") : "");
	snprintf(cancel, sz, "%s", prov_str(urls, "cancel") ?
	    prov_str(urls, "cancel") : "");
	prov_upstream_pairs(j, "id", s, "get", get, "cancel",
	    cancel[0] != '\0' ? cancel : NULL, NULL);
	rc = 0;
out:
	http_resp_free(&h);
	cJSON_Delete(in);
	return rc;
}

/* A job taken over: the prediction its first runner submitted. */
static int
rep_resume(const struct prov_job *j, const cJSON *ref, struct prov_result *r,
    cJSON **p, char *get, char *cancel, size_t sz, struct sf_err *err)
{
	if (prov_str(ref, "get") == NULL)
		return sf_err_set(err, 502, "upstream_error", NULL,
		    WHO ": the stored prediction has no polling URL");
	prov_request_id(j, r, prov_str(ref, "id"));
	snprintf(get, sz, "%s", prov_str(ref, "get"));
	snprintf(cancel, sz, "%s", prov_str(ref, "cancel") ?
	    prov_str(ref, "cancel") : "");
	/* Not read yet: poll it first. */
	if ((*p = cJSON_Parse("{\"status\":\"starting\"}")) == NULL)
		return sf_err_set(err, 500, "internal_error", NULL, "oom");
	return 0;
}

int
prov_replicate_run(const struct prov_job *j, struct prov_result *r,
    struct sf_err *err)
{
	struct http_resp h;
	const cJSON	*ref;
	cJSON		*p = NULL;
	const char	*key, *hdrs[4];
	char		 base[512], auth[1024], get[1024], cancel[1024];
	char		 wait[32], pr[64];
	int64_t		 left;
	int		 n, st, why, rc = -1;

	memset(&h, 0, sizeof(h));
	snprintf(r->source, sizeof(r->source), "replicate");
	snprintf(r->model, sizeof(r->model), "%s", j->upstream);
	if ((key = provs_key(j)) == NULL)
		return sf_err_set(err, 503, "provider_unavailable", NULL,
		    "no Replicate API token is configured");
	provs_base(j, base, sizeof(base));
	snprintf(auth, sizeof(auth), "Authorization: Bearer %s", key);
	left = (j->deadline_ms - http_now_ms()) / 1000 - 1;
	snprintf(wait, sizeof(wait), "Prefer: wait=%lld",
	    (long long)(left > 60 ? 60 : left < 1 ? 1 : left));
	hdrs[0] = auth;
	hdrs[1] = "Accept: application/json";
	hdrs[2] = wait;
	hdrs[3] = NULL;
	if ((ref = prov_resume(j)) != NULL ? rep_resume(j, ref, r, &p, get,
	    cancel, sizeof(get), err) == -1 : rep_submit(j, base, key, hdrs,
	    r, &p, get, cancel, sizeof(get), err) == -1)
		goto out;
	hdrs[2] = NULL;
	for (n = 0; (st = rep_state(p, key, r, err)) == 1; n++) {
		if (get[0] == '\0') {
			sf_err_set(err, 502, "upstream_error", NULL,
			    WHO " returned no polling URL");
			goto out;
		}
		snprintf(pr, sizeof(pr), "%.32s at Replicate",
		    prov_str(p, "status"));
		prov_progress(j, pr);
		if ((why = prov_poll_sleep(j, n)) != 0) {
			if (why != PROV_ABANDON)
				rep_cancel(j, hdrs, cancel);
			if (why == -1)
				sf_err_set(err, 504, "upstream_timeout", NULL,
				    WHO " did not finish in time; the "
				    "prediction was cancelled");
			else
				prov_stopped(WHO, why, cancel[0] != '\0', err);
			goto out;
		}
		http_resp_free(&h);
		if (prov_call(j, "GET", get, NULL, hdrs, RETRY_IDEMPOTENT, &h,
		    err) == -1) {
			if (err != NULL && err->status == 504)
				rep_cancel(j, hdrs, cancel);
			goto out;
		}
		if (!PROV_OK(&h)) {
			prov_http_error(WHO, h.status, h.body.p, key, err);
			goto out;
		}
		cJSON_Delete(p);
		if ((p = prov_json(&h, WHO, err)) == NULL)
			goto out;
	}
	if (st == -1)
		goto out;
	(void)prov_seed(j->req, "seed", r);
	rc = 0;
out:
	http_resp_free(&h);
	cJSON_Delete(p);
	return rc;
}

int
prov_replicate_cancel(const struct prov_job *j, const cJSON *ref,
    struct sf_err *err)
{
	const char	*key, *hdrs[3], *url = prov_str(ref, "cancel");
	char		 auth[1024];

	if ((key = provs_key(j)) == NULL)
		return sf_err_set(err, 503, "provider_unavailable", NULL,
		    "no Replicate API token is configured");
	if (url == NULL)
		return 0;
	snprintf(auth, sizeof(auth), "Authorization: Bearer %s", key);
	hdrs[0] = auth;
	hdrs[1] = "Accept: application/json";
	hdrs[2] = NULL;
	rep_cancel(j, hdrs, url);
	return 1;
}
