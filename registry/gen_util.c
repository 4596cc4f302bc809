/*
 * What the output formats share: safe file writing, the escapes of each
 * format, and the facts derived from a definition that several pages show.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "basics/cfg.h"
#include "basics/def.h"
#include "basics/err.h"
#include "basics/hex.h"
#include "gen.h"
#include "x402/evm/x402_wallet_cfg.h"
#include "providers/route.h"
#include "validate/schema.h"

/*
 * One list for the man pages, the site, the Markdown and openapi.json.  The
 * codes are the error.code values the server uses for each status.
 */
const struct gen_status gen_statuses[] = {
	{ 200, "OK", "",
	  "The work is done and paid for: the body is the OUTPUT object and "
	  "the PAYMENT-RESPONSE (v2) and X-PAYMENT-RESPONSE (v1) headers carry "
	  "the settlement." },
	{ 202, "Accepted", "",
	  "The call runs as a job (Prefer: respond-async, or the endpoint's "
	  "default): the body is the job, Location its status_url; GET it "
	  "(free) until it succeeded (the OUTPUT object and the settlement), "
	  "failed or was cancelled (not charged).  See jobs(7)." },
	{ 400, "Bad Request", "invalid_json, missing_field, invalid_type, "
	  "invalid_value, out_of_range, too_long, unknown_field, "
	  "duplicate_field, unsupported_parameter, model_retired, "
	  "input_fetch_failed, invalid_payload, conflicting_payment_headers, "
	  "bad_request",
	  "The body is not valid JSON, an input breaks a rule, or the payment "
	  "header cannot be read; error.field names the input.  Nothing is "
	  "charged." },
	{ 402, "Payment Required", "payment_required",
	  "No payment, or a payment that fails verification or settlement.  "
	  "The PAYMENT-REQUIRED header (x402 v2, base64 JSON) and the JSON body "
	  "(x402 v1) list the accepted offers." },
	{ 403, "Forbidden", "forbidden",
	  "The web server refuses a look-alike of a payment header (such as "
	  "X_PAYMENT); send PAYMENT-SIGNATURE or X-PAYMENT." },
	{ 404, "Not Found", "not_found",
	  "No endpoint at this path; /llms.txt and /registry.json list them." },
	{ 405, "Method Not Allowed", "method_not_allowed",
	  "Only POST (the call), GET and HEAD (the description) and OPTIONS "
	  "are answered; the Allow header lists them." },
	{ 409, "Conflict", "payment_already_used, payment_identifier_reused, "
	  "payment_in_progress",
	  "The payment was already used, for this or a different request, or "
	  "is being settled right now." },
	{ 411, "Length Required", "length_required",
	  "A POST without Content-Length (send Content-Length: 0 for an "
	  "empty body)." },
	{ 413, "Payload Too Large", "body_too_large, input_too_large",
	  "The request body, or a fetched input, is larger than the server "
	  "accepts." },
	{ 415, "Unsupported Media Type", "unsupported_media_type, "
	  "input_not_image",
	  "The body is not application/json, or an input URL is not of the "
	  "expected media type." },
	{ 422, "Unprocessable Content", "content_moderated, upstream_rejected",
	  "The provider refused the input (content policy).  Nothing is "
	  "settled." },
	{ 429, "Too Many Requests", "too_many_in_flight",
	  "The payer has too many payments still being settled; retry after "
	  "the Retry-After header's seconds.  Nothing is charged." },
	{ 501, "Not Implemented", "offline_unsupported",
	  "This server has no provider for the endpoint (video without "
	  "FAL_KEY has no offline stand-in); answered before any payment is "
	  "asked for." },
	{ 502, "Bad Gateway", "upstream_error, media_store_failed",
	  "The provider or the media store failed.  Nothing is settled." },
	{ 503, "Service Unavailable", "provider_unavailable, "
	  "settlement_pending, ledger_unavailable",
	  "No provider can run this model now, or the server cannot record "
	  "payments; answered before any payment is taken (Retry-After when "
	  "a retry can help)." },
	{ 504, "Gateway Timeout", "upstream_timeout",
	  "The provider did not finish within the endpoint's deadline.  "
	  "Nothing is settled." },
	{ 0, NULL, NULL, NULL }
};

