/*
 * The static site: one page per endpoint laid out like the product pages
 * (a man page in a browser), one per cluster, index.html, and the
 * stylesheet.  Links are relative so the site works under any host; the
 * absolute URLs shown in examples come from PUBLIC_URL.  Every string from
 * a definition or the configuration goes through gen_html().
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "basics/cfg.h"
#include "basics/def.h"
#include "gen.h"

static void
html_head(FILE *f, const struct gen *g, const char *title, const char *desc,
    const char *md, int script)
{
	fputs("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n"
	    "<meta charset=\"utf-8\">\n"
	    "<meta name=\"viewport\" content=\"width=device-width, "
	    "initial-scale=1\">\n<title>", f);
	gen_html(f, title);
	fputs("</title>\n<meta name=\"description\" content=\"", f);
	gen_html(f, desc);
	/* An empty icon: no favicon.ico request, no asset to ship. */
	fputs("\">\n<link rel=\"icon\" href=\"data:,\">\n"
	    "<link rel=\"stylesheet\" href=\"style.css\">\n"
	    "<link rel=\"alternate\" type=\"text/markdown\" href=\"", f);
	gen_html(f, md);
	fputs("\">\n<link rel=\"alternate\" type=\"text/plain\" "
	    "title=\"llms.txt\" href=\"llms.txt\">\n", f);
	/* Discovery from the origin (RFC 8631 relations): the OpenAPI
	   description and the x402 manifest of every paid resource. */
	fputs("<link rel=\"service-desc\" type=\"application/json\" "
	    "title=\"openapi.json\" href=\"openapi.json\">\n"
	    "<link rel=\"service-meta\" type=\"application/json\" "
	    "title=\"x402 discovery\" href=\"" GEN_WELLKNOWN "\">\n", f);
	/* The pay-and-run form's script: ours, from our origin (the
	   Content-Security-Policy allows nothing else). */
	if (script)
		fputs("<script src=\"" GEN_PAY_JS "\" defer></script>\n", f);
	fputs("</head>\n<body>\n"
	    "<a class=\"skip\" href=\"#main\">Skip to content</a>\n"
	    "<header class=\"top\"><nav aria-label=\"site\">"
	    "<a class=\"brand\" href=\"index.html\">synthforge</a> "
	    "<span class=\"sep\">clusters:</span> ", f);
	{
		size_t	 i, j;

		/* Each cluster once, in name order of its first endpoint. */
		for (i = 0; i < g->neps; i++) {
			for (j = 0; j < i; j++)
				if (strcmp(g->eps[j].ep->cluster,
				    g->eps[i].ep->cluster) == 0)
					break;
			if (j < i)
				continue;
			fputs("<a href=\"", f);
			gen_html(f, g->eps[i].ep->cluster);
			fputs(".html\">", f);
			gen_html(f, g->eps[i].ep->cluster);
			fputs("</a> ", f);
		}
	}
	fputs("<span class=\"sep\">\xc2\xb7</span> "
	    "<a href=\"llms.txt\">llms.txt</a> "
	    "<a href=\"registry.json\">registry.json</a> "
	    "<a href=\"openapi.json\">openapi.json</a>"
	    "</nav></header>\n<main id=\"main\">\n", f);
}

static void
html_foot(FILE *f, const struct gen *g, const char *md)
{
	fputs("</main>\n<footer><p>Generated from the synthforge endpoint "
	    "definitions on ", f);
	gen_html(f, g->date_iso);
	fputs(" \xc2\xb7 <a href=\"", f);
	gen_html(f, md);
	fputs("\">Markdown</a> \xc2\xb7 <a href=\"index.html\">index</a>"
	    "</p></footer>\n</body>\n</html>\n", f);
}

static void
html_price_line(FILE *f, const struct gen *g)
{
	size_t	 i;

	fputs("USDC \xc2\xb7 ", f);
	for (i = 0; i < g->cfg->nnets; i++) {
		const struct cfg_net *n = &g->cfg->nets[i];

		if (i > 0)
			fputs(" | ", f);
		fputs("<span title=\"", f);
		gen_html(f, n->network);
		fputs("\">", f);
		gen_html(f, n->network_v1[0] != '\0' ? n->network_v1 :
		    n->network);
		fputs("</span>", f);
	}
	fputs(" \xc2\xb7 scheme: exact", f);
}

