/*
 * val: strict validation, normalisation and pricing against the real
 * definitions (def_lookup).  Defaults and snapping, tiers and models,
 * prices per model and per image, every error class with its status, code
 * and field, and nothing left allocated after a refusal (run under ASan).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "basics/def.h"
#include "basics/err.h"
#include "tap.h"
#include "validate/val.h"

#define JSON	"application/json"

/* A per-image priced endpoint of the tests' own. */
static const struct def_param multi_params[] = {
	{ .name = "prompt", .type = DEF_STRING, .required = 1, .max_len = 100 },
	{ .name = "num_images", .type = DEF_INTEGER, .has_range = 1, .min = 1,
	  .max = 4, .has_default = 1, .def_num = 1 },
	{ 0 }
};
static const struct def_model multi_models[] = {
	{ .id = "m", .provider = "offline", .upstream = "m", .price = 40000 },
	{ 0 }
};
static const struct def_endpoint ep_multi = {
	.name = "multi", .price = 1, .price_per = "num_images",
	.params = multi_params, .models = multi_models
};

static const struct def_endpoint *
ep(const char *name)
{
	const struct def_entry	*e = def_lookup(name);

	if (e == NULL) {
		printf("Bail out! no definition %s\n", name);
		exit(2);
	}
	return e->ep;
}

/* Validate body (as a C string) as application/json; 0 or -1. */
static int
run(const char *epname, const char *body, struct val_result *r,
    struct sf_err *err)
{
	sf_err_clear(err);
	return val_request(ep(epname), JSON, body, strlen(body), r, err);
}

static const cJSON *
field(const struct val_result *r, const char *name)
{
	return cJSON_GetObjectItemCaseSensitive(r->req, name);
}

static double
num(const struct val_result *r, const char *name)
{
	const cJSON	*v = field(r, name);

	return cJSON_IsNumber(v) ? v->valuedouble : -12345.0;
}

static const char *
str(const struct val_result *r, const char *name)
{
	return cJSON_GetStringValue(field(r, name));
}

/* Refused with status, code and field ("" = none); nothing kept. */
static void
refused_ct(const char *what, const char *epname, const char *ctype,
    const char *body, size_t len, int status, const char *code,
    const char *fld)
{
	struct val_result	 r;
	struct sf_err		 err;
	int			 rc;

	sf_err_clear(&err);
	memset(&r, 0xa5, sizeof(r));
	rc = val_request(ep(epname), ctype, body, len, &r, &err);
	TAP_OK(rc == -1, "%s: refused", what);
	TAP_OK(err.status == status, "%s: status %d (got %d)", what, status,
	    err.status);
	TAP_STREQ(err.code, code, "%s: err.code", what);
	TAP_STREQ(err.field, fld, "%s: err.field", what);
	TAP_OK(r.req == NULL && r.model == NULL, "%s: result emptied", what);
	if (rc == 0)
		val_result_free(&r);
}

static void
refused(const char *what, const char *epname, const char *body, int status,
    const char *code, const char *fld)
{
	refused_ct(what, epname, JSON, body, strlen(body), status, code, fld);
}

/* "{"prompt":"<n times s>"}" */
static char *
prompt_of(const char *s, size_t n)
{
	size_t	 l = strlen(s), i;
	char	*b = malloc(n * l + 16), *p;

	if (b == NULL)
		exit(2);
	p = b + sprintf(b, "{\"prompt\":\"");
	for (i = 0; i < n; i++, p += l)
		memcpy(p, s, l);
	strcpy(p, "\"}");
	return b;
}

static void
normalise_defaults(void)
{
	struct val_result	 r;
	struct sf_err		 err;

	/* image-generate: defaults, default tier and its model. */
	TAP_OK(run("image-generate", "{\"prompt\":\"a fox\"}", &r, &err) == 0,
	    "image-generate minimal body accepted (%s)", err.message);
	TAP_OK(num(&r, "width") == 1024 && num(&r, "height") == 1024,
	    "defaults: width and height 1024");
	TAP_STREQ(str(&r, "tier"), "fast", "default tier filled in the body");
	TAP_STREQ(r.tier, "fast", "res.tier is the default tier");
	TAP_STREQ(r.model ? r.model->id : NULL, "z-image-turbo",
	    "default tier's model");
	TAP_OK(field(&r, "seed") == NULL && field(&r, "steps") == NULL &&
	    field(&r, "cfg_scale") == NULL && field(&r, "model") == NULL,
	    "optional fields without a default stay out");
	TAP_STREQ(str(&r, "prompt"), "a fox", "prompt kept");
	TAP_OK(r.price == 10000, "image-generate costs 10000 (%llu)",
	    (unsigned long long)r.price);
	TAP_STREQ(r.amount, "10000", "amount string");
	val_result_free(&r);
	TAP_OK(r.req == NULL, "val_result_free empties the result");
}

