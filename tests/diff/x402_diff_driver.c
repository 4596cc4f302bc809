/*
 * Driver for x402_diff.mjs: reads JSONL cases, runs each through the full
 * verification path (JSON -> base64 header -> x402_verify_header) against
 * an offer built from the case's domain, prints "id reason recovered" per
 * line ("ok" when valid, "-" when nothing was recovered).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "basics/b64.h"
#include "basics/buf.h"
#include "basics/hex.h"
#include "x402/x402_offer.h"
#include "x402/x402_payment.h"
#include "x402/evm/x402_verify.h"

static const char *
str(const cJSON *o, const char *k)
{
	const cJSON	*j = cJSON_GetObjectItemCaseSensitive(o, k);

	return cJSON_IsString(j) ? j->valuestring : NULL;
}

static int
copy(char *dst, size_t sz, const char *src)
{

	if (src == NULL || strlen(src) >= sz)
		return -1;
	memcpy(dst, src, strlen(src) + 1);
	return 0;
}

/* Build the offer and the v1/v2 payment JSON for one case. */
static int
one(const cJSON *c, struct x402_offer *o, char **json, int *version,
    time_t *now)
{
	const cJSON	*d, *m, *v, *id;
	cJSON		*p, *acc, *ex, *pl, *au;
	const char	*chain, *nows, *net1;
	char		*end;
	unsigned long long x;

	d = cJSON_GetObjectItemCaseSensitive(c, "domain");
	m = cJSON_GetObjectItemCaseSensitive(c, "message");
	v = cJSON_GetObjectItemCaseSensitive(c, "v");
	id = cJSON_GetObjectItemCaseSensitive(c, "id");
	if (!cJSON_IsObject(d) || !cJSON_IsObject(m) || !cJSON_IsNumber(v) ||
	    !cJSON_IsNumber(id) || (chain = str(d, "chainId")) == NULL ||
	    (nows = str(c, "now")) == NULL)
		return -1;
	memset(o, 0, sizeof(*o));
	errno = 0;
	o->chain_id = strtoull(chain, &end, 10);
	if (errno != 0 || *end != '\0')
		return -1;
	x = strtoull(nows, &end, 10);
	if (errno != 0 || *end != '\0')
		return -1;
	*now = (time_t)x;
	*version = v->valueint;
	strcpy(o->scheme, "exact");
	snprintf(o->network, sizeof(o->network), "eip155:%s", chain);
	if (*version == 1 && ((net1 = str(c, "network1")) == NULL ||
	    copy(o->network_v1, sizeof(o->network_v1), net1) == -1))
		return -1;
	o->max_timeout = 60;
	if (copy(o->amount, sizeof(o->amount), str(m, "value")) == -1 ||
	    copy(o->asset, sizeof(o->asset), str(d, "verifyingContract")) == -1 ||
	    copy(o->pay_to, sizeof(o->pay_to), str(m, "to")) == -1 ||
	    copy(o->name, sizeof(o->name), str(d, "name")) == -1 ||
	    copy(o->version, sizeof(o->version), str(d, "version")) == -1)
		return -1;

	p = cJSON_CreateObject();
	cJSON_AddNumberToObject(p, "x402Version", *version);
	if (*version == 1) {
		cJSON_AddStringToObject(p, "scheme", "exact");
		cJSON_AddStringToObject(p, "network", o->network_v1);
	} else {
		acc = cJSON_AddObjectToObject(p, "accepted");
		cJSON_AddStringToObject(acc, "scheme", o->scheme);
		cJSON_AddStringToObject(acc, "network", o->network);
		cJSON_AddStringToObject(acc, "amount", o->amount);
		cJSON_AddStringToObject(acc, "asset", o->asset);
		cJSON_AddStringToObject(acc, "payTo", o->pay_to);
		cJSON_AddNumberToObject(acc, "maxTimeoutSeconds", o->max_timeout);
		ex = cJSON_AddObjectToObject(acc, "extra");
		cJSON_AddStringToObject(ex, "name", o->name);
		cJSON_AddStringToObject(ex, "version", o->version);
	}
	pl = cJSON_AddObjectToObject(p, "payload");
	cJSON_AddStringToObject(pl, "signature", str(c, "signature"));
	au = cJSON_AddObjectToObject(pl, "authorization");
	cJSON_AddItemToObject(au, "from", cJSON_Duplicate(
	    cJSON_GetObjectItemCaseSensitive(m, "from"), 1));
	cJSON_AddItemToObject(au, "to", cJSON_Duplicate(
	    cJSON_GetObjectItemCaseSensitive(m, "to"), 1));
	cJSON_AddItemToObject(au, "value", cJSON_Duplicate(
	    cJSON_GetObjectItemCaseSensitive(m, "value"), 1));
	cJSON_AddItemToObject(au, "validAfter", cJSON_Duplicate(
	    cJSON_GetObjectItemCaseSensitive(m, "validAfter"), 1));
	cJSON_AddItemToObject(au, "validBefore", cJSON_Duplicate(
	    cJSON_GetObjectItemCaseSensitive(m, "validBefore"), 1));
	cJSON_AddItemToObject(au, "nonce", cJSON_Duplicate(
	    cJSON_GetObjectItemCaseSensitive(m, "nonce"), 1));
	*json = cJSON_PrintUnformatted(p);
	cJSON_Delete(p);
	return *json == NULL ? -1 : 0;
}

int
main(int argc, char *argv[])
{
	struct x402_offer	 o;
	struct x402_payment	 pay;
	struct x402_verdict	 v;
	struct buf		 h;
	FILE			*f;
	cJSON			*c;
	char			*line = NULL, *json, addr[HEX_ADDR_STRLEN];
	size_t			 cap = 0;
	time_t			 now;
	int			 version, id;

	if (argc != 2 || (f = fopen(argv[1], "r")) == NULL) {
		fprintf(stderr, "usage: x402_diff_driver cases.jsonl\n");
		return 2;
	}
	buf_init(&h);
	while (getline(&line, &cap, f) > 0) {
		if ((c = cJSON_Parse(line)) == NULL) {
			fprintf(stderr, "bad case line\n");
			return 2;
		}
		id = cJSON_GetObjectItemCaseSensitive(c, "id") ?
		    cJSON_GetObjectItemCaseSensitive(c, "id")->valueint : -1;
		if (one(c, &o, &json, &version, &now) == -1) {
			/* A case we cannot express is a mismatch, not a skip. */
			printf("%d unrepresentable -\n", id);
			cJSON_Delete(c);
			continue;
		}
		buf_reset(&h);
		if (b64_encode(json, strlen(json), &h) == -1 ||
		    buf_puts(&h, "") == -1)
			return 2;
		x402_verify_header(h.p, version, &o, 1, now, &pay, &v);
		if (v.recovered_ok)
			hex_eip55(v.recovered, addr);
		printf("%d %s %s\n", id, v.valid ? "ok" : v.reason,
		    v.recovered_ok ? addr : "-");
		x402_payment_free(&pay);
		cJSON_free(json);
		cJSON_Delete(c);
	}
	free(line);
	buf_free(&h);
	fclose(f);
	return 0;
}
