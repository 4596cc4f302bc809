#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cjson/cJSON.h>

#include "basics/buf.h"
#include "basics/err.h"
#include "basics/hex.h"
#include "http/http.h"
#include "http/httpc.h"
#include "basics/keccak.h"
#include "x402/evm/rpc.h"
#include "basics/u256.h"

int
rpc_quantity(const char *s, uint64_t *v)
{
	char			*end;
	unsigned long long	 x;
	size_t			 n;

	if (s == NULL || strncmp(s, "0x", 2) != 0)
		return -1;
	n = strlen(s + 2);
	if (n == 0 || n > 16 || strspn(s + 2, "0123456789abcdefABCDEF") != n)
		return -1;
	errno = 0;
	x = strtoull(s + 2, &end, 16);
	if (errno != 0 || *end != '\0')
		return -1;
	*v = x;
	return 0;
}

void
rpc_selector(const char *sig, uint8_t out[4])
{
	uint8_t	 h[32];

	keccak256(sig, strlen(sig), h);
	memcpy(out, h, 4);
}

int
rpc_call(const struct rpc *r, const char *method, cJSON *params,
    cJSON **result, struct sf_err *err)
{
	struct httpc_req	 req;
	struct buf		 resp;
	cJSON			*body, *reply = NULL, *e, *m, *res;
	char			*txt = NULL;
	long			 status, left = 0;
	int			 ret = -1;

	*result = NULL;
	buf_init(&resp);
	if (r->deadline_ms > 0 && (left = (long)(r->deadline_ms -
	    http_now_ms())) <= 0) {
		cJSON_Delete(params);
		return sf_err_set(err, 504, "http_timeout", NULL,
		    "%s: the time allowed for the chain is spent", method);
	}
	if (params == NULL)
		params = cJSON_CreateArray();
	if ((body = cJSON_CreateObject()) == NULL || params == NULL) {
		cJSON_Delete(params);
		cJSON_Delete(body);
		return sf_err_set(err, 500, "internal_error", NULL,
		    "out of memory");
	}
	cJSON_AddItemToObject(body, "params", params);
	if (cJSON_AddStringToObject(body, "jsonrpc", "2.0") == NULL ||
	    cJSON_AddNumberToObject(body, "id", 1) == NULL ||
	    cJSON_AddStringToObject(body, "method", method) == NULL ||
	    (txt = cJSON_PrintUnformatted(body)) == NULL) {
		sf_err_set(err, 500, "internal_error", NULL, "out of memory");
		goto out;
	}
	memset(&req, 0, sizeof(req));
	req.method = "POST";
	req.url = r->url;
	req.body = txt;
	req.connect_ms = r->connect_ms > 0 ? r->connect_ms : 5000;
	req.total_ms = r->total_ms > 0 ? r->total_ms : 15000;
	if (left > 0 && req.total_ms > left)
		req.total_ms = left;
	if (left > 0 && req.connect_ms > left)
		req.connect_ms = left;
	if (httpc_do(&req, &status, &resp, err) == -1)
		goto out;
	if ((reply = cJSON_ParseWithLength(resp.p ? resp.p : "",
	    resp.len)) == NULL) {
		sf_err_set(err, 502, "rpc_bad_response", NULL,
		    "%s: HTTP %ld, not JSON", method, status);
		goto out;
	}
	/* Rate-limited or failing: no answer about the call itself. */
	if ((e = cJSON_GetObjectItemCaseSensitive(reply, "error")) != NULL &&
	    !cJSON_IsNull(e)) {
		m = cJSON_GetObjectItemCaseSensitive(e, "message");
		sf_err_set(err, 502, status == 429 || status >= 500 ?
		    "rpc_unavailable" : "rpc_error", NULL, "%s: %s%.400s",
		    method, status == 429 || status >= 500 ? "HTTP error: " :
		    "", cJSON_IsString(m) ? m->valuestring : "error");
		goto out;
	}
	if (status < 200 || status > 299 ||
	    (res = cJSON_DetachItemFromObjectCaseSensitive(reply,
	    "result")) == NULL) {
		sf_err_set(err, 502, "rpc_bad_response", NULL,
		    "%s: HTTP %ld, no result", method, status);
		goto out;
	}
	*result = res;
	ret = 0;
out:
	cJSON_Delete(reply);
	cJSON_Delete(body);
	cJSON_free(txt);
	buf_free(&resp);
	return ret;
}

