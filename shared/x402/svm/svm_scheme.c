#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "basics/cfg.h"
#include "basics/err.h"
#include "http/http.h"
#include "x402/evm/rpc.h"
#include "x402/rpc_watch.h"
#include "x402/settle.h"
#include "x402/svm/svm_fee_payer.h"
#include "x402/svm/svm_scheme.h"
#include "x402/svm/svm_x402.h"

/* What a Solana payer is told where the work may outlast the payment. */
#define SVM_LATE_NOTE "Solana payments are settled before the work " \
	"starts, since a Solana payment expires within about a minute and " \
	"this work may take longer. If the work then fails there is no " \
	"refund: send the same request with the same payment again and the " \
	"work is redone at no further charge."

/* Only a facilitator can co-sign as fee payer: never direct, and the EVM
   chain check cannot read Solana, so unknown stays unknown. */
static void
svm_settle_config(const struct x402_env *env, const char *network,
    struct settle_config *out)
{
	const struct cfg	*c = env->cfg;
	size_t			 i;

	*out = *env->settle;
	out->mode = SETTLE_MODE_FACILITATOR;
	for (i = 0; c != NULL && i < c->nnets; i++)
		if (strcmp(c->nets[i].network, network) == 0 &&
		    c->nets[i].facilitator_url[0] != '\0')
			out->facilitator.url = c->nets[i].facilitator_url;
	out->rpc_url = NULL;
	out->direct.rpc_url = NULL;
}

/* extra.feePayer from the network's facilitator's /supported (cached). */
static int
svm_offer_complete(const struct x402_env *env, struct x402_offer *o,
    char *why, size_t whysz, int *fresh)
{
	struct settle_config	 sc;

	svm_settle_config(env, o->network, &sc);
	return svm_fee_payer(&sc.facilitator, o->network, time(NULL),
	    o->fee_payer, why, whysz, fresh);
}

static void
svm_offer_extra(cJSON *extra, const struct x402_offer *o)
{
	/* Unknown outside a live 402 (registry files): left out. */
	if (o->fee_payer[0] != '\0')
		cJSON_AddStringToObject(extra, "feePayer", o->fee_payer);
}

static int
svm_verify(const struct x402_offer *offers, size_t n, time_t now,
    struct x402_check *c)
{
	(void)now;		/* the blockhash's age is the chain's to judge */
	return svm_x402_verify(&c->pay, offers, n, &c->vd, &c->svm);
}

/* The blockhash's lifetime is the window, counted from now. */
static void
svm_terms(const struct x402_check *c, time_t now, struct x402_terms *t)
{
	snprintf(t->payer, sizeof(t->payer), "%s", c->svm.payer);
	snprintf(t->key, sizeof(t->key), "%s", c->svm.payer_sig);
	snprintf(t->amount, sizeof(t->amount), "%s", c->vd.offer->amount);
	snprintf(t->valid_after, sizeof(t->valid_after), "%lld",
	    (long long)now);
	snprintf(t->valid_before, sizeof(t->valid_before), "%lld",
	    (long long)now + SVM_WINDOW);
}

static char *
svm_payload(const struct x402_check *c)
{
	return strdup(c->pay.canonical);
}

/*
 * The payer cannot lengthen the window.  Work that may outlast it is paid
 * first, or we could do work that can no longer be paid for (the 402's
 * description says so: late_note).  docs/solana.md.
 */
static enum x402_window
svm_window(const struct x402_check *c, time_t now, unsigned work_s,
    unsigned margin_s, char *msg, size_t msz)
{
	(void)c;
	(void)now;
	(void)msg;
	(void)msz;
	return work_s + margin_s > SVM_WINDOW ? X402_WINDOW_SETTLE_FIRST :
	    X402_WINDOW_OK;
}

/*
 * The balance of the token account the transfer debits, by the network's
 * RPC (RPC_URL_<NET>, or the cluster's public one) within RPC_TIMEOUT_MS:
 * getTokenAccountBalance.  The JSON-RPC 2.0 framing is the EVM client's
 * (evm/rpc.h).  0 with balance (decimal atomic units), or -1 with why.
 */
