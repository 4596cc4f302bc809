/*
 * The upstream contract suite (issue 24): every endpoint x model of the
 * definitions (def_table), and for each the inputs that model accepts,
 * generated from the definition itself -- the required inputs at their
 * example, every optional input present, each optional input alone at
 * every enum value, both booleans, the ends of every range, strings at
 * their maximum length, width x height at the four corners (far from
 * square) -- validated as the request flow validates (val_object), then
 * run through the adapter (work_run) against the strict fake providers
 * (tests/fakes/providers.mjs), which check each upstream body against the
 * provider's own published types (tests/fakes/contracts/).  A case fails
 * when:
 *   - the fake recorded a contract finding (GET /__fake/violations): a
 *     body the provider would refuse, a limit stated in its docs, a field
 *     whose documented limit nobody encoded;
 *   - a request the product accepted (and would charge for) failed
 *     upstream;
 *   - an output the definition advertises for this model and input is
 *     missing from the answer (def_output.models / .when), or an answer
 *     that names the format it delivers names another than the one asked;
 *   - an input the model took changed nothing upstream (dropped on the
 *     floor), unless the answer reports what was made instead (a size a
 *     model cannot make: the answer's width and height say so).
 * A request refused before payment (400) is correct behaviour and counts
 * as such.  Nothing is hand-picked: adding a model or an input adds its
 * cases.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "basics/cfg.h"
#include "basics/def.h"
#include "basics/err.h"
#include "flow/flow.h"
#include "http/http.h"
#include "providers/work.h"
#include "validate/val.h"
#include "tap.h"

#include "fakeprov.h"

static char		 media_dir[64];
static struct cfg	*C;
static int		 n_run, n_refused;

static void
cfg_set(const char *k, const char *v)
{
	C->keys = realloc(C->keys, (C->n + 1) * sizeof(char *));
	C->vals = realloc(C->vals, (C->n + 1) * sizeof(char *));
	C->keys[C->n] = strdup(k);
	C->vals[C->n] = strdup(v);
	C->n++;
}

/* ---- cases from the definition ------------------------------------- */

struct cases {
	char	**v;
	size_t	  n, cap;
};

static void
cases_add(struct cases *cs, const cJSON *o)
{
	char	*s;
	size_t	 i;

	if ((s = cJSON_PrintUnformatted(o)) == NULL)
		return;
	for (i = 0; i < cs->n; i++)
		if (strcmp(cs->v[i], s) == 0) {
			free(s);
			return;
		}
	if (cs->n == cs->cap) {
		cs->cap = cs->cap ? cs->cap * 2 : 32;
		cs->v = realloc(cs->v, cs->cap * sizeof(char *));
	}
	cs->v[cs->n++] = s;
}

static void
cases_free(struct cases *cs)
{
	size_t	 i;

	for (i = 0; i < cs->n; i++)
		free(cs->v[i]);
	free(cs->v);
	memset(cs, 0, sizeof(*cs));
}

static int
is_selector(const struct def_endpoint *ep, const struct def_param *p)
{
	return (ep->tier_param && strcmp(p->name, ep->tier_param) == 0) ||
	    (ep->model_param && strcmp(p->name, ep->model_param) == 0);
}

/* A string of n characters (ASCII, so characters = bytes). */
static cJSON *
long_string(unsigned n)
{
	char	*s;
	cJSON	*j;
	unsigned i;

	if ((s = malloc(n + 1)) == NULL)
		return NULL;
	for (i = 0; i < n; i++)
		s[i] = "a lighthouse at dawn "[i % 21];
	s[n] = '\0';
	if (n > 0 && s[n - 1] == ' ')
		s[n - 1] = '.';
	j = cJSON_CreateString(s);
	free(s);
	return j;
}

