/*
 * The Markdown copy of each page at its URL + ".md" (llmstxt.org): the
 * same sections as the HTML, written directly rather than converted, with
 * absolute links so a copy read on its own still leads somewhere.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "basics/cfg.h"
#include "basics/def.h"
#include "gen.h"

/* A fenced block whose fence is longer than any backtick run inside. */
static void
md_fence(FILE *f, const char *lang, const char *text)
{
	const char	*p;
	size_t		 run = 0, longest = 0, i;

	for (p = text; *p != '\0'; p++) {
		run = *p == '`' ? run + 1 : 0;
		if (run > longest)
			longest = run;
	}
	for (i = 0; i < (longest < 3 ? 3 : longest + 1); i++)
		fputc('`', f);
	fprintf(f, "%s\n%s\n", lang, text);
	for (i = 0; i < (longest < 3 ? 3 : longest + 1); i++)
		fputc('`', f);
	fputs("\n\n", f);
}

/* `code` unless the text holds a backtick, then plain escaped text. */
static void
md_code(FILE *f, const char *s)
{
	if (strchr(s, '`') != NULL)
		gen_md_cell(f, s);
	else
		fprintf(f, "`%s`", s);
}

static void
md_link(FILE *f, const struct gen *g, const char *text, const char *path)
{
	fputc('[', f);
	gen_md(f, text);
	fprintf(f, "](%s/%s)", g->cfg->public_url, path);
}

static void
md_peers_begin(FILE *f, int method)
{
	(void)method;
	fputs("| endpoint | description | price |\n|---|---|---|\n", f);
}

/* An endpoint refused here is marked in every table that lists it. */
static void
md_peer(FILE *f, const struct gen *g, const struct gen_ep *ge, int method)
{
	char	 range[64], path[256];

	(void)method;
	fputs("| ", f);
	snprintf(path, sizeof(path), "%s.html.md", ge->ep->name);
	md_link(f, g, ge->ep->name, path);
	fputs(" | ", f);
	if (!ge->usable) {
		fputs("**unavailable: ", f);
		gen_md_cell(f, ge->why);
		fputs("** · ", f);
	}
	gen_md_cell(f, ge->ep->summary);
	gen_price_range(ge, range, sizeof(range));
	fputs(" | ", f);
	gen_md_cell(f, range);
	fputs(" |\n", f);
}

static void
md_ep_rows(FILE *f, const struct gen *g, const struct gen_ep **v, size_t n)
{
	size_t	 i;

	md_peers_begin(f, 0);
	for (i = 0; i < n; i++)
		md_peer(f, g, v[i], 0);
	fputc('\n', f);
}

static void
md_see_also_links(FILE *f, const struct gen *g, const char *name)
{
	char	 path[128], text[128];

	if (name != NULL) {
		snprintf(path, sizeof(path), "%s.1.html", name);
		snprintf(text, sizeof(text), "%s(1)", name);
		md_link(f, g, text, path);
		fputs(" · ", f);
	}
	md_link(f, g, "synthforge(7)", "synthforge.7.html");
	fputs(" · ", f);
	md_link(f, g, "x402(7)", "x402.7.html");
	fputs(" · ", f);
	md_link(f, g, "jobs(7)", "jobs.7.html");
	fputs(" · ", f);
	md_link(f, g, "mcp(7)", "mcp.7.html");
	fputs(" · ", f);
	md_link(f, g, "llms.txt", "llms.txt");
	fputs(" · ", f);
	md_link(f, g, "registry.json", "registry.json");
	fputs(" · ", f);
	md_link(f, g, "openapi.json", "openapi.json");
	fputs("\n", f);
}

static void
md_see_also(FILE *f, const struct gen *g, const char *name)
{
	fputs("## SEE ALSO\n\n", f);
	md_see_also_links(f, g, name);
}

static void
md_section(FILE *f, const char *id, const char *title, const char *sub)
{
	(void)id;
	fprintf(f, "## %s", title);
	if (sub != NULL)
		fprintf(f, " — %s", sub);
	fputs("\n\n", f);
}

static void
md_section_end(FILE *f)
{
	(void)f;
}

