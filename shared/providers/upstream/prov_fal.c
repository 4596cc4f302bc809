/*
 * fal.ai queue API: submit to <queue>/<endpoint id>, hand the request id
 * to the caller before the first poll (a paid job must never be lost),
 * poll the returned status_url with backoff, fetch the returned
 * response_url, and PUT the cancel_url when our deadline passes.  The
 * returned URLs are used verbatim: fal builds them from {owner}/{alias}
 * only, never from the full endpoint path.
 */
#include <math.h>
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

#define WHO	"fal"

struct fal {
	const struct prov_job	*j;
	const char		*key;
	char			 base[512];
	char			 auth[1024];
	char			 tmo[64];
	const char		*hdrs[4];
};

static int
fal_has(const char *id, const char *const *set)
{
	for (; *set != NULL; set++)
		if (strstr(id, *set) != NULL)
			return 1;
	return 0;
}

/* Families, by a substring of the endpoint id (providers.md §3.8). */
static const char *const fal_by_aspect[] = {
	"xai/", "imagineart/", "nano-banana", "imagen", "seedance",
	"flux-pro/v1.1-ultra", "kontext", NULL
};
static const char *const fal_no_seed[] = {
	"recraft/", "xai/", "gpt-image", "seedream/v5", "elevenlabs/", NULL
};
static const char *const fal_steps[] = {
	"hunyuan-image", "z-image", "flux/schnell", "flux/dev",
	"stable-diffusion", "flux-2/klein", "qwen-image-edit", NULL
};
static const char *const fal_guidance[] = {
	"hunyuan-image", "flux/dev", "stable-diffusion", "qwen-image-edit",
	NULL
};
static const char *const fal_negative[] = {
	"qwen-image-2", "hunyuan-image", "wan/", "stable-diffusion",
	"ideogram", "bria/expand", NULL
};
static const char *const fal_no_format[] = {
	"recraft/", "seedream", "imagineart/", "seedance", "bria/", NULL
};
static const char *const fal_ratios[] = {
	"1:1", "4:3", "3:4", "3:2", "2:3", "16:9", "9:16", "21:9", NULL
};
static const char *const fal_gpt15_sizes[] = {
	"1:1", "3:2", "2:3", NULL
};
/* Edit models whose input is a list of images, not one image_url. */
static const char *const fal_image_list[] = {
	"seedream", "nano-banana", "gpt-image", "flux-2/", NULL
};

/* fal's image_size preset for a ratio, for models that take no ratio. */
static const char *
fal_preset(const char *ratio)
{
	static const char *const t[][2] = {
		{ "1:1", "square_hd" }, { "4:3", "landscape_4_3" },
		{ "3:4", "portrait_4_3" }, { "16:9", "landscape_16_9" },
		{ "9:16", "portrait_16_9" }, { NULL, NULL }
	};
	size_t	 i;

	for (i = 0; t[i][0] != NULL; i++)
		if (strcmp(t[i][0], ratio) == 0)
			return t[i][1];
	return NULL;
}

/* Scale w x h up (keeping the ratio) to at least min pixels, 16-aligned. */
static void
fal_min_area(int *w, int *h, double min)
{
	double	 f;

	if ((double)*w * *h >= min)
		return;
	f = sqrt(min / ((double)*w * *h));
	*w = ((int)ceil(*w * f) + 15) / 16 * 16;
	*h = ((int)ceil(*h * f) + 15) / 16 * 16;
}

/* Our request fields that never go to fal under their own name. */
static const char *const fal_ours[] = {
	"tier", "model", "format", "width", "height", "steps", "cfg_scale",
	"audio", "bitrate", "language", "instrumental", "lyrics", "duration",
	"scale", "face_enhance", "text", "prompt", "num_images", "seed",
	"negative_prompt", "aspect_ratio", "resolution", NULL
};

static int
fal_is_ours(const char *k)
{
	const char *const *p;

	for (p = fal_ours; *p != NULL; p++)
		if (strcmp(*p, k) == 0)
			return 1;
	return 0;
}

