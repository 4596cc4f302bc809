#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "basics/b58.h"
#include "basics/cfg.h"
#include "basics/err.h"
#include "basics/net.h"

#define CFG_DEFAULT_PATH	"etc/synthforge.conf"

/* Provider credentials and endpoints keep their usual environment names. */
static int
cfg_plain_env_ok(const char *key)
{
	size_t	 n = strlen(key);

	if (strcmp(key, "FAL_KEY") == 0)
		return 1;
	if (n > 8 && strcmp(key + n - 8, "_API_KEY") == 0)
		return 1;
	if (n > 10 && strcmp(key + n - 10, "_API_TOKEN") == 0)
		return 1;
	if (n > 9 && strcmp(key + n - 9, "_BASE_URL") == 0)
		return 1;
	return 0;
}

const char *
cfg_get(const struct cfg *c, const char *key)
{
	char		 env[160];
	const char	*v;
	size_t		 i, n = strlen(key);

	/* Called several times per request: no snprintf (str.h). */
	if (n + sizeof("SYNTHFORGE_") > sizeof(env))
		n = sizeof(env) - sizeof("SYNTHFORGE_");
	memcpy(env, "SYNTHFORGE_", sizeof("SYNTHFORGE_") - 1);
	memcpy(env + sizeof("SYNTHFORGE_") - 1, key, n);
	env[sizeof("SYNTHFORGE_") - 1 + n] = '\0';
	if ((v = getenv(env)) != NULL)
		return v;
	if (cfg_plain_env_ok(key) && (v = getenv(key)) != NULL)
		return v;
	if (c != NULL)
		for (i = c->n; i > 0; i--)	/* last one wins */
			if (strcmp(c->keys[i - 1], key) == 0)
				return c->vals[i - 1];
	return NULL;
}

const char *
cfg_get_or(const struct cfg *c, const char *key, const char *def)
{
	const char	*v = cfg_get(c, key);

	return (v != NULL && *v != '\0') ? v : def;
}

void
cfg_free(struct cfg *c)
{
	size_t	 i;

	if (c == NULL)
		return;
	for (i = 0; i < c->n; i++) {
		free(c->keys[i]);
		free(c->vals[i]);
	}
	free(c->keys);
	free(c->vals);
	free(c->path);
	free(c);
}

static char *
cfg_trim(char *s)
{
	char	*e;

	while (isspace((unsigned char)*s))
		s++;
	e = s + strlen(s);
	while (e > s && isspace((unsigned char)e[-1]))
		*--e = '\0';
	return s;
}

static int
cfg_read(struct cfg *c, const char *path, struct sf_err *err)
{
	FILE	*f;
	char	*line = NULL, *k, *v, *eq, **nk, **nv;
	size_t	 cap = 0, lineno = 0;
	ssize_t	 len;
	int	 rc = 0;

	if ((f = fopen(path, "r")) == NULL)
		return sf_err_set(err, 500, "config_unreadable", NULL,
		    "cannot open configuration %s: %s", path, strerror(errno));
	while ((len = getline(&line, &cap, f)) != -1) {
		lineno++;
		k = cfg_trim(line);
		if (*k == '\0' || *k == '#')
			continue;
		if ((eq = strchr(k, '=')) == NULL) {
			rc = sf_err_set(err, 500, "config_syntax", NULL,
			    "%s:%zu: expected KEY=value", path, lineno);
			break;
		}
		*eq = '\0';
		k = cfg_trim(k);
		v = cfg_trim(eq + 1);
		/* Allow "quoted values" so a value may keep spaces at its ends. */
		if (strlen(v) >= 2 && v[0] == '"' && v[strlen(v) - 1] == '"') {
			v[strlen(v) - 1] = '\0';
			v++;
		}
		if (*k == '\0' || strspn(k, "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
		    "0123456789_") != strlen(k)) {
			rc = sf_err_set(err, 500, "config_syntax", k,
			    "%s:%zu: key \"%s\" must be upper-case letters, "
			    "digits and _", path, lineno, k);
			break;
		}
		nk = realloc(c->keys, (c->n + 1) * sizeof(*nk));
		if (nk != NULL)
			c->keys = nk;
		nv = realloc(c->vals, (c->n + 1) * sizeof(*nv));
		if (nv != NULL)
			c->vals = nv;
		if (nk == NULL || nv == NULL ||
		    (c->keys[c->n] = strdup(k)) == NULL) {
			rc = sf_err_set(err, 500, "out_of_memory", NULL,
			    "out of memory reading %s", path);
			break;
		}
		if ((c->vals[c->n] = strdup(v)) == NULL) {
			free(c->keys[c->n]);
			rc = sf_err_set(err, 500, "out_of_memory", NULL,
			    "out of memory reading %s", path);
			break;
		}
		c->n++;
	}
	if (rc == 0 && ferror(f))
		rc = sf_err_set(err, 500, "config_unreadable", NULL,
		    "error reading %s", path);
	free(line);
	fclose(f);
	return rc;
}

