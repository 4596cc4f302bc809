#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cjson/cJSON.h>

#include "basics/buf.h"
#include "x402/cdp_jwt.h"
#include "basics/err.h"
#include "x402/facilitator.h"
#include "http/httpc.h"

const char *
facilitator_outcome_name(enum facilitator_outcome o)
{
	switch (o) {
	case FACILITATOR_OK:
		return "ok";
	case FACILITATOR_FAILED:
		return "failed";
	default:
		return "unknown";
	}
}

/* base + "/" + op without a doubled slash. */
static int
fac_url(const struct facilitator_config *c, const char *op, char *out,
    size_t sz)
{
	size_t	 n;

	if (c->url == NULL || *c->url == '\0')
		return -1;
	n = strlen(c->url);
	while (n > 0 && c->url[n - 1] == '/')
		n--;
	if ((size_t)snprintf(out, sz, "%.*s/%s", (int)n, c->url, op) >= sz)
		return -1;
	return 0;
}

/* Perform one call with optional CDP auth headers. */
static int
fac_http(const struct facilitator_config *c, const char *method,
    const char *op, const char *body, long total_ms, long *status,
    struct buf *resp, struct sf_err *err)
{
	struct httpc_req	 req;
	struct buf		 jwt, auth;
	const char		*hdrs[3] = { NULL, NULL, NULL };
	char			 url[1024];
	int			 ret;

	if (fac_url(c, op, url, sizeof(url)) == -1)
		return sf_err_set(err, 500, "config_error", NULL,
		    "facilitator URL missing or too long");
	buf_init(&jwt);
	buf_init(&auth);
	if (c->cdp_key_id != NULL && *c->cdp_key_id != '\0' &&
	    c->cdp_key_secret != NULL && *c->cdp_key_secret != '\0') {
		if (cdp_jwt_make(c->cdp_key_id, c->cdp_key_secret, method,
		    url, 0, &jwt, err) == -1) {
			buf_free(&jwt);
			return -1;
		}
		buf_printf(&auth, "Authorization: Bearer %s", jwt.p);
		explicit_bzero(jwt.p, jwt.len);
		if (auth.oom) {
			buf_free(&jwt);
			buf_free(&auth);
			return sf_err_set(err, 500, "internal_error", NULL,
			    "out of memory");
		}
		hdrs[0] = auth.p;
		hdrs[1] = "Correlation-Context: sdk_language=c,source=x402,"
		    "source_version=synthforge";
	}
	memset(&req, 0, sizeof(req));
	req.method = method;
	req.url = url;
	req.body = body;
	req.headers = hdrs;
	req.connect_ms = c->connect_ms;
	req.total_ms = total_ms;
	req.follow = 1;
	ret = httpc_do(&req, status, resp, err);
	if (auth.p != NULL)
		explicit_bzero(auth.p, auth.len);
	buf_free(&jwt);
	buf_free(&auth);
	return ret;
}

static void
fac_str(cJSON *o, const char *k, char *dst, size_t sz)
{
	cJSON	*v = cJSON_GetObjectItemCaseSensitive(o, k);

	if (cJSON_IsString(v))
		snprintf(dst, sz, "%s", v->valuestring);
}

static enum facilitator_outcome
fac_set(struct facilitator_result *r, enum facilitator_outcome o,
    const char *reason, const char *fmt, const char *arg)
{
	r->outcome = o;
	if (r->reason[0] == '\0')
		snprintf(r->reason, sizeof(r->reason), "%s", reason);
	if (r->message[0] == '\0')
		snprintf(r->message, sizeof(r->message), fmt, arg);
	return o;
}

