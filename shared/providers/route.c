#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "basics/cfg.h"
#include "basics/def.h"
#include "basics/err.h"
#include "basics/str.h"
#include "providers/provs.h"
#include "providers/route.h"

void
route_key(const char *ep, const char *model, char *buf, size_t sz)
{
	char	*p;
	size_t	 n;

	/* On every request: copies, not snprintf (basics/str.h). */
	n = str_copy(buf, sz, "ROUTE_");
	if (n < sz)
		n += str_copy(buf + n, sz - n, ep);
	if (n < sz)
		n += str_copy(buf + n, sz - n, "_");
	if (n < sz)
		(void)str_copy(buf + n, sz - n, model);
	for (p = buf + 6; *p != '\0'; p++)
		*p = isalnum((unsigned char)*p) ?
		    (char)toupper((unsigned char)*p) : '_';
}

int
route_resolve(const struct cfg *c, const struct def_endpoint *ep,
    const struct def_model *m, struct route *rt, struct sf_err *err)
{
	const struct prov_info	*p;
	const char		*ov, *colon, *key;
	char			 k[192];
	size_t			 n;

	memset(rt, 0, sizeof(*rt));
	if (m == NULL || m->provider == NULL)
		return sf_err_set(err, 503, "provider_unavailable", NULL,
		    "no route is defined for this model");
	str_copy(rt->provider, sizeof(rt->provider), m->provider);
	str_copy(rt->upstream, sizeof(rt->upstream),
	    m->upstream != NULL ? m->upstream : m->id);
	route_key(ep->name, m->id, k, sizeof(k));
	if ((ov = cfg_get(c, k)) != NULL && *ov != '\0') {
		colon = strchr(ov, ':');
		n = colon != NULL ? (size_t)(colon - ov) : strlen(ov);
		if (n == 0 || n >= sizeof(rt->provider))
			return sf_err_set(err, 503, "provider_unavailable",
			    NULL, "%s is not provider[:upstream]", k);
		memcpy(rt->provider, ov, n);
		rt->provider[n] = '\0';
		if (colon != NULL && colon[1] != '\0')
			str_copy(rt->upstream, sizeof(rt->upstream), colon + 1);
	}
	if ((p = provs_find(rt->provider)) == NULL)
		return sf_err_set(err, 503, "provider_unavailable", NULL,
		    "model %s routes to unknown provider \"%.32s\"", m->id,
		    rt->provider);
	rt->prov = p;
	if (p->key != NULL) {
		key = cfg_get(c, p->key);
		if (key != NULL && *key != '\0' && strpbrk(key, "\r\n") == NULL)
			return 0;
		snprintf(rt->why, sizeof(rt->why), "%s is not set", p->key);
	} else
		snprintf(rt->why, sizeof(rt->why), "routed offline");
	/* Never sell placeholder media for real money. */
	if (c != NULL && c->any_mainnet)
		return sf_err_set(err, 503, "provider_unavailable", NULL,
		    "model %s is not available right now: its provider (%s) "
		    "is not configured on this server", m->id, rt->provider);
	/* Refused before the 402: the offline provider renders no video
	   (prov_offline.h), so the buyer would sign for nothing. */
	if (ep->media != NULL && strcmp(ep->media, "video") == 0)
		return sf_err_set(err, 501, "offline_unsupported", NULL,
		    "%s is not available on this server: %s, and video has "
		    "no offline stand-in", ep->name, rt->why);
	rt->prov = provs_find("offline");
	rt->offline = 1;
	return 0;
}

int
route_usable(const struct cfg *c, const struct def_endpoint *ep,
    const struct def_model *m, char *why, size_t sz)
{
	struct route	 rt;
	struct sf_err	 err;

	if (sz > 0)
		why[0] = '\0';
	sf_err_clear(&err);
	if (route_resolve(c, ep, m, &rt, &err) == 0)
		return 1;
	/* The key's name is what the operator sets; never its value. */
	if (rt.prov != NULL && rt.prov->key != NULL && rt.why[0] != '\0')
		snprintf(why, sz, "needs %s", rt.prov->key);
	else if (rt.prov != NULL && err.status == 501)
		snprintf(why, sz, "routed offline, and video has no offline "
		    "stand-in");
	else if (rt.prov != NULL)
		snprintf(why, sz, "routed offline, which a mainnet never "
		    "sells");
	else
		str_copy(why, sz, err.message);
	return 0;
}

int
route_ep_usable(const struct cfg *c, const struct def_endpoint *ep,
    char *why, size_t sz)
{
	const struct def_model	*m;
	char			 w[256];
	int			 first = 1;

	if (ep->models == NULL || ep->models->id == NULL) {
		snprintf(why, sz, "no model is defined");
		return 0;
	}
	snprintf(why, sz, "every model is retired");
	for (m = ep->models; m->id != NULL; m++) {
		/* Refused before payment anyway (400 model_retired). */
		if (m->retired != NULL)
			continue;
		if (route_usable(c, ep, m, w, sizeof(w)))
			return 1;
		if (first) {
			str_copy(why, sz, w);
			first = 0;
		}
	}
	return 0;
}

size_t
route_list_offline(const struct cfg *c, const struct def_entry *table,
    void (*cb)(void *, const struct def_endpoint *, const struct def_model *,
    const struct route *, const struct sf_err *), void *arg)
{
	const struct def_entry	*e;
	const struct def_model	*m;
	struct route		 rt;
	struct sf_err		 err;
	size_t			 n = 0;

	for (e = table; e != NULL && e->ep != NULL; e++) {
		if (e->ep->models == NULL)
			continue;
		for (m = e->ep->models; m->id != NULL; m++) {
			sf_err_clear(&err);
			if (route_resolve(c, e->ep, m, &rt, &err) == -1) {
				n++;
				if (cb != NULL)
					cb(arg, e->ep, m, NULL, &err);
			} else if (rt.offline) {
				n++;
				if (cb != NULL)
					cb(arg, e->ep, m, &rt, NULL);
			}
		}
	}
	return n;
}

struct route_chk {
	const struct def_entry	*table;
	struct sf_err		*err;
};

static int
route_check_one(const char *key, const char *val, void *arg)
{
	struct route_chk	*rc = arg;
	const struct def_entry	*e;
	const struct def_model	*m;
	char			 k[192], prov[32];
	size_t			 n;

	for (e = rc->table; e->ep != NULL; e++)
		for (m = e->ep->models; m != NULL && m->id != NULL; m++) {
			route_key(e->ep->name, m->id, k, sizeof(k));
			if (strcmp(k, key) == 0)
				goto found;
		}
	return sf_err_set(rc->err, 500, "config_invalid", key,
	    "%s names no endpoint and model served here (ROUTE_<ENDPOINT>_"
	    "<MODEL>, e.g. ROUTE_IMAGE_GENERATE_FLUX_DEV)", key);
found:
	if (*val == '\0')
		return 0;
	n = strcspn(val, ":");
	if (n == 0 || n >= sizeof(prov))
		return sf_err_set(rc->err, 500, "config_invalid", key,
		    "%s=\"%.48s\" is not provider[:upstream]", key, val);
	memcpy(prov, val, n);
	prov[n] = '\0';
	if (provs_find(prov) == NULL)
		return sf_err_set(rc->err, 500, "config_invalid", key,
		    "%s routes to unknown provider \"%s\"", key, prov);
	return 0;
}

int
route_check_cfg(const struct cfg *c, const struct def_entry *table,
    struct sf_err *err)
{
	struct route_chk	 rc = { table, err };

	return cfg_each_prefixed(c, "ROUTE_", route_check_one, &rc);
}
