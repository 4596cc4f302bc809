/*
 * xAI Grok Imagine: OpenAI-compatible POST /images/generations, sized by
 * aspect_ratio and resolution (size/style are refused).  We ask for
 * b64_json: the default URLs are temporary.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "err.h"
#include "http.h"
#include "prov.h"
#include "provs.h"

#define WHO	"xAI"

static cJSON *
xai_input(const struct prov_job *j)
{
	static const char *const ratios[] = {
		"1:1", "3:4", "4:3", "9:16", "16:9", "2:3", "3:2", "1:2",
		"2:1", NULL
	};
	const cJSON	*req = j->req;
	const char	*s;
	cJSON		*b;
	double		 d;
	int		 w, h;

	if ((b = cJSON_CreateObject()) == NULL)
		return NULL;
	prov_size(req, &w, &h);
	cJSON_AddStringToObject(b, "model", j->upstream);
	cJSON_AddStringToObject(b, "prompt", prov_prompt(req) ?
	    prov_prompt(req) : "");
	if (prov_num(req, "num_images", &d) == 0 && d > 1)
		cJSON_AddNumberToObject(b, "n", d > PROV_MAX_OUT ?
		    PROV_MAX_OUT : d);
	if ((s = prov_str(req, "aspect_ratio")) != NULL)
		cJSON_AddStringToObject(b, "aspect_ratio", s);
	else if (w && h)
		cJSON_AddStringToObject(b, "aspect_ratio",
		    prov_aspect(w, h, ratios));
	if (w > 1024 || h > 1024)
		cJSON_AddStringToObject(b, "resolution", "2k");
	cJSON_AddStringToObject(b, "response_format", "b64_json");
	return b;
}

int
prov_xai_run(const struct prov_job *j, struct prov_result *r,
    struct sf_err *err)
{
	struct http_resp h;
	const cJSON	*data, *it;
	cJSON		*in = NULL, *res = NULL;
	const char	*key, *hdrs[3], *s;
	char		 base[512], auth[1024], url[1024];
	int		 rc = -1;

	memset(&h, 0, sizeof(h));
	snprintf(r->source, sizeof(r->source), "xai");
	snprintf(r->model, sizeof(r->model), "%s", j->upstream);
	if ((key = provs_key(j)) == NULL)
		return sf_err_set(err, 503, "provider_unavailable", NULL,
		    "no xAI API key is configured");
	provs_base(j, base, sizeof(base));
	snprintf(auth, sizeof(auth), "Authorization: Bearer %s", key);
	hdrs[0] = auth;
	hdrs[1] = "Accept: application/json";
	hdrs[2] = NULL;
	if ((in = xai_input(j)) == NULL)
		return sf_err_set(err, 500, "internal_error", NULL, "oom");
	snprintf(url, sizeof(url), "%s/images/generations", base);
	if (prov_call(j, "POST", url, in, hdrs, 1, &h, err) == -1)
		goto out;
	if (!PROV_OK(&h)) {
		prov_http_error(WHO, h.status, h.body.p, key, err);
		goto out;
	}
	prov_request_id(j, r, http_header(&h, "x-request-id"));
	if ((res = prov_json(&h, WHO, err)) == NULL)
		goto out;
	if ((s = prov_str(res, "block_reason")) != NULL && *s != '\0') {
		sf_err_set(err, 422, "content_moderated", NULL,
		    WHO " refused the request on content grounds; change the "
		    "prompt");
		goto out;
	}
	data = cJSON_GetObjectItemCaseSensitive(res, "data");
	if (!cJSON_IsArray(data) || cJSON_GetArraySize(data) == 0) {
		sf_err_set(err, 502, "upstream_error", NULL,
		    WHO " returned no image");
		goto out;
	}
	cJSON_ArrayForEach(it, data) {
		if ((s = prov_str(it, "b64_json")) != NULL) {
			if (prov_out_b64(r, s, prov_str(it, "mime_type"),
			    err) == -1)
				goto out;
		} else if (prov_out_url(r, prov_str(it, "url"),
		    prov_str(it, "mime_type"), err) == -1)
			goto out;
	}
	rc = 0;
out:
	http_resp_free(&h);
	cJSON_Delete(in);
	cJSON_Delete(res);
	return rc;
}
