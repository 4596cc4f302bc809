/*
 * OpenAI Images: POST /images/generations.  GPT image models always
 * answer base64 (response_format is refused for them).  dall-e-2/-3
 * (retired 2026-05-12) and gpt-image-1 (2026-10-23) are gone: no branch
 * for them.  gpt-image-2 takes the exact size, already checked against
 * its rule (sides /16, 1:3-3:1, <= 3840x2160) before the 402.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "basics/err.h"
#include "http/http.h"
#include "providers/prov.h"
#include "providers/provs.h"

#define WHO	"OpenAI"

static cJSON *
openai_input(const struct prov_job *j)
{
	static const char *const fixed[] = { "1:1", "3:2", "2:3", NULL };
	const cJSON	*req = j->req;
	const char	*s, *up = j->upstream;
	cJSON		*b;
	char		 size[32];
	double		 d;
	int		 w, h;

	if ((b = cJSON_CreateObject()) == NULL)
		return NULL;
	prov_size(req, &w, &h);
	cJSON_AddStringToObject(b, "model", up);
	cJSON_AddStringToObject(b, "prompt", prov_prompt(req) ?
	    prov_prompt(req) : "");
	if (prov_num(req, "num_images", &d) == 0 && d > 1)
		cJSON_AddNumberToObject(b, "n", d > PROV_MAX_OUT ?
		    PROV_MAX_OUT : d);
	if (w && h) {
		if (strcmp(up, "gpt-image-2") == 0)
			snprintf(size, sizeof(size), "%dx%d", w, h);
		else {
			s = prov_aspect(w, h, fixed);
			snprintf(size, sizeof(size), "%s",
			    strcmp(s, "1:1") == 0 ? "1024x1024" :
			    strcmp(s, "3:2") == 0 ? "1536x1024" : "1024x1536");
		}
		cJSON_AddStringToObject(b, "size", size);
	}
	if ((s = prov_str(req, "quality")) != NULL)
		cJSON_AddStringToObject(b, "quality", s);
	cJSON_AddStringToObject(b, "output_format", "png");
	return b;
}

int
prov_openai_run(const struct prov_job *j, struct prov_result *r,
    struct sf_err *err)
{
	cJSON		*in, *res = NULL;
	const char	*s;
	int		 w, ht, rc;

	snprintf(r->source, sizeof(r->source), "openai");
	snprintf(r->model, sizeof(r->model), "%s", j->upstream);
	if ((in = openai_input(j)) == NULL)
		return sf_err_set(err, 500, "internal_error", NULL, "oom");
	rc = prov_oaicompat_images(j, r, WHO, in, &res, err);
	if (rc == 0 && (s = prov_str(res, "size")) != NULL &&
	    sscanf(s, "%dx%d", &w, &ht) == 2 && w > 0 && ht > 0) {
		r->width = w;
		r->height = ht;
	}
	cJSON_Delete(in);
	cJSON_Delete(res);
	return rc;
}