/* The definition's example of p, else a plain value of its type. */
static cJSON *
example(const struct def_param *p)
{
	cJSON	*j = NULL;
	char	 url[160];

	/* Input images: the fake's files (an adapter may read their size). */
	if (p->type == DEF_URL) {
		snprintf(url, sizeof(url), "http://127.0.0.1:%d/files/"
		    "input-%s.png?w=800&h=600", fake_port, p->name);
		return cJSON_CreateString(url);
	}
	if (p->example != NULL)
		j = cJSON_Parse(p->example);
	if (j != NULL)
		return j;
	switch (p->type) {
	case DEF_INTEGER:
	case DEF_NUMBER:
		return cJSON_CreateNumber(p->has_range ? p->min : 1);
	case DEF_BOOLEAN:
		return cJSON_CreateTrue();
	case DEF_URL:
		return NULL;
	default:
		return cJSON_CreateString(p->enums ? p->enums[0] : "a fox");
	}
}

static void
with(struct cases *cs, const cJSON *base, const char *k, cJSON *v)
{
	cJSON	*o = cJSON_Duplicate(base, 1);

	cJSON_DeleteItemFromObjectCaseSensitive(o, k);
	cJSON_AddItemToObject(o, k, v);
	cases_add(cs, o);
	cJSON_Delete(o);
}

static void
build(const struct def_endpoint *ep, const struct def_model *m,
    struct cases *cs)
{
	const struct def_param	*p, *pw, *ph;
	const struct def_tier	*t;
	cJSON			*base, *all, *o;
	double			 w[2], h[2];
	size_t			 i;
	int			 a, b;

	base = cJSON_CreateObject();
	if (ep->model_param != NULL)
		cJSON_AddStringToObject(base, ep->model_param, m->id);
	for (p = ep->params; p->name != NULL; p++)
		if (p->required && !is_selector(ep, p))
			cJSON_AddItemToObject(base, p->name, example(p));
	cases_add(cs, base);
	/* The same model chosen by each tier that maps to it. */
	for (t = ep->tiers; t != NULL && t->name != NULL; t++) {
		if (strcmp(t->model, m->id) != 0)
			continue;
		o = cJSON_Duplicate(base, 1);
		if (ep->model_param != NULL)
			cJSON_DeleteItemFromObjectCaseSensitive(o,
			    ep->model_param);
		cJSON_AddStringToObject(o, ep->tier_param, t->name);
		cases_add(cs, o);
		cJSON_Delete(o);
	}
	/* Every optional input this model takes, at once. */
	all = cJSON_Duplicate(base, 1);
	for (p = ep->params; p->name != NULL; p++)
		if (!p->required && !is_selector(ep, p) &&
		    val_model_allows(p, m))
			cJSON_AddItemToObject(all, p->name, example(p));
	cases_add(cs, all);
	cJSON_Delete(all);
	/* Each input alone, at its edges and every value it names. */
	for (p = ep->params; p->name != NULL; p++) {
		if (is_selector(ep, p) || !val_model_allows(p, m))
			continue;
		if (!p->required)
			with(cs, base, p->name, example(p));
		if (p->enums != NULL)
			for (i = 0; p->enums[i] != NULL; i++)
				with(cs, base, p->name,
				    cJSON_CreateString(p->enums[i]));
		if (p->type == DEF_BOOLEAN) {
			with(cs, base, p->name, cJSON_CreateTrue());
			with(cs, base, p->name, cJSON_CreateFalse());
		}
		if ((p->type == DEF_INTEGER || p->type == DEF_NUMBER) &&
		    p->has_range) {
			with(cs, base, p->name, cJSON_CreateNumber(p->min));
			with(cs, base, p->name, cJSON_CreateNumber(p->max));
		}
		if (p->type == DEF_STRING && p->enums == NULL &&
		    p->max_len > 0)
			with(cs, base, p->name, long_string(p->max_len));
	}
	/* Sizes at the four corners: square and far from it. */
	pw = def_find_param(ep, "width");
	ph = def_find_param(ep, "height");
	if (pw != NULL && ph != NULL && pw->has_range && ph->has_range &&
	    val_model_allows(pw, m) && val_model_allows(ph, m)) {
		w[0] = pw->min, w[1] = pw->max;
		h[0] = ph->min, h[1] = ph->max;
		for (a = 0; a < 2; a++)
			for (b = 0; b < 2; b++) {
				o = cJSON_Duplicate(base, 1);
				cJSON_AddNumberToObject(o, "width", w[a]);
				cJSON_AddNumberToObject(o, "height", h[b]);
				cases_add(cs, o);
				cJSON_Delete(o);
			}
	}
	cJSON_Delete(base);
}

