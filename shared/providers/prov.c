#include <ctype.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <cjson/cJSON.h>

#include "basics/b64.h"
#include "basics/cfg.h"
#include "providers/provs.h"
#include "basics/err.h"
#include "http/http.h"
#include "providers/prov.h"
#include "providers/retry.h"

void
prov_result_free(struct prov_result *r)
{
	size_t	 i;

	if (r == NULL)
		return;
	for (i = 0; i < r->nout; i++) {
		free(r->out[i].data);
		free(r->out[i].url);
	}
	memset(r, 0, sizeof(*r));
}

const char *
prov_cfg(const struct prov_job *j, const char *key, const char *def)
{
	return cfg_get_or(j->cfg, key, def);
}

const char *
prov_str(const cJSON *req, const char *name)
{
	const cJSON	*v = cJSON_GetObjectItemCaseSensitive(req, name);

	return cJSON_IsString(v) ? v->valuestring : NULL;
}

int
prov_num(const cJSON *req, const char *name, double *d)
{
	const cJSON	*v = cJSON_GetObjectItemCaseSensitive(req, name);

	if (!cJSON_IsNumber(v))
		return -1;
	*d = v->valuedouble;
	return 0;
}

int
prov_seed(const cJSON *o, const char *name, struct prov_result *r)
{
	double	 d;

	/* 9.2e18 < 2^63: what double still holds, converted exactly. */
	if (prov_num(o, name, &d) == -1 || !(fabs(d) < 9.2e18) ||
	    d != floor(d))
		return -1;
	r->seed = (long long)d;
	r->has_seed = 1;
	return 0;
}

int
prov_px(const cJSON *o, const char *name, int *px)
{
	double	 d;

	if (prov_num(o, name, &d) == -1 || !(d >= 1 && d <= 65535))
		return -1;
	*px = (int)d;
	return 0;
}

int
prov_bool(const cJSON *req, const char *name, int *b)
{
	const cJSON	*v = cJSON_GetObjectItemCaseSensitive(req, name);

	if (!cJSON_IsBool(v))
		return -1;
	*b = cJSON_IsTrue(v);
	return 0;
}

const char *
prov_prompt(const cJSON *req)
{
	const char	*p;

	if ((p = prov_str(req, "prompt")) != NULL)
		return p;
	return prov_str(req, "text");
}

void
prov_size(const cJSON *req, int *w, int *h)
{
	double	 d;

	*w = prov_num(req, "width", &d) == 0 && d > 0 && d < 100000 ?
	    (int)d : 0;
	*h = prov_num(req, "height", &d) == 0 && d > 0 && d < 100000 ?
	    (int)d : 0;
}

const char *
prov_aspect(int w, int h, const char *const *ratios)
{
	const char	*best = ratios[0];
	double		 want, bd = 1e9, rw, rh, d;
	size_t		 i;

	if (w <= 0 || h <= 0)
		return best;
	want = log((double)w / h);
	for (i = 0; ratios[i] != NULL; i++) {
		if (sscanf(ratios[i], "%lf:%lf", &rw, &rh) != 2 ||
		    rw <= 0 || rh <= 0)
			continue;
		d = fabs(log(rw / rh) - want);
		if (d < bd) {
			bd = d;
			best = ratios[i];
		}
	}
	return best;
}

static int
prov_slot(struct prov_result *r, struct sf_err *err)
{
	if (r->nout == PROV_MAX_OUT)
		return sf_err_set(err, 502, "upstream_error", NULL,
		    "the provider returned more outputs than asked for");
	return 0;
}

int
prov_out_bytes(struct prov_result *r, const void *p, size_t len,
    const char *mime, struct sf_err *err)
{
	struct prov_output	*o;

	if (prov_slot(r, err) == -1)
		return -1;
	if (len == 0)
		return sf_err_set(err, 502, "upstream_error", NULL,
		    "the provider returned an empty result");
	o = &r->out[r->nout];
	if ((o->data = malloc(len)) == NULL)
		return sf_err_set(err, 500, "internal_error", NULL,
		    "out of memory");
	memcpy(o->data, p, len);
	o->len = len;
	snprintf(o->mime, sizeof(o->mime), "%s", mime ? mime : "");
	r->nout++;
	return 0;
}

int
prov_out_b64(struct prov_result *r, const char *s, const char *mime,
    struct sf_err *err)
{
	struct prov_output	*o;
	const char		*comma;
	char			 dm[48];
	size_t			 n;

