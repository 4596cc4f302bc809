/*
 * image-upscale: 2x-4x super-resolution, the chain target that
 * image-generate-ultra's page points to for output above 1024 px.
 */
#include "basics/def.h"
#include "rows.h"

static const char *const models_enum[] = {
	"seedvr2", "esrgan", "clarity", NULL
};
static const char *const clarity_only[] = {
	"clarity", NULL
};
static const char *const esrgan_only[] = {
	"esrgan", NULL
};
static const char *const seed_models[] = {
	"seedvr2", "clarity", NULL
};

static const struct def_param params[] = {
	{ ROW_URL("image_url", 1),
	  .desc = "Public http(s) URL of the image to upscale (PNG, JPEG, WebP "
	  "or GIF, up to 20 MiB).",
	  .example = "\"https://example.com/portrait.png\"" },
	{ .name = "scale", .type = DEF_INTEGER, .has_range = 1, .min = 2,
	  .max = 4, .has_default = 1, .def_num = 2,
	  .desc = "Upscale factor. Range [2, 4]. Default 2.",
	  .example = "4" },
	{ .name = "model", .type = DEF_STRING, .enums = models_enum,
	  .def_str = "seedvr2",
	  .desc = "Upscaler: seedvr2 (default, faithful), esrgan (fast, "
	  "classic), clarity (creative: re-imagines fine detail).",
	  .example = "\"seedvr2\"" },
	{ .name = "prompt", .type = DEF_STRING, .max_len = 1000,
	  .models = clarity_only,
	  .desc = "Detail hint for the creative upscaler. Optional; clarity "
	  "only.", .example = "\"sharp skin texture, detailed eyes\"" },
	{ .name = "creativity", .type = DEF_NUMBER, .has_range = 1, .min = 0,
	  .max = 1, .models = clarity_only,
	  .desc = "How far the creative upscaler may deviate from the input "
	  "(upstream default 0.35). Optional; clarity only.",
	  .example = "0.35" },
	{ .name = "face_enhance", .type = DEF_BOOLEAN, .models = esrgan_only,
	  .desc = "Restore faces while upscaling. Optional; esrgan only.",
	  .example = "true" },
	{ .name = "seed", .type = DEF_INTEGER, .has_range = 1, .min = 0,
	  .max = 999999999, .models = seed_models,
	  .desc = "Random seed. Optional; seedvr2 and clarity.",
	  .example = "42" },
	ROW_WEBHOOK_URL,
	{ 0 }
};

static const struct def_model models[] = {
	{ .id = "seedvr2", .label = "SeedVR2 upscale", .provider = "fal",
	  .upstream = "fal-ai/seedvr/upscale/image" },
	{ .id = "esrgan", .label = "Real-ESRGAN", .provider = "fal",
	  .upstream = "fal-ai/esrgan" },
	{ .id = "clarity", .label = "Clarity upscaler", .provider = "fal",
	  .upstream = "fal-ai/clarity-upscaler", .price = 100000,
	  .notes = "Diffusion-based; slower and dearer." },
	{ 0 }
};

static const struct def_output outputs[] = {
	{ "image_url", "string", "Permanent PNG URL of the upscaled image.",
	  "\"https://synthforge.example/media/c2/c2f9....png\"" },
	{ "model", "string", "Upscaler that ran.", "\"seedvr2\"" },
	{ "width", "number", "Pixel width of the upscaled image.", "4096" },
	{ "height", "number", "Pixel height of the upscaled image.", "4096" },
	{ "scale", "number", "Upscale factor applied.", "4" },
	{ "seed", "number", "Seed used (seedvr2 and clarity report one).",
	  "42", NULL, seed_models },
	{ "elapsed_ms", "number", "Server-side time in milliseconds, input "
	  "fetch included.", "9120" },
	ROW_OUT_REQUEST_ID,
	{ "source", "string", "Provider that ran the model (e.g. fal, "
	  "offline).", "\"fal\"" },
	{ 0 }
};

static const char *const tags[] = {
	"image-upscale", "super-resolution", "upscaler", "enhance",
	"synthforge", "seedvr", "esrgan", NULL
};

const struct def_endpoint ep_image_upscale = {
	.name = "image-upscale",
	.path = "/v1/image-upscale",
	.cluster = "synthforge",
	.method = "POST",
	.category = "image",
	.title = "image upscale / ai super-resolution / 2x-4x image enlarger",
	.summary = "Image upscale / AI super-resolution / 2x-4x image "
	    "enlarger.",
	.description = "Image upscale / AI super-resolution / 2x-4x image "
	    "enlarger. Send an image URL and a scale of 2, 3 or 4. Models: "
	    "'seedvr2' (default, faithful), 'esrgan' (fast, classic), "
	    "'clarity' (creative, re-imagines detail, $0.10). Chain after "
	    "image-generate-ultra for output above 1024x1024. Returns a "
	    "permanent PNG URL.",
	.media = "image",
	.price = 40000,
	.price_note = "$0.04 per call: above the per-megapixel wholesale of "
	    "the faithful upscalers for a 4x result of a 1024x1024 input, and "
	    "above image-edit so chaining ultra -> upscale stays cheaper than "
	    "a higher-resolution flagship call; clarity is $0.10.",
	.params = params,
	.model_param = "model",
	.default_model = "seedvr2",
	.models = models,
	.outputs = outputs,
	.tags = tags,
	.example = "{\"image_url\":\"https://example.com/portrait.png\","
	    "\"scale\":4}",
	.deadline = 60,
};
