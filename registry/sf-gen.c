/*
 * sf-gen: write the man pages and the static site from the definition
 * table and the configuration (the one the endpoints load, so prices,
 * networks, payTo and URLs match their 402s).
 *
 *	sf-gen [-j SCRIPT] [-m MANDIR] [-s STYLESHEET] [-w WWWDIR] [-t EPOCH]
 *
 * STYLESHEET (default registry/style.css) is copied to WWWDIR/style.css,
 * SCRIPT (default registry/paywall/dist/pay.js, the pay-and-run form's
 * bundle) to WWWDIR/pay.js.
 * EPOCH (else $SOURCE_DATE_EPOCH, else now) dates the pages and
 * registry.json's lastUpdated, so the same inputs give the same bytes.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "basics/cfg.h"
#include "basics/def.h"
#include "basics/err.h"
#include "gen.h"
#include "providers/route.h"
#include "validate/val.h"

static int
gen_by_name(const void *a, const void *b)
{
	const struct gen_ep	*x = a, *y = b;

	return strcmp(x->ep->name, y->ep->name);
}

/*
 * The price of the default request: only the required inputs, everything
 * else left to the definition's defaults.  Priced by the validator the
 * endpoints use, so it is what their 402 asks for that body.
 */
static int
gen_base_price(struct gen_ep *g)
{
	const struct def_param	*p;
	struct val_result	 vr;
	struct sf_err		 err;
	cJSON			*obj, *v;

	if ((obj = cJSON_CreateObject()) == NULL)
		return -1;
	for (p = g->ep->params; p != NULL && p->name != NULL; p++) {
		if (!p->required)
			continue;
		if (p->example == NULL || (v = cJSON_Parse(p->example)) == NULL) {
			fprintf(stderr, "sf-gen: %s: required input %s has no "
			    "valid JSON example\n", g->ep->name, p->name);
			cJSON_Delete(obj);
			return -1;
		}
		cJSON_AddItemToObject(obj, p->name, v);
	}
	sf_err_clear(&err);
	if (val_object(g->ep, obj, &vr, &err) == -1) {
		fprintf(stderr, "sf-gen: %s: the default request does not "
		    "validate: %s\n", g->ep->name, err.message);
		return -1;
	}
	g->base = vr.price;
	snprintf(g->base_amount, sizeof(g->base_amount), "%s", vr.amount);
	val_result_free(&vr);
	def_usd(g->base, g->base_usd, sizeof(g->base_usd));
	return 0;
}

static void
gen_dates(struct gen *g)
{
	static const char *const months[] = { "January", "February", "March",
	    "April", "May", "June", "July", "August", "September", "October",
	    "November", "December" };
	time_t		 t = (time_t)g->epoch;
	struct tm	 tm;

	gmtime_r(&t, &tm);
	snprintf(g->date_mdoc, sizeof(g->date_mdoc), "%s %d, %d",
	    months[tm.tm_mon], tm.tm_mday, tm.tm_year + 1900);
	strftime(g->date_iso, sizeof(g->date_iso), "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static void
gen_networks(struct gen *g)
{
	const struct cfg	*c = g->cfg;
	size_t			 i, n;

	g->networks[0] = '\0';
	for (i = 0; i < c->nnets; i++) {
		n = strlen(g->networks);
		if (c->nets[i].network_v1[0] != '\0')
			snprintf(g->networks + n, sizeof(g->networks) - n,
			    "%s%s (%s)", i > 0 ? ", " : "",
			    c->nets[i].network_v1, c->nets[i].network);
		else
			snprintf(g->networks + n, sizeof(g->networks) - n,
			    "%s%s", i > 0 ? ", " : "", c->nets[i].network);
	}
}

/*
 * Names become file names, man page names and URL paths: keep them to
 * what needs no escaping anywhere.
 */
static int
gen_name_ok(const char *s)
{
	const char	*p;

	if (s == NULL || *s == '\0' || *s == '-' || strlen(s) > 64)
		return 0;
	for (p = s; *p != '\0'; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ||
		    *p == '-'))
			return 0;
	return 1;
}

/*
 * A price "per <input>" must be payable: the input must exist and some
 * model that is not retired must accept it, or every page would name a
 * charge no request can incur.  0, or -1 with a message.
 */
static int
gen_price_per_ok(const struct def_endpoint *ep)
{
	const struct def_param	*p;
	const struct def_model	*m;
	const char *const	*id;

	if (ep->price_per == NULL)
		return 0;
	if ((p = def_find_param(ep, ep->price_per)) == NULL) {
		fprintf(stderr, "sf-gen: %s: price_per names no input %s\n",
		    ep->name, ep->price_per);
		return -1;
	}
	if (p->models == NULL)
		return 0;
	for (id = p->models; *id != NULL; id++)
		if ((m = def_find_model(ep, *id)) != NULL && m->retired == NULL)
			return 0;
	fprintf(stderr, "sf-gen: %s: the price is per %s, but only retired "
	    "models accept %s: say what is charged instead\n", ep->name,
	    ep->price_per, ep->price_per);
	return -1;
}

static long long
gen_epoch(const char *arg)
{
	const char	*s = arg != NULL ? arg : getenv("SOURCE_DATE_EPOCH");
	char		*end;
	long long	 v;

	if (s == NULL || *s == '\0')
		return (long long)time(NULL);
	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno != 0 || *end != '\0' || v < 0 || v > 253402300799LL)
		return -1;
	return v;
}

