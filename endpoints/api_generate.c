/*
 * api-generate: the peer "AI Image Generation" endpoint (seed 004) at its
 * own path, POST /api/generate: three Flux models on fal.ai at the page's
 * prices, and the page's free demo (GET /api/generate?demo=true), served
 * by the flow under shared/demo.c's budget.  The page documents no size
 * range; ours stops at 1024 because fal bills Flux per megapixel and the
 * prices are fixed per call.
 */
#include "basics/def.h"
#include "rows.h"

static const char *const models_enum[] = {
	"flux-schnell", "flux-dev", "flux-pro", NULL
};

static const struct def_param params[] = {
	{ .name = "prompt", .type = DEF_STRING, .required = 1, .max_len = 2000,
	  .desc = "Text description of the image. Up to 2000 characters.",
	  .example = "\"A neon-lit cyberpunk city at night, rain "
	  "reflections\"" },
	{ .name = "model", .type = DEF_STRING, .enums = models_enum,
	  .def_str = "flux-schnell",
	  .desc = "flux-schnell ($0.02, fastest, default), flux-dev ($0.03) "
	  "or flux-pro ($0.05, highest quality).",
	  .example = "\"flux-schnell\"" },
	{ .name = "width", .type = DEF_INTEGER, .has_range = 1, .min = 256,
	  .max = 1024, .snap = 16, .has_default = 1, .def_num = 1024,
	  .desc = "Width in pixels, 256-1024, snapped to multiples of 16. "
	  "Default 1024.", .example = "1024" },
	{ .name = "height", .type = DEF_INTEGER, .has_range = 1, .min = 256,
	  .max = 1024, .snap = 16, .has_default = 1, .def_num = 1024,
	  .desc = "Height in pixels, 256-1024, snapped to multiples of 16. "
	  "Default 1024.", .example = "1024" },
	ROW_WEBHOOK_URL,
	{ 0 }
};

static const struct def_model models[] = {
	{ .id = "flux-schnell", .label = "FLUX.1 [schnell]", .provider = "fal",
	  .upstream = "fal-ai/flux/schnell", .price = 20000,
	  .notes = "Fastest and cheapest." },
	{ .id = "flux-dev", .label = "FLUX.1 [dev]", .provider = "fal",
	  .upstream = "fal-ai/flux/dev", .price = 30000 },
	/* fal has no bare flux-pro id; v1.1 is the current Pro. */
	{ .id = "flux-pro", .label = "FLUX1.1 [pro]", .provider = "fal",
	  .upstream = "fal-ai/flux-pro/v1.1", .price = 50000,
	  .notes = "Highest quality." },
	{ 0 }
};

static const struct def_output outputs[] = {
	{ "image_url", "string", "Permanent URL of the generated image.",
	  "\"https://synthforge.example/media/ab/abc123....png\"", NULL },
	{ "model", "string", "Model that generated the image.",
	  "\"flux-schnell\"", NULL },
	{ "seed", "integer", "Seed used for generation.", "42069", NULL },
	{ "price", "string", "What this call cost, in USD.", "\"$0.02\"",
	  NULL },
	{ 0 }
};

static const char *const tags[] = {
	"image-generation", "text-to-image", "flux", "flux-schnell",
	"flux-dev", "flux-pro", "sparkforge", "synthforge", NULL
};

const struct def_endpoint ep_api_generate = {
	.name = "api-generate",
	.path = "/api/generate",
	.cluster = "sparkforge",
	.method = "POST",
	.category = "image",
	.title = "AI image generation / Flux Schnell, Dev, Pro text-to-image",
	.summary = "Generate images from text prompts with Flux (Schnell, Dev, "
	    "Pro) via fal.ai; free demo mode.",
	.description = "Generate high-quality AI images from text prompts "
	    "using Flux models (Schnell, Dev, Pro) via fal.ai. Choose the "
	    "model by speed versus quality: flux-schnell ($0.02) is fastest "
	    "and cheapest, flux-dev ($0.03) in between, flux-pro ($0.05) "
	    "highest quality. Returns a permanent image URL, the model, the "
	    "seed and the price. GET /api/generate?demo=true (optional "
	    "prompt and model in the query) is a free, rate-limited demo; "
	    "its answer adds \"demo\": true and a \"notice\", its price "
	    "is \"$0.00\" and its image may come from the offline "
	    "generator. Compatible with POST /api/generate as "
	    "documented by SparkForge.",
	.media = "image",
	.price = 20000,
	.price_note = "By model: flux-schnell $0.02, flux-dev $0.03, "
	    "flux-pro $0.05 per call.",
	.params = params,
	.model_param = "model",
	.default_model = "flux-schnell",
	.models = models,
	.outputs = outputs,
	.tags = tags,
	.example = "{\"prompt\":\"A neon-lit cyberpunk city at night, rain "
	    "reflections\",\"model\":\"flux-schnell\",\"width\":1024,"
	    "\"height\":1024}",
	.deadline = 90,
	.flags = DEF_EP_DEMO,
};