static void
md_begin(FILE *f, const struct gen *g, const struct gen_ep *ge)
{
	const struct def_endpoint	*ep = ge->ep;
	char				 range[64], status[200];

	fprintf(f, "# %s(1) — %s\n\n> ", ep->name, ep->cluster);
	gen_md(f, ep->summary);
	fputs("\n\n", f);
	fprintf(f, "- price: $%s USDC per %s (%s atomic units), x402 scheme "
	    "exact\n", ge->base_usd,
	    ep->price_per != NULL ? ep->price_per : "call", ge->base_amount);
	if (ge->lo != ge->hi) {
		gen_price_range(ge, range, sizeof(range));
		fprintf(f, "- price by model: %s\n", range);
	}
	fputs("- networks: ", f);
	gen_md(f, g->networks);
	fprintf(f, "\n- method: %s\n- URL: ", ep->method);
	md_code(f, ge->url);
	fputs("\n- cluster: ", f);
	gen_md(f, ep->cluster);
	fputs(" · category: ", f);
	gen_md(f, ep->category);
	gen_status_text(ge, status, sizeof(status));
	fputs(" · status: ", f);
	gen_md(f, status);
	fputs("\n\n", f);
}

static void
md_name(FILE *f, const struct gen_ep *ge)
{
	fprintf(f, "**%s** — ", ge->ep->name);
	gen_md(f, ge->title);
	fputs("\n\n", f);
}

static void
md_synopsis(FILE *f, const struct gen_ep *ge)
{
	const struct def_param	*p;

	fprintf(f, "```http\n%s %s\nContent-Type: application/json\n"
	    "PAYMENT-SIGNATURE: <base64 payment, x402 v2>\n"
	    "X-PAYMENT: <base64 payment, x402 v1>\n\n", ge->ep->method,
	    ge->url);
	fputs("{ ", f);
	for (p = ge->ep->params; p != NULL && p->name != NULL; p++)
		fprintf(f, "%s%s%s%s", p->required ? "" : "[", p->name,
		    p->required ? "" : "]", p[1].name != NULL ? ", " : " }");
	fputs("\n```\n\nThe first call answers **402 Payment Required**; sign "
	    "a USDC `transferWithAuthorization` and retry with the "
	    "`PAYMENT-SIGNATURE` (v2) or `X-PAYMENT` (v1) header.\n\n", f);
}

static void
md_para(FILE *f, enum gen_para kind, const char *lead, const char *text)
{
	if (kind == GEN_PARA_WARN)
		fputs("**", f);
	if (lead != NULL) {
		fputs(kind == GEN_PARA_WARN ? "" : "**", f);
		gen_md(f, lead);
		fputs(kind == GEN_PARA_WARN ? " " : "** ", f);
	}
	gen_md(f, text);
	if (kind == GEN_PARA_WARN)
		fputs("**", f);
	fputs("\n\n", f);
}

static void
md_rows_end(FILE *f)
{
	fputc('\n', f);
}

static void
md_models_begin(FILE *f)
{
	fputs("### MODELS\n\n| model | name | tier | price | notes |\n"
	    "|---|---|---|---|---|\n", f);
}

static void
md_model(FILE *f, const struct gen *g, const struct gen_ep *ge,
    const struct def_model *m)
{
	char	 usd[32], tiers[256], why[160];

	fputs("| ", f);
	md_code(f, m->id);
	fputs(" | ", f);
	gen_md_cell(f, m->label);
	gen_model_tiers(ge->ep, m->id, tiers, sizeof(tiers));
	fputs(" | ", f);
	gen_md_cell(f, tiers);
	def_usd(def_model_price(ge->ep, m), usd, sizeof(usd));
	fprintf(f, " | $%s | ", usd);
	gen_md_cell(f, m->notes);
	if (m->retired == NULL &&
	    !gen_model_usable(g, ge, m, why, sizeof(why))) {
		fputs(" **Unavailable on this server: ", f);
		gen_md_cell(f, why);
		fputs(".**", f);
	}
	fputs(" |\n", f);
}

static void
md_inputs_begin(FILE *f)
{
	fputs("| property | type | description | req? |\n|---|---|---|---|\n",
	    f);
}