/* Call and parse a quantity result. */
static int
rpc_call_quantity(const struct rpc *r, const char *method, cJSON *params,
    uint64_t *v, struct sf_err *err)
{
	cJSON	*res;
	int	 ret = 0;

	if (rpc_call(r, method, params, &res, err) == -1)
		return -1;
	if (!cJSON_IsString(res) || rpc_quantity(res->valuestring, v) == -1)
		ret = sf_err_set(err, 502, "rpc_bad_response", NULL,
		    "%s: bad quantity", method);
	cJSON_Delete(res);
	return ret;
}

static cJSON *
rpc_params(const char *a, const char *b)
{
	cJSON	*p;

	if ((p = cJSON_CreateArray()) == NULL)
		return NULL;
	if ((a != NULL && !cJSON_AddItemToArray(p, cJSON_CreateString(a))) ||
	    (b != NULL && !cJSON_AddItemToArray(p, cJSON_CreateString(b)))) {
		cJSON_Delete(p);
		return NULL;
	}
	return p;
}

#define RPC_OOM(err) sf_err_set((err), 500, "internal_error", NULL, \
	"out of memory")

int
rpc_chain_id(const struct rpc *r, uint64_t *v, struct sf_err *err)
{
	return rpc_call_quantity(r, "eth_chainId", NULL, v, err);
}

int
rpc_block_number(const struct rpc *r, uint64_t *v, struct sf_err *err)
{
	return rpc_call_quantity(r, "eth_blockNumber", NULL, v, err);
}

int
rpc_nonce(const struct rpc *r, const char *addr, uint64_t *v,
    struct sf_err *err)
{
	cJSON	*p;

	if ((p = rpc_params(addr, "pending")) == NULL)
		return RPC_OOM(err);
	return rpc_call_quantity(r, "eth_getTransactionCount", p, v, err);
}

int
rpc_gas_price(const struct rpc *r, uint64_t *v, struct sf_err *err)
{
	return rpc_call_quantity(r, "eth_gasPrice", NULL, v, err);
}

int
rpc_fees(const struct rpc *r, struct rpc_fees *f, struct sf_err *err)
{
	cJSON		*p, *blk, *bf;
	uint64_t	 gp;
	int		 rc;

	memset(f, 0, sizeof(*f));
	if ((p = cJSON_CreateArray()) == NULL ||
	    !cJSON_AddItemToArray(p, cJSON_CreateString("latest")) ||
	    !cJSON_AddItemToArray(p, cJSON_CreateFalse())) {
		cJSON_Delete(p);
		return RPC_OOM(err);
	}
	if (rpc_call(r, "eth_getBlockByNumber", p, &blk, err) == -1)
		return -1;
	bf = cJSON_GetObjectItemCaseSensitive(blk, "baseFeePerGas");
	rc = cJSON_IsString(bf) ? rpc_quantity(bf->valuestring,
	    &f->base_fee) : -1;
	cJSON_Delete(blk);
	if (rc == -1)
		return sf_err_set(err, 502, "rpc_bad_response", NULL,
		    "latest block has no baseFeePerGas (pre-London chain?)");
	/* Not every node has eth_maxPriorityFeePerGas: derive it then. */
	if (rpc_call_quantity(r, "eth_maxPriorityFeePerGas", NULL,
	    &f->max_priority_fee, err) == -1) {
		if (strcmp(err->code, "rpc_error") != 0 ||
		    rpc_gas_price(r, &gp, err) == -1)
			return -1;
		f->max_priority_fee = gp > f->base_fee ? gp - f->base_fee : 0;
	}
	if (f->base_fee > (UINT64_MAX - f->max_priority_fee) / 2)
		return sf_err_set(err, 502, "rpc_bad_response", NULL,
		    "fee overflow");
	f->max_fee = 2 * f->base_fee + f->max_priority_fee;
	return 0;
}

