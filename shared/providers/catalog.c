#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cjson/cJSON.h>

#include "basics/cfg.h"
#include "basics/def.h"
#include "basics/err.h"
#include "http/http.h"
#include "providers/catalog.h"
#include "providers/fal_schema.h"
#include "providers/prov.h"
#include "providers/provs.h"
#include "providers/route.h"

#define CATALOG_PROVS	8

/* One provider's listing, fetched once per check. */
struct catalog_list {
	char		 provider[32];
	int		 fetched;
	int		 failed;	/* could not be read */
	char		 why[160];
	cJSON		*ids;		/* array of strings */
};

struct catalog_run {
	const struct cfg	*cfg;
	long			 timeout_ms;
	struct catalog_list	 lists[CATALOG_PROVS];
	size_t			 nlists;
};

/* One GET with the provider's credential; 0 with h filled, else -1. */
static int
catalog_get(const struct catalog_run *cr, const char *provider,
    const char *url, struct http_resp *h, char *why, size_t wsz)
{
	struct prov_job	 j;
	struct http_req	 q;
	struct sf_err	 e;
	const char	*key, *hdrs[2];
	char		 auth[1024];
	int		 rc;

	memset(&j, 0, sizeof(j));
	j.provider = provider;
	j.cfg = cr->cfg;
	if ((key = provs_key(&j)) == NULL) {
		snprintf(why, wsz, "no credential configured");
		memset(h, 0, sizeof(*h));
		return -1;
	}
	if (strcmp(provider, "google") == 0)
		snprintf(auth, sizeof(auth), "x-goog-api-key: %s", key);
	else if (strcmp(provider, "bfl") == 0)
		snprintf(auth, sizeof(auth), "x-key: %s", key);
	else if (strcmp(provider, "elevenlabs") == 0)
		snprintf(auth, sizeof(auth), "xi-api-key: %s", key);
	else if (strcmp(provider, "fal") == 0)
		snprintf(auth, sizeof(auth), "Authorization: Key %s", key);
	else
		snprintf(auth, sizeof(auth), "Authorization: Bearer %s", key);
	hdrs[0] = auth;
	hdrs[1] = NULL;
	memset(&q, 0, sizeof(q));
	q.url = url;
	q.headers = hdrs;
	q.total_ms = cr->timeout_ms;
	q.max_body = 16 * 1024 * 1024;
	sf_err_clear(&e);
	rc = http_do(&q, h, &e);
	explicit_bzero(auth, sizeof(auth));
	if (rc == -1)
		snprintf(why, wsz, "catalogue did not answer: %.120s", e.message);
	return rc;
}

/* Append the ids found at path (array of objects, field f) to ids. */
static void
catalog_ids(cJSON *ids, const cJSON *arr, const char *f, const char *strip)
{
	const cJSON	*it;
	const char	*s;

	cJSON_ArrayForEach(it, arr) {
		if ((s = cJSON_GetStringValue(
		    cJSON_GetObjectItemCaseSensitive(it, f))) == NULL)
			continue;
		if (strip != NULL && strncmp(s, strip, strlen(strip)) == 0)
			s += strlen(strip);
		cJSON_AddItemToArray(ids, cJSON_CreateString(s));
	}
}

/* Fetch a listing provider's whole catalogue (google, openai, venice,
   elevenlabs). */