FILE *
gen_open(struct gen_file *o, const char *dir, const char *name)
{
	int	 fd;

	o->f = NULL;
	if ((size_t)snprintf(o->path, sizeof(o->path), "%s/%s", dir, name) >=
	    sizeof(o->path)) {
		fprintf(stderr, "sf-gen: %s/%s: path too long\n", dir, name);
		return NULL;
	}
	snprintf(o->tmp, sizeof(o->tmp), "%s.XXXXXX", o->path);
	if ((fd = mkstemp(o->tmp)) == -1) {
		fprintf(stderr, "sf-gen: %s: %s\n", o->tmp, strerror(errno));
		return NULL;
	}
	/* mkstemp makes 0600; the site is public and served by another user. */
	if (fchmod(fd, 0644) == -1 || (o->f = fdopen(fd, "w")) == NULL) {
		fprintf(stderr, "sf-gen: %s: %s\n", o->tmp, strerror(errno));
		close(fd);
		unlink(o->tmp);
		return NULL;
	}
	return o->f;
}

int
gen_close(struct gen_file *o)
{
	int	 bad;

	bad = ferror(o->f);
	if (fclose(o->f) == EOF)
		bad = 1;
	o->f = NULL;
	if (bad) {
		fprintf(stderr, "sf-gen: %s: write error\n", o->tmp);
		unlink(o->tmp);
		return -1;
	}
	if (rename(o->tmp, o->path) == -1) {
		fprintf(stderr, "sf-gen: %s: %s\n", o->path, strerror(errno));
		unlink(o->tmp);
		return -1;
	}
	return 0;
}

void
gen_abort(struct gen_file *o)
{
	if (o->f != NULL)
		fclose(o->f);
	o->f = NULL;
	unlink(o->tmp);
}

int
gen_write_json(const char *dir, const char *name, void *j)
{
	struct gen_file	 o;
	char		*s;

	if ((s = gen_json_text(j)) == NULL) {
		fprintf(stderr, "sf-gen: %s: out of memory\n", name);
		return -1;
	}
	if (gen_open(&o, dir, name) == NULL) {
		free(s);
		return -1;
	}
	fputs(s, o.f);
	fputc('\n', o.f);
	free(s);
	return gen_close(&o);
}

int
gen_copy(const char *src, const char *dir, const char *name)
{
	struct gen_file	 o;
	FILE		*in;
	char		 buf[8192];
	size_t		 n;
	int		 bad;

	if ((in = fopen(src, "r")) == NULL) {
		fprintf(stderr, "sf-gen: %s: %s\n", src, strerror(errno));
		return -1;
	}
	if (gen_open(&o, dir, name) == NULL) {
		fclose(in);
		return -1;
	}
	while ((n = fread(buf, 1, sizeof(buf), in)) > 0)
		fwrite(buf, 1, n, o.f);
	bad = ferror(in);
	fclose(in);
	if (bad) {
		fprintf(stderr, "sf-gen: %s: read error\n", src);
		gen_abort(&o);
		return -1;
	}
	return gen_close(&o);
}

void
gen_html(FILE *f, const char *s)
{
	for (; s != NULL && *s != '\0'; s++)
		switch (*s) {
		case '&':
			fputs("&amp;", f);
			break;
		case '<':
			fputs("&lt;", f);
			break;
		case '>':
			fputs("&gt;", f);
			break;
		case '"':
			fputs("&quot;", f);
			break;
		case '\'':
			fputs("&#39;", f);
			break;
		default:
			fputc(*s, f);
		}
}

static int
gen_isalnum(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || (unsigned char)c >= 0x80;
}

static void
gen_md_esc(FILE *f, const char *s, int cell)
{
	const char	*p;

	for (p = s; p != NULL && *p != '\0'; p++) {
		switch (*p) {
		case '\\': case '`': case '*': case '[': case ']':
		case '<': case '>': case '#':
			fputc('\\', f);
			break;
		case '|':
			if (cell)
				fputc('\\', f);
			break;
		case '_':
			/* Inside a word (cfg_scale) it cannot start emphasis. */
			if (p == s || !gen_isalnum(p[-1]) || !gen_isalnum(p[1]))
				fputc('\\', f);
			break;
		case '\n':
			fputc(' ', f);
			continue;
		}
		fputc(*p, f);
	}
}

