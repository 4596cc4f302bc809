/*
 * The request flow of one endpoint, one direction (DESIGN.md):
 * parse -> validate + normalise -> price -> route -> 402 | verify ->
 * ledger -> work -> media -> settle -> respond.  A pure function of the
 * request, the configuration and the definition.
 */
#ifndef SF_FLOW_H
#define SF_FLOW_H

struct cfg;
struct def_endpoint;
struct msg_req;
struct msg_resp;

struct flow_ctx {
	const struct cfg		*cfg;
	const struct def_endpoint	*ep;
};

/* Always fills resp (errors become JSON error responses). */
void	flow_handle(const struct flow_ctx *, const struct msg_req *,
	    struct msg_resp *);

#endif