static void
catalog_fetch(const struct catalog_run *cr, struct catalog_list *l)
{
	struct prov_job	 j;
	struct http_resp h;
	cJSON		*ans;
	const char	*tok = NULL;
	char		 base[512], url[1200], next[600];
	int		 pages;

	l->fetched = 1;
	if ((l->ids = cJSON_CreateArray()) == NULL) {
		l->failed = 1;
		snprintf(l->why, sizeof(l->why), "out of memory");
		return;
	}
	memset(&j, 0, sizeof(j));
	j.provider = l->provider;
	j.cfg = cr->cfg;
	provs_base(&j, base, sizeof(base));
	next[0] = '\0';
	for (pages = 0; pages < 20; pages++) {
		if (strcmp(l->provider, "google") == 0)
			snprintf(url, sizeof(url), "%s/models?pageSize=1000%s%s",
			    base, next[0] ? "&pageToken=" : "", next);
		else if (strcmp(l->provider, "venice") == 0)
			snprintf(url, sizeof(url), "%s/models?type=all", base);
		else if (strcmp(l->provider, "elevenlabs") == 0)
			snprintf(url, sizeof(url), "%s/v1/models", base);
		else
			snprintf(url, sizeof(url), "%s/models", base);
		if (catalog_get(cr, l->provider, url, &h, l->why,
		    sizeof(l->why)) == -1) {
			l->failed = 1;
			http_resp_free(&h);
			return;
		}
		if (h.status != 200 || (ans = cJSON_ParseWithLength(
		    h.body.p ? h.body.p : "", h.body.len)) == NULL) {
			snprintf(l->why, sizeof(l->why), "catalogue answered "
			    "HTTP %ld", h.status);
			l->failed = 1;
			http_resp_free(&h);
			return;
		}
		http_resp_free(&h);
		if (strcmp(l->provider, "google") == 0)
			catalog_ids(l->ids, cJSON_GetObjectItemCaseSensitive(ans,
			    "models"), "name", "models/");
		else if (strcmp(l->provider, "elevenlabs") == 0)
			catalog_ids(l->ids, ans, "model_id", NULL);
		else
			catalog_ids(l->ids, cJSON_GetObjectItemCaseSensitive(ans,
			    "data"), "id", NULL);
		tok = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(ans,
		    "nextPageToken"));
		if (tok == NULL || *tok == '\0' || strlen(tok) >= sizeof(next) ||
		    strcmp(l->provider, "google") != 0) {
			cJSON_Delete(ans);
			return;
		}
		snprintf(next, sizeof(next), "%s", tok);
		cJSON_Delete(ans);
	}
}

static struct catalog_list *
catalog_list_for(struct catalog_run *cr, const char *provider)
{
	size_t	 i;

	for (i = 0; i < cr->nlists; i++)
		if (strcmp(cr->lists[i].provider, provider) == 0)
			return &cr->lists[i];
	if (cr->nlists == CATALOG_PROVS)
		return NULL;
	memset(&cr->lists[cr->nlists], 0, sizeof(cr->lists[0]));
	snprintf(cr->lists[cr->nlists].provider,
	    sizeof(cr->lists[cr->nlists].provider), "%s", provider);
	return &cr->lists[cr->nlists++];
}

static int
catalog_has(const cJSON *ids, const char *id)
{
	const cJSON	*it;

	cJSON_ArrayForEach(it, ids)
		if (cJSON_IsString(it) && strcmp(it->valuestring, id) == 0)
			return 1;
	return 0;
}

/* One probe URL (fal, bfl, replicate): 0 listed, 1 missing, -1 unknown. */
static int
catalog_probe(const struct catalog_run *cr, const char *provider,
    const char *id, char *why, size_t wsz)
{
	struct prov_job	 j;
	struct http_resp h;
	cJSON		*ans, *models;
	const char	*fb;
	char		 base[512], url[1200];
	int		 rc = -1;

	memset(&j, 0, sizeof(j));
	j.provider = provider;
	j.cfg = cr->cfg;
	provs_base(&j, base, sizeof(base));
	if (strcmp(provider, "fal") == 0) {
		fb = cfg_get_or(cr->cfg, "FAL_API_BASE_URL",
		    "https://api.fal.ai/v1");
		snprintf(url, sizeof(url), "%s/models?endpoint_id=%s", fb, id);
	} else if (strcmp(provider, "bfl") == 0)
		snprintf(url, sizeof(url), "%s/v1/%s", base, id);
	else
		snprintf(url, sizeof(url), "%s/models/%s", base, id);
	if (catalog_get(cr, provider, url, &h, why, wsz) == -1)
		goto out;
	if (strcmp(provider, "fal") == 0) {
		if (h.status != 200 || (ans = cJSON_ParseWithLength(
		    h.body.p ? h.body.p : "", h.body.len)) == NULL) {
			snprintf(why, wsz, "catalogue answered HTTP %ld",
			    h.status);
			goto out;
		}
		models = cJSON_GetObjectItemCaseSensitive(ans, "models");
		rc = cJSON_IsArray(models) && cJSON_GetArraySize(models) > 0 ?
		    0 : 1;
		cJSON_Delete(ans);
	} else if (h.status == 404)
		rc = 1;
	else if (h.status == 401 || h.status == 403 || h.status >= 500)
		snprintf(why, wsz, "catalogue answered HTTP %ld", h.status);
	else
		rc = 0;
	if (rc == 1)
		snprintf(why, wsz, "%s does not offer %.160s", provider, id);
out:
	http_resp_free(&h);
	return rc;
}

