/*
 * The request flow of one endpoint, one direction (docs/architecture.md):
 * parse -> validate + normalise -> price -> route -> 402 | verify ->
 * ledger -> work -> media -> settle -> respond.  A handler is a function
 * from a parsed request (struct msg_req) to a response (struct msg_resp),
 * with no socket, so a unit test can drive it; it is not pure: a paid
 * request writes the ledger, calls the facilitator, the chain and the
 * provider, and waits (polling a row another request holds, backing off
 * between settlement attempts).  Safe to call from many threads at once
 * on one flow_ctx.
 */
#ifndef SF_FLOW_H
#define SF_FLOW_H

#include <cjson/cJSON.h>

#include "flow/flow_job.h"
#include "flow/webhook.h"
#include "x402/settle.h"

struct cfg;
struct def_endpoint;
struct ledger;
struct sf_err;
struct msg_req;
struct msg_resp;

/*
 * What became of the payment of one request (log line "pay", metrics
 * synthforge_payments_total{result}); flow_pay_name() gives the word.
 */
enum flow_pay {
	FLOW_PAY_NONE = 0,	/* "none": no payment involved (GET, OPTIONS,
				   input refused before any 402) */
	FLOW_PAY_REQUIRED,	/* "required": the 402 asked for one */
	FLOW_PAY_REFUSED,	/* "refused": refused before any work;
				   nothing charged */
	FLOW_PAY_VERIFIED,	/* "verified": claimed (and proven), no
				   answer about money yet (a 409 or 5xx,
				   or a job recorded: 202) */
	FLOW_PAY_SETTLED,	/* "settled": worked and settled */
	FLOW_PAY_SETTLE_FAILED,	/* "settle_failed": settlement refused; the
				   result is kept for a retry */
	FLOW_PAY_SETTLE_UNKNOWN, /* "settle_unknown": settlement unconfirmed */
	FLOW_PAY_WORK_FAILED,	/* "work_failed": the work failed; not
				   charged (unless settled first) */
	FLOW_PAY_REPLAYED,	/* "replayed": the stored result again */
	FLOW_PAY_DEMO,		/* "demo": the free demo */
	FLOW_PAY__N
};

/* The word for an outcome ("settled"); "other" for a value out of range. */
const char	*flow_pay_name(enum flow_pay);

/* What happened to one request, for the log line and the metrics. */
struct flow_outcome {
	int		 status;		/* HTTP status answered */
	enum flow_pay	 pay;
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

/*
 * What a runner hands the paid flow (flow_paid_job, flow_job_run): the
 * leased job, and what the work step polls while it waits (cancellation,
 * a lost lease).  The flow records the upstream reference and the work's
 * start in the job row itself.
 */
struct ledger_job;
struct flow_job_run {
	struct ledger_job	*job;		/* leased by owner */
	const char		*owner;
	int			(*should_stop)(void *arg);
	void			*arg;
	/* Out: the sentence for the job's status when it did not succeed,
	   and what became of the payment (the log line, the metrics). */
	char			 message[512];
	struct flow_outcome	 out;
};

struct flow_runner;

struct flow_ctx {
	const struct cfg		*cfg;
	const struct def_endpoint	*ep;
	struct ledger			*ledger;	/* shared by the threads */
	struct settle_config		 settle;
	char				 lock_path[600];	/* relayer nonce lock */
	long				 rpc_ms;	/* RPC_TIMEOUT_MS */
	/* Jobs (flow_job.h): the settings, and the runner this process
	   kicks when it records one (NULL: none here). */
	struct flow_job_cfg		 jobs;
	struct flow_runner		*runner;
	/* Jobs' webhook deliveries (webhook.h): queued on each change of a
	   job's status, sent by the runners' pump. */
	struct webhook_config		 webhooks;
};

/*
 * Open the ledger and read the settlement settings (SETTLE, FACILITATOR_URL,
 * RPC_URL, RELAYER_KEY_FILE, RELAYER_GAS_MAX, CDP_API_KEY_ID/SECRET) and
 * the proof's RPC_TIMEOUT_MS.  0, or -1 with err.
 */
int	flow_init(struct flow_ctx *, const struct cfg *,
	    const struct def_endpoint *, struct sf_err *);
void	flow_fini(struct flow_ctx *);
/*
 * Can every configured network's payments be proven settleable before
 * any work?  With an RPC for the network (its public default included):
 * on chain.  Without one: through
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

/*
 * The paid POST, after validation (flow_paid.c): the 402, or a payment
 * verified, claimed, proven settleable, worked for and settled, as the
 * steps listed at the top of flow_paid.c.  Always fills resp and out.
 */
struct val_result;
void	flow_paid(const struct flow_ctx *, const struct msg_req *,
	    struct val_result *, struct msg_resp *, struct flow_outcome *);
/*
 * The same for a runner (flow_job.h): req carries the job's stored
 * request and payment, run the leased job; the steps resume from where
 * the payment's row stands, and a refusal fails the job (the payment row
 * goes to work_failed, never dropped).  run NULL: flow_paid.
 */
struct flow_job_run;
void	flow_paid_job(const struct flow_ctx *, const struct msg_req *,
	    struct val_result *, struct msg_resp *, struct flow_outcome *,
	    struct flow_job_run *run);
/* GET ?demo=true of a DEF_EP_DEMO endpoint (flow_demo.c). */
void	flow_demo(const struct flow_ctx *, const struct msg_req *,
	    struct msg_resp *, struct flow_outcome *);

/* The prompt of a demo request that names none. */
#define FLOW_DEMO_PROMPT \
	"A neon-lit cyberpunk city at night, rain reflections"
/* Longest prompt a demo request may carry (characters). */
#define FLOW_DEMO_PROMPT_MAX	300
/* Demo images are this size when the endpoint takes width/height. */
#define FLOW_DEMO_SIZE		512
/* Whether the request's query has the key "demo" (as sent, not decoded). */
int	flow_demo_wanted(const struct msg_req *);
/*
 * The request object of a demo from the query's pairs (msg_req.params:
 * "demo=true&prompt=...&model=..."): demo must be true; prompt (up to
 * FLOW_DEMO_PROMPT_MAX characters, default FLOW_DEMO_PROMPT) and the
 * endpoint's model parameter are the only others taken; width/height, when
 * the endpoint has them, are FLOW_DEMO_SIZE.  Give the result to
 * val_object() (which takes it).  NULL with a 400 naming the field
 * (invalid_query for a pair that is not valid URL encoding,
 * missing_field, invalid_value, duplicate_field, unknown_field, too_long)
 * or 500 out of memory.
 */
cJSON	*flow_demo_request(const struct def_endpoint *, const struct msg_req *,
	    struct sf_err *);
/* Response body from work facts, shaped by the definition's outputs. */
cJSON	*flow_shape(const struct def_endpoint *, const cJSON *facts);

#endif