static void
normalise_snapping(void)
{
	struct val_result	 r;
	struct sf_err		 err;

	/* Snapping on image-generate only. */
	TAP_OK(run("image-generate", "{\"prompt\":\"a\",\"width\":1000,"
	    "\"height\":257}", &r, &err) == 0, "image-generate 1000x257 accepted");
	TAP_OK(num(&r, "width") == 1008, "width 1000 snaps to 1008 (%g)",
	    num(&r, "width"));
	TAP_OK(num(&r, "height") == 256, "height 257 snaps to 256 (%g)",
	    num(&r, "height"));
	val_result_free(&r);
	TAP_OK(run("image-generate", "{\"prompt\":\"a\",\"width\":1279,"
	    "\"height\":1e3}", &r, &err) == 0 && num(&r, "width") == 1280 &&
	    num(&r, "height") == 1008, "1279 snaps to 1280, 1e3 to 1008");
	val_result_free(&r);
	TAP_OK(run("image-generate-pro", "{\"prompt\":\"a\",\"width\":1000,"
	    "\"height\":1001}", &r, &err) == 0, "pro 1000x1001 accepted");
	TAP_OK(num(&r, "width") == 1000 && num(&r, "height") == 1001,
	    "pro does not snap");
	TAP_STREQ(r.tier, "balanced", "pro default tier");
	TAP_STREQ(r.model ? r.model->id : NULL, "flux-2-pro", "pro default model");
	TAP_OK(r.price == 100000, "pro costs 100000");
	val_result_free(&r);
	TAP_OK(run("api-generate", "{\"prompt\":\"a\",\"width\":1020}", &r,
	    &err) == 0 && num(&r, "width") == 1024,
	    "api-generate 1020 snaps to its max 1024");
	val_result_free(&r);
}

static void
normalise_tiers_models(void)
{
	struct val_result	 r;
	struct sf_err		 err;

	/* Tiers and models. */
	TAP_OK(run("image-generate", "{\"prompt\":\"a\",\"tier\":\"anime\"}",
	    &r, &err) == 0, "tier anime accepted");
	TAP_STREQ(r.model ? r.model->id : NULL, "wai-Illustrious",
	    "tier anime picks wai-Illustrious");
	TAP_STREQ(r.tier, "anime", "res.tier anime");
	val_result_free(&r);
	TAP_OK(run("image-generate", "{\"prompt\":\"a\",\"model\":\"chroma\"}",
	    &r, &err) == 0, "explicit model chroma accepted");
	TAP_STREQ(r.model ? r.model->id : NULL, "chroma", "model chroma used");
	TAP_STREQ(r.tier, "creative", "explicit model reports its tier");
	TAP_STREQ(str(&r, "tier"), "creative", "and the body says so");
	val_result_free(&r);
	TAP_OK(run("image-generate", "{\"prompt\":\"a\",\"model\":"
	    "\"z-image-turbo\"}", &r, &err) == 0 && r.tier != NULL &&
	    strcmp(r.tier, "fast") == 0,
	    "explicit default model reports the default tier");
	val_result_free(&r);
	TAP_OK(run("image-generate", "{\"prompt\":\"a\",\"tier\":\"anime\","
	    "\"model\":\"chroma\"}", &r, &err) == 0 && r.model != NULL &&
	    strcmp(r.model->id, "chroma") == 0,
	    "an explicit model overrides the tier's");
	val_result_free(&r);
	TAP_OK(run("image-generate-pro", "{\"prompt\":\"a\",\"model\":"
	    "\"qwen-image-2\"}", &r, &err) == 0,
	    "pro model without a tier accepted");
	TAP_STREQ(r.model ? r.model->id : NULL, "qwen-image-2", "qwen-image-2 used");
	TAP_OK(r.tier == NULL, "no tier maps to qwen-image-2: res.tier NULL");
	TAP_OK(field(&r, "tier") == NULL, "and no default tier in the body");
	val_result_free(&r);
	TAP_OK(run("image-generate-pro", "{\"prompt\":\"a\",\"model\":"
	    "\"recraft-v4\"}", &r, &err) == 0 && r.tier != NULL &&
	    strcmp(r.tier, "recraft") == 0, "pro recraft-v4 reports tier recraft");
	val_result_free(&r);
}

