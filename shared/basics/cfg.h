/*
 * Configuration: one file (etc/synthforge.conf, or $SYNTHFORGE_CONFIG) of
 * KEY=value lines; every key can be overridden by SYNTHFORGE_<KEY> in the
 * environment.  Provider keys and base URLs are also read under their usual
 * names (VENICE_API_KEY, VENICE_BASE_URL, ...) so existing setups work.
 * Loaded once at start-up, read-only afterwards (safe across threads).
 */
#ifndef SF_CFG_H
#define SF_CFG_H

#include <stddef.h>

struct sf_err;

#define CFG_MAX_NETS	4
/* An address as configured: 0x + 40 hex, or base58 of 32 bytes. */
#define CFG_ADDR	48

/* Where a network's chain reads come from (cfg_net.rpc_src). */
enum cfg_rpc {
	CFG_RPC_NONE = 0,	/* no RPC_URL* key and no public endpoint known */
	CFG_RPC_SET,		/* RPC_URL_<NET>, RPC_URL_<id>, or RPC_URL when
				   one network is served */
	CFG_RPC_DEFAULT,	/* the network's public endpoint (net.h), or
				   the one RPC_DEFAULTS names for it */
	CFG_RPC_OFF,		/* turned off: that key set to "", or
				   RPC_DEFAULTS=off */
};

struct cfg_net {
	int		svm;		/* a Solana network */
	char		network[48];	/* CAIP-2 */
	char		network_v1[32];	/* "" when v1 has no name for it */
	unsigned long long chain_id;
	char		asset[CFG_ADDR];
	char		asset_name[64];
	char		asset_version[16];
	int		mainnet;
	/* JSON-RPC of this chain for reads (the proof before work, the
	   reconciliation of a settlement): RPC_URL_<NET>, RPC_URL_<id>, or
	   RPC_URL when only one network is served (Solana: RPC_URL_<NET>
	   only); none of them set: the network's public endpoint unless
	   RPC_DEFAULTS=off; a key set to "" turns it off.  "" = none:
	   settleability is then proven by the facilitator's /verify.  May
	   embed an API key: never logged.  Never used to send a transaction
	   unless configured (SETTLE=direct takes RPC_URL itself). */
	char		rpc_url[512];
	enum cfg_rpc	rpc_src;
	/* Solana: PAY_TO_<NET>, FACILITATOR_URL_<NET>, the mint's decimals. */
	char		pay_to[CFG_ADDR];
	char		facilitator_url[512];	/* "" = FACILITATOR_URL */
	unsigned	decimals;
	/* Solana: the public JSON-RPC the pages' pay-and-run form uses from
	   the buyer's browser (PAGES_RPC_URL_<NET>, else the cluster's own
	   public endpoint); never rpc_url, which may carry an API key. */
	char		pages_rpc_url[512];
};

struct cfg {
	char		*path;		/* file read, or NULL */
	char		**keys;		/* from the file */
	char		**vals;
	size_t		 n;
	/* Parsed and checked values. */
	char		 public_url[512];	/* no trailing slash */
	unsigned	 port;
	struct cfg_net	 nets[CFG_MAX_NETS];
	size_t		 nnets;
	char		 pay_to[43];
	unsigned	 max_timeout;		/* maxTimeoutSeconds offered */
	size_t		 body_max;		/* request body cap, bytes */
	/* Worker threads per process: WORKERS_MIN at rest, grown one at a
	   time while every worker is busy up to WORKERS_MAX, back down after
	   WORKERS_IDLE seconds without work. */
	unsigned	 workers_min;
	unsigned	 workers_max;
	unsigned	 workers_idle;		/* seconds */
	int		 any_mainnet;
	/* The money path (docs/money-path.md). */
	unsigned	 settle_margin;		/* SETTLE_MARGIN: seconds kept for
						   settlement after the work */
	unsigned	 settle_retry;		/* SETTLE_RETRY: seconds spent
						   retrying a transient failure */
	unsigned	 max_inflight;		/* MAX_INFLIGHT_PER_PAYER */
	unsigned long long settle_first_above;	/* SETTLE_FIRST_ABOVE, atomic
						   units; 0 = off */
	int		 any_mainnet_svm;
	int		 any_evm;	/* PAY_TO is needed */
	/* RPC_TIMEOUT_MS: the whole proof before work on chain, ms; past
	   it the facilitator's /verify decides. */
	long		 rpc_timeout_ms;
};

/*
 * Load path (NULL = $SYNTHFORGE_CONFIG, else etc/synthforge.conf if it
 * exists, else defaults only), apply the environment, check every value.
 * On error returns NULL with err naming the key.
 */
struct cfg	*cfg_load(const char *path, struct sf_err *err);
void		 cfg_free(struct cfg *);
/* Raw lookup: env SYNTHFORGE_<KEY>, env <KEY> for provider keys, file, NULL. */
const char	*cfg_get(const struct cfg *, const char *key);
/* Same with a default. */
const char	*cfg_get_or(const struct cfg *, const char *key, const char *def);
/* The RPC URL for reads on a CAIP-2 network (configured or its public
   default: cfg_net.rpc_url), NULL when it has none. */
const char	*cfg_rpc_for(const struct cfg *, const char *network);
/* The network served under a CAIP-2 id, NULL if none. */
const struct cfg_net *cfg_net_for(const struct cfg *, const char *network);
/* "configured", "default", "off", "none". */
const char	*cfg_rpc_src_name(enum cfg_rpc);

/*
 * Start-up checks (docs/configuration.md): each module that reads a key
 * outside cfg_load exports a <module>_check_cfg built on these, so a bad
 * value stops start-up with a message naming the key.  All return 0, or -1
 * with err (500 config_invalid / config_missing, field = the key).
 */
/* KEY unset/empty, or a whole number in [lo, hi]. */
int		 cfg_check_uint(const struct cfg *, const char *key,
		    unsigned long long lo, unsigned long long hi,
		    struct sf_err *err);
/* KEY unset/empty, or one of the words in list ("a|b|c"). */
int		 cfg_check_oneof(const struct cfg *, const char *key,
		    const char *list, struct sf_err *err);
/* KEY set and not empty; why says who needs it ("MEDIA_STORE=s3"). */
int		 cfg_check_set(const struct cfg *, const char *key,
		    const char *why, struct sf_err *err);
/* KEY unset/empty, or an absolute http(s) URL. */
int		 cfg_check_url(const struct cfg *, const char *key,
		    struct sf_err *err);
/*
 * Calls fn(key, value, arg) for every key given (file and SYNTHFORGE_*
 * environment) that starts with prefix; stops at the first -1 and
 * returns it.
 */
int		 cfg_each_prefixed(const struct cfg *, const char *prefix,
		    int (*fn)(const char *key, const char *val, void *arg),
		    void *arg);

#endif
