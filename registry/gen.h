/*
 * The registry generator: man pages, the static site, llms.txt,
 * registry.json and openapi.json, all from the definition table and the
 * configuration the endpoints load (so no page can disagree with a 402).
 * Each output format is one gen_*.c file; gen_util.c holds what they share.
 */
#ifndef SF_GEN_H
#define SF_GEN_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "serve/mcp.h"

struct cfg;
struct def_endpoint;
struct def_param;

/* One endpoint with the facts every output needs, computed once. */
struct gen_ep {
	const struct def_endpoint	*ep;
	const char			*stem;
	char	 url[640];	/* resource: PUBLIC_URL + path, as in the 402 */
	char	 page[640];	/* PUBLIC_URL/<name>.html */
	char	 base_amount[24];	/* atomic USDC of the default request */
	char	 base_usd[32];	/* "0.01" */
	uint64_t base;
	uint64_t lo, hi;	/* cheapest and dearest model, per unit */
	/* route_ep_usable() on this configuration: 0 when every call is
	   refused before payment (no provider key, video offline), with
	   why ("needs FAL_KEY"). */
	int	 usable;
	char	 why[160];
	char	 title[512];	/* ep->title with the summary's acronyms */
};

struct gen {
	const struct cfg	*cfg;
	struct gen_ep		*eps;	/* sorted by name */
	size_t			 neps;
	long long		 epoch;	/* SOURCE_DATE_EPOCH: dates in outputs */
	char			 date_mdoc[32];	/* "January 1, 2026" */
	char			 date_iso[32];	/* "2026-01-01T00:00:00Z" */
	char			 networks[256];	/* "base-sepolia (eip155:84532)" */
	const char		*mandir;
	const char		*wwwdir;
	const char		*style;		/* stylesheet copied to www */
	const char		*script;	/* GEN_PAY_JS copied to www */
};

/* 1 if a Solana network is configured (its payment method is described). */
int	gen_any_svm(const struct gen *);
/*
 * The sentences the pages carry about contract wallets (ERC-1271, ERC-6492)
 * on the EVM networks served: how each network proves them and which
 * ERC-6492 factories it allows.  Returns 1 with out filled when an EVM
 * network is served, else 0.
 */
int	gen_wallet_note(const struct gen *, char *out, size_t sz);

/* HTTP statuses an endpoint answers, for every format that lists them. */
struct gen_status {
	int		 code;
	const char	*reason;
	const char	*codes;		/* error.code values, "" for none */
	const char	*when;
};
extern const struct gen_status gen_statuses[];	/* ends with code 0 */

/* The MCP endpoint's path under PUBLIC_URL (mcp.7, llms.txt): where
   sf-hostconf routes sf-mcp. */
#define GEN_MCP_PATH	MCP_PATH

/* The origin's x402 discovery manifest (x402 PR #2646), under WWWDIR. */
#define GEN_WELLKNOWN	".well-known/x402.json"
/* The pages' pay-and-run script (registry/paywall/), copied to WWWDIR. */
#define GEN_PAY_JS	"pay.js"

/* An output file, written under a temporary name and renamed when whole. */
struct gen_file {
	FILE	*f;
	char	 path[1024];
	char	 tmp[1040];
};

FILE	*gen_open(struct gen_file *, const char *dir, const char *name);
int	 gen_close(struct gen_file *);	/* 0, or -1 with a message */
void	 gen_abort(struct gen_file *);	/* on an error path: remove it */
int	 gen_write_json(const char *dir, const char *name, void *cjson);
int	 gen_copy(const char *src, const char *dir, const char *name);
int	 gen_mkdir(const char *dir);	/* mkdir -p; 0 or -1 with a message */

/* Escapes. */
void	 gen_html(FILE *, const char *);	/* text and attribute values */
void	 gen_md(FILE *, const char *);		/* Markdown inline text */
void	 gen_md_cell(FILE *, const char *);	/* Markdown table cell */
void	 gen_mdoc_lines(FILE *, const char *);	/* text lines, a sentence each */
void	 gen_mdoc_literal(FILE *, const char *);	/* lines inside .Bd -literal */
void	 gen_mdoc_args(FILE *, const char *);	/* words on a macro line */

/* Shared facts. */
const char *gen_param_type(const struct def_param *);
/* "range 256–2048 · multiple of 16 · default 1024 ..." ("" when none). */
void	 gen_param_rules(const struct def_param *, int with_enum, char *,
	    size_t);