static void
normalise_nulls(void)
{
	struct val_result	 r;
	struct sf_err		 err;

	/* JSON null for an optional field means "not given". */
	TAP_OK(run("image-generate", "{\"prompt\":\"a\",\"seed\":null,"
	    "\"width\":null,\"tier\":null,\"model\":null}", &r, &err) == 0,
	    "nulls for optional fields accepted (%s)", err.message);
	TAP_OK(field(&r, "seed") == NULL, "null seed dropped");
	TAP_OK(num(&r, "width") == 1024, "null width gets the default");
	TAP_STREQ(str(&r, "tier"), "fast", "null tier gets the default");
	TAP_OK(field(&r, "model") == NULL, "null model dropped");
	val_result_free(&r);
	TAP_OK(run("api-v1-image-generate", "{\"prompt\":\"a\",\"model\":"
	    "\"imagen-4\",\"seed\":null}", &r, &err) == -1 &&
	    strcmp(err.code, "model_retired") == 0,
	    "null seed on Imagen is not an unsupported parameter (%s)",
	    err.code);

	/* Whitespace around the value and escapes are fine. */
	TAP_OK(run("image-generate", " \r\n{\"prompt\":\"caf\\u00e9\"}\n\t ",
	    &r, &err) == 0 && str(&r, "prompt") != NULL &&
	    strcmp(str(&r, "prompt"), "caf\xc3\xa9") == 0,
	    "surrounding whitespace and \\u escapes accepted");
	val_result_free(&r);
	sf_err_clear(&err);
	TAP_OK(val_request(ep("image-generate"), "application/json; charset=utf-8",
	    "{\"prompt\":\"a\"}", 14, &r, &err) == 0,
	    "application/json; charset=utf-8 accepted");
	val_result_free(&r);
	sf_err_clear(&err);
	TAP_OK(val_request(ep("image-generate"), "Application/JSON",
	    "{\"prompt\":\"a\"}", 14, &r, &err) == 0,
	    "media type is case-insensitive");
	val_result_free(&r);
}

static void
test_pricing(void)
{
	static const struct {
		const char	*model;
		uint64_t	 price;
	} t[] = {
		{ "flux-2-pro", 50000 },
		{ "flux-2-klein", 20000 }, { "flux-1.1-pro", 40000 },
		{ "recraft-v4", 40000 }, { "recraft-v3", 40000 },
		{ "ideogram-v3", 60000 }, { "sd-3.5", 30000 },
		{ "qwen-image", 75000 },
	};
	struct val_result	 r;
	struct sf_err		 err;
	char			 body[160], want[24];
	size_t			 i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		snprintf(body, sizeof(body), "{\"prompt\":\"a\",\"model\":\"%s\"}",
		    t[i].model);
		snprintf(want, sizeof(want), "%llu",
		    (unsigned long long)t[i].price);
		TAP_OK(run("api-v1-image-generate", body, &r, &err) == 0 &&
		    r.price == t[i].price && strcmp(r.amount, want) == 0,
		    "api-v1-image-generate %s costs %s (%s)", t[i].model, want,
		    r.amount);
		val_result_free(&r);
	}
	TAP_OK(run("api-v1-image-generate", "{\"prompt\":\"a\"}", &r, &err) == 0,
	    "api-v1-image-generate default accepted");
	TAP_STREQ(str(&r, "model"), "flux-2-pro", "default model in the body");
	TAP_OK(r.price == 50000 && field(&r, "num_images") == NULL,
	    "flux-2-pro: 50000, no num_images filled");
	TAP_OK(r.tier == NULL, "no tiers on api-v1-image-generate");
	val_result_free(&r);
	/* Per-unit pricing (price_per), on a definition of our own: the
	   only live one priced per image (Imagen) is retired. */
	sf_err_clear(&err);
	TAP_OK(val_request(&ep_multi, JSON, "{\"prompt\":\"a\"}", 14, &r,
	    &err) == 0 && num(&r, "num_images") == 1 && r.price == 40000,
	    "num_images defaults to 1, 40000 (%s)", err.message);
	val_result_free(&r);
	TAP_OK(val_request(&ep_multi, JSON, "{\"prompt\":\"a\",\"num_images\""
	    ":3}", 29, &r, &err) == 0, "3 images accepted");
	TAP_OK(r.price == 120000, "40000 x 3 = 120000 (%llu)",
	    (unsigned long long)r.price);
	TAP_STREQ(r.amount, "120000", "amount x 3");
	val_result_free(&r);
	TAP_OK(run("api-generate", "{\"prompt\":\"a\",\"model\":\"flux-dev\"}",
	    &r, &err) == 0 && r.price == 30000, "api-generate flux-dev 30000");
	val_result_free(&r);
	TAP_OK(run("image-generate", "{\"prompt\":\"a\",\"tier\":\"sd35\"}",
	    &r, &err) == 0 && r.price == 10000,
	    "image-generate: one price whatever the tier");
	val_result_free(&r);
}

