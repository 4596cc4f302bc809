/*
 * Black Forest Labs: POST /v1/<model>, then poll the polling_url it
 * returns (possibly regional) until Ready.  One image per task.  The
 * result URL expires ten minutes after Ready, so it goes straight back
 * to the work step, which fetches it before anything else.
 */
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

#define WHO	"BFL"

static cJSON *
bfl_input(const struct prov_job *j)
{
	static const char *const ratios[] = {
		"1:1", "4:3", "3:4", "3:2", "2:3", "16:9", "9:16", "21:9",
		"9:21", NULL
	};
	const cJSON	*req = j->req;
	const char	*s;
	cJSON		*b;
	double		 d;
	int		 w, h;

	if ((b = cJSON_CreateObject()) == NULL)
		return NULL;
	prov_size(req, &w, &h);
	cJSON_AddStringToObject(b, "prompt", prov_prompt(req) ?
	    prov_prompt(req) : "");
	if (strstr(j->upstream, "ultra") != NULL ||
	    strstr(j->upstream, "kontext") != NULL) {
		if (w && h)
			cJSON_AddStringToObject(b, "aspect_ratio",
			    prov_aspect(w, h, ratios));
	} else if (w && h) {
		/* FLUX wants multiples of 16. */
		cJSON_AddNumberToObject(b, "width", (w + 8) / 16 * 16);
		cJSON_AddNumberToObject(b, "height", (h + 8) / 16 * 16);
	}
	if (prov_num(req, "seed", &d) == 0)
		cJSON_AddNumberToObject(b, "seed", d);
	if (strstr(j->upstream, "flex") != NULL) {
		if (prov_num(req, "steps", &d) == 0)
			cJSON_AddNumberToObject(b, "steps", d);
		if (prov_num(req, "cfg_scale", &d) == 0 && d >= 1.5)
			cJSON_AddNumberToObject(b, "guidance", d);
	}
	if ((s = prov_str(req, "image_url")) != NULL)
		cJSON_AddStringToObject(b, "input_image", s);
	cJSON_AddStringToObject(b, "output_format", "png");
	return b;
}

/*
 * Submit; the task's id and polling URL handed to the caller
 * (prov_upstream) before the first poll.  0, or -1 with err.
 */
static int
bfl_submit(const struct prov_job *j, const char *base, const char *key,
    const char *const *hdrs, struct prov_result *r, char *poll, size_t sz,
    struct sf_err *err)
{
	struct http_resp h;
	cJSON		*in, *sub = NULL;
	const char	*s;
	char		 url[1024];
	int		 rc = -1;


	memset(&h, 0, sizeof(h));
	if ((in = bfl_input(j)) == NULL)
		return sf_err_set(err, 500, "internal_error", NULL, "oom");
	snprintf(url, sizeof(url), "%s/v1/%s", base, j->upstream);
	if (prov_call(j, "POST", url, in, hdrs, RETRY_SUBMIT, &h, err) == -1)
		goto out;
	if (!PROV_OK(&h)) {
		prov_http_error(WHO, h.status, h.body.p, key, err);
		goto out;
	}
	if ((sub = prov_json(&h, WHO, err)) == NULL)
		goto out;
	if ((s = prov_str(sub, "id")) == NULL ||
	    prov_str(sub, "polling_url") == NULL) {
		sf_err_set(err, 502, "upstream_error", NULL,
		    WHO " returned no task id");
		goto out;
	}
	prov_request_id(j, r, s);
	snprintf(poll, sz, "%s", prov_str(sub, "polling_url"));
	prov_upstream_pairs(j, "id", s, "polling_url", poll, NULL);
	rc = 0;
out:
	http_resp_free(&h);
	cJSON_Delete(in);
	cJSON_Delete(sub);
	return rc;
}

/* One status: 1 ready, 0 still running (progress told), -1 failed. */
static int
bfl_status(const struct prov_job *j, const cJSON *st, const char *key,
    struct sf_err *err)
{
	const char	*s = prov_str(st, "status");
	char		 m[320], pr[64];
	double		 d;

