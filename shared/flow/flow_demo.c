/*
 * The free demo of a DEF_EP_DEMO endpoint: GET <path>?demo=true.  The
 * request comes from the query's pairs, which serve decoded once
 * (flow_demo_request: prompt and model only, a small fixed size), is
 * validated like any other, admitted by the cross-process budget
 * (demo_admit, given the client's address and the time: 429 +
 * Retry-After over the limit), and served offline unless a paid-upstream
 * unit was granted and the model's route is real.  Nothing is paid, so
 * nothing touches the payment ledger.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "basics/def.h"
#include "ledger/demo.h"
#include "basics/err.h"
#include "flow/flow.h"
#include "basics/msg.h"
#include "providers/route.h"
#include "validate/val.h"
#include "providers/work.h"

void
flow_demo(const struct flow_ctx *ctx, const struct msg_req *req,
    struct msg_resp *resp, struct flow_outcome *out)
{
	struct sf_err		 err;
	struct val_result	 vr;
	struct work_job		 job;
	struct route		 rt;
	cJSON			*obj, *facts = NULL, *body = NULL;
	const char		*src;
	char			 ra[16];
	unsigned		 wait = 0;
	int			 paid_ok = 0;

	sf_err_clear(&err);
	memset(&vr, 0, sizeof(vr));
	out->pay = FLOW_PAY_DEMO;
	if ((obj = flow_demo_request(ctx->ep, req, &err)) == NULL ||
	    val_object(ctx->ep, obj, &vr, &err) == -1)
		goto fail;
	if (demo_admit(ctx->cfg, req->remote_addr, time(NULL), &paid_ok,
	    &wait, &err) == -1) {
		msg_resp_error(resp, &err);
		if (wait > 0) {
			snprintf(ra, sizeof(ra), "%u", wait);
			msg_resp_header(resp, "Retry-After", ra);
		}
		snprintf(out->reason, sizeof(out->reason), "%s", err.code);
		val_result_free(&vr);
		return;
	}
	memset(&job, 0, sizeof(job));
	job.ep = ctx->ep;
	job.model = vr.model;
	job.tier = vr.tier;
	job.req = vr.req;
	job.cfg = ctx->cfg;
	/* A granted unit is only spent on a real, configured route. */
	job.force_offline = !paid_ok ||
	    route_resolve(ctx->cfg, ctx->ep, vr.model, &rt, NULL) == -1 ||
	    rt.offline;
	if (work_run(&job, &facts, &err) == -1)
		goto fail;
	src = cJSON_GetStringValue(cJSON_GetObjectItem(facts, "source"));
	snprintf(out->provider, sizeof(out->provider), "%s", src ? src : "");
	if (cJSON_AddStringToObject(facts, "price", "$0.00") == NULL ||
	    (body = flow_shape(ctx->ep, facts)) == NULL ||
	    demo_annotate(ctx->cfg, body, src != NULL &&
	    strcmp(src, "offline") == 0) == -1 ||
	    msg_resp_json(resp, 200, body) == -1) {
		sf_err_set(&err, 500, "out_of_memory", NULL, "out of memory");
		goto fail;
	}
	goto done;
fail:
	msg_resp_error(resp, &err);
	snprintf(out->reason, sizeof(out->reason), "%s", err.code);
done:
	cJSON_Delete(body);
	cJSON_Delete(facts);
	val_result_free(&vr);
}

/* ---- the demo request, from the query's pairs ---------------------------- */

int
flow_demo_wanted(const struct msg_req *req)
{
	size_t	 i;

	/* The key as sent: the demo is asked for by name. */
	for (i = 0; i < req->nparams; i++)
		if (req->params[i].raw_key_len == 4 &&
		    memcmp(req->params[i].raw_key, "demo", 4) == 0)
			return 1;
	return 0;
}

static size_t
flow_demo_chars(const char *s)
{
	size_t	 n = 0;

	for (; *s != '\0'; s++)
		if (((unsigned char)*s & 0xc0) != 0x80)
			n++;
	return n;
}

/* One pair of the query into obj; -1 with err set. */
static int
flow_demo_pair(const struct def_endpoint *ep, cJSON *obj,
    const struct msg_param *p, int *demo, struct sf_err *err)
{
	const char	*k = p->key, *v = p->value;

	if (k == NULL || v == NULL)
		return sf_err_set(err, 400, "invalid_query", k,
		    "the query string is not valid URL encoding");
	if (strcmp(k, "demo") == 0) {
		if (*demo)
			return sf_err_set(err, 400, "duplicate_field", "demo",
			    "field \"demo\" appears more than once");
		if (strcmp(v, "true") != 0 && strcmp(v, "1") != 0)
			return sf_err_set(err, 400, "invalid_value", "demo",
			    "demo must be true");
		*demo = 1;
		return 0;
	}
	if (strcmp(k, "prompt") != 0 && (ep->model_param == NULL ||
	    strcmp(k, ep->model_param) != 0))
		return sf_err_set(err, 400, "unknown_field", k, "the demo takes "
		    "only demo, prompt%s%s; POST with an x402 payment for "
		    "\"%.32s\"", ep->model_param ? " and " : "",
		    ep->model_param ? ep->model_param : "", k);
	if (cJSON_GetObjectItemCaseSensitive(obj, k) != NULL)
		return sf_err_set(err, 400, "duplicate_field", k,
		    "field \"%s\" appears more than once", k);
	if (strcmp(k, "prompt") == 0 &&
	    flow_demo_chars(v) > FLOW_DEMO_PROMPT_MAX)
		return sf_err_set(err, 400, "too_long", "prompt", "a demo "
		    "prompt is limited to %d characters", FLOW_DEMO_PROMPT_MAX);
	if (cJSON_AddStringToObject(obj, k, v) == NULL)
		return sf_err_set(err, 500, "out_of_memory", NULL,
		    "out of memory");
	return 0;
}

cJSON *
flow_demo_request(const struct def_endpoint *ep, const struct msg_req *req,
    struct sf_err *err)
{
	static const char *const sizes[] = { "width", "height", NULL };
	const struct def_param	*p;
	cJSON			*obj;
	size_t			 i;
	int			 demo = 0;

	if ((obj = cJSON_CreateObject()) == NULL) {
		sf_err_set(err, 500, "out_of_memory", NULL, "out of memory");
		return NULL;
	}
	for (i = 0; i < req->nparams; i++)
		if (flow_demo_pair(ep, obj, &req->params[i], &demo, err) == -1)
			goto fail;
	if (!demo) {
		sf_err_set(err, 400, "missing_field", "demo",
		    "add demo=true to the query for the free demo");
		goto fail;
	}
	if (cJSON_GetObjectItemCaseSensitive(obj, "prompt") == NULL &&
	    def_find_param(ep, "prompt") != NULL &&
	    cJSON_AddStringToObject(obj, "prompt", FLOW_DEMO_PROMPT) == NULL)
		goto oom;
	/* A fixed, small size bounds the demo's cost whatever the route. */
	for (i = 0; sizes[i] != NULL; i++)
		if ((p = def_find_param(ep, sizes[i])) != NULL &&
		    p->models == NULL && (!p->has_range ||
		    (FLOW_DEMO_SIZE >= p->min && FLOW_DEMO_SIZE <= p->max)) &&
		    cJSON_AddNumberToObject(obj, sizes[i],
		    FLOW_DEMO_SIZE) == NULL)
			goto oom;
	return obj;
oom:
	sf_err_set(err, 500, "out_of_memory", NULL, "out of memory");
fail:
	cJSON_Delete(obj);
	return NULL;
}
