/*
 * The start-up check of every key read after cfg_load: each module checks
 * its own (<module>_check_cfg), this calls them all, so an endpoint, sf-mcp,
 * sf-ops, `--check` (etc/run.sh) and `synthforge-ctl check` refuse the same
 * configurations, naming the key, before any request is taken.
 */
#include "basics/cfg.h"
#include "basics/clientaddr.h"
#include "basics/def.h"
#include "basics/err.h"
#include "flow/flow.h"
#include "flow/webhook.h"
#include "ledger/demo.h"
#include "media/media.h"
#include "ops/health.h"
#include "ops/log.h"
#include "ops/metrics.h"
#include "providers/prov.h"
#include "providers/route.h"
#include "serve/serve.h"
#include "x402/evm/x402_wallet_cfg.h"

int
serve_check_keys(const struct cfg *c, struct sf_err *err)
{
	if (flow_check_cfg(c, err) == -1 ||
	    webhook_check_cfg(c, err) == -1 ||
	    media_check_cfg(c, err) == -1 ||
	    prov_check_cfg(c, err) == -1 ||
	    route_check_cfg(c, def_table, err) == -1 ||
	    demo_check_cfg(c, err) == -1 ||
	    health_check_cfg(c, err) == -1 ||
	    log_check_cfg(c, err) == -1 ||
	    metrics_check_cfg(c, err) == -1 ||
	    x402_wallet_check_cfg(c, err) == -1 ||
	    clientaddr_check(cfg_get(c, "TRUSTED_PROXIES"), err) == -1)
		return -1;
	return 0;
}

int
serve_check_cfg(const struct cfg *c, struct sf_err *err)
{
	if (serve_check_keys(c, err) == -1)
		return -1;
	return flow_can_prove(c, err);
}
