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
#include "x402/x402_challenge.h"

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
md_ep_rows(FILE *f, const struct gen *g, const struct gen_ep **v, size_t n)
{
	size_t	 i;
	char	 range[64], path[256];

	fputs("| endpoint | description | price |\n|---|---|---|\n", f);
	for (i = 0; i < n; i++) {
		fputs("| ", f);
		snprintf(path, sizeof(path), "%s.html.md", v[i]->ep->name);
		md_link(f, g, v[i]->ep->name, path);
		fputs(" | ", f);
		gen_md_cell(f, v[i]->ep->summary);
		gen_price_range(v[i], range, sizeof(range));
		fputs(" | ", f);
		gen_md_cell(f, range);
		fputs(" |\n", f);
	}
	fputc('\n', f);
}

static void
md_see_also(FILE *f, const struct gen *g, const char *name)
{
	char	 path[128], text[128];

	fputs("## SEE ALSO\n\n", f);
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
	md_link(f, g, "mcp(7)", "mcp.7.html");
	fputs(" · ", f);
	md_link(f, g, "llms.txt", "llms.txt");
	fputs(" · ", f);
	md_link(f, g, "registry.json", "registry.json");
	fputs(" · ", f);
	md_link(f, g, "openapi.json", "openapi.json");
	fputs("\n", f);
}

