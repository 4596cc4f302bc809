#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <cjson/cJSON.h>

#include "basics/buf.h"
#include "basics/err.h"
#include "basics/hex.h"
#include "x402/evm/abi.h"
#include "x402/evm/eip712.h"
#include "x402/evm/erc6492.h"
#include "x402/evm/multicall3.h"
#include "x402/evm/rpc.h"
#include "x402/evm/wallet_sig.h"
#include "x402/evm/x402_chain.h"
#include "x402/evm/x402_verify.h"
#include "x402/evm/x402_wallet.h"
#include "x402/x402_payment.h"

#define WALLET_OOM(err) sf_err_set((err), 500, "internal_error", NULL, \
	"out of memory")

int
x402_wallet_digest(const struct x402_offer *o,
    const struct x402_authorization *a, uint8_t out[32])
{
	struct eip712_domain	 dom;
	struct eip712_twa	 twa;

	dom.name = o->name;
	dom.name_len = strlen(o->name);
	dom.version = o->version;
	dom.version_len = strlen(o->version);
	dom.chain_id = o->chain_id;
	if (hex_decode_fixed(o->asset, dom.contract, 20) == -1)
		return -1;
	x402_wallet_twa(a, &twa);
	eip712_twa_digest(&dom, &twa, out);
	return 0;
}

void
x402_wallet_twa(const struct x402_authorization *a, struct eip712_twa *t)
{
	memcpy(t->from, a->from, 20);
	memcpy(t->to, a->to, 20);
	memcpy(t->value, a->value, 32);
	memcpy(t->valid_after, a->valid_after, 32);
	memcpy(t->valid_before, a->valid_before, 32);
	memcpy(t->nonce, a->nonce, 32);
}

int
x402_wallet_twa_calldata(const struct eip712_twa *t, const uint8_t *sig,
    size_t sig_len, struct buf *out)
{
	uint8_t	 sel[4];

	if (hex_decode_fixed("0x" X402_WALLET_SEL_TWA_BYTES, sel, 4) == -1)
		return -1;
	buf_append(out, sel, 4);
	abi_put_addr(out, t->from);
	abi_put_addr(out, t->to);
	abi_put_word(out, t->value);
	abi_put_word(out, t->valid_after);
	abi_put_word(out, t->valid_before);
	abi_put_word(out, t->nonce);
	abi_put_u64(out, 7 * ABI_WORD);		/* the bytes follow */
	abi_put_bytes(out, sig, sig_len);
	return out->oom ? -1 : 0;
}

int
x402_wallet_payload_sig(const char *json, struct buf *out,
    struct sf_err *err)
{
	cJSON		*root, *s;
	uint8_t		*tmp;
	size_t		 len;
	int		 ret = -1;

	if ((root = cJSON_Parse(json)) == NULL)
		return sf_err_set(err, 400, "invalid_payload", NULL,
		    "payload is not JSON");
	s = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(
	    root, "payload"), "signature");
	if (!cJSON_IsString(s) ||
	    hex_check(s->valuestring, X402_PAYMENT_SIG_MAX, &len) == -1)
		sf_err_set(err, 400, "invalid_payload", "signature",
		    "payload.signature is not 0x-hex of at most %d bytes",
		    X402_PAYMENT_SIG_MAX);
	else if ((tmp = malloc(len)) == NULL)
		WALLET_OOM(err);
	else {
		if (hex_decode(s->valuestring, tmp, len, &len) == 0 &&
		    buf_append(out, tmp, len) == 0)
			ret = 0;
		else
			WALLET_OOM(err);
		free(tmp);
	}
	cJSON_Delete(root);
	return ret;
}

/* "0x" + hex of at least one byte, appended to out as bytes.  0 or -1. */
static int
wallet_unhex(const char *hex, struct buf *out)
{
	uint8_t	*tmp;
	size_t	 len;
	int	 rc = -1;

	if (hex_check(hex, strlen(hex) / 2, &len) == -1 ||
	    (tmp = malloc(len)) == NULL)
		return -1;
	if (hex_decode(hex, tmp, len, &len) == 0 &&
	    buf_append(out, tmp, len) == 0)
		rc = 0;
	free(tmp);
	return rc;
}