	if (prov_slot(r, err) == -1)
		return -1;
	if (s == NULL)
		return sf_err_set(err, 502, "upstream_error", NULL,
		    "the provider returned no image data");
	/* fal sync_mode and xAI b64 may come as data URIs. */
	dm[0] = '\0';
	if (strncmp(s, "data:", 5) == 0 &&
	    (comma = strchr(s, ',')) != NULL) {
		n = strcspn(s + 5, ";,");
		if (n > 0 && n < sizeof(dm)) {
			memcpy(dm, s + 5, n);
			dm[n] = '\0';
		}
		s = comma + 1;
	}
	o = &r->out[r->nout];
	if ((o->data = b64_decode(s, &o->len)) == NULL)
		return sf_err_set(err, 502, "upstream_error", NULL,
		    "the provider returned malformed base64");
	if (o->len == 0) {
		free(o->data);
		o->data = NULL;
		return sf_err_set(err, 502, "upstream_error", NULL,
		    "the provider returned an empty result");
	}
	snprintf(o->mime, sizeof(o->mime), "%s",
	    mime ? mime : dm);
	r->nout++;
	return 0;
}

int
prov_out_url(struct prov_result *r, const char *url, const char *mime,
    struct sf_err *err)
{
	struct prov_output	*o;

	if (prov_slot(r, err) == -1)
		return -1;
	if (url != NULL && strncmp(url, "data:", 5) == 0)
		return prov_out_b64(r, url, mime, err);
	if (url == NULL || (strncmp(url, "https://", 8) != 0 &&
	    strncmp(url, "http://", 7) != 0))
		return sf_err_set(err, 502, "upstream_error", NULL,
		    "the provider returned no usable result URL");
	o = &r->out[r->nout];
	if ((o->url = strdup(url)) == NULL)
		return sf_err_set(err, 500, "internal_error", NULL,
		    "out of memory");
	snprintf(o->mime, sizeof(o->mime), "%s", mime ? mime : "");
	r->nout++;
	return 0;
}

void
prov_request_id(const struct prov_job *j, struct prov_result *r,
    const char *id)
{
	if (id == NULL || *id == '\0')
		return;
	snprintf(r->request_id, sizeof(r->request_id), "%s", id);
	if (j->on_request_id != NULL)
		j->on_request_id(j->arg, r->request_id);
}

int
prov_poll_sleep(const struct prov_job *j, int n)
{
	long	 base, ms;
	int	 i, why;

	/* PROVIDER_POLL_MS lets tests poll fast; 500 ms like fal-js. */
	base = strtol(prov_cfg(j, "PROVIDER_POLL_MS", "500"), NULL, 10);
	if (base <= 0 || base > 10000)
		base = 500;
	ms = base;
	for (i = 0; i < n && ms < 3000; i++)
		ms = ms * 3 / 2;
	if (ms > 3000 && base < 3000)
		ms = 3000;
	if (http_sleep_ms(ms, j->deadline_ms) == -1)
		return -1;
	if (j->should_stop != NULL &&
	    (why = j->should_stop(j->arg)) != PROV_GO)
		return why;
	return 0;
}

int
prov_stopped(const char *who, int why, int cancelled, struct sf_err *err)
{
	if (why == PROV_CANCEL)
		return sf_err_set(err, 409, "job_cancelled", NULL,
		    "the job was cancelled%s", cancelled ? ": cancelled "
		    "upstream" : "");
	return sf_err_set(err, 503, "job_abandoned", NULL, "another runner "
	    "took the job over (this one stopped polling %s)", who);
}

void
prov_upstream(const struct prov_job *j, cJSON *ref)
{
	if (ref == NULL || j->on_upstream == NULL)
		return;
	if (!cJSON_HasObjectItem(ref, "provider"))
		cJSON_AddStringToObject(ref, "provider", j->provider);
	j->on_upstream(j->arg, ref);
}

void
prov_upstream_pairs(const struct prov_job *j, ...)
{
	cJSON		*ref;
	va_list		 ap;
	const char	*k, *v;

	if ((ref = cJSON_CreateObject()) == NULL)
		return;
	va_start(ap, j);
	while ((k = va_arg(ap, const char *)) != NULL)
		if ((v = va_arg(ap, const char *)) != NULL)
			cJSON_AddStringToObject(ref, k, v);
	va_end(ap);
	prov_upstream(j, ref);
	cJSON_Delete(ref);
}

void
prov_progress(const struct prov_job *j, const char *s)
{
	if (j->on_progress != NULL)
		j->on_progress(j->arg, s != NULL ? s : "");
}

const cJSON *
prov_resume(const struct prov_job *j)
{
	const char	*p = prov_str(j->resume, "provider");

	return p != NULL && j->provider != NULL &&
	    strcmp(p, j->provider) == 0 ? j->resume : NULL;
}