/* ---- one case ------------------------------------------------------- */

static int
in_list(const char *const *l, const char *s)
{
	for (; l != NULL && *l != NULL; l++)
		if (strcmp(*l, s) == 0)
			return 1;
	return 0;
}

/* Whether the definition promises output o for this model and request. */
static int
promised(const struct def_output *o, const struct def_model *m,
    const cJSON *req)
{
	const cJSON	*v;

	if (o->models != NULL && !in_list(o->models, m->id))
		return 0;
	if (o->when != NULL) {
		v = cJSON_GetObjectItemCaseSensitive(req, o->when);
		if (v == NULL || cJSON_IsFalse(v) || cJSON_IsNull(v))
			return 0;
	}
	return 1;
}

/* The fake's findings since the last reset, as one line; NULL if none. */
static char *
findings(void)
{
	cJSON		*all, *it, *bad, *b;
	char		*out = NULL, line[1024];
	size_t		 len = 0, l;

	if ((all = fake_get("/__fake/violations", "GET")) == NULL)
		return strdup("could not read /__fake/violations");
	cJSON_ArrayForEach(it, all) {
		bad = cJSON_GetObjectItem(it, "bad");
		cJSON_ArrayForEach(b, bad) {
			snprintf(line, sizeof(line), "%s%s %s: %s [%s] %s",
			    len ? "; " : "",
			    cJSON_GetStringValue(cJSON_GetObjectItem(it,
			    "provider")), cJSON_GetStringValue(
			    cJSON_GetObjectItem(it, "key")),
			    cJSON_GetStringValue(cJSON_GetObjectItem(b, "path")),
			    cJSON_GetStringValue(cJSON_GetObjectItem(b, "kind")),
			    cJSON_GetStringValue(cJSON_GetObjectItem(b, "msg")));
			l = strlen(line);
			out = realloc(out, len + l + 1);
			memcpy(out + len, line, l + 1);
			len += l;
		}
	}
	cJSON_Delete(all);
	return out;
}

/* The model's base case: its normalised request and upstream call. */
struct base {
	char	*req;
	char	*up;
};

/* The normalised request without the selectors, printed. */
static char *
norm(const struct def_endpoint *ep, const cJSON *req)
{
	cJSON	*o = cJSON_Duplicate(req, 1);
	char	*s;

	if (ep->tier_param != NULL)
		cJSON_DeleteItemFromObjectCaseSensitive(o, ep->tier_param);
	if (ep->model_param != NULL)
		cJSON_DeleteItemFromObjectCaseSensitive(o, ep->model_param);
	s = cJSON_PrintUnformatted(o);
	cJSON_Delete(o);
	return s;
}

/* The first call to a provider since the reset: path, query and body. */
static char *
upstream_call(void)
{
	cJSON		*all, *it, *o;
	const char	*path;
	char		*s = NULL;

	if ((all = fake_get("/__fake/requests", "GET")) == NULL)
		return NULL;
	cJSON_ArrayForEach(it, all) {
		path = cJSON_GetStringValue(cJSON_GetObjectItem(it, "path"));
		if (path == NULL || strcmp(cJSON_GetStringValue(
		    cJSON_GetObjectItem(it, "method")), "POST") != 0)
			continue;
		o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, "path", path);
		cJSON_AddItemToObject(o, "query", cJSON_Duplicate(
		    cJSON_GetObjectItem(it, "query"), 1));
		cJSON_AddItemToObject(o, "body", cJSON_Duplicate(
		    cJSON_GetObjectItem(it, "body"), 1));
		s = cJSON_PrintUnformatted(o);
		cJSON_Delete(o);
		break;
	}
	cJSON_Delete(all);
	return s;
}