/* params [{data} or {to, data}, "latest"]; *out "0x..." (malloc'd). */
static int
wallet_eth_call(const struct rpc *rpc, const char *to, const struct buf *d,
    char **out, struct sf_err *err)
{
	cJSON	*p, *o, *res;
	char	*hex;

	*out = NULL;
	if (to != NULL) {
		if ((hex = malloc(2 * d->len + 3)) == NULL)
			return WALLET_OOM(err);
		hex_encode((const uint8_t *)d->p, d->len, hex);
		rpc_eth_call(rpc, to, hex, out, err);
		free(hex);
		return *out == NULL ? -1 : 0;
	}
	/* No `to`: the data is creation code, run in a constructor. */
	if ((p = cJSON_CreateArray()) == NULL ||
	    (o = cJSON_CreateObject()) == NULL ||
	    (hex = malloc(2 * d->len + 3)) == NULL) {
		cJSON_Delete(p);
		return WALLET_OOM(err);
	}
	cJSON_AddItemToArray(p, o);
	hex_encode((const uint8_t *)d->p, d->len, hex);
	if (!cJSON_AddStringToObject(o, "data", hex) ||
	    !cJSON_AddItemToArray(p, cJSON_CreateString("latest"))) {
		free(hex);
		cJSON_Delete(p);
		return WALLET_OOM(err);
	}
	free(hex);
	if (rpc_call(rpc, "eth_call", p, &res, err) == -1)
		return -1;
	if (cJSON_IsString(res) && strncmp(res->valuestring, "0x", 2) == 0)
		*out = strdup(res->valuestring);
	cJSON_Delete(res);
	if (*out == NULL)
		return sf_err_set(err, 502, "rpc_bad_response", NULL,
		    "eth_call: bad result");
	return 0;
}

/* The node refused the call because it reverted (not a rate limit...). */
static int
wallet_reverted(const struct sf_err *err)
{
	return strcmp(err->code, "rpc_error") == 0 &&
	    (strcasestr(err->message, "revert") != NULL ||
	    strcasestr(err->message, "execution error") != NULL);
}

int
x402_wallet_has_code(const struct rpc *rpc, const uint8_t addr[20],
    struct sf_err *err)
{
	cJSON	*p, *res;
	char	 a[HEX_ADDR_STRLEN];
	size_t	 len;
	int	 ret;

	hex_encode(addr, 20, a);
	if ((p = cJSON_CreateArray()) == NULL ||
	    !cJSON_AddItemToArray(p, cJSON_CreateString(a)) ||
	    !cJSON_AddItemToArray(p, cJSON_CreateString("latest"))) {
		cJSON_Delete(p);
		return WALLET_OOM(err);
	}
	if (rpc_call(rpc, "eth_getCode", p, &res, err) == -1)
		return -1;
	if (cJSON_IsString(res) && strcmp(res->valuestring, "0x") == 0)
		ret = 0;
	else if (cJSON_IsString(res) && hex_check(res->valuestring,
	    (size_t)-1 / 2, &len) == 0)
		ret = 1;
	else
		ret = sf_err_set(err, 502, "rpc_bad_response", NULL,
		    "eth_getCode: bad result");
	cJSON_Delete(res);
	return ret;
}