void
gen_md(FILE *f, const char *s)
{
	gen_md_esc(f, s, 0);
}

void
gen_md_cell(FILE *f, const char *s)
{
	gen_md_esc(f, s, 1);
}

/*
 * mdoc wants ASCII: other characters go out as \[uXXXX].  Returns the
 * number of bytes consumed from s.
 */
static size_t
gen_mdoc_char(FILE *f, const char *s)
{
	const unsigned char	*u = (const unsigned char *)s;
	unsigned long		 cp;
	size_t			 n, i;

	if (u[0] < 0x80) {
		if (u[0] == '\\')
			fputs("\\e", f);
		else if (u[0] == '\t')
			fputc(' ', f);
		else if (u[0] >= 0x20)
			fputc(u[0], f);
		return 1;
	}
	if ((u[0] & 0xe0) == 0xc0) {
		n = 2;
		cp = u[0] & 0x1f;
	} else if ((u[0] & 0xf0) == 0xe0) {
		n = 3;
		cp = u[0] & 0x0f;
	} else if ((u[0] & 0xf8) == 0xf0) {
		n = 4;
		cp = u[0] & 0x07;
	} else {
		fputc('?', f);
		return 1;
	}
	for (i = 1; i < n; i++) {
		if ((u[i] & 0xc0) != 0x80) {
			fputc('?', f);
			return i;
		}
		cp = (cp << 6) | (u[i] & 0x3f);
	}
	fprintf(f, "\\[u%04lX]", cp);
	return n;
}

/* A word ending a sentence: "done." but not "e.g." or "i.e.". */
static int
gen_sentence_end(const char *w, size_t n)
{
	/* As mandoc sees it: .?! before optional closing punctuation. */
	while (n > 1 && strchr(")]\"'", w[n - 1]) != NULL)
		n--;
	return n >= 2 && (w[n - 1] == '.' || w[n - 1] == '?' || w[n - 1] == '!');
}

/*
 * Words go out one space apart, a new line after each sentence (mdoc's
 * rule, so that sentence spacing works) and before a line would pass 72
 * columns.
 */
void
gen_mdoc_lines(FILE *f, const char *s)
{
	const char	*w, *p;
	size_t		 n, col = 0;
	int		 brk = 0;

	for (p = s; p != NULL && *p != '\0'; ) {
		while (*p == ' ' || *p == '\n' || *p == '\t')
			p++;
		if (*p == '\0')
			break;
		for (w = p; *p != '\0' && *p != ' ' && *p != '\n' &&
		    *p != '\t'; p++)
			continue;
		n = (size_t)(p - w);
		if (col > 0 && (brk || col + 1 + n > 72)) {
			fputc('\n', f);
			col = 0;
		}
		if (col > 0) {
			fputc(' ', f);
			col++;
		} else if (*w == '.' || *w == '\'')
			fputs("\\&", f);
		col += n;
		brk = gen_sentence_end(w, n);
		while (w < p)
			w += gen_mdoc_char(f, w);
	}
	if (col > 0)
		fputc('\n', f);
}

void
gen_mdoc_literal(FILE *f, const char *s)
{
	int	 bol = 1;

	while (s != NULL && *s != '\0') {
		if (*s == '\n') {
			/* An empty line inside a display is fine but noisy. */
			fputs(bol ? "\\&\n" : "\n", f);
			bol = 1;
			s++;
			continue;
		}
		if (bol && (*s == '.' || *s == '\''))
			fputs("\\&", f);
		bol = 0;
		s += gen_mdoc_char(f, s);
	}
	if (!bol)
		fputc('\n', f);
}

void
gen_mdoc_args(FILE *f, const char *s)
{
	int	 start = 1;

	while (s != NULL && *s != '\0') {
		if (*s == ' ' || *s == '\t' || *s == '\n') {
			while (*s == ' ' || *s == '\t' || *s == '\n')
				s++;
			start = 1;
			if (*s != '\0')
				fputc(' ', f);
			continue;
		}
		/* \& keeps a word from being read as a macro or delimiter. */
		if (start)
			fputs("\\&", f);
		start = 0;
		if (*s == '"') {
			fputs("\\(dq", f);
			s++;
		} else
			s += gen_mdoc_char(f, s);
	}
}

