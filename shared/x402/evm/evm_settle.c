#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cjson/cJSON.h>

#include "basics/err.h"
#include "basics/hex.h"
#include "basics/str.h"
#include "basics/u256.h"
#include "x402/evm/evm_settle.h"
#include "x402/evm/rpc.h"
#include "x402/evm/settle_direct.h"
#include "x402/facilitator.h"
#include "x402/settle.h"

/* asset and payTo from our requirements. */
static int
evm_settle_reqs(const char *json, char asset[43], char pay_to[43])
{
	cJSON		*root, *a, *t;
	uint8_t		 addr[20];
	int		 ret = -1;

	if ((root = cJSON_Parse(json)) == NULL)
		return -1;
	a = cJSON_GetObjectItemCaseSensitive(root, "asset");
	t = cJSON_GetObjectItemCaseSensitive(root, "payTo");
	if (cJSON_IsString(a) && hex_decode_fixed(a->valuestring, addr,
	    20) == 0) {
		hex_encode(addr, 20, asset);
		if (cJSON_IsString(t) && hex_decode_fixed(t->valuestring,
		    addr, 20) == 0) {
			hex_encode(addr, 20, pay_to);
			ret = 0;
		}
	}
	cJSON_Delete(root);
	return ret;
}

int
evm_settle_nonce_used(const char *reason, const char *msg)
{
	return strstr(reason, "nonce_already_used") != NULL ||
	    strstr(msg, "authorization is used") != NULL;
}

/*
 * A transfer to payTo for this authorization exists (found 1: tx known;
 * -1: the log search failed).  Ours only if mined at or after since, when
 * we had proven the nonce unused and accepted the payment: one mined
 * before was another sale (another host, a fresh ledger) and must not
 * become a second delivery.  1 ours; 0 not ours (r set FAILED); -1 cannot
 * tell (r left UNKNOWN).
 */
static int
evm_settle_ours(const struct rpc *rpc, int found, const char *tx,
    int64_t since, struct settle_result *r)
{
	struct sf_err	 err;
	uint64_t	 ts;

	if (found != 1 || rpc_tx_block_time(rpc, tx, &ts, &err) == -1) {
		r->outcome = SETTLE_UNKNOWN;
		snprintf(r->message, sizeof(r->message), "%s", "the nonce is "
		    "used on chain but the transfer could not be dated");
		return -1;
	}
	if ((int64_t)ts >= since)
		return 1;
	r->outcome = SETTLE_FAILED;
	r->retryable = 0;
	str_copy(r->reason, sizeof(r->reason),
	    "invalid_exact_evm_nonce_already_used");
	snprintf(r->message, sizeof(r->message), "%s", "the authorization "
	    "was used on chain before this server accepted it");
	r->tx[0] = '\0';
	return 0;
}

/* The authorization as the chain knows it. */
struct evm_settle_key {
	char		asset[43], from[43], nonce[67], pay_to[43];
	uint8_t		value[32];
};

/*
 * The nonce is used: find the AuthorizationUsed log; its transaction must
 * carry Transfer(from, payTo, value), else the payer spent or cancelled
 * the nonce elsewhere (FAILED, final).  Given since, the transfer must
 * also be mined after we accepted the payment (evm_settle_ours).  Without
 * since, a failed log search lets "used" alone count as settled.
 */
static void
evm_settle_reconcile_used(const struct settle_config *c, const struct rpc *rpc,
    const struct evm_settle_key *k, int64_t since, struct settle_result *r)
{
	struct sf_err	 err;
	char		 tx[67];
	uint64_t	 latest, win;
	int		 found = -1;

	r->retryable = 0;
	/* validBefore bounds the window in which the transfer can have run. */
	win = c->log_blocks ? c->log_blocks : 5000;
	if (rpc_block_number(rpc, &latest, &err) == 0)
		found = rpc_find_authorization_tx(rpc, k->asset, k->from,
		    k->nonce, latest > win ? latest - win : 0, tx, &err);
	if (found == 1)
		found = rpc_tx_has_transfer(rpc, tx, k->asset, k->from,
		    k->pay_to, k->value, &err) == 1 ? 1 : 0;
	if (since > 0 && found != 0 &&
	    (found = evm_settle_ours(rpc, found, tx, since, r)) != 1)
		return;
	if (found == 0) {
		r->outcome = SETTLE_FAILED;
		str_copy(r->reason, sizeof(r->reason),
		    "invalid_exact_evm_nonce_already_used");
		snprintf(r->message, sizeof(r->message), "%s",
		    "authorization used or cancelled without paying us");
		r->tx[0] = '\0';
		return;
	}
	r->outcome = SETTLE_OK;
	r->reason[0] = '\0';
	snprintf(r->message, sizeof(r->message), "%s",
	    "settled (confirmed on chain)");
	if (found == 1)
		str_copy(r->tx, sizeof(r->tx), tx);
}

/*
 * Ask the chain: authorizationState(from, nonce).  Unused -> FAILED and
 * retryable.  Used -> evm_settle_reconcile_used.  No answer -> unchanged.
 */
