/*
 * The peer-compatible endpoints (seeds 003 and 004) without a server:
 * every model's price and route as on the pages (Imagen's retired ids
 * refused with 400 model_retired before any price), each parameter a
 * model does not take refused naming it,
 * and the image_url guard refusing internal addresses before anything
 * is fetched or asked for.  Through lighttpd: tests/integ/peer*.test.mjs.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "basics/def.h"
#include "basics/err.h"
#include "media/urlguard.h"
#include "validate/val.h"
#include "tap.h"

extern const struct def_endpoint ep_api_v1_image_generate;
extern const struct def_endpoint ep_api_v1_image_edit;
extern const struct def_endpoint ep_api_generate;

static const struct {
	const struct def_endpoint	*ep;
	const char			*model, *provider;
	uint64_t			 price;
	int				 b64;	/* 2 = retired: refused */
} models[] = {
	{ &ep_api_v1_image_generate, "imagen-4", "google", 40000, 2 },
	{ &ep_api_v1_image_generate, "imagen-4-fast", "google", 20000, 2 },
	{ &ep_api_v1_image_generate, "imagen-4-ultra", "google", 60000, 2 },
	{ &ep_api_v1_image_generate, "flux-2-pro", "bfl", 50000, 0 },
	{ &ep_api_v1_image_generate, "flux-2-klein", "bfl", 20000, 0 },
	{ &ep_api_v1_image_generate, "flux-1.1-pro", "bfl", 40000, 0 },
	{ &ep_api_v1_image_generate, "recraft-v4", "fal", 40000, 0 },
	{ &ep_api_v1_image_generate, "recraft-v3", "fal", 40000, 0 },
	{ &ep_api_v1_image_generate, "ideogram-v3", "fal", 60000, 0 },
	{ &ep_api_v1_image_generate, "sd-3.5", "fal", 30000, 0 },
	{ &ep_api_v1_image_generate, "qwen-image", "fal", 75000, 0 },
	{ &ep_api_v1_image_edit, "flux-kontext", "bfl", 50000, 0 },
	{ &ep_api_v1_image_edit, "qwen-image-edit", "fal", 75000, 0 },
	{ &ep_api_v1_image_edit, "seedream-5", "fal", 40000, 0 },
	{ &ep_api_generate, "flux-schnell", "fal", 20000, 0 },
	{ &ep_api_generate, "flux-dev", "fal", 30000, 0 },
	{ &ep_api_generate, "flux-pro", "fal", 50000, 0 },
};

/* Validate body; status 0 = valid, with the amount in amount. */
static int
check(const struct def_endpoint *ep, const char *body, char *amount,
    size_t asz, struct sf_err *err)
{
	struct val_result	 vr;

	sf_err_clear(err);
	if (amount != NULL && asz > 0)
		amount[0] = '\0';
	if (val_request(ep, "application/json", body, strlen(body), &vr,
	    err) == -1)
		return err->status;
	if (amount != NULL)
		snprintf(amount, asz, "%s", vr.amount);
	val_result_free(&vr);
	return 0;
}

