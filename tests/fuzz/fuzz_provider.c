/*
 * libFuzzer target: one provider adapter's reading of its upstream's
 * replies (providers/upstream/prov_<FUZZ_PROVIDER>.c, through its run
 * function in providers/provs.h), as the replies arrive over HTTP (the
 * scripted transport, fuzz_http.h): job submits, polls, results, errors,
 * input downloads.  Built once per provider (-DFUZZ_PROVIDER="venice",
 * tests/fuzz/fuzz.mk).  The first byte picks one of the (endpoint, model)
 * routes the definitions send to this provider, with the endpoint's
 * example request; the rest is the script of answers.  Beyond "no
 * crash": a success holds 1..PROV_MAX_OUT outputs, each bytes or a URL
 * with a MIME type; a failure is an error with a status and a message.
 *
 * Record mode (FUZZ_RECORD_DIR set): every route runs once against the
 * real transport (the strict fakes, tests/fuzz/record.mjs) and its
 * answers are written there as seeds; then the program exits.
 */
#include <assert.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "basics/cfg.h"
#include "basics/def.h"
#include "basics/err.h"
#include "http/http.h"
#include "providers/prov.h"
#include "providers/provs.h"
#include "providers/route.h"
#include "validate/schema.h"
#include "validate/val.h"
#include "fuzz_env.h"
#include "fuzz_http.h"

#ifndef FUZZ_PROVIDER
#error "build with -DFUZZ_PROVIDER=\"name\""
#endif

#define FUZZ_MAX_ROUTES	64

int	LLVMFuzzerInitialize(int *, char ***);
int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

struct fuzz_route {
	const struct def_endpoint	*ep;
	const struct def_model		*model;
	struct route			 rt;
	cJSON				*req;
};

static struct fuzz_route	 routes[FUZZ_MAX_ROUTES];
static size_t			 nroutes;
static struct cfg		*cfg;

/* The endpoint's example, asking for model m, URL inputs pointing at url. */
static cJSON *
fuzz_request(const struct def_endpoint *ep, const struct def_model *m,
    const char *url)
{
	const struct def_param	*p;
	const struct def_tier	*t;
	struct val_result	 vr;
	struct sf_err		 err;
	cJSON			*req, *copy;

	if ((req = schema_example_input(ep)) == NULL)
		return NULL;
	for (p = ep->params; p->name != NULL; p++)
		if (p->type == DEF_URL &&
		    cJSON_HasObjectItem(req, p->name))
			cJSON_ReplaceItemInObjectCaseSensitive(req, p->name,
			    cJSON_CreateString(url));
	if (ep->model_param != NULL) {
		cJSON_DeleteItemFromObjectCaseSensitive(req, ep->model_param);
		cJSON_AddStringToObject(req, ep->model_param, m->id);
		if (ep->tier_param != NULL)
			cJSON_DeleteItemFromObjectCaseSensitive(req,
			    ep->tier_param);
	} else if (ep->tier_param != NULL && ep->tiers != NULL)
		for (t = ep->tiers; t->name != NULL; t++)
			if (strcmp(t->model, m->id) == 0) {
				cJSON_DeleteItemFromObjectCaseSensitive(req,
				    ep->tier_param);
				cJSON_AddStringToObject(req, ep->tier_param,
				    t->name);
				break;
			}
	/* Normalised as the flow hands it over, when it validates. */
	if ((copy = cJSON_Duplicate(req, 1)) != NULL &&
	    val_object(ep, copy, &vr, &err) == 0 && vr.model == m) {
		cJSON_Delete(req);
		req = vr.req;
		vr.req = NULL;
		val_result_free(&vr);
	} else if (copy != NULL && vr.req != NULL)
		val_result_free(&vr);
	return req;
}

static void
fuzz_routes(const char *url)
{
	const struct def_entry	*e;
	const struct def_model	*m;
	struct fuzz_route	*f;
	struct sf_err		 err;

	for (e = def_table; e->ep != NULL; e++)
		for (m = e->ep->models; m != NULL && m->id != NULL; m++) {
			if (nroutes == FUZZ_MAX_ROUTES || m->retired != NULL)
				continue;
			f = &routes[nroutes];
			if (route_resolve(cfg, e->ep, m, &f->rt, &err) == -1 ||
			    f->rt.offline ||
			    strcmp(f->rt.provider, FUZZ_PROVIDER) != 0)
				continue;
			f->ep = e->ep;
			f->model = m;
			if ((f->req = fuzz_request(e->ep, m, url)) != NULL)
				nroutes++;
		}
	if (nroutes == 0) {
		fprintf(stderr, "fuzz_provider: no route goes to %s\n",
		    FUZZ_PROVIDER);
		exit(2);
	}
}

