/*
 * OpenAI Images: POST /images/generations.  GPT image models always
 * answer base64 (response_format is refused for them); dall-e models are
 * asked for b64_json too so no short-lived URL is involved.
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
			/* Flexible sizes, multiples of 16. */
			snprintf(size, sizeof(size), "%dx%d",
			    (w + 8) / 16 * 16, (h + 8) / 16 * 16);
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
	if (strncmp(up, "dall-e", 6) == 0)
		cJSON_AddStringToObject(b, "response_format", "b64_json");
	else
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
