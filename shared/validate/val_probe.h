/*
 * Discovery probes.  The x402 Bazaar and the indexers that follow it
 * list an endpoint by POSTing "{}" or no body at all and reading the 402
 * (coinbase/x402 issues 2112, 2691): an endpoint that answers 400 is not
 * listed.  Such a request, without a payment, is answered with the 402 of
 * the endpoint's default request (the default tier's model, defaults
 * filled); the bazaar extension of that 402 describes the real input.
 * With a payment it is validated like any other body (400, no charge).
 * What counts as a probe (no body, blanks, or "{}" with blanks around or
 * inside, whatever the Content-Type: a body-less POST often has none) is
 * decided by the one parse of the body (val_json.h, val_body in val.h).
 */
#ifndef SF_VAL_PROBE_H
#define SF_VAL_PROBE_H

#include <stddef.h>

struct def_endpoint;
struct sf_err;
struct val_result;

/*
 * The default request of ep, priced: res->req holds the defaults the
 * default model takes (required fields stay absent), res->model,
 * res->tier, res->price and res->amount as val_request fills them.
 * 0, or -1 with err (500 out_of_memory, 503 when ep names no model).
 */
int	val_probe(const struct def_endpoint *, struct val_result *,
	    struct sf_err *);

#endif