static int
svm_balance(const struct x402_env *env, const char *url, const char *account,
    char *balance, size_t bsz, char *why, size_t whysz)
{
	struct rpc	 r;
	struct sf_err	 err;
	cJSON		*p, *res = NULL, *amt;
	int		 rc = -1;

	memset(&r, 0, sizeof(r));
	r.url = url;
	r.connect_ms = r.total_ms = env->rpc_ms;
	r.deadline_ms = http_now_ms() + env->rpc_ms;
	sf_err_clear(&err);
	if ((p = cJSON_CreateArray()) == NULL ||
	    !cJSON_AddItemToArray(p, cJSON_CreateString(account))) {
		cJSON_Delete(p);
		snprintf(why, whysz, "out of memory");
		return -1;
	}
	if (rpc_call(&r, "getTokenAccountBalance", p, &res, &err) == -1) {
		snprintf(why, whysz, "%.150s", err.message);
		return -1;
	}
	amt = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(
	    res, "value"), "amount");
	if (cJSON_IsString(amt) && amt->valuestring[0] != '\0' &&
	    strspn(amt->valuestring, "0123456789") ==
	    strlen(amt->valuestring) && strlen(amt->valuestring) < bsz) {
		snprintf(balance, bsz, "%s", amt->valuestring);
		rc = 0;
	} else
		snprintf(why, whysz, "getTokenAccountBalance: no amount");
	cJSON_Delete(res);
	return rc;
}

/*
 * The facilitator simulates the transaction (/verify); then, with an RPC
 * for the cluster, the debited account's balance is read so the exposure
 * rule can admit several unsettled payments of one wallet.  An RPC that
 * cannot be asked leaves the balance unknown (one at a time).
 */
static int
svm_prove(const struct x402_env *env, const struct x402_check *c, int version,
    const char *payload, const char *reqs, struct x402_proof *pr)
{
	struct settle_config	 sc;
	const char		*net = c->vd.offer->network;
	const char		*url = cfg_rpc_for(env->cfg, net);
	char			 why[200];
	int			 rc;

	svm_settle_config(env, net, &sc);
	rc = x402_scheme_prove_facilitator(&sc.facilitator, version, payload,
	    reqs, pr);
	if (rc == -1 || !pr->settleable || url == NULL ||
	    c->svm.source[0] == '\0' || !rpc_watch_try(net, time(NULL)))
		return rc;
	rc = svm_balance(env, url, c->svm.source, pr->balance,
	    sizeof(pr->balance), why, sizeof(why));
	rpc_watch_note(net, rc == 0, why, time(NULL));
	if (rc == -1)
		pr->balance[0] = '\0';
	return 0;
}

static void
svm_settle_once(const struct settle_config *c, int version,
    const char *payload, const char *reqs, int64_t since, int fresh,
    struct settle_result *r)
{
	(void)since;		/* no chain check: nothing to date */
	(void)fresh;
	settle_facilitator(c, version, payload, reqs, r, NULL);
}

/* The blockhash's expiry is not in the payload: settle.c retries within
   the ledger's window (svm_terms: SVM_WINDOW from the claim). */
static int64_t
svm_settle_until_ms(const char *payload)
{
	(void)payload;
	return 0;
}

const struct x402_scheme svm_scheme = {
	.name = "svm",
	.title = "Solana",
	.max_window = SVM_WINDOW,
	.late_note = SVM_LATE_NOTE,
	.pay_note = NULL,
	.offer_complete = svm_offer_complete,
	.offer_extra = svm_offer_extra,
	.verify = svm_verify,
	.terms = svm_terms,
	.payload = svm_payload,
	.window = svm_window,
	.prove = svm_prove,
	.settle_config = svm_settle_config,
	.settle_once = svm_settle_once,
	.settle_until_ms = svm_settle_until_ms,
};
