/*
 * image-generate-ultra: flagship proprietary text-to-image.  Every rule is
 * copied from the product page (seed 002): output capped to 1024x1024 so
 * the wholesale price stays within retail; no snapping.
 */
#include "basics/def.h"
#include "rows.h"
#include "sizes.h"

static const char *const tiers_enum[] = {
	"nano-banana", "nano-banana-2", "gpt", "gpt-1-5", "recraft-pro",
	"grok-sota", NULL
};
static const char *const models_enum[] = {
	"nano-banana-pro", "nano-banana-2", "gpt-image-2", "gpt-image-1-5",
	"recraft-v4-pro", "grok-imagine-image-quality", NULL
};

/*
 * Only the nano-banana models take a seed (fal's input types); none of
 * the six takes steps, a guidance scale or a negative prompt, so the
 * page's steps, cfg_scale and negative_prompt are gone: each model would
 * have dropped them unseen (issue 24).
 */
static const char *const seed_models[] = {
	"nano-banana-pro", "nano-banana-2", NULL
};

static const struct def_param params[] = {
	{ .name = "prompt", .type = DEF_STRING, .required = 1, .max_len = 5000,
	  .desc = "Image description. Up to 5000 chars.",
	  .example = "\"a macro photo of a dew-covered spider web at sunrise\"" },
	{ .name = "width", .type = DEF_INTEGER, .has_range = 1, .min = 256,
	  .max = 1024, .has_default = 1, .def_num = 1024,
	  .desc = "Output width in pixels. Range [256, 1024]. Default 1024.",
	  .example = "1024" },
	{ .name = "height", .type = DEF_INTEGER, .has_range = 1, .min = 256,
	  .max = 1024, .has_default = 1, .def_num = 1024,
	  .desc = "Output height in pixels. Range [256, 1024]. Default 1024.",
	  .example = "1024" },
	{ .name = "tier", .type = DEF_STRING, .enums = tiers_enum,
	  .def_str = "nano-banana",
	  .desc = "Model shorthand. nano-banana=nano-banana-pro (default), "
	  "nano-banana-2=nano-banana-2, gpt=gpt-image-2, "
	  "gpt-1-5=gpt-image-1-5, recraft-pro=recraft-v4-pro, "
	  "grok-sota=grok-imagine-image-quality.",
	  .example = "\"gpt\"" },
	{ .name = "model", .type = DEF_STRING, .enums = models_enum,
	  .desc = "Override the model. Allowed: nano-banana-pro, nano-banana-2, "
	  "gpt-image-2, gpt-image-1-5, recraft-v4-pro, "
	  "grok-imagine-image-quality.", .example = "\"nano-banana-pro\"" },
	{ .name = "seed", .type = DEF_INTEGER, .has_range = 1, .min = 0,
	  .max = 999999999, .models = seed_models,
	  .desc = "Random seed. Optional; nano-banana-pro and nano-banana-2 "
	  "only (the others take none).", .example = "42" },
	ROW_WEBHOOK_URL,
	{ 0 }
};

static const struct def_tier tiers[] = {
	{ "nano-banana", "nano-banana-pro" },
	{ "nano-banana-2", "nano-banana-2" },
	{ "gpt", "gpt-image-2" },
	{ "gpt-1-5", "gpt-image-1-5" },
	{ "recraft-pro", "recraft-v4-pro" },
	{ "grok-sota", "grok-imagine-image-quality" },
	{ 0 }
};

/* Routes: fal ids from providers.md §2; direct google/openai/xai later. */
static const struct def_model models[] = {
	{ .id = "nano-banana-pro", .label = "Google Nano Banana Pro "
	  "(Gemini Image 3)", .provider = "fal",
	  .upstream = "fal-ai/nano-banana-pro" },
	{ .id = "nano-banana-2", .label = "Google Nano Banana 2",
	  .provider = "fal", .upstream = "fal-ai/nano-banana-2",
	  .notes = "Cheaper Google variant." },
	{ .id = "gpt-image-2", .label = "OpenAI GPT Image 2",
	  .provider = "fal", .upstream = "openai/gpt-image-2",
	  .notes = "OpenAI flagship; returns no seed.",
	  .size = &size_gpt_image_2 },
	{ .id = "gpt-image-1-5", .label = "OpenAI GPT Image 1.5",
	  .provider = "fal", .upstream = "fal-ai/gpt-image-1.5",
	  .notes = "Returns no seed." },
	{ .id = "recraft-v4-pro", .label = "Recraft V4 Pro",
	  .provider = "fal", .upstream = "fal-ai/recraft/v4/pro/text-to-image",
	  .notes = "Returns no seed." },
	{ .id = "grok-imagine-image-quality", .label = "xAI Grok Imagine "
	  "(quality)", .provider = "fal",
	  .upstream = "xai/grok-imagine-image/quality/text-to-image",
	  .notes = "Returns no seed." },
	{ 0 }
};

