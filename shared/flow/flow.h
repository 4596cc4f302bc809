/*
 * The request flow of one endpoint, one direction (DESIGN.md):
 * parse -> validate + normalise -> price -> route -> 402 | verify ->
 * ledger -> work -> media -> settle -> respond.  A pure function of the
 * request, the configuration and the definition.
 */
#ifndef SF_FLOW_H
#define SF_FLOW_H

#include <cjson/cJSON.h>

#include "x402/settle.h"

struct cfg;
struct def_endpoint;
struct ledger;
struct sf_err;
struct msg_req;
struct msg_resp;

/* What happened to one request, for the log line and the metrics. */
struct flow_outcome {
	int		 status;		/* HTTP status answered */
	const char	*pay;			/* "none", "required", "refused",
						   "verified", "settled",
						   "settle_failed", "replayed" */
	char		 reason[96];		/* refusal/failure code, "" if none */
	char		 payer[48];	/* 0x hex or base58 */
	char		 amount[24];		/* atomic USDC of this request */
	char		 network[48];
	char		 tx[96];		/* settlement transaction (or signature) */
	char		 upstream_id[128];	/* provider request id */
	char		 provider[32];
	long long	 upstream_ms;		/* time in the provider, -1 = none */
	/* Name for the log line when not the process's own ("" = that):
	   sf-mcp serves every endpoint from one process. */
	char		 endpoint[64];
};

struct flow_ctx {
	const struct cfg		*cfg;
	const struct def_endpoint	*ep;
	struct ledger			*ledger;	/* shared by the threads */
	struct settle_config		 settle;
	char				 lock_path[600];	/* relayer nonce lock */
	long				 rpc_ms;
};

/*
 * Open the ledger and read the settlement settings (SETTLE, FACILITATOR_URL,
 * RPC_URL, RELAYER_KEY_FILE, CDP_API_KEY_ID/SECRET).  0, or -1 with err.
 */
int	flow_init(struct flow_ctx *, const struct cfg *,
	    const struct def_endpoint *, struct sf_err *);
void	flow_fini(struct flow_ctx *);
/*
 * Can every configured network's payments be proven settleable before
 * any work?  With an RPC for the network: on chain.  Without one: through
 * the facilitator's /verify, which the default x402.org facilitator offers
 * for testnets only.  0 yes; -1 with err (field RPC_URL) saying which
 * network and what to set.  flow_init refuses to start on -1;
 * synthforge-ctl check prints it.
 */
int	flow_can_prove(const struct cfg *, struct sf_err *);
/*
 * The keys the request flow reads, checked at start-up (flow_init and
 * serve's --check): SETTLE (facilitator|direct); with direct, RPC_URL and
 * a readable RELAYER_KEY_FILE; SETTLE_FIRST names known endpoints (or
 * all); CDP_API_KEY_ID and CDP_API_KEY_SECRET together (flow_can_prove
 * is separate: synthforge-ctl check reports it its own way).  0, or -1
 * with err naming the key.
 */
int	flow_check_cfg(const struct cfg *, struct sf_err *);

/* Always fills resp (errors become JSON error responses); out may be NULL. */
void	flow_handle(const struct flow_ctx *, const struct msg_req *,
	    struct msg_resp *, struct flow_outcome *out);

/* The paid POST, after validation (flow_paid.c). */
struct val_result;
void	flow_paid(const struct flow_ctx *, const struct msg_req *,
	    struct val_result *, struct msg_resp *, struct flow_outcome *);
/* GET ?demo=true of a DEF_EP_DEMO endpoint (flow_demo.c). */
void	flow_demo(const struct flow_ctx *, const struct msg_req *,
	    struct msg_resp *, struct flow_outcome *);
/* Response body from work facts, shaped by the definition's outputs. */
cJSON	*flow_shape(const struct def_endpoint *, const cJSON *facts);

#endif