int
rpc_estimate_gas(const struct rpc *r, const char *from, const char *to,
    const char *data, uint64_t *gas, struct sf_err *err)
{
	cJSON	*p, *o;

	if ((p = cJSON_CreateArray()) == NULL ||
	    (o = cJSON_CreateObject()) == NULL) {
		cJSON_Delete(p);
		return RPC_OOM(err);
	}
	cJSON_AddItemToArray(p, o);
	if ((from != NULL && !cJSON_AddStringToObject(o, "from", from)) ||
	    !cJSON_AddStringToObject(o, "to", to) ||
	    !cJSON_AddStringToObject(o, "data", data)) {
		cJSON_Delete(p);
		return RPC_OOM(err);
	}
	return rpc_call_quantity(r, "eth_estimateGas", p, gas, err);
}

int
rpc_eth_call(const struct rpc *r, const char *to, const char *data,
    char **out, struct sf_err *err)
{
	cJSON	*p, *o, *res;

	*out = NULL;
	if ((p = cJSON_CreateArray()) == NULL ||
	    (o = cJSON_CreateObject()) == NULL) {
		cJSON_Delete(p);
		return RPC_OOM(err);
	}
	cJSON_AddItemToArray(p, o);
	if (!cJSON_AddStringToObject(o, "to", to) ||
	    !cJSON_AddStringToObject(o, "data", data) ||
	    !cJSON_AddItemToArray(p, cJSON_CreateString("latest"))) {
		cJSON_Delete(p);
		return RPC_OOM(err);
	}
	if (rpc_call(r, "eth_call", p, &res, err) == -1)
		return -1;
	if (!cJSON_IsString(res) || strncmp(res->valuestring, "0x", 2) != 0) {
		cJSON_Delete(res);
		return sf_err_set(err, 502, "rpc_bad_response", NULL,
		    "eth_call: bad result");
	}
	*out = strdup(res->valuestring);
	cJSON_Delete(res);
	return *out == NULL ? RPC_OOM(err) : 0;
}

int
rpc_send_raw(const struct rpc *r, const char *rawhex, char tx[67],
    struct sf_err *err)
{
	cJSON	*p, *res;
	uint8_t	 h[32];
	int	 ret = 0;

	if ((p = rpc_params(rawhex, NULL)) == NULL)
		return RPC_OOM(err);
	if (rpc_call(r, "eth_sendRawTransaction", p, &res, err) == -1)
		return -1;
	if (!cJSON_IsString(res) ||
	    hex_decode_fixed(res->valuestring, h, 32) == -1)
		ret = sf_err_set(err, 502, "rpc_bad_response", NULL,
		    "eth_sendRawTransaction: bad hash");
	else
		hex_encode(h, 32, tx);
	cJSON_Delete(res);
	return ret;
}

int
rpc_receipt(const struct rpc *r, const char *tx, struct rpc_receipt *rc,
    struct sf_err *err)
{
	cJSON	*p, *res, *st, *bn, *gu;
	uint64_t v;
	int	 ret = 1;

	memset(rc, 0, sizeof(*rc));
	if ((p = rpc_params(tx, NULL)) == NULL)
		return RPC_OOM(err);
	if (rpc_call(r, "eth_getTransactionReceipt", p, &res, err) == -1)
		return -1;
	if (cJSON_IsNull(res)) {
		cJSON_Delete(res);
		return 0;
	}
	st = cJSON_GetObjectItemCaseSensitive(res, "status");
	bn = cJSON_GetObjectItemCaseSensitive(res, "blockNumber");
	gu = cJSON_GetObjectItemCaseSensitive(res, "gasUsed");
	if (!cJSON_IsString(st) || rpc_quantity(st->valuestring, &v) == -1 ||
	    !cJSON_IsString(bn) ||
	    rpc_quantity(bn->valuestring, &rc->block) == -1)
		ret = sf_err_set(err, 502, "rpc_bad_response", NULL,
		    "eth_getTransactionReceipt: bad receipt");
	else {
		rc->status = v == 1;
		if (cJSON_IsString(gu))
			rpc_quantity(gu->valuestring, &rc->gas_used);
	}
	cJSON_Delete(res);
	return ret;
}

