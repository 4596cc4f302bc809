/*
 * Driver for wallet_diff.mjs: one JSON case per stdin line, one JSON answer
 * per stdout line, through the C code under test (x402/evm: erc6492,
 * wallet_sig, multicall3, x402_wallet calldata):
 *   {"op":"parse6492","sig"}            -> {"rc","factory","calldata","inner"}
 *   {"op":"wrapper","sig"}              -> {"rc","index","sig"}
 *   {"op":"validator","signer","hash","sig"}          -> {"data"}
 *   {"op":"twa","from","to","value","validAfter","validBefore","nonce","sig"}
 *                                       -> {"data"}
 *   {"op":"try","require","calls":[{"target","data"}]} -> {"data"}
 *   {"op":"tryres","data","n"}          -> {"rc","results":[{"success","ret"}]}
 * Hex is 0x-prefixed; "0x" is the empty byte string.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "basics/buf.h"
#include "basics/hex.h"
#include "basics/u256.h"
#include "x402/evm/eip712.h"
#include "x402/evm/erc6492.h"
#include "x402/evm/multicall3.h"
#include "x402/evm/wallet_sig.h"
#include "x402/evm/x402_wallet.h"

static const char *
str(const cJSON *o, const char *k)
{
	const cJSON	*j = cJSON_GetObjectItemCaseSensitive(o, k);

	return cJSON_IsString(j) ? j->valuestring : "";
}

/* "0x" + hex into b (empty for "0x").  0 or -1. */
static int
unhex(const char *s, struct buf *b)
{
	uint8_t	*p;
	size_t	 n;

	buf_reset(b);
	if (strcmp(s, "0x") == 0)
		return 0;
	if (hex_check(s, strlen(s), &n) == -1 || (p = malloc(n)) == NULL)
		return -1;
	if (hex_decode(s, p, n, &n) == -1 || buf_append(b, p, n) == -1) {
		free(p);
		return -1;
	}
	free(p);
	return 0;
}

static void
add_hex(cJSON *o, const char *k, const void *p, size_t n)
{
	char	*h;

	if ((h = malloc(2 * n + 3)) == NULL)
		abort();
	if (n == 0)
		strcpy(h, "0x");
	else
		hex_encode(p, n, h);
	cJSON_AddStringToObject(o, k, h);
	free(h);
}

static void
op_parse6492(const cJSON *c, cJSON *r, struct buf *b)
{
	struct erc6492_sig	 e;
	int			 rc;

	unhex(str(c, "sig"), b);
	rc = erc6492_parse((const uint8_t *)b->p, b->len, &e, NULL, 0);
	cJSON_AddNumberToObject(r, "rc", rc);
	cJSON_AddStringToObject(r, "shape", wallet_sig_shape_name(
	    wallet_sig_shape((const uint8_t *)b->p, b->len)));
	if (rc != 1)
		return;
	add_hex(r, "factory", e.factory, 20);
	add_hex(r, "calldata", e.factory_calldata, e.factory_calldata_len);
	add_hex(r, "inner", e.inner, e.inner_len);
}

static void
op_wrapper(const cJSON *c, cJSON *r, struct buf *b)
{
	struct wallet_sig_wrapper	 w;
	int				 rc;

	unhex(str(c, "sig"), b);
	rc = wallet_sig_wrapper_parse((const uint8_t *)b->p, b->len, &w);
	cJSON_AddNumberToObject(r, "rc", rc);
	if (rc != 1)
		return;
	add_hex(r, "index", w.owner_index, 32);
	add_hex(r, "sig", w.sig, w.sig_len);
}

static void
op_validator(const cJSON *c, cJSON *r, struct buf *b)
{
	struct buf	 out;
	uint8_t		 signer[20], hash[32];

	buf_init(&out);
	if (hex_decode_fixed(str(c, "signer"), signer, 20) == 0 &&
	    hex_decode_fixed(str(c, "hash"), hash, 32) == 0 &&
	    unhex(str(c, "sig"), b) == 0 &&
	    erc6492_validator_calldata(signer, hash, (const uint8_t *)b->p,
	    b->len, &out) == 0)
		add_hex(r, "data", out.p, out.len);
	buf_free(&out);
}