static int
cfg_uint(const struct cfg *c, const char *key, unsigned long long def,
    unsigned long long lo, unsigned long long hi, unsigned long long *out,
    struct sf_err *err)
{
	const char		*v = cfg_get(c, key);
	char			*end;
	unsigned long long	 n;

	if (v == NULL || *v == '\0') {
		*out = def;
		return 0;
	}
	errno = 0;
	n = strtoull(v, &end, 10);
	if (!isdigit((unsigned char)*v) || errno != 0 || *end != '\0' ||
	    n < lo || n > hi)
		return sf_err_set(err, 500, "config_invalid", key,
		    "%s=\"%s\" is invalid: expected a whole number from %llu "
		    "to %llu", key, v, lo, hi);
	*out = n;
	return 0;
}

static int
cfg_is_address(const char *s)
{
	size_t	 i;

	if (strlen(s) != 42 || s[0] != '0' || (s[1] != 'x' && s[1] != 'X'))
		return 0;
	for (i = 2; i < 42; i++)
		if (!isxdigit((unsigned char)s[i]))
			return 0;
	return 1;
}

/* An absolute http(s) URL: the scheme and a host at least. */
static int
cfg_is_http_url(const char *v)
{
	const char	*h;

	if (strncmp(v, "http://", 7) == 0)
		h = v + 7;
	else if (strncmp(v, "https://", 8) == 0)
		h = v + 8;
	else
		return 0;
	return *h != '\0' && strchr("/?#", *h) == NULL;
}

/* Per-network key: KEY_<v1 name upper, - as _> or KEY_<chain id>, else KEY. */
static const char *
cfg_net_get(const struct cfg *c, const char *key, const struct cfg_net *n,
    int only)
{
	char		 k[128];
	const char	*v;
	size_t		 i;

	if (n->network_v1[0] != '\0') {
		snprintf(k, sizeof(k), "%s_%s", key, n->network_v1);
		for (i = strlen(key) + 1; k[i] != '\0'; i++)
			k[i] = k[i] == '-' ? '_' : (char)toupper((unsigned char)k[i]);
		if ((v = cfg_get(c, k)) != NULL && *v != '\0')
			return v;
	}
	snprintf(k, sizeof(k), "%s_%llu", key, n->chain_id);
	if (!n->svm && (v = cfg_get(c, k)) != NULL && *v != '\0')
		return v;
	/* The plain key is meant for a single-network setup. */
	if (only && (v = cfg_get(c, key)) != NULL && *v != '\0')
		return v;
	return NULL;
}

/*
 * Whether a per-network key is given at all, "" included (an empty value
 * turns a default off): KEY_<v1 name>, KEY_<chain id> (EVM), then KEY
 * when only is set; the first one given wins.  1 with *v, or 0.
 */
static int
cfg_net_given(const struct cfg *c, const char *key, const struct cfg_net *n,
    int only, const char **v)
{
	char	 k[128];
	size_t	 i;

	if (n->network_v1[0] != '\0') {
		snprintf(k, sizeof(k), "%s_%s", key, n->network_v1);
		for (i = strlen(key) + 1; k[i] != '\0'; i++)
			k[i] = k[i] == '-' ? '_' : (char)toupper((unsigned char)k[i]);
		if ((*v = cfg_get(c, k)) != NULL)
			return 1;
	}
	snprintf(k, sizeof(k), "%s_%llu", key, n->chain_id);
	if (!n->svm && (*v = cfg_get(c, k)) != NULL)
		return 1;
	return only && (*v = cfg_get(c, key)) != NULL;
}

