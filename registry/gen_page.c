/*
 * One walk over an endpoint page, shared by the formats that write one (the
 * HTML site and its Markdown copy): which sections come in which order, what
 * each holds and when a note applies are decided here, once; a format
 * (struct gen_page_fmt) only says how each piece is written.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "basics/cfg.h"
#include "basics/def.h"
#include "gen.h"
#include "x402/x402_challenge.h"
#include "x402/x402_offer.h"

/* The sentence every format uses for an endpoint refused here. */
void
gen_unavailable_text(const struct gen_ep *ge, char *buf, size_t sz)
{
	snprintf(buf, sz, "Unavailable on this server (%s): every call is "
	    "refused before any payment is asked for.", ge->why);
}

static void
page_description(FILE *f, const struct gen *g, const struct gen_ep *ge,
    const struct gen_page_fmt *fmt)
{
	const struct def_endpoint	*ep = ge->ep;
	const struct def_model		*m;
	char				 note[512];

	fmt->section(f, "description", "DESCRIPTION", NULL);
	if (!ge->usable) {
		gen_unavailable_text(ge, note, sizeof(note));
		fmt->para(f, GEN_PARA_WARN, NULL, note);
	}
	fmt->para(f, GEN_PARA_TEXT, NULL, ep->description);
	if (ep->price_note != NULL)
		fmt->para(f, GEN_PARA_NOTE, NULL, ep->price_note);
	if (gen_offline_note(g, ge, note, sizeof(note)))
		fmt->para(f, GEN_PARA_NOTE, NULL, note);
	if (ep->models != NULL && ep->models->id != NULL) {
		fmt->models_begin(f);
		for (m = ep->models; m->id != NULL; m++)
			fmt->model(f, g, ge, m);
		fmt->rows_end(f);
	}
	fmt->section_end(f);
}

static void
page_examples(FILE *f, const struct gen *g, const struct gen_ep *ge,
    const struct gen_page_fmt *fmt, const char *body, const char *pretty,
    const char *out)
{
	fmt->section(f, "examples", "EXAMPLES", "two ways to call");
	fmt->example(f, GEN_EX_CURL, ge, body);
	fmt->para(f, GEN_PARA_NOTE, NULL, "The first response is 402 Payment "
	    "Required with the payment requirements (PAYMENT-REQUIRED header, "
	    "JSON body); sign and retry with PAYMENT-SIGNATURE or X-PAYMENT.");
	/* Settle-first endpoints say what the buyer gets if the work fails. */
	if (x402_settle_first(g->cfg, ge->ep->name, ge->base_amount))
		fmt->para(f, GEN_PARA_NOTE, "Settle first:",
		    X402_SETTLE_FIRST_NOTE);
	fmt->example(f, GEN_EX_FETCH, ge, body);
	fmt->para(f, GEN_PARA_NOTE, NULL, "The client reads the 402, signs "
	    "the offer for its network and retries by itself.");
	/* How a call answers when it runs as a job (jobs(7)). */
	if (ge->ep->async == DEF_ASYNC_DEFAULT)
		fmt->para(f, GEN_PARA_NOTE, "Job:", "this call runs as a job: "
		    "the paid request answers 202 Accepted with the job and "
		    "its status_url, polled for free until it succeeded (the "
		    "response below, with the settlement), failed or was "
		    "cancelled (not charged).  Send Prefer: wait for the "
		    "synchronous answer.  See jobs(7).");
	else if (ge->ep->async == DEF_ASYNC_ALLOWED)
		fmt->para(f, GEN_PARA_NOTE, "Job:", "send Prefer: "
		    "respond-async to run the call as a job: 202 Accepted with "
		    "a status_url to poll for free.  See jobs(7).");
	fmt->example(f, GEN_EX_REQUEST, ge, pretty);
	fmt->example(f, GEN_EX_RESPONSE, ge, out);
	fmt->section_end(f);
}

int
gen_page_endpoint(const struct gen *g, const struct gen_ep *ge,
    const struct gen_page_fmt *fmt)
{
	const struct def_endpoint	*ep = ge->ep;
	const struct def_param		*p;
	const struct def_output		*o;
	const struct gen_ep		**v = NULL;
	struct gen_file			 gf;
	FILE				*f;
	char				 name[256], sub[128];
	char				*body = NULL, *pretty = NULL, *out = NULL;
	size_t				 i, n;
	int				 rc = -1;

	if ((v = calloc(g->neps, sizeof(*v))) == NULL ||
	    (body = gen_example_body(ep, 0)) == NULL ||
	    (pretty = gen_example_body(ep, 1)) == NULL ||
	    (out = gen_example_output(ep)) == NULL) {
		fprintf(stderr, "sf-gen: %s: out of memory\n", ep->name);
		goto done;
	}
	snprintf(name, sizeof(name), "%s%s", ep->name, fmt->suffix);
	if ((f = gen_open(&gf, g->wwwdir, name)) == NULL)
		goto done;
	fmt->begin(f, g, ge);

	fmt->section(f, "name", "NAME", NULL);
	fmt->name(f, ge);
	fmt->section_end(f);

	fmt->section(f, "synopsis", "SYNOPSIS", NULL);
	fmt->synopsis(f, ge);
	fmt->section_end(f);

	page_description(f, g, ge, fmt);

	fmt->section(f, "input", "INPUT", "request schema");
	fmt->inputs_begin(f);
	for (p = ep->params; p != NULL && p->name != NULL; p++)
		fmt->input(f, p);
	fmt->rows_end(f);
	fmt->section_end(f);

	fmt->section(f, "output", "OUTPUT", "response shape");
	fmt->outputs_begin(f);
	for (o = ep->outputs; o != NULL && o->name != NULL; o++)
		fmt->output(f, o);
	fmt->rows_end(f);
	fmt->section_end(f);

	/* Pay and run from the page (HTML only: it needs the script). */
	if (fmt->tryit != NULL && fmt->tryit(f, g, ge) == -1) {
		gen_abort(&gf);
		goto done;
	}

	page_examples(f, g, ge, fmt, body, pretty, out);

	fmt->section(f, "metadata", "METADATA", NULL);
	fmt->metadata(f, g, ge);
	fmt->section_end(f);

	snprintf(sub, sizeof(sub), "other endpoints in %s", ep->cluster);
	fmt->section(f, "adjacent", "ADJACENT", sub);
	n = gen_peers(g, ep->cluster, ge, v);
	fmt->peers_begin(f, 0);
	for (i = 0; i < n; i++)
		fmt->peer(f, g, v[i], 0);
	fmt->rows_end(f);
	fmt->section_end(f);

	fmt->section(f, "see-also", "SEE ALSO", NULL);
	fmt->see_also(f, g, ge);
	fmt->section_end(f);
	fmt->end(f, g, ge);
	rc = gen_close(&gf);
done:
	free(v);
	free(body);
	free(pretty);
	free(out);
	return rc;
}