/* ABI word for an address: 12 zero bytes + 20. */
static int
rpc_word_addr(const char *addr, uint8_t w[32])
{
	memset(w, 0, 32);
	return hex_decode_fixed(addr, w + 12, 20);
}

/* eth_call returning one 32-byte word. */
static int
rpc_call_word(const struct rpc *r, const char *token, const uint8_t *data,
    size_t len, uint8_t w[32], struct sf_err *err)
{
	char	 hex[2 * 4 + 2 * 64 + 3], *out;
	int	 ret = 0;

	hex_encode(data, len, hex);
	if (rpc_eth_call(r, token, hex, &out, err) == -1)
		return -1;
	if (hex_decode_fixed(out, w, 32) == -1)
		ret = sf_err_set(err, 502, "rpc_bad_response", NULL,
		    "eth_call: want one word (no contract at the address?)");
	free(out);
	return ret;
}

int
rpc_authorization_state(const struct rpc *r, const char *token,
    const char *from, const char *nonce, int *used, struct sf_err *err)
{
	uint8_t	 data[4 + 64], w[32];
	size_t	 i;

	rpc_selector("authorizationState(address,bytes32)", data);
	if (rpc_word_addr(from, data + 4) == -1 ||
	    hex_decode_fixed(nonce, data + 36, 32) == -1)
		return sf_err_set(err, 400, "invalid_payload", NULL,
		    "bad authorizer or nonce");
	if (rpc_call_word(r, token, data, sizeof(data), w, err) == -1)
		return -1;
	for (i = 0; i < 31; i++)
		if (w[i] != 0)
			return sf_err_set(err, 502, "rpc_bad_response", NULL,
			    "authorizationState: not a bool");
	*used = w[31] != 0;
	return 0;
}

int
rpc_balance_of(const struct rpc *r, const char *token, const char *owner,
    char out[79], struct sf_err *err)
{
	uint8_t	 data[4 + 32], w[32];

	rpc_selector("balanceOf(address)", data);
	if (rpc_word_addr(owner, data + 4) == -1)
		return sf_err_set(err, 400, "invalid_payload", NULL,
		    "bad address");
	if (rpc_call_word(r, token, data, sizeof(data), w, err) == -1)
		return -1;
	u256_to_dec(w, out);
	return 0;
}

int
rpc_find_authorization_tx(const struct rpc *r, const char *token,
    const char *from, const char *nonce, uint64_t from_block, char tx[67],
    struct sf_err *err)
{
	cJSON		*p, *f, *topics, *res, *lg, *h;
	uint8_t		 t0[32], w[32], n[32];
	char		 s0[67], s1[67], s2[67], fb[24];
	int		 ret = 0;

	keccak256("AuthorizationUsed(address,bytes32)",
	    strlen("AuthorizationUsed(address,bytes32)"), t0);
	if (rpc_word_addr(from, w) == -1 || hex_decode_fixed(nonce, n, 32) == -1)
		return sf_err_set(err, 400, "invalid_payload", NULL,
		    "bad authorizer or nonce");
	hex_encode(t0, 32, s0);
	hex_encode(w, 32, s1);
	hex_encode(n, 32, s2);
	snprintf(fb, sizeof(fb), "0x%" PRIx64, from_block);
	if ((p = cJSON_CreateArray()) == NULL ||
	    (f = cJSON_CreateObject()) == NULL) {
		cJSON_Delete(p);
		return RPC_OOM(err);
	}
	cJSON_AddItemToArray(p, f);
	if (!cJSON_AddStringToObject(f, "address", token) ||
	    !cJSON_AddStringToObject(f, "fromBlock", fb) ||
	    !cJSON_AddStringToObject(f, "toBlock", "latest") ||
	    (topics = rpc_params(s0, s1)) == NULL) {
		cJSON_Delete(p);
		return RPC_OOM(err);
	}
	cJSON_AddItemToObject(f, "topics", topics);
	if (!cJSON_AddItemToArray(topics, cJSON_CreateString(s2))) {
		cJSON_Delete(p);
		return RPC_OOM(err);
	}
	if (rpc_call(r, "eth_getLogs", p, &res, err) == -1)
		return -1;
	if (!cJSON_IsArray(res)) {
		cJSON_Delete(res);
		return sf_err_set(err, 502, "rpc_bad_response", NULL,
		    "eth_getLogs: not an array");
	}
	cJSON_ArrayForEach(lg, res) {
		h = cJSON_GetObjectItemCaseSensitive(lg, "transactionHash");
		if (cJSON_IsString(h) &&
		    hex_decode_fixed(h->valuestring, n, 32) == 0) {
			hex_encode(n, 32, tx);
			ret = 1;
			break;
		}
	}
	cJSON_Delete(res);
	return ret;
}