/*
 * The network's public endpoint: RPC_DEFAULTS "" or "on" the built-in one
 * (net.h), "off" none, or a list of network=url items that replace the
 * built-in endpoint of those networks (the tests point one at a local
 * chain).  The whole list is checked on every call.  0, or -1 with err.
 */
static int
cfg_rpc_default(const struct cfg *c, struct cfg_net *n, const char *builtin,
    struct sf_err *err)
{
	const char	*list = cfg_get_or(c, "RPC_DEFAULTS", "on"), *p;
	const char	*use = builtin;
	char		 item[640], caip[48], *eq, *name, *url;
	struct net_info	 ni;
	size_t		 len;

	n->rpc_src = CFG_RPC_OFF;
	if (strcmp(list, "off") == 0)
		return 0;
	for (p = strcmp(list, "on") == 0 ? "" : list; *p != '\0'; p += len) {
		p += strspn(p, ", ");
		if ((len = strcspn(p, ", ")) == 0)
			break;
		snprintf(item, sizeof(item), "%.*s", (int)len, p);
		name = item;
		if ((eq = strchr(item, '=')) == NULL || len >= sizeof(item))
			return sf_err_set(err, 500, "config_invalid",
			    "RPC_DEFAULTS", "RPC_DEFAULTS: \"%.80s\" is not "
			    "network=url (or set on or off)", item);
		*eq = '\0';
		url = eq + 1;
		if (net_lookup(name, &ni) == -1)
			return sf_err_set(err, 500, "config_invalid",
			    "RPC_DEFAULTS", "RPC_DEFAULTS: unknown network "
			    "\"%.48s\"", name);
		if (!cfg_is_http_url(url) || strlen(url) >= sizeof(n->rpc_url))
			return sf_err_set(err, 500, "config_invalid",
			    "RPC_DEFAULTS", "RPC_DEFAULTS: the URL for %.48s "
			    "must be an http(s) URL", name);
		net_caip2(&ni, caip, sizeof(caip));
		if (strcmp(caip, n->network) == 0)
			use = p + (url - item);
	}
	if (use == NULL) {
		n->rpc_src = CFG_RPC_NONE;
		return 0;
	}
	len = use == builtin ? strlen(use) : strcspn(use, ", ");
	snprintf(n->rpc_url, sizeof(n->rpc_url), "%.*s", (int)len, use);
	n->rpc_src = CFG_RPC_DEFAULT;
	return 0;
}

/*
 * The chain reads of one network (cfg.h, struct cfg_net rpc_url): its
 * RPC_URL* key (only: the plain one too), else its public endpoint.
 */
static int
cfg_net_rpc(const struct cfg *c, struct cfg_net *n, int only,
    const char *builtin, struct sf_err *err)
{
	const char	*v;

	n->rpc_url[0] = '\0';
	if (!cfg_net_given(c, "RPC_URL", n, only, &v))
		return cfg_rpc_default(c, n, builtin, err);
	n->rpc_src = CFG_RPC_OFF;
	if (*v == '\0')
		return 0;
	if (!cfg_is_http_url(v) || strlen(v) >= sizeof(n->rpc_url))
		return sf_err_set(err, 500, "config_invalid", "RPC_URL",
		    "the RPC URL for %s must be an http(s) URL (or empty: "
		    "none)", n->network);
	snprintf(n->rpc_url, sizeof(n->rpc_url), "%s", v);
	n->rpc_src = CFG_RPC_SET;
	return 0;
}

/* An optional per-network http(s) URL into dst. */
static int
cfg_net_url(const struct cfg *c, const char *key, const struct cfg_net *n,
    char *dst, size_t sz, struct sf_err *err)
{
	const char	*v = cfg_net_get(c, key, n, 0);

	if (v == NULL)
		return 0;
	if (!cfg_is_http_url(v) || strlen(v) >= sz)
		return sf_err_set(err, 500, "config_invalid", key,
		    "%s for %s: \"%s\" must be an http(s) URL", key,
		    n->network, v);
	snprintf(dst, sz, "%s", v);
	return 0;
}

/*
 * A Solana network: PAY_TO_<NET> (base58, required), ASSET_<NET> (base58
 * mint, default Circle USDC), FACILITATOR_URL_<NET>, RPC_URL_<NET>.  Only
 * the per-network keys count: the plain ones are EVM addresses.
 */
