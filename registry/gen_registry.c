/*
 * registry.json: every endpoint as an x402 Bazaar discovery item in the
 * discovery envelope ({x402Version, items, pagination}).  accepts is built
 * by x402_offers() + x402_offer_v2(), the very functions behind the 402, for
 * the price of the endpoint's default request; the bazaar extension is
 * schema_bazaar(), the one the 402 carries.
 */
#include <stdio.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "basics/cfg.h"
#include "basics/def.h"
#include "gen.h"
#include "validate/schema.h"
#include "x402/x402_challenge.h"
#include "x402/x402_offer.h"

/* The Bazaar keeps at most 5 tags of at most 32 printable characters. */
#define REG_MAX_TAGS	5
#define REG_MAX_TAG_LEN	32

static cJSON *
reg_price(const char *amount_s, uint64_t amount)
{
	cJSON	*j;
	char	 usd[32];

	if ((j = cJSON_CreateObject()) == NULL)
		return NULL;
	def_usd(amount, usd, sizeof(usd));
	cJSON_AddStringToObject(j, "amount", amount_s);
	cJSON_AddStringToObject(j, "usd", usd);
	return j;
}

static cJSON *
reg_models(const struct gen *g, const struct gen_ep *ge)
{
	const struct def_endpoint	*ep = ge->ep;
	const struct def_model		*m;
	cJSON				*arr, *o;
	char				 amt[32], usd[32], tiers[256];
	char				 why[160];

	if ((arr = cJSON_CreateArray()) == NULL)
		return NULL;
	for (m = ep->models; m != NULL && m->id != NULL; m++) {
		if ((o = cJSON_CreateObject()) == NULL ||
		    !cJSON_AddItemToArray(arr, o)) {
			cJSON_Delete(o);
			cJSON_Delete(arr);
			return NULL;
		}
		cJSON_AddStringToObject(o, "id", m->id);
		if (m->label != NULL && m->label[0] != '\0')
			cJSON_AddStringToObject(o, "label", m->label);
		snprintf(amt, sizeof(amt), "%llu",
		    (unsigned long long)def_model_price(ep, m));
		def_usd(def_model_price(ep, m), usd, sizeof(usd));
		cJSON_AddStringToObject(o, "amount", amt);
		cJSON_AddStringToObject(o, "usd", usd);
		gen_model_tiers(ep, m->id, tiers, sizeof(tiers));
		if (tiers[0] != '\0')
			cJSON_AddStringToObject(o, "tiers", tiers);
		/* Refused before payment (400 model_retired): say why. */
		if (m->retired != NULL)
			cJSON_AddStringToObject(o, "retired", m->retired);
		/* Refused before payment on this server: say why. */
		else if (!gen_model_usable(g, ge, m, why, sizeof(why)))
			cJSON_AddStringToObject(o, "unavailable", why);
		if (m->replacement != NULL)
			cJSON_AddStringToObject(o, "replacement",
			    m->replacement);
	}
	return arr;
}

/*
 * How a call of this endpoint runs: "async" (never, allowed, default)
 * and, unless never, how to ask for a job or for the synchronous answer.
 */
static void
reg_job(const struct gen *g, cJSON *meta, const struct def_endpoint *ep)
{
	cJSON	*j;
	char	 url[700];

	cJSON_AddStringToObject(meta, "async", def_async_name(ep->async));
	if (ep->async == DEF_ASYNC_NEVER ||
	    (j = cJSON_AddObjectToObject(meta, "job")) == NULL)
		return;
	cJSON_AddStringToObject(j, "prefer", ep->async == DEF_ASYNC_DEFAULT ?
	    "wait" : "respond-async");
	cJSON_AddStringToObject(j, "note", ep->async == DEF_ASYNC_DEFAULT ?
	    "Runs as a job by default: 202 Accepted with a status URL; send "
	    "Prefer: wait for the synchronous answer." : "Send Prefer: "
	    "respond-async to run it as a job: 202 Accepted with a status "
	    "URL.");
	snprintf(url, sizeof(url), "%s/jobs.7.html", g->cfg->public_url);
	cJSON_AddStringToObject(j, "docs", url);
}

