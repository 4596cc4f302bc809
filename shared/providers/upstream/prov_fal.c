/*
 * fal.ai queue API: submit to <queue>/<endpoint id>, hand the request id
 * to the caller before the first poll (a paid job must never be lost),
 * poll the returned status_url with backoff, fetch the returned
 * response_url, and PUT the cancel_url when our deadline passes or the
 * job is cancelled.  A job's run hands the URLs over (prov_upstream), and
 * one taken over by another runner polls them instead of submitting.  The
 * returned URLs are used verbatim: fal builds them from {owner}/{alias}
 * only, never from the full endpoint path.  The input body of each
 * endpoint is fal_models.c's; the result is read as fal's output types
 * have it: images[] or one image/video/audio file, a mask besides the
 * image where the endpoint makes one, the seed, duration or duration_ms.
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
#include "providers/upstream/fal_models.h"

#define WHO	"fal"

struct fal {
	const struct prov_job	*j;
	const char		*key;
	char			 base[512];
	char			 auth[1024];
	char			 tmo[64];
	const char		*hdrs[4];
};

/* One file object {url, content_type, width?, height?}. */
static int
fal_file(const cJSON *f, struct prov_result *r, struct sf_err *err)
{
	double	 d;

	if (prov_out_url(r, prov_str(f, "url"), prov_str(f, "content_type"),
	    err) == -1)
		return -1;
	if (r->width == 0)
		(void)prov_px(f, "width", &r->width);
	if (r->height == 0)
		(void)prov_px(f, "height", &r->height);
	if (r->duration == 0 && prov_num(f, "duration", &d) == 0)
		r->duration = d;
	return 0;
}

int
prov_fal_outputs(const char *id, const cJSON *res, struct prov_result *r,
    struct sf_err *err)
{
	static const char *const singles[] = {
		"image", "video", "audio", "audio_file", NULL
	};
	const cJSON	*a, *it;
	const char	*mask;
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
	/* birefnet's mask_image: answered as mask_url (work.h). */
	if ((mask = fal_models_mask_output(id)) != NULL &&
	    cJSON_IsObject(it = cJSON_GetObjectItemCaseSensitive(res, mask))) {
		if (prov_out_url(r, prov_str(it, "url"),
		    prov_str(it, "content_type"), err) == -1)
			return -1;
		snprintf(r->out[r->nout - 1].role,
		    sizeof(r->out[r->nout - 1].role), "mask");
	}
	(void)prov_seed(res, "seed", r);
	if (prov_num(res, "duration", &d) == 0)
		r->duration = d;
	else if (prov_num(res, "duration_ms", &d) == 0)
		r->duration = d / 1000;
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

/* The queue job's URLs: from the submit, or from a job's reference. */
struct fal_urls {
	char	 id[160];
	char	 status[1024];
	char	 response[1024];
	char	 cancel[1024];		/* "" = none */
};

/* The urls of fal's submit answer (or of a stored reference). */
static int
fal_urls_of(const cJSON *o, struct fal_urls *u, struct sf_err *err)
{
	const char	*id = prov_str(o, "request_id");

	if (id == NULL || prov_str(o, "status_url") == NULL ||
	    prov_str(o, "response_url") == NULL)
		return sf_err_set(err, 502, "upstream_error", NULL,
		    WHO " returned no request id");
	snprintf(u->id, sizeof(u->id), "%s", id);
	snprintf(u->status, sizeof(u->status), "%s",
	    prov_str(o, "status_url"));
	snprintf(u->response, sizeof(u->response), "%s",
	    prov_str(o, "response_url"));
	snprintf(u->cancel, sizeof(u->cancel), "%s",
	    prov_str(o, "cancel_url") ? prov_str(o, "cancel_url") : "");
	return 0;
}

/*
 * Submit the input; the URLs to poll handed to the caller (prov_upstream:
 * a job stores them before the first poll, so another runner resumes
 * rather than submits again).  0, or -1 with err.
 */
static int
fal_submit(struct fal *f, struct prov_result *r, struct fal_urls *u,
    struct sf_err *err)
{
	const struct prov_job	*j = f->j;
	struct http_resp	 h;
	cJSON			*in, *sub = NULL;
	const char		*s;
	char			 url[1024];
	int			 rc = -1;

