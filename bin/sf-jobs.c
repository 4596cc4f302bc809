/*
 * sf-jobs: the job routes (GET /v1/jobs, GET and DELETE /v1/jobs/{id}:
 * flow_jobs.c), a FastCGI responder like the endpoints, free, and a
 * runner for the jobs of every endpoint (flow_runner.c): it takes the
 * jobs whose runner died (an endpoint process killed, a host lost) once
 * their lease lapses, and any job no other process has started.
 *
 * Usage: sf-jobs [--socket PATH|:PORT] [--check]   (default: the socket
 * on fd 0, as spawned by lighttpd, spawn-fcgi or a systemd socket unit)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "basics/cfg.h"
#include "basics/def.h"
#include "basics/err.h"
#include "flow/flow.h"
#include "flow/flow_job.h"
#include "flow/flow_siwx.h"
#include "ops/log.h"
#include "ops/metrics.h"
#include "serve/serve.h"
#include "x402/siwx.h"

struct jobs_main {
	struct flow_ctx		*flows;
	size_t			 n;
	struct flow_jobs_ctx	 routes;
	struct siwx_config	 siwx;
};

static void
jobs_handle(void *arg, const struct msg_req *req, struct msg_resp *resp,
    struct flow_outcome *out)
{
	struct jobs_main	*m = arg;

	flow_jobs_handle(&m->routes, req, resp, out);
	snprintf(out->endpoint, sizeof(out->endpoint), "jobs");
}

/* One flow per endpoint, for its jobs.  0, or -1 (all closed). */
static int
jobs_flows(struct jobs_main *m, const struct cfg *cfg, struct sf_err *err)
{
	const struct def_entry	*e;
	size_t			 n = 0;

	for (e = def_table; e->ep != NULL; e++)
		n++;
	if ((m->flows = calloc(n > 0 ? n : 1, sizeof(*m->flows))) == NULL)
		return sf_err_set(err, 500, "out_of_memory", NULL,
		    "out of memory");
	for (e = def_table; e->ep != NULL; e++) {
		if (flow_init(&m->flows[m->n], cfg, e->ep, err) == -1) {
			flow_fini(&m->flows[m->n]);
			while (m->n > 0)
				flow_fini(&m->flows[--m->n]);
			free(m->flows);
			return -1;
		}
		m->n++;
	}
	return 0;
}

/*
 * Sign-In-With-X for the job routes: its single-use nonces in the ledger
 * (flow_siwx), so a challenge issued here can be answered at any process
 * or host on the same ledger, once.
 */
static int
jobs_siwx(struct jobs_main *m, const struct cfg *cfg, struct sf_err *err)
{
	struct siwx_nonce_store	 store;
	const char		*nets[CFG_MAX_NETS];
	size_t			 i;

	flow_siwx_nonces(&store, m->flows[0].ledger);
	for (i = 0; i < cfg->nnets && i < SIWX_CHAINS_MAX; i++)
		nets[i] = cfg->nets[i].network;
	return siwx_config_init(&m->siwx, cfg->public_url, nets, i, &store,
	    err);
}

int
main(int argc, char *argv[])
{
	struct serve_app	 app;
	struct jobs_main	 m;
	struct flow_runner	*runner;
	struct sf_err		 err;
	struct cfg		*cfg;
	const char		*sockpath;
	int			 check, rc;
	size_t			 i;

	serve_signals_block(NULL);
	if (serve_args(argc, argv, &sockpath, &check) == -1)
		return 2;
	sf_err_clear(&err);
	memset(&m, 0, sizeof(m));
	if ((cfg = cfg_load(NULL, &err)) == NULL) {
		fprintf(stderr, "sf-jobs: configuration: %s\n", err.message);
		return 1;
	}
	if (serve_check_cfg(cfg, &err) == -1) {
		fprintf(stderr, "sf-jobs: configuration: %s\n", err.message);
		cfg_free(cfg);
		return 1;
	}
	if (check) {
		printf("sf-jobs: %s%s\n", cfg->public_url, FLOW_JOBS_PATH);
		cfg_free(cfg);
		return 0;
	}
	if (jobs_flows(&m, cfg, &err) == -1 || jobs_siwx(&m, cfg, &err) == -1 ||
	    flow_jobs_init(&m.routes, cfg, m.flows[0].ledger, &m.siwx, m.flows,
	    m.n, &err) == -1) {
		fprintf(stderr, "sf-jobs: %s\n", err.message);
		for (i = 0; i < m.n; i++)
			flow_fini(&m.flows[i]);
		free(m.flows);
		cfg_free(cfg);
		return 1;
	}
	if (metrics_open(cfg, "jobs", &err) == -1)
		fprintf(stderr, "sf-jobs: metrics disabled: %s\n", err.message);
	memset(&app, 0, sizeof(app));
	app.name = "jobs";
	app.cfg = cfg;
	app.body_max = 4096;	/* the routes take no body */
	app.handle = jobs_handle;
	app.arg = &m;
	runner = serve_runners(m.flows, m.n, cfg, "sf-jobs");
	rc = serve_run(&app, sockpath);
	flow_runner_stop(runner);
	flow_jobs_fini(&m.routes);
	for (i = 0; i < m.n; i++)
		flow_fini(&m.flows[i]);
	free(m.flows);
	metrics_close();
	log_close();
	cfg_free(cfg);
	return rc;
}