/* The transport's failure as the providers' error (no URL: keys). */
static int
prov_call_err(const struct http_resp *h, const struct sf_err *e,
    struct sf_err *err)
{
	switch (h->fail) {
	case HTTP_TIMEOUT:
		return sf_err_set(err, 504, "upstream_timeout", NULL,
		    "the provider did not answer in time");
	case HTTP_TOOLARGE:
		return sf_err_set(err, 502, "upstream_error", NULL,
		    "the provider's answer exceeded our size cap");
	case HTTP_LOCAL:
		return sf_err_set(err, 500, "internal_error", NULL, "%s",
		    e->message);
	default:
		return sf_err_set(err, 502, "upstream_error", NULL,
		    "could not reach the provider (%s)", e->message);
	}
}

int
prov_call(const struct prov_job *j, const char *method, const char *url,
    const cJSON *body, const char *const *hdrs, int kind,
    struct http_resp *h, struct sf_err *err)
{
	struct http_req	 q;
	struct sf_err	 e;
	char		*txt = NULL;
	long		 n, base;
	int64_t		 wait;
	int		 rc, tries;

	memset(&q, 0, sizeof(q));
	memset(h, 0, sizeof(*h));
	if (body != NULL && (txt = cJSON_PrintUnformatted(body)) == NULL)
		return sf_err_set(err, 500, "internal_error", NULL,
		    "out of memory");
	n = strtol(prov_cfg(j, "PROVIDER_RETRIES", "2"), NULL, 10);
	n = n < 0 ? 0 : n > 5 ? 5 : n;
	base = strtol(prov_cfg(j, "PROVIDER_BACKOFF_MS", "1000"), NULL, 10);
	q.method = method;
	q.url = url;
	q.body = txt;
	q.headers = hdrs;
	q.deadline_ms = j->deadline_ms;
	for (tries = 0;; tries++) {
		sf_err_clear(&e);
		rc = http_do(&q, h, &e);
		if (tries >= n || !retry_should((enum retry_kind)kind, rc, h))
			break;
		wait = retry_backoff_ms(tries, base, rc == 0 ?
		    retry_hint_ms(h, time(NULL)) : -1, arc4random());
		/* Waiting past the deadline buys nothing. */
		if (http_now_ms() + wait >= j->deadline_ms - 100)
			break;
		http_resp_free(h);
		http_sleep_ms(wait, j->deadline_ms);
	}
	free(txt);
	if (rc == -1)
		return prov_call_err(h, &e, err);
	return 0;
}

cJSON *
prov_json(const struct http_resp *h, const char *who, struct sf_err *err)
{
	cJSON	*j;

	if (h->body.p == NULL ||
	    (j = cJSON_ParseWithLength(h->body.p, h->body.len)) == NULL) {
		sf_err_set(err, 502, "upstream_error", NULL,
		    "%s returned a malformed answer", who);
		return NULL;
	}
	return j;
}

void
prov_sanitise(char *out, size_t sz, const char *msg, const char *secret)
{
	size_t	 i = 0, sl;

	if (sz == 0)
		return;
	sl = secret != NULL ? strlen(secret) : 0;
	while (msg != NULL && *msg != '\0' && i + 1 < sz && i < 300) {
		if (sl >= 4 && strncmp(msg, secret, sl) == 0) {
			i += (size_t)snprintf(out + i, sz - i, "[redacted]");
			if (i >= sz)
				i = sz - 1;
			msg += sl;
			continue;
		}
		out[i++] = iscntrl((unsigned char)*msg) ? ' ' : *msg;
		msg++;
	}
	out[i] = '\0';
}

int
prov_is_moderation(const char *s)
{
	static const char *const keys[] = {
		"moderat", "content_policy", "content policy", "contentpolicy",
		"content_violation", "nsfw", "safety system", "prohibited",
		"safety_violation", NULL
	};
	size_t	 i, n;
	const char *p;

	if (s == NULL)
		return 0;
	for (i = 0; keys[i] != NULL; i++) {
		n = strlen(keys[i]);
		for (p = s; *p != '\0'; p++)
			if (strncasecmp(p, keys[i], n) == 0)
				return 1;
	}
	return 0;
}

/*
 * Pull a message and a machine code out of the provider error shapes:
 * {"error":{"message","code"|"type"|"status"}} (OpenAI, xAI, Google),
 * {"error":"msg","code"?} (Venice, BFL), {"detail":"msg"} and
 * {"detail":[{"loc","msg","type"}]} (fal, BFL, ElevenLabs FastAPI),
 * {"detail":{"status","message"}} (ElevenLabs), {"title","detail"}
 * (Replicate), {"message"}.
 */