const char *
gen_param_type(const struct def_param *p)
{
	switch (p->type) {
	case DEF_INTEGER:
		return "integer";
	case DEF_NUMBER:
		return "number";
	case DEF_BOOLEAN:
		return "boolean";
	case DEF_URL:
	case DEF_WEBHOOK:
		return "string (URL)";
	default:
		return "string";
	}
}

static void
gen_num(double v, char *buf, size_t sz)
{
	if (v == floor(v) && fabs(v) < 1e15)
		snprintf(buf, sz, "%.0f", v);
	else
		snprintf(buf, sz, "%g", v);
}

static void
gen_cat(char *buf, size_t sz, const char *s)
{
	size_t	 n = strlen(buf);

	if (n + 1 < sz)
		snprintf(buf + n, sz - n, "%s%s", n > 0 ? "; " : "", s);
}

static void
gen_list(char *out, size_t sz, const char *head, const char *const *v)
{
	size_t	 n;

	snprintf(out, sz, "%s", head);
	for (; *v != NULL; v++) {
		n = strlen(out);
		snprintf(out + n, sz - n, "%s%s", *v, v[1] != NULL ? ", " : "");
	}
}

void
gen_param_rules(const struct def_param *p, int with_enum, char *buf,
    size_t sz)
{
	char	 a[32], b[32], t[1024];

	buf[0] = '\0';
	if (p->type == DEF_URL)
		gen_cat(buf, sz, "http(s) URL, fetched by the server");
	if (p->type == DEF_WEBHOOK)
		gen_cat(buf, sz, "http(s) URL the server POSTs the job's "
		    "status to, never fetched");
	if (p->has_range) {
		gen_num(p->min, a, sizeof(a));
		gen_num(p->max, b, sizeof(b));
		snprintf(t, sizeof(t), "range %s to %s", a, b);
		gen_cat(buf, sz, t);
	}
	if (p->snap > 0) {
		snprintf(t, sizeof(t), "snapped to a multiple of %d", p->snap);
		gen_cat(buf, sz, t);
	}
	if (p->max_len > 0) {
		snprintf(t, sizeof(t), "up to %u characters", p->max_len);
		gen_cat(buf, sz, t);
	}
	if (p->enums != NULL && with_enum) {
		gen_list(t, sizeof(t), "one of: ", p->enums);
		gen_cat(buf, sz, t);
	}
	if (p->has_default) {
		if (p->type == DEF_BOOLEAN)
			snprintf(t, sizeof(t), "default %s",
			    p->def_bool ? "true" : "false");
		else {
			gen_num(p->def_num, a, sizeof(a));
			snprintf(t, sizeof(t), "default %s", a);
		}
		gen_cat(buf, sz, t);
	} else if (p->def_str != NULL) {
		snprintf(t, sizeof(t), "default %s", p->def_str);
		gen_cat(buf, sz, t);
	}
	if (p->models != NULL) {
		gen_list(t, sizeof(t), "only with models: ", p->models);
		gen_cat(buf, sz, t);
	}
}

void
gen_price_range(const struct gen_ep *g, char *buf, size_t sz)
{
	char	 a[32], b[32];

	def_usd(g->lo, a, sizeof(a));
	def_usd(g->hi, b, sizeof(b));
	if (g->lo == g->hi)
		snprintf(buf, sz, "$%s", a);
	else
		snprintf(buf, sz, "$%s\xe2\x80\x93$%s", a, b);
}

/* cJSON indents with tabs and puts one after ':'; pages use spaces. */
static char *
gen_untab(char *s)
{
	size_t		 n, tabs = 0;
	char		*o, *q;
	const char	*p;
	int		 bol = 1;

	for (p = s; *p != '\0'; p++)
		tabs += *p == '\t';
	n = strlen(s);
	if ((o = malloc(n + tabs + 1)) == NULL) {
		cJSON_free(s);
		return NULL;
	}
	for (p = s, q = o; *p != '\0'; p++) {
		if (*p == '\t' && bol) {
			*q++ = ' ';
			*q++ = ' ';
		} else if (*p == '\t')
			*q++ = ' ';
		else {
			*q++ = *p;
			bol = *p == '\n';
		}
	}
	*q = '\0';
	cJSON_free(s);
	return o;
}

