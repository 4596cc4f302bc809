#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "basics/b64.h"
#include "basics/buf.h"
#include "basics/def.h"
#include "basics/msg.h"
#include "validate/schema.h"
#include "x402/x402_challenge.h"

/* EVM: the EIP-712 domain; Solana: the facilitator's fee payer. */
static void
x402_offer_extra(cJSON *j, const struct x402_offer *o)
{
	cJSON	*extra = cJSON_AddObjectToObject(j, "extra");

	if (o->svm) {
		/* Unknown outside a live 402 (registry files): left out. */
		if (o->fee_payer[0] != '\0')
			cJSON_AddStringToObject(extra, "feePayer",
			    o->fee_payer);
		return;
	}
	cJSON_AddStringToObject(extra, "name", o->name);
	cJSON_AddStringToObject(extra, "version", o->version);
}

cJSON *
x402_offer_v2(const struct x402_offer *o)
{
	cJSON	*j;

	if ((j = cJSON_CreateObject()) == NULL)
		return NULL;
	cJSON_AddStringToObject(j, "scheme", o->scheme);
	cJSON_AddStringToObject(j, "network", o->network);
	cJSON_AddStringToObject(j, "amount", o->amount);
	cJSON_AddStringToObject(j, "asset", o->asset);
	cJSON_AddStringToObject(j, "payTo", o->pay_to);
	cJSON_AddNumberToObject(j, "maxTimeoutSeconds", o->max_timeout);
	x402_offer_extra(j, o);
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
	cJSON	*j;

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
	x402_offer_extra(j, o);
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

/*
 * The plain challenge (no payment yet) is the hottest answer we give and
 * the same for every request of one price: its two JSON documents (the
 * bazaar schema alone is ~2 KiB) are built once per (endpoint, resource,
 * offers, description) and copied after that.  Profiling the 402 path
 * showed 60% of its time in malloc/free and printf under cJSON; a copy
 * costs two.
 */
#define CHAL_CACHE	16

struct chal_entry {
	char	*key;
	char	*hdr;		/* PAYMENT-REQUIRED, base64 */
	char	*body;		/* v1 JSON */
	size_t	 body_len;
};

static struct chal_entry	chal_cache[CHAL_CACHE];
static unsigned			chal_next;
static pthread_mutex_t		chal_lock = PTHREAD_MUTEX_INITIALIZER;

/* One key field and its separator. */
static void
chal_put(struct buf *k, const char *s)
{
	buf_puts(k, s != NULL ? s : "");
	buf_append(k, "|", 1);
}

/*
 * Everything the two documents are built from, as one string.  Appended
 * field by field: with printf this key alone cost more instructions than
 * the rest of the cached answer (callgrind, 16k per 402).
 */
static int
chal_key(struct buf *k, const struct def_endpoint *ep, int status,
    const char *resource, const struct x402_offer *o, size_t n,
    const char *error, const char *message, const char *desc)
{
	char	 num[64];
	size_t	 i;

	snprintf(num, sizeof(num), "%p|%d|", (const void *)ep, status);
	buf_puts(k, num);
	chal_put(k, resource);
	chal_put(k, error);
	chal_put(k, message);
	buf_append(k, desc != NULL ? "d" : "-", 1);	/* NULL vs "" */
	chal_put(k, desc);
	for (i = 0; i < n; i++) {
		snprintf(num, sizeof(num), "%llu|%u|",
		    (unsigned long long)o[i].chain_id, o[i].max_timeout);
		buf_puts(k, num);
		chal_put(k, o[i].scheme);
		chal_put(k, o[i].network);
		chal_put(k, o[i].network_v1);
		chal_put(k, o[i].amount);
		chal_put(k, o[i].asset);
		chal_put(k, o[i].pay_to);
		chal_put(k, o[i].name);
		chal_put(k, o[i].version);
	}
	return k->oom ? -1 : 0;
}

static int
chal_answer(struct msg_resp *resp, int status, const char *hdr,
    const char *body, size_t len)
{
	if (msg_resp_header(resp, "PAYMENT-REQUIRED", hdr) == -1 ||
	    msg_resp_header(resp, "Cache-Control", "no-store") == -1 ||
	    msg_resp_body(resp, status, "application/json", body, len) == -1)
		return -1;
	return 0;
}

/* Answer from the cache: 1 done, 0 not there, -1 out of memory. */
static int
chal_cached(struct msg_resp *resp, int status, const char *key)
{
	size_t	 i;
	int	 rc = 0;

	pthread_mutex_lock(&chal_lock);
	for (i = 0; i < CHAL_CACHE; i++)
		if (chal_cache[i].key != NULL &&
		    strcmp(chal_cache[i].key, key) == 0) {
			rc = chal_answer(resp, status, chal_cache[i].hdr,
			    chal_cache[i].body, chal_cache[i].body_len) == -1 ?
			    -1 : 1;
			break;
		}
	pthread_mutex_unlock(&chal_lock);
	return rc;
}

/* Keep a copy (best effort: out of memory only means no cache). */
static void
chal_keep(const char *key, const char *hdr, const char *body, size_t len)
{
	struct chal_entry	 e, *slot;

	e.key = strdup(key);
	e.hdr = strdup(hdr);
	e.body = malloc(len + 1);
	e.body_len = len;
	if (e.key == NULL || e.hdr == NULL || e.body == NULL) {
		free(e.key);
		free(e.hdr);
		free(e.body);
		return;
	}
	memcpy(e.body, body, len + 1);
	pthread_mutex_lock(&chal_lock);
	slot = &chal_cache[chal_next++ % CHAL_CACHE];
	free(slot->key);
	free(slot->hdr);
	free(slot->body);
	*slot = e;
	pthread_mutex_unlock(&chal_lock);
}

int
x402_challenge_desc(struct msg_resp *resp, int status,
    const struct def_endpoint *ep, const char *resource,
    const struct x402_offer *offers, size_t n, const char *error,
    const char *message, const char *desc)
{
	cJSON		*v2 = NULL, *v1 = NULL;
	char		*s = NULL, *body = NULL;
	struct buf	 hdr, key;
	int		 rc = -1, hit, plain;

	buf_init(&hdr);
	buf_init(&key);
	/* Only the plain challenge: refusals carry per-request messages. */
	plain = error != NULL && strcmp(error, "payment_required") == 0;
	if (plain && chal_key(&key, ep, status, resource, offers, n, error,
	    message, desc) == 0) {
		if ((hit = chal_cached(resp, status, key.p)) != 0) {
			buf_free(&key);
			return hit == 1 ? 0 : -1;
		}
	}
	if ((v2 = x402_required_v2_desc(ep, resource, offers, n, error,
	    desc)) == NULL || (v1 = x402_required_v1_desc(ep, resource,
	    offers, n, error, desc)) == NULL)
		goto out;
	if (message != NULL)
		cJSON_AddStringToObject(v1, "message", message);
	if ((s = cJSON_PrintUnformatted(v2)) == NULL ||
	    (body = cJSON_PrintUnformatted(v1)) == NULL)
		goto out;
	if (b64_encode(s, strlen(s), &hdr) == -1 || hdr.oom)
		goto out;
	if (chal_answer(resp, status, hdr.p, body, strlen(body)) == -1)
		goto out;
	if (plain && key.p != NULL && !key.oom)
		chal_keep(key.p, hdr.p, body, strlen(body));
	rc = 0;
out:
	cJSON_free(s);
	cJSON_free(body);
	cJSON_Delete(v1);
	cJSON_Delete(v2);
	buf_free(&hdr);
	buf_free(&key);
	return rc;
}
