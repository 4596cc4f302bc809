/*
 * Test driver for contract-wallet payments (x402/evm/x402_wallet.h): one
 * JSON request on stdin, one JSON answer on stdout.  Used by
 * tests/integ/wallet.test.mjs against anvil.
 *
 *   {"op":"prove", "rpcUrl", "factories":[...], "paymentPayload" (v2),
 *    "paymentRequirements"}
 *	-> {"rc", "valid", "reason", "message", "shape", "deployed",
 *	    "deployFirst", "factory", "balance"}
 *   {"op":"plan", "rpcUrl", "factories":[...], "paymentPayload",
 *    "paymentRequirements"}
 *	-> {"deploy", "to", "data", "factory"} or {"error":{code,message}}
 *   {"op":"siwx", "rpcUrl", "factories":[...], "address", "message",
 *    "signature"}: Sign-In-With-X's contract-wallet hook
 *    (evm/siwx_wallet.h) on a configuration serving base-sepolia (84532)
 *    with that RPC and ERC6492_FACTORIES
 *	-> {"result": 1 valid, 0 invalid, -1 could not tell}
 *
 * The verdict handed to the proof is what the local checks would leave
 * for a contract-wallet payment: valid, offer = the requirements, the
 * authorization decoded by x402_payment_decode.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "basics/b64.h"
#include "basics/buf.h"
#include "basics/err.h"
#include "basics/hex.h"
#include "x402/x402_offer.h"
#include "http/httpc.h"
#include "x402/evm/eip712.h"
#include "x402/evm/rpc.h"
#include "x402/evm/x402_verify.h"
#include "x402/evm/x402_wallet.h"
#include "x402/evm/eip191.h"
#include "x402/evm/siwx_wallet.h"
#include "x402/siwx.h"
#include "x402/x402_payment.h"
#include "basics/cfg.h"

static const char *
js(const cJSON *o, const char *k)
{
	const cJSON	*v = cJSON_GetObjectItemCaseSensitive(o, k);

	return cJSON_IsString(v) ? v->valuestring : NULL;
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
fail(const char *code, const char *msg)
{
	cJSON	*o = cJSON_CreateObject(), *e = cJSON_CreateObject();

	cJSON_AddStringToObject(e, "code", code);
	cJSON_AddStringToObject(e, "message", msg);
	cJSON_AddItemToObject(o, "error", e);
	out(o);
	return 1;
}

static void
cpy(char *dst, size_t sz, const char *s)
{
	snprintf(dst, sz, "%s", s ? s : "");
}

/* Offer from v2 requirements, payment (authorization) and signature. */
static int
load(const cJSON *in, struct x402_offer *o, struct x402_payment *p,
    struct buf *sig, struct x402_wallet_factories *f, struct sf_err *err)
{
	const cJSON	*pr, *ex, *it;
	struct buf	 hdr;
	char		*pp;
	uint64_t	 id;
	int		 rc;

	pr = cJSON_GetObjectItemCaseSensitive(in, "paymentRequirements");
	ex = cJSON_GetObjectItemCaseSensitive(pr, "extra");
	memset(o, 0, sizeof(*o));
	cpy(o->scheme, sizeof(o->scheme), "exact");
	cpy(o->network, sizeof(o->network), js(pr, "network"));
	cpy(o->amount, sizeof(o->amount), js(pr, "amount"));
	cpy(o->asset, sizeof(o->asset), js(pr, "asset"));
	cpy(o->pay_to, sizeof(o->pay_to), js(pr, "payTo"));
	cpy(o->name, sizeof(o->name), js(ex, "name"));
	cpy(o->version, sizeof(o->version), js(ex, "version"));
	if (strncmp(o->network, "eip155:", 7) != 0 ||
	    (id = strtoull(o->network + 7, NULL, 10)) == 0)
		return sf_err_set(err, 400, "bad_request", NULL, "network");
	o->chain_id = id;
	memset(f, 0, sizeof(*f));
	cJSON_ArrayForEach(it, cJSON_GetObjectItemCaseSensitive(in,
	    "factories"))
		if (!cJSON_IsString(it) || f->n == X402_WALLET_FACTORIES_MAX ||
		    hex_decode_fixed(it->valuestring, f->addr[f->n++],
		    20) == -1)
			return sf_err_set(err, 400, "bad_request", NULL,
			    "factories");
	if ((pp = cJSON_PrintUnformatted(cJSON_GetObjectItemCaseSensitive(in,
	    "paymentPayload"))) == NULL)
		return sf_err_set(err, 400, "bad_request", NULL, "payload");
	buf_init(&hdr);
	rc = b64_encode(pp, strlen(pp), &hdr) == 0 &&
	    x402_payment_decode(hdr.p, 2, p, err) == 0 ? 0 : -1;
	if (rc == 0 && x402_wallet_payload_sig(pp, sig, err) == -1) {
		x402_payment_free(p);
		rc = -1;
	}
	buf_free(&hdr);
	cJSON_free(pp);
	return rc;
}