static void
evm_settle_reconcile(const struct settle_config *c, const char *rpc_url,
    const char *payload, const char *reqs, int64_t since,
    struct settle_result *r)
{
	struct settle_direct_auth	 a;
	struct evm_settle_key		 k;
	struct sf_err			 err;
	struct rpc			 rpc;
	int				 used;

	if (settle_direct_parse_auth(payload, &a, &err) == -1 ||
	    evm_settle_reqs(reqs, k.asset, k.pay_to) == -1)
		return;
	hex_encode(a.from, 20, k.from);
	hex_encode(a.nonce, 32, k.nonce);
	memcpy(k.value, a.value, 32);
	memset(&rpc, 0, sizeof(rpc));
	rpc.url = rpc_url;
	rpc.total_ms = c->rpc_ms > 0 ? c->rpc_ms : 10000;
	if (rpc_authorization_state(&rpc, k.asset, k.from, k.nonce, &used,
	    &err) == -1) {
		snprintf(r->message, sizeof(r->message),
		    "chain check failed: %.200s", err.message);
		return;
	}
	r->chain_checked = 1;
	if (used) {
		evm_settle_reconcile_used(c, &rpc, &k, since, r);
		return;
	}
	/* Nothing moved: safe to try again while validBefore holds. */
	r->outcome = SETTLE_FAILED;
	r->retryable = 1;
	if (evm_settle_nonce_used(r->reason, r->message))
		str_copy(r->reason, sizeof(r->reason), "settle_failed");
	snprintf(r->message, sizeof(r->message), "%s",
	    "authorization not used on chain");
}

/* Our own relayer transaction; returns the chain to reconcile on. */
static const char *
evm_settle_direct(const struct settle_config *c, const char *payload,
    const char *reqs, struct settle_result *r)
{
	struct settle_direct_result	 dr;

	settle_direct(&c->direct, payload, reqs, &dr);
	r->outcome = dr.outcome == SETTLE_DIRECT_OK ? SETTLE_OK :
	    dr.outcome == SETTLE_DIRECT_FAILED ? SETTLE_FAILED : SETTLE_UNKNOWN;
	r->retryable = dr.retryable;
	str_copy(r->tx, sizeof(r->tx), dr.tx);
	str_copy(r->reason, sizeof(r->reason), dr.reason);
	str_copy(r->message, sizeof(r->message), dr.message);
	return c->direct.rpc_url;
}

/* POST /settle; returns the chain to reconcile on (NULL: none). */
static const char *
evm_settle_facilitator(const struct settle_config *c, int version,
    const char *payload, const char *reqs, struct settle_result *r)
{
	struct facilitator_result	 fr;

	settle_facilitator(c, version, payload, reqs, r, &fr);
	/* A definite "no" can be retried, unless the nonce is spent. */
	if (r->retryable && evm_settle_nonce_used(fr.reason, fr.message))
		r->retryable = 0;
	return c->rpc_url != NULL && *c->rpc_url != '\0' ? c->rpc_url :
	    c->direct.rpc_url;
}

void
evm_settle_once(const struct settle_config *c, int version,
    const char *payload, const char *reqs, int64_t since, int fresh,
    struct settle_result *r)
{
	struct settle_direct_auth	 a;
	struct sf_err			 err;
	const char			*rpc_url;

	if (settle_direct_parse_auth(payload, &a, &err) == 0)
		hex_encode(a.from, 20, r->payer);
	rpc_url = c->mode == SETTLE_MODE_DIRECT ?
	    evm_settle_direct(c, payload, reqs, r) :
	    evm_settle_facilitator(c, version, payload, reqs, r);
	/*
	 * Unknown, or "nonce already used" (maybe by our own earlier attempt
	 * whose answer was lost): let the chain decide.
	 */
	if (rpc_url != NULL && *rpc_url != '\0' &&
	    (r->outcome == SETTLE_UNKNOWN || (r->outcome == SETTLE_FAILED &&
	    !fresh && evm_settle_nonce_used(r->reason, r->message))))
		evm_settle_reconcile(c, rpc_url, payload, reqs, since, r);
	else if (fresh && r->outcome == SETTLE_FAILED &&
	    evm_settle_nonce_used(r->reason, r->message))
		r->retryable = 0;	/* spent elsewhere: final */
	r->spent = r->outcome == SETTLE_FAILED &&
	    evm_settle_nonce_used(r->reason, r->message);
}

int64_t
evm_settle_until_ms(const char *payload)
{
	struct settle_direct_auth	 a;
	struct sf_err			 err;
	char				 dec[U256_DEC_SIZE], *end;
	unsigned long long		 v;

	if (settle_direct_parse_auth(payload, &a, &err) == -1)
		return 0;
	u256_to_dec(a.valid_before, dec);
	v = strtoull(dec, &end, 10);
	if (*end != '\0' || v > INT64_MAX / 1000)
		return INT64_MAX;
	return (int64_t)v * 1000;
}