static void
fal_size(cJSON *b, const struct prov_job *j, const char *media)
{
	const cJSON	*req = j->req;
	const char	*id = j->upstream, *s;
	cJSON		*o;
	int		 w, h;

	prov_size(req, &w, &h);
	/* Size: an aspect ratio, a fixed list, or {width, height}. */
	if ((s = prov_str(req, "aspect_ratio")) != NULL) {
		cJSON_AddStringToObject(b, "aspect_ratio", s);
		/* Recraft, Ideogram, SD, Qwen: the ratio as a size preset. */
		if (!(w && h) && !fal_has(id, fal_by_aspect) &&
		    fal_preset(s) != NULL)
			cJSON_AddStringToObject(b, "image_size", fal_preset(s));
	} else if (w && h && fal_has(id, fal_by_aspect))
		cJSON_AddStringToObject(b, "aspect_ratio",
		    prov_aspect(w, h, fal_ratios));
	if (w && h && strstr(id, "gpt-image-1.5") != NULL) {
		s = prov_aspect(w, h, fal_gpt15_sizes);
		cJSON_AddStringToObject(b, "image_size",
		    strcmp(s, "1:1") == 0 ? "1024x1024" :
		    strcmp(s, "3:2") == 0 ? "1536x1024" : "1024x1536");
	} else if (w && h && !fal_has(id, fal_by_aspect)) {
		/* Keep within each model's documented pixel floor. */
		if (strstr(id, "seedream/v4") != NULL)
			fal_min_area(&w, &h, 960.0 * 960);
		else if (strstr(id, "seedream/v5") != NULL)
			fal_min_area(&w, &h, 2560.0 * 1440);
		else if (strstr(id, "qwen-image-2") != NULL)
			fal_min_area(&w, &h, 512.0 * 512);
		if ((o = cJSON_AddObjectToObject(b, "image_size")) != NULL) {
			cJSON_AddNumberToObject(o, "width", w);
			cJSON_AddNumberToObject(o, "height", h);
		}
	}
	if ((s = prov_str(req, "resolution")) != NULL)
		cJSON_AddStringToObject(b, "resolution", s);
	else if (fal_has(id, fal_by_aspect) && (w > 1024 || h > 1024) &&
	    strcmp(media, "image") == 0)
		cJSON_AddStringToObject(b, "resolution",
		    strstr(id, "xai/") != NULL ? "2k" : "2K");
}

