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

#include "basics/x402_offer.h"

struct sf_err;

#define CFG_MAX_NETS	4

struct cfg_net {
	int		svm;		/* a Solana network */
	char		network[48];	/* CAIP-2 */
	char		network_v1[32];	/* "" when v1 has no name for it */
	unsigned long long chain_id;
	char		asset[X402_OFFER_ADDR];
	char		asset_name[64];
	char		asset_version[16];
	int		mainnet;
	/* JSON-RPC of this chain (RPC_URL_<NET>, RPC_URL_<id>, or RPC_URL
	   when only one network is served); "" = none: settleability is then
	   proven through the facilitator's /verify.  May embed an API key.
	   Solana: RPC_URL_<NET> only. */
	char		rpc_url[512];
	/* Solana: PAY_TO_<NET>, FACILITATOR_URL_<NET>, the mint's decimals. */
	char		pay_to[X402_OFFER_ADDR];
	char		facilitator_url[512];	/* "" = FACILITATOR_URL */
	unsigned	decimals;
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
	/* The money path (README "The money path"). */
	unsigned	 settle_margin;		/* SETTLE_MARGIN: seconds kept for
						   settlement after the work */
	unsigned	 settle_retry;		/* SETTLE_RETRY: seconds spent
						   retrying a transient failure */
	unsigned	 max_inflight;		/* MAX_INFLIGHT_PER_PAYER */
	unsigned long long settle_first_above;	/* SETTLE_FIRST_ABOVE, atomic
						   units; 0 = off */
	int		 any_mainnet_svm;
	int		 any_evm;	/* PAY_TO is needed */
};

/* Seconds of headroom the offered window adds for the client's signing. */
#define CFG_SIGN_SLACK	60

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
/*
 * Our offers for one price: one per configured network.  Returns count.
 * maxTimeoutSeconds is MAX_TIMEOUT (no endpoint deadline known).  Solana
 * offers come without extra.feePayer (it is the facilitator's, see
 * x402/svm/svm_fee_payer.h): the caller fills it or drops the offer.
 */
size_t		 cfg_offers(const struct cfg *, const char *amount,
		    struct x402_offer *out, size_t max);
/*
 * The same for an endpoint whose work takes up to deadline seconds:
 * maxTimeoutSeconds = max(MAX_TIMEOUT, cfg_window(deadline) +
 * CFG_SIGN_SLACK), so an official client's validBefore (now +
 * maxTimeoutSeconds) covers the work and the settlement after it.
 */
size_t		 cfg_offers_ep(const struct cfg *, const char *amount,
		    unsigned deadline, struct x402_offer *out, size_t max);
/* Seconds a payment must stay valid to be worked on: deadline + SETTLE_MARGIN. */
unsigned	 cfg_window(const struct cfg *, unsigned deadline);
/*
 * Settle before the work?  SETTLE_FIRST lists endpoint names (or "all");
 * SETTLE_FIRST_ABOVE settles first when the price (atomic units, decimal)
 * exceeds it.  amount NULL: only the list counts.  1 yes, 0 no.
 */
int		 cfg_settle_first(const struct cfg *, const char *endpoint,
		    const char *amount);
/* The RPC URL for a CAIP-2 network, NULL when none is configured. */
const char	*cfg_rpc_for(const struct cfg *, const char *network);

/*
 * Start-up checks (README "Configuration"): each module that reads a key
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