static const struct def_output outputs[] = {
	{ "image_url", "string", "Permanent PNG URL for the generated "
	  "1024x1024 image.",
	  "\"https://synthforge.example/media/9c/9c41....png\"" },
	{ "model", "string", "Underlying provider model ID that produced the "
	  "image (e.g. nano-banana-pro, gpt-image-2, recraft-v4-pro).",
	  "\"nano-banana-pro\"" },
	{ "width", "number", "Pixel width of the returned image, capped at "
	  "1024.", "1024" },
	{ "height", "number", "Pixel height of the returned image, capped at "
	  "1024.", "1024" },
	{ "tier", "string", "Tier slug selected for this call: nano-banana, "
	  "nano-banana-2, gpt, gpt-1-5, recraft-pro, or grok-sota.",
	  "\"nano-banana\"", NULL, NULL, "tier" },
	{ "prompt", "string", "Text prompt that was sent to the underlying "
	  "model.", "\"a macro photo of a dew-covered spider web at sunrise\"" },
	{ "seed", "number", "The seed sent, when one was given (the "
	  "nano-banana models; none of the six reports its own).", "42", NULL,
	  seed_models, "seed" },
	{ "elapsed_ms", "number", "Wall-clock time in milliseconds spent "
	  "generating the image upstream.", "11840" },
	{ "venice_request_id", "string", "Upstream request ID for tracing "
	  "this generation across logs.", "\"019a7c2e-...\"" },
	{ "source", "string", "Upstream provider tag (google, openai, recraft, "
	  "xai) that served the request.", "\"google\"" },
	{ 0 }
};

static const char *const tags[] = {
	"synthforge", "image-generation", "text-to-image", "nano-banana-pro",
	"gpt-image-2", "recraft-v4-pro", "grok-imagine", "flagship-models", NULL
};

const struct def_endpoint ep_image_generate_ultra = {
	.name = "image-generate-ultra",
	.path = "/v1/image-generate-ultra",
	.cluster = "synthforge",
	.method = "POST",
	.category = "image",
	.title = "image generate (ultra) / flagship text-to-image / google "
	    "nano-banana-pro (gemini image 3) / openai gpt-image-2 / recraft "
	    "v4 pro / xai grok sota",
	.summary = "Image generate (ultra) / flagship text-to-image / Google "
	    "nano-banana-pro (Gemini Image 3) / OpenAI gpt-image-2 / Recraft "
	    "V4 Pro / xAI Grok SOTA.",
	.description = "Image generate (ultra) / flagship text-to-image / "
	    "Google nano-banana-pro (Gemini Image 3) / OpenAI gpt-image-2 / "
	    "Recraft V4 Pro / xAI Grok SOTA. Top proprietary models for the "
	    "highest quality output. Tiers: 'nano-banana' (nano-banana-pro, "
	    "default \xe2\x80\x94 Google Gemini Image 3), 'nano-banana-2' "
	    "(cheaper Google variant), 'gpt' (gpt-image-2 \xe2\x80\x94 OpenAI "
	    "flagship), 'gpt-1-5' (gpt-image-1-5), 'recraft-pro' "
	    "(recraft-v4-pro), 'grok-sota' (grok-imagine-image-quality). "
	    "Output is capped to 1024x1024 to keep wholesale within retail; "
	    "for higher resolution, chain image-upscale. Returns a permanent "
	    "PNG URL.",
	.media = "image",
	.price = 300000,
	.price_note = "Flat per call; output capped to 1024x1024 so the "
	    "wholesale price of every model stays under $0.30.",
	.params = params,
	.tier_param = "tier",
	.model_param = "model",
	.default_tier = "nano-banana",
	.tiers = tiers,
	.models = models,
	.outputs = outputs,
	.tags = tags,
	.example = "{\"prompt\":\"a macro photo of a dew-covered spider web at "
	    "sunrise\",\"width\":1024,\"height\":1024,\"tier\":\"nano-banana\"}",
	.deadline = 60,
};