static int
op_prove(const cJSON *in, const struct rpc *rpc)
{
	struct x402_wallet_factories	 f;
	struct x402_wallet_proof	 pr;
	struct x402_verdict		 v;
	struct x402_offer		 o;
	struct x402_payment		 p;
	struct sf_err			 err;
	struct buf			 sig;
	char				 fa[HEX_ADDR_STRLEN];
	cJSON				*r;
	int				 rc;

	memset(&p, 0, sizeof(p));
	buf_init(&sig);
	if (load(in, &o, &p, &sig, &f, &err) == -1) {
		buf_free(&sig);
		return fail(err.code, err.message);
	}
	memset(&v, 0, sizeof(v));
	v.valid = 1;
	v.offer = &o;
	v.auth = p.auth;
	hex_eip55(p.auth.from, v.payer);
	rc = x402_wallet_prove(rpc, &f, (const uint8_t *)sig.p, sig.len, &v,
	    &pr);
	r = cJSON_CreateObject();
	cJSON_AddNumberToObject(r, "rc", rc);
	cJSON_AddBoolToObject(r, "valid", v.valid);
	cJSON_AddStringToObject(r, "reason", v.reason ? v.reason : "");
	cJSON_AddStringToObject(r, "message", v.message);
	cJSON_AddStringToObject(r, "shape", wallet_sig_shape_name(pr.shape));
	cJSON_AddBoolToObject(r, "deployed", pr.deployed);
	cJSON_AddBoolToObject(r, "deployFirst", pr.deploy_first);
	hex_eip55(pr.factory, fa);
	cJSON_AddStringToObject(r, "factory", pr.deploy_first ? fa : "");
	cJSON_AddStringToObject(r, "balance", pr.balance);
	x402_payment_free(&p);
	buf_free(&sig);
	return out(r);
}

static int
op_plan(const cJSON *in, const struct rpc *rpc)
{
	struct x402_wallet_factories	 f;
	struct x402_wallet_plan		 pl;
	struct x402_offer		 o;
	struct x402_payment		 p;
	struct eip712_twa		 t;
	struct sf_err			 err;
	struct buf			 sig;
	uint8_t				 token[20];
	char				 a[HEX_ADDR_STRLEN], *hex;
	cJSON				*r;

	memset(&p, 0, sizeof(p));
	buf_init(&sig);
	if (load(in, &o, &p, &sig, &f, &err) == -1) {
		buf_free(&sig);
		return fail(err.code, err.message);
	}
	if (hex_decode_fixed(o.asset, token, 20) == -1) {
		x402_payment_free(&p);
		buf_free(&sig);
		return fail("bad_request", "asset");
	}
	x402_wallet_twa(&p.auth, &t);
	if (x402_wallet_settle_plan(rpc, &f, token, &t,
	    (const uint8_t *)sig.p, sig.len, &pl, &err) == -1) {
		x402_wallet_plan_free(&pl);
		x402_payment_free(&p);
		buf_free(&sig);
		return fail(err.code, err.message);
	}
	r = cJSON_CreateObject();
	cJSON_AddBoolToObject(r, "deploy", pl.deploy);
	hex_eip55(pl.to, a);
	cJSON_AddStringToObject(r, "to", a);
	if ((hex = malloc(2 * pl.data.len + 3)) != NULL) {
		hex_encode((const uint8_t *)pl.data.p, pl.data.len, hex);
		cJSON_AddStringToObject(r, "data", hex);
		free(hex);
	}
	hex_eip55(pl.factory, a);
	cJSON_AddStringToObject(r, "factory", pl.deploy ? a : "");
	x402_wallet_plan_free(&pl);
	x402_payment_free(&p);
	buf_free(&sig);
	return out(r);
}