static void
errors_content_type(void)
{
	/* 415 */
	refused_ct("no content type", "image-generate", NULL, "{\"prompt\":\"a\"}",
	    14, 415, "unsupported_media_type", "");
	refused_ct("empty content type", "image-generate", "",
	    "{\"prompt\":\"a\"}", 14, 415, "unsupported_media_type", "");
	refused_ct("text/plain", "image-generate", "text/plain",
	    "{\"prompt\":\"a\"}", 14, 415, "unsupported_media_type", "");
	refused_ct("application/jsonx", "image-generate", "application/jsonx",
	    "{\"prompt\":\"a\"}", 14, 415, "unsupported_media_type", "");
	refused_ct("application/yaml (same length)", "image-generate",
	    "application/yaml", "{\"prompt\":\"a\"}", 14, 415,
	    "unsupported_media_type", "");
	refused_ct("application/json-patch+json", "image-generate",
	    "application/json-patch+json", "{\"prompt\":\"a\"}", 14, 415,
	    "unsupported_media_type", "");
	refused_ct("form", "image-generate", "application/x-www-form-urlencoded",
	    "prompt=a", 8, 415, "unsupported_media_type", "");
}

static void
errors_not_an_object(void)
{
	static const char nul[] = "{\"prompt\":\"a\0b\"}";
	static const char nul_end[] = "{\"prompt\":\"a\"}\0";

	/* Bodies that are not one JSON object. */
	refused_ct("empty body", "image-generate", JSON, "", 0, 400,
	    "invalid_json", "");
	refused_ct("NULL body", "image-generate", JSON, NULL, 0, 400,
	    "invalid_json", "");
	refused("whitespace only", "image-generate", "  \n", 400,
	    "invalid_json", "");
	refused("invalid JSON", "image-generate", "{\"prompt\":}", 400,
	    "invalid_json", "");
	refused("unterminated object", "image-generate", "{\"prompt\":\"a\"",
	    400, "invalid_json", "");
	refused("single quotes", "image-generate", "{'prompt':'a'}", 400,
	    "invalid_json", "");
	refused("trailing garbage", "image-generate", "{\"prompt\":\"a\"} x",
	    400, "invalid_json", "");
	refused("two objects", "image-generate", "{\"prompt\":\"a\"}{}", 400,
	    "invalid_json", "");
	/* A raw NUL byte in a string is a raw control character (RFC 8259
	   section 7), named like the others. */
	refused_ct("NUL inside a string", "image-generate", JSON, nul,
	    sizeof(nul) - 1, 400, "invalid_character", "prompt");
	refused_ct("NUL after the object", "image-generate", JSON, nul_end,
	    sizeof(nul_end) - 1, 400, "invalid_json", "");
	refused("array", "image-generate", "[{\"prompt\":\"a\"}]", 400,
	    "invalid_json", "");
	refused("string", "image-generate", "\"a fox\"", 400, "invalid_json", "");
	refused("number", "image-generate", "42", 400, "invalid_json", "");
	refused("null", "image-generate", "null", 400, "invalid_json", "");
}

static void
errors_fields(void)
{
	/* Fields. */
	refused("missing prompt", "image-generate", "{}", 400, "missing_field",
	    "prompt");
	refused("missing prompt with others", "image-generate",
	    "{\"width\":512}", 400, "missing_field", "prompt");
	refused("null prompt (required)", "image-generate",
	    "{\"prompt\":null}", 400, "invalid_type", "prompt");
	refused("empty prompt", "image-generate", "{\"prompt\":\"\"}", 400,
	    "empty_field", "prompt");
	refused("blank prompt (spaces)", "image-generate",
	    "{\"prompt\":\"   \"}", 400, "empty_field", "prompt");
	refused("blank prompt (escaped tab, newline)", "image-generate",
	    "{\"prompt\":\" \\t\\n \"}", 400, "empty_field", "prompt");
	/* Blank in Unicode (issue 23): White_Space and the zero-width
	   format characters, raw or escaped. */
	refused("blank prompt (no-break spaces)", "image-generate",
	    "{\"prompt\":\"\xc2\xa0\xc2\xa0\"}", 400, "empty_field", "prompt");
	refused("blank prompt (ideographic space)", "image-generate",
	    "{\"prompt\":\"\\u3000\"}", 400, "empty_field", "prompt");
	refused("blank prompt (zero-width space, joiner, BOM)",
	    "image-generate", "{\"prompt\":\"\\u200b\\u200d\\ufeff \"}", 400,
	    "empty_field", "prompt");
	refused("blank prompt (word joiner, narrow NBSP)", "text-to-speech",
	    "{\"text\":\"\\u2060\\u202f\"}", 400, "empty_field", "text");
	refused("blank image_url (em space)", "image-edit",
	    "{\"prompt\":\"x\",\"image_url\":\"\\u2003\"}", 400, "empty_field",
	    "image_url");
	refused("unknown field", "image-generate",
	    "{\"prompt\":\"a\",\"colour\":\"red\"}", 400, "unknown_field",
	    "colour");
	refused("field names are case-sensitive", "image-generate",
	    "{\"Prompt\":\"a\"}", 400, "unknown_field", "Prompt");
	refused("duplicate field", "image-generate",
	    "{\"prompt\":\"a\",\"width\":512,\"prompt\":\"b\"}", 400,
	    "duplicate_field", "prompt");
	refused("prompt a number", "image-generate", "{\"prompt\":5}", 400,
	    "invalid_type", "prompt");
	refused("width a string", "image-generate",
	    "{\"prompt\":\"a\",\"width\":\"1024\"}", 400, "invalid_type", "width");
	refused("width a boolean", "image-generate",
	    "{\"prompt\":\"a\",\"width\":true}", 400, "invalid_type", "width");
	refused("width an object", "image-generate",
	    "{\"prompt\":\"a\",\"width\":{}}", 400, "invalid_type", "width");
	refused("cfg_scale a string", "image-generate",
	    "{\"prompt\":\"a\",\"cfg_scale\":\"5\"}", 400, "invalid_type",
	    "cfg_scale");
	refused("fractional width", "image-generate",
	    "{\"prompt\":\"a\",\"width\":1024.5}", 400, "invalid_type", "width");
	refused("fractional seed", "image-generate",
	    "{\"prompt\":\"a\",\"seed\":0.5}", 400, "invalid_type", "seed");
	refused("infinite width", "image-generate",
	    "{\"prompt\":\"a\",\"width\":1e400}", 400, "invalid_type", "width");
	refused("fractional num_images", "api-v1-image-generate",
	    "{\"prompt\":\"a\",\"model\":\"imagen-4\",\"num_images\":2.5}", 400,
	    "invalid_type", "num_images");
}