	memset(&h, 0, sizeof(h));
	if ((in = fal_models_input(j, err)) == NULL)
		return -1;
	/* The voice that will speak, when the body names it. */
	if ((s = prov_str(in, "voice")) != NULL ||
	    (s = prov_str(cJSON_GetObjectItemCaseSensitive(in,
	    "voice_setting"), "voice_id")) != NULL)
		snprintf(r->voice, sizeof(r->voice), "%s", s);
	snprintf(url, sizeof(url), "%s/%s", f->base, j->upstream);
	if (prov_call(j, "POST", url, in, f->hdrs, RETRY_IDEMPOTENT, &h,
	    err) == -1)
		goto out;
	if (!PROV_OK(&h)) {
		prov_http_error(WHO, h.status, h.body.p, f->key, err);
		goto out;
	}
	if ((sub = prov_json(&h, WHO, err)) == NULL ||
	    fal_urls_of(sub, u, err) == -1)
		goto out;
	prov_request_id(j, r, u->id);
	prov_upstream_pairs(j, "request_id", u->id, "status_url", u->status,
	    "response_url", u->response, "cancel_url",
	    u->cancel[0] != '\0' ? u->cancel : NULL, NULL);
	rc = 0;
out:
	http_resp_free(&h);
	cJSON_Delete(in);
	cJSON_Delete(sub);
	return rc;
}

/* One status: 1 done, 0 still running (progress told), -1 failed. */
static int
fal_status(struct fal *f, const cJSON *st, struct sf_err *err)
{
	const char	*s = prov_str(st, "status");
	char		 pr[96];
	double		 pos;

	if (s == NULL)
		return sf_err_set(err, 502, "upstream_error", NULL,
		    WHO " returned no job status");
	if (strcmp(s, "IN_QUEUE") == 0) {
		if (prov_num(st, "queue_position", &pos) == 0)
			snprintf(pr, sizeof(pr), "in fal's queue, position %.0f",
			    pos);
		else
			snprintf(pr, sizeof(pr), "in fal's queue");
		prov_progress(f->j, pr);
		return 0;
	}
	if (strcmp(s, "IN_PROGRESS") == 0) {
		prov_progress(f->j, "in progress at fal");
		return 0;
	}
	if (strcmp(s, "COMPLETED") != 0)	/* FAILED, CANCELED, unknown */
		return sf_err_set(err, 502, "upstream_error", NULL,
		    WHO " ended the job with status %.32s", s);
	if (prov_str(st, "error") != NULL)
		return fal_status_error(st, f->key, err);
	return 1;
}

/* Poll until COMPLETED; cancelled upstream when we stop waiting. */
static int
fal_poll(struct fal *f, const struct fal_urls *u, struct sf_err *err)
{
	const struct prov_job	*j = f->j;
	struct http_resp	 h;
	cJSON			*st;
	int			 n, why, rc;

	memset(&h, 0, sizeof(h));
	for (n = 0;; n++) {
		if ((why = prov_poll_sleep(j, n)) != 0)
			http_resp_free(&h);	/* the last status read */
		if (why == -1) {
			fal_cancel(f, u->cancel[0] ? u->cancel : NULL);
			return sf_err_set(err, 504, "upstream_timeout", NULL,
			    WHO " did not finish in time; the job was "
			    "cancelled");
		}
		if (why != 0) {
			if (why == PROV_CANCEL)
				fal_cancel(f, u->cancel[0] ? u->cancel : NULL);
			return prov_stopped(WHO, why, u->cancel[0] != '\0',
			    err);
		}
		http_resp_free(&h);
		if (prov_call(j, "GET", u->status, NULL, f->hdrs,
		    RETRY_IDEMPOTENT, &h, err) == -1) {
			if (err != NULL && err->status == 504)
				fal_cancel(f, u->cancel[0] ? u->cancel : NULL);
			break;
		}
		if (!PROV_OK(&h)) {
			prov_http_error(WHO, h.status, h.body.p, f->key, err);
			break;
		}
		if ((st = prov_json(&h, WHO, err)) == NULL)
			break;
		rc = fal_status(f, st, err);
		cJSON_Delete(st);
		if (rc != 0) {
			http_resp_free(&h);
			return rc == 1 ? 0 : -1;
		}
	}
	http_resp_free(&h);
	return -1;
}

/* fal's credentials and base URL for j; -1 without a key. */
static int
fal_init(struct fal *f, const struct prov_job *j, struct sf_err *err)
{
	int64_t	 left;

	memset(f, 0, sizeof(*f));
	f->j = j;
	if ((f->key = provs_key(j)) == NULL)
		return sf_err_set(err, 503, "provider_unavailable", NULL,
		    "no fal key is configured");
	provs_base(j, f->base, sizeof(f->base));
	snprintf(f->auth, sizeof(f->auth), "Authorization: Key %s", f->key);
	f->hdrs[0] = f->auth;
	f->hdrs[1] = "Accept: application/json";
	/* A time-to-start bound, so a job stuck in the queue ends itself. */
	left = (j->deadline_ms - http_now_ms()) / 1000;
	if (left > 2) {
		snprintf(f->tmo, sizeof(f->tmo), "X-Fal-Request-Timeout: %lld",
		    (long long)left);
		f->hdrs[2] = f->tmo;
	}
	return 0;
}

int
prov_fal_run(const struct prov_job *j, struct prov_result *r,
    struct sf_err *err)
{
	struct fal	 f;
	struct fal_urls	 u;
	struct http_resp h;
	const cJSON	*ref;
	cJSON		*res = NULL;
	int		 rc = -1;

	memset(&h, 0, sizeof(h));
	snprintf(r->source, sizeof(r->source), "fal");
	snprintf(r->model, sizeof(r->model), "%s", j->upstream);
	if (fal_init(&f, j, err) == -1)
		return -1;
	/* A job taken over polls the job its first runner submitted. */
	if ((ref = prov_resume(j)) != NULL) {
		if (fal_urls_of(ref, &u, err) == -1)
			return -1;
		prov_request_id(j, r, u.id);
	} else if (fal_submit(&f, r, &u, err) == -1)
		return -1;
	f.hdrs[2] = NULL;
	if (fal_poll(&f, &u, err) == -1)
		return -1;
	if (prov_call(j, "GET", u.response, NULL, f.hdrs, RETRY_IDEMPOTENT,
	    &h, err) == -1)
		goto out;
	/* COMPLETED is not success: the result carries the model's code. */
	if (!PROV_OK(&h)) {
		prov_http_error(WHO, h.status, h.body.p, f.key, err);
		goto out;
	}
	if ((res = prov_json(&h, WHO, err)) == NULL)
		goto out;
	if (prov_fal_outputs(j->upstream, res, r, err) == -1)
		goto out;
	rc = 0;
out:
	http_resp_free(&h);
	cJSON_Delete(res);
	return rc;
}

int
prov_fal_cancel(const struct prov_job *j, const cJSON *ref,
    struct sf_err *err)
{
	struct fal	 f;
	const char	*url = prov_str(ref, "cancel_url");

	if (fal_init(&f, j, err) == -1)
		return -1;
	if (url == NULL)
		return 0;
	f.hdrs[2] = NULL;
	fal_cancel(&f, url);
	return 1;
}