/* The job resource, once: where it lives, its states, its shape. */
static cJSON *
reg_jobs(const struct gen *g)
{
	cJSON	*j, *st;
	char	 url[700];

	if ((j = cJSON_CreateObject()) == NULL)
		return NULL;
	snprintf(url, sizeof(url), "%s/v1/jobs/{id}", g->cfg->public_url);
	cJSON_AddStringToObject(j, "status", url);
	snprintf(url, sizeof(url), "%s/v1/jobs", g->cfg->public_url);
	cJSON_AddStringToObject(j, "list", url);
	cJSON_AddStringToObject(j, "description", "A paid call that runs as a "
	    "job answers 202 Accepted with the job (its status_url carries a "
	    "token); GET it for free until it succeeded (the result and the "
	    "settlement), failed or was cancelled (not charged); DELETE "
	    "cancels it.  Without the token, sign in with the paying wallet "
	    "(x402 sign-in-with-x).  The payment is settled only when the job "
	    "succeeds (Solana: at the submit).");
	st = cJSON_AddArrayToObject(j, "states");
	cJSON_AddItemToArray(st, cJSON_CreateString("queued"));
	cJSON_AddItemToArray(st, cJSON_CreateString("running"));
	cJSON_AddItemToArray(st, cJSON_CreateString("succeeded"));
	cJSON_AddItemToArray(st, cJSON_CreateString("failed"));
	cJSON_AddItemToArray(st, cJSON_CreateString("cancelled"));
	snprintf(url, sizeof(url), "%s/jobs.7.html", g->cfg->public_url);
	cJSON_AddStringToObject(j, "docs", url);
	cJSON_AddItemToObject(j, "schema", schema_job());
	return j;
}

static cJSON *
reg_item(const struct gen *g, const struct gen_ep *ge)
{
	const struct def_endpoint	*ep = ge->ep;
	struct x402_offer		 offers[CFG_MAX_NETS];
	const char *const		*t;
	cJSON				*it, *acc, *tags, *meta, *price, *bz;
	cJSON				*all, *info;
	char				 url[700], amt[32];
	size_t				 i, n, ntags = 0;

	if ((it = cJSON_CreateObject()) == NULL)
		return NULL;
	cJSON_AddStringToObject(it, "resource", ge->url);
	cJSON_AddStringToObject(it, "type", "http");
	cJSON_AddNumberToObject(it, "x402Version", 2);
	acc = cJSON_AddArrayToObject(it, "accepts");
	n = x402_offers_ep(g->cfg, ge->base_amount, ge->ep->deadline, offers,
	    CFG_MAX_NETS);
	for (i = 0; i < n; i++)
		cJSON_AddItemToArray(acc, x402_offer_v2(&offers[i]));
	cJSON_AddStringToObject(it, "lastUpdated", g->date_iso);
	cJSON_AddStringToObject(it, "description", ep->summary);
	cJSON_AddStringToObject(it, "mimeType", "application/json");
	cJSON_AddStringToObject(it, "serviceName", ep->cluster);
	tags = cJSON_AddArrayToObject(it, "tags");
	all = cJSON_CreateArray();
	for (t = ep->tags; t != NULL && *t != NULL; t++) {
		cJSON_AddItemToArray(all, cJSON_CreateString(*t));
		if (ntags < REG_MAX_TAGS && strlen(*t) <= REG_MAX_TAG_LEN) {
			cJSON_AddItemToArray(tags, cJSON_CreateString(*t));
			ntags++;
		}
	}
	cJSON_AddItemToObject(cJSON_AddObjectToObject(it, "extensions"),
	    "bazaar", schema_bazaar(ep));

	meta = cJSON_AddObjectToObject(it, "metadata");
	cJSON_AddStringToObject(meta, "name", ep->name);
	cJSON_AddStringToObject(meta, "title", ep->title);
	cJSON_AddStringToObject(meta, "description", ep->description);
	cJSON_AddStringToObject(meta, "cluster", ep->cluster);
	cJSON_AddStringToObject(meta, "category", ep->category);
	cJSON_AddStringToObject(meta, "method", ep->method);
	cJSON_AddStringToObject(meta, "path", ep->path);
	cJSON_AddStringToObject(meta, "docs", ge->page);
	snprintf(url, sizeof(url), "%s.md", ge->page);
	cJSON_AddStringToObject(meta, "markdown", url);
	cJSON_AddItemToObject(meta, "tags", all);
	price = reg_price(ge->base_amount, ge->base);
	cJSON_AddItemToObject(meta, "price", price);
	if (price != NULL) {
		cJSON_AddStringToObject(price, "asset", "USDC");
		cJSON_AddStringToObject(price, "per",
		    ep->price_per != NULL ? ep->price_per : "call");
		if (ep->price_note != NULL)
			cJSON_AddStringToObject(price, "note", ep->price_note);
		snprintf(amt, sizeof(amt), "%llu", (unsigned long long)ge->lo);
		cJSON_AddItemToObject(price, "min", reg_price(amt, ge->lo));
		snprintf(amt, sizeof(amt), "%llu", (unsigned long long)ge->hi);
		cJSON_AddItemToObject(price, "max", reg_price(amt, ge->hi));
		cJSON_AddBoolToObject(price, "byModel", ge->lo != ge->hi);
	}
	cJSON_AddItemToObject(meta, "models", reg_models(g, ge));
	/* The bazaar info again, flat, for readers that skip extensions. */
	if ((bz = schema_bazaar(ep)) != NULL) {
		info = cJSON_DetachItemFromObjectCaseSensitive(bz, "info");
		cJSON_AddItemToObject(meta, "info", info);
		cJSON_Delete(bz);
	}
	cJSON_AddItemToObject(meta, "schema", schema_input(ep));
	cJSON_AddItemToObject(meta, "outputSchema", schema_output(ep));
	reg_job(g, meta, ep);
	return it;
}

