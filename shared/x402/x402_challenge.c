#include <string.h>

#include "basics/b64.h"
#include "basics/buf.h"
#include "basics/def.h"
#include "basics/msg.h"
#include "validate/schema.h"
#include "x402/x402_challenge.h"

cJSON *
x402_offer_v2(const struct x402_offer *o)
{
	cJSON	*j, *extra;

	if ((j = cJSON_CreateObject()) == NULL)
		return NULL;
	cJSON_AddStringToObject(j, "scheme", o->scheme);
	cJSON_AddStringToObject(j, "network", o->network);
	cJSON_AddStringToObject(j, "amount", o->amount);
	cJSON_AddStringToObject(j, "asset", o->asset);
	cJSON_AddStringToObject(j, "payTo", o->pay_to);
	cJSON_AddNumberToObject(j, "maxTimeoutSeconds", o->max_timeout);
	extra = cJSON_AddObjectToObject(j, "extra");
	cJSON_AddStringToObject(extra, "name", o->name);
	cJSON_AddStringToObject(extra, "version", o->version);
	return j;
}

cJSON *
x402_offer_v1(const struct def_endpoint *ep, const char *resource,
    const struct x402_offer *o)
{
	return x402_offer_v1_desc(ep, resource, o, NULL);
}

cJSON *
x402_offer_v1_desc(const struct def_endpoint *ep, const char *resource,
    const struct x402_offer *o, const char *desc)
{
	cJSON	*j, *extra;

	if (o->network_v1[0] == '\0' || (j = cJSON_CreateObject()) == NULL)
		return NULL;
	cJSON_AddStringToObject(j, "scheme", o->scheme);
	cJSON_AddStringToObject(j, "network", o->network_v1);
	cJSON_AddStringToObject(j, "maxAmountRequired", o->amount);
	cJSON_AddStringToObject(j, "resource", resource);
	cJSON_AddStringToObject(j, "description", desc ? desc : ep->summary);
	cJSON_AddStringToObject(j, "mimeType", "application/json");
	cJSON_AddItemToObject(j, "outputSchema", schema_v1_output(ep));
	cJSON_AddStringToObject(j, "payTo", o->pay_to);
	cJSON_AddNumberToObject(j, "maxTimeoutSeconds", o->max_timeout);
	cJSON_AddStringToObject(j, "asset", o->asset);
	extra = cJSON_AddObjectToObject(j, "extra");
	cJSON_AddStringToObject(extra, "name", o->name);
	cJSON_AddStringToObject(extra, "version", o->version);
	return j;
}

static cJSON *
x402_ext_payment_id(void)
{
	return cJSON_Parse("{\"info\":{\"required\":false},\"schema\":{"
	    "\"$schema\":\"https://json-schema.org/draft/2020-12/schema\","
	    "\"type\":\"object\",\"properties\":{\"required\":{\"type\":"
	    "\"boolean\"},\"id\":{\"type\":\"string\",\"minLength\":16,"
	    "\"maxLength\":128,\"pattern\":\"^[a-zA-Z0-9_-]+$\"}},"
	    "\"required\":[\"required\"]}}");
}

cJSON *
x402_required_v2(const struct def_endpoint *ep, const char *resource,
    const struct x402_offer *offers, size_t n, const char *error)
{
	return x402_required_v2_desc(ep, resource, offers, n, error, NULL);
}

cJSON *
x402_required_v2_desc(const struct def_endpoint *ep, const char *resource,
    const struct x402_offer *offers, size_t n, const char *error,
    const char *desc)
{
	cJSON	*j, *res, *acc, *ext;
	size_t	 i;

	if ((j = cJSON_CreateObject()) == NULL)
		return NULL;
	cJSON_AddNumberToObject(j, "x402Version", 2);
	if (error != NULL)
		cJSON_AddStringToObject(j, "error", error);
	res = cJSON_AddObjectToObject(j, "resource");
	cJSON_AddStringToObject(res, "url", resource);
	cJSON_AddStringToObject(res, "description", desc ? desc : ep->summary);
	cJSON_AddStringToObject(res, "mimeType", "application/json");
	acc = cJSON_AddArrayToObject(j, "accepts");
	for (i = 0; i < n; i++)
		cJSON_AddItemToArray(acc, x402_offer_v2(&offers[i]));
	ext = cJSON_AddObjectToObject(j, "extensions");
	cJSON_AddItemToObject(ext, "bazaar", schema_bazaar(ep));
	cJSON_AddItemToObject(ext, "payment-identifier", x402_ext_payment_id());
	return j;
}

static cJSON *
x402_required_v1_desc(const struct def_endpoint *ep, const char *resource,
    const struct x402_offer *offers, size_t n, const char *error,
    const char *desc)
{
	cJSON	*j, *acc, *o;
	size_t	 i;

	if ((j = cJSON_CreateObject()) == NULL)
		return NULL;
	cJSON_AddNumberToObject(j, "x402Version", 1);
	cJSON_AddStringToObject(j, "error", error);
	acc = cJSON_AddArrayToObject(j, "accepts");
	for (i = 0; i < n; i++)
		if ((o = x402_offer_v1_desc(ep, resource, &offers[i],
		    desc)) != NULL)
			cJSON_AddItemToArray(acc, o);
	return j;
}

cJSON *
x402_required_v1(const struct def_endpoint *ep, const char *resource,
    const struct x402_offer *offers, size_t n, const char *error)
{
	return x402_required_v1_desc(ep, resource, offers, n, error, NULL);
}

int
x402_challenge(struct msg_resp *resp, int status,
    const struct def_endpoint *ep, const char *resource,
    const struct x402_offer *offers, size_t n, const char *error,
    const char *message)
{
	return x402_challenge_desc(resp, status, ep, resource, offers, n,
	    error, message, NULL);
}

int
x402_challenge_desc(struct msg_resp *resp, int status,
    const struct def_endpoint *ep, const char *resource,
    const struct x402_offer *offers, size_t n, const char *error,
    const char *message, const char *desc)
{
	cJSON		*v2 = NULL, *v1 = NULL;
	char		*s = NULL;
	struct buf	 hdr;
	int		 rc = -1;

	buf_init(&hdr);
	if ((v2 = x402_required_v2_desc(ep, resource, offers, n, error,
	    desc)) == NULL || (v1 = x402_required_v1_desc(ep, resource,
	    offers, n, error, desc)) == NULL)
		goto out;
	if (message != NULL)
		cJSON_AddStringToObject(v1, "message", message);
	if ((s = cJSON_PrintUnformatted(v2)) == NULL)
		goto out;
	if (b64_encode(s, strlen(s), &hdr) == -1 || hdr.oom)
		goto out;
	if (msg_resp_header(resp, "PAYMENT-REQUIRED", hdr.p) == -1 ||
	    msg_resp_header(resp, "Cache-Control", "no-store") == -1 ||
	    msg_resp_json(resp, status, v1) == -1)
		goto out;
	rc = 0;
out:
	cJSON_free(s);
	cJSON_Delete(v1);
	cJSON_Delete(v2);
	buf_free(&hdr);
	return rc;
}
