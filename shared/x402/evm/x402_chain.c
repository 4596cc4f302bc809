#include <stdio.h>
#include <string.h>

#include "basics/err.h"
#include "x402/evm/rpc.h"
#include "basics/u256.h"
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
x402_chain_check(const struct rpc *rpc, struct x402_verdict *v)
{
	struct sf_err	 err;
	char		 bal[U256_DEC_SIZE];
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
