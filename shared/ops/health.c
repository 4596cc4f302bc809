#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "basics/buf.h"
#include "basics/cfg.h"
#include "basics/def.h"
#include "basics/err.h"
#include "x402/facilitator.h"
#include "ops/health.h"
#include "ledger/ledger.h"
#include "ops/metrics.h"
#include "providers/provs.h"
#include "providers/catalog.h"
#include "providers/route.h"
#include "x402/evm/rpc.h"

/* The last settlement-backend probe, shared by the worker threads. */
static pthread_mutex_t	 health_lock = PTHREAD_MUTEX_INITIALIZER;
static time_t		 health_probed;
static int		 health_probe_ok;
static char		 health_probe_what[512];
static char		 health_probe_msg[256];

/*
 * Writable means a claim could be written now: for SQLite, the write lock
 * (a read-only file, a full directory for the WAL or a stuck writer show
 * here); for PostgreSQL, a write rolled back (the server unreachable or
 * read-only shows; the pool reconnects by itself, so the next probe sees
 * it back).  One handle per DB for the process, opened as the endpoints
 * do (creating or upgrading the schema).
 */
static pthread_mutex_t	 health_ledger_lock = PTHREAD_MUTEX_INITIALIZER;
static struct ledger	*health_ledger_h;
static char		 health_ledger_db[1024];

static int
health_ledger(const struct cfg *c, cJSON *o)
{
	struct sf_err	 err;
	const char	*db = cfg_get_or(c, "DB", "var/ledger.db");
	int		 ok = 0;

	sf_err_clear(&err);
	pthread_mutex_lock(&health_ledger_lock);
	if (health_ledger_h != NULL && strcmp(health_ledger_db, db) != 0) {
		ledger_close(health_ledger_h);
		health_ledger_h = NULL;
	}
	if (health_ledger_h == NULL &&
	    (health_ledger_h = ledger_open(db, &err)) != NULL)
		snprintf(health_ledger_db, sizeof(health_ledger_db), "%s", db);
	cJSON_AddStringToObject(o, "backend", ledger_uri_is_pg(db) ?
	    "postgresql" : "sqlite");
	if (health_ledger_h != NULL && ledger_writable(health_ledger_h,
	    &err) == 0)
		ok = 1;
	else {
		cJSON_AddStringToObject(o, "code", err.code[0] ? err.code :
		    "ledger_unavailable");
		cJSON_AddStringToObject(o, "error", err.message);
	}
	pthread_mutex_unlock(&health_ledger_lock);
	cJSON_AddBoolToObject(o, "ok", ok);
	return ok;
}

/*
 * host[:port] of url for a message: no scheme, no user:password@, no path
 * or query (an API key may sit in any of those, never in the host name
 * of a facilitator).
 */
static void
health_url_host(const char *url, char *out, size_t sz)
{
	const char	*h = strstr(url, "://");
	size_t		 n, i;

	h = h != NULL ? h + 3 : url;
	n = strcspn(h, "/?#");
	for (i = n; i > 0; i--)
		if (h[i - 1] == '@') {
			h += i;
			n -= i;
			break;
		}
	snprintf(out, sz, "%.*s", (int)n, h);
}