static void
fuzz_note_id(void *arg, const char *id)
{
	(void)arg;
	assert(id != NULL);
}

/* Run route i once; the result's invariants hold whatever came back. */
static void
fuzz_run(size_t i, int64_t ms)
{
	struct fuzz_route	*f = &routes[i];
	struct prov_job		 j;
	struct prov_result	 r;
	struct sf_err		 err;
	size_t			 k;

	memset(&j, 0, sizeof(j));
	memset(&r, 0, sizeof(r));
	j.ep = f->ep;
	j.model = f->model;
	j.provider = f->rt.provider;
	j.upstream = f->rt.upstream;
	j.req = f->req;
	j.cfg = cfg;
	j.deadline_ms = http_now_ms() + ms;
	j.on_request_id = fuzz_note_id;
	sf_err_clear(&err);
	if (f->rt.prov->run(&j, &r, &err) == 0) {
		assert(r.nout <= PROV_MAX_OUT);
		for (k = 0; k < r.nout; k++)
			assert((r.out[k].data != NULL) != (r.out[k].url !=
			    NULL) && memchr(r.out[k].mime, '\0',
			    sizeof(r.out[k].mime)) != NULL);
	} else
		assert(err.status >= 400 && err.message[0] != '\0' &&
		    memchr(err.message, '\0', sizeof(err.message)) != NULL);
	assert(memchr(r.request_id, '\0', sizeof(r.request_id)) != NULL &&
	    memchr(r.model, '\0', sizeof(r.model)) != NULL);
	prov_result_free(&r);
}

static void
fuzz_record(const char *dir)
{
	const struct buf	*rec;
	char			 path[1024];
	FILE			*fp;
	size_t			 i;

	for (i = 0; i < nroutes; i++) {
		fuzz_http_record(1);
		fuzz_run(i, 30000);
		rec = fuzz_http_recorded();
		snprintf(path, sizeof(path), "%s/%s-%s", dir, routes[i].ep->name,
		    routes[i].model->id);
		if ((fp = fopen(path, "w")) == NULL ||
		    fputc((int)i, fp) == EOF ||
		    (rec->len > 0 && fwrite(rec->p, 1, rec->len, fp) !=
		    rec->len) || fclose(fp) == EOF) {
			perror(path);
			exit(2);
		}
		printf("recorded %s (%zu bytes)\n", path, rec->len + 1);
	}
	fuzz_http_record(0);
}

/*
 * Providers no definition routes to by default are reached as operators
 * reach them, with ROUTE_* overrides (the ones tests/unit/test_providers.c
 * uses against the same fakes).
 */
static void
fuzz_overrides(void)
{
	static const char *const o[][3] = {
		{ "openai", "SYNTHFORGE_ROUTE_IMAGE_GENERATE_ULTRA_GPT_IMAGE_2",
		  "openai:gpt-image-2" },
		{ "google", "SYNTHFORGE_ROUTE_IMAGE_GENERATE_ULTRA_NANO_BANANA_PRO",
		  "google:gemini-3-pro-image-preview" },
		{ "google", "SYNTHFORGE_ROUTE_IMAGE_GENERATE_ULTRA_NANO_BANANA_2",
		  "google:imagen-4.0-generate-001" },
		{ "xai", "SYNTHFORGE_ROUTE_IMAGE_GENERATE_ULTRA_GROK_IMAGINE_"
		  "IMAGE_QUALITY", "xai:grok-imagine-image-quality" },
		{ "replicate", "SYNTHFORGE_ROUTE_IMAGE_GENERATE_PRO_RECRAFT_V4",
		  "replicate:black-forest-labs/flux-schnell" },
	};
	size_t	 i;

	for (i = 0; i < sizeof(o) / sizeof(o[0]); i++)
		if (strcmp(o[i][0], FUZZ_PROVIDER) == 0)
			setenv(o[i][1], o[i][2], 1);
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	const char	*rec = getenv("FUZZ_RECORD_DIR");

	(void)argc;
	(void)argv;
	fuzz_overrides();
	cfg = fuzz_env_cfg();
	http_init();
	fuzz_routes(getenv("FUZZ_INPUT_URL") != NULL ?
	    getenv("FUZZ_INPUT_URL") : "http://93.184.216.34/input.png");
	if (rec != NULL) {
		fuzz_record(rec);
		exit(0);
	}
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	fuzz_http_script(data + 1, size - 1);
	fuzz_run(data[0] % nroutes, 60000);
	return 0;
}
