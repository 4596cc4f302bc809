/*
 * image-edit: instruction-based edit of one image.  The $0.02 price is the
 * budget default (FLUX.2 klein); the flagship editors the summary names
 * (nano-banana, GPT-image-2) carry their own per-model price because their
 * wholesale cost is far above $0.02.
 */
#include "basics/def.h"
#include "rows.h"
#include "sizes.h"

static const char *const tiers_enum[] = {
	"fast", "nano-banana", "nano-banana-2", "nano-banana-pro", "gpt",
	"kontext", "qwen", "seedream", NULL
};
static const char *const models_enum[] = {
	"flux-2-klein", "nano-banana", "nano-banana-2", "nano-banana-pro",
	"gpt-image-2", "flux-kontext-pro", "qwen-image-edit-plus",
	"seedream-v5-lite", NULL
};
static const char *const aspect_enum[] = {
	"auto", "21:9", "16:9", "3:2", "4:3", "5:4", "1:1", "4:5", "3:4",
	"2:3", "9:16", NULL
};
static const char *const aspect_models[] = {
	"nano-banana", "nano-banana-2", "nano-banana-pro", NULL
};
static const char *const seed_models[] = {
	"flux-2-klein", "nano-banana", "nano-banana-2", "nano-banana-pro",
	"flux-kontext-pro", "qwen-image-edit-plus", NULL
};
static const char *const cfg_models[] = {
	"flux-kontext-pro", "qwen-image-edit-plus", NULL
};
static const char *const neg_models[] = {
	"qwen-image-edit-plus", NULL
};

/* Models whose answer carries the seed they used (fal's output types). */
static const char *const seed_out[] = {
	"flux-2-klein", "flux-kontext-pro", "qwen-image-edit-plus",
	"seedream-v5-lite", NULL
};

static const struct def_param params[] = {
	{ .name = "prompt", .type = DEF_STRING, .required = 1, .max_len = 2000,
	  .desc = "Edit instruction, e.g. 'make it night time'. Up to 2000 "
	  "chars.", .example = "\"replace the sky with a starry night\"" },
	{ ROW_URL("image_url", 1),
	  .desc = "Public http(s) URL of the image to edit (PNG, JPEG, WebP or "
	  "GIF, up to 20 MiB).",
	  .example = "\"https://example.com/photo.jpg\"" },
	{ .name = "tier", .type = DEF_STRING, .enums = tiers_enum,
	  .def_str = "fast",
	  .desc = "Model shorthand. fast=flux-2-klein (default), "
	  "nano-banana=nano-banana, nano-banana-2=nano-banana-2, "
	  "nano-banana-pro=nano-banana-pro, gpt=gpt-image-2, "
	  "kontext=flux-kontext-pro, qwen=qwen-image-edit-plus, "
	  "seedream=seedream-v5-lite.", .example = "\"nano-banana\"" },
	{ .name = "model", .type = DEF_STRING, .enums = models_enum,
	  .desc = "Override the model. Allowed: flux-2-klein, nano-banana, "
	  "nano-banana-2, nano-banana-pro, gpt-image-2, flux-kontext-pro, "
	  "qwen-image-edit-plus, seedream-v5-lite.",
	  .example = "\"gpt-image-2\"" },
	{ .name = "aspect_ratio", .type = DEF_STRING, .enums = aspect_enum,
	  .models = aspect_models,
	  .desc = "Output aspect ratio; 'auto' keeps the input's. Nano-banana "
	  "models only.", .example = "\"16:9\"" },
	{ .name = "seed", .type = DEF_INTEGER, .has_range = 1, .min = 0,
	  .max = 999999999, .models = seed_models,
	  .desc = "Random seed for reproducible edits. Optional; not on "
	  "gpt-image-2 or seedream-v5-lite.", .example = "42" },
	{ .name = "cfg_scale", .type = DEF_NUMBER, .has_range = 1, .min = 1,
	  .max = 20, .models = cfg_models,
	  .desc = "How closely to follow the instruction. Optional; "
	  "flux-kontext-pro and qwen-image-edit-plus only.", .example = "4" },
	{ .name = "negative_prompt", .type = DEF_STRING, .max_len = 500,
	  .models = neg_models,
	  .desc = "What to avoid. Optional; qwen-image-edit-plus only.",
	  .example = "\"blurry, distorted\"" },
	ROW_WEBHOOK_URL,
	{ 0 }
};

static const struct def_tier tiers[] = {
	{ "fast", "flux-2-klein" },
	{ "nano-banana", "nano-banana" },
	{ "nano-banana-2", "nano-banana-2" },
	{ "nano-banana-pro", "nano-banana-pro" },
	{ "gpt", "gpt-image-2" },
	{ "kontext", "flux-kontext-pro" },
	{ "qwen", "qwen-image-edit-plus" },
	{ "seedream", "seedream-v5-lite" },
	{ 0 }
};

