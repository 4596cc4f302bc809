/*
 * api-v1-image-edit: the peer "Image API" edit endpoint (seed 003) at its
 * own path.  Three editors from the page's table; Flux Kontext's price is
 * "per-image" there, ours is fixed (BFL bills Kontext Pro $0.04).  seed
 * goes to the editors that honour it: Kontext (the page's "Flux Kontext
 * only") and Qwen Image Edit; Seedream 5's edit API takes none.
 */
#include "basics/def.h"
#include "rows.h"

static const char *const models_enum[] = {
	"qwen-image-edit", "flux-kontext", "seedream-5", NULL
};
static const char *const seed_models[] = {
	"flux-kontext", "qwen-image-edit", NULL
};

static const struct def_param params[] = {
	{ .name = "prompt", .type = DEF_STRING, .required = 1, .max_len = 2000,
	  .desc = "Edit instruction. Up to 2000 characters.",
	  .example = "\"replace the sky with a starry night\"" },
	{ ROW_URL("image_url", 1),
	  .desc = "Source image URL: public http(s), PNG, JPEG, WebP or GIF, "
	  "up to 20 MiB.", .example = "\"https://example.com/photo.jpg\"" },
	{ .name = "model", .type = DEF_STRING, .enums = models_enum,
	  .def_str = "qwen-image-edit",
	  .desc = "Model ID (default: qwen-image-edit). One of: "
	  "qwen-image-edit, flux-kontext, seedream-5.",
	  .example = "\"flux-kontext\"" },
	{ .name = "seed", .type = DEF_INTEGER, .has_range = 1, .min = 0,
	  .max = 2147483647, .models = seed_models,
	  .desc = "Reproducibility seed (Flux Kontext and Qwen Image Edit).",
	  .example = "42" },
	ROW_WEBHOOK_URL,
	{ 0 }
};

static const struct def_model models[] = {
	{ .id = "qwen-image-edit", .label = "Qwen Image Edit",
	  .provider = "fal", .upstream = "fal-ai/qwen-image-edit",
	  .price = 75000, .notes = "Text + object editing." },
	{ .id = "flux-kontext", .label = "Flux Kontext", .provider = "bfl",
	  .upstream = "flux-kontext-pro", .price = 50000,
	  .notes = "Context-aware editing." },
	{ .id = "seedream-5", .label = "Seedream 5", .provider = "fal",
	  .upstream = "bytedance/seedream/v5/lite/edit", .price = 40000,
	  .notes = "Style transfer, smart editing." },
	{ 0 }
};

static const struct def_output outputs[] = {
	{ "url", "string", "Permanent URL of the edited image (never an "
	  "expiring upstream URL).",
	  "\"https://synthforge.example/media/5d/5d0e....png\"", "image_url" },
	{ "images", "array", "Permanent URLs of every image returned.",
	  "[\"https://synthforge.example/media/5d/5d0e....png\"]", NULL },
	{ "model", "string", "Model ID that performed the edit.",
	  "\"qwen-image-edit\"", NULL },
	{ "provider", "string", "Provider that ran the model (bfl, fal; "
	  "offline on a test server).", "\"fal\"", "source" },
	{ "width", "integer", "Pixel width of the edited image.", "1024",
	  NULL },
	{ "height", "integer", "Pixel height of the edited image.", "768",
	  NULL },
	{ "seed", "integer", "Seed used (every model reports one).", "42",
	  NULL },
	{ "request_id", "string", "Upstream request ID for support.",
	  "\"019a7c2e-...\"", NULL },
	{ "elapsed_ms", "integer", "Server-side time in milliseconds.",
	  "4120", NULL },
	{ 0 }
};

static const char *const tags[] = {
	"image-edit", "image-to-image", "flux-kontext", "qwen-image-edit",
	"seedream", "imageapi", "synthforge", NULL
};

const struct def_endpoint ep_api_v1_image_edit = {
	.name = "api-v1-image-edit",
	.path = "/api/v1/image/edit",
	.cluster = "imageapi",
	.method = "POST",
	.category = "image",
	.title = "image API edit / Flux Kontext / Qwen Image Edit / Seedream "
	    "5 instruction-based image edit",
	.summary = "Edit an existing image with a prompt: Qwen Image Edit, "
	    "Flux Kontext or Seedream 5.",
	.description = "Instruction-based image editing through a single API: "
	    "give image_url and a plain-language instruction. Models "
	    "qwen-image-edit (default, fal.ai, $0.075), flux-kontext (BFL, "
	    "$0.05) and seedream-5 (fal.ai, $0.04). Returns a permanent URL. "
	    "Compatible with the Image API's POST /api/v1/image/edit.",
	.media = "image",
	.price = 75000,
	.price_note = "Per image, by model: qwen-image-edit $0.075, "
	    "flux-kontext $0.05 (page: per-image), seedream-5 $0.04 (page "
	    "~$0.04).",
	.params = params,
	.model_param = "model",
	.default_model = "qwen-image-edit",
	.models = models,
	.outputs = outputs,
	.tags = tags,
	.example = "{\"prompt\":\"replace the sky with a starry night\","
	    "\"image_url\":\"https://example.com/photo.jpg\"}",
	.deadline = 120,
};
