#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "basics/buf.h"
#include "basics/err.h"
#include "basics/hex.h"
#include "x402/evm/rpc.h"
#include "basics/u256.h"
#include "x402/evm/settle_direct.h"
#include "x402/evm/x402_chain.h"
#include "x402/evm/x402_verify.h"

static int
x402_chain_fail(struct x402_verdict *v, const char *reason, int rc,
    const char *what, const char *detail)
{

	v->valid = 0;
	v->reason = reason;
	snprintf(v->message, sizeof(v->message), "%s%.200s", what, detail);
	return rc;
}

int
x402_chain_state(const struct rpc *rpc, struct x402_verdict *v, char bal[79])
{
	struct sf_err	 err;
	uint8_t		 b[U256_LEN];
	int		 used;

	if (!v->valid || v->offer == NULL || rpc == NULL || rpc->url == NULL ||
	    rpc->url[0] == '\0')
		return 0;
	sf_err_clear(&err);
	/* A used nonce is final; check it before the balance, as upstream. */
	if (rpc_authorization_state(rpc, v->offer->asset, v->auth.from_hex,
	    v->auth.nonce_hex, &used, &err) == -1)
		return x402_chain_fail(v, X402_R_UNEXPECTED, -1,
		    "cannot check authorizationState: ", err.message);
	if (used)
		return x402_chain_fail(v, X402_R_NONCE_USED, 0,
		    "authorization nonce already used or canceled on chain", "");
	if (rpc_balance_of(rpc, v->offer->asset, v->auth.from_hex, bal,
	    &err) == -1)
		return x402_chain_fail(v, X402_R_UNEXPECTED, -1,
		    "cannot check balanceOf: ", err.message);
	if (u256_from_dec(bal, b) == -1)
		return x402_chain_fail(v, X402_R_UNEXPECTED, -1,
		    "balanceOf: unreadable answer ", bal);
	if (u256_cmp(b, v->auth.value) < 0) {
		x402_chain_fail(v, X402_R_BALANCE, 0, "", "");
		snprintf(v->message, sizeof(v->message),
		    "balance %s is below the value %s", bal,
		    v->auth.value_dec);
	}
	return 0;
}

int
x402_chain_check(const struct rpc *rpc, struct x402_verdict *v)
{
	char	 bal[U256_DEC_SIZE];

	return x402_chain_state(rpc, v, bal);
}

/* eth_call the transfer itself: the token's own checks, no gas spent. */
static int
x402_chain_simulate(const struct rpc *rpc, const char *payload,
    struct x402_verdict *v)
{
	struct settle_direct_auth	 a;
	struct sf_err			 err;
	struct buf			 cd;
	char				*hex = NULL, *out = NULL;
	int				 rc;

	sf_err_clear(&err);
	if (settle_direct_parse(payload, &a, &err) == -1)
		return x402_chain_fail(v, X402_R_SIMULATION, 0,
		    "cannot simulate: ", err.message);
	buf_init(&cd);
	if (settle_direct_calldata(&a, &cd) == -1 || cd.oom ||
	    (hex = malloc(2 * cd.len + 3)) == NULL) {
		buf_free(&cd);
		return x402_chain_fail(v, X402_R_UNEXPECTED, -1,
		    "out of memory", "");
	}
	hex_encode((const uint8_t *)cd.p, cd.len, hex);
	buf_free(&cd);
	rc = rpc_eth_call(rpc, v->offer->asset, hex, &out, &err);
	free(hex);
	free(out);
	if (rc == 0)
		return 0;
	/* The node answered with a revert: the transfer would fail.  Any
	   other refusal (a rate limit, a method off) says nothing of it. */
	if (strcmp(err.code, "rpc_error") == 0 &&
	    (strcasestr(err.message, "revert") != NULL ||
	    strcasestr(err.message, "execution error") != NULL))
		return x402_chain_fail(v, X402_R_SIMULATION, 0,
		    "transferWithAuthorization would revert: ", err.message);
	return x402_chain_fail(v, X402_R_UNEXPECTED, -1,
	    "cannot simulate the transfer: ", err.message);
}

int
x402_chain_prove(const struct rpc *rpc, const char *payload,
    struct x402_verdict *v, char balance[79])
{
	balance[0] = '\0';
	if (!v->valid || v->offer == NULL || rpc == NULL || rpc->url == NULL ||
	    rpc->url[0] == '\0')
		return 0;
	if (x402_chain_state(rpc, v, balance) == -1)
		return -1;
	if (!v->valid)
		return 0;
	return x402_chain_simulate(rpc, payload, v);
}