static const struct def_model models[] = {
	{ .id = "flux-2-klein", .label = "FLUX.2 [klein] 9B edit",
	  .provider = "fal", .upstream = "fal-ai/flux-2/klein/9b/edit",
	  .notes = "Fast, budget editor." },
	{ .id = "nano-banana", .label = "Google Nano Banana edit",
	  .provider = "fal", .upstream = "fal-ai/nano-banana/edit",
	  .price = 50000 },
	{ .id = "nano-banana-2", .label = "Google Nano Banana 2 edit",
	  .provider = "fal", .upstream = "fal-ai/nano-banana-2/edit",
	  .price = 120000 },
	{ .id = "nano-banana-pro", .label = "Google Nano Banana Pro edit",
	  .provider = "fal", .upstream = "fal-ai/nano-banana-pro/edit",
	  .price = 200000 },
	{ .id = "gpt-image-2", .label = "OpenAI GPT Image 2 edit",
	  .provider = "fal", .upstream = "openai/gpt-image-2/edit",
	  .price = 300000, .notes = "No seed.",
	  .size = &size_gpt_image_2 },
	{ .id = "flux-kontext-pro", .label = "FLUX.1 Kontext [pro]",
	  .provider = "fal", .upstream = "fal-ai/flux-pro/kontext",
	  .price = 50000 },
	{ .id = "qwen-image-edit-plus", .label = "Qwen Image Edit Plus",
	  .provider = "fal", .upstream = "fal-ai/qwen-image-edit-plus",
	  .price = 40000, .notes = "Strong at text and object edits." },
	{ .id = "seedream-v5-lite", .label = "Seedream 5 Lite edit",
	  .provider = "fal", .upstream = "bytedance/seedream/v5/lite/edit",
	  .price = 50000 },
	{ 0 }
};

static const struct def_output outputs[] = {
	{ "image_url", "string", "Permanent PNG URL of the edited image.",
	  "\"https://synthforge.example/media/5d/5d0e....png\"" },
	{ "model", "string", "Model that performed the edit.",
	  "\"flux-2-klein\"" },
	{ "tier", "string", "Tier used for this call.", "\"fast\"", NULL,
	  NULL, "tier" },
	{ "width", "number", "Pixel width of the edited image.", "1024" },
	{ "height", "number", "Pixel height of the edited image.", "768" },
	{ "prompt", "string", "Edit instruction that was sent to the model.",
	  "\"replace the sky with a starry night\"" },
	{ "seed", "number", "Seed used: reported by flux-2-klein, "
	  "flux-kontext-pro, qwen-image-edit-plus and seedream-v5-lite; the "
	  "seed sent, for the nano-banana models.", "42", NULL, seed_out },
	{ "elapsed_ms", "number", "Server-side time in milliseconds, input "
	  "fetch included.", "4120" },
	ROW_OUT_REQUEST_ID,
	{ "source", "string", "Provider that ran the edit (e.g. fal, "
	  "offline).", "\"fal\"" },
	{ 0 }
};

static const char *const tags[] = {
	"image-edit", "image-to-image", "synthforge", "nano-banana",
	"gpt-image-2", "flux-kontext", "photo-edit", NULL
};

const struct def_endpoint ep_image_edit = {
	.name = "image-edit",
	.path = "/v1/image-edit",
	.cluster = "synthforge",
	.method = "POST",
	.category = "image",
	.title = "image edit / instruction-based image edit / text-driven photo "
	    "edit / nano-banana image editor / gpt-image-2 edit",
	.summary = "Image edit / instruction-based image edit / text-driven "
	    "photo edit / nano-banana image editor / GPT-image-2 edit.",
	.description = "Image edit / instruction-based image edit / "
	    "text-driven photo edit / nano-banana image editor / GPT-image-2 "
	    "edit. Give an image URL and a plain-language instruction "
	    "('remove the people', 'make it winter'). Tiers: 'fast' "
	    "(flux-2-klein, default, $0.02), 'nano-banana' ($0.05), "
	    "'nano-banana-2' ($0.12), 'nano-banana-pro' ($0.20), 'gpt' "
	    "(gpt-image-2, $0.30), 'kontext' (flux-kontext-pro, $0.05), 'qwen' "
	    "(qwen-image-edit-plus, $0.04), 'seedream' (seedream-v5-lite, "
	    "$0.05). For mask-driven edits use image-inpaint. Returns a "
	    "permanent PNG URL.",
	.media = "image",
	.price = 20000,
	.price_note = "$0.02 with the default fast tier; flagship editors are "
	    "priced per model (listed in the description) because their "
	    "wholesale cost exceeds $0.02.",
	.params = params,
	.tier_param = "tier",
	.model_param = "model",
	.default_tier = "fast",
	.tiers = tiers,
	.models = models,
	.outputs = outputs,
	.tags = tags,
	.example = "{\"prompt\":\"replace the sky with a starry night\","
	    "\"image_url\":\"https://example.com/photo.jpg\"}",
	.deadline = 60,
};