static void
op_twa(const cJSON *c, cJSON *r, struct buf *b)
{
	struct eip712_twa	 t;
	struct buf		 out;

	buf_init(&out);
	if (hex_decode_fixed(str(c, "from"), t.from, 20) == 0 &&
	    hex_decode_fixed(str(c, "to"), t.to, 20) == 0 &&
	    u256_from_dec(str(c, "value"), t.value) == 0 &&
	    u256_from_dec(str(c, "validAfter"), t.valid_after) == 0 &&
	    u256_from_dec(str(c, "validBefore"), t.valid_before) == 0 &&
	    hex_decode_fixed(str(c, "nonce"), t.nonce, 32) == 0 &&
	    unhex(str(c, "sig"), b) == 0 &&
	    x402_wallet_twa_calldata(&t, (const uint8_t *)b->p, b->len,
	    &out) == 0)
		add_hex(r, "data", out.p, out.len);
	buf_free(&out);
}

static void
op_try(const cJSON *c, cJSON *r)
{
	struct multicall3_call	 calls[8];
	struct buf		 data[8], out;
	const cJSON		*it;
	size_t			 n = 0, i;
	int			 ok = 1;

	buf_init(&out);
	cJSON_ArrayForEach(it, cJSON_GetObjectItemCaseSensitive(c, "calls")) {
		if (n == 8)
			break;
		buf_init(&data[n]);
		if (hex_decode_fixed(str(it, "target"), calls[n].target,
		    20) == -1 || unhex(str(it, "data"), &data[n]) == -1)
			ok = 0;
		calls[n].data = (const uint8_t *)data[n].p;
		calls[n].len = data[n].len;
		n++;
	}
	if (ok && multicall3_try_aggregate(cJSON_IsTrue(
	    cJSON_GetObjectItemCaseSensitive(c, "require")), calls, n,
	    &out) == 0)
		add_hex(r, "data", out.p, out.len);
	for (i = 0; i < n; i++)
		buf_free(&data[i]);
	buf_free(&out);
}

static void
op_tryres(const cJSON *c, cJSON *r, struct buf *b)
{
	struct multicall3_result	 res[8];
	const cJSON			*nj;
	cJSON				*arr, *o;
	size_t				 n, i;
	int				 rc;

	nj = cJSON_GetObjectItemCaseSensitive(c, "n");
	n = cJSON_IsNumber(nj) && nj->valueint >= 0 && nj->valueint <= 8 ?
	    (size_t)nj->valueint : 0;
	unhex(str(c, "data"), b);
	rc = multicall3_try_aggregate_result((const uint8_t *)b->p, b->len,
	    res, n);
	cJSON_AddNumberToObject(r, "rc", rc);
	if (rc != 0)
		return;
	arr = cJSON_AddArrayToObject(r, "results");
	for (i = 0; i < n; i++) {
		o = cJSON_CreateObject();
		cJSON_AddBoolToObject(o, "success", res[i].success);
		add_hex(o, "ret", res[i].ret, res[i].ret_len);
		cJSON_AddItemToArray(arr, o);
	}
}

int
main(void)
{
	struct buf	 b;
	char		*line = NULL, *s;
	size_t		 cap = 0;
	cJSON		*c, *r;
	const char	*op;

	buf_init(&b);
	while (getline(&line, &cap, stdin) != -1) {
		if ((c = cJSON_Parse(line)) == NULL)
			return 2;
		r = cJSON_CreateObject();
		cJSON_AddItemToObject(r, "id", cJSON_Duplicate(
		    cJSON_GetObjectItemCaseSensitive(c, "id"), 1));
		op = str(c, "op");
		if (strcmp(op, "parse6492") == 0)
			op_parse6492(c, r, &b);
		else if (strcmp(op, "wrapper") == 0)
			op_wrapper(c, r, &b);
		else if (strcmp(op, "validator") == 0)
			op_validator(c, r, &b);
		else if (strcmp(op, "twa") == 0)
			op_twa(c, r, &b);
		else if (strcmp(op, "try") == 0)
			op_try(c, r);
		else if (strcmp(op, "tryres") == 0)
			op_tryres(c, r, &b);
		if ((s = cJSON_PrintUnformatted(r)) == NULL)
			return 2;
		printf("%s\n", s);
		cJSON_free(s);
		cJSON_Delete(r);
		cJSON_Delete(c);
	}
	free(line);
	buf_free(&b);
	return 0;
}
