#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "basics/cfg.h"
#include "basics/err.h"
#include "basics/hex.h"
#include "basics/u256.h"
#include "http/http.h"
#include "x402/evm/erc6492.h"
#include "x402/evm/evm_scheme.h"
#include "x402/evm/evm_settle.h"
#include "x402/evm/rpc.h"
#include "x402/evm/x402_chain.h"
#include "x402/evm/x402_wallet.h"
#include "x402/evm/x402_wallet_cfg.h"
#include "x402/rpc_watch.h"
#include "x402/settle.h"

static int
evm_offer_complete(const struct x402_env *env, struct x402_offer *o,
    char *why, size_t whysz, int *fresh)
{
	(void)env;
	(void)o;
	(void)why;
	(void)whysz;
	*fresh = 0;
	return 0;		/* everything is in the configuration */
}

/* The EIP-712 domain of the asset, for the payer's signature. */
static void
evm_offer_extra(cJSON *extra, const struct x402_offer *o)
{
	cJSON_AddStringToObject(extra, "name", o->name);
	cJSON_AddStringToObject(extra, "version", o->version);
}

/*
 * x402_verify; a payment whose only fault is a signature that is no EOA's
 * (vd.wallet: a contract wallet's, maybe) passes here, to be proven
 * before any work by evm_prove, which never lets it through unproven.
 */
static int
evm_verify(const struct x402_offer *offers, size_t n, time_t now,
    struct x402_check *c)
{
	struct x402_verdict	*v = &c->vd;

	if (x402_verify(&c->pay, offers, n, now, v) == -1)
		return -1;
	if (v->wallet) {
		v->valid = 1;
		v->reason = NULL;
		snprintf(v->message, sizeof(v->message), "payment from %s: "
		    "not an EOA's signature, so a contract wallet's (ERC-1271, "
		    "ERC-6492), proven before any work", v->payer);
	}
	return 0;
}

static void
evm_terms(const struct x402_check *c, time_t now, struct x402_terms *t)
{
	const struct x402_authorization	*a = &c->vd.auth;

	(void)now;
	snprintf(t->payer, sizeof(t->payer), "%s", a->from_hex);
	snprintf(t->key, sizeof(t->key), "%s", a->nonce_hex);
	snprintf(t->amount, sizeof(t->amount), "%s", a->value_dec);
	snprintf(t->valid_after, sizeof(t->valid_after), "%s",
	    a->valid_after_dec);
	snprintf(t->valid_before, sizeof(t->valid_before), "%s",
	    a->valid_before_dec);
}

/*
 * A signature with v = 0/1 verifies (we normalise) but USDC's ecrecover
 * wants 27/28 and facilitators pass v through, so the stored copy
 * carries v + 27.  A contract wallet's signature is the wallet's to read:
 * stored byte for byte.
 */
static char *
evm_payload(const struct x402_check *c)
{
	cJSON	*j, *pl, *sig;
	char	 hex[2 * 65 + 3], *out;
	uint8_t	 s[65];

	if (c->vd.wallet || c->pay.sig_len != 65 || c->pay.sig[64] >= 27)
		return strdup(c->pay.canonical);
	memcpy(s, c->pay.sig, 65);
	s[64] += 27;
	hex_encode(s, 65, hex);		/* writes the 0x itself */
	if ((j = cJSON_Parse(c->pay.canonical)) == NULL)
		return NULL;
	pl = cJSON_GetObjectItemCaseSensitive(j, "payload");
	sig = cJSON_GetObjectItemCaseSensitive(pl, "signature");
	out = NULL;
	if (cJSON_IsString(sig) &&
	    cJSON_ReplaceItemInObjectCaseSensitive(pl, "signature",
	    cJSON_CreateString(hex)))
		out = cJSON_PrintUnformatted(j);
	cJSON_Delete(j);
	return out;
}

