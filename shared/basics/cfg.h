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
	char		network[32];	/* CAIP-2 */
	char		network_v1[32];	/* "" when v1 has no name for it */
	unsigned long long chain_id;
	char		asset[43];
	char		asset_name[64];
	char		asset_version[16];
	int		mainnet;
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
	unsigned	 workers;
	int		 any_mainnet;
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
/* Our offers for one price: one per configured network.  Returns count. */
size_t		 cfg_offers(const struct cfg *, const char *amount,
		    struct x402_offer *out, size_t max);

#endif