static void
errors_ranges(void)
{
	/* Ranges, at the exact limits. */
	refused("width 255", "image-generate", "{\"prompt\":\"a\",\"width\":255}",
	    400, "out_of_range", "width");
	refused("width 2049", "image-generate",
	    "{\"prompt\":\"a\",\"width\":2049}", 400, "out_of_range", "width");
	refused("height -256", "image-generate",
	    "{\"prompt\":\"a\",\"height\":-256}", 400, "out_of_range", "height");
	refused("pro width 2049", "image-generate-pro",
	    "{\"prompt\":\"a\",\"width\":2049}", 400, "out_of_range", "width");
	refused("ultra width 1025", "image-generate-ultra",
	    "{\"prompt\":\"a\",\"width\":1025}", 400, "out_of_range", "width");
	refused("ultra height 255", "image-generate-ultra",
	    "{\"prompt\":\"a\",\"height\":255}", 400, "out_of_range", "height");
	refused("api-generate width 1040", "api-generate",
	    "{\"prompt\":\"a\",\"width\":1040}", 400, "out_of_range", "width");
	refused("steps 0", "image-generate", "{\"prompt\":\"a\",\"steps\":0}",
	    400, "out_of_range", "steps");
	refused("steps 51", "image-generate", "{\"prompt\":\"a\",\"steps\":51}",
	    400, "out_of_range", "steps");
	refused("cfg_scale 20.5", "image-generate",
	    "{\"prompt\":\"a\",\"cfg_scale\":20.5}", 400, "out_of_range",
	    "cfg_scale");
	refused("seed -1", "image-generate", "{\"prompt\":\"a\",\"seed\":-1}",
	    400, "out_of_range", "seed");
	refused("num_images 5", "api-v1-image-generate",
	    "{\"prompt\":\"a\",\"model\":\"imagen-4\",\"num_images\":5}", 400,
	    "out_of_range", "num_images");
	refused("num_images 0", "api-v1-image-generate",
	    "{\"prompt\":\"a\",\"model\":\"imagen-4\",\"num_images\":0}", 400,
	    "out_of_range", "num_images");
}

static void
errors_lengths(void)
{
	char	*b;

	/* Lengths in code points, and UTF-8. */
	b = prompt_of("\xc3\xa9", 2001);
	refused("2001 x e-acute", "image-generate", b, 400, "too_long", "prompt");
	free(b);
	b = prompt_of("a", 2001);
	refused("2001 ASCII", "image-generate", b, 400, "too_long", "prompt");
	free(b);
	refused("invalid UTF-8 0xff", "image-generate",
	    "{\"prompt\":\"a\xff\"}", 400, "invalid_encoding", "prompt");
	refused("truncated UTF-8", "image-generate",
	    "{\"prompt\":\"a\xc3\"}", 400, "invalid_encoding", "prompt");
	refused("overlong UTF-8", "image-generate",
	    "{\"prompt\":\"\xc0\xaf\"}", 400, "invalid_encoding", "prompt");
	refused("UTF-8 surrogate", "image-generate",
	    "{\"prompt\":\"\xed\xa0\x80\"}", 400, "invalid_encoding", "prompt");
	refused("UTF-8 beyond U+10FFFF", "image-generate",
	    "{\"prompt\":\"\xf4\x90\x80\x80\"}", 400, "invalid_encoding",
	    "prompt");
	refused("invalid UTF-8 in negative_prompt", "image-generate",
	    "{\"prompt\":\"a\",\"negative_prompt\":\"\xfe\"}", 400,
	    "invalid_encoding", "negative_prompt");
}