	if (s == NULL)
		return sf_err_set(err, 502, "upstream_error", NULL,
		    WHO " returned no task status");
	if (strcasecmp(s, "Pending") == 0 || strcasecmp(s, "Queued") == 0 ||
	    strcasecmp(s, "Processing") == 0) {
		if (prov_num(st, "progress", &d) == 0 && d >= 0 && d <= 1)
			snprintf(pr, sizeof(pr), "%s at BFL, %.0f%%", s,
			    d * 100);
		else
			snprintf(pr, sizeof(pr), "%s at BFL", s);
		prov_progress(j, pr);
		return 0;
	}
	if (strcmp(s, "Ready") == 0)
		return 1;
	if (strcmp(s, "Content Moderated") == 0 ||
	    strcmp(s, "Request Moderated") == 0)
		return sf_err_set(err, 422, "content_moderated", NULL,
		    WHO " refused the request on content grounds (%s); "
		    "change the prompt or input", s);
	if (strcmp(s, "Task not found") == 0)
		return sf_err_set(err, 502, "upstream_error", NULL,
		    WHO " lost the task (Task not found)");
	prov_sanitise(m, sizeof(m), s, key);
	return sf_err_set(err, 502, "upstream_error", NULL,
	    WHO " ended the task with status %.64s", m);
}

int
prov_bfl_run(const struct prov_job *j, struct prov_result *r,
    struct sf_err *err)
{
	struct http_resp h;
	const cJSON	*res, *ref;
	cJSON		*st = NULL;
	const char	*key, *hdrs[3];
	char		 base[512], auth[1024], poll[1024];
	int		 n, why, rc = -1, done = 0;

	memset(&h, 0, sizeof(h));
	snprintf(r->source, sizeof(r->source), "bfl");
	snprintf(r->model, sizeof(r->model), "%s", j->upstream);
	if ((key = provs_key(j)) == NULL)
		return sf_err_set(err, 503, "provider_unavailable", NULL,
		    "no BFL API key is configured");
	provs_base(j, base, sizeof(base));
	snprintf(auth, sizeof(auth), "x-key: %s", key);
	hdrs[0] = auth;
	hdrs[1] = "Accept: application/json";
	hdrs[2] = NULL;
	/* A job taken over polls the task its first runner submitted. */
	if ((ref = prov_resume(j)) != NULL) {
		if (prov_str(ref, "polling_url") == NULL)
			return sf_err_set(err, 502, "upstream_error", NULL,
			    WHO ": the stored task has no polling URL");
		snprintf(poll, sizeof(poll), "%s", prov_str(ref,
		    "polling_url"));
		prov_request_id(j, r, prov_str(ref, "id"));
	} else if (bfl_submit(j, base, key, hdrs, r, poll, sizeof(poll),
	    err) == -1)
		return -1;
	for (n = 0; !done; n++) {
		/* BFL has no cancel; the task id is in the ledger. */
		if ((why = prov_poll_sleep(j, n)) != 0) {
			if (why == -1)
				sf_err_set(err, 504, "upstream_timeout", NULL,
				    WHO " did not finish in time");
			else
				prov_stopped(WHO, why, 0, err);
			goto out;
		}
		http_resp_free(&h);
		if (prov_call(j, "GET", poll, NULL, hdrs, RETRY_IDEMPOTENT,
		    &h, err) == -1)
			goto out;
		if (!PROV_OK(&h)) {
			prov_http_error(WHO, h.status, h.body.p, key, err);
			goto out;
		}
		cJSON_Delete(st);
		if ((st = prov_json(&h, WHO, err)) == NULL ||
		    (done = bfl_status(j, st, key, err)) == -1)
			goto out;
	}
	res = cJSON_GetObjectItemCaseSensitive(st, "result");
	if (prov_out_url(r, prov_str(res, "sample"), NULL, err) == -1)
		goto out;
	if (prov_seed(res, "seed", r) == -1)
		(void)prov_seed(j->req, "seed", r);
	rc = 0;
out:
	http_resp_free(&h);
	cJSON_Delete(st);
	return rc;
}