static void
html_facts(FILE *f, const struct gen *g, const struct gen_ep *ge)
{
	const struct def_endpoint	*ep = ge->ep;
	char				 range[64];

	fputs("<dl class=\"facts\" id=\"facts\">\n"
	    "<div class=\"fact price\"><dt>PRICE / CALL</dt><dd>"
	    "<span class=\"usd\">$", f);
	gen_html(f, ge->base_usd);
	fputs("</span><small>", f);
	html_price_line(f, g);
	if (ge->lo != ge->hi) {
		gen_price_range(ge, range, sizeof(range));
		fputs("<br>by model: ", f);
		gen_html(f, range);
	}
	if (ep->price_per != NULL) {
		fputs("<br>per ", f);
		gen_html(f, ep->price_per);
	}
	fputs("</small></dd></div>\n<div class=\"fact\"><dt>METHOD</dt><dd>", f);
	gen_html(f, ep->method);
	fputs("</dd></div>\n<div class=\"fact\"><dt>CLUSTER</dt><dd>"
	    "<a href=\"", f);
	gen_html(f, ep->cluster);
	fputs(".html\">", f);
	gen_html(f, ep->cluster);
	fputs("</a></dd></div>\n<div class=\"fact\"><dt>CATEGORY</dt><dd>", f);
	gen_html(f, ep->category);
	fputs("</dd></div>\n<div class=\"fact\"><dt>STATUS</dt><dd>", f);
	if (ge->usable)
		fputs("<span class=\"live\" aria-hidden=\"true\">"
		    "\xe2\x97\x8f</span> live", f);
	else {
		/* Every call is refused before payment: say so first. */
		fputs("<span class=\"down\" aria-hidden=\"true\">"
		    "\xe2\x97\x8b</span> unavailable: ", f);
		gen_html(f, ge->why);
	}
	fputs("</dd></div>\n</dl>\n", f);
}

static void
html_pre(FILE *f, const char *cls, const char *text)
{
	fprintf(f, "<pre class=\"%s\"><code>", cls);
	gen_html(f, text);
	fputs("</code></pre>\n", f);
}

/* The shell line for curl: the body in single quotes. */
static void
html_curl(FILE *f, const struct gen_ep *ge, const char *body)
{
	const char	*p;

	fputs("<pre class=\"code\"><code>curl -i -X ", f);
	gen_html(f, ge->ep->method);
	fputc(' ', f);
	gen_html(f, ge->url);
	fputs(" \\\n  -H 'Content-Type: application/json' \\\n  -d '", f);
	for (p = body; *p != '\0'; p++) {
		char c[2] = { *p, '\0' };

		gen_html(f, *p == '\'' ? "'\\''" : c);
	}
	fputs("'</code></pre>\n", f);
}

static void
html_fetch(FILE *f, const struct gen_ep *ge, const char *body)
{
	fputs("<pre class=\"code\"><code>", f);
	gen_html(f, "import { wrapFetchWithPayment, x402Client } from "
	    "\"@x402/fetch\";\nimport { ExactEvmScheme } from \"@x402/evm\";\n"
	    "import { privateKeyToAccount } from \"viem/accounts\";\n\n"
	    "const account = privateKeyToAccount(process.env.PRIVATE_KEY);\n"
	    "const client = new x402Client()\n"
	    "  .register(\"eip155:*\", new ExactEvmScheme(account));\n"
	    "const pay = wrapFetchWithPayment(fetch, client);\n\n"
	    "const res = await pay(\"");
	gen_html(f, ge->url);
	fputs("\", {\n  method: \"", f);
	gen_html(f, ge->ep->method);
	fputs("\",\n  headers: { \"Content-Type\": \"application/json\" },\n"
	    "  body: JSON.stringify(", f);
	gen_html(f, body);
	fputs("),\n});\nconst result = await res.json();</code></pre>\n", f);
}

