/*
 * Driver for siwx_diff.mjs: one JSON request per input line, one JSON
 * answer per output line, so the node side can interleave our answers
 * with the official package's.
 *
 *   {"op":"config","public_url":U,"networks":[..],"statement":S?,
 *    "ttl_ms":N?,"skew_ms":N?}		-> {"ok":true} | {"error":..}
 *   {"op":"challenge","resource":URL,"now":MS}
 *					-> {"header":B64} | {"error":..}
 *   {"op":"verify","header":H,"now":MS}
 *		-> {"rc":0|-1,"valid":B,"reason":R,"address":A,"chain":C}
 *   {"op":"msg","fields":{...}}	-> {"siwe":TEXT|null,"siwe_err":F,
 *					    "siws":TEXT}
 *   {"op":"time","s":STR}		-> {"ms":N|null,"iso":STR|null}
 *   {"op":"uri","s":STR}		-> {"uri":B}
 *   {"op":"origin","s":URL}		-> {"origin":O,"host":H} | {"origin":null}
 *
 * The nonce store is in memory: issued nonces with their expiry, used up
 * by consume.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "basics/buf.h"
#include "basics/err.h"
#include "basics/msg.h"
#include "x402/siwx.h"
#include "x402/siwx_msg.h"

struct nonce {
	char		 n[SIWX_NONCE_LEN + 1];
	int64_t		 expires;
	int		 used;
	struct nonce	*next;
};

static struct nonce	*nonces;

static int
st_issue(void *ctx, const char *n, int64_t expires)
{
	struct nonce	*e;

	(void)ctx;
	if ((e = calloc(1, sizeof(*e))) == NULL)
		return -1;
	snprintf(e->n, sizeof(e->n), "%s", n);
	e->expires = expires;
	e->next = nonces;
	nonces = e;
	return 0;
}

static int
st_consume(void *ctx, const char *n, int64_t now)
{
	struct nonce	*e;

	(void)ctx;
	for (e = nonces; e != NULL; e = e->next)
		if (strcmp(e->n, n) == 0) {
			if (e->used || e->expires <= now)
				return 0;
			e->used = 1;
			return 1;
		}
	return 0;
}

static const char *
str(const cJSON *o, const char *k)
{
	const cJSON	*j = cJSON_GetObjectItemCaseSensitive(o, k);

	return cJSON_IsString(j) ? j->valuestring : NULL;
}

static int64_t
num(const cJSON *o, const char *k, int64_t dflt)
{
	const cJSON	*j = cJSON_GetObjectItemCaseSensitive(o, k);

	return cJSON_IsNumber(j) ? (int64_t)j->valuedouble : dflt;
}

static void
answer(cJSON *a)
{
	char	*t = cJSON_PrintUnformatted(a);

	if (t == NULL) {
		fprintf(stderr, "siwx_diff_driver: out of memory\n");
		exit(2);
	}
	printf("%s\n", t);
	fflush(stdout);
	free(t);
	cJSON_Delete(a);
}

static void
op_config(struct siwx_config *c, const cJSON *q, cJSON *a)
{
	struct siwx_nonce_store	 st = { NULL, st_issue, st_consume };
	const char		*nets[SIWX_CHAINS_MAX + 1];
	const cJSON		*arr, *it;
	struct sf_err		 err;
	size_t			 n = 0;

	arr = cJSON_GetObjectItemCaseSensitive(q, "networks");
	cJSON_ArrayForEach(it, arr)
		if (n < SIWX_CHAINS_MAX + 1 && cJSON_IsString(it))
			nets[n++] = it->valuestring;
	if (siwx_config_init(c, str(q, "public_url"), nets, n, &st,
	    &err) == -1) {
		cJSON_AddStringToObject(a, "error", err.message);
		return;
	}
	if (str(q, "statement") != NULL)
		snprintf(c->statement, sizeof(c->statement), "%s",
		    str(q, "statement"));
	c->ttl_ms = num(q, "ttl_ms", c->ttl_ms);
	c->skew_ms = num(q, "skew_ms", c->skew_ms);
	cJSON_AddBoolToObject(a, "ok", 1);
}

static void
op_challenge(const struct siwx_config *c, const cJSON *q, cJSON *a)
{
	struct msg_resp	 r;
	struct sf_err	 err;

	msg_resp_init(&r);
	if (siwx_challenge(&r, c, str(q, "resource"), "Your jobs", NULL,
	    num(q, "now", 0), &err) == -1)
		cJSON_AddStringToObject(a, "error", err.message);
	else {
		cJSON_AddNumberToObject(a, "status", r.status);
		cJSON_AddStringToObject(a, "header",
		    msg_resp_get_header(&r, "PAYMENT-REQUIRED"));
		cJSON_AddStringToObject(a, "body", r.body ? r.body : "");
	}
	msg_resp_free(&r);
}

static void
op_verify(const struct siwx_config *c, const cJSON *q, cJSON *a)
{
	struct siwx_verdict	 v;
	struct sf_err		 err;
	int			 rc;

	rc = siwx_verify(c, str(q, "header"), num(q, "now", 0), &v, &err);
	cJSON_AddNumberToObject(a, "rc", rc);
	cJSON_AddBoolToObject(a, "valid", v.valid);
	if (v.reason != NULL)
		cJSON_AddStringToObject(a, "reason", v.reason);
	cJSON_AddStringToObject(a, "message", v.message);
	cJSON_AddStringToObject(a, "address", v.address);
	cJSON_AddStringToObject(a, "chain", v.chain_id);
}

static const char *
fstr(const cJSON *f, const char *k)
{

	return str(f, k);
}

static void
op_msg(const cJSON *q, cJSON *a)
{
	const cJSON		*f, *res, *it;
	const char		*rs[64];
	struct siwx_fields	 x;
	struct buf		 b;
	struct sf_err		 err;
	size_t			 n = 0;

	f = cJSON_GetObjectItemCaseSensitive(q, "fields");
	memset(&x, 0, sizeof(x));
	x.domain = fstr(f, "domain");
	x.address = fstr(f, "address");
	x.statement = fstr(f, "statement");
	x.uri = fstr(f, "uri");
	x.version = fstr(f, "version");
	x.chain_id = fstr(f, "chainId");
	x.nonce = fstr(f, "nonce");
	x.issued_at = fstr(f, "issuedAt");
	x.expiration_time = fstr(f, "expirationTime");
	x.not_before = fstr(f, "notBefore");
	x.request_id = fstr(f, "requestId");
	if ((res = cJSON_GetObjectItemCaseSensitive(f, "resources")) != NULL) {
		cJSON_ArrayForEach(it, res)
			if (n < 64 && cJSON_IsString(it))
				rs[n++] = it->valuestring;
		x.resources = rs;
		x.nresources = n;
	}
	buf_init(&b);
	if (siwx_msg_siwe(&x, &b, &err) == -1) {
		cJSON_AddNullToObject(a, "siwe");
		cJSON_AddStringToObject(a, "siwe_err", err.field);
	} else
		cJSON_AddStringToObject(a, "siwe", b.p ? b.p : "");
	buf_reset(&b);
	if (x.domain && x.address && x.uri && x.version && x.chain_id &&
	    x.nonce && x.issued_at) {
		if (siwx_msg_siws(&x, &b, &err) == -1)
			cJSON_AddNullToObject(a, "siws");
		else
			cJSON_AddStringToObject(a, "siws", b.p ? b.p : "");
	}
	buf_free(&b);
}

static void
op_time(const cJSON *q, cJSON *a)
{
	int64_t	 ms;
	char	 iso[25];

	if (siwx_msg_time(str(q, "s"), &ms) == -1) {
		cJSON_AddNullToObject(a, "ms");
		cJSON_AddNullToObject(a, "iso");
		return;
	}
	cJSON_AddNumberToObject(a, "ms", (double)ms);
	if (siwx_msg_time_iso(ms, iso) == 0)
		cJSON_AddStringToObject(a, "iso", iso);
	else
		cJSON_AddNullToObject(a, "iso");
}

int
main(void)
{
	struct siwx_config	 c;
	char			*line = NULL;
	size_t			 cap = 0;
	ssize_t			 len;
	cJSON			*q, *a;
	const char		*op;

	memset(&c, 0, sizeof(c));
	while ((len = getline(&line, &cap, stdin)) > 0) {
		if ((q = cJSON_Parse(line)) == NULL ||
		    (a = cJSON_CreateObject()) == NULL) {
			fprintf(stderr, "siwx_diff_driver: bad line\n");
			return 2;
		}
		op = str(q, "op");
		if (op == NULL)
			cJSON_AddStringToObject(a, "error", "no op");
		else if (strcmp(op, "config") == 0)
			op_config(&c, q, a);
		else if (strcmp(op, "challenge") == 0)
			op_challenge(&c, q, a);
		else if (strcmp(op, "verify") == 0)
			op_verify(&c, q, a);
		else if (strcmp(op, "msg") == 0)
			op_msg(q, a);
		else if (strcmp(op, "time") == 0)
			op_time(q, a);
		else if (strcmp(op, "origin") == 0) {
			char o[256], h[256];

			if (siwx_origin(str(q, "s") ? str(q, "s") : "", o,
			    sizeof(o), h, sizeof(h), NULL) == 0) {
				cJSON_AddStringToObject(a, "origin", o);
				cJSON_AddStringToObject(a, "host", h);
			} else
				cJSON_AddNullToObject(a, "origin");
		} else if (strcmp(op, "uri") == 0)
			cJSON_AddBoolToObject(a, "uri",
			    siwx_msg_is_uri(str(q, "s")));
		else
			cJSON_AddStringToObject(a, "error", "unknown op");
		answer(a);
		cJSON_Delete(q);
	}
	free(line);
	while (nonces != NULL) {
		struct nonce *e = nonces->next;
		free(nonces);
		nonces = e;
	}
	return 0;
}