/* The facilitator's /supported, or eth_chainId for direct settlement. */
static void
health_probe(const struct cfg *c, int direct, int *ok, char *msg,
    size_t msz)
{
	struct facilitator_config	 fc;
	struct rpc			 r;
	struct sf_err			 err;
	char				*json = NULL, host[256];
	uint64_t			 id;

	sf_err_clear(&err);
	*ok = 0;
	if (direct) {
		memset(&r, 0, sizeof(r));
		r.url = cfg_get_or(c, "RPC_URL", "");
		r.connect_ms = 2000;
		r.total_ms = 4000;
		if (*r.url == '\0')
			snprintf(msg, msz, "RPC_URL is not set");
		else if (rpc_chain_id(&r, &id, &err) == -1)
			/* An RPC URL often carries its key in the host or
			   path: the cause only. */
			snprintf(msg, msz, "%.40s: the RPC: %.160s", err.code,
			    err.message);
		else {
			*ok = 1;
			snprintf(msg, msz, "chain id %llu",
			    (unsigned long long)id);
		}
		return;
	}
	memset(&fc, 0, sizeof(fc));
	fc.url = cfg_get_or(c, "FACILITATOR_URL",
	    "https://x402.org/facilitator");
	fc.connect_ms = 2000;
	fc.verify_ms = 4000;
	fc.cdp_key_id = cfg_get(c, "CDP_API_KEY_ID");
	fc.cdp_key_secret = cfg_get(c, "CDP_API_KEY_SECRET");
	if (facilitator_supported(&fc, &json, &err) == -1) {
		health_url_host(fc.url, host, sizeof(host));
		snprintf(msg, msz, "%.40s: facilitator %.60s: %.120s", err.code, host,
		    err.message);
	}
	else {
		*ok = 1;
		snprintf(msg, msz, "supported answered");
	}
	free(json);
}

/* HEALTH_CACHE_SECONDS. */
static long
health_ttl(const struct cfg *c)
{
	long	 ttl = strtol(cfg_get_or(c, "HEALTH_CACHE_SECONDS", "30"), NULL,
		    10);

	return ttl < 0 ? HEALTH_CACHE_DEFAULT : ttl;
}

static int
health_settlement(const struct cfg *c, cJSON *o)
{
	const char	*mode = cfg_get_or(c, "SETTLE", "facilitator");
	const char	*what;
	long		 ttl;
	time_t		 now = time(NULL);
	int		 ok, direct = strcmp(mode, "direct") == 0;

	/* The URL may embed an API key: say which backend, not where. */
	what = direct ? "rpc" : "facilitator";
	ttl = health_ttl(c);
	pthread_mutex_lock(&health_lock);
	if (health_probed == 0 || now - health_probed >= ttl ||
	    strcmp(health_probe_what, what) != 0) {
		/* Probe outside the lock would race two probes; a probe is
		   short (4 s cap) and rare (once per TTL). */
		health_probe(c, direct, &health_probe_ok, health_probe_msg,
		    sizeof(health_probe_msg));
		health_probed = now;
		snprintf(health_probe_what, sizeof(health_probe_what), "%s",
		    what);
	}
	ok = health_probe_ok;
	cJSON_AddStringToObject(o, "mode", direct ? "direct" : "facilitator");
	cJSON_AddBoolToObject(o, "ok", ok);
	cJSON_AddStringToObject(o, "detail", health_probe_msg);
	cJSON_AddNumberToObject(o, "age_seconds", (double)(now -
	    health_probed));
	pthread_mutex_unlock(&health_lock);
	return ok;
}

/*
 * The chain reads of each network (cfg_net.rpc_url, configured or its
 * public default), probed as the settlement backend is, cached for
 * HEALTH_CACHE_SECONDS: EVM eth_chainId (and the chain it names), Solana
 * getHealth, within RPC_TIMEOUT_MS.  A network whose RPC does not answer
 * runs degraded (payments proven by the facilitator's /verify, one
 * unsettled payment per wallet): named in "degraded", not a failure.
 */
struct health_chain {
	char	 network[48];
	time_t	 probed;
	int	 ok;
	char	 detail[256];
};
static pthread_mutex_t		health_chain_lock = PTHREAD_MUTEX_INITIALIZER;
static struct health_chain	health_chains[CFG_MAX_NETS];

static void
health_chain_probe(const struct cfg *c, const struct cfg_net *n,
    struct health_chain *h)
{
	struct rpc	 r;
	struct sf_err	 err;
	cJSON		*res = NULL;
	uint64_t	 id = 0;
	int		 rc;