static void
html_section(FILE *f, const char *id, const char *title, const char *sub)
{
	fprintf(f, "<section id=\"%s\">\n<h2><a href=\"#%s\">%s</a>", id, id,
	    title);
	if (sub != NULL)
		fprintf(f, " <span class=\"sub\">\xe2\x80\x94 %s</span>", sub);
	fputs("</h2>\n", f);
}

static void
html_section_end(FILE *f)
{
	fputs("</section>\n", f);
}

static void
html_begin(FILE *f, const struct gen *g, const struct gen_ep *ge)
{
	const struct def_endpoint	*ep = ge->ep;
	char				 title[512], md[300];

	snprintf(md, sizeof(md), "%s.html.md", ep->name);
	snprintf(title, sizeof(title), "%s(1) \xe2\x80\x94 %s", ep->name,
	    ep->cluster);
	html_head(f, g, title, ep->summary, md, ge->usable);
	fputs("<p class=\"prompt\" aria-hidden=\"true\">$ man ", f);
	gen_html(f, ep->name);
	fputs("</p>\n<h1>", f);
	gen_html(f, ep->name);
	fputs("(1)</h1>\n<p class=\"crumbs\"><a href=\"index.html\">"
	    "synthforge</a> / <a href=\"", f);
	gen_html(f, ep->cluster);
	fputs(".html\">", f);
	gen_html(f, ep->cluster);
	fputs("</a> / ", f);
	gen_html(f, ep->name);
	fputs("</p>\n", f);
	html_facts(f, g, ge);
}

static void
html_name(FILE *f, const struct gen_ep *ge)
{
	fputs("<p><b>", f);
	gen_html(f, ge->ep->name);
	fputs("</b> \xe2\x80\x94 ", f);
	gen_html(f, ge->title);
	fputs("</p>\n", f);
}

static void
html_synopsis(FILE *f, const struct gen_ep *ge)
{
	const struct def_param	*p;

	fputs("<pre class=\"synopsis\"><code><b>", f);
	gen_html(f, ge->ep->method);
	fputs("</b> ", f);
	gen_html(f, ge->url);
	fputs("\n     Content-Type: application/json\n"
	    "     PAYMENT-SIGNATURE: &lt;base64 payment, x402 v2&gt;\n"
	    "     X-PAYMENT:         &lt;base64 payment, x402 v1&gt;\n\n     { ",
	    f);
	for (p = ge->ep->params; p != NULL && p->name != NULL; p++) {
		fputs(p->required ? "<b>" : "[", f);
		gen_html(f, p->name);
		fputs(p->required ? "</b>" : "]", f);
		fputs(p[1].name != NULL ? ", " : " }", f);
	}
	fputs("</code></pre>\n<p class=\"note\">\xe2\x86\xb3 first call "
	    "\xe2\x86\x92 <b>402 Payment Required</b>.  Sign a USDC "
	    "<code>transferWithAuthorization</code>, retry with the "
	    "<code>PAYMENT-SIGNATURE</code> (v2) or <code>X-PAYMENT</code> (v1) "
	    "header; see <a href=\"x402.7.html\">x402(7)</a>.</p>\n", f);
}

static void
html_para(FILE *f, enum gen_para kind, const char *lead, const char *text)
{
	fputs(kind == GEN_PARA_TEXT ? "<p>" : "<p class=\"note\">", f);
	if (kind == GEN_PARA_WARN)
		fputs("<strong>", f);
	if (lead != NULL) {
		fputs("<b>", f);
		gen_html(f, lead);
		fputs("</b> ", f);
	}
	gen_html(f, text);
	if (kind == GEN_PARA_WARN)
		fputs("</strong>", f);
	fputs("</p>\n", f);
}

static void
html_rows_end(FILE *f)
{
	fputs("</tbody>\n</table></div>\n", f);
}

static void
html_models_begin(FILE *f)
{
	fputs("<h3 id=\"models\">MODELS</h3>\n<div class=\"scroll\">"
	    "<table class=\"models\">\n<thead><tr><th scope=\"col\">model</th>"
	    "<th scope=\"col\">name</th><th scope=\"col\">tier</th>"
	    "<th scope=\"col\">price</th><th scope=\"col\">notes</th></tr>"
	    "</thead>\n<tbody>\n", f);
}

