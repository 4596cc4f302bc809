#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "basics/err.h"
#include "basics/msg.h"

void
msg_resp_init(struct msg_resp *r)
{
	memset(r, 0, sizeof(*r));
}

void
msg_resp_free(struct msg_resp *r)
{
	size_t	 i;

	for (i = 0; i < r->nheaders; i++) {
		free(r->hname[i]);
		free(r->hval[i]);
	}
	free(r->content_type);
	free(r->body);
	free(r->location);
	memset(r, 0, sizeof(*r));
}

int
msg_resp_header(struct msg_resp *r, const char *name, const char *val)
{
	char	*n, *v;
	size_t	 len = strlen(val);

	/*
	 * Header injection guard: values come from config and JSON.  memchr
	 * rather than strpbrk: a 402's PAYMENT-REQUIRED is 5 KiB, and
	 * strpbrk over it was 5% of the 402's instructions.
	 */
	if (strpbrk(name, "\r\n: ") != NULL || memchr(val, '\r', len) != NULL ||
	    memchr(val, '\n', len) != NULL)
		return -1;
	if (r->nheaders == MSG_MAX_HEADERS)
		return -1;
	if ((n = strdup(name)) == NULL)
		return -1;
	if ((v = malloc(len + 1)) == NULL) {
		free(n);
		return -1;
	}
	memcpy(v, val, len + 1);
	r->hname[r->nheaders] = n;
	r->hval[r->nheaders] = v;
	r->nheaders++;
	return 0;
}

const char *
msg_resp_get_header(const struct msg_resp *r, const char *name)
{
	size_t	 i;

	for (i = 0; i < r->nheaders; i++)
		if (strcasecmp(r->hname[i], name) == 0)
			return r->hval[i];
	return NULL;
}

int
msg_resp_body(struct msg_resp *r, int status, const char *ctype,
    const char *body, size_t len)
{
	char	*b, *c;

	if ((b = malloc(len + 1)) == NULL)
		return -1;
	if ((c = strdup(ctype)) == NULL) {
		free(b);
		return -1;
	}
	memcpy(b, body, len);
	b[len] = '\0';
	free(r->body);
	free(r->content_type);
	r->body = b;
	r->body_len = len;
	r->content_type = c;
	r->status = status;
	return 0;
}

int
msg_resp_json(struct msg_resp *r, int status, const cJSON *j)
{
	char	*s;
	int	 rc;

	if ((s = cJSON_PrintUnformatted(j)) == NULL)
		return -1;
	rc = msg_resp_body(r, status, "application/json", s, strlen(s));
	cJSON_free(s);
	return rc;
}

int
msg_resp_error(struct msg_resp *r, const struct sf_err *e)
{
	cJSON	*root, *o;
	int	 rc = -1;

	if ((root = cJSON_CreateObject()) == NULL)
		goto fallback;
	if ((o = cJSON_AddObjectToObject(root, "error")) == NULL ||
	    cJSON_AddStringToObject(o, "code", e->code) == NULL ||
	    cJSON_AddStringToObject(o, "message", e->message) == NULL ||
	    (e->field[0] != '\0' &&
	    cJSON_AddStringToObject(o, "field", e->field) == NULL))
		goto fallback;
	rc = msg_resp_json(r, e->status ? e->status : 500, root);
fallback:
	cJSON_Delete(root);
	if (rc == -1)
		rc = msg_resp_body(r, 500, "application/json",
		    "{\"error\":{\"code\":\"out_of_memory\",\"message\":"
		    "\"out of memory\"}}", 54);
	return rc;
}

const char *
msg_status_text(int s)
{
	switch (s) {
	case 200: return "OK";
	case 202: return "Accepted";
	case 204: return "No Content";
	case 302: return "Found";
	case 400: return "Bad Request";
	case 402: return "Payment Required";
	case 403: return "Forbidden";
	case 404: return "Not Found";
	case 405: return "Method Not Allowed";
	case 406: return "Not Acceptable";
	case 409: return "Conflict";
	case 411: return "Length Required";
	case 413: return "Payload Too Large";
	case 415: return "Unsupported Media Type";
	case 422: return "Unprocessable Entity";
	case 429: return "Too Many Requests";
	case 500: return "Internal Server Error";
	case 501: return "Not Implemented";
	case 502: return "Bad Gateway";
	case 503: return "Service Unavailable";
	case 504: return "Gateway Timeout";
	default: return "Unknown";
	}
}
