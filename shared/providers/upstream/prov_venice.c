/*
 * Venice (api.venice.ai/api/v1): images are synchronous and come back as
 * base64 in JSON; audio and video go through /{audio,video}/queue then
 * /retrieve, which answers JSON while running and the media bytes when
 * done -- except private video models, whose download_url comes in the
 * queue answer itself; text-to-speech (/audio/speech) answers bytes
 * directly.  The queue submit is billable: resent only on a 429 or when
 * nothing was sent (providers/retry.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <cjson/cJSON.h>

#include "basics/def.h"
#include "basics/err.h"
#include "http/http.h"
#include "providers/prov.h"
#include "providers/retry.h"
#include "providers/provs.h"

#define WHO	"Venice"

struct venice {
	const struct prov_job	*j;
	const char		*key;
	char			 base[512];
	char			 auth[1024];
	const char		*hdrs[3];
};

/* Models sized by aspect_ratio (+ resolution), not width/height. */
static const char *const venice_ar_res[] = {
	"gpt-image-2", "nano-banana-pro", "nano-banana-2", NULL
};
static const char *const venice_ar_only[] = { "qwen-image-2", NULL };
static const char *const venice_ratios[] = {
	"1:1", "3:2", "2:3", "4:3", "3:4", "16:9", "9:16", "21:9", "9:21",
	NULL
};

static int
venice_in(const char *s, const char *const *set)
{
	for (; *set != NULL; set++)
		if (strcmp(s, *set) == 0)
			return 1;
	return 0;
}

static int
venice_fail(const struct venice *v, const struct http_resp *h,
    struct sf_err *err)
{
	const char	*cv = http_header(h, "x-venice-is-content-violation");

	if (cv != NULL && strcasecmp(cv, "true") == 0 && h->status >= 400 &&
	    h->status < 500)
		return sf_err_set(err, 422, "content_moderated", NULL,
		    WHO " refused the request on content grounds; change the "
		    "prompt or input");
	return prov_http_error(WHO, h->status, h->body.p, v->key, err);
}

static int
venice_image(struct venice *v, struct prov_result *r, struct sf_err *err)
{
	const cJSON	*req = v->j->req, *imgs, *it;
	struct http_resp h;
	cJSON		*b, *res = NULL;
	const char	*s;
	char		 url[640];
	double		 d;
	int		 w, ht, rc = -1, bval;

	if ((b = cJSON_CreateObject()) == NULL)
		return sf_err_set(err, 500, "internal_error", NULL, "oom");
	prov_size(req, &w, &ht);
	cJSON_AddStringToObject(b, "model", v->j->upstream);
	cJSON_AddStringToObject(b, "prompt", prov_prompt(req) ?
	    prov_prompt(req) : "");
	if ((s = prov_str(req, "negative_prompt")) != NULL && *s != '\0')
		cJSON_AddStringToObject(b, "negative_prompt", s);
	if (venice_in(v->j->upstream, venice_ar_res) ||
	    venice_in(v->j->upstream, venice_ar_only)) {
		cJSON_AddStringToObject(b, "aspect_ratio",
		    (s = prov_str(req, "aspect_ratio")) != NULL ? s :
		    prov_aspect(w, ht, venice_ratios));
		if (venice_in(v->j->upstream, venice_ar_res))
			cJSON_AddStringToObject(b, "resolution",
			    (s = prov_str(req, "resolution")) != NULL ? s :
			    (w > 2048 || ht > 2048) ? "4K" :
			    (w > 1024 || ht > 1024) ? "2K" : "1K");
	} else {
		cJSON_AddNumberToObject(b, "width", w ? w : 1024);
		cJSON_AddNumberToObject(b, "height", ht ? ht : 1024);
	}
	if (prov_num(req, "steps", &d) == 0)
		cJSON_AddNumberToObject(b, "steps", d);
	if (prov_num(req, "cfg_scale", &d) == 0 && d > 0)
		cJSON_AddNumberToObject(b, "cfg_scale", d);
	if (prov_num(req, "seed", &d) == 0)
		cJSON_AddNumberToObject(b, "seed", d);
	if ((s = prov_str(req, "quality")) != NULL)
		cJSON_AddStringToObject(b, "quality", s);
	if (prov_num(req, "num_images", &d) == 0 && d > 1)
		cJSON_AddNumberToObject(b, "variants",
		    d > PROV_MAX_OUT ? PROV_MAX_OUT : d);
	/* Venice's defaults surprise (webp, blur, watermark): say it all. */
	cJSON_AddStringToObject(b, "format", "png");
	bval = strcmp(prov_cfg(v->j, "VENICE_SAFE_MODE", "1"), "0") != 0;
	cJSON_AddBoolToObject(b, "safe_mode", bval);
	cJSON_AddBoolToObject(b, "hide_watermark", 1);
	cJSON_AddBoolToObject(b, "return_binary", 0);

	snprintf(url, sizeof(url), "%s/image/generate", v->base);
	if (prov_call(v->j, "POST", url, b, v->hdrs, RETRY_IDEMPOTENT, &h, err) == -1)
		goto out;
	if (!PROV_OK(&h)) {
		venice_fail(v, &h, err);
		goto out;
	}
	if ((s = http_header(&h, "x-venice-is-blurred")) != NULL &&
	    strcasecmp(s, "true") == 0) {
		/* A blurred picture is not what was paid for. */
		sf_err_set(err, 422, "content_moderated", NULL,
		    WHO " blurred the result under its content policy; change "
		    "the prompt");
		goto out;
	}
	if ((res = prov_json(&h, WHO, err)) == NULL)
		goto out;
	if ((s = prov_str(res, "id")) == NULL)
		s = http_header(&h, "cf-ray");
	prov_request_id(v->j, r, s);
	imgs = cJSON_GetObjectItemCaseSensitive(res, "images");
	if (!cJSON_IsArray(imgs) || cJSON_GetArraySize(imgs) == 0) {
		sf_err_set(err, 502, "upstream_error", NULL,
		    WHO " returned no image");
		goto out;
	}
	cJSON_ArrayForEach(it, imgs)
		if (!cJSON_IsString(it) ||
		    prov_out_b64(r, it->valuestring, "image/png", err) == -1)
			goto out;
	(void)prov_seed(req, "seed", r);
	if (w && ht && !venice_in(v->j->upstream, venice_ar_res) &&
	    !venice_in(v->j->upstream, venice_ar_only)) {
		r->width = w;
		r->height = ht;
	}
	rc = 0;
out:
	http_resp_free(&h);
	cJSON_Delete(b);
	cJSON_Delete(res);
	return rc;
}