int
main(int argc, char *argv[])
{
	struct gen		 g;
	struct sf_err		 err;
	struct cfg		*c;
	const struct def_entry	*e;
	const char		*targ = NULL;
	size_t			 n;
	int			 ch, rc = 1;

	memset(&g, 0, sizeof(g));
	g.mandir = "manpages";
	g.wwwdir = "www";
	g.style = "registry/style.css";
	g.script = "registry/paywall/dist/" GEN_PAY_JS;
	while ((ch = getopt(argc, argv, "j:m:s:t:w:")) != -1)
		switch (ch) {
		case 'j':
			g.script = optarg;
			break;
		case 'm':
			g.mandir = optarg;
			break;
		case 's':
			g.style = optarg;
			break;
		case 't':
			targ = optarg;
			break;
		case 'w':
			g.wwwdir = optarg;
			break;
		default:
			goto usage;
		}
	if (optind != argc)
		goto usage;
	if ((g.epoch = gen_epoch(targ)) < 0) {
		fprintf(stderr, "sf-gen: the epoch must be seconds since "
		    "1970\n");
		return 2;
	}
	gen_dates(&g);

	sf_err_clear(&err);
	if ((c = cfg_load(NULL, &err)) == NULL) {
		fprintf(stderr, "sf-gen: configuration: %s\n", err.message);
		return 1;
	}
	g.cfg = c;
	gen_networks(&g);
	for (n = 0, e = def_table; e->ep != NULL; e++)
		n++;
	if (n == 0 || (g.eps = calloc(n, sizeof(*g.eps))) == NULL) {
		fprintf(stderr, "sf-gen: no definitions, or out of memory\n");
		goto out;
	}
	for (e = def_table; e->ep != NULL; e++) {
		struct gen_ep	*ge = &g.eps[g.neps++];

		if (!gen_name_ok(e->ep->name) ||
		    !gen_name_ok(e->ep->cluster) ||
		    !gen_name_ok(e->ep->category)) {
			fprintf(stderr, "sf-gen: %s: name, cluster and category "
			    "must be lower-case letters, digits and '-'\n",
			    e->stem);
			goto out;
		}
		if (gen_price_per_ok(e->ep) == -1)
			goto out;
		ge->ep = e->ep;
		ge->stem = e->stem;
		snprintf(ge->url, sizeof(ge->url), "%s%s", c->public_url,
		    e->ep->path);
		snprintf(ge->page, sizeof(ge->page), "%s/%s.html",
		    c->public_url, e->ep->name);
		def_price_range(e->ep, &ge->lo, &ge->hi);
		/* The flow's own routing decision: a page never offers
		   what every call would refuse. */
		ge->usable = route_ep_usable(c, e->ep, ge->why,
		    sizeof(ge->why));
		gen_title(e->ep, ge->title, sizeof(ge->title));
		if (gen_base_price(ge) == -1)
			goto out;
	}
	qsort(g.eps, g.neps, sizeof(*g.eps), gen_by_name);

	if (gen_mkdir(g.mandir) == -1 || gen_mkdir(g.wwwdir) == -1)
		goto out;
	if (gen_man(&g) == -1 || gen_site(&g) == -1 ||
	    gen_copy(g.style, g.wwwdir, "style.css") == -1 ||
	    gen_copy(g.script, g.wwwdir, GEN_PAY_JS) == -1 ||
	    gen_wellknown(&g) == -1 ||
	    gen_markdown(&g) == -1 || gen_llms(&g) == -1 ||
	    gen_registry(&g) == -1 || gen_openapi(&g) == -1)
		goto out;
	rc = 0;
out:
	free(g.eps);
	cfg_free(c);
	return rc;
usage:
	fprintf(stderr, "usage: sf-gen [-j SCRIPT] [-m MANDIR] "
	    "[-s STYLESHEET] [-w WWWDIR] [-t EPOCH]\n");
	return 2;
}