/* The model id a listing names for an ElevenLabs route, or NULL (an API). */
static const char *
catalog_el_model(const char *up, char *buf, size_t sz)
{
	const char	*p;

	if (strcmp(up, "sound-effects") == 0 || strcmp(up, "music") == 0)
		return NULL;
	if (strncmp(up, "tts/", 4) == 0) {
		if ((p = strchr(up + 4, '/')) == NULL)
			return NULL;
		snprintf(buf, sz, "%s", p + 1);
		return buf;
	}
	return up;
}

static enum catalog_state
catalog_one(struct catalog_run *cr, const struct route *rt, char *why,
    size_t wsz)
{
	struct catalog_list	*l;
	const char		*p = rt->provider, *id = rt->upstream;
	char			 el[256];
	int			 r;

	why[0] = '\0';
	if (rt->offline) {
		snprintf(why, wsz, "runs offline (%.120s)", rt->why);
		return CATALOG_UNCHECKED;
	}
	if (strcmp(p, "fal") == 0 || strcmp(p, "bfl") == 0 ||
	    strcmp(p, "replicate") == 0) {
		if (strcmp(p, "replicate") == 0 && strchr(id, '/') == NULL) {
			snprintf(why, wsz, "a version hash: not checked");
			return CATALOG_UNCHECKED;
		}
		r = catalog_probe(cr, p, id, why, wsz);
		return r == 0 ? CATALOG_OK : r == 1 ? CATALOG_MISSING :
		    CATALOG_UNCHECKED;
	}
	if (strcmp(p, "google") != 0 && strcmp(p, "openai") != 0 &&
	    strcmp(p, "venice") != 0 && strcmp(p, "elevenlabs") != 0) {
		snprintf(why, wsz, "%s has no catalogue we ask", p);
		return CATALOG_UNCHECKED;
	}
	if (strcmp(p, "elevenlabs") == 0 &&
	    (id = catalog_el_model(id, el, sizeof(el))) == NULL)
		return CATALOG_OK;
	if ((l = catalog_list_for(cr, p)) == NULL) {
		snprintf(why, wsz, "too many providers");
		return CATALOG_UNCHECKED;
	}
	if (!l->fetched)
		catalog_fetch(cr, l);
	if (l->failed) {
		snprintf(why, wsz, "%s", l->why);
		return CATALOG_UNCHECKED;
	}
	if (catalog_has(l->ids, id))
		return CATALOG_OK;
	snprintf(why, wsz, "%s does not list %.160s", p, id);
	return CATALOG_MISSING;
}

int
catalog_check(const struct cfg *c, const struct def_entry *table,
    long timeout_ms, catalog_cb cb, void *arg)
{
	struct catalog_run	 cr;
	const struct def_entry	*e;
	const struct def_model	*m;
	struct route		 rt;
	struct sf_err		 err;
	enum catalog_state	 st;
	char			 why[256];
	size_t			 i;
	int			 missing = 0;

	memset(&cr, 0, sizeof(cr));
	cr.cfg = c;
	cr.timeout_ms = timeout_ms > 0 ? timeout_ms : 15000;
	for (e = table; e->ep != NULL; e++)
		for (m = e->ep->models; m != NULL && m->id != NULL; m++) {
			/* Refused before payment already: nothing to ask. */
			if (m->retired != NULL)
				continue;
			sf_err_clear(&err);
			if (route_resolve(c, e->ep, m, &rt, &err) == -1) {
				cb(arg, e->ep, m, NULL, CATALOG_UNCHECKED,
				    err.message);
				continue;
			}
			st = catalog_one(&cr, &rt, why, sizeof(why));
			if (st == CATALOG_MISSING)
				missing++;
			cb(arg, e->ep, m, &rt, st, why);
		}
	for (i = 0; i < cr.nlists; i++)
		cJSON_Delete(cr.lists[i].ids);
	return missing;
}

struct catalog_save_ctx {
	cJSON		*missing;
	int		 ok, unchecked;
	catalog_cb	 cb;
	void		*arg;
};

static void
catalog_save_cb(void *arg, const struct def_endpoint *ep,
    const struct def_model *m, const struct route *rt,
    enum catalog_state st, const char *why)
{
	struct catalog_save_ctx	*s = arg;
	cJSON			*o;