static int
cfg_svm_net(struct cfg *c, struct cfg_net *n, const char *builtin,
    struct sf_err *err)
{
	const char	*v;

	if ((v = cfg_net_get(c, "ASSET", n, 0)) != NULL) {
		if (!b58_is_address(v))
			return sf_err_set(err, 500, "config_invalid", "ASSET",
			    "ASSET for %s: \"%s\" is not a base58 address",
			    n->network, v);
		snprintf(n->asset, sizeof(n->asset), "%s", v);
	}
	if ((v = cfg_net_get(c, "PAY_TO", n, 0)) == NULL)
		return sf_err_set(err, 500, "config_missing", "PAY_TO",
		    "%s needs PAY_TO_%s (a base58 Solana address)", n->network,
		    strcmp(n->network_v1, "solana") == 0 ? "SOLANA" :
		    "SOLANA_DEVNET");
	if (!b58_is_address(v))
		return sf_err_set(err, 500, "config_invalid", "PAY_TO",
		    "PAY_TO for %s: \"%s\" is not a base58 address",
		    n->network, v);
	snprintf(n->pay_to, sizeof(n->pay_to), "%s", v);
	if (cfg_net_url(c, "FACILITATOR_URL", n, n->facilitator_url,
	    sizeof(n->facilitator_url), err) == -1 ||
	    cfg_net_rpc(c, n, 0, builtin, err) == -1 ||
	    cfg_net_url(c, "PAGES_RPC_URL", n, n->pages_rpc_url,
	    sizeof(n->pages_rpc_url), err) == -1)
		return -1;
	if (n->pages_rpc_url[0] == '\0')
		snprintf(n->pages_rpc_url, sizeof(n->pages_rpc_url), "%s",
		    n->mainnet ? "https://api.mainnet-beta.solana.com" :
		    "https://api.devnet.solana.com");
	if (n->mainnet)
		c->any_mainnet_svm = 1;
	return 0;
}

