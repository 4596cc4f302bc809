/*
 * TRY IT: the pay-and-run form of an endpoint page.  Every control comes
 * from the definition (the same inputs, bounds, enums and defaults as the
 * INPUT table) and the rules the server checks before a 402 ride along as
 * data-* attributes, which the page's script (registry/paywall/, served as
 * GEN_PAY_JS) reads to check a request as the server would and to pay it.
 * The section is hidden until that script shows it, so a browser without
 * JavaScript sees the page as before.  Networks come from the
 * configuration: one <option> per network the 402 offers, with what a
 * wallet needs (chain id, asset; for Solana a public RPC for the browser).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "basics/cfg.h"
#include "basics/def.h"
#include "gen.h"

/* Where a transaction of each known network can be looked at. */
static const struct {
	const char	*network;	/* CAIP-2 */
	const char	*prefix;	/* + transaction + suffix */
	const char	*suffix;
} try_explorers[] = {
	{ "eip155:1", "https://etherscan.io/tx/", "" },
	{ "eip155:11155111", "https://sepolia.etherscan.io/tx/", "" },
	{ "eip155:8453", "https://basescan.org/tx/", "" },
	{ "eip155:84532", "https://sepolia.basescan.org/tx/", "" },
	{ "eip155:137", "https://polygonscan.com/tx/", "" },
	{ "eip155:80002", "https://amoy.polygonscan.com/tx/", "" },
	{ "eip155:43114", "https://snowtrace.io/tx/", "" },
	{ "eip155:43113", "https://testnet.snowtrace.io/tx/", "" },
	{ "eip155:42161", "https://arbiscan.io/tx/", "" },
	{ "eip155:421614", "https://sepolia.arbiscan.io/tx/", "" },
	{ "solana:5eykt4UsFv8P8NJdTREpY1vzqKqZKvdp",
	  "https://explorer.solana.com/tx/", "" },
	{ "solana:EtWTRABZaYq6iMfeYKouRu166VU2xqa1",
	  "https://explorer.solana.com/tx/", "?cluster=devnet" },
};

static void
try_attr(FILE *f, const char *name, const char *value)
{
	fprintf(f, " %s=\"", name);
	gen_html(f, value);
	fputc('"', f);
}

static void
try_num(double v, char *buf, size_t sz)
{
	/* Integers as such, others as the shortest round-trip form. */
	if (v == (double)(long long)v && v < 1e15 && v > -1e15)
		snprintf(buf, sz, "%lld", (long long)v);
	else
		snprintf(buf, sz, "%.17g", v);
}

/* data-models: the models that take this input ("" = all). */
static void
try_models_attr(FILE *f, const struct def_param *p)
{
	const char *const	*m;

	if (p->models == NULL)
		return;
	fputs(" data-models=\"", f);
	for (m = p->models; *m != NULL; m++) {
		if (m != p->models)
			fputc(' ', f);
		gen_html(f, *m);
	}
	fputc('"', f);
}

static const char *
try_default_text(const struct def_param *p, char *buf, size_t sz)
{
	char	 n[40];

	if (p->has_default) {
		if (p->type == DEF_BOOLEAN)
			snprintf(buf, sz, "%s", p->def_bool ? "true" : "false");
		else {
			try_num(p->def_num, n, sizeof(n));
			snprintf(buf, sz, "%s", n);
		}
		return buf;
	}
	if (p->def_str != NULL) {
		snprintf(buf, sz, "%s", p->def_str);
		return buf;
	}
	return NULL;
}

/* The model the server runs when the body names none (val.c's choice). */
static const char *
try_default_model(const struct def_endpoint *ep)
{
	const struct def_tier	*t;

	if (ep->default_tier != NULL &&
	    (t = def_find_tier(ep, ep->default_tier)) != NULL)
		return t->model;
	if (ep->default_model != NULL)
		return ep->default_model;
	return ep->models != NULL ? ep->models[0].id : NULL;
}

