/*
 * The free demo of a DEF_EP_DEMO endpoint: GET <path>?demo=true.  The
 * request comes from the query (demo_request: prompt and model only, a
 * small fixed size), is validated like any other, admitted by the
 * cross-process budget (demo_admit: 429 + Retry-After over the limit),
 * and served offline unless a paid-upstream unit was granted and the
 * model's route is real.  Nothing is paid, so nothing touches the ledger.
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
	out->pay = "demo";
	if ((obj = demo_request(ctx->ep, req->query, &err)) == NULL ||
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