/* Bytes answer: store them.  0 done, 1 not bytes (JSON), -1 error. */
static int
venice_bytes(const struct http_resp *h, struct prov_result *r,
    const char *kind, struct sf_err *err)
{
	const char	*ct = http_header(h, "content-type");

	if (ct == NULL || strncasecmp(ct, "application/json", 16) == 0)
		return 1;
	if (strncasecmp(ct, kind, strlen(kind)) != 0 &&
	    strncasecmp(ct, "application/octet-stream", 24) != 0)
		return sf_err_set(err, 502, "upstream_error", NULL,
		    WHO " returned unexpected content");
	return prov_out_bytes(r, h->body.p, h->body.len, ct, err) == -1 ?
	    -1 : 0;
}

static int
venice_speech(struct venice *v, struct prov_result *r, struct sf_err *err)
{
	struct http_resp h;
	cJSON		*b;
	const char	*s;
	char		 url[640];
	double		 d;
	int		 rc = -1;

	if ((b = cJSON_CreateObject()) == NULL)
		return sf_err_set(err, 500, "internal_error", NULL, "oom");
	cJSON_AddStringToObject(b, "model", v->j->upstream);
	cJSON_AddStringToObject(b, "input", prov_prompt(v->j->req) ?
	    prov_prompt(v->j->req) : "");
	/* Venice's default voice (CreateSpeechRequestSchema), named. */
	if ((s = prov_str(v->j->req, "voice")) == NULL)
		s = "af_sky";
	cJSON_AddStringToObject(b, "voice", s);
	snprintf(r->voice, sizeof(r->voice), "%s", s);
	if (prov_num(v->j->req, "speed", &d) == 0)
		cJSON_AddNumberToObject(b, "speed", d);
	if ((s = prov_str(v->j->req, "language")) != NULL)
		cJSON_AddStringToObject(b, "language", s);
	s = prov_str(v->j->req, "format");
	cJSON_AddStringToObject(b, "response_format",
	    s != NULL && strcmp(s, "wav") == 0 ? "wav" : "mp3");
	snprintf(url, sizeof(url), "%s/audio/speech", v->base);
	if (prov_call(v->j, "POST", url, b, v->hdrs, RETRY_IDEMPOTENT, &h, err) == -1)
		goto out;
	if (!PROV_OK(&h)) {
		venice_fail(v, &h, err);
		goto out;
	}
	prov_request_id(v->j, r, http_header(&h, "cf-ray"));
	if ((rc = venice_bytes(&h, r, "audio/", err)) == 1)
		rc = sf_err_set(err, 502, "upstream_error", NULL,
		    WHO " returned no audio");
out:
	http_resp_free(&h);
	cJSON_Delete(b);
	return rc;
}