/* One model of the model select: price, size rule, whether it can run. */
static void
try_model_option(FILE *f, const struct gen *g, const struct gen_ep *ge,
    const struct def_model *m)
{
	const struct def_size	*z = m->size;
	char			 usd[32], why[160], a[40];

	def_usd(def_model_price(ge->ep, m), usd, sizeof(usd));
	fputs("<option", f);
	try_attr(f, "value", m->id);
	if (z != NULL) {
		fprintf(f, " data-size=\"%d %d %d ", z->min, z->max, z->step);
		try_num(z->max_ratio, a, sizeof(a));
		fprintf(f, "%s %d %d\"", a, z->max_long, z->max_short);
		if (z->desc != NULL)
			try_attr(f, "data-size-desc", z->desc);
	}
	if (m->retired != NULL) {
		/* Refused before payment (400 model_retired): not offered. */
		try_attr(f, "data-retired", m->retired);
		if (m->replacement != NULL)
			try_attr(f, "data-replacement", m->replacement);
		fputs(" disabled>", f);
		gen_html(f, m->id);
		fputs(" (retired)</option>\n", f);
		return;
	}
	if (!gen_model_usable(g, ge, m, why, sizeof(why))) {
		try_attr(f, "data-unavailable", why);
		fputs(" disabled>", f);
		gen_html(f, m->id);
		fputs(" (unavailable here: ", f);
		gen_html(f, why);
		fputs(")</option>\n", f);
		return;
	}
	fputc('>', f);
	gen_html(f, m->id);
	fputs(" \xe2\x80\x94 $", f);
	gen_html(f, usd);
	fputs("</option>\n", f);
}

static void
try_select(FILE *f, const struct gen *g, const struct gen_ep *ge,
    const struct def_param *p, const char *id, const char *def)
{
	const struct def_endpoint	*ep = ge->ep;
	const struct def_model		*m;
	const struct def_tier		*t;
	const char *const		*e;
	int				 is_model, is_tier;

	is_model = ep->model_param != NULL &&
	    strcmp(p->name, ep->model_param) == 0 && ep->models != NULL;
	is_tier = ep->tier_param != NULL &&
	    strcmp(p->name, ep->tier_param) == 0 && ep->tiers != NULL;
	fputs("<select", f);
	try_attr(f, "id", id);
	try_attr(f, "name", p->name);
	try_attr(f, "data-param", p->name);
	try_attr(f, "data-type", p->type == DEF_BOOLEAN ? "boolean" : "string");
	if (p->required)
		fputs(" data-required=\"1\"", f);
	try_models_attr(f, p);
	fputs(">\n", f);
	/* The model a body without one gets: the tier's, or the default. */
	if (is_model && def == NULL)
		def = try_default_model(ep);
	/* An optional input left at "default" is not sent. */
	if (!p->required) {
		fputs("<option value=\"\">", f);
		if (def != NULL) {
			fputs("default (", f);
			gen_html(f, def);
			fputs(")", f);
		} else
			fputs("(not set)", f);
		fputs("</option>\n", f);
	}
	if (p->type == DEF_BOOLEAN) {
		fputs("<option value=\"true\">true</option>\n"
		    "<option value=\"false\">false</option>\n", f);
	} else if (is_model) {
		for (e = p->enums; e != NULL && *e != NULL; e++)
			if ((m = def_find_model(ep, *e)) != NULL)
				try_model_option(f, g, ge, m);
	} else {
		for (e = p->enums; e != NULL && *e != NULL; e++) {
			fputs("<option", f);
			try_attr(f, "value", *e);
			/* A tier picks a model: its size rule applies. */
			if (is_tier && (t = def_find_tier(ep, *e)) != NULL)
				try_attr(f, "data-model", t->model);
			fputc('>', f);
			gen_html(f, *e);
			fputs("</option>\n", f);
		}
	}
	fputs("</select>\n", f);
}