	if (st == CATALOG_OK)
		s->ok++;
	else if (st == CATALOG_UNCHECKED)
		s->unchecked++;
	else if ((o = cJSON_CreateObject()) != NULL) {
		cJSON_AddStringToObject(o, "endpoint", ep->name);
		cJSON_AddStringToObject(o, "path", ep->path);
		cJSON_AddStringToObject(o, "model", m->id);
		cJSON_AddStringToObject(o, "provider", rt->provider);
		cJSON_AddStringToObject(o, "upstream", rt->upstream);
		cJSON_AddStringToObject(o, "why", why);
		cJSON_AddItemToArray(s->missing, o);
	}
	if (s->cb != NULL)
		s->cb(s->arg, ep, m, rt, st, why);
}

static const char *
catalog_file(const struct cfg *c)
{
	return cfg_get_or(c, "MODEL_CHECK_FILE", "var/model-check.json");
}

int
catalog_check_save(const struct cfg *c, const struct def_entry *table,
    long timeout_ms, catalog_cb cb, void *arg)
{
	struct catalog_save_ctx	 s;
	cJSON			*j;
	char			*txt, tmp[1100];
	const char		*path = catalog_file(c);
	FILE			*f;
	int			 n, ret = -1;

	memset(&s, 0, sizeof(s));
	s.cb = cb;
	s.arg = arg;
	if ((j = cJSON_CreateObject()) == NULL ||
	    (s.missing = cJSON_AddArrayToObject(j, "missing")) == NULL) {
		cJSON_Delete(j);
		return -1;
	}
	n = catalog_check(c, table, timeout_ms, catalog_save_cb, &s);
	cJSON_AddNumberToObject(j, "checked_at", (double)time(NULL));
	cJSON_AddNumberToObject(j, "ok", s.ok);
	cJSON_AddNumberToObject(j, "unchecked", s.unchecked);
	if ((txt = cJSON_PrintUnformatted(j)) == NULL)
		goto out;
	/* Written whole, then renamed: a reader never sees half a file. */
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	if ((f = fopen(tmp, "w")) != NULL) {
		if (fputs(txt, f) >= 0 && fclose(f) == 0 &&
		    rename(tmp, path) == 0)
			ret = n;
		else
			(void)remove(tmp);
	}
	free(txt);
out:
	cJSON_Delete(j);
	return ret;
}

char *
catalog_last(const struct cfg *c)
{
	FILE	*f;
	char	*s;
	long	 n;

	if ((f = fopen(catalog_file(c), "r")) == NULL)
		return NULL;
	if (fseek(f, 0, SEEK_END) == -1 || (n = ftell(f)) <= 0 ||
	    n > 4 * 1024 * 1024 || fseek(f, 0, SEEK_SET) == -1 ||
	    (s = malloc((size_t)n + 1)) == NULL) {
		fclose(f);
		return NULL;
	}
	if (fread(s, 1, (size_t)n, f) != (size_t)n) {
		free(s);
		fclose(f);
		return NULL;
	}
	s[n] = '\0';
	fclose(f);
	return s;
}

/* The contract snapshot file, parsed; NULL when it cannot be read. */
static cJSON *
catalog_contracts(const struct cfg *c)
{
	FILE	*f;
	char	*s;
	long	 n;
	cJSON	*j;

	if ((f = fopen(cfg_get_or(c, "FAL_CONTRACTS_FILE",
	    "etc/fal-contracts.json"), "r")) == NULL)
		return NULL;
	if (fseek(f, 0, SEEK_END) == -1 || (n = ftell(f)) <= 0 ||
	    n > 64 * 1024 * 1024 || fseek(f, 0, SEEK_SET) == -1 ||
	    (s = malloc((size_t)n + 1)) == NULL) {
		fclose(f);
		return NULL;
	}
	if (fread(s, 1, (size_t)n, f) != (size_t)n) {
		free(s);
		fclose(f);
		return NULL;
	}
	s[n] = '\0';
	fclose(f);
	j = cJSON_Parse(s);
	free(s);
	return j;
}

struct catalog_schema_ctx {
	catalog_schema_cb		 cb;
	void				*arg;
	const struct def_endpoint	*ep;
	const struct def_model		*m;
	const char			*id;
	int				 breaking;
};