static void
html_model(FILE *f, const struct gen *g, const struct gen_ep *ge,
    const struct def_model *m)
{
	const struct def_endpoint	*ep = ge->ep;
	char				 usd[32], tiers[256], why[160];

	fputs("<tr id=\"model-", f);
	gen_html(f, m->id);
	fputs("\"><td><code>", f);
	gen_html(f, m->id);
	fputs("</code></td><td>", f);
	gen_html(f, m->label);
	fputs("</td><td>", f);
	gen_model_tiers(ep, m->id, tiers, sizeof(tiers));
	gen_html(f, tiers);
	def_usd(def_model_price(ep, m), usd, sizeof(usd));
	fputs("</td><td class=\"num\">$", f);
	gen_html(f, usd);
	fputs("</td><td class=\"desc\">", f);
	gen_html(f, m->notes);
	if (m->retired == NULL &&
	    !gen_model_usable(g, ge, m, why, sizeof(why))) {
		fputs(" <strong>Unavailable on this server: ", f);
		gen_html(f, why);
		fputs(".</strong>", f);
	}
	fputs("</td></tr>\n", f);
}

static void
html_inputs_begin(FILE *f)
{
	fputs("<div class=\"scroll\"><table class=\"params\">\n<thead><tr>"
	    "<th scope=\"col\">property</th><th scope=\"col\">type</th>"
	    "<th scope=\"col\">description</th><th scope=\"col\">req?</th>"
	    "</tr></thead>\n<tbody>\n", f);
}

static void
html_input(FILE *f, const struct def_param *p)
{
	const char *const	*e;
	char			 rules[2048];

	fputs("<tr id=\"input-", f);
	gen_html(f, p->name);
	fputs("\"><td><a class=\"prop\" href=\"#input-", f);
	gen_html(f, p->name);
	fputs("\">", f);
	gen_html(f, p->name);
	fputs("</a></td><td class=\"type\">", f);
	gen_html(f, gen_param_type(p));
	fputs("</td><td class=\"desc\">", f);
	gen_html(f, p->desc);
	if (p->enums != NULL) {
		fputs("<div class=\"enum\">enum: ", f);
		for (e = p->enums; *e != NULL; e++) {
			fputs(e == p->enums ? "<code>" : " \xc2\xb7 <code>", f);
			gen_html(f, *e);
			fputs("</code>", f);
		}
		fputs("</div>", f);
	}
	gen_param_rules(p, 0, rules, sizeof(rules));
	if (rules[0] != '\0') {
		fputs("<div class=\"rules\">", f);
		gen_html(f, rules);
		fputs("</div>", f);
	}
	fprintf(f, "</td><td class=\"%s\">%s</td></tr>\n",
	    p->required ? "req" : "opt", p->required ? "required" : "optional");
}

static void
html_outputs_begin(FILE *f)
{
	fputs("<div class=\"scroll\"><table class=\"params\">\n<thead><tr>"
	    "<th scope=\"col\">field</th><th scope=\"col\">type</th>"
	    "<th scope=\"col\">description</th></tr></thead>\n<tbody>\n", f);
}

static void
html_output(FILE *f, const struct def_output *o)
{
	fputs("<tr id=\"output-", f);
	gen_html(f, o->name);
	fputs("\"><td class=\"prop\">", f);
	gen_html(f, o->name);
	fputs("</td><td class=\"type\">", f);
	gen_html(f, o->type);
	fputs("</td><td class=\"desc\">", f);
	gen_html(f, o->desc);
	fputs("</td></tr>\n", f);
}

static void
html_example(FILE *f, enum gen_example kind, const struct gen_ep *ge,
    const char *text)
{
	switch (kind) {
	case GEN_EX_CURL:
		fputs("<h3 id=\"example-curl\">EXAMPLE 1 \xc2\xb7 curl</h3>\n",
		    f);
		html_curl(f, ge, text);
		break;
	case GEN_EX_FETCH:
		fputs("<h3 id=\"example-fetch\">EXAMPLE 2 \xc2\xb7 "
		    "@x402/fetch</h3>\n", f);
		html_fetch(f, ge, text);
		break;
	case GEN_EX_REQUEST:
		fputs("<h3 id=\"example-request\">request body</h3>\n", f);
		html_pre(f, "code", text);
		break;
	case GEN_EX_RESPONSE:
		fputs("<h3 id=\"example-response\">response (200)</h3>\n", f);
		html_pre(f, "code", text);
		break;
	}
}