char *
gen_json_text(const void *j)
{
	char	*s;

	if ((s = cJSON_Print(j)) == NULL)
		return NULL;
	return gen_untab(s);
}

char *
gen_example_body(const struct def_endpoint *ep, int pretty)
{
	cJSON	*j;
	char	*s;

	if ((j = schema_example_input(ep)) == NULL)
		return NULL;
	s = pretty ? cJSON_Print(j) : cJSON_PrintUnformatted(j);
	cJSON_Delete(j);
	if (s == NULL)
		return NULL;
	return gen_untab(s);
}

char *
gen_example_output(const struct def_endpoint *ep)
{
	cJSON	*j;
	char	*s;

	if ((j = schema_example_output(ep)) == NULL)
		return NULL;
	s = cJSON_Print(j);
	cJSON_Delete(j);
	if (s == NULL)
		return NULL;
	return gen_untab(s);
}

void
gen_model_tiers(const struct def_endpoint *ep, const char *model, char *buf,
    size_t sz)
{
	const struct def_tier	*t;
	size_t			 n;

	buf[0] = '\0';
	for (t = ep->tiers; t != NULL && t->name != NULL; t++) {
		if (strcmp(t->model, model) != 0)
			continue;
		n = strlen(buf);
		snprintf(buf + n, sz - n, "%s%s", n > 0 ? ", " : "", t->name);
	}
}

static int
gen_by_price(const void *a, const void *b)
{
	const struct gen_ep	*x = *(const struct gen_ep *const *)a;
	const struct gen_ep	*y = *(const struct gen_ep *const *)b;

	if (x->base != y->base)
		return x->base < y->base ? -1 : 1;
	return strcmp(x->ep->name, y->ep->name);
}

size_t
gen_peers(const struct gen *g, const char *cluster, const struct gen_ep *skip,
    const struct gen_ep **v)
{
	size_t	 i, n = 0;

	for (i = 0; i < g->neps; i++)
		if (&g->eps[i] != skip &&
		    strcmp(g->eps[i].ep->cluster, cluster) == 0)
			v[n++] = &g->eps[i];
	qsort(v, n, sizeof(*v), gen_by_price);
	return n;
}

int
gen_any_svm(const struct gen *g)
{
	size_t	 i;

	for (i = 0; i < g->cfg->nnets; i++)
		if (g->cfg->nets[i].svm)
			return 1;
	return 0;
}

int
gen_wallet_note(const struct gen *g, char *out, size_t sz)
{
	const struct cfg_net		*n;
	struct x402_wallet_factories	 fl;
	struct sf_err			 err;
	char				 a[HEX_ADDR_STRLEN];
	size_t				 i, j, len;

	len = (size_t)snprintf(out, sz, "Contract wallets pay too: an "
	    "ERC-1271 smart account signs the same EIP-3009 authorization as "
	    "the wallet verifies it (its own format: the signature need not "
	    "be 65 bytes), and the signature is proven before any work, on "
	    "chain where this server reads the network's RPC, else by the "
	    "facilitator.  A wallet not deployed yet wraps its signature per "
	    "ERC-6492, and is deployed when the payment settles, through a "
	    "factory allowed here:");
	for (i = 0; i < g->cfg->nnets && len < sz; i++) {
		n = &g->cfg->nets[i];
		if (n->svm)
			continue;
		len += (size_t)snprintf(out + len, sz - len, "%s %s (%s):",
		    i == 0 ? "" : ";", n->network_v1[0] ? n->network_v1 :
		    n->network, n->rpc_url[0] ? "proven on chain" :
		    "proven by the facilitator");
		sf_err_clear(&err);
		if (x402_wallet_factories_for(g->cfg, n->network, &fl,
		    &err) == -1 || fl.n == 0)
			fl.n = 0;
		for (j = 0; j < fl.n && len < sz; j++) {
			hex_eip55(fl.addr[j], a);
			len += (size_t)snprintf(out + len, sz - len, "%s %s",
			    j == 0 ? "" : ",", a);
		}
		if (fl.n == 0 && len < sz)
			len += (size_t)snprintf(out + len, sz - len, " no "
			    "factory (wallets not deployed are refused)");
	}
	if (len < sz)
		snprintf(out + len, sz - len, ".");
	return g->cfg->any_evm;
}