static void
catalog_schema_one(void *arg, int breaking, const char *what)
{
	struct catalog_schema_ctx	*x = arg;

	x->breaking += breaking;
	x->cb(x->arg, x->ep, x->m, x->id, breaking, what);
}

/* fal's OpenAPI document of endpoint id; NULL with why. */
static cJSON *
catalog_fal_openapi(const struct catalog_run *cr, const char *id, char *why,
    size_t wsz)
{
	struct http_resp h;
	cJSON		*doc = NULL;
	char		 url[1400], enc[700];
	size_t		 i, k = 0;

	for (i = 0; id[i] != '\0' && k + 4 < sizeof(enc); i++) {
		if (id[i] == '/')
			k += (size_t)snprintf(enc + k, sizeof(enc) - k, "%%2F");
		else
			enc[k++] = id[i];
	}
	enc[k] = '\0';
	snprintf(url, sizeof(url), "%s?endpoint_id=%s", cfg_get_or(cr->cfg,
	    "FAL_OPENAPI_URL", "https://fal.ai/api/openapi/queue/openapi.json"),
	    enc);
	if (catalog_get(cr, "fal", url, &h, why, wsz) == -1)
		goto out;
	if (h.status != 200 || (doc = cJSON_ParseWithLength(h.body.p ?
	    h.body.p : "", h.body.len)) == NULL)
		snprintf(why, wsz, "fal's OpenAPI answered HTTP %ld", h.status);
out:
	http_resp_free(&h);
	return doc;
}

int
catalog_fal_schemas(const struct cfg *c, const struct def_entry *table,
    long timeout_ms, catalog_schema_cb cb, void *arg)
{
	struct catalog_run		 cr;
	struct catalog_schema_ctx	 x;
	const struct def_entry		*e, *e2;
	const struct def_model		*m, *m2;
	struct route			 rt, rt2;
	struct sf_err			 err;
	cJSON				*all, *doc, *served;
	const cJSON			*contract;
	char				 why[256];
	int				 seen, breaking = 0;

	if ((all = catalog_contracts(c)) == NULL)
		return -1;
	memset(&cr, 0, sizeof(cr));
	cr.cfg = c;
	cr.timeout_ms = timeout_ms > 0 ? timeout_ms : 15000;
	for (e = table; e->ep != NULL; e++)
		for (m = e->ep->models; m != NULL && m->id != NULL; m++) {
			if (m->retired != NULL || route_resolve(c, e->ep, m, &rt,
			    &err) == -1 || rt.offline ||
			    strcmp(rt.provider, "fal") != 0)
				continue;
			/* Once per endpoint id: the first route names it. */
			seen = 0;
			for (e2 = table; e2 <= e && !seen; e2++)
				for (m2 = e2->ep->models; m2 != NULL &&
				    m2->id != NULL && !(e2 == e && m2 == m) &&
				    !seen; m2++)
					seen = m2->retired == NULL &&
					    route_resolve(c, e2->ep, m2, &rt2,
					    &err) == 0 && !rt2.offline &&
					    strcmp(rt2.provider, "fal") == 0 &&
					    strcmp(rt2.upstream, rt.upstream) == 0;
			if (seen)
				continue;
			x.cb = cb;
			x.arg = arg;
			x.ep = e->ep;
			x.m = m;
			x.id = rt.upstream;
			x.breaking = 0;
			contract = cJSON_GetObjectItemCaseSensitive(
			    cJSON_GetObjectItemCaseSensitive(all, "endpoints"),
			    rt.upstream);
			if (contract == NULL) {
				cb(arg, e->ep, m, rt.upstream, 0, "no contract "
				    "for this id in FAL_CONTRACTS_FILE");
				continue;
			}
			why[0] = '\0';
			if ((doc = catalog_fal_openapi(&cr, rt.upstream, why,
			    sizeof(why))) == NULL) {
				cb(arg, e->ep, m, rt.upstream, 0, why);
				continue;
			}
			if ((served = fal_schema_input(doc, rt.upstream)) ==
			    NULL)
				cb(arg, e->ep, m, rt.upstream, 0, "fal's OpenAPI "
				    "has no input schema for this id");
			else
				(void)fal_schema_diff(served, contract,
				    catalog_schema_one, &x);
			breaking += x.breaking;
			cJSON_Delete(served);
			cJSON_Delete(doc);
		}
	cJSON_Delete(all);
	return breaking;
}
