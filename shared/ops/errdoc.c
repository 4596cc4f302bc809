#include <stdio.h>

#include <cjson/cJSON.h>

#include "ops/errdoc.h"

const struct errdoc errdoc_table[] = {
	/* The server tells us nothing of why: say what we know, and no
	   list of causes it may not have had. */
	{ 400, "bad_request", "the web server could not read this request as "
	    "HTTP and refused it before it reached the endpoint; nothing was "
	    "charged", 0 },
	{ 403, "forbidden", "refused by the web server: a look-alike of a "
	    "payment header (such as X_PAYMENT) is never accepted; send "
	    "PAYMENT-SIGNATURE or X-PAYMENT", 0 },
	{ 404, "not_found", "no endpoint at this path; see /llms.txt or "
	    "/registry.json for the list", 0 },
	{ 405, "method_not_allowed", "method not allowed here; endpoints "
	    "take POST (GET describes them)", 0 },
	{ 408, "request_timeout", "the request was not received in time", 0 },
	{ 411, "length_required", "send a Content-Length header "
	    "(Content-Length: 0 for an empty body)", 0 },
	{ 413, "body_too_large", "the request body is larger than", 1 },
	{ 414, "uri_too_long", "the request URI is too long", 0 },
	{ 431, "header_too_large", "the request headers are too large: "
	    "keep them under 64 KiB", 0 },
	/*
	 * A 5xx of the web server itself: the endpoint process vanished or
	 * did not answer, maybe after the work and while its settlement was
	 * under way.  The web server cannot know the payment's state, so it
	 * never says "nothing was charged": the same payment sent again is
	 * answered from the ledger (the result, or where its settlement
	 * stands), and is never charged twice.
	 */
	{ 500, "internal_error", "the web server failed and this request did "
	    "not complete; if it carried a payment, send the same request with "
	    "the same payment again to get the result or learn the payment's "
	    "state (a payment is never charged twice)", 0 },
	{ 502, "endpoint_unavailable", "the endpoint process stopped or is "
	    "not answering and this request did not complete; if it carried a "
	    "payment, send the same request with the same payment again to get "
	    "the result or learn the payment's state (a payment is never "
	    "charged twice)", 0 },
	{ 503, "service_unavailable", "the service is unavailable and this "
	    "request did not complete; retry later, and if it carried a "
	    "payment, with the same payment (a payment is never charged "
	    "twice)", 0 },
	{ 504, "endpoint_timeout", "the endpoint did not answer in time and "
	    "may still finish this request; send the same request with the "
	    "same payment again to get the result or learn the payment's state "
	    "(a payment is never charged twice)", 0 },
	{ 0, NULL, NULL, 0 },
};

const struct errdoc *
errdoc_find(int status)
{
	const struct errdoc	*e;

	for (e = errdoc_table; e->status != 0; e++)
		if (e->status == status)
			return e;
	return NULL;
}

cJSON *
errdoc_json(const struct errdoc *e, int mcp, unsigned long body_max)
{
	cJSON	*j, *err;
	char	 msg[512];

	/* Word for word the endpoints' own 413 (flow.c). */
	if (e->limit)
		snprintf(msg, sizeof(msg), "%s %lu bytes", e->message,
		    body_max);
	else
		snprintf(msg, sizeof(msg), "%s", e->message);
	if ((j = cJSON_CreateObject()) == NULL)
		return NULL;
	if (mcp) {
		cJSON_AddStringToObject(j, "jsonrpc", "2.0");
		cJSON_AddNullToObject(j, "id");
	}
	err = cJSON_AddObjectToObject(j, "error");
	if (mcp)
		cJSON_AddNumberToObject(err, "code",
		    e->status >= 500 ? -32603 : -32600);
	else
		cJSON_AddStringToObject(err, "code", e->code);
	cJSON_AddStringToObject(err, "message", msg);
	return j;
}
