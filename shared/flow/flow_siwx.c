/*
 * Sign-In-With-X nonces on the ledger (flow_siwx.h).
 */
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>

#include "basics/err.h"
#include "basics/now.h"
#include "flow/flow_siwx.h"
#include "ledger/ledger_siwx.h"
#include "x402/siwx.h"

static atomic_uint	flow_siwx_issued;

static int
flow_siwx_issue(void *ctx, const char *nonce, int64_t expires_ms)
{
	struct ledger	*l = ctx;
	struct sf_err	 err;
	int		 rc;

	sf_err_clear(&err);
	if (atomic_fetch_add(&flow_siwx_issued, 1) % FLOW_SIWX_PRUNE_EVERY ==
	    0 && ledger_siwx_nonce_prune(l, now_wall_ms(), &err) == -1)
		fprintf(stderr, "sign-in-with-x: pruning expired nonces: %s\n",
		    err.message);
	if ((rc = ledger_siwx_nonce_issue(l, nonce, expires_ms, &err)) == 1)
		return 0;
	if (rc == 0)
		fprintf(stderr, "sign-in-with-x: nonce issued twice\n");
	else
		fprintf(stderr, "sign-in-with-x: nonce not stored: %s\n",
		    err.message);
	return -1;
}

static int
flow_siwx_consume(void *ctx, const char *nonce, int64_t now_ms)
{
	struct sf_err	 err;
	int		 rc;

	sf_err_clear(&err);
	if ((rc = ledger_siwx_nonce_consume(ctx, nonce, now_ms, &err)) == -1)
		fprintf(stderr, "sign-in-with-x: nonce store: %s\n",
		    err.message);
	return rc;
}

void
flow_siwx_nonces(struct siwx_nonce_store *s, struct ledger *l)
{
	s->ctx = l;
	s->issue = flow_siwx_issue;
	s->consume = flow_siwx_consume;
}