/* "$0.01" or "$0.02–$0.30" for the model range of an endpoint. */
void	 gen_price_range(const struct gen_ep *, char *, size_t);
/* Example request body, pretty or compact; the caller frees it. */
char	*gen_example_body(const struct def_endpoint *, int pretty);
char	*gen_example_output(const struct def_endpoint *);
char	*gen_json_text(const void *cjson);	/* pretty, spaces; free() */
/* Tier names that pick a model, "fast, creative" ("" when none). */
void	 gen_model_tiers(const struct def_endpoint *, const char *model,
	    char *, size_t);

/* Whether model m of ge can run here: 1, or 0 with why (route.h). */
int	 gen_model_usable(const struct gen *, const struct gen_ep *,
	    const struct def_model *, char *why, size_t);
/*
 * For an audio endpoint with a format input some model of which routes
 * offline here: the sentence saying its answers are WAV (1), else 0.
 */
int	 gen_offline_note(const struct gen *, const struct gen_ep *, char *,
	    size_t);
/* "status: live" or "unavailable: needs FAL_KEY" (the page's STATUS). */
void	 gen_status_text(const struct gen_ep *, char *, size_t);
/*
 * The NAME line: the title with each word that the summary or description
 * writes with two or more capitals (AI, TTS, OpenAI) written that way;
 * titles are lower-cased keyword lists.
 */
void	 gen_title(const struct def_endpoint *, char *, size_t);

/* Endpoints of a cluster but skip, cheapest first; v holds neps. */
size_t	 gen_peers(const struct gen *, const char *cluster,
	    const struct gen_ep *skip, const struct gen_ep **v);

/* "Unavailable on this server (needs FAL_KEY): every call is refused ..." */
void	 gen_unavailable_text(const struct gen_ep *, char *, size_t);

/*
 * An endpoint page is one walk (gen_page.c) over the definition; each
 * format that writes one (HTML, Markdown) gives how every piece is
 * written.  Sections are opened by section() and closed by section_end();
 * tables by *_begin() and rows_end().
 */
enum gen_para {
	GEN_PARA_TEXT,		/* a plain paragraph */
	GEN_PARA_NOTE,		/* an aside */
	GEN_PARA_WARN,		/* said first and strongly: unavailable */
};
enum gen_example {
	GEN_EX_CURL,		/* text: the compact request body */
	GEN_EX_FETCH,		/* text: the compact request body */
	GEN_EX_REQUEST,		/* text: the pretty request body */
	GEN_EX_RESPONSE,	/* text: the pretty 200 body */
};
struct gen_page_fmt {
	const char	*suffix;	/* file name after the endpoint name */
	void	(*begin)(FILE *, const struct gen *, const struct gen_ep *);
	void	(*section)(FILE *, const char *id, const char *title,
		    const char *sub);
	void	(*section_end)(FILE *);
	void	(*name)(FILE *, const struct gen_ep *);
	void	(*synopsis)(FILE *, const struct gen_ep *);
	/* lead (may be NULL): a bold opening, such as "Settle first:". */
	void	(*para)(FILE *, enum gen_para, const char *lead,
		    const char *text);
	void	(*models_begin)(FILE *);
	void	(*model)(FILE *, const struct gen *, const struct gen_ep *,
		    const struct def_model *);
	void	(*inputs_begin)(FILE *);
	void	(*input)(FILE *, const struct def_param *);
	void	(*outputs_begin)(FILE *);
	void	(*output)(FILE *, const struct def_output *);
	void	(*rows_end)(FILE *);
	void	(*example)(FILE *, enum gen_example, const struct gen_ep *,
		    const char *text);
	void	(*metadata)(FILE *, const struct gen *, const struct gen_ep *);
	/* Endpoint tables (ADJACENT, clusters, index); method: a column. */
	void	(*peers_begin)(FILE *, int method);
	void	(*peer)(FILE *, const struct gen *, const struct gen_ep *,
		    int method);
	void	(*see_also)(FILE *, const struct gen *, const struct gen_ep *);
	/* The pay-and-run form, or NULL; 0 or -1. */
	int	(*tryit)(FILE *, const struct gen *, const struct gen_ep *);
	void	(*end)(FILE *, const struct gen *, const struct gen_ep *);
};
int	 gen_page_endpoint(const struct gen *, const struct gen_ep *,
	    const struct gen_page_fmt *);

/* The pay-and-run form of an endpoint page (gen_try.c); 0 or -1. */
int	 gen_try_form(FILE *, const struct gen *, const struct gen_ep *);

int	 gen_man(const struct gen *);
int	 gen_site(const struct gen *);
int	 gen_markdown(const struct gen *);
int	 gen_llms(const struct gen *);
int	 gen_registry(const struct gen *);
int	 gen_openapi(const struct gen *);
int	 gen_wellknown(const struct gen *);

#endif