static int
wallet_fail(struct x402_verdict *v, const char *reason, int rc,
    const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static int
wallet_fail(struct x402_verdict *v, const char *reason, int rc,
    const char *fmt, ...)
{
	va_list	 ap;

	v->valid = 0;
	v->reason = reason;
	va_start(ap, fmt);
	vsnprintf(v->message, sizeof(v->message), fmt, ap);
	va_end(ap);
	return rc;
}

/* Steps 1-3: shape, code, the factory of a wallet without code. */
static int
wallet_classify(const struct rpc *rpc, const struct x402_wallet_factories
    *allow, const uint8_t *sig, size_t len, struct x402_verdict *v,
    struct x402_wallet_proof *pr, struct erc6492_sig *e)
{
	struct sf_err	 err;
	char		 why[160], f[HEX_ADDR_STRLEN];
	int		 code;

	sf_err_clear(&err);
	pr->shape = wallet_sig_shape(sig, len);
	if (erc6492_parse(sig, len, e, why, sizeof(why)) == -1)
		return wallet_fail(v, X402_R_SIGNATURE, 0, "%s", why);
	if ((code = x402_wallet_has_code(rpc, v->auth.from, &err)) == -1)
		return wallet_fail(v, X402_R_UNEXPECTED, -1,
		    "cannot read the payer's code: %.200s", err.message);
	pr->deployed = code;
	if (code)
		return 0;
	if (pr->shape != WALLET_SIG_ERC6492 && len != 65)
		return wallet_fail(v, X402_R_SIGNATURE, 0, "%s has no code "
		    "(a wallet not deployed yet) and its %zu-byte signature "
		    "has no ERC-6492 wrapper", v->payer, len);
	if (pr->shape != WALLET_SIG_ERC6492)
		return 0;		/* 65 bytes, no code: an EOA's */
	hex_eip55(e->factory, f);
	if (!x402_wallet_factory_allowed(allow, e->factory))
		return wallet_fail(v, X402_R_FACTORY_NOT_ALLOWED, 0,
		    "%s is not deployed and its ERC-6492 factory %s is not in "
		    X402_WALLET_CFG_KEY " (%s)", v->payer, f,
		    allow == NULL || allow->n == 0 ? "empty: wallets that are "
		    "not deployed are refused" : "the allow-list");
	pr->deploy_first = 1;
	memcpy(pr->factory, e->factory, 20);
	return 0;
}

/*
 * The universal validator's eth_call over hash for signer: 1 valid, 0 not
 * (0x00, or the node says it reverted), -1 no answer (err).
 */
static int
wallet_validator(const struct rpc *rpc, const uint8_t signer[20],
    const uint8_t hash[32], const uint8_t *sig, size_t len,
    struct sf_err *err)
{
	struct buf	 d;
	char		*out = NULL;
	int		 rc;

	buf_init(&d);
	if (erc6492_validator_calldata(signer, hash, sig, len, &d) == -1) {
		buf_free(&d);
		return WALLET_OOM(err);
	}
	rc = wallet_eth_call(rpc, NULL, &d, &out, err);
	buf_free(&d);
	if (rc == -1)
		return wallet_reverted(err) ? 0 : -1;
	rc = erc6492_validator_result(out);
	free(out);
	if (rc == -1)
		return sf_err_set(err, 502, "rpc_bad_response", NULL, "the "
		    "ERC-6492 validator's answer is neither 0x01 nor 0x00");
	return rc;		/* err untouched: a revert is "rpc_error" */
}

/* Step 4: the universal validator over the digest, whole signature. */
static int
wallet_validate(const struct rpc *rpc, const uint8_t digest[32],
    const uint8_t *sig, size_t len, struct x402_verdict *v)
{
	struct sf_err	 err;
	int		 rc;

	sf_err_clear(&err);
	rc = wallet_validator(rpc, v->auth.from, digest, sig, len, &err);
	if (rc == 0 && strcmp(err.code, "rpc_error") == 0)
		return wallet_fail(v, X402_R_SIGNATURE, 0, "the ERC-6492 "
		    "validator refused the signature of %s: %.160s", v->payer,
		    err.message);
	if (rc == -1)
		return wallet_fail(v, X402_R_UNEXPECTED, -1, "cannot run the "
		    "ERC-6492 validator: %.200s", err.message);
	if (rc == 0)
		return wallet_fail(v, X402_R_SIGNATURE, 0, "%s does not accept "
		    "the signature (ERC-1271 / ERC-6492 validator: 0x00)",
		    v->payer);
	return 0;
}

int
x402_wallet_check_sig(const struct rpc *rpc,
    const struct x402_wallet_factories *allow, const uint8_t signer[20],
    const uint8_t hash[32], const uint8_t *sig, size_t len, char *why,
    size_t whysz)
{
	struct erc6492_sig	 e;
	struct sf_err		 err;
	int			 wrapped, code, rc;

	sf_err_clear(&err);
	if ((wrapped = erc6492_parse(sig, len, &e, why, whysz)) == -1)
		return 0;
	if (wrapped) {
		if ((code = x402_wallet_has_code(rpc, signer, &err)) == -1) {
			snprintf(why, whysz, "%s", err.message);
			return -1;
		}
		if (!code && !x402_wallet_factory_allowed(allow, e.factory)) {
			snprintf(why, whysz, "the wallet is not deployed and "
			    "its ERC-6492 factory is not in "
			    X402_WALLET_CFG_KEY);
			return 0;
		}
	}
	rc = wallet_validator(rpc, signer, hash, sig, len, &err);
	snprintf(why, whysz, "%s", rc == 1 ? "valid" : rc == 0 ?
	    "the wallet does not accept the signature" : err.message);
	return rc;
}

/* Step 6, a wallet without code: factory call, then the transfer. */
static int
wallet_simulate_cf(const struct rpc *rpc, const struct erc6492_sig *e,
    const struct buf *twa, struct x402_verdict *v)
{
	struct multicall3_call		 c[2];
	struct multicall3_result	 r[2];
	struct sf_err			 err;
	struct buf			 d, res;
	char				*out = NULL, why[160];
	int				 rc;

	sf_err_clear(&err);
	memcpy(c[0].target, e->factory, 20);
	c[0].data = e->factory_calldata;
	c[0].len = e->factory_calldata_len;
	if (hex_decode_fixed(v->offer->asset, c[1].target, 20) == -1)
		return wallet_fail(v, X402_R_UNEXPECTED, -1, "bad asset");
	c[1].data = (const uint8_t *)twa->p;
	c[1].len = twa->len;
	buf_init(&d);
	buf_init(&res);
	rc = multicall3_try_aggregate(0, c, 2, &d);
	if (rc == 0)
		rc = wallet_eth_call(rpc, MULTICALL3_ADDRESS, &d, &out, &err);
	buf_free(&d);
	if (rc == -1) {
		buf_free(&res);
		return wallet_fail(v, X402_R_UNEXPECTED, -1, "cannot simulate "
		    "the wallet's deployment and transfer: %.200s",
		    err.message);
	}
	/* "0x" (no code at the address) is no answer either. */
	rc = wallet_unhex(out, &res) == 0 && multicall3_try_aggregate_result(
	    (const uint8_t *)res.p, res.len, r, 2) == 0 ? 0 : -1;
	free(out);
	if (rc == -1) {
		buf_free(&res);
		return wallet_fail(v, X402_R_UNEXPECTED, -1, "no Multicall3 "
		    "tryAggregate answer from " MULTICALL3_ADDRESS " (is it "
		    "deployed on this chain?)");
	}
	if (!r[0].success || !r[1].success) {
		abi_revert_reason(r[!r[0].success ? 0 : 1].ret,
		    r[!r[0].success ? 0 : 1].ret_len, why, sizeof(why));
		buf_free(&res);
		return wallet_fail(v, X402_R_SIMULATION, 0, "%s: %s",
		    !r[0].success ? "the wallet's factory call would revert" :
		    "transferWithAuthorization would revert after the "
		    "wallet's deployment", why);
	}
	buf_free(&res);
	return 0;
}

/* Step 6, a deployed wallet: the transfer by eth_call on the token. */
static int
wallet_simulate(const struct rpc *rpc, const struct buf *twa,
    struct x402_verdict *v)
{
	struct sf_err	 err;
	char		*out = NULL;

	sf_err_clear(&err);
	if (wallet_eth_call(rpc, v->offer->asset, twa, &out, &err) == 0) {
		free(out);
		return 0;
	}
	if (wallet_reverted(&err))
		return wallet_fail(v, X402_R_SIMULATION, 0,
		    "transferWithAuthorization would revert: %.200s",
		    err.message);
	return wallet_fail(v, X402_R_UNEXPECTED, -1,
	    "cannot simulate the transfer: %.200s", err.message);
}

/* Steps 4-6 once the shape and the code are known. */
static int
wallet_prove_known(const struct rpc *rpc, const uint8_t *sig, size_t len,
    const struct erc6492_sig *e, struct x402_verdict *v,
    struct x402_wallet_proof *pr)
{
	struct eip712_twa	 t;
	struct buf		 twa;
	uint8_t			 digest[32];
	int			 rc;

	if (x402_wallet_digest(v->offer, &v->auth, digest) == -1)
		return wallet_fail(v, X402_R_UNEXPECTED, -1,
		    "the offer's asset is no address");
	if ((rc = wallet_validate(rpc, digest, sig, len, v)) == -1 ||
	    !v->valid)
		return rc;
	if (x402_chain_state(rpc, v, pr->balance) == -1)
		return -1;
	if (!v->valid)
		return 0;
	/* The signature the token sees: a wrapper's inner one. */
	x402_wallet_twa(&v->auth, &t);
	buf_init(&twa);
	if (pr->shape == WALLET_SIG_ERC6492)
		rc = x402_wallet_twa_calldata(&t, e->inner, e->inner_len, &twa);
	else
		rc = x402_wallet_twa_calldata(&t, sig, len, &twa);
	if (rc == -1)
		rc = wallet_fail(v, X402_R_UNEXPECTED, -1, "out of memory");
	else if (pr->deploy_first)
		rc = wallet_simulate_cf(rpc, e, &twa, v);
	else
		rc = wallet_simulate(rpc, &twa, v);
	buf_free(&twa);
	return rc;
}

int
x402_wallet_prove(const struct rpc *rpc,
    const struct x402_wallet_factories *allow, const uint8_t *sig,
    size_t len, struct x402_verdict *v, struct x402_wallet_proof *pr)
{
	struct erc6492_sig	 e;
	int			 rc;

	memset(pr, 0, sizeof(*pr));
	memset(&e, 0, sizeof(e));
	if (!v->valid)
		return 0;
	if (v->offer == NULL)
		return wallet_fail(v, X402_R_UNEXPECTED, -1, "no offer");
	if (rpc == NULL || rpc->url == NULL || rpc->url[0] == '\0')
		return wallet_fail(v, X402_R_UNEXPECTED, -1, "no RPC for %s: "
		    "a contract wallet's payment is proven on chain or by "
		    "the facilitator", v->offer->network);
	if ((rc = wallet_classify(rpc, allow, sig, len, v, pr, &e)) == -1 ||
	    !v->valid)
		return rc;
	if ((rc = wallet_prove_known(rpc, sig, len, &e, v, pr)) == -1 ||
	    !v->valid)
		return rc;
	snprintf(v->message, sizeof(v->message), "payment from contract "
	    "wallet %s (%s signature%s) proven on chain", v->payer,
	    wallet_sig_shape_name(pr->shape), pr->deploy_first ?
	    ", deployed by its factory at settlement" : "");
	return 0;
}

void
x402_wallet_plan_free(struct x402_wallet_plan *p)
{
	buf_free(&p->data);
}

/* A wallet without code: Multicall3 tryAggregate(true, [deploy, twa]). */
static int
wallet_plan_deploy(const struct x402_wallet_factories *allow,
    const uint8_t token[20], const struct erc6492_sig *e,
    const struct buf *twa, struct x402_wallet_plan *p, struct sf_err *err)
{
	struct multicall3_call	 c[2];
	char			 f[HEX_ADDR_STRLEN];

	hex_eip55(e->factory, f);
	if (!x402_wallet_factory_allowed(allow, e->factory))
		return sf_err_set(err, 400, X402_R_FACTORY_NOT_ALLOWED,
		    "signature", "ERC-6492 factory %s is not in "
		    X402_WALLET_CFG_KEY, f);
	memcpy(c[0].target, e->factory, 20);
	c[0].data = e->factory_calldata;
	c[0].len = e->factory_calldata_len;
	memcpy(c[1].target, token, 20);
	c[1].data = (const uint8_t *)twa->p;
	c[1].len = twa->len;
	if (multicall3_try_aggregate(1, c, 2, &p->data) == -1 ||
	    hex_decode_fixed(MULTICALL3_ADDRESS, p->to, 20) == -1)
		return WALLET_OOM(err);
	p->deploy = 1;
	memcpy(p->factory, e->factory, 20);
	return 0;
}

int
x402_wallet_settle_plan(const struct rpc *rpc,
    const struct x402_wallet_factories *allow, const uint8_t token[20],
    const struct eip712_twa *t, const uint8_t *sig, size_t len,
    struct x402_wallet_plan *p, struct sf_err *err)
{
	struct erc6492_sig	 e;
	struct buf		 twa;
	char			 why[160];
	int			 wrapped, code, rc;

	memset(p, 0, sizeof(*p));
	buf_init(&p->data);
	if ((wrapped = erc6492_parse(sig, len, &e, why, sizeof(why))) == -1)
		return sf_err_set(err, 400, X402_R_SIGNATURE, "signature",
		    "%s", why);
	if ((code = x402_wallet_has_code(rpc, t->from, err)) == -1)
		return -1;
	if (!code && !wrapped && len != 65)
		return sf_err_set(err, 400, X402_R_SIGNATURE, "signature",
		    "the payer has no code and the signature no ERC-6492 "
		    "wrapper");
	buf_init(&twa);
	if (x402_wallet_twa_calldata(t, wrapped ? e.inner : sig,
	    wrapped ? e.inner_len : len, &twa) == -1)
		rc = WALLET_OOM(err);
	else if (wrapped && !code)
		rc = wallet_plan_deploy(allow, token, &e, &twa, p, err);
	else {
		memcpy(p->to, token, 20);
		rc = buf_append(&p->data, twa.p, twa.len) == -1 ?
		    WALLET_OOM(err) : 0;
	}
	buf_free(&twa);
	return rc;
}
