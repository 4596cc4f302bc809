/*
 * Golden-test fixture: a small image endpoint whose text carries every
 * character the generator must escape (HTML, Markdown, mdoc: a leading
 * dot or quote, backslashes, macro-like words, non-ASCII).
 */
#include "basics/def.h"
/* The shared rows, as the real definitions take them. */
#include "../../../endpoints/rows.h"

static const char *const tiers_enum[] = { "fast", "fine", NULL };
static const char *const models_enum[] = { "pix-1", "pix-2", NULL };
static const char *const fine_only[] = { "pix-2", NULL };

static const struct def_param params[] = {
	{ .name = "prompt", .type = DEF_STRING, .required = 1, .max_len = 500,
	  .desc = "What to draw. Up to 500 chars; <b>no</b> HTML & no \"tricks\".",
	  .example = "\"a fox's den at dusk\"" },
	{ .name = "width", .type = DEF_INTEGER, .has_range = 1, .min = 256,
	  .max = 1024, .snap = 64, .has_default = 1, .def_num = 512,
	  .desc = ".Dot first: width in pixels. Ar No Ns are not macros.",
	  .example = "512" },
	{ .name = "tier", .type = DEF_STRING, .enums = tiers_enum,
	  .def_str = "fast", .desc = "'fast' (default) or 'fine'.",
	  .example = "\"fast\"" },
	{ .name = "model", .type = DEF_STRING, .enums = models_enum,
	  .desc = "Override the model | pick one.", .example = "\"pix-2\"" },
	{ .name = "detail", .type = DEF_NUMBER, .has_range = 1, .min = 0,
	  .max = 1.5, .models = fine_only,
	  .desc = "Detail boost, back\\slash \\e and *stars* _under_ `tick`.",
	  .example = "0.5" },
	{ .name = "source_url", .type = DEF_URL, .max_len = 2048,
	  .desc = "Optional reference image (caf\xc3\xa9 \xe2\x80\x94 UTF-8).",
	  .example = "\"https://example.com/ref.png\"" },
	ROW_WEBHOOK_URL,
	{ 0 }
};

static const struct def_tier tiers[] = {
	{ .name = "fast", .model = "pix-1" },
	{ .name = "fine", .model = "pix-2" },
	{ 0 }
};

static const struct def_model models[] = {
	/* fal, whose key the golden configuration sets: available; pix-2
	   is offline, refused on its mainnet: unavailable. */
	{ .id = "pix-1", .label = "Pix One", .provider = "fal",
	  .upstream = "pix-1" },
	{ .id = "pix-2", .label = "Pix Two [beta]", .provider = "offline",
	  .upstream = "pix-2", .price = 30000, .notes = "Slower. Sharper." },
	{ 0 }
};

static const struct def_output outputs[] = {
	{ .name = "image_url", .type = "string",
	  .desc = "Permanent PNG URL.",
	  .example = "\"https://synthforge.example/media/ab/ab12.png\"" },
	{ .name = "model", .type = "string", .desc = "Model that drew it.",
	  .example = "\"pix-1\"" },
	{ .name = "width", .type = "integer", .desc = "Width in pixels.",
	  .example = "512" },
	{ 0 }
};

static const char *const tags[] = {
	"fixture", "image-generation", "golden", "escaping", "synthforge",
	"sixth-tag", NULL
};

const struct def_endpoint ep_fixture_image = {
	.name = "fixture-image",
	.path = "/v1/fixture-image",
	.cluster = "synthforge",
	.method = "POST",
	.category = "image",
	.title = "fixture image / ai test pictures & \"escapes\"",
	.summary = "Fixture image generator <for tests>, AI pictures.",
	.description = "Makes test pictures. .A dot after a space, "
	    "'quotes' and a \\backslash. e.g. this is one sentence. "
	    "Costs $0.01; 'fine' (pix-2) costs $0.03.",
	.media = "image",
	.price = 10000,
	.params = params,
	.tier_param = "tier",
	.model_param = "model",
	.default_tier = "fast",
	.tiers = tiers,
	.models = models,
	.outputs = outputs,
	.tags = tags,
	.example = "{\"prompt\":\"a fox's den at dusk\",\"width\":512}",
	.deadline = 30,
};
