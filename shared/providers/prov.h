/*
 * Provider adapters: one file per upstream (prov_venice.c, prov_fal.c, ...)
 * behind one interface.  An adapter turns a validated, normalised request
 * into media bytes (or a short-lived URL to fetch) plus facts about the run.
 * Adapters know nothing of payments, FastCGI or the ledger.
 *
 * Request fields adapters understand (whatever the endpoint; absent = the
 * provider's default): prompt (or text), negative_prompt, width, height,
 * aspect_ratio, resolution, seed, steps, cfg_scale, num_images, quality,
 * image_url, image_urls, mask_url, duration (seconds), voice, loop,
 * prompt_influence, instrumental, lyrics, language_code, speed, stability,
 * generate_audio.  Unknown fields are ignored, never forwarded blindly.
 */
#ifndef SF_PROV_H
#define SF_PROV_H

#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

struct cfg;
struct sf_err;
struct def_endpoint;
struct def_model;
struct http_resp;

#define PROV_MAX_OUT	4

struct prov_output {
	unsigned char	*data;		/* bytes in memory (malloc'd), or NULL */
	size_t		 len;
	char		*url;		/* else a URL to fetch now (malloc'd) */
	char		 mime[48];	/* what the upstream claims */
	/* "" = a result; else what this extra output is ("mask"): stored
	   too and answered as the fact <role>_url (work.h). */
	char		 role[16];
};

struct prov_result {
	struct prov_output out[PROV_MAX_OUT];
	size_t		 nout;
	int		 width, height;		/* 0 = unknown */
	long long	 seed;
	int		 has_seed;
	double		 duration;		/* seconds, audio/video */
	char		 request_id[128];	/* upstream request/prediction id */
	char		 source[32];		/* provider tag: "venice", "fal", ... */
	char		 model[96];		/* upstream model that ran */
	char		 voice[64];		/* voice that spoke, "" = asked */
};

struct prov_job {
	const struct def_endpoint *ep;
	const struct def_model	*model;		/* chosen public model */
	const char		*provider;	/* resolved route */
	const char		*upstream;	/* resolved upstream model id */
	const cJSON		*req;		/* normalised request body */
	const struct cfg	*cfg;
	int64_t			 deadline_ms;	/* absolute, http_now_ms() clock */
	/* Called with the upstream id as soon as it is known (before polling). */
	void			(*on_request_id)(void *, const char *);
	void			*arg;
	/*
	 * A job's run (flow/flow_job.h), which another process may finish.
	 * A queue adapter hands on_upstream its reference as soon as the
	 * submit is answered (prov_upstream: {"provider", and what it needs
	 * to poll, fetch and cancel: request id and URLs}); given resume (a
	 * reference an earlier run handed over, of this provider) it submits
	 * nothing and polls that job instead.  should_stop is asked between
	 * polls (prov_poll_sleep).  on_progress gets what the upstream says
	 * of a running job.  All may be NULL (a synchronous call).
	 */
	const cJSON		*resume;
	void			(*on_upstream)(void *, const cJSON *ref);
	void			(*on_progress)(void *, const char *);
	int			(*should_stop)(void *);
};

/* should_stop's answers. */
#define PROV_GO		0	/* go on */
#define PROV_CANCEL	1	/* the job was cancelled: cancel it upstream */
#define PROV_ABANDON	2	/* another runner took the job over: stop,
				   leave it upstream (it resumes from the
				   reference) */

void	prov_result_free(struct prov_result *);

/*
 * Helpers shared by the adapters (prov.c).
 */
/* Config value or default ("" counts as unset). */
const char	*prov_cfg(const struct prov_job *, const char *key,
		    const char *def);
/* Request fields; NULL / -1 when absent or of another type. */
/*
 * The keys the provider layer reads, checked at start-up:
 * PROVIDER_RETRIES (0-5), PROVIDER_BACKOFF_MS (0-60000), PROVIDER_POLL_MS
 * (1-10000), VENICE_SAFE_MODE (0 or 1), every provider's *_BASE_URL (an
 * http(s) URL).  0, or -1 with err naming the key.
 */
int		 prov_check_cfg(const struct cfg *, struct sf_err *);
const char	*prov_str(const cJSON *req, const char *name);
int		 prov_num(const cJSON *req, const char *name, double *);
int		 prov_bool(const cJSON *req, const char *name, int *);
/*
 * A seed from a request or an upstream answer: an integral number that a
 * long long holds, into r->seed with r->has_seed set; 0.  -1 (r untouched)
 * when absent, not a number, fractional or out of range -- an upstream's
 * 1e92 is ignored, never converted (undefined in C).
 */