int
gen_model_usable(const struct gen *g, const struct gen_ep *ge,
    const struct def_model *m, char *why, size_t sz)
{
	return route_usable(g->cfg, ge->ep, m, why, sz);
}

void
gen_status_text(const struct gen_ep *ge, char *buf, size_t sz)
{
	if (ge->usable)
		snprintf(buf, sz, "live");
	else
		snprintf(buf, sz, "unavailable: %s", ge->why);
}

/* The word of text equal to w[0..n) but for case, as a whole word. */
static const char *
gen_word_in(const char *text, const char *w, size_t n)
{
	const char	*p;

	for (p = text; p != NULL && *p != '\0'; p++) {
		if (strncasecmp(p, w, n) != 0)
			continue;
		if ((p == text || !gen_isalnum((unsigned char)p[-1])) &&
		    !gen_isalnum((unsigned char)p[n]))
			return p;
	}
	return NULL;
}

static size_t
gen_ncaps(const char *w, size_t n)
{
	size_t	 i, k = 0;

	for (i = 0; i < n; i++)
		if (w[i] >= 'A' && w[i] <= 'Z')
			k++;
	return k;
}

void
gen_title(const struct def_endpoint *ep, char *buf, size_t sz)
{
	const char	*t = ep->title != NULL ? ep->title : "", *p, *q;
	size_t		 n, len = 0;

	if (sz == 0)
		return;
	for (p = t; *p != '\0' && len + 1 < sz; p += n) {
		for (n = 0; gen_isalnum((unsigned char)p[n]); n++)
			continue;
		if (n == 0) {
			buf[len++] = *p;
			n = 1;
			continue;
		}
		q = gen_word_in(ep->summary, p, n);
		if (q == NULL || gen_ncaps(q, n) < 2)
			q = gen_word_in(ep->description, p, n);
		if (q == NULL || gen_ncaps(q, n) < 2)
			q = p;
		if (len + n >= sz)
			break;
		memcpy(buf + len, q, n);
		len += n;
	}
	buf[len] = '\0';
}

int
gen_offline_note(const struct gen *g, const struct gen_ep *ge, char *buf,
    size_t sz)
{
	const struct def_endpoint	*ep = ge->ep;
	const struct def_model		*m;
	struct route			 rt;

	buf[0] = '\0';
	if (ep->media == NULL || strcmp(ep->media, "audio") != 0 ||
	    def_find_param(ep, "format") == NULL)
		return 0;
	for (m = ep->models; m != NULL && m->id != NULL; m++) {
		if (m->retired != NULL ||
		    route_resolve(g->cfg, ep, m, &rt, NULL) == -1 ||
		    !rt.offline)
			continue;
		/* prov_offline.h: every offline sound is 16-bit mono WAV. */
		snprintf(buf, sz, "On this server %s, so the audio is a local "
		    "stand-in: 16-bit mono WAV whatever format asks for (the "
		    "answer's format and mime_type say wav).", rt.why);
		return 1;
	}
	return 0;
}

/* mkdir -p: the output directories may be new trees (golden-update). */
int
gen_mkdir(const char *d)
{
	char	 buf[1024], *p;

	if (snprintf(buf, sizeof(buf), "%s", d) >= (int)sizeof(buf)) {
		fprintf(stderr, "sf-gen: %s: path too long\n", d);
		return -1;
	}
	for (p = buf + 1; ; p++) {
		if (*p != '/' && *p != '\0')
			continue;
		int last = *p == '\0';

		*p = '\0';
		if (mkdir(buf, 0755) == -1 && errno != EEXIST) {
			fprintf(stderr, "sf-gen: %s: %s\n", buf,
			    strerror(errno));
			return -1;
		}
		if (last)
			return 0;
		*p = '/';
	}
}