/* Compare a JSON hex string with 32 expected bytes. */
static int
rpc_word_eq(const cJSON *v, const uint8_t w[32])
{
	uint8_t	 b[32];

	return cJSON_IsString(v) && hex_decode_fixed(v->valuestring, b,
	    32) == 0 && memcmp(b, w, 32) == 0;
}

int
rpc_tx_has_transfer(const struct rpc *r, const char *tx, const char *token,
    const char *from, const char *to, const uint8_t value[32],
    struct sf_err *err)
{
	cJSON		*p, *res, *lg, *tp, *ad;
	uint8_t		 t0[32], wf[32], wt[32], tok[20], a[20];
	int		 ret = 0;

	keccak256("Transfer(address,address,uint256)",
	    strlen("Transfer(address,address,uint256)"), t0);
	if (rpc_word_addr(from, wf) == -1 || rpc_word_addr(to, wt) == -1 ||
	    hex_decode_fixed(token, tok, 20) == -1)
		return sf_err_set(err, 400, "invalid_payload", NULL,
		    "bad address");
	if ((p = rpc_params(tx, NULL)) == NULL)
		return RPC_OOM(err);
	if (rpc_call(r, "eth_getTransactionReceipt", p, &res, err) == -1)
		return -1;
	cJSON_ArrayForEach(lg, cJSON_GetObjectItemCaseSensitive(res, "logs")) {
		ad = cJSON_GetObjectItemCaseSensitive(lg, "address");
		tp = cJSON_GetObjectItemCaseSensitive(lg, "topics");
		if (!cJSON_IsString(ad) ||
		    hex_decode_fixed(ad->valuestring, a, 20) == -1 ||
		    memcmp(a, tok, 20) != 0 || cJSON_GetArraySize(tp) != 3)
			continue;
		if (rpc_word_eq(cJSON_GetArrayItem(tp, 0), t0) &&
		    rpc_word_eq(cJSON_GetArrayItem(tp, 1), wf) &&
		    rpc_word_eq(cJSON_GetArrayItem(tp, 2), wt) &&
		    rpc_word_eq(cJSON_GetObjectItemCaseSensitive(lg, "data"),
		    value)) {
			ret = 1;
			break;
		}
	}
	cJSON_Delete(res);
	return ret;
}

int
rpc_tx_block_time(const struct rpc *r, const char *tx, uint64_t *ts,
    struct sf_err *err)
{
	cJSON		*p, *res, *bn, *t;
	int		 ret = -1;

	if ((p = rpc_params(tx, NULL)) == NULL)
		return RPC_OOM(err);
	if (rpc_call(r, "eth_getTransactionReceipt", p, &res, err) == -1)
		return -1;
	bn = cJSON_GetObjectItemCaseSensitive(res, "blockNumber");
	if (!cJSON_IsString(bn) || (p = rpc_params(bn->valuestring,
	    NULL)) == NULL) {
		cJSON_Delete(res);
		return sf_err_set(err, 502, "rpc_bad_response", NULL,
		    "transaction not mined");
	}
	cJSON_Delete(res);
	if (!cJSON_AddItemToArray(p, cJSON_CreateFalse())) {
		cJSON_Delete(p);
		return RPC_OOM(err);
	}
	if (rpc_call(r, "eth_getBlockByNumber", p, &res, err) == -1)
		return -1;
	t = cJSON_GetObjectItemCaseSensitive(res, "timestamp");
	if (cJSON_IsString(t) && rpc_quantity(t->valuestring, ts) == 0)
		ret = 0;
	else
		sf_err_set(err, 502, "rpc_bad_response", NULL,
		    "block without a timestamp");
	cJSON_Delete(res);
	return ret;
}