static void
try_input(FILE *f, const struct def_param *p, const char *id, const char *def)
{
	char	 a[40];
	int	 text = p->type == DEF_STRING && p->enums == NULL &&
		    (p->max_len == 0 || p->max_len > 200);

	fputs(text ? "<textarea rows=\"3\"" : "<input", f);
	try_attr(f, "id", id);
	try_attr(f, "name", p->name);
	try_attr(f, "data-param", p->name);
	switch (p->type) {
	case DEF_INTEGER:
	case DEF_NUMBER:
		fputs(" type=\"number\"", f);
		try_attr(f, "data-type", p->type == DEF_INTEGER ? "integer" :
		    "number");
		try_attr(f, "step", p->type == DEF_INTEGER ? "1" : "any");
		if (p->has_range) {
			try_num(p->min, a, sizeof(a));
			try_attr(f, "min", a);
			try_num(p->max, a, sizeof(a));
			try_attr(f, "max", a);
		}
		break;
	case DEF_URL:
	case DEF_WEBHOOK:
		fputs(" type=\"url\"", f);
		try_attr(f, "data-type", "url");
		break;
	default:
		if (!text)
			fputs(" type=\"text\"", f);
		try_attr(f, "data-type", "string");
		break;
	}
	if (p->max_len > 0) {
		snprintf(a, sizeof(a), "%u", p->max_len);
		try_attr(f, "data-max-len", a);
	}
	if (p->required)
		fputs(" data-required=\"1\"", f);
	try_models_attr(f, p);
	if (def != NULL) {
		snprintf(a, sizeof(a), "default %.30s", def);
		try_attr(f, "placeholder", a);
	}
	fputs(text ? "></textarea>\n" : ">\n", f);
}

static void
try_field(FILE *f, const struct gen *g, const struct gen_ep *ge,
    const struct def_param *p)
{
	char	 id[128], def[128], rules[2048];
	const char *d;

	snprintf(id, sizeof(id), "try-%s", p->name);
	d = try_default_text(p, def, sizeof(def));
	fputs("<div class=\"field\"", f);
	try_attr(f, "data-field", p->name);
	fputs("><label", f);
	try_attr(f, "for", id);
	fputs(">", f);
	gen_html(f, p->name);
	fprintf(f, " <span class=\"%s\">%s</span></label>\n",
	    p->required ? "req" : "opt", p->required ? "required" : "optional");
	if (p->enums != NULL || p->type == DEF_BOOLEAN)
		try_select(f, g, ge, p, id, d);
	else
		try_input(f, p, id, d);
	gen_param_rules(p, 0, rules, sizeof(rules));
	if (rules[0] != '\0') {
		fputs("<small class=\"rules\">", f);
		gen_html(f, rules);
		fputs("</small>\n", f);
	}
	fputs("<p class=\"field-error\"", f);
	snprintf(id, sizeof(id), "try-%s-error", p->name);
	try_attr(f, "id", id);
	fputs(" hidden></p>\n</div>\n", f);
}

