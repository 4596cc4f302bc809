#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cjson/cJSON.h>

#include "basics/err.h"
#include "basics/hex.h"
#include "basics/u256.h"
#include "x402/evm/rpc.h"
#include "x402/settle.h"

int
settle_mode_parse(const char *s, enum settle_mode *m)
{
	if (s == NULL || strcmp(s, "facilitator") == 0)
		*m = SETTLE_MODE_FACILITATOR;
	else if (strcmp(s, "direct") == 0)
		*m = SETTLE_MODE_DIRECT;
	else
		return -1;
	return 0;
}

const char *
settle_outcome_name(enum settle_outcome o)
{
	switch (o) {
	case SETTLE_OK:
		return "ok";
	case SETTLE_FAILED:
		return "failed";
	default:
		return "unknown";
	}
}

/* Truncating copy (snprintf "%s" trips -Wformat-truncation at -O2). */
static void
settle_copy(char *dst, size_t sz, const char *src)
{
	size_t	 n = src ? strlen(src) : 0;

	if (n >= sz)
		n = sz - 1;
	if (n > 0)
		memcpy(dst, src, n);
	dst[n] = '\0';
}

/* asset, payTo and network from our requirements. */
static int
settle_reqs(const char *json, char asset[43], char pay_to[43], char *network,
    size_t nsz)
{
	cJSON		*root, *a, *n, *t;
	uint8_t		 addr[20];
	int		 ret = -1;

	if ((root = cJSON_Parse(json)) == NULL)
		return -1;
	a = cJSON_GetObjectItemCaseSensitive(root, "asset");
	n = cJSON_GetObjectItemCaseSensitive(root, "network");
	t = cJSON_GetObjectItemCaseSensitive(root, "payTo");
	if (cJSON_IsString(n))
		settle_copy(network, nsz, n->valuestring);
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

/* Does a reason say the authorization nonce is already spent? */
static int
settle_nonce_used(const char *reason, const char *msg)
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
settle_ours(const struct rpc *rpc, int found, const char *tx, int64_t since,
    struct settle_result *r)
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
	settle_copy(r->reason, sizeof(r->reason),
	    "invalid_exact_evm_nonce_already_used");
	snprintf(r->message, sizeof(r->message), "%s", "the authorization "
	    "was used on chain before this server accepted it");
	r->tx[0] = '\0';
	return 0;
}

/* The authorization as the chain knows it. */
struct settle_key {
	char		asset[43], from[43], nonce[67], pay_to[43];
	uint8_t		value[32];
};

/*
 * The nonce is used: find the AuthorizationUsed log; its transaction must
 * carry Transfer(from, payTo, value), else the payer spent or cancelled
 * the nonce elsewhere (FAILED, final).  Given since, the transfer must
 * also be mined after we accepted the payment (settle_ours).  Without
 * since, a failed log search lets "used" alone count as settled.
 */
static void
settle_reconcile_used(const struct settle_config *c, const struct rpc *rpc,
    const struct settle_key *k, int64_t since, struct settle_result *r)
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
	    (found = settle_ours(rpc, found, tx, since, r)) != 1)
		return;
	if (found == 0) {
		r->outcome = SETTLE_FAILED;
		settle_copy(r->reason, sizeof(r->reason),
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
		settle_copy(r->tx, sizeof(r->tx), tx);
}

/*
 * Ask the chain: authorizationState(from, nonce).  Unused -> FAILED and
 * retryable.  Used -> settle_reconcile_used.  No answer -> unchanged.
 */
static void
settle_reconcile(const struct settle_config *c, const char *rpc_url,
    const char *payload, const char *reqs, int64_t since,
    struct settle_result *r)
{
	struct settle_direct_auth	 a;
	struct settle_key		 k;
	struct sf_err			 err;
	struct rpc			 rpc;
	char				 net[48];
	int				 used;

	if (settle_direct_parse(payload, &a, &err) == -1 ||
	    settle_reqs(reqs, k.asset, k.pay_to, net, sizeof(net)) == -1)
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
		settle_reconcile_used(c, &rpc, &k, since, r);
		return;
	}
	/* Nothing moved: safe to try again while validBefore holds. */
	r->outcome = SETTLE_FAILED;
	r->retryable = 1;
	if (settle_nonce_used(r->reason, r->message))
		settle_copy(r->reason, sizeof(r->reason), "settle_failed");
	snprintf(r->message, sizeof(r->message), "%s",
	    "authorization not used on chain");
}

/* Our own relayer transaction; returns the chain to reconcile on. */
static const char *
settle_via_direct(const struct settle_config *c, const char *payload,
    const char *reqs, struct settle_result *r)
{
	struct settle_direct_result	 dr;

	settle_direct(&c->direct, payload, reqs, &dr);
	r->outcome = dr.outcome == SETTLE_DIRECT_OK ? SETTLE_OK :
	    dr.outcome == SETTLE_DIRECT_FAILED ? SETTLE_FAILED : SETTLE_UNKNOWN;
	r->retryable = dr.retryable;
	settle_copy(r->tx, sizeof(r->tx), dr.tx);
	settle_copy(r->reason, sizeof(r->reason), dr.reason);
	settle_copy(r->message, sizeof(r->message), dr.message);
	return c->direct.rpc_url;
}