/* The QueueRequest of kind ("audio", "video") for the job's request. */
static cJSON *
venice_queue_body(const struct venice *v, int video)
{
	const cJSON	*req = v->j->req;
	const char	*s;
	cJSON		*b;
	double		 d;
	int		 x;
	char		 ds[16];

	if ((b = cJSON_CreateObject()) == NULL)
		return NULL;
	cJSON_AddStringToObject(b, "model", v->j->upstream);
	cJSON_AddStringToObject(b, "prompt", prov_prompt(req) ?
	    prov_prompt(req) : "");
	if (prov_num(req, "duration", &d) == 0) {
		if (video) {
			snprintf(ds, sizeof(ds), "%ds", (int)d);
			cJSON_AddStringToObject(b, "duration", ds);
		} else
			cJSON_AddNumberToObject(b, "duration_seconds", d);
	} else if (video)
		/* Required by QueueVideoRequest; "auto" lets the model pick. */
		cJSON_AddStringToObject(b, "duration", "auto");
	if (prov_bool(req, "instrumental", &x) == 0)
		cJSON_AddBoolToObject(b, "force_instrumental", x);
	if ((s = prov_str(req, "lyrics")) != NULL)
		cJSON_AddStringToObject(b, "lyrics_prompt", s);
	if (prov_bool(req, "loop", &x) == 0)
		cJSON_AddBoolToObject(b, "loop", x);
	if (video) {
		if ((s = prov_str(req, "aspect_ratio")) != NULL)
			cJSON_AddStringToObject(b, "aspect_ratio", s);
		if ((s = prov_str(req, "resolution")) != NULL)
			cJSON_AddStringToObject(b, "resolution", s);
		if ((s = prov_str(req, "image_url")) != NULL)
			cJSON_AddStringToObject(b, "image_url", s);
		if (prov_bool(req, "generate_audio", &x) == 0)
			cJSON_AddBoolToObject(b, "audio", x);
	}
	return b;
}

/*
 * Queue it: the queue id in qid, a private video model's download URL
 * (Venice hands it once, here) in dl, both handed to the caller
 * (prov_upstream) before the first poll.  0, or -1 with err.
 */
static int
venice_submit(struct venice *v, const char *kind, struct prov_result *r,
    char *qid, size_t qsz, char *dl, size_t dsz, struct sf_err *err)
{
	struct http_resp h;
	cJSON		*b, *res = NULL;
	const char	*s;
	char		 url[640];
	int		 rc = -1;

	memset(&h, 0, sizeof(h));
	if ((b = venice_queue_body(v, strcmp(kind, "video") == 0)) == NULL)
		return sf_err_set(err, 500, "internal_error", NULL, "oom");
	snprintf(url, sizeof(url), "%s/%s/queue", v->base, kind);
	if (prov_call(v->j, "POST", url, b, v->hdrs, RETRY_SUBMIT,
	    &h, err) == -1)
		goto out;
	if (!PROV_OK(&h)) {
		venice_fail(v, &h, err);
		goto out;
	}
	if ((res = prov_json(&h, WHO, err)) == NULL)
		goto out;
	if ((s = prov_str(res, "queue_id")) == NULL) {
		sf_err_set(err, 502, "upstream_error", NULL,
		    WHO " returned no queue id");
		goto out;
	}
	snprintf(qid, qsz, "%s", s);
	prov_request_id(v->j, r, qid);
	/*
	 * Private video models hand the download_url once, in this answer;
	 * /video/retrieve then answers JSON status only, and the URL is to
	 * be fetched "after status is COMPLETED" (Venice's OpenAPI,
	 * QueueVideoResponse.download_url).
	 */
	dl[0] = '\0';
	if ((s = prov_str(res, "download_url")) != NULL)
		snprintf(dl, dsz, "%s", s);
	prov_upstream_pairs(v->j, "queue_id", qid, "kind", kind,
	    "download_url", dl[0] != '\0' ? dl : NULL, NULL);
	rc = 0;
out:
	http_resp_free(&h);
	cJSON_Delete(b);
	cJSON_Delete(res);
	return rc;
}

/*
 * One retrieve answer: 1 done (the bytes, or the private model's URL,
 * added), 0 still running (progress told), -1 failed.
 */
static int
venice_retrieved(struct venice *v, struct http_resp *h, const char *want,
    char *dl, size_t dsz, struct prov_result *r, struct sf_err *err)
{
	cJSON		*res;
	const char	*s;
	char		 pr[64];
	int		 x, rc = 0;

	if ((x = venice_bytes(h, r, want, err)) == -1)
		return -1;
	if (x == 0)
		return 1;
	if ((res = prov_json(h, WHO, err)) == NULL)
		return -1;
	/* Private video models answer a short-lived download URL. */
	if ((s = prov_str(res, "download_url")) != NULL)
		snprintf(dl, dsz, "%s", s);
	s = prov_str(res, "status");
	if (dl[0] != '\0' && s != NULL && strcasecmp(s, "COMPLETED") == 0)
		rc = prov_out_url(r, dl, NULL, err) == -1 ? -1 : 1;
	else if (s != NULL && (strcasecmp(s, "FAILED") == 0 ||
	    strcasecmp(s, "ERROR") == 0))
		rc = sf_err_set(err, 502, "upstream_error", NULL,
		    WHO " reported the job failed");
	else {
		snprintf(pr, sizeof(pr), "%.32s at Venice", s != NULL ? s :
		    "queued");
		prov_progress(v->j, pr);
	}
	cJSON_Delete(res);
	return rc;
}