static cJSON *
fal_input(const struct prov_job *j)
{
	const cJSON	*req = j->req, *it;
	const char	*id = j->upstream, *s, *media, *fmt;
	cJSON		*b, *a;
	double		 d;
	int		 x;
	char		 ds[16];

	media = j->ep != NULL && j->ep->media != NULL ? j->ep->media : "image";
	if ((b = cJSON_CreateObject()) == NULL)
		return NULL;
	/*
	 * Endpoint-specific inputs (expand_left, mode, output_mask, voice,
	 * stability, ...) already carry fal's names: pass them through;
	 * fal ignores inputs a model does not declare.
	 */
	cJSON_ArrayForEach(it, req)
		if (it->string != NULL && !fal_is_ours(it->string))
			cJSON_AddItemToObject(b, it->string,
			    cJSON_Duplicate(it, 1));
	if ((s = prov_prompt(req)) != NULL) {
		cJSON_AddStringToObject(b, "prompt", s);
		/* ElevenLabs and the speech models call it text. */
		if (strstr(id, "elevenlabs/") != NULL ||
		    strstr(id, "speech") != NULL || strstr(id, "tts") != NULL)
			cJSON_AddStringToObject(b, "text", s);
	}
	if ((s = prov_str(req, "image_url")) != NULL &&
	    fal_has(id, fal_image_list) &&
	    cJSON_GetObjectItemCaseSensitive(b, "image_urls") == NULL &&
	    (a = cJSON_AddArrayToObject(b, "image_urls")) != NULL)
		cJSON_AddItemToArray(a, cJSON_CreateString(s));
	if (strcmp(media, "image") == 0)
		fal_size(b, j, media);
	else if ((s = prov_str(req, "aspect_ratio")) != NULL)
		cJSON_AddStringToObject(b, "aspect_ratio", s);
	if (strcmp(media, "video") == 0 &&
	    (s = prov_str(req, "resolution")) != NULL)
		cJSON_AddStringToObject(b, "resolution", s);

	if (prov_num(req, "duration", &d) == 0) {
		if (strstr(id, "elevenlabs/sound") != NULL)
			cJSON_AddNumberToObject(b, "duration_seconds", d);
		else if (strstr(id, "elevenlabs/music") != NULL)
			cJSON_AddNumberToObject(b, "music_length_ms", d * 1000);
		else if (strstr(id, "stable-audio") != NULL)
			cJSON_AddNumberToObject(b, "seconds_total", d);
		else if (strstr(id, "seedance") != NULL) {
			snprintf(ds, sizeof(ds), "%d", (int)d);
			cJSON_AddStringToObject(b, "duration", ds);
		} else
			cJSON_AddNumberToObject(b, "duration", d);
	}
	if (prov_bool(req, "instrumental", &x) == 0)
		cJSON_AddBoolToObject(b, "force_instrumental", x);
	if ((s = prov_str(req, "lyrics")) != NULL)
		cJSON_AddStringToObject(b, "lyrics_prompt", s);
	if (prov_bool(req, "audio", &x) == 0)
		cJSON_AddBoolToObject(b, "generate_audio", x);
	if ((s = prov_str(req, "bitrate")) != NULL)
		cJSON_AddStringToObject(b, "bitrate_mode", s);
	if ((s = prov_str(req, "language")) != NULL)
		cJSON_AddStringToObject(b, "language_code", s);
	if (prov_num(req, "scale", &d) == 0)
		cJSON_AddNumberToObject(b, strstr(id, "esrgan") != NULL ?
		    "scale" : "upscale_factor", d);
	if (prov_bool(req, "face_enhance", &x) == 0)
		cJSON_AddBoolToObject(b, "face", x);

	if (prov_num(req, "seed", &d) == 0 && !fal_has(id, fal_no_seed))
		cJSON_AddNumberToObject(b, "seed", d);
	if (prov_num(req, "steps", &d) == 0 && fal_has(id, fal_steps))
		cJSON_AddNumberToObject(b, "num_inference_steps", d);
	if (prov_num(req, "cfg_scale", &d) == 0 && d > 0 &&
	    fal_has(id, fal_guidance))
		cJSON_AddNumberToObject(b, "guidance_scale", d);
	if ((s = prov_str(req, "negative_prompt")) != NULL && *s != '\0' &&
	    fal_has(id, fal_negative))
		cJSON_AddStringToObject(b, "negative_prompt", s);
	if (prov_num(req, "num_images", &d) == 0 && d > 1)
		cJSON_AddNumberToObject(b, "num_images",
		    d > PROV_MAX_OUT ? PROV_MAX_OUT : d);
	fmt = prov_str(req, "format");
	if (strcmp(media, "image") == 0 && !fal_has(id, fal_no_format))
		cJSON_AddStringToObject(b, "output_format",
		    fmt != NULL && strcmp(fmt, "webp") == 0 ? "webp" : "png");
	else if (strcmp(media, "audio") == 0 &&
	    strstr(id, "elevenlabs/") != NULL &&
	    (fmt == NULL || strcmp(fmt, "mp3") == 0))
		cJSON_AddStringToObject(b, "output_format", "mp3_44100_128");
	return b;
}

/* One file object {url, content_type, width?, height?}. */
static int
fal_file(const cJSON *f, struct prov_result *r, struct sf_err *err)
{
	double	 d;

	if (prov_out_url(r, prov_str(f, "url"), prov_str(f, "content_type"),
	    err) == -1)
		return -1;
	if (r->width == 0 && prov_num(f, "width", &d) == 0)
		r->width = (int)d;
	if (r->height == 0 && prov_num(f, "height", &d) == 0)
		r->height = (int)d;
	if (r->duration == 0 && prov_num(f, "duration", &d) == 0)
		r->duration = d;
	return 0;
}