static void
test_models(void)
{
	const struct def_model	*m;
	struct sf_err		 err;
	char			 body[256], amount[24], want[24];
	size_t			 i, n[3] = { 0, 0, 0 };

	for (i = 0; i < sizeof(models) / sizeof(models[0]); i++) {
		m = def_find_model(models[i].ep, models[i].model);
		TAP_OK(m != NULL && strcmp(m->provider, models[i].provider) ==
		    0 && m->price == models[i].price &&
		    !!(m->flags & DEF_MODEL_B64) == !!models[i].b64 &&
		    (m->retired != NULL) == (models[i].b64 == 2),
		    "%s %s: %s, %llu, %s", models[i].ep->name,
		    models[i].model, models[i].provider,
		    (unsigned long long)models[i].price,
		    models[i].b64 ? "base64" : "URL");
		snprintf(body, sizeof(body), "{\"prompt\":\"a fox\","
		    "\"model\":\"%s\"%s}", models[i].model,
		    models[i].ep == &ep_api_v1_image_edit ?
		    ",\"image_url\":\"https://example.com/a.png\"" : "");
		snprintf(want, sizeof(want), "%llu",
		    (unsigned long long)models[i].price);
		if (models[i].b64 == 2)
			TAP_OK(check(models[i].ep, body, amount,
			    sizeof(amount), &err) == 400 &&
			    strcmp(err.code, "model_retired") == 0,
			    "%s %s: retired, refused before a price (%s)",
			    models[i].ep->name, models[i].model, err.message);
		else
			TAP_OK(check(models[i].ep, body, amount,
			    sizeof(amount), &err) == 0 &&
			    strcmp(amount, want) == 0,
			    "%s %s: priced %s (%s %s)", models[i].ep->name,
			    models[i].model, want, amount, err.message);
	}
	/* Every model of the definitions is in the table above. */
	for (m = ep_api_v1_image_generate.models; m->id != NULL; m++)
		n[0]++;
	for (m = ep_api_v1_image_edit.models; m->id != NULL; m++)
		n[1]++;
	for (m = ep_api_generate.models; m->id != NULL; m++)
		n[2]++;
	TAP_OK(n[0] == 11 && n[1] == 3 && n[2] == 3,
	    "11 + 3 models from page 003, 3 from page 004");
}

static void
test_pricing(void)
{
	struct sf_err	 err;
	char		 amount[24], body[256];
	static const struct {
		const char	*model;
		int		 n;
		const char	*amount;
	} t[] = {
		{ "imagen-4", 1, "40000" }, { "imagen-4", 2, "80000" },
		{ "imagen-4", 4, "160000" }, { "imagen-4-fast", 3, "60000" },
		{ "imagen-4-ultra", 4, "240000" },
	};
	size_t		 i;

	/* num_images is Imagen's only: now refused whatever the count. */
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		snprintf(body, sizeof(body), "{\"prompt\":\"x\",\"model\":"
		    "\"%s\",\"num_images\":%d}", t[i].model, t[i].n);
		TAP_OK(check(&ep_api_v1_image_generate, body, amount,
		    sizeof(amount), &err) == 400 && amount[0] == '\0' &&
		    strcmp(err.code, "model_retired") == 0,
		    "%s x %d: retired, not %s (%s)", t[i].model, t[i].n,
		    t[i].amount, err.code);
	}
	TAP_OK(check(&ep_api_v1_image_generate, "{\"prompt\":\"x\"}", amount,
	    sizeof(amount), &err) == 0 && strcmp(amount, "50000") == 0,
	    "default model flux-2-pro: 50000");
	TAP_OK(check(&ep_api_v1_image_edit, "{\"prompt\":\"x\",\"image_url\":"
	    "\"https://example.com/a.png\"}", amount, sizeof(amount),
	    &err) == 0 && strcmp(amount, "75000") == 0,
	    "default model qwen-image-edit: 75000");
	TAP_OK(check(&ep_api_generate, "{\"prompt\":\"x\"}", amount,
	    sizeof(amount), &err) == 0 && strcmp(amount, "20000") == 0,
	    "default model flux-schnell: 20000");
}