static void
errors_enums_urls(void)
{
	/* Enums and URLs. */
	refused("tier not in the enum", "image-generate",
	    "{\"prompt\":\"a\",\"tier\":\"turbo\"}", 400, "invalid_value", "tier");
	refused("tier case matters", "image-generate",
	    "{\"prompt\":\"a\",\"tier\":\"Fast\"}", 400, "invalid_value", "tier");
	refused("model not in the enum", "image-generate",
	    "{\"prompt\":\"a\",\"model\":\"dall-e-3\"}", 400, "invalid_value",
	    "model");
	refused("pro model from image-generate", "image-generate-pro",
	    "{\"prompt\":\"a\",\"model\":\"chroma\"}", 400, "invalid_value",
	    "model");
	refused("aspect_ratio not in the enum", "api-v1-image-generate",
	    "{\"prompt\":\"a\",\"model\":\"imagen-4\",\"aspect_ratio\":\"2:1\"}",
	    400, "invalid_value", "aspect_ratio");
	refused("image_url not http(s)", "image-edit",
	    "{\"prompt\":\"a\",\"image_url\":\"ftp://x/y.png\"}", 400,
	    "invalid_url", "image_url");
	refused("image_url a number", "image-edit",
	    "{\"prompt\":\"a\",\"image_url\":1}", 400, "invalid_type",
	    "image_url");
	refused("missing image_url", "image-edit", "{\"prompt\":\"a\"}", 400,
	    "missing_field", "image_url");
}

static void
errors_model_parameters(void)
{
	/* Parameters the chosen model does not take. */
	refused("seed with imagen-4", "api-v1-image-generate",
	    "{\"prompt\":\"a\",\"model\":\"imagen-4\",\"seed\":7}", 400,
	    "unsupported_parameter", "seed");
	refused("num_images with the default flux-2-pro",
	    "api-v1-image-generate", "{\"prompt\":\"a\",\"num_images\":2}", 400,
	    "unsupported_parameter", "num_images");
	refused("num_images with flux-2-klein", "api-v1-image-generate",
	    "{\"prompt\":\"a\",\"model\":\"flux-2-klein\",\"num_images\":1}",
	    400, "unsupported_parameter", "num_images");
	refused("width with imagen-4-fast", "api-v1-image-generate",
	    "{\"prompt\":\"a\",\"model\":\"imagen-4-fast\",\"width\":512}", 400,
	    "unsupported_parameter", "width");
	refused("aspect_ratio with flux-2-pro", "api-v1-image-generate",
	    "{\"prompt\":\"a\",\"aspect_ratio\":\"1:1\"}", 400,
	    "unsupported_parameter", "aspect_ratio");
	refused("seed with recraft-v4", "api-v1-image-generate",
	    "{\"prompt\":\"a\",\"model\":\"recraft-v4\",\"seed\":1}", 400,
	    "unsupported_parameter", "seed");
	refused("image_size with sd-3.5", "api-v1-image-generate",
	    "{\"prompt\":\"a\",\"model\":\"sd-3.5\",\"image_size\":\"2K\"}", 400,
	    "unsupported_parameter", "image_size");
}

static void
test_limits_ok(void)
{
	struct val_result	 r;
	struct sf_err		 err;
	char			*b;

	b = prompt_of("\xc3\xa9", 2000);
	TAP_OK(run("image-generate", b, &r, &err) == 0,
	    "2000 x e-acute (4000 bytes) accepted (%s)", err.message);
	val_result_free(&r);
	free(b);
	b = prompt_of("\xf0\x9f\xa6\x8a", 2000);
	TAP_OK(run("image-generate", b, &r, &err) == 0,
	    "2000 x 4-byte emoji accepted");
	val_result_free(&r);
	free(b);
	b = prompt_of("a", 2000);
	TAP_OK(run("image-generate", b, &r, &err) == 0, "2000 ASCII accepted");
	val_result_free(&r);
	free(b);
	b = prompt_of("a", 3000);
	TAP_OK(run("image-generate-pro", b, &r, &err) == 0,
	    "pro takes 3000 characters");
	val_result_free(&r);
	free(b);
	TAP_OK(run("image-generate", "{\"prompt\":\"a\",\"width\":256,"
	    "\"height\":1280}", &r, &err) == 0 && num(&r, "width") == 256 &&
	    num(&r, "height") == 1280, "image-generate 256 and 1280 accepted");
	val_result_free(&r);
	/* Venice takes at most 1280 a side: 2048 is refused, not paid for. */
	TAP_OK(run("image-generate", "{\"prompt\":\"a\",\"width\":2048}", &r,
	    &err) == -1 && err.status == 400 && strcmp(err.field, "width") == 0,
	    "image-generate 2048 refused before payment (%s)", err.message);
	val_result_free(&r);
	TAP_OK(run("image-generate-ultra", "{\"prompt\":\"a\",\"width\":1024,"
	    "\"height\":256}", &r, &err) == 0 && num(&r, "width") == 1024,
	    "ultra 1024 accepted");
	val_result_free(&r);
	TAP_OK(run("api-generate", "{\"prompt\":\"a\",\"width\":1024,"
	    "\"height\":256}", &r, &err) == 0, "api-generate 1024 accepted");
	val_result_free(&r);
	TAP_OK(run("image-generate", "{\"prompt\":\"a\",\"steps\":50,"
	    "\"cfg_scale\":7.5,\"seed\":999999999,\"width\":1024.0}", &r,
	    &err) == 0 && num(&r, "cfg_scale") == 7.5 && num(&r, "width") == 1024,
	    "steps 50, cfg_scale 7.5, seed max, 1024.0 accepted");
	val_result_free(&r);
	TAP_OK(run("api-v1-image-generate", "{\"prompt\":\"a\",\"model\":"
	    "\"imagen-4\",\"num_images\":4,\"image_size\":\"2K\","
	    "\"aspect_ratio\":\"16:9\"}", &r, &err) == -1 &&
	    strcmp(err.code, "model_retired") == 0,
	    "imagen-4's inputs pass, the retired model does not (%s)",
	    err.code);
	TAP_OK(run("api-v1-image-generate", "{\"prompt\":\"a\",\"seed\":"
	    "2147483647,\"width\":2048}", &r, &err) == 0,
	    "flux-2-pro takes seed 2^31-1 and width");
	val_result_free(&r);
}

