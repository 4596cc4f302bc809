/*
 * sf-mcp: the MCP endpoint (PUBLIC_URL/mcp, see mcp(7) and shared/mcp.h),
 * a FastCGI responder on the same worker pool as the endpoint binaries.
 * Every endpoint definition is one tool; a tools/call runs that endpoint's
 * flow in this process, against the same ledger, and this process runs
 * jobs of every endpoint (flow_job.h).
 *
 * Usage: sf-mcp [--socket PATH|:PORT] [--check]   (default: the socket on
 * fd 0, as spawned by lighttpd, spawn-fcgi or a systemd socket unit)
 */
#include <stdio.h>
#include <string.h>

#include "basics/cfg.h"
#include "basics/def.h"
#include "basics/err.h"
#include "flow/flow.h"
#include "ops/log.h"
#include "serve/mcp.h"
#include "ops/metrics.h"
#include "serve/serve.h"

static void
mcp_main_handle(void *arg, const struct msg_req *req, struct msg_resp *resp,
    struct flow_outcome *out)
{
	mcp_handle(arg, req, resp, out);
}

int
main(int argc, char *argv[])
{
	struct serve_app	 app;
	struct mcp_ctx		 ctx;
	struct flow_runner	*runner;
	struct sf_err		 err;
	struct cfg		*cfg;
	const char		*sockpath;
	size_t			 n = 0;
	int			 check, rc;

	serve_signals_block(NULL);
	if (serve_args(argc, argv, &sockpath, &check) == -1)
		return 2;
	sf_err_clear(&err);
	if ((cfg = cfg_load(NULL, &err)) == NULL) {
		fprintf(stderr, "sf-mcp: configuration: %s\n", err.message);
		return 1;
	}
	if (serve_check_cfg(cfg, &err) == -1) {
		fprintf(stderr, "sf-mcp: configuration: %s\n", err.message);
		cfg_free(cfg);
		return 1;
	}
	if (check) {
		while (def_table[n].ep != NULL)
			n++;
		printf("sf-mcp: %s%s, %zu tools, %u-%u workers\n",
		    cfg->public_url, MCP_PATH, n, cfg->workers_min, cfg->workers_max);
		cfg_free(cfg);
		return 0;
	}
	if (mcp_init(&ctx, cfg, &err) == -1) {
		fprintf(stderr, "sf-mcp: %s\n", err.message);
		cfg_free(cfg);
		return 1;
	}
	/* Its own metrics file: tool calls and their payments count once,
	   under endpoint="mcp". */
	if (metrics_open(cfg, "mcp", &err) == -1)
		fprintf(stderr, "sf-mcp: metrics disabled: %s\n", err.message);
	memset(&app, 0, sizeof(app));
	app.name = "mcp";
	app.cfg = cfg;
	/* Room for the JSON-RPC framing and the payment around a body the
	   endpoint itself caps at BODY_MAX (mcp_call). */
	app.body_max = cfg->body_max + 16384;
	app.handle = mcp_main_handle;
	app.arg = &ctx;
	/* A tool whose endpoint runs as a job records it here: runners for
	   every endpoint start it at once (and take over others' jobs). */
	runner = serve_runners(ctx.flows, ctx.nflows, cfg, "sf-mcp");
	rc = serve_run(&app, sockpath);
	flow_runner_stop(runner);
	mcp_fini(&ctx);
	metrics_close();
	log_close();
	cfg_free(cfg);
	return rc;
}