static void
test_rules(void)
{
	struct sf_err	 err;
	static const struct {
		const struct def_endpoint	*ep;
		const char			*body;
		int				 status;
		const char			*code, *field;
	} t[] = {
		/* Sizes: Flux and fal only. */
		{ &ep_api_v1_image_generate, "{\"prompt\":\"x\",\"model\":"
		  "\"imagen-4\",\"width\":1024}", 400, "unsupported_parameter",
		  "width" },
		{ &ep_api_v1_image_generate, "{\"prompt\":\"x\",\"model\":"
		  "\"imagen-4-ultra\",\"height\":1024}", 400,
		  "unsupported_parameter", "height" },
		/* Ratios: Google and fal only. */
		{ &ep_api_v1_image_generate, "{\"prompt\":\"x\",\"model\":"
		  "\"flux-2-pro\",\"aspect_ratio\":\"16:9\"}", 400,
		  "unsupported_parameter", "aspect_ratio" },
		{ &ep_api_v1_image_generate, "{\"prompt\":\"x\",\"model\":"
		  "\"flux-1.1-pro\",\"aspect_ratio\":\"1:1\"}", 400,
		  "unsupported_parameter", "aspect_ratio" },
		/* Count and size preset: Imagen only. */
		{ &ep_api_v1_image_generate, "{\"prompt\":\"x\",\"model\":"
		  "\"flux-2-pro\",\"num_images\":2}", 400,
		  "unsupported_parameter", "num_images" },
		{ &ep_api_v1_image_generate, "{\"prompt\":\"x\",\"model\":"
		  "\"recraft-v4\",\"num_images\":1}", 400,
		  "unsupported_parameter", "num_images" },
		{ &ep_api_v1_image_generate, "{\"prompt\":\"x\",\"model\":"
		  "\"sd-3.5\",\"image_size\":\"2K\"}", 400,
		  "unsupported_parameter", "image_size" },
		{ &ep_api_v1_image_generate, "{\"prompt\":\"x\","
		  "\"image_size\":\"1K\"}", 400, "unsupported_parameter",
		  "image_size" },
		/* Seed: not Imagen, not Recraft. */
		{ &ep_api_v1_image_generate, "{\"prompt\":\"x\",\"model\":"
		  "\"imagen-4\",\"seed\":1}", 400, "unsupported_parameter",
		  "seed" },
		{ &ep_api_v1_image_generate, "{\"prompt\":\"x\",\"model\":"
		  "\"recraft-v3\",\"seed\":1}", 400, "unsupported_parameter",
		  "seed" },
		{ &ep_api_v1_image_edit, "{\"prompt\":\"x\",\"image_url\":"
		  "\"https://example.com/a.png\",\"model\":\"seedream-5\","
		  "\"seed\":1}", 400, "unsupported_parameter", "seed" },
		/* Ranges and values. */
		{ &ep_api_v1_image_generate, "{\"prompt\":\"x\",\"model\":"
		  "\"imagen-4\",\"num_images\":5}", 400, "out_of_range",
		  "num_images" },
		{ &ep_api_v1_image_generate, "{\"prompt\":\"x\",\"model\":"
		  "\"imagen-4\",\"num_images\":0}", 400, "out_of_range",
		  "num_images" },
		{ &ep_api_v1_image_generate, "{\"prompt\":\"x\",\"width\":255}",
		  400, "out_of_range", "width" },
		{ &ep_api_v1_image_generate, "{\"prompt\":\"x\",\"height\":2049}",
		  400, "out_of_range", "height" },
		{ &ep_api_v1_image_generate, "{\"prompt\":\"x\",\"model\":"
		  "\"imagen-4\",\"aspect_ratio\":\"21:9\"}", 400,
		  "invalid_value", "aspect_ratio" },
		{ &ep_api_v1_image_generate, "{\"prompt\":\"x\",\"model\":"
		  "\"imagen-4\",\"image_size\":\"4K\"}", 400, "invalid_value",
		  "image_size" },
		{ &ep_api_v1_image_generate, "{\"prompt\":\"x\",\"model\":"
		  "\"dall-e-3\"}", 400, "invalid_value", "model" },
		{ &ep_api_v1_image_generate, "{\"model\":\"imagen-4\"}", 400,
		  "missing_field", "prompt" },
		{ &ep_api_v1_image_edit, "{\"prompt\":\"x\"}", 400,
		  "missing_field", "image_url" },
		{ &ep_api_v1_image_edit, "{\"prompt\":\"x\",\"image_url\":"
		  "\"ftp://example.com/a.png\"}", 400, "invalid_url",
		  "image_url" },
		{ &ep_api_v1_image_edit, "{\"prompt\":\"x\",\"image_url\":"
		  "\"https://example.com/a.png\",\"model\":\"flux-2-pro\"}", 400,
		  "invalid_value", "model" },
		{ &ep_api_generate, "{\"prompt\":\"x\",\"model\":\"flux-pro\","
		  "\"seed\":1}", 400, "unknown_field", "seed" },
		{ &ep_api_generate, "{\"prompt\":\"x\",\"width\":1040}", 400,
		  "out_of_range", "width" },
		/* Imagen's inputs pass; the retired model does not. */
		{ &ep_api_v1_image_generate, "{\"prompt\":\"x\",\"model\":"
		  "\"imagen-4\",\"aspect_ratio\":\"9:16\",\"image_size\":\"2K\","
		  "\"num_images\":4}", 400, "model_retired", "model" },
		/* FLUX 1.1 [pro]'s own size rule. */
		{ &ep_api_v1_image_generate, "{\"prompt\":\"x\",\"model\":"
		  "\"flux-1.1-pro\",\"width\":2048}", 400, "invalid_size",
		  "width" },
		/* And the pairings that are allowed. */
		{ &ep_api_v1_image_generate, "{\"prompt\":\"x\",\"model\":"
		  "\"qwen-image\",\"aspect_ratio\":\"4:3\",\"width\":2048,"
		  "\"height\":256,\"seed\":7}", 0, "", "" },
		{ &ep_api_v1_image_generate, "{\"prompt\":\"x\",\"model\":"
		  "\"flux-2-klein\",\"width\":512,\"height\":512,\"seed\":0}",
		  0, "", "" },
		{ &ep_api_v1_image_edit, "{\"prompt\":\"x\",\"image_url\":"
		  "\"https://example.com/a.png\",\"model\":\"flux-kontext\","
		  "\"seed\":3}", 0, "", "" },
		{ &ep_api_generate, "{\"prompt\":\"x\",\"model\":\"flux-dev\","
		  "\"width\":1024,\"height\":256}", 0, "", "" },
	};
	size_t		 i;
	int		 st;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		st = check(t[i].ep, t[i].body, NULL, 0, &err);
		TAP_OK(st == t[i].status && strcmp(err.code, t[i].code) == 0 &&
		    strcmp(err.field, t[i].field) == 0 &&
		    (st == 0 || strstr(err.message, t[i].field) != NULL),
		    "%s %s -> %d %s %s (%d %s %s: %s)", t[i].ep->name,
		    t[i].body, t[i].status, t[i].code, t[i].field, st,
		    err.code, err.field, err.message);
	}
}