/*
 * The inputs whose change went nowhere: every field of req that differs
 * from the base request, when the upstream call did not change, unless
 * the answer reports another value for it (an adaptation the caller
 * sees).  Into out (names, space-separated); 0 when none.
 */
static int
dropped(const struct def_endpoint *ep, const char *basereq, const cJSON *req,
    const cJSON *shaped, char *out, size_t sz)
{
	cJSON		*b = cJSON_Parse(basereq);
	const cJSON	*it, *bv, *ov;
	const struct def_param *prm;

	out[0] = '\0';
	cJSON_ArrayForEach(it, req) {
		if ((ep->tier_param && strcmp(it->string, ep->tier_param) == 0) ||
		    (ep->model_param && strcmp(it->string, ep->model_param) == 0))
			continue;
		/* Ours alone (a job's webhook_url): never sent upstream. */
		if ((prm = def_find_param(ep, it->string)) != NULL &&
		    prm->type == DEF_WEBHOOK)
			continue;
		bv = cJSON_GetObjectItemCaseSensitive(b, it->string);
		if (bv != NULL && cJSON_Compare(bv, it, 1))
			continue;
		ov = cJSON_GetObjectItemCaseSensitive(shaped, it->string);
		if (ov != NULL && !cJSON_Compare(ov, it, 0) &&
		    !(cJSON_IsString(ov) && cJSON_IsNumber(it) &&
		    atof(ov->valuestring) == it->valuedouble))
			continue;	/* reported: the answer says what it made */
		if (strlen(out) + strlen(it->string) + 2 < sz) {
			strcat(out, " ");
			strcat(out, it->string);
		}
	}
	cJSON_Delete(b);
	return out[0] != '\0';
}