	memset(&r, 0, sizeof(r));
	r.url = n->rpc_url;
	r.connect_ms = c->rpc_timeout_ms;
	r.total_ms = c->rpc_timeout_ms;
	sf_err_clear(&err);
	rc = n->svm ? rpc_call(&r, "getHealth", NULL, &res, &err) :
	    rpc_chain_id(&r, &id, &err);
	h->ok = 0;
	if (rc == -1)		/* never the URL: it may hold a key */
		snprintf(h->detail, sizeof(h->detail), "%.40s: %.180s",
		    err.code, err.message);
	else if (!n->svm && id != n->chain_id)
		snprintf(h->detail, sizeof(h->detail), "the RPC is chain %llu, "
		    "not %llu", (unsigned long long)id, n->chain_id);
	else {
		h->ok = 1;
		snprintf(h->detail, sizeof(h->detail), "answers");
	}
	cJSON_Delete(res);
}

/* One network's entry; 1 when it runs degraded. */
static int
health_chain(const struct cfg *c, const struct cfg_net *n, size_t i,
    long ttl, cJSON *o)
{
	struct health_chain	*h = &health_chains[i];
	char			 host[256];
	time_t			 now = time(NULL);

	cJSON_AddStringToObject(o, "rpc", cfg_rpc_src_name(n->rpc_src));
	if (n->rpc_url[0] == '\0') {
		cJSON_AddStringToObject(o, "proof", "the facilitator's /verify, "
		    "one unsettled payment per wallet (no RPC)");
		return 0;
	}
	/* A public default has no key in it: where it goes may be said. */
	if (n->rpc_src == CFG_RPC_DEFAULT) {
		health_url_host(n->rpc_url, host, sizeof(host));
		cJSON_AddStringToObject(o, "host", host);
	}
	if (strcmp(h->network, n->network) != 0 || h->probed == 0 ||
	    now - h->probed >= ttl) {
		health_chain_probe(c, n, h);
		snprintf(h->network, sizeof(h->network), "%s", n->network);
		h->probed = now;
	}
	cJSON_AddBoolToObject(o, "ok", h->ok);
	cJSON_AddStringToObject(o, "proof", h->ok ? "on chain (balance, "
	    "nonce, a simulated transfer)" : "degraded: the facilitator's "
	    "/verify, one unsettled payment per wallet, until the RPC answers");
	cJSON_AddStringToObject(o, "detail", h->detail);
	cJSON_AddNumberToObject(o, "age_seconds", (double)(now - h->probed));
	return !h->ok;
}

static void
health_chains_check(const struct cfg *c, long ttl, cJSON *checks, cJSON *top)
{
	cJSON	*o, *nets, *deg;
	size_t	 i;

	o = cJSON_AddObjectToObject(checks, "chains");
	nets = cJSON_AddObjectToObject(o, "networks");
	deg = cJSON_AddArrayToObject(top, "degraded");
	pthread_mutex_lock(&health_chain_lock);
	for (i = 0; i < c->nnets && i < CFG_MAX_NETS; i++)
		if (health_chain(c, &c->nets[i], i, ttl,
		    cJSON_AddObjectToObject(nets, c->nets[i].network)))
			cJSON_AddItemToArray(deg,
			    cJSON_CreateString(c->nets[i].network));
	pthread_mutex_unlock(&health_chain_lock);
	/* Degraded is not down: payments are still taken, one at a time. */
	cJSON_AddBoolToObject(o, "ok", 1);
}

