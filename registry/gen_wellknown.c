/*
 * /.well-known/x402.json: the origin's discovery manifest in the shape
 * proposed in the x402 repository (issue #2582, PR #2646,
 * specs/extensions/well-known-discovery.md): {x402Version, lastUpdated,
 * items: [{resource, type, accepts, input, output}]}.  accepts is built by
 * the functions behind the 402 (x402_offers_ep + x402_offer_v2) for the
 * endpoint's default request, as in registry.json; the live 402 stays
 * authoritative.  Beyond the proposal, each item carries "prices" (the
 * price of each model, so a buyer knows the range before asking), and
 * endpoints refused on this configuration are listed apart under
 * "unavailable" with why, as registry.json does.
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

static cJSON *
wk_prices(const struct gen *g, const struct gen_ep *ge)
{
	const struct def_endpoint	*ep = ge->ep;
	const struct def_model		*m;
	cJSON				*j, *ms, *o;
	char				 amt[32], usd[32], why[160];

	if ((j = cJSON_CreateObject()) == NULL)
		return NULL;
	cJSON_AddStringToObject(j, "asset", "USDC");
	cJSON_AddStringToObject(j, "per", ep->price_per != NULL ?
	    ep->price_per : "call");
	cJSON_AddStringToObject(j, "default", ge->base_amount);
	ms = cJSON_AddArrayToObject(j, "models");
	for (m = ep->models; m != NULL && m->id != NULL; m++) {
		if ((o = cJSON_CreateObject()) == NULL ||
		    !cJSON_AddItemToArray(ms, o)) {
			cJSON_Delete(o);
			cJSON_Delete(j);
			return NULL;
		}
		snprintf(amt, sizeof(amt), "%llu",
		    (unsigned long long)def_model_price(ep, m));
		def_usd(def_model_price(ep, m), usd, sizeof(usd));
		cJSON_AddStringToObject(o, "model", m->id);
		cJSON_AddStringToObject(o, "amount", amt);
		cJSON_AddStringToObject(o, "usd", usd);
		/* Refused before any 402: said, as in registry.json. */
		if (m->retired != NULL)
			cJSON_AddStringToObject(o, "retired", m->retired);
		else if (!gen_model_usable(g, ge, m, why, sizeof(why)))
			cJSON_AddStringToObject(o, "unavailable", why);
	}
	return j;
}

static cJSON *
wk_item(const struct gen *g, const struct gen_ep *ge)
{
	const struct def_endpoint	*ep = ge->ep;
	struct x402_offer		 offers[CFG_MAX_NETS];
	const char *const		*t;
	cJSON				*it, *res, *tags, *acc, *in, *out;
	size_t				 i, n;

	if ((it = cJSON_CreateObject()) == NULL)
		return NULL;
	res = cJSON_AddObjectToObject(it, "resource");
	cJSON_AddStringToObject(res, "url", ge->url);
	cJSON_AddStringToObject(res, "description", ep->summary);
	cJSON_AddStringToObject(res, "mimeType", "application/json");
	cJSON_AddStringToObject(res, "serviceName", ep->cluster);
	tags = cJSON_AddArrayToObject(res, "tags");
	for (t = ep->tags; t != NULL && *t != NULL; t++)
		cJSON_AddItemToArray(tags, cJSON_CreateString(*t));
	cJSON_AddStringToObject(it, "type", "http");
	acc = cJSON_AddArrayToObject(it, "accepts");
	n = x402_offers_ep(g->cfg, ge->base_amount, ep->deadline, offers,
	    CFG_MAX_NETS);
	for (i = 0; i < n; i++)
		cJSON_AddItemToArray(acc, x402_offer_v2(&offers[i]));
	in = cJSON_AddObjectToObject(it, "input");
	cJSON_AddStringToObject(in, "method", ep->method);
	cJSON_AddStringToObject(in, "routeTemplate", ep->path);
	cJSON_AddStringToObject(in, "bodyType", "json");
	cJSON_AddItemToObject(in, "body", schema_input(ep));
	out = cJSON_AddObjectToObject(it, "output");
	cJSON_AddStringToObject(out, "mimeType", "application/json");
	cJSON_AddItemToObject(out, "example", schema_example_output(ep));
	cJSON_AddItemToObject(out, "schema", schema_output(ep));
	cJSON_AddItemToObject(it, "prices", wk_prices(g, ge));
	return it;
}

int
gen_wellknown(const struct gen *g)
{
	cJSON	*j, *items, *down, *it;
	char	 dir[1100];
	size_t	 i;
	int	 rc;

	if ((j = cJSON_CreateObject()) == NULL)
		return -1;
	cJSON_AddNumberToObject(j, "x402Version", 2);
	/* Seconds, as the proposal has it: the pages' date. */
	cJSON_AddNumberToObject(j, "lastUpdated", (double)g->epoch);
	items = cJSON_AddArrayToObject(j, "items");
	down = cJSON_CreateArray();
	for (i = 0; i < g->neps; i++) {
		const struct gen_ep	*ge = &g->eps[i];

		if (ge->usable)
			it = wk_item(g, ge);
		else if ((it = cJSON_CreateObject()) != NULL) {
			cJSON_AddStringToObject(it, "resource", ge->url);
			cJSON_AddStringToObject(it, "name", ge->ep->name);
			cJSON_AddStringToObject(it, "reason", ge->why);
			cJSON_AddStringToObject(it, "docs", ge->page);
		}
		if (it == NULL || down == NULL || items == NULL ||
		    !cJSON_AddItemToArray(ge->usable ? items : down, it)) {
			cJSON_Delete(it);
			cJSON_Delete(down);
			cJSON_Delete(j);
			fprintf(stderr, "sf-gen: %s: out of memory\n",
			    GEN_WELLKNOWN);
			return -1;
		}
	}
	if (cJSON_GetArraySize(down) > 0)
		cJSON_AddItemToObject(j, "unavailable", down);
	else
		cJSON_Delete(down);
	snprintf(dir, sizeof(dir), "%s/.well-known", g->wwwdir);
	rc = gen_mkdir(dir) == -1 ? -1 :
	    gen_write_json(dir, "x402.json", j);
	cJSON_Delete(j);
	return rc;
}