/* The guard the flow runs on image_url before any 402. */
static void
test_guard(void)
{
	static const char *const refused[] = {
		"http://127.0.0.1/a.png", "http://localhost/a.png",
		"http://10.1.2.3/a.png", "http://192.168.1.1/a.png",
		"http://172.16.0.5/a.png", "http://169.254.169.254/latest/",
		"http://[::1]/a.png", "http://[fd00::1]/a.png",
		"http://[::ffff:127.0.0.1]/a.png", "http://0x7f000001/a.png",
		"http://user:pw@8.8.8.8/a.png", "ftp://8.8.8.8/a.png",
	};
	const struct def_param	*p;
	struct sf_err		 err;
	size_t			 i;

	unsetenv("SYNTHFORGE_URL_ALLOW");
	p = def_find_param(&ep_api_v1_image_edit, "image_url");
	TAP_OK(p != NULL && p->type == DEF_URL && p->required,
	    "image_url is a required DEF_URL (guarded by the flow)");
	for (i = 0; i < sizeof(refused) / sizeof(refused[0]); i++) {
		sf_err_clear(&err);
		TAP_OK(urlguard_check(NULL, refused[i], "image_url", &err) ==
		    -1 && err.status == 400 &&
		    strcmp(err.code, "url_refused") == 0 &&
		    strcmp(err.field, "image_url") == 0,
		    "image_url %s refused (%s)", refused[i], err.message);
	}
}

int
main(void)
{
	test_models();
	test_pricing();
	test_rules();
	test_guard();
	return tap_done();
}