/* validBefore >= now + work + settlement margin, or refused. */
static enum x402_window
evm_window(const struct x402_check *c, time_t now, unsigned work_s,
    unsigned margin_s, char *msg, size_t msz)
{
	unsigned long long	 vb, need;
	char			*end;

	need = (unsigned long long)now + work_s + margin_s;
	vb = strtoull(c->vd.auth.valid_before_dec, &end, 10);
	if (*end != '\0' || vb >= need)		/* too long for 64 bits: far */
		return X402_WINDOW_OK;
	snprintf(msg, msz, "validBefore %llu is too soon: this endpoint's "
	    "work takes up to %u s and settlement needs %u s more, so sign "
	    "with validBefore >= %llu (now + maxTimeoutSeconds from this "
	    "402); nothing was charged", vb, work_s, margin_s, need);
	return X402_WINDOW_SHORT;
}

/* The proof's verdict as the scheme table's. */
static void
evm_proof(const struct x402_verdict *v, const char *balance,
    struct x402_proof *pr)
{
	pr->settleable = v->valid;
	if (!v->valid) {
		snprintf(pr->reason, sizeof(pr->reason), "%s", v->reason);
		snprintf(pr->message, sizeof(pr->message), "%s", v->message);
	}
	snprintf(pr->balance, sizeof(pr->balance), "%s", balance);
}

/*
 * An EOA's payment on chain (the facilitator's checks done by us, and the
 * balance read for the exposure decision): authorizationState unused,
 * balanceOf(from) >= value, an eth_call of the transfer that does not
 * revert.  0 decided, -1 the chain could not be asked (why in pr).
 */
static int
evm_prove_chain(const struct rpc *rpc, const struct x402_check *c,
    const char *payload, struct x402_proof *pr)
{
	struct x402_verdict	 v = c->vd;
	char			 bal[U256_DEC_SIZE] = "";

	if (x402_chain_prove(rpc, payload, &v, bal) == -1) {
		snprintf(pr->message, sizeof(pr->message), "%s", v.message);
		return -1;
	}
	evm_proof(&v, v.valid ? bal : "", pr);
	return 0;
}

/*
 * A contract wallet's payment on chain (x402_wallet.h): the universal
 * ERC-6492 validator, then the same reads, and the transfer simulated
 * (after the wallet's factory call for one not deployed yet).
 */
static int
evm_prove_wallet(const struct x402_env *env, const struct rpc *rpc,
    const struct x402_check *c, struct x402_proof *pr)
{
	struct x402_wallet_factories	 allow;
	struct x402_wallet_proof	 wp;
	struct x402_verdict		 v = c->vd;
	struct sf_err			 err;

	if (x402_wallet_factories_for(env->cfg, v.offer->network, &allow,
	    &err) == -1)
		allow.n = 0;		/* start-up refused a bad list */
	if (x402_wallet_prove(rpc, &allow, c->pay.sig_bytes, c->pay.sig_len,
	    &v, &wp) == -1) {
		snprintf(pr->message, sizeof(pr->message), "%s", v.message);
		return -1;
	}
	evm_proof(&v, v.valid ? wp.balance : "", pr);
	return 0;
}

/*
 * Without the chain, a contract wallet's ERC-6492 wrapper naming a
 * factory that is not on our list (ERC6492_FACTORIES) is refused here,
 * before the facilitator is asked (it cannot tell us whether the wallet
 * is deployed, so the list counts as for a wallet that is not).  1
 * refused (pr filled), 0 on to the facilitator.
 */
static int
evm_wallet_unlisted(const struct x402_env *env, const struct x402_check *c,
    struct x402_proof *pr)
{
	struct x402_wallet_factories	 allow;
	struct erc6492_sig		 e;
	struct sf_err			 err;
	char				 f[HEX_ADDR_STRLEN];

