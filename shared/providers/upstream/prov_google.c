/*
 * Google Generative Language API.  Gemini image models ("nano banana"):
 * :generateContent, images come back as inlineData parts among text
 * parts, and a request without an image part is an error (blocked
 * prompts show promptFeedback.blockReason or a non-STOP finishReason).
 * Imagen: :predict with sampleCount, base64 bytesBase64Encoded; filtered
 * samples are silently dropped, so none back means moderation.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "basics/err.h"
#include "http/http.h"
#include "providers/prov.h"
#include "providers/retry.h"
#include "providers/provs.h"

#define WHO	"Google"

static const char *const gemini_ratios[] = {
	"1:1", "2:3", "3:2", "3:4", "4:3", "4:5", "5:4", "9:16", "16:9",
	"21:9", NULL
};
static const char *const imagen_ratios[] = {
	"1:1", "3:4", "4:3", "9:16", "16:9", NULL
};

static cJSON *
gemini_input(const struct prov_job *j)
{
	const cJSON	*req = j->req;
	cJSON		*b, *c, *m, *p, *parts, *gc, *ic, *mod;
	const char	*s;
	int		 w, h;

	if ((b = cJSON_CreateObject()) == NULL)
		return NULL;
	prov_size(req, &w, &h);
	if ((c = cJSON_AddArrayToObject(b, "contents")) == NULL ||
	    (m = cJSON_CreateObject()) == NULL)
		goto fail;
	cJSON_AddItemToArray(c, m);
	cJSON_AddStringToObject(m, "role", "user");
	if ((parts = cJSON_AddArrayToObject(m, "parts")) == NULL ||
	    (p = cJSON_CreateObject()) == NULL)
		goto fail;
	cJSON_AddItemToArray(parts, p);
	cJSON_AddStringToObject(p, "text", prov_prompt(req) ?
	    prov_prompt(req) : "");
	if ((gc = cJSON_AddObjectToObject(b, "generationConfig")) == NULL ||
	    (mod = cJSON_AddArrayToObject(gc, "responseModalities")) == NULL ||
	    (ic = cJSON_AddObjectToObject(gc, "imageConfig")) == NULL)
		goto fail;
	cJSON_AddItemToArray(mod, cJSON_CreateString("TEXT"));
	cJSON_AddItemToArray(mod, cJSON_CreateString("IMAGE"));
	if ((s = prov_str(req, "aspect_ratio")) != NULL)
		cJSON_AddStringToObject(ic, "aspectRatio", s);
	else if (w && h)
		cJSON_AddStringToObject(ic, "aspectRatio",
		    prov_aspect(w, h, gemini_ratios));
	/* Upper-case K, or the API refuses it. */
	cJSON_AddStringToObject(ic, "imageSize",
	    (w > 2048 || h > 2048) ? "4K" : (w > 1024 || h > 1024) ? "2K" : "1K");
	return b;
fail:
	cJSON_Delete(b);
	return NULL;
}

static cJSON *
imagen_input(const struct prov_job *j)
{
	const cJSON	*req = j->req;
	cJSON		*b, *in, *i, *pa;
	const char	*s;
	double		 d;
	int		 w, h;

	if ((b = cJSON_CreateObject()) == NULL)
		return NULL;
	prov_size(req, &w, &h);
	if ((in = cJSON_AddArrayToObject(b, "instances")) == NULL ||
	    (i = cJSON_CreateObject()) == NULL) {
		cJSON_Delete(b);
		return NULL;
	}
	cJSON_AddItemToArray(in, i);
	cJSON_AddStringToObject(i, "prompt", prov_prompt(req) ?
	    prov_prompt(req) : "");
	if ((pa = cJSON_AddObjectToObject(b, "parameters")) == NULL) {
		cJSON_Delete(b);
		return NULL;
	}
	cJSON_AddNumberToObject(pa, "sampleCount",
	    prov_num(req, "num_images", &d) == 0 && d >= 1 ?
	    (d > 4 ? 4 : (int)d) : 1);
	if ((s = prov_str(req, "aspect_ratio")) != NULL)
		cJSON_AddStringToObject(pa, "aspectRatio", s);
	else if (w && h)
		cJSON_AddStringToObject(pa, "aspectRatio",
		    prov_aspect(w, h, imagen_ratios));
	if ((s = prov_str(req, "image_size")) != NULL)
		cJSON_AddStringToObject(pa, "imageSize", s);
	return b;
}

