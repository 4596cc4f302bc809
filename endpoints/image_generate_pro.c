/*
 * image-generate-pro: premium text-to-image, eight tiers over eleven models.
 * Every rule is copied from the product page (seed 000); no snapping there.
 */
#include "basics/def.h"
#include "rows.h"

static const char *const tiers_enum[] = {
	"balanced", "max", "text", "recraft", "seedream", "grok", "art",
	"hunyuan", NULL
};
static const char *const models_enum[] = {
	"flux-2-pro", "flux-2-max", "qwen-image-2-pro", "qwen-image-2",
	"recraft-v4", "seedream-v4", "seedream-v5-lite", "grok-imagine-image",
	"imagineart-1.5-pro", "hunyuan-image-v3", "wan-2-7-text-to-image", NULL
};

/*
 * Which models take the optional inputs, from each fal endpoint's input
 * type (tests/fakes/contracts/): another model refuses them before
 * payment (400 unsupported_parameter) instead of dropping them.
 */
static const char *const steps_models[] = { "hunyuan-image-v3", NULL };
static const char *const seed_models[] = {
	"flux-2-pro", "flux-2-max", "qwen-image-2-pro", "qwen-image-2",
	"seedream-v4", "imagineart-1.5-pro", "hunyuan-image-v3",
	"wan-2-7-text-to-image", NULL
};
static const char *const neg_models[] = {
	"qwen-image-2-pro", "qwen-image-2", "hunyuan-image-v3",
	"wan-2-7-text-to-image", NULL
};
/* Models whose answer carries the seed they used. */
static const char *const seed_out[] = {
	"flux-2-pro", "flux-2-max", "qwen-image-2-pro", "qwen-image-2",
	"seedream-v4", "seedream-v5-lite", "hunyuan-image-v3",
	"wan-2-7-text-to-image", NULL
};

static const struct def_param params[] = {
	{ .name = "prompt", .type = DEF_STRING, .required = 1, .max_len = 3000,
	  .desc = "Image description. Up to 3000 chars.",
	  .example = "\"a vintage travel poster of Lisbon, bold lettering "
	  "'LISBOA'\"" },
	{ .name = "width", .type = DEF_INTEGER, .has_range = 1, .min = 256,
	  .max = 2048, .has_default = 1, .def_num = 1024,
	  .desc = "Output width in pixels. Range [256, 2048]. Default 1024.",
	  .example = "1024" },
	{ .name = "height", .type = DEF_INTEGER, .has_range = 1, .min = 256,
	  .max = 2048, .has_default = 1, .def_num = 1024,
	  .desc = "Output height in pixels. Range [256, 2048]. Default 1024.",
	  .example = "1536" },
	{ .name = "tier", .type = DEF_STRING, .enums = tiers_enum,
	  .def_str = "balanced",
	  .desc = "Model shorthand. balanced=flux-2-pro (default), "
	  "max=flux-2-max, text=qwen-image-2-pro, recraft=recraft-v4, "
	  "seedream=seedream-v4, grok=grok-imagine-image, "
	  "art=imagineart-1.5-pro, hunyuan=hunyuan-image-v3.",
	  .example = "\"text\"" },
	{ .name = "model", .type = DEF_STRING, .enums = models_enum,
	  .desc = "Override the model. Allowed: flux-2-pro, flux-2-max, "
	  "qwen-image-2-pro, qwen-image-2, recraft-v4, seedream-v4, "
	  "seedream-v5-lite, grok-imagine-image, imagineart-1.5-pro, "
	  "hunyuan-image-v3, wan-2-7-text-to-image.",
	  .example = "\"recraft-v4\"" },
	{ .name = "steps", .type = DEF_INTEGER, .has_range = 1, .min = 1,
	  .max = 50, .models = steps_models,
	  .desc = "Diffusion steps. Optional; hunyuan-image-v3 only (the "
	  "other models take no step count).", .example = "28" },
	{ .name = "cfg_scale", .type = DEF_NUMBER, .has_range = 1, .min = 0,
	  .max = 20, .models = steps_models,
	  .desc = "Classifier-free guidance scale. Optional; "
	  "hunyuan-image-v3 only.", .example = "7.5" },
	{ .name = "seed", .type = DEF_INTEGER, .has_range = 1, .min = 0,
	  .max = 999999999, .models = seed_models,
	  .desc = "Random seed. Optional; not on recraft-v4, "
	  "seedream-v5-lite or grok-imagine-image, which take none.",
	  .example = "42" },
	{ .name = "negative_prompt", .type = DEF_STRING, .max_len = 500,
	  .models = neg_models,
	  .desc = "Negative prompt, up to 500 chars (fal's limit for Qwen "
	  "Image 2 and Wan 2.7). Optional; qwen-image-2-pro, qwen-image-2, "
	  "hunyuan-image-v3 and wan-2-7-text-to-image only.",
	  .example = "\"blurry\"" },
	ROW_WEBHOOK_URL,
	{ 0 }
};

static const struct def_tier tiers[] = {
	{ "balanced", "flux-2-pro" },
	{ "max", "flux-2-max" },
	{ "text", "qwen-image-2-pro" },
	{ "recraft", "recraft-v4" },
	{ "seedream", "seedream-v4" },
	{ "grok", "grok-imagine-image" },
	{ "art", "imagineart-1.5-pro" },
	{ "hunyuan", "hunyuan-image-v3" },
	{ 0 }
};

