/*
 * image-generate: fast, cheap text-to-image on curated Venice models.
 * Every rule is copied from the product page (seed 001).
 */
#include "basics/def.h"
#include "rows.h"

static const char *const tiers_enum[] = {
	"fast", "creative", "anime", "sd35", NULL
};
static const char *const models_enum[] = {
	"z-image-turbo", "chroma", "wai-Illustrious", "venice-sd35", NULL
};

static const struct def_param params[] = {
	{ .name = "prompt", .type = DEF_STRING, .required = 1, .max_len = 2000,
	  .desc = "Image description. Up to 2000 chars.",
	  .example = "\"a lighthouse on a cliff at dawn, watercolor\"" },
	/* Venice's OpenAPI caps both sides at 1280 (the page said 2048). */
	{ .name = "width", .type = DEF_INTEGER, .has_range = 1, .min = 256,
	  .max = 1280, .snap = 16, .has_default = 1, .def_num = 1024,
	  .desc = "Output width in pixels. Range [256, 1280] (Venice's limit), "
	  "snapped to multiples of 16. Default 1024.", .example = "1024" },
	{ .name = "height", .type = DEF_INTEGER, .has_range = 1, .min = 256,
	  .max = 1280, .snap = 16, .has_default = 1, .def_num = 1024,
	  .desc = "Output height in pixels. Range [256, 1280] (Venice's "
	  "limit), snapped to multiples of 16. Default 1024.",
	  .example = "768" },
	{ .name = "tier", .type = DEF_STRING, .enums = tiers_enum,
	  .def_str = "fast", .desc = "Model shorthand. Default 'fast'.",
	  .example = "\"fast\"" },
	{ .name = "model", .type = DEF_STRING, .enums = models_enum,
	  .desc = "Override the model. Must be one of: z-image-turbo, chroma, "
	  "wai-Illustrious, venice-sd35.", .example = "\"chroma\"" },
	{ .name = "steps", .type = DEF_INTEGER, .has_range = 1, .min = 1,
	  .max = 50, .desc = "Diffusion steps. Optional; depends on model.",
	  .example = "8" },
	/* Venice: "minimum: 0, exclusiveMinimum: true". */
	{ .name = "cfg_scale", .type = DEF_NUMBER, .has_range = 1, .min = 0.1,
	  .max = 20, .desc = "Classifier-free guidance scale, above 0 (0.1 "
	  "to 20). Optional.", .example = "5" },
	{ .name = "seed", .type = DEF_INTEGER, .has_range = 1, .min = 0,
	  .max = 999999999, .desc = "Random seed. Optional.",
	  .example = "42" },
	{ .name = "negative_prompt", .type = DEF_STRING, .max_len = 2000,
	  .desc = "Negative prompt. Optional.", .example = "\"blurry\"" },
	ROW_WEBHOOK_URL,
	{ 0 }
};

static const struct def_tier tiers[] = {
	{ "fast", "z-image-turbo" },
	{ "creative", "chroma" },
	{ "anime", "wai-Illustrious" },
	{ "sd35", "venice-sd35" },
	{ 0 }
};

static const struct def_model models[] = {
	{ .id = "z-image-turbo", .label = "Z-Image Turbo", .provider = "venice",
	  .upstream = "z-image-turbo" },
	{ .id = "chroma", .label = "Chroma", .provider = "venice",
	  .upstream = "chroma" },
	{ .id = "wai-Illustrious", .label = "WAI Illustrious",
	  .provider = "venice", .upstream = "wai-Illustrious" },
	{ .id = "venice-sd35", .label = "Venice SD 3.5", .provider = "venice",
	  .upstream = "venice-sd35" },
	{ 0 }
};

static const struct def_output outputs[] = {
	{ "image_url", "string", "Permanent PNG URL of the generated image.",
	  "\"https://synthforge.example/media/3f/3f2a....png\"" },
	{ "model", "string", "Underlying Venice model that produced the image "
	  "(z-image-turbo, chroma, wai-Illustrious, or venice-sd35).",
	  "\"z-image-turbo\"" },
	{ "width", "string", "Pixel width of the returned PNG as a string.",
	  "\"1024\"" },
	{ "height", "string", "Pixel height of the returned PNG as a string.",
	  "\"768\"" },
	{ "tier", "string", "Which tier was used: fast, creative, anime, or "
	  "sd35.", "\"fast\"", NULL, NULL, "tier" },
	{ "prompt", "string", "Text prompt that was sent to the image model.",
	  "\"a lighthouse on a cliff at dawn, watercolor\"" },
	{ "seed", "number", "The seed sent, useful for reproducing the same "
	  "image; present when the request gave one (Venice does not report "
	  "the seed it drew).", "42", NULL, NULL, "seed" },
	{ "elapsed_ms", "number", "Wall-clock time in milliseconds from "
	  "request to PNG URL ready.", "2140" },
	{ "venice_request_id", "string", "Upstream Venice request ID for "
	  "tracing or support lookups.", "\"req_8c1d...\"" },
	{ "source", "string", "Backend provider tag, e.g. venice, identifying "
	  "who actually ran the model.", "\"venice\"" },
	{ 0 }
};

static const char *const tags[] = {
	"image-generation", "text-to-image", "ai-art", "synthforge", "venice",
	"z-image-turbo", "chroma", "anime", NULL
};

const struct def_endpoint ep_image_generate = {
	.name = "image-generate",
	.path = "/v1/image-generate",
	.cluster = "synthforge",
	.method = "POST",
	.category = "image",
	.title = "image generate (fast/cheap) / text-to-image / ai art",
	.summary = "Image generate (fast/cheap) / text-to-image / AI art.",
	.description = "Image generate (fast/cheap) / text-to-image / AI art. "
	    "SFW, sub-5s turnaround. Four tiers backed by curated $0.01 Venice "
	    "models: 'fast' (z-image-turbo, default), 'creative' (chroma), "
	    "'anime' (wai-Illustrious), 'sd35' (venice-sd35). For top-tier "
	    "quality use image-generate-pro ($0.10, Flux 2 Pro / Recraft / "
	    "Seedream / Qwen Image 2 Pro) or image-generate-ultra ($0.30, "
	    "Google nano-banana-pro / OpenAI gpt-image-2). Returns a permanent "
	    "PNG URL.",
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
	.example = "{\"prompt\":\"a lighthouse on a cliff at dawn, watercolor\","
	    "\"width\":1024,\"height\":768,\"tier\":\"fast\"}",
	.deadline = 60,
};