static int
fal_outputs(const cJSON *res, struct prov_result *r, struct sf_err *err)
{
	static const char *const singles[] = {
		"image", "video", "audio", "audio_file", NULL
	};
	const cJSON	*a, *it, *s;
	size_t		 i;
	double		 d;

	a = cJSON_GetObjectItemCaseSensitive(res, "images");
	if (cJSON_IsArray(a))
		cJSON_ArrayForEach(it, a)
			if (fal_file(it, r, err) == -1)
				return -1;
	for (i = 0; r->nout == 0 && singles[i] != NULL; i++) {
		it = cJSON_GetObjectItemCaseSensitive(res, singles[i]);
		if (cJSON_IsObject(it) && fal_file(it, r, err) == -1)
			return -1;
	}
	if (r->nout == 0)
		return sf_err_set(err, 502, "upstream_error", NULL,
		    WHO " returned no media");
	s = cJSON_GetObjectItemCaseSensitive(res, "seed");
	/* Seeds may exceed 2^53; long long keeps what double still holds. */
	if (cJSON_IsNumber(s) && fabs(s->valuedouble) < 9.2e18) {
		r->seed = (long long)s->valuedouble;
		r->has_seed = 1;
	}
	if (prov_num(res, "duration", &d) == 0)
		r->duration = d;
	return 0;
}

/* Best effort: stop a job we will not wait for (it may stop the bill). */
static void
fal_cancel(struct fal *f, const char *url)
{
	struct prov_job	 cj = *f->j;
	struct http_resp h;

	if (url == NULL)
		return;
	cj.deadline_ms = http_now_ms() + 3000;
	if (prov_call(&cj, "PUT", url, NULL, f->hdrs, RETRY_NONE, &h, NULL) == 0)
		(void)0;
	http_resp_free(&h);
}

/* COMPLETED with an error field: classify it. */
static int
fal_status_error(const cJSON *st, const char *key, struct sf_err *err)
{
	const char	*e = prov_str(st, "error"), *t;
	char		 m[320];

	t = prov_str(st, "error_type");
	prov_sanitise(m, sizeof(m), e, key);
	if (prov_is_moderation(t) || prov_is_moderation(m))
		return sf_err_set(err, 422, "content_moderated", NULL,
		    WHO " refused the request on content grounds: %s", m);
	if (strstr(m, "422") != NULL || (t != NULL &&
	    (strstr(t, "validation") != NULL || strstr(t, "invalid") != NULL)))
		return sf_err_set(err, 422, "upstream_rejected", NULL,
		    WHO " rejected the request: %s", m);
	return sf_err_set(err, 502, "upstream_error", NULL,
	    WHO " reported the job failed: %s", m);
}

int
prov_fal_run(const struct prov_job *j, struct prov_result *r,
    struct sf_err *err)
{
	struct fal	 f;
	struct http_resp h;
	cJSON		*in = NULL, *sub = NULL, *st = NULL, *res = NULL;
	const char	*s;
	char		 url[1024], stat_url[1024], resp_url[1024];
	char		 cancel_url[1024];
	int64_t		 left;
	int		 n, rc = -1;

	memset(&f, 0, sizeof(f));
	memset(&h, 0, sizeof(h));
	f.j = j;
	snprintf(r->source, sizeof(r->source), "fal");
	snprintf(r->model, sizeof(r->model), "%s", j->upstream);
	if ((f.key = provs_key(j)) == NULL)
		return sf_err_set(err, 503, "provider_unavailable", NULL,
		    "no fal key is configured");
	provs_base(j, f.base, sizeof(f.base));
	snprintf(f.auth, sizeof(f.auth), "Authorization: Key %s", f.key);
	f.hdrs[0] = f.auth;
	f.hdrs[1] = "Accept: application/json";
	/* A time-to-start bound, so a job stuck in the queue ends itself. */
	left = (j->deadline_ms - http_now_ms()) / 1000;
	if (left > 2) {
		snprintf(f.tmo, sizeof(f.tmo), "X-Fal-Request-Timeout: %lld",
		    (long long)left);
		f.hdrs[2] = f.tmo;
	}