/* Routes: at least one must be sellable for the service to be up. */
static int
health_providers(const struct cfg *c, cJSON *o)
{
	const struct def_entry	*e;
	const struct def_model	*m;
	const struct prov_info	*p;
	const char		*k;
	struct route		 rt;
	struct sf_err		 err;
	cJSON			*conf, *refused;
	char			 id[192];
	unsigned		 live = 0, offline = 0, nrefused = 0;

	conf = cJSON_AddArrayToObject(o, "configured");
	for (p = provs_table; p->name != NULL; p++)
		if (p->key != NULL && (k = cfg_get(c, p->key)) != NULL &&
		    *k != '\0')
			cJSON_AddItemToArray(conf, cJSON_CreateString(p->name));
	refused = cJSON_AddArrayToObject(o, "unavailable");
	for (e = def_table; e->ep != NULL; e++)
		for (m = e->ep->models; m != NULL && m->id != NULL; m++) {
			sf_err_clear(&err);
			if (route_resolve(c, e->ep, m, &rt, &err) == -1) {
				nrefused++;
				if (cJSON_GetArraySize(refused) < 32) {
					snprintf(id, sizeof(id), "%s/%s",
					    e->ep->name, m->id);
					cJSON_AddItemToArray(refused,
					    cJSON_CreateString(id));
				}
			} else if (rt.offline)
				offline++;
			else
				live++;
		}
	cJSON_AddNumberToObject(o, "routes_live", live);
	cJSON_AddNumberToObject(o, "routes_offline", offline);
	cJSON_AddNumberToObject(o, "routes_unavailable", nrefused);
	cJSON_AddBoolToObject(o, "ok", live + offline > 0);
	return live + offline > 0;
}

/*
 * Informational: the last `synthforge-ctl check --online` model check
 * (providers/catalog.h) -- routes whose upstream model is gone.  Not a
 * failure of the service: the other routes still sell.
 */
static void
health_models(const struct cfg *c, cJSON *checks)
{
	cJSON	*last, *o;
	char	*s;

	o = cJSON_AddObjectToObject(checks, "models");
	if ((s = catalog_last(c)) == NULL || (last = cJSON_Parse(s)) == NULL) {
		free(s);
		cJSON_AddStringToObject(o, "detail", "never checked; run "
		    "synthforge-ctl check --online");
		return;
	}
	free(s);
	cJSON_DeleteItemFromObjectCaseSensitive(checks, "models");
	cJSON_AddItemToObject(checks, "models", last);
	cJSON_AddBoolToObject(last, "ok", cJSON_GetArraySize(
	    cJSON_GetObjectItemCaseSensitive(last, "missing")) == 0);
}

static void
health_proc_cb(void *arg, const char *endpoint, unsigned n)
{
	cJSON_AddNumberToObject((cJSON *)arg, endpoint, n);
}

int
health_check(const struct cfg *c, struct buf *out)
{
	cJSON		*j, *checks, *procs;
	char		 dir[PATH_MAX], *s;
	int		 ok = 1;

	if ((j = cJSON_CreateObject()) == NULL)
		goto oom;
	checks = cJSON_AddObjectToObject(j, "checks");
	cJSON_AddBoolToObject(cJSON_AddObjectToObject(checks, "process"), "ok",
	    1);
	ok &= health_ledger(c, cJSON_AddObjectToObject(checks, "ledger"));
	ok &= health_settlement(c, cJSON_AddObjectToObject(checks,
	    "settlement"));
	ok &= health_providers(c, cJSON_AddObjectToObject(checks,
	    "providers"));
	health_chains_check(c, health_ttl(c), checks, j);
	health_models(c, checks);
	/* Informational: a process may not have started yet. */
	procs = cJSON_AddObjectToObject(j, "processes");
	(void)metrics_processes(metrics_dir(c, dir, sizeof(dir)),
	    health_proc_cb, procs);
	cJSON_AddItemToObject(j, "mainnet", cJSON_CreateBool(c->any_mainnet));
	cJSON_AddStringToObject(j, "status", ok ? "ok" : "fail");
	if ((s = cJSON_PrintUnformatted(j)) == NULL) {
		cJSON_Delete(j);
		goto oom;
	}
	buf_puts(out, s);
	buf_puts(out, "\n");
	cJSON_free(s);
	cJSON_Delete(j);
	return ok ? 200 : 503;
oom:
	buf_puts(out, "{\"status\":\"fail\",\"error\":\"out of memory\"}\n");
	return 503;
}

int
health_check_cfg(const struct cfg *c, struct sf_err *err)
{
	return cfg_check_uint(c, "HEALTH_CACHE_SECONDS", 0, 86400, err);
}