static void
md_input(FILE *f, const struct def_param *p)
{
	char	 rules[2048];

	fputs("| ", f);
	md_code(f, p->name);
	fprintf(f, " | %s | ", gen_param_type(p));
	gen_md_cell(f, p->desc);
	gen_param_rules(p, 1, rules, sizeof(rules));
	if (rules[0] != '\0') {
		fputs(" (", f);
		gen_md_cell(f, rules);
		fputc(')', f);
	}
	fprintf(f, " | %s |\n", p->required ? "required" : "optional");
}

static void
md_outputs_begin(FILE *f)
{
	fputs("| field | type | description |\n|---|---|---|\n", f);
}

static void
md_output(FILE *f, const struct def_output *o)
{
	fputs("| ", f);
	md_code(f, o->name);
	fputs(" | ", f);
	gen_md_cell(f, o->type);
	fputs(" | ", f);
	gen_md_cell(f, o->desc);
	fputs(" |\n", f);
}

/* The shell line for curl: the body in single quotes. */
static void
md_curl(FILE *f, const struct gen_ep *ge, const char *body)
{
	char		*curl, *q;
	const char	*s;
	size_t		 len;

	len = strlen(body) * 4 + strlen(ge->url) + 128;
	if ((curl = malloc(len)) == NULL) {
		fputs("(out of memory)\n\n", f);
		return;
	}
	q = curl + snprintf(curl, len, "curl -i -X %s %s \\\n"
	    "  -H 'Content-Type: application/json' \\\n  -d '",
	    ge->ep->method, ge->url);
	for (s = body; *s != '\0'; s++)
		if (*s == '\'') {
			memcpy(q, "'\\''", 4);
			q += 4;
		} else
			*q++ = *s;
	*q++ = '\'';
	*q = '\0';
	md_fence(f, "sh", curl);
	free(curl);
}

static void
md_example(FILE *f, enum gen_example kind, const struct gen_ep *ge,
    const char *text)
{
	switch (kind) {
	case GEN_EX_CURL:
		fputs("### curl\n\n", f);
		md_curl(f, ge, text);
		break;
	case GEN_EX_FETCH:
		fprintf(f, "### @x402/fetch\n\n```js\nimport { "
		    "wrapFetchWithPayment, x402Client } from \"@x402/fetch\";\n"
		    "import { ExactEvmScheme } from \"@x402/evm\";\n"
		    "import { privateKeyToAccount } from \"viem/accounts\";\n\n"
		    "const account = privateKeyToAccount(process.env."
		    "PRIVATE_KEY);\nconst client = new x402Client()\n"
		    "  .register(\"eip155:*\", new ExactEvmScheme(account));\n"
		    "const pay = wrapFetchWithPayment(fetch, client);\n\n"
		    "const res = await pay(\"%s\", {\n  method: \"%s\",\n"
		    "  headers: { \"Content-Type\": \"application/json\" },\n"
		    "  body: JSON.stringify(%s),\n});\n"
		    "const result = await res.json();\n```\n\n", ge->url,
		    ge->ep->method, text);
		break;
	case GEN_EX_REQUEST:
		fputs("### request body\n\n", f);
		md_fence(f, "json", text);
		break;
	case GEN_EX_RESPONSE:
		fputs("### response (200)\n\n", f);
		md_fence(f, "json", text);
		break;
	}
}

static void
md_metadata(FILE *f, const struct gen *g, const struct gen_ep *ge)
{
	const struct def_endpoint	*ep = ge->ep;
	const char *const		*t;

	fputs("- tags: ", f);
	for (t = ep->tags; t != NULL && *t != NULL; t++) {
		md_code(f, *t);
		fputs(t[1] != NULL ? ", " : "", f);
	}
	fprintf(f, "\n- methods: %s\n- cluster: ", ep->method);
	gen_md(f, ep->cluster);
	fprintf(f, "\n- price: $%s USDC per %s\n- payTo: ", ge->base_usd,
	    ep->price_per != NULL ? ep->price_per : "call");
	md_code(f, g->cfg->pay_to);
	fputs("\n\n", f);
}

static void
md_see_also_ep(FILE *f, const struct gen *g, const struct gen_ep *ge)
{
	md_see_also_links(f, g, ge->ep->name);
}

static void
md_end(FILE *f, const struct gen *g, const struct gen_ep *ge)
{
	(void)f;
	(void)g;
	(void)ge;
}