static int
cfg_networks(struct cfg *c, struct sf_err *err)
{
	const char	*list = cfg_get_or(c, "NETWORKS", "base-sepolia");
	char		 tmp[512], *tok, *save = NULL;
	struct net_info	 ni;
	struct cfg_net	*n;
	const char	*v, *rpc[CFG_MAX_NETS];
	size_t		 i, j;

	if (strlen(list) >= sizeof(tmp))
		return sf_err_set(err, 500, "config_invalid", "NETWORKS",
		    "NETWORKS is too long");
	snprintf(tmp, sizeof(tmp), "%s", list);
	for (tok = strtok_r(tmp, ", ", &save); tok != NULL;
	    tok = strtok_r(NULL, ", ", &save)) {
		if (c->nnets == CFG_MAX_NETS)
			return sf_err_set(err, 500, "config_invalid",
			    "NETWORKS", "NETWORKS lists more than %d networks",
			    CFG_MAX_NETS);
		if (net_lookup(tok, &ni) == -1)
			return sf_err_set(err, 500, "config_invalid",
			    "NETWORKS", "NETWORKS: unknown network \"%s\" "
			    "(use a name like base-sepolia or a CAIP-2 id like "
			    "eip155:84532)", tok);
		n = &c->nets[c->nnets];
		memset(n, 0, sizeof(*n));
		net_caip2(&ni, n->network, sizeof(n->network));
		for (j = 0; j < c->nnets; j++)
			if (strcmp(c->nets[j].network, n->network) == 0)
				return sf_err_set(err, 500, "config_invalid",
				    "NETWORKS", "NETWORKS lists %s twice", tok);
		snprintf(n->network_v1, sizeof(n->network_v1), "%s",
		    ni.v1name ? ni.v1name : "");
		n->chain_id = ni.chain_id;
		n->svm = ni.family == NET_SVM;
		n->decimals = ni.decimals;
		/* Chains we do not know are treated as real money. */
		n->mainnet = ni.v1name == NULL && ni.usdc == NULL ? 1 : ni.mainnet;
		snprintf(n->asset, sizeof(n->asset), "%s", ni.usdc ? ni.usdc : "");
		snprintf(n->asset_name, sizeof(n->asset_name), "%s",
		    ni.usdc_name ? ni.usdc_name : "");
		snprintf(n->asset_version, sizeof(n->asset_version), "%s",
		    ni.usdc_version ? ni.usdc_version : "");
		rpc[c->nnets] = ni.rpc;
		c->nnets++;
	}
	if (c->nnets == 0)
		return sf_err_set(err, 500, "config_invalid", "NETWORKS",
		    "NETWORKS is empty");
	for (i = 0; i < c->nnets; i++) {
		n = &c->nets[i];
		if (n->svm) {
			if (cfg_svm_net(c, n, rpc[i], err) == -1)
				return -1;
			continue;
		}
		if ((v = cfg_net_get(c, "ASSET", n, c->nnets == 1)) != NULL) {
			if (!cfg_is_address(v))
				return sf_err_set(err, 500, "config_invalid",
				    "ASSET", "ASSET for %s: \"%s\" is not a "
				    "0x-prefixed 20-byte address", n->network, v);
			snprintf(n->asset, sizeof(n->asset), "%s", v);
		}
		if ((v = cfg_net_get(c, "ASSET_NAME", n, c->nnets == 1)) != NULL) {
			if (strlen(v) >= sizeof(n->asset_name))
				return sf_err_set(err, 500, "config_invalid",
				    "ASSET_NAME", "ASSET_NAME is too long");
			snprintf(n->asset_name, sizeof(n->asset_name), "%s", v);
		}
		if ((v = cfg_net_get(c, "ASSET_VERSION", n, c->nnets == 1)) != NULL) {
			if (strlen(v) >= sizeof(n->asset_version))
				return sf_err_set(err, 500, "config_invalid",
				    "ASSET_VERSION", "ASSET_VERSION is too long");
			snprintf(n->asset_version, sizeof(n->asset_version),
			    "%s", v);
		}
		if (n->asset[0] == '\0')
			return sf_err_set(err, 500, "config_invalid", "ASSET",
			    "no default asset is known for %s: set ASSET_%llu",
			    n->network, n->chain_id);
		if (n->asset_name[0] == '\0' || n->asset_version[0] == '\0')
			return sf_err_set(err, 500, "config_invalid",
			    n->asset_name[0] == '\0' ? "ASSET_NAME" :
			    "ASSET_VERSION", "the EIP-712 domain of the asset on "
			    "%s is unknown: set ASSET_NAME_%llu and "
			    "ASSET_VERSION_%llu", n->network, n->chain_id,
			    n->chain_id);
		if (cfg_net_rpc(c, n, c->nnets == 1, rpc[i], err) == -1)
			return -1;
		c->any_evm = 1;
		if (n->mainnet)
			c->any_mainnet = 1;
	}
	return 0;
}

/* The money-path keys (docs/money-path.md). */
static int
cfg_money_path(struct cfg *c, struct sf_err *err)
{
	unsigned long long	 u;
	const char		*v;

	if (cfg_uint(c, "SETTLE_MARGIN", 60, 0, 1800, &u, err) == -1)
		return -1;
	c->settle_margin = (unsigned)u;
	if (cfg_uint(c, "SETTLE_RETRY", 60, 0, 1800, &u, err) == -1)
		return -1;
	c->settle_retry = (unsigned)u;
	if (cfg_uint(c, "MAX_INFLIGHT_PER_PAYER", 4, 1, 1000, &u, err) == -1)
		return -1;
	c->max_inflight = (unsigned)u;
	if (cfg_uint(c, "SETTLE_FIRST_ABOVE", 0, 0, 1000000000000ULL, &u,
	    err) == -1)
		return -1;
	c->settle_first_above = u;
	if (cfg_uint(c, "RPC_TIMEOUT_MS", 2000, 100, 60000, &u, err) == -1)
		return -1;
	c->rpc_timeout_ms = (long)u;
	v = cfg_get_or(c, "SETTLE_FIRST", "");
	if (strspn(v, "abcdefghijklmnopqrstuvwxyz0123456789-_, ") != strlen(v))
		return sf_err_set(err, 500, "config_invalid", "SETTLE_FIRST",
		    "SETTLE_FIRST=\"%s\" must list endpoint names (or all), "
		    "separated by commas", v);
	return 0;
}

/*
 * The worker pool's bounds.  WORKERS (a fixed count) is gone: a fixed pool
 * either idles in memory or queues slow calls, so it is refused with the
 * keys that replace it rather than guessed into one of them.
 */
