/*
 * Routing: which provider and upstream model serve a (endpoint, model).
 * The definition's def_model.provider/upstream is the default; config
 * ROUTE_<ENDPOINT>_<MODEL>=<provider>[:<upstream>] overrides it, where
 * <ENDPOINT> and <MODEL> are upper-cased with every character outside
 * [A-Z0-9] turned into '_' (image-generate / wai-Illustrious ->
 * ROUTE_IMAGE_GENERATE_WAI_ILLUSTRIOUS).  A provider without its key
 * falls back to "offline" on a testnet-only config and is refused (503
 * provider_unavailable) when a mainnet is configured.  Pure: reads the
 * configuration only, so the flow can call it before asking for payment.
 */
#ifndef SF_ROUTE_H
#define SF_ROUTE_H

#include <stddef.h>

struct cfg;
struct def_endpoint;
struct def_entry;
struct def_model;
struct prov_info;
struct sf_err;

struct route {
	const struct prov_info	*prov;		/* what will run */
	char			 provider[32];	/* its name */
	char			 upstream[256];	/* its model id / path */
	int			 offline;	/* fell back to offline */
	char			 why[128];	/* why offline ("FAL_KEY unset") */
};

/* Config key of the override for (endpoint, model) into buf. */
void	route_key(const char *ep, const char *model, char *buf, size_t sz);
/*
 * Resolve; 0 with rt filled, or -1 with 503 provider_unavailable (no key
 * on a mainnet config, unknown provider, offline on mainnet) or 501
 * offline_unsupported (offline, but the offline provider cannot do it).
 */
int	route_resolve(const struct cfg *, const struct def_endpoint *,
	    const struct def_model *, struct route *, struct sf_err *);
/*
 * Whether model m of ep can be served on this configuration, by the very
 * decision route_resolve makes: 1, or 0 with why in buf (sz bytes, always
 * terminated): "needs FAL_KEY" when a provider's key is missing, "routed
 * offline, ..." when the route is offline and cannot be sold, else the
 * refusal's message.  Retired models are the definition's business, not
 * routing's: they are judged like any other.  For the generator and MCP.
 */
int	route_usable(const struct cfg *, const struct def_endpoint *,
	    const struct def_model *, char *why, size_t sz);
/*
 * Whether any model of ep that is not retired can be served: 1, or 0
 * with the reason of the first such model in why.
 */
int	route_ep_usable(const struct cfg *, const struct def_endpoint *,
	    char *why, size_t sz);
/*
 * Start-up check of every ROUTE_<ENDPOINT>_<MODEL> key given (file or
 * SYNTHFORGE_ROUTE_*): it must name an (endpoint, model) of table and
 * hold provider[:upstream] with a known provider.  0, or -1 with err
 * (500 config_invalid naming the key).
 */
int	route_check_cfg(const struct cfg *, const struct def_entry *table,
	    struct sf_err *);
/*
 * Every (endpoint, model) of table whose route is offline, or refused:
 * cb gets each with its route (rt->offline) or, when refused, rt NULL
 * and the error.  Returns how many.  For `make run` to print.
 */
size_t	route_list_offline(const struct cfg *, const struct def_entry *table,
	    void (*cb)(void *, const struct def_endpoint *,
	    const struct def_model *, const struct route *,
	    const struct sf_err *), void *arg);

#endif