static int
gemini_parse(const cJSON *res, struct prov_result *r, struct sf_err *err)
{
	const cJSON	*cand, *parts, *p, *id, *pf;
	const char	*fr, *br;

	pf = cJSON_GetObjectItemCaseSensitive(res, "promptFeedback");
	if ((br = prov_str(pf, "blockReason")) != NULL)
		return sf_err_set(err, 422, "content_moderated", NULL,
		    WHO " blocked the prompt (%.32s); change the prompt", br);
	cand = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(res,
	    "candidates"), 0);
	parts = cJSON_GetObjectItemCaseSensitive(
	    cJSON_GetObjectItemCaseSensitive(cand, "content"), "parts");
	cJSON_ArrayForEach(p, parts) {
		id = cJSON_GetObjectItemCaseSensitive(p, "inlineData");
		if (id == NULL)
			id = cJSON_GetObjectItemCaseSensitive(p, "inline_data");
		if (!cJSON_IsObject(id))
			continue;
		if (prov_out_b64(r, prov_str(id, "data"),
		    prov_str(id, "mimeType") ? prov_str(id, "mimeType") :
		    prov_str(id, "mime_type"), err) == -1)
			return -1;
	}
	if (r->nout > 0)
		return 0;
	fr = prov_str(cand, "finishReason");
	if (fr != NULL && strcmp(fr, "STOP") != 0 &&
	    strcmp(fr, "MAX_TOKENS") != 0)
		return sf_err_set(err, 422, "content_moderated", NULL,
		    WHO " returned no image (%.32s); change the prompt", fr);
	return sf_err_set(err, 502, "upstream_error", NULL,
	    WHO " returned no image");
}

static int
imagen_parse(const cJSON *res, struct prov_result *r, struct sf_err *err)
{
	const cJSON	*p;
	const char	*s;

	cJSON_ArrayForEach(p, cJSON_GetObjectItemCaseSensitive(res,
	    "predictions")) {
		if ((s = prov_str(p, "bytesBase64Encoded")) == NULL)
			continue;
		if (prov_out_b64(r, s, prov_str(p, "mimeType"), err) == -1)
			return -1;
	}
	if (r->nout == 0)
		return sf_err_set(err, 422, "content_moderated", NULL,
		    WHO " filtered every image; change the prompt");
	return 0;
}

int
prov_google_run(const struct prov_job *j, struct prov_result *r,
    struct sf_err *err)
{
	struct http_resp h;
	cJSON		*in = NULL, *res = NULL;
	const char	*key, *hdrs[3];
	char		 base[512], auth[1024], url[1024];
	int		 imagen, rc = -1;

	memset(&h, 0, sizeof(h));
	snprintf(r->source, sizeof(r->source), "google");
	snprintf(r->model, sizeof(r->model), "%s", j->upstream);
	if ((key = provs_key(j)) == NULL)
		return sf_err_set(err, 503, "provider_unavailable", NULL,
		    "no Gemini API key is configured");
	provs_base(j, base, sizeof(base));
	/* Header, not ?key=: URLs end up in logs. */
	snprintf(auth, sizeof(auth), "x-goog-api-key: %s", key);
	hdrs[0] = auth;
	hdrs[1] = "Accept: application/json";
	hdrs[2] = NULL;
	imagen = strncmp(j->upstream, "imagen", 6) == 0;
	if ((in = imagen ? imagen_input(j) : gemini_input(j)) == NULL)
		return sf_err_set(err, 500, "internal_error", NULL, "oom");
	snprintf(url, sizeof(url), "%s/models/%s:%s", base, j->upstream,
	    imagen ? "predict" : "generateContent");
	if (prov_call(j, "POST", url, in, hdrs, RETRY_IDEMPOTENT, &h, err) == -1)
		goto out;
	if (!PROV_OK(&h)) {
		prov_http_error(WHO, h.status, h.body.p, key, err);
		goto out;
	}
	if ((res = prov_json(&h, WHO, err)) == NULL)
		goto out;
	prov_request_id(j, r, prov_str(res, "responseId") ?
	    prov_str(res, "responseId") : http_header(&h, "x-request-id"));
	if ((imagen ? imagen_parse(res, r, err) :
	    gemini_parse(res, r, err)) == -1)
		goto out;
	rc = 0;
out:
	http_resp_free(&h);
	cJSON_Delete(in);
	cJSON_Delete(res);
	return rc;
}