/* POST /settle; returns the chain to reconcile on (NULL: none). */
static const char *
settle_via_facilitator(const struct settle_config *c, int version,
    const char *payload, const char *reqs, struct settle_result *r)
{
	struct facilitator_result	 fr;

	facilitator_settle(&c->facilitator, version, payload, reqs, &fr);
	r->outcome = fr.outcome == FACILITATOR_OK ? SETTLE_OK :
	    fr.outcome == FACILITATOR_FAILED ? SETTLE_FAILED : SETTLE_UNKNOWN;
	/* A definite "no" from the facilitator can be retried. */
	r->retryable = fr.outcome == FACILITATOR_FAILED &&
	    !settle_nonce_used(fr.reason, fr.message);
	settle_copy(r->tx, sizeof(r->tx), fr.transaction);
	settle_copy(r->reason, sizeof(r->reason), fr.reason);
	settle_copy(r->message, sizeof(r->message), fr.message);
	if (fr.network[0] != '\0')
		settle_copy(r->network, sizeof(r->network), fr.network);
	if (fr.payer[0] != '\0')
		settle_copy(r->payer, sizeof(r->payer), fr.payer);
	return c->rpc_url != NULL && *c->rpc_url != '\0' ? c->rpc_url :
	    c->direct.rpc_url;
}

static enum settle_outcome
settle_once(const struct settle_config *c, int version, const char *payload,
    const char *reqs, int64_t since, int fresh, struct settle_result *r)
{
	struct settle_direct_auth	 a;
	struct sf_err			 err;
	const char			*rpc_url;
	char				 asset[43], pay_to[43];

	memset(r, 0, sizeof(*r));
	if (settle_direct_parse(payload, &a, &err) == 0)
		hex_encode(a.from, 20, r->payer);
	settle_reqs(reqs, asset, pay_to, r->network, sizeof(r->network));
	rpc_url = c->mode == SETTLE_MODE_DIRECT ?
	    settle_via_direct(c, payload, reqs, r) :
	    settle_via_facilitator(c, version, payload, reqs, r);
	/*
	 * Unknown, or "nonce already used" (maybe by our own earlier attempt
	 * whose answer was lost): let the chain decide.
	 */
	if (rpc_url != NULL && *rpc_url != '\0' &&
	    (r->outcome == SETTLE_UNKNOWN || (r->outcome == SETTLE_FAILED &&
	    !fresh && settle_nonce_used(r->reason, r->message))))
		settle_reconcile(c, rpc_url, payload, reqs, since, r);
	else if (fresh && r->outcome == SETTLE_FAILED &&
	    settle_nonce_used(r->reason, r->message))
		r->retryable = 0;	/* spent elsewhere: final */
	return r->outcome;
}

enum settle_outcome
settle_payment(const struct settle_config *c, int version,
    const char *payload, const char *reqs, struct settle_result *r)
{
	struct settle_opts	 o = { 0, 0, 0 };

	return settle_payment_opts(c, version, payload, reqs, &o, r);
}

int
settle_transient(const struct settle_result *r)
{
	static const char *const transient[] = {
		"unexpected_settle_error", "settlement_pending",
		"invalid_exact_evm_transaction_failed", "transaction_failed",
		"facilitator_unreachable", "facilitator_bad_response",
		"rpc_unreachable", "http_timeout", "http_transport",
		"settle_exact_svm_transaction_confirmation_timed_out",
	};
	size_t	 i;

	if (r->outcome == SETTLE_UNKNOWN)
		return 1;
	if (r->outcome != SETTLE_FAILED)
		return 0;
	for (i = 0; i < sizeof(transient) / sizeof(transient[0]); i++)
		if (strcmp(r->reason, transient[i]) == 0)
			return 1;
	return 0;
}

static int64_t
settle_now_ms(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* validBefore in unix ms (INT64_MAX when huge, 0 when unreadable). */
static int64_t
settle_valid_before_ms(const char *payload)
{
	struct settle_direct_auth	 a;
	struct sf_err			 err;
	char				 dec[U256_DEC_SIZE], *end;
	unsigned long long		 v;

	if (settle_direct_parse(payload, &a, &err) == -1)
		return 0;
	u256_to_dec(a.valid_before, dec);
	v = strtoull(dec, &end, 10);
	if (*end != '\0' || v > INT64_MAX / 1000)
		return INT64_MAX;
	return (int64_t)v * 1000;
}

enum settle_outcome
settle_payment_opts(const struct settle_config *c, int version,
    const char *payload, const char *reqs, const struct settle_opts *o,
    struct settle_result *r)
{
	int64_t		 end, vb, delay = 500;
	int		 n;

	end = settle_now_ms() + (o->budget_ms > 0 ? o->budget_ms : 0);
	/* The token refuses within a block time of validBefore (§6.1 #7). */
	vb = settle_valid_before_ms(payload) - 6000;
	for (n = 1;; n++) {
		settle_once(c, version, payload, reqs, o->since,
		    n == 1 && o->fresh, r);
		r->attempts = n;
		if (!settle_transient(r) || settle_now_ms() + delay > end ||
		    settle_now_ms() + delay > vb)
			break;
		nanosleep(&(struct timespec){ delay / 1000,
		    (delay % 1000) * 1000000 }, NULL);
		delay = delay * 2 > 8000 ? 8000 : delay * 2;
	}
	return r->outcome;
}
