/*
 * The MCP endpoint (Streamable HTTP, JSON responses only): every endpoint
 * definition is one tool, and tools/call runs that endpoint's own flow in
 * process, so validation, the 402 offers, verification, the ledger, the
 * work and settlement are exactly those of the HTTP path (x402 over MCP:
 * the payment in params._meta["x402/payment"], the settlement in
 * result._meta["x402/payment-response"]).
 *
 * An endpoint that runs as a job (flow_job.h) answers its tool call at
 * once with the job (its id, status and status link) as a successful
 * result; the free tools get_job and cancel_job, given the status link
 * (or the job id and its token), read and cancel it as the job routes
 * do, bound to whoever holds the link: the payer.
 *
 * Stateless, as mcp(7) promises: initialize answers without a session id,
 * every request stands alone, GET (no SSE stream) and DELETE answer 405.
 * Like flow_handle, mcp_handle is a pure function of the request, the
 * configuration and the definitions; sf-mcp puts it behind FastCGI.
 */
#ifndef SF_MCP_H
#define SF_MCP_H

#include <stddef.h>

#include "flow/flow_job.h"

/* Where the web server routes it; the generated pages say the same. */
#define MCP_PATH		"/mcp"
/* What initialize answers when the client asks for a version we lack. */
#define MCP_PROTOCOL_LATEST	"2025-11-25"

struct cfg;
struct flow_ctx;
struct flow_outcome;
struct msg_req;
struct msg_resp;
struct sf_err;

struct mcp_ctx {
	const struct cfg	*cfg;
	struct flow_ctx		*flows;		/* one per def_table entry */
	size_t			 nflows;
	/* get_job and cancel_job: the job routes, by status link. */
	struct flow_jobs_ctx	 jobs;
	/* PUBLIC_URL as an origin ("https://host[:port]"), always allowed. */
	char			 origin[520];
	/* MCP_ORIGINS: more allowed Origin values, comma-separated, "*" =
	   any; NULL = only ours (and requests without Origin). */
	const char		*origins;
};

/*
 * One flow context per endpoint definition (each opens the ledger).
 * 0, or -1 with err and nothing left open.
 */
int	mcp_init(struct mcp_ctx *, const struct cfg *, struct sf_err *);
void	mcp_fini(struct mcp_ctx *);

/*
 * One HTTP request to MCP_PATH.  Always fills resp.  out (may be NULL) is
 * the flow's outcome for tools/call, so the log line and the metrics see
 * the payment; out->endpoint is then "mcp/<tool>".
 */
void	mcp_handle(const struct mcp_ctx *, const struct msg_req *,
	    struct msg_resp *, struct flow_outcome *out);

#endif