/* 0x-hex into b.  0 or -1. */
static int
hex_to_buf(const char *h, struct buf *b)
{
	uint8_t	 tmp[8192];
	size_t	 len;

	if (h == NULL || hex_decode(h, tmp, sizeof(tmp), &len) == -1)
		return -1;
	return buf_append(b, tmp, len);
}

static int
op_siwx(const cJSON *in)
{
	struct siwx_contract_verifier	 v;
	struct sf_err			 err;
	struct cfg			*c;
	struct buf			 fl, sig;
	const cJSON			*f;
	const char			*m = js(in, "message");
	uint8_t				 addr[20], digest[32];
	cJSON				*r;
	int				 rc;

	buf_init(&fl);
	buf_init(&sig);
	cJSON_ArrayForEach(f, cJSON_GetObjectItemCaseSensitive(in, "factories"))
		buf_printf(&fl, "%s%s", fl.len ? "," : "", f->valuestring);
	setenv("SYNTHFORGE_NETWORKS", "base-sepolia", 1);
	setenv("SYNTHFORGE_PAY_TO", "0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC",
	    1);
	setenv("SYNTHFORGE_RPC_URL_84532", js(in, "rpcUrl"), 1);
	setenv("SYNTHFORGE_ERC6492_FACTORIES", fl.len ? fl.p : "", 1);
	sf_err_clear(&err);
	c = cfg_load("/dev/null", &err);
	buf_free(&fl);
	if (c == NULL || m == NULL || js(in, "address") == NULL ||
	    hex_decode_fixed(js(in, "address"), addr, 20) == -1 ||
	    hex_to_buf(js(in, "signature"), &sig) == -1) {
		cfg_free(c);
		buf_free(&sig);
		return fail("bad_request", c == NULL ? err.message : "input");
	}
	siwx_wallet_verifier(c, &v);
	eip191_hash(m, strlen(m), digest);
	rc = v.verify(v.ctx, "eip155:84532", addr, m, strlen(m), digest,
	    (const uint8_t *)sig.p, sig.len);
	r = cJSON_CreateObject();
	cJSON_AddNumberToObject(r, "result", rc);
	cfg_free(c);
	buf_free(&sig);
	return out(r);
}

int
main(void)
{
	struct rpc	 rpc;
	struct buf	 b;
	char		 chunk[4096];
	size_t		 n;
	cJSON		*in;
	const char	*op;
	int		 rc;

	httpc_init();
	buf_init(&b);
	while ((n = fread(chunk, 1, sizeof(chunk), stdin)) > 0)
		buf_append(&b, chunk, n);
	if (b.oom || (in = cJSON_Parse(b.p ? b.p : "")) == NULL) {
		buf_free(&b);
		return fail("bad_request", "stdin is not JSON");
	}
	buf_free(&b);
	memset(&rpc, 0, sizeof(rpc));
	rpc.url = js(in, "rpcUrl");
	rpc.total_ms = 5000;
	op = js(in, "op") ? js(in, "op") : "";
	if (strcmp(op, "prove") == 0)
		rc = op_prove(in, &rpc);
	else if (strcmp(op, "plan") == 0)
		rc = op_plan(in, &rpc);
	else if (strcmp(op, "siwx") == 0)
		rc = op_siwx(in);
	else
		rc = fail("bad_request", "unknown op");
	cJSON_Delete(in);
	return rc;
}