	if ((in = fal_input(j)) == NULL)
		return sf_err_set(err, 500, "internal_error", NULL, "oom");
	snprintf(url, sizeof(url), "%s/%s", f.base, j->upstream);
	if (prov_call(j, "POST", url, in, f.hdrs, RETRY_IDEMPOTENT, &h, err) == -1)
		goto out;
	f.hdrs[2] = NULL;
	if (!PROV_OK(&h)) {
		prov_http_error(WHO, h.status, h.body.p, f.key, err);
		goto out;
	}
	if ((sub = prov_json(&h, WHO, err)) == NULL)
		goto out;
	if ((s = prov_str(sub, "request_id")) == NULL ||
	    prov_str(sub, "status_url") == NULL ||
	    prov_str(sub, "response_url") == NULL) {
		sf_err_set(err, 502, "upstream_error", NULL,
		    WHO " returned no request id");
		goto out;
	}
	prov_request_id(j, r, s);
	snprintf(stat_url, sizeof(stat_url), "%s",
	    prov_str(sub, "status_url"));
	snprintf(resp_url, sizeof(resp_url), "%s",
	    prov_str(sub, "response_url"));
	snprintf(cancel_url, sizeof(cancel_url), "%s",
	    prov_str(sub, "cancel_url") ? prov_str(sub, "cancel_url") : "");

	for (n = 0;; n++) {
		if (prov_poll_sleep(j, n) == -1) {
			fal_cancel(&f, cancel_url[0] ? cancel_url : NULL);
			sf_err_set(err, 504, "upstream_timeout", NULL,
			    WHO " did not finish in time; the job was "
			    "cancelled");
			goto out;
		}
		http_resp_free(&h);
		if (prov_call(j, "GET", stat_url, NULL, f.hdrs, RETRY_IDEMPOTENT, &h,
		    err) == -1) {
			if (err != NULL && err->status == 504)
				fal_cancel(&f, cancel_url[0] ?
				    cancel_url : NULL);
			goto out;
		}
		if (!PROV_OK(&h)) {
			prov_http_error(WHO, h.status, h.body.p, f.key, err);
			goto out;
		}
		cJSON_Delete(st);
		if ((st = prov_json(&h, WHO, err)) == NULL)
			goto out;
		if ((s = prov_str(st, "status")) == NULL) {
			sf_err_set(err, 502, "upstream_error", NULL,
			    WHO " returned no job status");
			goto out;
		}
		if (strcmp(s, "IN_QUEUE") == 0 || strcmp(s, "IN_PROGRESS") == 0)
			continue;
		if (strcmp(s, "COMPLETED") != 0) {
			/* FAILED, CANCELED or unknown: terminal. */
			sf_err_set(err, 502, "upstream_error", NULL,
			    WHO " ended the job with status %.32s", s);
			goto out;
		}
		if (prov_str(st, "error") != NULL) {
			fal_status_error(st, f.key, err);
			goto out;
		}
		break;
	}
	http_resp_free(&h);
	if (prov_call(j, "GET", resp_url, NULL, f.hdrs,
	    RETRY_IDEMPOTENT, &h, err) == -1)
		goto out;
	/* COMPLETED is not success: the result carries the model's code. */
	if (!PROV_OK(&h)) {
		prov_http_error(WHO, h.status, h.body.p, f.key, err);
		goto out;
	}
	if ((res = prov_json(&h, WHO, err)) == NULL)
		goto out;
	if (fal_outputs(res, r, err) == -1)
		goto out;
	rc = 0;
out:
	http_resp_free(&h);
	cJSON_Delete(in);
	cJSON_Delete(sub);
	cJSON_Delete(st);
	cJSON_Delete(res);
	return rc;
}