static void
html_metadata(FILE *f, const struct gen *g, const struct gen_ep *ge)
{
	const struct def_endpoint	*ep = ge->ep;
	const char *const		*t;

	fputs("<dl class=\"meta\">\n<dt>tags</dt><dd class=\"tags\">", f);
	for (t = ep->tags; t != NULL && *t != NULL; t++) {
		fputs("<span class=\"tag\">", f);
		gen_html(f, *t);
		fputs("</span> ", f);
	}
	fputs("</dd>\n<dt>methods</dt><dd>", f);
	gen_html(f, ep->method);
	fputs("</dd>\n<dt>cluster</dt><dd>", f);
	gen_html(f, ep->cluster);
	fputs("</dd>\n<dt>price</dt><dd>$", f);
	gen_html(f, ge->base_usd);
	fputs(" USDC per ", f);
	gen_html(f, ep->price_per != NULL ? ep->price_per : "call");
	fputs(" (", f);
	gen_html(f, ge->base_amount);
	fputs(" atomic units)</dd>\n<dt>networks</dt><dd>", f);
	gen_html(f, g->networks);
	fputs("</dd>\n<dt>payTo</dt><dd><code>", f);
	gen_html(f, g->cfg->pay_to);
	fputs("</code></dd>\n<dt>resource</dt><dd><code>", f);
	gen_html(f, ge->url);
	fputs("</code></dd>\n</dl>\n", f);
}

/* Endpoint rows (name, summary, price), cheapest first. */
static void
html_peers_begin(FILE *f, int method)
{
	fputs("<div class=\"scroll\"><table class=\"eps\">\n<thead><tr>"
	    "<th scope=\"col\">endpoint</th>", f);
	if (method)
		fputs("<th scope=\"col\">method</th>", f);
	fputs("<th scope=\"col\">description</th><th scope=\"col\">price</th>"
	    "</tr></thead>\n<tbody>\n", f);
}

/* An endpoint refused here is marked in every table that lists it. */
static void
html_peer(FILE *f, const struct gen *g, const struct gen_ep *ge, int method)
{
	char	 range[64];

	(void)g;
	fputs("<tr id=\"ep-", f);
	gen_html(f, ge->ep->name);
	fputs("\"><td><a href=\"", f);
	gen_html(f, ge->ep->name);
	fputs(".html\">", f);
	gen_html(f, ge->ep->name);
	fputs("</a></td>", f);
	if (method) {
		fputs("<td>", f);
		gen_html(f, ge->ep->method);
		fputs("</td>", f);
	}
	fputs("<td class=\"desc\">", f);
	if (!ge->usable) {
		fputs("<strong class=\"down\">unavailable: ", f);
		gen_html(f, ge->why);
		fputs("</strong> \xc2\xb7 ", f);
	}
	gen_html(f, ge->ep->summary);
	gen_price_range(ge, range, sizeof(range));
	fputs("</td><td class=\"num\">", f);
	gen_html(f, range);
	fputs("</td></tr>\n", f);
}

static void
html_see_also(FILE *f, const struct gen *g, const struct gen_ep *ge)
{
	(void)g;
	fputs("<p class=\"seealso\"><a href=\"", f);
	gen_html(f, ge->ep->name);
	fputs(".1.html\">", f);
	gen_html(f, ge->ep->name);
	fputs("(1)</a> \xc2\xb7 <a href=\"synthforge.7.html\">synthforge(7)</a>"
	    " \xc2\xb7 <a href=\"x402.7.html\">x402(7)</a> \xc2\xb7 "
	    "<a href=\"jobs.7.html\">jobs(7)</a> \xc2\xb7 <a href=\"mcp.7.html\">mcp(7)</a> \xc2\xb7 "
	    "<a href=\"llms.txt\">llms.txt</a> \xc2\xb7 "
	    "<a href=\"registry.json\">registry.json</a> \xc2\xb7 "
	    "<a href=\"openapi.json\">openapi.json</a> \xc2\xb7 "
	    "<a href=\"", f);
	gen_html(f, ge->ep->name);
	fputs(".html.md\">Markdown</a></p>\n", f);
}