static enum facilitator_outcome
fac_call(const struct facilitator_config *c, int settle, int version,
    const char *payload, const char *reqs, struct facilitator_result *r)
{
	struct sf_err	 err;
	struct buf	 resp;
	cJSON		*body = NULL, *reply = NULL, *pp, *pr, *ok;
	char		*txt = NULL;
	const char	*flag = settle ? "success" : "isValid";
	long		 status = 0;
	long		 ms;

	memset(r, 0, sizeof(*r));
	buf_init(&resp);
	sf_err_clear(&err);
	pp = cJSON_Parse(payload);
	pr = cJSON_Parse(reqs);
	if (pp == NULL || pr == NULL || (body = cJSON_CreateObject()) == NULL) {
		cJSON_Delete(pp);
		cJSON_Delete(pr);
		/* A local error: nothing was sent, so this is a clean no. */
		fac_set(r, FACILITATOR_FAILED, "internal_error", "%s",
		    "payload or requirements are not JSON");
		goto out;
	}
	cJSON_AddNumberToObject(body, "x402Version", version);
	cJSON_AddItemToObject(body, "paymentPayload", pp);
	cJSON_AddItemToObject(body, "paymentRequirements", pr);
	if ((txt = cJSON_PrintUnformatted(body)) == NULL) {
		fac_set(r, FACILITATOR_FAILED, "internal_error", "%s",
		    "out of memory");
		goto out;
	}
	ms = settle ? (c->settle_ms > 0 ? c->settle_ms : 60000) :
	    (c->verify_ms > 0 ? c->verify_ms : 10000);
	if (fac_http(c, "POST", settle ? "settle" : "verify", txt, ms,
	    &status, &resp, &err) == -1) {
		if (strcmp(err.code, "config_error") == 0 ||
		    strcmp(err.code, "internal_error") == 0)
			fac_set(r, FACILITATOR_FAILED, err.code, "%s",
			    err.message);
		else
			fac_set(r, FACILITATOR_UNKNOWN, "facilitator_unreachable",
			    "%s", err.message);
		goto out;
	}
	r->http_status = status;
	reply = cJSON_ParseWithLength(resp.p ? resp.p : "", resp.len);
	ok = cJSON_GetObjectItemCaseSensitive(reply, flag);
	if (!cJSON_IsObject(reply) || !cJSON_IsBool(ok)) {
		/* 2xx with garbage (reference: 502) or an error page. */
		fac_set(r, FACILITATOR_UNKNOWN, "facilitator_bad_response",
		    "facilitator answered HTTP %s without a result",
		    status >= 200 && status < 300 ? "2xx" : "error");
		goto out;
	}
	r->success = cJSON_IsTrue(ok);
	fac_str(reply, "transaction", r->transaction, sizeof(r->transaction));
	fac_str(reply, "network", r->network, sizeof(r->network));
	fac_str(reply, "payer", r->payer, sizeof(r->payer));
	fac_str(reply, settle ? "errorReason" : "invalidReason", r->reason,
	    sizeof(r->reason));
	fac_str(reply, settle ? "errorMessage" : "invalidMessage", r->message,
	    sizeof(r->message));
	if (r->success && status >= 200 && status < 300) {
		r->outcome = FACILITATOR_OK;
		if (settle && r->transaction[0] == '\0')
			fac_set(r, FACILITATOR_UNKNOWN,
			    "facilitator_bad_response", "%s",
			    "settle success without a transaction");
	} else if (settle && status >= 500)
		/* The facilitator may have crashed after broadcasting. */
		fac_set(r, FACILITATOR_UNKNOWN, "unexpected_settle_error",
		    "%s", "facilitator error");
	else
		/* 200 (reference) or 4xx (CDP) with a definite "no". */
		fac_set(r, FACILITATOR_FAILED, settle ? "settle_failed" :
		    "invalid_payment", "%s", "facilitator refused");
out:
	cJSON_Delete(reply);
	cJSON_Delete(body);
	cJSON_free(txt);
	buf_free(&resp);
	return r->outcome;
}

enum facilitator_outcome
facilitator_verify(const struct facilitator_config *c, int version,
    const char *payload, const char *reqs, struct facilitator_result *r)
{
	return fac_call(c, 0, version, payload, reqs, r);
}

enum facilitator_outcome
facilitator_settle(const struct facilitator_config *c, int version,
    const char *payload, const char *reqs, struct facilitator_result *r)
{
	return fac_call(c, 1, version, payload, reqs, r);
}

int
facilitator_supported(const struct facilitator_config *c, char **json,
    struct sf_err *err)
{
	struct buf	 resp;
	cJSON		*reply;
	long		 status;
	int		 attempt, tries;

	*json = NULL;
	tries = c->supported_tries > 0 ? c->supported_tries : 3;
	/* Idempotent, so the one call we retry (429/5xx/transport). */
	for (attempt = 0; attempt < tries; attempt++) {
		buf_init(&resp);
		if (fac_http(c, "GET", "supported", NULL,
		    c->verify_ms > 0 ? c->verify_ms : 10000, &status, &resp,
		    err) == 0 && status >= 200 && status < 300) {
			reply = cJSON_ParseWithLength(resp.p ? resp.p : "",
			    resp.len);
			if (cJSON_IsArray(cJSON_GetObjectItemCaseSensitive(reply,
			    "kinds"))) {
				cJSON_Delete(reply);
				*json = buf_steal(&resp, NULL);
				return *json ? 0 : sf_err_set(err, 500,
				    "internal_error", NULL, "out of memory");
			}
			cJSON_Delete(reply);
			sf_err_set(err, 502, "facilitator_bad_response", NULL,
			    "/supported: no kinds");
			buf_free(&resp);
			return -1;
		}
		buf_free(&resp);
		if (strcmp(err->code, "config_error") == 0)
			return -1;
		if (status != 0 && status != 429 && status < 500)
			return sf_err_set(err, 502, "facilitator_error", NULL,
			    "/supported: HTTP %ld", status);
		if (attempt + 1 < tries)
			nanosleep(&(struct timespec){ attempt + 1, 0 }, NULL);
	}
	/* An answer without a usable status still says why (fuzz_facilitator
	   found -1 returned with err empty). */
	if (status != 0 || err->code[0] == '\0')
		sf_err_set(err, 502, "facilitator_error", NULL,
		    "/supported: HTTP %ld", status);
	return -1;
}
