/*
 * Test driver for the settlement code: one JSON request on stdin, one JSON
 * answer on stdout.  Used by tests/integ/settle.test.mjs.
 *
 *   {"op":"settle", "mode":"facilitator"|"direct", "facilitatorUrl",
 *    "rpcUrl", "keyFile", "lockFile", "timeoutMs", "since" (unix s:
 *    a transfer mined earlier is not ours), "budgetMs" (retry transient
 *    failures that long), "fresh" (no earlier attempt of ours), "x402Version",
 *    "paymentPayload", "paymentRequirements"}
 *   {"op":"facilitator_settle"|"facilitator_verify", ...same}
 *   {"op":"supported", "facilitatorUrl"}
 *   {"op":"claim"|"record", "db", "endpoint", "requestHash", "state",
 *    "result", "x402Version", "paymentPayload", "paymentRequirements"}
 *   {"op":"authstate"|"balance", "rpcUrl", "token", "address", "nonce"}
 *   {"op":"cdp_jwt", "keyId", "pem", "method", "url"}
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "basics/buf.h"
#include "x402/cdp_jwt.h"
#include "basics/err.h"
#include "x402/facilitator.h"
#include "ledger/ledger.h"
#include "x402/evm/rpc.h"
#include "x402/settle.h"

static const char *
js(const cJSON *o, const char *k)
{
	const cJSON	*v = cJSON_GetObjectItemCaseSensitive(o, k);

	return cJSON_IsString(v) ? v->valuestring : NULL;
}

static int
jn(const cJSON *o, const char *k, int def)
{
	const cJSON	*v = cJSON_GetObjectItemCaseSensitive(o, k);

	return cJSON_IsNumber(v) ? v->valueint : def;
}

static void
cpy(char *dst, size_t sz, const char *s)
{
	snprintf(dst, sz, "%s", s ? s : "");
}

static int
out(cJSON *o)
{
	char	*s = cJSON_PrintUnformatted(o);

	if (s == NULL)
		return 1;
	printf("%s\n", s);
	cJSON_free(s);
	cJSON_Delete(o);
	return 0;
}

static int
fail(const char *msg)
{
	printf("{\"error\":\"%s\"}\n", msg);
	return 1;
}

static int
op_claim(const cJSON *in, int record)
{
	struct ledger_payment	 p, row;
	struct ledger		*l;
	struct sf_err		 err;
	const cJSON		*pp, *pr, *au;
	char			*payload, *reqs;
	const char		*st, *res;
	int			 rc;
	cJSON			*o;

	pp = cJSON_GetObjectItemCaseSensitive(in, "paymentPayload");
	pr = cJSON_GetObjectItemCaseSensitive(in, "paymentRequirements");
	au = cJSON_GetObjectItemCaseSensitive(
	    cJSON_GetObjectItemCaseSensitive(pp, "payload"), "authorization");
	if (js(in, "db") == NULL || au == NULL || pr == NULL)
		return fail("claim: need db, paymentPayload, "
		    "paymentRequirements");
	memset(&p, 0, sizeof(p));
	cpy(p.endpoint, sizeof(p.endpoint), js(in, "endpoint") ?
	    js(in, "endpoint") : "/test");
	cpy(p.request_hash, sizeof(p.request_hash), js(in, "requestHash") ?
	    js(in, "requestHash") : "h");
	cpy(p.payer, sizeof(p.payer), js(au, "from"));
	cpy(p.amount, sizeof(p.amount), js(au, "value"));
	cpy(p.asset, sizeof(p.asset), js(pr, "asset"));
	cpy(p.network, sizeof(p.network), js(pr, "network"));
	p.x402_version = jn(in, "x402Version", 2);
	cpy(p.nonce, sizeof(p.nonce), js(au, "nonce"));
	cpy(p.valid_after, sizeof(p.valid_after), js(au, "validAfter"));
	cpy(p.valid_before, sizeof(p.valid_before), js(au, "validBefore"));
	payload = cJSON_PrintUnformatted(pp);
	reqs = cJSON_PrintUnformatted(pr);
	p.payload = payload;
	p.requirements = reqs;
	p.state = LEDGER_VERIFIED;
	if ((l = ledger_open(js(in, "db"), &err)) == NULL) {
		cJSON_free(payload);
		cJSON_free(reqs);
		return fail("ledger_open");
	}
	rc = ledger_claim(l, &p, &row, &err);
	if (rc == LEDGER_NEW && record) {
		st = js(in, "state") ? js(in, "state") : "delivered";
		res = js(in, "result") ? js(in, "result") : "{}";
		if (ledger_store_result(l, row.id, "application/json", res,
		    strlen(res), &err) == -1 ||
		    ledger_set_state(l, row.id, -1, ledger_state_parse(st) < 0 ?
		    LEDGER_DELIVERED : ledger_state_parse(st), NULL, &err) == -1)
			rc = -1;
	}
	o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "result", rc == LEDGER_NEW ? "NEW" :
	    rc == LEDGER_EXISTING ? "EXISTING" : "ERROR");
	cJSON_AddNumberToObject(o, "id", (double)row.id);
	if (rc == -1)
		cJSON_AddStringToObject(o, "message", err.message);
	ledger_payment_free(&row);
	ledger_close(l);
	cJSON_free(payload);
	cJSON_free(reqs);
	return out(o);
}

static int
op_settle(const cJSON *in, const char *op)
{
	struct settle_config		 c;
	struct settle_result		 r;
	struct settle_opts		 so;
	struct facilitator_result	 fr;
	struct sf_err			 err;
	char				*payload, *reqs, *sup;
	cJSON				*o;
	int				 ver = jn(in, "x402Version", 2);

	memset(&c, 0, sizeof(c));
	c.facilitator.url = js(in, "facilitatorUrl");
	c.facilitator.settle_ms = jn(in, "timeoutMs", 0);
	c.facilitator.verify_ms = jn(in, "timeoutMs", 0);
	c.rpc_url = js(in, "rpcUrl");
	c.direct.rpc_url = js(in, "rpcUrl");
	c.direct.key_file = js(in, "keyFile");
	c.direct.lock_file = js(in, "lockFile");
	c.direct.receipt_ms = jn(in, "timeoutMs", 0);
	if (strcmp(op, "supported") == 0) {
		if (facilitator_supported(&c.facilitator, &sup, &err) == -1)
			return fail("supported");
		o = cJSON_CreateObject();
		cJSON_AddItemToObject(o, "supported", cJSON_Parse(sup));
		free(sup);
		return out(o);
	}
	if (settle_mode_parse(js(in, "mode"), &c.mode) == -1)
		return fail("mode");
	payload = cJSON_PrintUnformatted(cJSON_GetObjectItemCaseSensitive(in,
	    "paymentPayload"));
	reqs = cJSON_PrintUnformatted(cJSON_GetObjectItemCaseSensitive(in,
	    "paymentRequirements"));
	if (payload == NULL || reqs == NULL) {
		cJSON_free(payload);
		cJSON_free(reqs);
		return fail("need paymentPayload and paymentRequirements");
	}
	o = cJSON_CreateObject();
	if (strcmp(op, "settle") == 0) {
		memset(&so, 0, sizeof(so));
		so.fresh = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(in,
		    "fresh"));
		so.since = cJSON_IsNumber(cJSON_GetObjectItemCaseSensitive(in,
		    "since")) ? (int64_t)cJSON_GetObjectItemCaseSensitive(in,
		    "since")->valuedouble : 0;
		so.budget_ms = jn(in, "budgetMs", 0);
		settle_payment_opts(&c, ver, payload, reqs, &so, &r);
		cJSON_AddNumberToObject(o, "attempts", r.attempts);
		cJSON_AddStringToObject(o, "outcome",
		    settle_outcome_name(r.outcome));
		cJSON_AddBoolToObject(o, "retryable", r.retryable);
		cJSON_AddBoolToObject(o, "chainChecked", r.chain_checked);
		cJSON_AddStringToObject(o, "transaction", r.tx);
		cJSON_AddStringToObject(o, "network", r.network);
		cJSON_AddStringToObject(o, "payer", r.payer);
		cJSON_AddStringToObject(o, "reason", r.reason);
		cJSON_AddStringToObject(o, "message", r.message);
	} else {
		if (strcmp(op, "facilitator_verify") == 0)
			facilitator_verify(&c.facilitator, ver, payload, reqs,
			    &fr);
		else
			facilitator_settle(&c.facilitator, ver, payload, reqs,
			    &fr);
		cJSON_AddStringToObject(o, "outcome",
		    facilitator_outcome_name(fr.outcome));
		cJSON_AddBoolToObject(o, "success", fr.success);
		cJSON_AddNumberToObject(o, "httpStatus", fr.http_status);
		cJSON_AddStringToObject(o, "transaction", fr.transaction);
		cJSON_AddStringToObject(o, "network", fr.network);
		cJSON_AddStringToObject(o, "payer", fr.payer);
		cJSON_AddStringToObject(o, "reason", fr.reason);
		cJSON_AddStringToObject(o, "message", fr.message);
	}
	cJSON_free(payload);
	cJSON_free(reqs);
	return out(o);
}

static int
op_chain(const cJSON *in, const char *op)
{
	struct rpc	 r;
	struct sf_err	 err;
	char		 bal[79];
	int		 used;
	cJSON		*o;

	memset(&r, 0, sizeof(r));
	r.url = js(in, "rpcUrl");
	if (r.url == NULL || js(in, "token") == NULL ||
	    js(in, "address") == NULL)
		return fail("need rpcUrl, token, address");
	o = cJSON_CreateObject();
	if (strcmp(op, "balance") == 0) {
		if (rpc_balance_of(&r, js(in, "token"), js(in, "address"), bal,
		    &err) == -1)
			goto err;
		cJSON_AddStringToObject(o, "balance", bal);
	} else {
		if (js(in, "nonce") == NULL ||
		    rpc_authorization_state(&r, js(in, "token"),
		    js(in, "address"), js(in, "nonce"), &used, &err) == -1)
			goto err;
		cJSON_AddBoolToObject(o, "used", used);
	}
	return out(o);
err:
	cJSON_Delete(o);
	return fail("rpc");
}

static int
op_jwt(const cJSON *in)
{
	struct buf	 b;
	struct sf_err	 err;
	cJSON		*o;

	buf_init(&b);
	if (js(in, "keyId") == NULL || js(in, "pem") == NULL ||
	    js(in, "method") == NULL || js(in, "url") == NULL ||
	    cdp_jwt_make(js(in, "keyId"), js(in, "pem"), js(in, "method"),
	    js(in, "url"), 0, &b, &err) == -1) {
		buf_free(&b);
		return fail("cdp_jwt");
	}
	o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "token", b.p);
	buf_free(&b);
	return out(o);
}

int
main(void)
{
	struct buf	 b;
	char		 chunk[4096];
	size_t		 n;
	cJSON		*in;
	const char	*op;
	int		 rc;

	buf_init(&b);
	while ((n = fread(chunk, 1, sizeof(chunk), stdin)) > 0)
		buf_append(&b, chunk, n);
	if (b.oom || (in = cJSON_ParseWithLength(b.p ? b.p : "",
	    b.len)) == NULL) {
		buf_free(&b);
		return fail("stdin is not JSON");
	}
	buf_free(&b);
	op = js(in, "op") ? js(in, "op") : "";
	if (strcmp(op, "claim") == 0 || strcmp(op, "record") == 0)
		rc = op_claim(in, strcmp(op, "record") == 0);
	else if (strcmp(op, "balance") == 0 || strcmp(op, "authstate") == 0)
		rc = op_chain(in, op);
	else if (strcmp(op, "cdp_jwt") == 0)
		rc = op_jwt(in);
	else if (strcmp(op, "settle") == 0 || strcmp(op, "supported") == 0 ||
	    strncmp(op, "facilitator_", 12) == 0)
		rc = op_settle(in, op);
	else
		rc = fail("unknown op");
	cJSON_Delete(in);
	return rc;
}
