#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "basics/b64.h"
#include "basics/buf.h"
#include "basics/def.h"
#include "basics/msg.h"
#include "validate/schema.h"
#include "x402/x402_challenge.h"
#include "x402/x402_scheme.h"

/* "extra": what the offer's scheme family adds (x402_scheme.h). */
static void
x402_offer_extra(cJSON *j, const struct x402_offer *o)
{
	x402_scheme_of_offer(o)->offer_extra(cJSON_AddObjectToObject(j,
	    "extra"), o);
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
#define CHAL_OFFERS	8	/* a 402 with more offers is not cached */

/* What the two documents were built from, and the documents. */
struct chal_entry {
	const struct def_endpoint	*ep;
	int				 status;
	char				*resource, *error, *message, *desc;
	struct x402_offer		 offers[CHAL_OFFERS];
	size_t				 n;
	char				*hdr;		/* PAYMENT-REQUIRED */
	char				*body;		/* v1 JSON */
	size_t				 body_len;
};

static struct chal_entry	chal_cache[CHAL_CACHE];
static unsigned			chal_next;
/* Read-mostly: every 402 reads it, a new key writes it.  A mutex here
   made the workers queue for each other (futex waits in perf). */
static pthread_rwlock_t		chal_lock = PTHREAD_RWLOCK_INITIALIZER;

/* Equal strings, NULL equal only to NULL (a NULL desc is not ""). */
static int
chal_streq(const char *a, const char *b)
{
	return a == NULL || b == NULL ? a == b : strcmp(a, b) == 0;
}

/*
 * Built from the same inputs: compared field by field, every field the
 * documents are made of (an earlier string key built per 402 cost more
 * than the rest of the cached answer, and left the Solana fee payer out).
 */
static int
chal_same(const struct chal_entry *e, const struct def_endpoint *ep,
    int status, const char *resource, const struct x402_offer *o, size_t n,
    const char *error, const char *message, const char *desc)
{
	size_t	 i;

	if (e->ep != ep || e->status != status || e->n != n ||
	    !chal_streq(e->resource, resource) ||
	    !chal_streq(e->error, error) || !chal_streq(e->message, message) ||
	    !chal_streq(e->desc, desc))
		return 0;
	for (i = 0; i < n; i++)
		if (!x402_offer_equal(&e->offers[i], &o[i]))
			return 0;
	return 1;
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
chal_cached(struct msg_resp *resp, const struct def_endpoint *ep,
    int status, const char *resource, const struct x402_offer *o, size_t n,
    const char *error, const char *message, const char *desc)
{
	size_t	 i;
	int	 rc = 0;

	pthread_rwlock_rdlock(&chal_lock);
	for (i = 0; i < CHAL_CACHE; i++)
		if (chal_cache[i].hdr != NULL && chal_same(&chal_cache[i], ep,
		    status, resource, o, n, error, message, desc)) {
			rc = chal_answer(resp, status, chal_cache[i].hdr,
			    chal_cache[i].body, chal_cache[i].body_len) == -1 ?
			    -1 : 1;
			break;
		}
	pthread_rwlock_unlock(&chal_lock);
	return rc;
}

static void
chal_entry_free(struct chal_entry *e)
{
	free(e->resource);
	free(e->error);
	free(e->message);
	free(e->desc);
	free(e->hdr);
	free(e->body);
	memset(e, 0, sizeof(*e));
}

/* A copy of s, NULL for NULL; *ok cleared when out of memory. */
static char *
chal_dup(const char *s, int *ok)
{
	char	*d;

	if (s == NULL)
		return NULL;
	if ((d = strdup(s)) == NULL)
		*ok = 0;
	return d;
}

/* Keep a copy (best effort: out of memory only means no cache). */
static void
chal_keep(const struct def_endpoint *ep, int status, const char *resource,
    const struct x402_offer *o, size_t n, const char *error,
    const char *message, const char *desc, const char *hdr,
    const char *body, size_t len)
{
	struct chal_entry	 e, *slot;
	int			 ok = 1;

	if (n > CHAL_OFFERS)
		return;
	memset(&e, 0, sizeof(e));
	e.ep = ep;
	e.status = status;
	e.n = n;
	if (n > 0)
		memcpy(e.offers, o, n * sizeof(*o));
	e.resource = chal_dup(resource, &ok);
	e.error = chal_dup(error, &ok);
	e.message = chal_dup(message, &ok);
	e.desc = chal_dup(desc, &ok);
	e.hdr = chal_dup(hdr, &ok);
	if ((e.body = malloc(len + 1)) == NULL)
		ok = 0;
	else
		memcpy(e.body, body, len + 1);
	e.body_len = len;
	if (!ok) {
		chal_entry_free(&e);
		return;
	}
	pthread_rwlock_wrlock(&chal_lock);
	slot = &chal_cache[chal_next++ % CHAL_CACHE];
	chal_entry_free(slot);
	*slot = e;
	pthread_rwlock_unlock(&chal_lock);
}

int
x402_challenge_desc(struct msg_resp *resp, int status,
    const struct def_endpoint *ep, const char *resource,
    const struct x402_offer *offers, size_t n, const char *error,
    const char *message, const char *desc)
{
	cJSON		*v2 = NULL, *v1 = NULL;
	char		*s = NULL, *body = NULL;
	struct buf	 hdr;
	int		 rc = -1, hit, plain;

	buf_init(&hdr);
	/* Only the plain challenge: refusals carry per-request messages. */
	plain = error != NULL && strcmp(error, "payment_required") == 0;
	if (plain && (hit = chal_cached(resp, ep, status, resource, offers, n,
	    error, message, desc)) != 0)
		return hit == 1 ? 0 : -1;
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
	if (plain)
		chal_keep(ep, status, resource, offers, n, error, message,
		    desc, hdr.p, body, strlen(body));
	rc = 0;
out:
	cJSON_free(s);
	cJSON_free(body);
	cJSON_Delete(v1);
	cJSON_Delete(v2);
	buf_free(&hdr);
	return rc;
}