static const struct gen_page_fmt md_fmt = {
	.suffix = ".html.md",
	.begin = md_begin,
	.section = md_section,
	.section_end = md_section_end,
	.name = md_name,
	.synopsis = md_synopsis,
	.para = md_para,
	.models_begin = md_models_begin,
	.model = md_model,
	.inputs_begin = md_inputs_begin,
	.input = md_input,
	.outputs_begin = md_outputs_begin,
	.output = md_output,
	.rows_end = md_rows_end,
	.example = md_example,
	.metadata = md_metadata,
	.peers_begin = md_peers_begin,
	.peer = md_peer,
	.see_also = md_see_also_ep,
	.tryit = NULL,
	.end = md_end,
};

static void
md_intro(FILE *f, const struct gen *g)
{
	char	 note[2048];

	fputs("Pay-per-call generative media over HTTP.  Every endpoint takes a "
	    "JSON body and is paid per call in USDC with x402: the first call "
	    "answers 402 Payment Required with the offers, the client signs an "
	    "EIP-3009 authorization and retries.  No account, no API key.\n\n"
	    "- networks: ", f);
	gen_md(f, g->networks);
	fputs("\n- payTo: ", f);
	md_code(f, g->cfg->pay_to);
	fputs("\n- base URL: ", f);
	md_code(f, g->cfg->public_url);
	fputs("\n\n", f);
	if (gen_wallet_note(g, note, sizeof(note))) {
		gen_md(f, note);
		fputs("\n\n", f);
	}
}

static int
md_cluster(const struct gen *g, const char *cluster)
{
	struct gen_file		 o;
	const struct gen_ep	**v;
	FILE			*f;
	char			 name[128];
	size_t			 n;

	snprintf(name, sizeof(name), "%s.html.md", cluster);
	if ((v = calloc(g->neps, sizeof(*v))) == NULL)
		return -1;
	if ((f = gen_open(&o, g->wwwdir, name)) == NULL) {
		free(v);
		return -1;
	}
	fprintf(f, "# %s — cluster\n\n> Every endpoint of the cluster with its "
	    "price.\n\n## DESCRIPTION\n\n", cluster);
	md_intro(f, g);
	fputs("## ENDPOINTS — cheapest first\n\n", f);
	n = gen_peers(g, cluster, NULL, v);
	md_ep_rows(f, g, v, n);
	md_see_also(f, g, NULL);
	free(v);
	return gen_close(&o);
}

static int
md_index(const struct gen *g)
{
	struct gen_file		 o;
	const struct gen_ep	**v;
	FILE			*f;
	size_t			 i, j, n;

	if ((v = calloc(g->neps, sizeof(*v))) == NULL)
		return -1;
	if ((f = gen_open(&o, g->wwwdir, "index.html.md")) == NULL) {
		free(v);
		return -1;
	}
	fputs("# synthforge(7)\n\n> Image, audio and video generation "
	    "endpoints paid per call in USDC over x402.\n\n## DESCRIPTION\n\n",
	    f);
	md_intro(f, g);
	fputs("## ENDPOINTS\n\n", f);
	for (i = 0; i < g->neps; i++) {
		const char *cat = g->eps[i].ep->category;

		for (j = 0; j < i; j++)
			if (strcmp(g->eps[j].ep->category, cat) == 0)
				break;
		if (j < i)
			continue;
		fprintf(f, "### %s\n\n", cat);
		for (n = 0, j = i; j < g->neps; j++)
			if (strcmp(g->eps[j].ep->category, cat) == 0)
				v[n++] = &g->eps[j];
		md_ep_rows(f, g, v, n);
	}
	md_see_also(f, g, NULL);
	free(v);
	return gen_close(&o);
}

int
gen_markdown(const struct gen *g)
{
	size_t	 i, j;

	for (i = 0; i < g->neps; i++)
		if (gen_page_endpoint(g, &g->eps[i], &md_fmt) == -1)
			return -1;
	for (i = 0; i < g->neps; i++) {
		for (j = 0; j < i; j++)
			if (strcmp(g->eps[j].ep->cluster,
			    g->eps[i].ep->cluster) == 0)
				break;
		if (j == i && md_cluster(g, g->eps[i].ep->cluster) == -1)
			return -1;
	}
	return md_index(g);
}