int		 prov_seed(const cJSON *o, const char *name,
		    struct prov_result *r);
/* A pixel dimension from an upstream answer: 1..65535 into *px; else -1. */
int		 prov_px(const cJSON *o, const char *name, int *px);
/* The prompt: "prompt", else "text". */
const char	*prov_prompt(const cJSON *req);
/* Requested width/height (0 when absent). */
void		 prov_size(const cJSON *req, int *w, int *h);
/* Nearest of the NULL-terminated "W:H" ratios to w x h. */
const char	*prov_aspect(int w, int h, const char *const *ratios);
/* Output helpers; -1 with err set (500 or 502). */
int		 prov_out_bytes(struct prov_result *, const void *, size_t,
		    const char *mime, struct sf_err *);
int		 prov_out_b64(struct prov_result *, const char *b64,
		    const char *mime, struct sf_err *);
int		 prov_out_url(struct prov_result *, const char *url,
		    const char *mime, struct sf_err *);
/* Record the upstream id and tell the caller before any polling. */
void		 prov_request_id(const struct prov_job *, struct prov_result *,
		    const char *id);
/*
 * Sleep before poll n (0, 1, ...): 500 ms growing to 3 s; -1 past the
 * deadline; after the sleep, should_stop's answer when it is not PROV_GO
 * (PROV_CANCEL, PROV_ABANDON).  0: poll.
 */
int		 prov_poll_sleep(const struct prov_job *, int n);
/*
 * The error of a poll loop that stopped (prov_poll_sleep's PROV_CANCEL or
 * PROV_ABANDON): 409 job_cancelled ("cancelled upstream" when cancelled
 * says so) or 503 job_abandoned.  Returns -1.
 */
int		 prov_stopped(const char *who, int why, int cancelled,
		    struct sf_err *);
/*
 * A queue adapter's reference, once its submit is answered: the provider
 * name is added and on_upstream told (a job stores it before the first
 * poll).  ref stays the caller's.
 */
void		 prov_upstream(const struct prov_job *, cJSON *ref);
/*
 * The same for a reference of strings: "key", value pairs ending with a
 * NULL key; a NULL value leaves its key out.  Out of memory: no reference
 * (the job then resumes by submitting, as before one was known).
 */
void		 prov_upstream_pairs(const struct prov_job *, ...);
/* What the upstream says of the running job ("" or NULL: nothing). */
void		 prov_progress(const struct prov_job *, const char *);
/*
 * The reference to resume from when it is this provider's (j->resume
 * with "provider" == j->provider), else NULL: submit.
 */
const cJSON	*prov_resume(const struct prov_job *);
/*
 * One upstream call: body (may be NULL) printed as JSON, headers
 * "Name: value" NULL-terminated, the job's deadline; kind is an enum
 * retry_kind (providers/retry.h: RETRY_NONE, RETRY_IDEMPOTENT for polls
 * and calls the provider's SDK resends, RETRY_SUBMIT for billable job
 * submits), with at most PROVIDER_RETRIES (default 2, 0-5) extra
 * attempts PROVIDER_BACKOFF_MS (default 1000) apart.  0 on any HTTP
 * answer (h filled, caller frees; also on -1), -1 with err set: 504
 * upstream_timeout, 502 upstream_error, 500 internal_error.
 */
int		 prov_call(const struct prov_job *, const char *method,
		    const char *url, const cJSON *body,
		    const char *const *hdrs, int kind, struct http_resp *h,
		    struct sf_err *);
/* 2xx? */
#define PROV_OK(h)	((h)->status >= 200 && (h)->status < 300)
/* Parse a JSON body; 502 upstream_error when it is not JSON. */
cJSON		*prov_json(const struct http_resp *, const char *who,
		    struct sf_err *);
/*
 * Map a non-2xx upstream answer to our error (see prov.c for the table):
 * 422 upstream_rejected / content_moderated, 504 upstream_timeout, else
 * 502 upstream_error.  The upstream message is sanitised: control bytes
 * dropped, secret (the API key) redacted, length capped.  Returns -1.
 */
int		 prov_http_error(const char *who, long status, const char *body,
		    const char *secret, struct sf_err *);
/* Copy msg to out (size sz) without control bytes, secret redacted. */
void		 prov_sanitise(char *out, size_t sz, const char *msg,
		    const char *secret);
/* Whether an upstream error text/code means content moderation. */
int		 prov_is_moderation(const char *s);

#endif