	if (!c->vd.wallet || c->pay.sig_bytes == NULL ||
	    erc6492_parse(c->pay.sig_bytes, c->pay.sig_len, &e, NULL, 0) != 1)
		return 0;
	if (x402_wallet_factories_for(env->cfg, c->vd.offer->network, &allow,
	    &err) == -1)
		allow.n = 0;
	if (x402_wallet_factory_allowed(&allow, e.factory))
		return 0;
	hex_eip55(e.factory, f);
	pr->settleable = 0;
	snprintf(pr->reason, sizeof(pr->reason), "%s",
	    X402_R_FACTORY_NOT_ALLOWED);
	snprintf(pr->message, sizeof(pr->message), "the ERC-6492 factory %s "
	    "of %s is not in " X402_WALLET_CFG_KEY " (%s)", f, c->vd.payer,
	    allow.n == 0 ? "empty: wallets that are not deployed are "
	    "refused" : "the allow-list");
	return 1;
}

/* The network's RPC for the proof, when it may be asked now: the whole
   proof within RPC_TIMEOUT_MS (env->rpc_ms).  1 yes, 0 no. */
static int
evm_rpc(const struct x402_env *env, const char *network, struct rpc *rpc)
{
	const char	*url = cfg_rpc_for(env->cfg, network);

	memset(rpc, 0, sizeof(*rpc));
	if (url == NULL || !rpc_watch_try(network, time(NULL)))
		return 0;
	rpc->url = url;
	rpc->connect_ms = env->rpc_ms;
	rpc->total_ms = env->rpc_ms;
	rpc->deadline_ms = http_now_ms() + env->rpc_ms;
	return 1;
}

/*
 * On chain with the network's RPC (configured or its public default);
 * without one, or when it cannot be asked in time, the facilitator's
 * /verify (balance unknown: one unsettled payment per wallet).
 */
static int
evm_prove(const struct x402_env *env, const struct x402_check *c, int version,
    const char *payload, const char *reqs, struct x402_proof *pr)
{
	const char	*net = c->vd.offer->network;
	struct rpc	 rpc;
	int		 rc;

	memset(pr, 0, sizeof(*pr));
	if (evm_rpc(env, net, &rpc)) {
		rc = c->vd.wallet ? evm_prove_wallet(env, &rpc, c, pr) :
		    evm_prove_chain(&rpc, c, payload, pr);
		rpc_watch_note(net, rc == 0, pr->message, time(NULL));
		if (rc == 0)
			return 0;
		memset(pr, 0, sizeof(*pr));
	}
	if (evm_wallet_unlisted(env, c, pr))
		return 0;
	return x402_scheme_prove_facilitator(&env->settle->facilitator,
	    version, payload, reqs, pr);
}

/* The seller's settings, with this network's chain (RPC_URL_<net>, or
   its public default: reads only) to reconcile an unknown outcome on, and
   its ERC-6492 factories for a relayer that deploys a payer's wallet.
   Our own transactions go only to RPC_URL (settle.direct.rpc_url). */
static void
evm_settle_config(const struct x402_env *env, const char *network,
    struct settle_config *out)
{
	const char	*rpc = cfg_rpc_for(env->cfg, network);
	struct sf_err	 err;

	*out = *env->settle;
	if (rpc != NULL)
		out->rpc_url = rpc;
	if (x402_wallet_factories_for(env->cfg, network,
	    &out->direct.factories, &err) == -1)
		out->direct.factories.n = 0;
}

const struct x402_scheme evm_scheme = {
	.name = "evm",
	.title = "EVM",
	.max_window = 0,
	.late_note = NULL,
	.pay_note = EVM_WALLET_NOTE,
	.offer_complete = evm_offer_complete,
	.offer_extra = evm_offer_extra,
	.verify = evm_verify,
	.terms = evm_terms,
	.payload = evm_payload,
	.window = evm_window,
	.prove = evm_prove,
	.settle_config = evm_settle_config,
	.settle_once = evm_settle_once,
	.settle_until_ms = evm_settle_until_ms,
};