static void
one(const struct def_endpoint *ep, const struct def_model *m,
    const char *body, struct base *bs)
{
	struct val_result	 vr;
	struct sf_err		 e;
	struct work_job		 w;
	const struct def_output	*o;
	cJSON			*facts = NULL, *shaped = NULL;
	const cJSON		*fv, *rv;
	char			*f, *nr = NULL, *up = NULL, missing[512];
	char			 drop[256];
	int			 rc;

	sf_err_clear(&e);
	if (val_request(ep, "application/json", body, strlen(body), &vr,
	    &e) == -1) {
		/* Refused before payment: what the issue asks for where the
		   provider is stricter; the message must name the field. */
		n_refused++;
		TAP_OK(e.status == 400 || e.status == 413,
		    "%s %s %.300s: refused before payment (%d %s: %s)",
		    ep->name, m->id, body, e.status, e.code, e.message);
		return;
	}
	fake_reset();
	memset(&w, 0, sizeof(w));
	w.ep = ep;
	w.model = vr.model;
	w.tier = vr.tier;
	w.req = vr.req;
	w.cfg = C;
	rc = work_run(&w, &facts, &e);
	n_run++;
	f = findings();
	up = upstream_call();
	nr = norm(ep, vr.req);
	missing[0] = drop[0] = '\0';
	if (rc == 0) {
		cJSON_AddStringToObject(facts, "price", "$0.01");
		shaped = flow_shape(ep, facts);
		for (o = ep->outputs; o->name != NULL; o++)
			if (promised(o, vr.model, vr.req) &&
			    cJSON_GetObjectItemCaseSensitive(shaped,
			    o->name) == NULL &&
			    strlen(missing) + strlen(o->name) + 2 <
			    sizeof(missing)) {
				strcat(missing, " ");
				strcat(missing, o->name);
			}
		/* An answer that says its format says the one asked. */
		fv = cJSON_GetObjectItemCaseSensitive(shaped, "format");
		rv = cJSON_GetObjectItemCaseSensitive(vr.req, "format");
		if (cJSON_IsString(fv) && cJSON_IsString(rv) &&
		    strcmp(fv->valuestring, rv->valuestring) != 0 &&
		    !(strcmp(rv->valuestring, "jpeg") == 0 &&
		    strcmp(fv->valuestring, "jpg") == 0))
			snprintf(missing + strlen(missing), sizeof(missing) -
			    strlen(missing), " format %s (asked %s)",
			    fv->valuestring, rv->valuestring);
		if (bs->req == NULL) {
			bs->req = nr;
			bs->up = up;
			nr = up = NULL;
		} else if (up != NULL && bs->up != NULL &&
		    strcmp(up, bs->up) == 0 && strcmp(nr, bs->req) != 0)
			dropped(ep, bs->req, vr.req, shaped, drop,
			    sizeof(drop));
	}
	/*
	 * An adapter may refuse a request it can tell is wrong before any
	 * upstream call (an unknown voice name): a 400, nothing spent, no
	 * settlement.  Any other failure fails.
	 */
	if (rc == -1 && e.status == 400 && up == NULL && f == NULL) {
		TAP_OK(1, "%s %s %.300s: refused before any upstream call "
		    "(%s: %s)", ep->name, vr.model->id, body, e.code,
		    e.message);
		goto done;
	}
	TAP_OK(rc == 0 && f == NULL && missing[0] == '\0' && drop[0] == '\0',
	    "%s %s %.300s%s%s%s%s%s%s%s%s", ep->name, vr.model->id, body,
	    rc == 0 ? "" : ": failed upstream: ", rc == 0 ? "" : e.message,
	    f ? ": contract: " : "", f ? f : "",
	    missing[0] ? ": advertised but missing:" : "", missing,
	    drop[0] ? ": input changed nothing upstream:" : "", drop);
done:
	free(f);
	free(nr);
	free(up);
	cJSON_Delete(shaped);
	cJSON_Delete(facts);
	val_result_free(&vr);
}

/* ---- the fake is strict: it must refuse what the provider refuses ---- */

static int
fake_post_status(const char *path, const char *body, char **resp)
{
	struct http_req	 q;
	struct http_resp r;
	struct sf_err	 e;
	char		 url[512];
	const char	*hdrs[] = { "Authorization: Key test-fal-key", NULL };
	int		 st = -1;

	snprintf(url, sizeof(url), "http://127.0.0.1:%d%s", fake_port, path);
	memset(&q, 0, sizeof(q));
	q.url = url;
	q.method = "POST";
	q.body = body;
	q.headers = hdrs;
	q.deadline_ms = http_now_ms() + 10000;
	if (http_do(&q, &r, &e) == 0) {
		st = (int)r.status;
		if (resp != NULL)
			*resp = r.body.p ? strdup(r.body.p) : NULL;
	}
	http_resp_free(&r);
	return st;
}

static void
self_check(void)
{
	char	*r = NULL;
	int	 st;

	fake_reset();
	/* fal z-image inpaint wants mask_image_url, not mask_url. */
	st = fake_post_status("/fal/fal-ai/z-image/turbo/inpaint",
	    "{\"prompt\":\"x\",\"image_url\":\"https://e.com/a.png\","
	    "\"mask_url\":\"https://e.com/m.png\"}", &r);
	TAP_OK(st == 422 && r != NULL && strstr(r, "mask_image_url") != NULL &&
	    strstr(r, "\"detail\"") != NULL,
	    "fake: fal refuses a body without a required field, 422 with a "
	    "detail list naming it (%d %s)", st, r ? r : "");
	free(r);
	r = NULL;
	st = fake_post_status("/fal/fal-ai/qwen-image-2/text-to-image",
	    "{\"prompt\":\"x\",\"image_size\":{\"width\":256,\"height\":256}}",
	    &r);
	TAP_OK(st == 422 && r != NULL && strstr(r, "image_size") != NULL,
	    "fake: fal refuses a size below a limit stated in its docs only "
	    "(%d %s)", st, r ? r : "");
	free(r);
	fake_reset();
}