/* Audio (music, sound effects) and video: queue, then retrieve. */
static int
venice_queue(struct venice *v, const char *kind, struct prov_result *r,
    struct sf_err *err)
{
	const cJSON	*ref;
	struct http_resp h;
	cJSON		*rb;
	const char	*want = strcmp(kind, "video") == 0 ? "video/" : "audio/";
	char		 url[640], qid[128], dl[1024];
	double		 d;
	int		 n, why, done = 0, rc = -1;

	memset(&h, 0, sizeof(h));
	/* A job taken over polls the queue id its first runner got. */
	if ((ref = prov_resume(v->j)) != NULL) {
		if (prov_str(ref, "queue_id") == NULL)
			return sf_err_set(err, 502, "upstream_error", NULL,
			    WHO ": the stored job has no queue id");
		snprintf(qid, sizeof(qid), "%s", prov_str(ref, "queue_id"));
		snprintf(dl, sizeof(dl), "%s", prov_str(ref, "download_url") ?
		    prov_str(ref, "download_url") : "");
		prov_request_id(v->j, r, qid);
	} else if (venice_submit(v, kind, r, qid, sizeof(qid), dl, sizeof(dl),
	    err) == -1)
		return -1;
	if ((rb = cJSON_CreateObject()) == NULL)
		return sf_err_set(err, 500, "internal_error", NULL, "oom");
	cJSON_AddStringToObject(rb, "model", v->j->upstream);
	cJSON_AddStringToObject(rb, "queue_id", qid);
	snprintf(url, sizeof(url), "%s/%s/retrieve", v->base, kind);
	for (n = 0; !done; n++) {
		/* Venice has no cancel; the queue id is in the ledger. */
		if ((why = prov_poll_sleep(v->j, n)) != 0) {
			if (why == -1)
				sf_err_set(err, 504, "upstream_timeout", NULL,
				    WHO " did not finish in time");
			else
				prov_stopped(WHO, why, 0, err);
			goto out;
		}
		http_resp_free(&h);
		if (prov_call(v->j, "POST", url, rb, v->hdrs,
		    RETRY_IDEMPOTENT, &h, err) == -1)
			goto out;
		if (!PROV_OK(&h)) {
			venice_fail(v, &h, err);
			goto out;
		}
		if ((done = venice_retrieved(v, &h, want, dl, sizeof(dl), r,
		    err)) == -1)
			goto out;
	}
	if (prov_num(v->j->req, "duration", &d) == 0)
		r->duration = d;
	/* The download URL is fetched after this: Venice's copy stays. */
	if (dl[0] != '\0') {
		rc = 0;
		goto out;
	}
	/* Best effort: the media is ours now, free Venice's copy. */
	http_resp_free(&h);
	snprintf(url, sizeof(url), "%s/%s/complete", v->base, kind);
	if (prov_call(v->j, "POST", url, rb, v->hdrs, RETRY_NONE, &h, NULL) == 0)
		(void)0;
	rc = 0;
out:
	http_resp_free(&h);
	cJSON_Delete(rb);
	return rc;
}

int
prov_venice_run(const struct prov_job *j, struct prov_result *r,
    struct sf_err *err)
{
	struct venice	 v;
	const char	*media = j->ep != NULL && j->ep->media != NULL ?
			    j->ep->media : "image";

	memset(&v, 0, sizeof(v));
	v.j = j;
	snprintf(r->source, sizeof(r->source), "venice");
	snprintf(r->model, sizeof(r->model), "%s", j->upstream);
	if ((v.key = provs_key(j)) == NULL)
		return sf_err_set(err, 503, "provider_unavailable", NULL,
		    "no Venice API key is configured");
	provs_base(j, v.base, sizeof(v.base));
	snprintf(v.auth, sizeof(v.auth), "Authorization: Bearer %s", v.key);
	v.hdrs[0] = v.auth;
	v.hdrs[1] = "Accept: application/json, */*";
	if (strncmp(j->upstream, "tts-", 4) == 0)
		return venice_speech(&v, r, err);
	if (strcmp(media, "audio") == 0)
		return venice_queue(&v, "audio", r, err);
	if (strcmp(media, "video") == 0)
		return venice_queue(&v, "video", r, err);
	return venice_image(&v, r, err);
}