/* The network select: one option per network this server is paid on. */
static void
try_networks(FILE *f, const struct gen *g)
{
	const struct cfg_net	*n;
	char			 id[32];
	size_t			 i, j;

	fputs("<div class=\"field\"><label for=\"try-network\">pay on "
	    "<span class=\"req\">network</span></label>\n"
	    "<select id=\"try-network\" name=\"network\">\n", f);
	for (i = 0; i < g->cfg->nnets; i++) {
		n = &g->cfg->nets[i];
		fputs("<option", f);
		try_attr(f, "value", n->network);
		try_attr(f, "data-family", n->svm ? "svm" : "evm");
		try_attr(f, "data-asset", n->asset);
		if (!n->svm) {
			snprintf(id, sizeof(id), "%llu", n->chain_id);
			try_attr(f, "data-chain-id", id);
		} else {
			/* The buyer's browser reads the mint and a recent
			   blockhash: a public RPC, never RPC_URL_<NET>
			   (it may carry an API key). */
			try_attr(f, "data-rpc", n->pages_rpc_url);
		}
		for (j = 0; j < sizeof(try_explorers) /
		    sizeof(try_explorers[0]); j++)
			if (strcmp(try_explorers[j].network, n->network) == 0) {
				try_attr(f, "data-explorer",
				    try_explorers[j].prefix);
				try_attr(f, "data-explorer-suffix",
				    try_explorers[j].suffix);
			}
		fputc('>', f);
		gen_html(f, n->network_v1[0] != '\0' ? n->network_v1 :
		    n->network);
		fputs(n->svm ? " \xe2\x80\x94 Solana wallet" :
		    " \xe2\x80\x94 EVM wallet", f);
		fputs("</option>\n", f);
	}
	fputs("</select>\n<small class=\"rules\">EVM: a browser wallet "
	    "(EIP-1193: MetaMask, Coinbase Wallet, Rabby); Solana: a Wallet "
	    "Standard wallet (Phantom, Solflare)</small>\n</div>\n", f);
}

int
gen_try_form(FILE *f, const struct gen *g, const struct gen_ep *ge)
{
	const struct def_endpoint	*ep = ge->ep;
	const struct def_param		*p;
	const struct def_output		*o;
	const char			*dm;
	char				 a[40];

	/* Every call is refused here: nothing to try (STATUS says why). */
	if (!ge->usable)
		return 0;
	fputs("<section id=\"try\" class=\"try\" hidden", f);
	try_attr(f, "data-path", ep->path);
	try_attr(f, "data-method", ep->method);
	try_attr(f, "data-media", ep->media);
	try_attr(f, "data-name", ep->name);
	snprintf(a, sizeof(a), "%u", ep->deadline);
	try_attr(f, "data-deadline", a);
	/* The most a call can cost: the client refuses an offer above it. */
	snprintf(a, sizeof(a), "%llu", (unsigned long long)ge->hi *
	    (ep->price_per != NULL ? 1000ULL : 1ULL));
	try_attr(f, "data-max-amount", a);
	if ((dm = try_default_model(ep)) != NULL)
		try_attr(f, "data-default-model", dm);
	/* The output holding the result's URL (as sf-hostconf finds it). */
	snprintf(a, sizeof(a), "%s_url", ep->media);
	for (o = ep->outputs; o != NULL && o->name != NULL; o++)
		if (strcmp(o->from != NULL ? o->from : o->name, a) == 0) {
			try_attr(f, "data-media-output", o->name);
			break;
		}
	if (ep->model_param != NULL)
		try_attr(f, "data-model-param", ep->model_param);
	if (ep->tier_param != NULL)
		try_attr(f, "data-tier-param", ep->tier_param);
	fputs(">\n<h2><a href=\"#try\">TRY IT</a> <span class=\"sub\">"
	    "\xe2\x80\x94 pay and run from this page</span></h2>\n"
	    "<p class=\"note\">One real call, paid from your own wallet.  The "
	    "page checks the inputs, asks the server for the price and shows "
	    "what will be paid; nothing is signed until you press "
	    "<b>Sign and pay</b>, and nothing is charged unless the work is "
	    "done.</p>\n<form id=\"try-form\" novalidate>\n", f);
	for (p = ep->params; p != NULL && p->name != NULL; p++)
		try_field(f, g, ge, p);
	try_networks(f, g);
	fputs("<p class=\"actions\"><button type=\"submit\" id=\"try-run\">"
	    "Pay and run</button></p>\n</form>\n"
	    "<div id=\"try-quote\" class=\"quote\" hidden></div>\n"
	    "<p id=\"try-status\" class=\"status\" role=\"status\" "
	    "aria-live=\"polite\"></p>\n"
	    "<div id=\"try-error\" class=\"error\" role=\"alert\" hidden></div>\n"
	    "<div id=\"try-result\" class=\"result\" hidden></div>\n"
	    "</section>\n", f);
	return 0;
}