/* Routes: fal ids from providers.md §2 (the slugs are Venice ids, §0). */
static const struct def_model models[] = {
	{ .id = "flux-2-pro", .label = "FLUX.2 [pro]", .provider = "fal",
	  .upstream = "fal-ai/flux-2-pro" },
	{ .id = "flux-2-max", .label = "FLUX.2 [max]", .provider = "fal",
	  .upstream = "fal-ai/flux-2-max" },
	{ .id = "qwen-image-2-pro", .label = "Qwen Image 2 Pro",
	  .provider = "fal", .upstream = "fal-ai/qwen-image-2/pro/text-to-image",
	  .notes = "Best at rendering text in images." },
	{ .id = "qwen-image-2", .label = "Qwen Image 2", .provider = "fal",
	  .upstream = "fal-ai/qwen-image-2/text-to-image" },
	{ .id = "recraft-v4", .label = "Recraft V4", .provider = "fal",
	  .upstream = "fal-ai/recraft/v4/text-to-image",
	  .notes = "Design and illustration; returns no seed." },
	{ .id = "seedream-v4", .label = "Seedream 4", .provider = "fal",
	  .upstream = "fal-ai/bytedance/seedream/v4/text-to-image" },
	{ .id = "seedream-v5-lite", .label = "Seedream 5 Lite",
	  .provider = "fal",
	  .upstream = "bytedance/seedream/v5/lite/text-to-image" },
	{ .id = "grok-imagine-image", .label = "xAI Grok Imagine",
	  .provider = "fal", .upstream = "xai/grok-imagine-image",
	  .notes = "Returns no seed." },
	{ .id = "imagineart-1.5-pro", .label = "ImagineArt 1.5 Pro",
	  .provider = "fal",
	  .upstream = "imagineart/imagineart-1.5-pro-preview/text-to-image" },
	{ .id = "hunyuan-image-v3", .label = "Hunyuan Image 3",
	  .provider = "fal",
	  .upstream = "fal-ai/hunyuan-image/v3/text-to-image" },
	{ .id = "wan-2-7-text-to-image", .label = "Wan 2.7",
	  .provider = "fal", .upstream = "fal-ai/wan/v2.7/text-to-image" },
	{ 0 }
};

static const struct def_output outputs[] = {
	{ "image_url", "string", "Permanent PNG URL for the generated image.",
	  "\"https://synthforge.example/media/3f/3f2a....png\"" },
	{ "model", "string", "Underlying model slug that produced the image "
	  "(e.g. flux-2-pro, qwen-image-2-pro, recraft-v4).",
	  "\"flux-2-pro\"" },
	{ "width", "number", "Pixel width of the generated image.", "1024" },
	{ "height", "number", "Pixel height of the generated image.",
	  "1536" },
	{ "tier", "string", "Tier selector echoed back: balanced, max, text, "
	  "recraft, seedream, grok, art, or hunyuan (absent for a model no "
	  "tier names).", "\"balanced\"", NULL, NULL, "tier" },
	{ "prompt", "string", "Text prompt used to generate the image.",
	  "\"a vintage travel poster of Lisbon, bold lettering 'LISBOA'\"" },
	{ "seed", "number", "Random seed used by the model; reuse for "
	  "reproducible outputs (recraft-v4, grok-imagine-image and "
	  "imagineart-1.5-pro report none).", "42", NULL, seed_out },
	ROW_OUT_ELAPSED("6210"),
	{ "venice_request_id", "string", "Upstream request ID from the "
	  "fal/Venice generation call for support and debugging.",
	  "\"019a7c2e-...\"" },
	{ "source", "string", "Upstream provider that served the generation "
	  "(e.g. fal, venice).", "\"fal\"" },
	{ 0 }
};

static const char *const tags[] = {
	"image-generation", "text-to-image", "synthforge", "flux-2-pro",
	"recraft", "seedream", "text-in-image", "premium-image", NULL
};

const struct def_endpoint ep_image_generate_pro = {
	.name = "image-generate-pro",
	.path = "/v1/image-generate-pro",
	.cluster = "synthforge",
	.method = "POST",
	.category = "image",
	.title = "image generate (pro) / premium text-to-image / flux 2 pro / "
	    "recraft / seedream / qwen image 2 pro / xai grok imagine",
	.summary = "Image generate (pro) / premium text-to-image / Flux 2 Pro / "
	    "Recraft / Seedream / Qwen Image 2 Pro / xAI Grok Imagine.",
	.description = "Image generate (pro) / premium text-to-image / Flux 2 "
	    "Pro / Recraft / Seedream / Qwen Image 2 Pro / xAI Grok Imagine. "
	    "Premium multi-model lineup for photoreal, design/illustration, "
	    "text-in-image, and stylized art. Tiers: 'balanced' (flux-2-pro, "
	    "default), 'max' (flux-2-max), 'text' (qwen-image-2-pro \xe2\x80\x94 "
	    "best at rendering text in images), 'recraft' (recraft-v4), "
	    "'seedream' (seedream-v4), 'grok' (grok-imagine-image), 'art' "
	    "(imagineart-1.5-pro), 'hunyuan' (hunyuan-image-v3). For flagship "
	    "Google/OpenAI models use image-generate-ultra. Returns a "
	    "permanent PNG URL.",
	.media = "image",
	.price = 100000,
	.params = params,
	.tier_param = "tier",
	.model_param = "model",
	.default_tier = "balanced",
	.tiers = tiers,
	.models = models,
	.outputs = outputs,
	.tags = tags,
	.example = "{\"prompt\":\"a vintage travel poster of Lisbon, bold "
	    "lettering 'LISBOA'\",\"width\":1024,\"height\":1536,"
	    "\"tier\":\"text\"}",
	.deadline = 60,
};