int
main(void)
{
	const struct def_entry	*de;
	const struct def_model	*m;
	struct cases		 cs;
	struct base		 bs;
	char			 base[128], v[160];
	int			 rc;
	size_t			 i;

	if (fake_start() == -1) {
		fake_stop();
		return 1;
	}
	snprintf(media_dir, sizeof(media_dir), "/tmp/sf-contracts-XXXXXX");
	if (mkdtemp(media_dir) == NULL) {
		fake_stop();
		return 1;
	}
	C = calloc(1, sizeof(*C));
	snprintf(base, sizeof(base), "http://127.0.0.1:%d", fake_port);
#define BASE(k, p) do { snprintf(v, sizeof(v), "%s%s", base, p); \
	cfg_set(k, v); } while (0)
	BASE("VENICE_BASE_URL", "/api/v1");
	BASE("FAL_QUEUE_BASE_URL", "/fal");
	BASE("BFL_BASE_URL", "/bfl");
	BASE("OPENAI_BASE_URL", "/openai/v1/");
	BASE("GEMINI_BASE_URL", "/google/v1beta");
	BASE("XAI_BASE_URL", "/xai/v1");
	BASE("ELEVENLABS_BASE_URL", "/elevenlabs");
	BASE("REPLICATE_BASE_URL", "/replicate/v1");
#undef BASE
	cfg_set("VENICE_API_KEY", "test-venice-key");
	cfg_set("FAL_KEY", "test-fal-key");
	cfg_set("BFL_API_KEY", "test-bfl-key");
	cfg_set("OPENAI_API_KEY", "test-openai-key");
	cfg_set("GEMINI_API_KEY", "test-google-key");
	cfg_set("XAI_API_KEY", "test-xai-key");
	cfg_set("ELEVENLABS_API_KEY", "test-elevenlabs-key");
	cfg_set("REPLICATE_API_TOKEN", "test-replicate-key");
	cfg_set("PROVIDER_POLL_MS", "1");
	cfg_set("PROVIDER_BACKOFF_MS", "1");
	cfg_set("MEDIA_STORE", "local");
	cfg_set("MEDIA_DIR", media_dir);
	cfg_set("PUBLIC_URL", "http://sf.test");
	cfg_set("URL_ALLOW", "127.0.0.1");

	self_check();
	/* The example each page, 402 and paid test sends is accepted. */
	for (de = def_table; de->ep != NULL; de++) {
		struct val_result	 vr;
		struct sf_err		 e;

		if (de->ep->example == NULL)
			continue;
		sf_err_clear(&e);
		rc = val_request(de->ep, "application/json", de->ep->example,
		    strlen(de->ep->example), &vr, &e);
		TAP_OK(rc == 0, "%s: the definition's example is accepted (%s)",
		    de->ep->name, e.message);
		if (rc == 0)
			val_result_free(&vr);
	}
	for (de = def_table; de->ep != NULL; de++)
		for (m = de->ep->models; m != NULL && m->id != NULL; m++) {
			memset(&cs, 0, sizeof(cs));
			memset(&bs, 0, sizeof(bs));
			build(de->ep, m, &cs);
			for (i = 0; i < cs.n; i++)
				one(de->ep, m, cs.v[i], &bs);
			cases_free(&cs);
			free(bs.req);
			free(bs.up);
		}
	printf("# %d cases ran upstream, %d refused before payment\n", n_run,
	    n_refused);
	TAP_OK(n_run > 0, "some cases reached the fake providers");

	fake_stop();
	cfg_free(C);
	snprintf(v, sizeof(v), "rm -rf '%s'", media_dir);
	if (system(v) != 0)
		printf("# could not remove %s\n", media_dir);
	return tap_done();
}