/* Issue 14: retired models and per-model size rules, before any price. */
static void
test_model_rules(void)
{
	static const char *const imagen[] = { "imagen-4", "imagen-4-fast",
	    "imagen-4-ultra", NULL };
	static const struct {
		const char	*ep, *body, *field;	/* field NULL = accepted */
	} t[] = {
		{ "api-v1-image-generate", "{\"prompt\":\"a\",\"model\":"
		  "\"flux-1.1-pro\",\"width\":1440,\"height\":256}", NULL },
		{ "api-v1-image-generate", "{\"prompt\":\"a\",\"model\":"
		  "\"flux-1.1-pro\",\"width\":1000,\"height\":768}", "width" },
		{ "api-v1-image-generate", "{\"prompt\":\"a\",\"model\":"
		  "\"flux-1.1-pro\",\"width\":1024,\"height\":1456}", "height" },
		{ "api-v1-image-generate", "{\"prompt\":\"a\",\"model\":"
		  "\"flux-1.1-pro\",\"width\":2048}", "width" },
		{ "api-v1-image-generate", "{\"prompt\":\"a\",\"model\":"
		  "\"flux-2-pro\",\"width\":2048,\"height\":1000}", NULL },
		{ "image-generate-ultra", "{\"prompt\":\"a\",\"model\":"
		  "\"gpt-image-2\",\"width\":1024,\"height\":512}", NULL },
		{ "image-generate-ultra", "{\"prompt\":\"a\",\"model\":"
		  "\"gpt-image-2\",\"width\":1024,\"height\":256}", "width" },
		{ "image-generate-ultra", "{\"prompt\":\"a\",\"tier\":"
		  "\"gpt\",\"width\":1000,\"height\":1000}", "width" },
		{ "image-generate-ultra", "{\"prompt\":\"a\",\"model\":"
		  "\"gpt-image-2\",\"width\":1008,\"height\":1012}", "height" },
		{ "image-generate-ultra", "{\"prompt\":\"a\",\"model\":"
		  "\"nano-banana-pro\",\"width\":1024,\"height\":256}", NULL },
	};
	struct val_result	 r;
	struct sf_err		 err;
	size_t			 i;

	for (i = 0; imagen[i] != NULL; i++) {
		char	 body[96];

		snprintf(body, sizeof(body), "{\"prompt\":\"a\",\"model\":"
		    "\"%s\"}", imagen[i]);
		TAP_OK(run("api-v1-image-generate", body, &r, &err) == -1 &&
		    err.status == 400 && strcmp(err.code, "model_retired") == 0 &&
		    strcmp(err.field, "model") == 0 &&
		    strstr(err.message, "2026-08-17") != NULL,
		    "%s refused before payment: %s", imagen[i], err.message);
	}
	/* One sentence, nothing said twice, the replacement named. */
	TAP_OK(run("api-v1-image-generate", "{\"prompt\":\"a\",\"model\":"
	    "\"imagen-4\"}", &r, &err) == -1, "imagen-4 refused");
	TAP_STREQ(err.message, "model imagen-4 is retired (Google shut Imagen "
	    "down on 2026-08-17): use flux-2-pro instead",
	    "the model_retired message");
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		int rc = run(t[i].ep, t[i].body, &r, &err);

		if (t[i].field == NULL) {
			TAP_OK(rc == 0, "%s %s accepted (%s)", t[i].ep,
			    t[i].body, rc ? err.message : "");
			if (rc == 0)
				val_result_free(&r);
		} else
			TAP_OK(rc == -1 && err.status == 400 &&
			    strcmp(err.code, "invalid_size") == 0 &&
			    strcmp(err.field, t[i].field) == 0,
			    "%s %s refused on %s (%s %s)", t[i].ep, t[i].body,
			    t[i].field, err.code, err.message);
	}
}