static void
html_end(FILE *f, const struct gen *g, const struct gen_ep *ge)
{
	char	 md[300];

	snprintf(md, sizeof(md), "%s.html.md", ge->ep->name);
	html_foot(f, g, md);
}

static const struct gen_page_fmt html_fmt = {
	.suffix = ".html",
	.begin = html_begin,
	.section = html_section,
	.section_end = html_section_end,
	.name = html_name,
	.synopsis = html_synopsis,
	.para = html_para,
	.models_begin = html_models_begin,
	.model = html_model,
	.inputs_begin = html_inputs_begin,
	.input = html_input,
	.outputs_begin = html_outputs_begin,
	.output = html_output,
	.rows_end = html_rows_end,
	.example = html_example,
	.metadata = html_metadata,
	.peers_begin = html_peers_begin,
	.peer = html_peer,
	.see_also = html_see_also,
	.tryit = gen_try_form,
	.end = html_end,
};

/* Endpoint rows of one cluster, cheapest first. */
static int
html_ep_table(FILE *f, const struct gen *g, const char *cluster, int method)
{
	const struct gen_ep	**v;
	size_t			 i, n;

	if ((v = calloc(g->neps, sizeof(*v))) == NULL) {
		fprintf(stderr, "sf-gen: out of memory\n");
		return -1;
	}
	n = gen_peers(g, cluster, NULL, v);
	html_peers_begin(f, method);
	for (i = 0; i < n; i++)
		html_peer(f, g, v[i], method);
	html_rows_end(f);
	free(v);
	return 0;
}

static void
html_pay_intro(FILE *f, const struct gen *g)
{
	char	 note[2048];

	fputs("<p>Pay-per-call generative media over HTTP.  Every endpoint "
	    "takes a JSON body and is paid per call in USDC with "
	    "<a href=\"x402.7.html\">x402</a>: the first call answers "
	    "<b>402 Payment Required</b> with the offers, the client signs an "
	    "EIP-3009 authorization and retries.  No account, no API key.</p>\n"
	    "<dl class=\"meta\">\n<dt>networks</dt><dd>", f);
	gen_html(f, g->networks);
	fputs("</dd>\n<dt>payTo</dt><dd><code>", f);
	gen_html(f, g->cfg->pay_to);
	fputs("</code></dd>\n<dt>base URL</dt><dd><code>", f);
	gen_html(f, g->cfg->public_url);
	fputs("</code></dd>\n<dt>machine-readable</dt><dd>"
	    "<a href=\"llms.txt\">llms.txt</a> \xc2\xb7 "
	    "<a href=\"registry.json\">registry.json</a> (x402 Bazaar) "
	    "\xc2\xb7 <a href=\"openapi.json\">openapi.json</a> "
	    "\xc2\xb7 jobs: <a href=\"jobs.7.html\">jobs(7)</a> \xc2\xb7 MCP: "
	    "<a href=\"mcp.7.html\">mcp(7)</a></dd>\n</dl>\n", f);
	if (gen_wallet_note(g, note, sizeof(note))) {
		fputs("<p>", f);
		gen_html(f, note);
		fputs("</p>\n", f);
	}
}