static int
cfg_workers(struct cfg *c, struct sf_err *err)
{
	unsigned long long	 u;
	const char		*v;

	if ((v = cfg_get(c, "WORKERS")) != NULL && *v != '\0')
		return sf_err_set(err, 500, "config_invalid", "WORKERS",
		    "WORKERS is replaced by WORKERS_MIN (threads kept at rest, "
		    "default 2) and WORKERS_MAX (threads grown to under load, "
		    "default 256)");
	if (cfg_uint(c, "WORKERS_MIN", 2, 1, 1024, &u, err) == -1)
		return -1;
	c->workers_min = (unsigned)u;
	if (cfg_uint(c, "WORKERS_MAX", 256, 1, 1024, &u, err) == -1)
		return -1;
	c->workers_max = (unsigned)u;
	if (c->workers_max < c->workers_min)
		return sf_err_set(err, 500, "config_invalid", "WORKERS_MAX",
		    "WORKERS_MAX=%u is below WORKERS_MIN=%u", c->workers_max,
		    c->workers_min);
	if (cfg_uint(c, "WORKERS_IDLE", 30, 1, 86400, &u, err) == -1)
		return -1;
	c->workers_idle = (unsigned)u;
	return 0;
}

struct cfg *
cfg_load(const char *path, struct sf_err *err)
{
	struct cfg		*c;
	const char		*v;
	unsigned long long	 u;

	if ((c = calloc(1, sizeof(*c))) == NULL) {
		sf_err_set(err, 500, "out_of_memory", NULL, "out of memory");
		return NULL;
	}
	if (path == NULL)
		path = getenv("SYNTHFORGE_CONFIG");
	if (path == NULL && access(CFG_DEFAULT_PATH, R_OK) == 0)
		path = CFG_DEFAULT_PATH;
	if (path != NULL) {
		if ((c->path = strdup(path)) == NULL) {
			sf_err_set(err, 500, "out_of_memory", NULL, "out of memory");
			goto fail;
		}
		if (cfg_read(c, path, err) == -1)
			goto fail;
	}

	v = cfg_get_or(c, "PUBLIC_URL", NULL);
	if (cfg_uint(c, "PORT", 8080, 1, 65535, &u, err) == -1)
		goto fail;
	c->port = (unsigned)u;
	if (v == NULL)
		snprintf(c->public_url, sizeof(c->public_url),
		    "http://127.0.0.1:%u", c->port);
	else {
		if (!cfg_is_http_url(v) ||
		    strlen(v) >= sizeof(c->public_url) ||
		    strpbrk(v, " \t\"<>\\") != NULL) {
			sf_err_set(err, 500, "config_invalid", "PUBLIC_URL",
			    "PUBLIC_URL=\"%s\" must be an absolute http(s) URL", v);
			goto fail;
		}
		snprintf(c->public_url, sizeof(c->public_url), "%s", v);
		while (strlen(c->public_url) > 8 &&
		    c->public_url[strlen(c->public_url) - 1] == '/')
			c->public_url[strlen(c->public_url) - 1] = '\0';
	}
	if (cfg_networks(c, err) == -1)
		goto fail;
	v = cfg_get_or(c, "PAY_TO", "");
	if (*v != '\0' && !cfg_is_address(v)) {
		sf_err_set(err, 500, "config_invalid", "PAY_TO",
		    "PAY_TO=\"%s\" is not a 0x-prefixed 20-byte address", v);
		goto fail;
	}
	if (*v == '\0' && c->any_evm) {
		sf_err_set(err, 500, "config_missing", "PAY_TO",
		    c->any_mainnet ? "PAY_TO is required on mainnet networks" :
		    "PAY_TO is not set (make run creates a development wallet "
		    "on testnets)");
		goto fail;
	}
	snprintf(c->pay_to, sizeof(c->pay_to), "%s", v);
	if (cfg_uint(c, "MAX_TIMEOUT", 300, 10, 3600, &u, err) == -1)
		goto fail;
	c->max_timeout = (unsigned)u;
	if (cfg_uint(c, "BODY_MAX", 64 * 1024, 1024, 16 * 1024 * 1024, &u,
	    err) == -1)
		goto fail;
	c->body_max = (size_t)u;
	if (cfg_workers(c, err) == -1)
		goto fail;
	if (cfg_money_path(c, err) == -1)
		goto fail;
	v = cfg_get_or(c, "FACILITATOR_URL", "https://x402.org/facilitator");
	if (!cfg_is_http_url(v)) {
		sf_err_set(err, 500, "config_invalid", "FACILITATOR_URL",
		    "FACILITATOR_URL=\"%s\" must be an http(s) URL", v);
		goto fail;
	}
	v = cfg_get_or(c, "RPC_URL", "");
	if (*v != '\0' && !cfg_is_http_url(v)) {
		sf_err_set(err, 500, "config_invalid", "RPC_URL",
		    "RPC_URL=\"%s\" must be an http(s) URL", v);
		goto fail;
	}
	return c;
fail:
	cfg_free(c);
	return NULL;
}