/* An endpoint every call of which is refused here: not an item. */
static cJSON *
reg_unavailable(const struct gen_ep *ge)
{
	cJSON	*o;

	if ((o = cJSON_CreateObject()) == NULL)
		return NULL;
	cJSON_AddStringToObject(o, "resource", ge->url);
	cJSON_AddStringToObject(o, "name", ge->ep->name);
	cJSON_AddStringToObject(o, "reason", ge->why);
	cJSON_AddStringToObject(o, "docs", ge->page);
	return o;
}

/*
 * items holds only what this server can serve (an agent picks from it);
 * endpoints refused on this configuration are listed apart, with why.
 */
int
gen_registry(const struct gen *g)
{
	cJSON	*j, *items, *pg, *it, *down;
	size_t	 i, n = 0;
	int	 rc;

	if ((j = cJSON_CreateObject()) == NULL)
		return -1;
	cJSON_AddNumberToObject(j, "x402Version", 2);
	items = cJSON_AddArrayToObject(j, "items");
	down = cJSON_CreateArray();
	for (i = 0; i < g->neps; i++) {
		const struct gen_ep	*ge = &g->eps[i];
		cJSON			*to = ge->usable ? items : down;

		it = ge->usable ? reg_item(g, ge) : reg_unavailable(ge);
		if (it == NULL || to == NULL || !cJSON_AddItemToArray(to, it)) {
			cJSON_Delete(it);
			cJSON_Delete(j);
			cJSON_Delete(down);
			fprintf(stderr, "sf-gen: registry.json: out of memory\n");
			return -1;
		}
		if (ge->usable)
			n++;
	}
	/* The whole catalogue in one page. */
	pg = cJSON_AddObjectToObject(j, "pagination");
	cJSON_AddNumberToObject(pg, "limit", (double)n);
	cJSON_AddNumberToObject(pg, "offset", 0);
	cJSON_AddNumberToObject(pg, "total", (double)n);
	if (cJSON_GetArraySize(down) > 0)
		cJSON_AddItemToObject(j, "unavailable", down);
	else
		cJSON_Delete(down);
	cJSON_AddItemToObject(j, "jobs", reg_jobs(g));
	rc = gen_write_json(g->wwwdir, "registry.json", j);
	cJSON_Delete(j);
	return rc;
}