static int
html_cluster(const struct gen *g, const char *cluster)
{
	struct gen_file	 o;
	FILE		*f;
	char		 name[128], md[140], title[256];

	snprintf(name, sizeof(name), "%s.html", cluster);
	snprintf(md, sizeof(md), "%s.html.md", cluster);
	snprintf(title, sizeof(title), "%s \xe2\x80\x94 cluster", cluster);
	if ((f = gen_open(&o, g->wwwdir, name)) == NULL)
		return -1;
	html_head(f, g, title, "Every endpoint of the cluster with its price.",
	    md, 0);
	fputs("<p class=\"prompt\" aria-hidden=\"true\">$ apropos ", f);
	gen_html(f, cluster);
	fputs("</p>\n<h1>", f);
	gen_html(f, cluster);
	fputs("</h1>\n<p class=\"crumbs\"><a href=\"index.html\">synthforge"
	    "</a> / ", f);
	gen_html(f, cluster);
	fputs("</p>\n", f);
	html_section(f, "description", "DESCRIPTION", NULL);
	html_pay_intro(f, g);
	fputs("</section>\n", f);
	html_section(f, "endpoints", "ENDPOINTS", "cheapest first");
	if (html_ep_table(f, g, cluster, 1) == -1) {
		gen_abort(&o);
		return -1;
	}
	fputs("</section>\n", f);
	html_section(f, "see-also", "SEE ALSO", NULL);
	fputs("<p class=\"seealso\"><a href=\"synthforge.7.html\">"
	    "synthforge(7)</a> \xc2\xb7 <a href=\"x402.7.html\">x402(7)</a> "
	    "\xc2\xb7 <a href=\"jobs.7.html\">jobs(7)</a> \xc2\xb7 <a href=\"mcp.7.html\">mcp(7)</a></p>\n</section>\n", f);
	html_foot(f, g, md);
	return gen_close(&o);
}

static int
html_index(const struct gen *g)
{
	struct gen_file	 o;
	FILE		*f;
	size_t		 i, j;

	if ((f = gen_open(&o, g->wwwdir, "index.html")) == NULL)
		return -1;
	html_head(f, g, "synthforge \xe2\x80\x94 pay-per-call generative media",
	    "Image, audio and video generation endpoints paid per call in "
	    "USDC over x402.", "index.html.md", 0);
	fputs("<p class=\"prompt\" aria-hidden=\"true\">$ man synthforge</p>\n"
	    "<h1>synthforge(7)</h1>\n", f);
	html_section(f, "description", "DESCRIPTION", NULL);
	html_pay_intro(f, g);
	fputs("</section>\n", f);
	/* One table per category, categories in name order. */
	html_section(f, "endpoints", "ENDPOINTS", NULL);
	for (i = 0; i < g->neps; i++) {
		const char *cat = g->eps[i].ep->category;

		for (j = 0; j < i; j++)
			if (strcmp(g->eps[j].ep->category, cat) == 0)
				break;
		if (j < i)
			continue;
		fputs("<h3 id=\"category-", f);
		gen_html(f, cat);
		fputs("\">", f);
		gen_html(f, cat);
		fputs("</h3>\n", f);
		html_peers_begin(f, 0);
		for (j = i; j < g->neps; j++)
			if (strcmp(g->eps[j].ep->category, cat) == 0)
				html_peer(f, g, &g->eps[j], 0);
		html_rows_end(f);
	}
	fputs("</section>\n", f);
	html_section(f, "see-also", "SEE ALSO", NULL);
	fputs("<p class=\"seealso\"><a href=\"synthforge.7.html\">"
	    "synthforge(7)</a> \xc2\xb7 <a href=\"x402.7.html\">x402(7)</a> "
	    "\xc2\xb7 <a href=\"jobs.7.html\">jobs(7)</a> \xc2\xb7 <a href=\"mcp.7.html\">mcp(7)</a> \xc2\xb7 "
	    "<a href=\"llms.txt\">llms.txt</a></p>\n</section>\n", f);
	html_foot(f, g, "index.html.md");
	return gen_close(&o);
}

int
gen_site(const struct gen *g)
{
	size_t	 i, j;

	for (i = 0; i < g->neps; i++)
		for (j = 0; j < g->neps; j++)
			if (strcmp(g->eps[i].ep->name,
			    g->eps[j].ep->cluster) == 0 ||
			    strcmp(g->eps[i].ep->cluster, "index") == 0) {
				fprintf(stderr, "sf-gen: cluster %s would "
				    "overwrite an endpoint page\n",
				    g->eps[j].ep->cluster);
				return -1;
			}
	for (i = 0; i < g->neps; i++)
		if (gen_page_endpoint(g, &g->eps[i], &html_fmt) == -1)
			return -1;
	for (i = 0; i < g->neps; i++) {
		for (j = 0; j < i; j++)
			if (strcmp(g->eps[j].ep->cluster,
			    g->eps[i].ep->cluster) == 0)
				break;
		if (j == i && html_cluster(g, g->eps[i].ep->cluster) == -1)
			return -1;
	}
	return html_index(g);
}