const struct cfg_net *
cfg_net_for(const struct cfg *c, const char *network)
{
	size_t	 i;

	for (i = 0; c != NULL && network != NULL && i < c->nnets; i++)
		if (strcmp(c->nets[i].network, network) == 0)
			return &c->nets[i];
	return NULL;
}

const char *
cfg_rpc_for(const struct cfg *c, const char *network)
{
	const struct cfg_net	*n = cfg_net_for(c, network);

	return n != NULL && n->rpc_url[0] != '\0' ? n->rpc_url : NULL;
}

const char *
cfg_rpc_src_name(enum cfg_rpc s)
{
	switch (s) {
	case CFG_RPC_SET:
		return "configured";
	case CFG_RPC_DEFAULT:
		return "default";
	case CFG_RPC_OFF:
		return "off";
	default:
		return "none";
	}
}

/* --- start-up checks for keys read outside cfg_load (cfg.h) ------------ */

int
cfg_check_uint(const struct cfg *c, const char *key, unsigned long long lo,
    unsigned long long hi, struct sf_err *err)
{
	unsigned long long	 u;

	return cfg_uint(c, key, lo, lo, hi, &u, err);
}

int
cfg_check_oneof(const struct cfg *c, const char *key, const char *list,
    struct sf_err *err)
{
	const char	*v = cfg_get(c, key), *p;
	size_t		 n;

	if (v == NULL || *v == '\0')
		return 0;
	n = strlen(v);
	for (p = list; *p != '\0'; p += strcspn(p, "|"), p += *p == '|')
		if (strncmp(p, v, n) == 0 && (p[n] == '|' || p[n] == '\0'))
			return 0;
	return sf_err_set(err, 500, "config_invalid", key,
	    "%s=\"%.64s\" is invalid: expected one of %s", key, v, list);
}

int
cfg_check_set(const struct cfg *c, const char *key, const char *why,
    struct sf_err *err)
{
	const char	*v = cfg_get(c, key);

	if (v != NULL && *v != '\0')
		return 0;
	return sf_err_set(err, 500, "config_missing", key,
	    "%s needs %s, which is not set", why, key);
}

int
cfg_check_url(const struct cfg *c, const char *key, struct sf_err *err)
{
	const char	*v = cfg_get(c, key);

	if (v == NULL || *v == '\0' || cfg_is_http_url(v))
		return 0;
	/* The value may embed a key: name the key, not the value. */
	return sf_err_set(err, 500, "config_invalid", key,
	    "%s must be an absolute http(s) URL", key);
}

extern char **environ;

int
cfg_each_prefixed(const struct cfg *c, const char *prefix,
    int (*fn)(const char *, const char *, void *), void *arg)
{
	char		 key[160];
	const char	*eq, *v;
	size_t		 i, pl = strlen(prefix);
	char		**e;

	for (i = 0; c != NULL && i < c->n; i++)
		if (strncmp(c->keys[i], prefix, pl) == 0 &&
		    (v = cfg_get(c, c->keys[i])) != NULL &&
		    fn(c->keys[i], v, arg) == -1)
			return -1;
	for (e = environ; e != NULL && *e != NULL; e++) {
		if (strncmp(*e, "SYNTHFORGE_", 11) != 0 ||
		    strncmp(*e + 11, prefix, pl) != 0 ||
		    (eq = strchr(*e, '=')) == NULL ||
		    (size_t)(eq - *e - 11) >= sizeof(key))
			continue;
		memcpy(key, *e + 11, (size_t)(eq - *e - 11));
		key[eq - *e - 11] = '\0';
		if (fn(key, eq + 1, arg) == -1)
			return -1;
	}
	return 0;
}
