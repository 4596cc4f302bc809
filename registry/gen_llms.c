/*
 * llms.txt in the llmstxt.org shape: an H1, a blockquote summary, a
 * paragraph, then H2 file lists of "- [name](url): notes" (one list per
 * category, linking each endpoint's Markdown page) and "## Optional".
 */
#include <stdio.h>
#include <string.h>

#include "basics/cfg.h"
#include "basics/def.h"
#include "gen.h"

/* Notes run to the end of the line: no newlines in them. */
static void
llms_notes(FILE *f, const char *s)
{
	for (; *s != '\0'; s++)
		fputc(*s == '\n' || *s == '\r' ? ' ' : *s, f);
}

static void
llms_item(FILE *f, const struct gen *g, const char *title, const char *path,
    const char *notes)
{
	fputs("- [", f);
	/* The reference parser ends the title at the first ']'. */
	for (; *title != '\0'; title++)
		if (*title != '[' && *title != ']')
			fputc(*title, f);
	fprintf(f, "](%s/%s): ", g->cfg->public_url, path);
	llms_notes(f, notes);
	fputc('\n', f);
}

int
gen_llms(const struct gen *g)
{
	struct gen_file	 o;
	FILE		*f;
	size_t		 i, j;
	char		 path[256], notes[2048], range[64], status[256];

	if ((f = gen_open(&o, g->wwwdir, "llms.txt")) == NULL)
		return -1;
	fputs("# synthforge\n\n> Pay-per-call generative media endpoints "
	    "(image, audio, video) over HTTP.  Payment: x402 (HTTP 402), USDC "
	    "on ", f);
	llms_notes(f, g->networks);
	fputs("; no account or API key.\n\n", f);
	fprintf(f, "Every endpoint takes a JSON body by POST and answers an "
	    "unpaid request with 402 and a `PAYMENT-REQUIRED` header (x402 v2; "
	    "the JSON body carries the v1 form).  Sign an EIP-3009 "
	    "`transferWithAuthorization` for one of the offers and retry with "
	    "`PAYMENT-SIGNATURE` (v2) or `X-PAYMENT` (v1).  Payments go to "
	    "`%s`.  Bad input is refused with 400 before any payment is asked "
	    "for.\n\n", g->cfg->pay_to);
	fputs("Long work runs as a job: a paid call answers 202 Accepted "
	    "with the job and its `status_url` (a capability link); GET it "
	    "for free, honouring `Retry-After`, until `status` is "
	    "`succeeded` (the result and the settlement), `failed` or "
	    "`cancelled` (not charged; DELETE cancels).  Send `Prefer: "
	    "respond-async` to ask for a job, `Prefer: wait` for the "
	    "synchronous answer of an endpoint that runs as a job by default "
	    "(marked below).  The payment is settled only when the job "
	    "succeeds.\n\n", f);
	if (gen_wallet_note(g, notes, sizeof(notes)))
		fprintf(f, "%s\n\n", notes);
	for (i = 0; i < g->cfg->nnets; i++)
		if (g->cfg->nets[i].svm)
			fprintf(f, "On %s (`%s`) the payment is instead a "
			    "partially signed SPL `TransferChecked` of the "
			    "offer's amount of USDC (mint `%s`) to `%s`, with "
			    "the offer's `extra.feePayer` as fee payer (its "
			    "signature left empty), sent the same way.\n\n",
			    g->cfg->nets[i].network_v1, g->cfg->nets[i].network,
			    g->cfg->nets[i].asset, g->cfg->nets[i].pay_to);
	for (i = 0; i < g->neps; i++) {
		const char *cat = g->eps[i].ep->category;

		for (j = 0; j < i; j++)
			if (strcmp(g->eps[j].ep->category, cat) == 0)
				break;
		if (j < i)
			continue;
		fprintf(f, "## %c%s\n\n", cat[0] >= 'a' && cat[0] <= 'z' ?
		    cat[0] - 'a' + 'A' : cat[0], cat + 1);
		for (j = i; j < g->neps; j++) {
			const struct gen_ep *ge = &g->eps[j];

			if (strcmp(ge->ep->category, cat) != 0)
				continue;
			gen_price_range(ge, range, sizeof(range));
			snprintf(path, sizeof(path), "%s.html.md", ge->ep->name);
			/* First, so an agent reading the line stops there. */
			if (!ge->usable)
				snprintf(status, sizeof(status), "UNAVAILABLE "
				    "on this server (%s), every call is "
				    "refused; ", ge->why);
			else
				status[0] = '\0';
			snprintf(notes, sizeof(notes), "%s%s %s; %s per %s; "
			    "%s%s", status, ge->ep->method, ge->ep->path,
			    range, ge->ep->price_per != NULL ?
			    ge->ep->price_per : "call",
			    ge->ep->async == DEF_ASYNC_DEFAULT ? "runs as a "
			    "job (202, poll its status_url); " : "",
			    ge->ep->summary);
			llms_item(f, g, ge->ep->name, path, notes);
		}
		fputc('\n', f);
	}
	fputs("## Docs\n\n", f);
	llms_item(f, g, "x402(7)", "x402.7.html.md",
	    "how to pay: the 402, signing, the retry, both header versions");
	llms_item(f, g, "jobs(7)", "jobs.7.html.md",
	    "long work as jobs: 202, the status link, polling, cancel, "
	    "signing in with the paying wallet");
	llms_item(f, g, "mcp(7)", "mcp.7.html.md",
	    "the endpoints as MCP tools over Streamable HTTP");
	llms_item(f, g, "synthforge(7)", "synthforge.7.html.md",
	    "every endpoint with its price");
	fputs("\n## Optional\n\n", f);
	llms_item(f, g, "registry.json", "registry.json",
	    "machine-readable catalogue (x402 Bazaar discovery items)");
	llms_item(f, g, "openapi.json", "openapi.json",
	    "OpenAPI 3.1 description of every endpoint");
	llms_item(f, g, "index", "index.html.md", "the site's front page");
	for (i = 0; i < g->neps; i++) {
		for (j = 0; j < i; j++)
			if (strcmp(g->eps[j].ep->cluster,
			    g->eps[i].ep->cluster) == 0)
				break;
		if (j < i)
			continue;
		snprintf(path, sizeof(path), "%s.html.md",
		    g->eps[i].ep->cluster);
		snprintf(notes, sizeof(notes), "the %s cluster, cheapest "
		    "first", g->eps[i].ep->cluster);
		llms_item(f, g, g->eps[i].ep->cluster, path, notes);
	}
	return gen_close(&o);
}