static int
md_endpoint(const struct gen *g, const struct gen_ep *ge)
{
	const struct def_endpoint	*ep = ge->ep;
	const struct def_param		*p;
	const struct def_model		*m;
	const struct def_output		*o;
	const char *const		*t;
	const struct gen_ep		**v;
	struct gen_file			 out;
	FILE				*f;
	char				 name[256], rules[2048], range[64];
	char				 usd[32], tiers[256], status[200];
	char				 why[160], note[512];
	char				*body = NULL, *pretty = NULL, *res = NULL;
	char				*curl = NULL;
	size_t				 n, len;
	int				 rc = -1;

	if ((v = calloc(g->neps, sizeof(*v))) == NULL ||
	    (body = gen_example_body(ep, 0)) == NULL ||
	    (pretty = gen_example_body(ep, 1)) == NULL ||
	    (res = gen_example_output(ep)) == NULL) {
		fprintf(stderr, "sf-gen: %s: out of memory\n", ep->name);
		goto done;
	}
	snprintf(name, sizeof(name), "%s.html.md", ep->name);
	if ((f = gen_open(&out, g->wwwdir, name)) == NULL)
		goto done;

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
	fputs("\n\n## NAME\n\n", f);
	fprintf(f, "**%s** — ", ep->name);
	gen_md(f, ge->title);

	fputs("\n\n## SYNOPSIS\n\n", f);
	fprintf(f, "```http\n%s %s\nContent-Type: application/json\n"
	    "PAYMENT-SIGNATURE: <base64 payment, x402 v2>\n"
	    "X-PAYMENT: <base64 payment, x402 v1>\n\n", ep->method, ge->url);
	fputs("{ ", f);
	for (p = ep->params; p != NULL && p->name != NULL; p++)
		fprintf(f, "%s%s%s%s", p->required ? "" : "[", p->name,
		    p->required ? "" : "]", p[1].name != NULL ? ", " : " }");
	fputs("\n```\n\nThe first call answers **402 Payment Required**; sign "
	    "a USDC `transferWithAuthorization` and retry with the "
	    "`PAYMENT-SIGNATURE` (v2) or `X-PAYMENT` (v1) header.\n\n", f);
	if (cfg_settle_first(g->cfg, ep->name, ge->base_amount))
		fputs("**Settle first:** " X402_SETTLE_FIRST_NOTE "\n\n", f);
	fputs("## DESCRIPTION\n\n", f);
	gen_md(f, ep->description);
	fputs("\n\n", f);
	if (ep->price_note != NULL) {
		gen_md(f, ep->price_note);
		fputs("\n\n", f);
	}
	if (gen_offline_note(g, ge, note, sizeof(note))) {
		gen_md(f, note);
		fputs("\n\n", f);
	}
	if (ep->models != NULL && ep->models->id != NULL) {
		fputs("### MODELS\n\n| model | name | tier | price | notes |\n"
		    "|---|---|---|---|---|\n", f);
		for (m = ep->models; m->id != NULL; m++) {
			fputs("| ", f);
			md_code(f, m->id);
			fputs(" | ", f);
			gen_md_cell(f, m->label);
			gen_model_tiers(ep, m->id, tiers, sizeof(tiers));
			fputs(" | ", f);
			gen_md_cell(f, tiers);
			def_usd(def_model_price(ep, m), usd, sizeof(usd));
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
		fputc('\n', f);
	}

	fputs("## INPUT — request schema\n\n"
	    "| property | type | description | req? |\n|---|---|---|---|\n", f);
	for (p = ep->params; p != NULL && p->name != NULL; p++) {
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
	fputs("\n## OUTPUT — response shape\n\n"
	    "| field | type | description |\n|---|---|---|\n", f);
	for (o = ep->outputs; o != NULL && o->name != NULL; o++) {
		fputs("| ", f);
		md_code(f, o->name);
		fputs(" | ", f);
		gen_md_cell(f, o->type);
		fputs(" | ", f);
		gen_md_cell(f, o->desc);
		fputs(" |\n", f);
	}

	fputs("\n## EXAMPLES\n\n### curl\n\n", f);
	len = strlen(body) * 4 + strlen(ge->url) + 128;
	if ((curl = malloc(len)) == NULL) {
		gen_abort(&out);
		goto done;
	}
	{
		char		*q;
		const char	*s;

		q = curl + snprintf(curl, len, "curl -i -X %s %s \\\n"
		    "  -H 'Content-Type: application/json' \\\n  -d '",
		    ep->method, ge->url);
		for (s = body; *s != '\0'; s++)
			if (*s == '\'') {
				memcpy(q, "'\\''", 4);
				q += 4;
			} else
				*q++ = *s;
		*q++ = '\'';
		*q = '\0';
	}
	md_fence(f, "sh", curl);
	fputs("The first response is 402 Payment Required with the payment "
	    "requirements; sign and retry.\n\n### @x402/fetch\n\n", f);
	fprintf(f, "```js\nimport { wrapFetchWithPayment, x402Client } from "
	    "\"@x402/fetch\";\nimport { ExactEvmScheme } from \"@x402/evm\";\n"
	    "import { privateKeyToAccount } from \"viem/accounts\";\n\n"
	    "const account = privateKeyToAccount(process.env.PRIVATE_KEY);\n"
	    "const client = new x402Client()\n"
	    "  .register(\"eip155:*\", new ExactEvmScheme(account));\n"
	    "const pay = wrapFetchWithPayment(fetch, client);\n\n"
	    "const res = await pay(\"%s\", {\n  method: \"%s\",\n"
	    "  headers: { \"Content-Type\": \"application/json\" },\n"
	    "  body: JSON.stringify(%s),\n});\n"
	    "const result = await res.json();\n```\n\n", ge->url, ep->method,
	    body);
	fputs("### request body\n\n", f);
	md_fence(f, "json", pretty);
	fputs("### response (200)\n\n", f);
	md_fence(f, "json", res);

	fputs("## METADATA\n\n- tags: ", f);
	for (t = ep->tags; t != NULL && *t != NULL; t++) {
		md_code(f, *t);
		fputs(t[1] != NULL ? ", " : "", f);
	}
	fprintf(f, "\n- methods: %s\n- cluster: ", ep->method);
	gen_md(f, ep->cluster);
	fprintf(f, "\n- price: $%s USDC per %s\n- payTo: ", ge->base_usd,
	    ep->price_per != NULL ? ep->price_per : "call");
	md_code(f, g->cfg->pay_to);
	fputs("\n\n## ADJACENT — other endpoints in ", f);
	gen_md(f, ep->cluster);
	fputs("\n\n", f);
	n = gen_peers(g, ep->cluster, ge, v);
	md_ep_rows(f, g, v, n);
	md_see_also(f, g, ep->name);
	rc = gen_close(&out);
done:
	free(v);
	free(body);
	free(pretty);
	free(res);
	free(curl);
	return rc;
}

static void
md_intro(FILE *f, const struct gen *g)
{
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
		if (md_endpoint(g, &g->eps[i]) == -1)
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