static void
test_object(void)
{
	const struct def_endpoint	*e = ep("api-v1-image-generate");
	const struct def_param		*seed = def_find_param(e, "seed");
	const struct def_param		*prompt = def_find_param(e, "prompt");
	struct val_result		 r;
	struct sf_err			 err;
	cJSON				*o;

	TAP_OK(seed != NULL && prompt != NULL, "params found");
	if (seed == NULL || prompt == NULL)
		return;
	TAP_OK(val_model_allows(seed, def_find_model(e, "flux-2-pro")),
	    "seed allowed on flux-2-pro");
	TAP_OK(!val_model_allows(seed, def_find_model(e, "imagen-4")),
	    "seed not allowed on imagen-4");
	TAP_OK(val_model_allows(prompt, def_find_model(e, "imagen-4")),
	    "a parameter with no model list applies to every model");

	/* val_object takes the object in both outcomes (ASan checks). */
	sf_err_clear(&err);
	o = cJSON_CreateArray();
	TAP_OK(val_object(e, o, &r, &err) == -1 &&
	    strcmp(err.code, "invalid_json") == 0 && r.req == NULL,
	    "val_object refuses a non-object");
	sf_err_clear(&err);
	o = cJSON_Parse("{\"prompt\":\"x\",\"model\":\"flux-2-klein\"}");
	TAP_OK(val_object(e, o, &r, &err) == 0 && r.req == o &&
	    r.price == 20000, "val_object accepts and prices an object");
	val_result_free(&r);
	sf_err_clear(&err);
	o = cJSON_Parse("{\"prompt\":\"x\",\"bogus\":1}");
	TAP_OK(val_object(e, o, &r, &err) == -1 && r.req == NULL &&
	    strcmp(err.field, "bogus") == 0, "val_object refusal frees the object");
}

/* Bounds and values as the definition holds them and as the caller wrote
   them (issue 23: not "between 0 and 1e+09 (got 1e+09)"). */
static void
test_messages(void)
{
	static const struct {
		const char	*ep, *body, *msg;
	} m[] = {
		{ "image-generate", "{\"prompt\":\"x\",\"seed\":1e9}",
		  "seed must be between 0 and 999999999 (got 1000000000)" },
		{ "image-generate", "{\"prompt\":\"x\",\"seed\":-1}",
		  "seed must be between 0 and 999999999 (got -1)" },
		{ "voice", "{\"text\":\"x\",\"seed\":4294967296}",
		  "seed must be between 0 and 4294967295 (got 4294967296)" },
		{ "api-v1-image-generate", "{\"prompt\":\"x\",\"model\":"
		  "\"flux-2-pro\",\"seed\":2147483648}", "seed must be between "
		  "0 and 2147483647 (got 2147483648)" },
		{ "image-generate", "{\"prompt\":\"x\",\"cfg_scale\":20.1}",
		  "cfg_scale must be between 0.1 and 20 (got 20.1)" },
		{ "image-inpaint", "{\"prompt\":\"x\",\"image_url\":"
		  "\"http://localhost/a.png\",\"mask_url\":"
		  "\"http://localhost/m.png\",\"strength\":0.001}",
		  "strength must be between 0.01 and 1 (got 0.001)" },
	};
	struct val_result	 r;
	struct sf_err		 err;
	size_t			 i;

	for (i = 0; i < sizeof(m) / sizeof(m[0]); i++) {
		TAP_OK(run(m[i].ep, m[i].body, &r, &err) == -1 &&
		    strcmp(err.code, "out_of_range") == 0, "%s: out_of_range "
		    "(%s)", m[i].body, err.code);
		TAP_STREQ(err.message, m[i].msg, "%s: the message", m[i].body);
	}
}

int
main(void)
{
	TAP_CASE(test_messages);
	TAP_CASE(normalise_defaults);
	TAP_CASE(normalise_snapping);
	TAP_CASE(normalise_tiers_models);
	TAP_CASE(normalise_nulls);
	TAP_CASE(test_pricing);
	TAP_CASE(errors_content_type);
	TAP_CASE(errors_not_an_object);
	TAP_CASE(errors_fields);
	TAP_CASE(errors_ranges);
	TAP_CASE(errors_lengths);
	TAP_CASE(errors_enums_urls);
	TAP_CASE(errors_model_parameters);
	TAP_CASE(test_limits_ok);
	TAP_CASE(test_object);
	TAP_CASE(test_model_rules);
	return tap_done();
}
