/*
 * xAI Grok Imagine: OpenAI-compatible POST /images/generations, sized by
 * aspect_ratio and resolution (size/style are refused).  We ask for
 * b64_json: the default URLs are temporary.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "basics/err.h"
#include "http/http.h"
#include "providers/prov.h"
#include "providers/provs.h"

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
	cJSON	*in, *res = NULL;
	int	 rc;

	snprintf(r->source, sizeof(r->source), "xai");
	snprintf(r->model, sizeof(r->model), "%s", j->upstream);
	if ((in = xai_input(j)) == NULL)
		return sf_err_set(err, 500, "internal_error", NULL, "oom");
	rc = prov_oaicompat_images(j, r, WHO, in, &res, err);
	cJSON_Delete(in);
	cJSON_Delete(res);
	return rc;
}