static void
prov_err_fields(const cJSON *j, char *msg, size_t msz, char *code,
    size_t csz)
{
	const cJSON	*e, *d, *c, *loc, *last;
	const char	*m = NULL, *k = NULL;

	msg[0] = code[0] = '\0';
	if (!cJSON_IsObject(j))
		return;
	e = cJSON_GetObjectItemCaseSensitive(j, "error");
	d = cJSON_GetObjectItemCaseSensitive(j, "detail");
	if (cJSON_IsObject(e)) {
		m = prov_str(e, "message");
		if ((k = prov_str(e, "code")) == NULL &&
		    (k = prov_str(e, "status")) == NULL)
			k = prov_str(e, "type");
	} else if (cJSON_IsString(e)) {
		m = e->valuestring;
		if ((k = prov_str(j, "code")) == NULL)
			k = prov_str(j, "error_type");
		if (prov_str(j, "message") != NULL) {
			/* BFL: {"error":"rate_limit_exceeded","message":…} */
			k = m;
			m = prov_str(j, "message");
		}
	} else if (cJSON_IsString(d)) {
		m = d->valuestring;
		k = prov_str(j, "title");
	} else if (cJSON_IsArray(d) && (c = cJSON_GetArrayItem(d, 0))) {
		m = prov_str(c, "msg");
		k = prov_str(c, "type");
		loc = cJSON_GetObjectItemCaseSensitive(c, "loc");
		last = cJSON_IsArray(loc) ?
		    cJSON_GetArrayItem(loc, cJSON_GetArraySize(loc) - 1) : NULL;
		if (m != NULL && cJSON_IsString(last)) {
			snprintf(msg, msz, "%s: %s", last->valuestring, m);
			m = NULL;
		}
	} else if (cJSON_IsObject(d)) {
		m = prov_str(d, "message");
		k = prov_str(d, "status");
	} else
		m = prov_str(j, "message");
	if (m != NULL)
		snprintf(msg, msz, "%s", m);
	if (k != NULL)
		snprintf(code, csz, "%s", k);
}

int
prov_http_error(const char *who, long status, const char *body,
    const char *secret, struct sf_err *err)
{
	cJSON	*j = NULL;
	char	 raw[400], code[64], msg[320];

	raw[0] = code[0] = '\0';
	if (body != NULL && (j = cJSON_Parse(body)) != NULL)
		prov_err_fields(j, raw, sizeof(raw), code, sizeof(code));
	cJSON_Delete(j);
	prov_sanitise(msg, sizeof(msg), raw, secret);

	if (status >= 400 && status < 500 && status != 408 && status != 429 &&
	    (prov_is_moderation(code) || prov_is_moderation(msg)))
		return sf_err_set(err, 422, "content_moderated", NULL,
		    "%s refused the request on content grounds%s%s; change "
		    "the prompt or input", who, msg[0] ? ": " : "", msg);
	switch (status) {
	case 400:
	case 413:
	case 415:
	case 422:
		return sf_err_set(err, 422, "upstream_rejected", NULL,
		    "%s rejected the request: %s", who,
		    msg[0] ? msg : "invalid input");
	case 401:
	case 403:
		/* Our credentials: nothing the caller can fix, and no echo. */
		return sf_err_set(err, 502, "upstream_error", NULL,
		    "%s refused our credentials (HTTP %ld)", who, status);
	case 402:
		return sf_err_set(err, 502, "upstream_error", NULL,
		    "%s account is out of credit (HTTP 402)", who);
	case 408:
	case 504:
		return sf_err_set(err, 504, "upstream_timeout", NULL,
		    "%s timed out (HTTP %ld)", who, status);
	case 429:
		return sf_err_set(err, 502, "upstream_error", NULL,
		    "%s is rate limiting us; try again shortly", who);
	default:
		return sf_err_set(err, 502, "upstream_error", NULL,
		    "%s failed (HTTP %ld)%s%s", who, status,
		    msg[0] ? ": " : "", msg);
	}
}

int
prov_check_cfg(const struct cfg *c, struct sf_err *err)
{
	const struct prov_info	*p;

	if (cfg_check_uint(c, "PROVIDER_RETRIES", 0, 5, err) == -1 ||
	    cfg_check_uint(c, "PROVIDER_BACKOFF_MS", 0, 60000, err) == -1 ||
	    cfg_check_uint(c, "PROVIDER_POLL_MS", 1, 10000, err) == -1 ||
	    cfg_check_oneof(c, "VENICE_SAFE_MODE", "0|1", err) == -1 ||
	    cfg_check_url(c, "FAL_API_BASE_URL", err) == -1 ||
	    cfg_check_url(c, "FAL_OPENAPI_URL", err) == -1 ||
	    cfg_check_url(c, "FAL_REST_BASE_URL", err) == -1)
		return -1;
	for (p = provs_table; p->name != NULL; p++)
		if (p->base_key != NULL &&
		    cfg_check_url(c, p->base_key, err) == -1)
			return -1;
	return 0;
}
