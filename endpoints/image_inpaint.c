/*
 * image-inpaint: repaint the masked region of an image from a prompt.
 * $0.02 is the budget default (Z-Image Turbo inpaint); the heavier fill
 * models carry their own per-model price.
 */
#include "basics/def.h"
#include "rows.h"
#include "sizes.h"

static const char *const tiers_enum[] = {
	"fast", "fill", "qwen", "kontext", "gpt", NULL
};
static const char *const models_enum[] = {
	"z-image-turbo-inpaint", "flux-pro-fill", "qwen-image-edit-inpaint",
	"flux-kontext-inpaint", "gpt-image-2", NULL
};
static const char *const seed_models[] = {
	"z-image-turbo-inpaint", "flux-pro-fill", "qwen-image-edit-inpaint",
	"flux-kontext-inpaint", NULL
};
static const char *const strength_models[] = {
	"z-image-turbo-inpaint", "flux-kontext-inpaint", NULL
};
static const char *const neg_models[] = {
	"qwen-image-edit-inpaint", NULL
};

/* Models whose answer carries the seed they used (fal's output types). */
static const char *const seed_out[] = {
	"z-image-turbo-inpaint", "flux-pro-fill", "qwen-image-edit-inpaint",
	"flux-kontext-inpaint", NULL
};

static const struct def_param params[] = {
	{ .name = "prompt", .type = DEF_STRING, .required = 1, .max_len = 2000,
	  .desc = "What to paint inside the mask. Up to 2000 chars.",
	  .example = "\"a red vintage bicycle leaning on the wall\"" },
	{ ROW_URL("image_url", 1),
	  .desc = "Public http(s) URL of the source image (PNG, JPEG, WebP or "
	  "GIF, up to 20 MiB).", .example = "\"https://example.com/street.jpg\"" },
	{ ROW_URL("mask_url", 1),
	  .desc = "Public http(s) URL of the mask, same dimensions as the "
	  "image: white = repaint, black = keep.",
	  .example = "\"https://example.com/street-mask.png\"" },
	{ .name = "tier", .type = DEF_STRING, .enums = tiers_enum,
	  .def_str = "fast",
	  .desc = "Model shorthand. fast=z-image-turbo-inpaint (default), "
	  "fill=flux-pro-fill, qwen=qwen-image-edit-inpaint, "
	  "kontext=flux-kontext-inpaint, gpt=gpt-image-2.",
	  .example = "\"fill\"" },
	{ .name = "model", .type = DEF_STRING, .enums = models_enum,
	  .desc = "Override the model. Allowed: z-image-turbo-inpaint, "
	  "flux-pro-fill, qwen-image-edit-inpaint, flux-kontext-inpaint, "
	  "gpt-image-2.", .example = "\"flux-pro-fill\"" },
	{ .name = "strength", .type = DEF_NUMBER, .has_range = 1, .min = 0.01,
	  .max = 1, .models = strength_models,
	  .desc = "How much the masked area may change (1 = fully repaint). "
	  "Optional; z-image-turbo-inpaint and flux-kontext-inpaint only.",
	  .example = "0.9" },
	{ .name = "seed", .type = DEF_INTEGER, .has_range = 1, .min = 0,
	  .max = 999999999, .models = seed_models,
	  .desc = "Random seed. Optional; not on gpt-image-2.",
	  .example = "42" },
	{ .name = "negative_prompt", .type = DEF_STRING, .max_len = 500,
	  .models = neg_models,
	  .desc = "What to avoid. Optional; qwen-image-edit-inpaint only.",
	  .example = "\"blurry\"" },
	ROW_WEBHOOK_URL,
	{ 0 }
};

static const struct def_tier tiers[] = {
	{ "fast", "z-image-turbo-inpaint" },
	{ "fill", "flux-pro-fill" },
	{ "qwen", "qwen-image-edit-inpaint" },
	{ "kontext", "flux-kontext-inpaint" },
	{ "gpt", "gpt-image-2" },
	{ 0 }
};

static const struct def_model models[] = {
	{ .id = "z-image-turbo-inpaint", .label = "Z-Image Turbo inpaint",
	  .provider = "fal", .upstream = "fal-ai/z-image/turbo/inpaint" },
	{ .id = "flux-pro-fill", .label = "FLUX.1 Fill [pro]",
	  .provider = "fal", .upstream = "fal-ai/flux-pro/v1/fill",
	  .price = 60000, .notes = "Mask must match the image dimensions." },
	{ .id = "qwen-image-edit-inpaint", .label = "Qwen Image Edit inpaint",
	  .provider = "fal", .upstream = "fal-ai/qwen-image-edit/inpaint",
	  .price = 40000 },
	{ .id = "flux-kontext-inpaint", .label = "FLUX.1 Kontext inpaint",
	  .provider = "fal", .upstream = "fal-ai/flux-kontext-lora/inpaint",
	  .price = 40000 },
	{ .id = "gpt-image-2", .label = "OpenAI GPT Image 2 (mask edit)",
	  .provider = "fal", .upstream = "openai/gpt-image-2/edit",
	  .price = 300000, .notes = "Mask sent as mask_url; no seed.",
	  .size = &size_gpt_image_2 },
	{ 0 }
};

static const struct def_output outputs[] = {
	{ "image_url", "string", "Permanent PNG URL of the inpainted image.",
	  "\"https://synthforge.example/media/a1/a1c7....png\"" },
	{ "model", "string", "Model that filled the mask.",
	  "\"z-image-turbo-inpaint\"" },
	{ "tier", "string", "Tier used for this call.", "\"fast\"", NULL,
	  NULL, "tier" },
	{ "width", "number", "Pixel width of the result.", "1024" },
	{ "height", "number", "Pixel height of the result.", "768" },
	{ "prompt", "string", "Prompt that was sent to the model.",
	  "\"a red vintage bicycle leaning on the wall\"" },
	{ "seed", "number", "Seed used (every model but gpt-image-2 reports "
	  "one).", "42", NULL, seed_out },
	{ "elapsed_ms", "number", "Server-side time in milliseconds, input "
	  "fetches included.", "3890" },
	ROW_OUT_REQUEST_ID,
	{ "source", "string", "Provider that ran the inpaint (e.g. fal, "
	  "offline).", "\"fal\"" },
	{ 0 }
};

static const char *const tags[] = {
	"image-inpaint", "inpainting", "generative-fill", "mask-edit",
	"object-replacement", "synthforge", "flux-fill", NULL
};

const struct def_endpoint ep_image_inpaint = {
	.name = "image-inpaint",
	.path = "/v1/image-inpaint",
	.cluster = "synthforge",
	.method = "POST",
	.category = "image",
	.title = "image inpainting / mask-based image edit / fill in masked "
	    "region / object replacement / face swap (mask-driven) / "
	    "generative fill",
	.summary = "Image inpainting / mask-based image edit / fill in masked "
	    "region / object replacement / face swap (mask-driven) / "
	    "generative fill.",
	.description = "Image inpainting / mask-based image edit / fill in "
	    "masked region / object replacement / face swap (mask-driven) / "
	    "generative fill. Send an image, a same-size mask (white = "
	    "repaint) and a prompt for the masked area. Tiers: 'fast' "
	    "(z-image-turbo-inpaint, default, $0.02), 'fill' (flux-pro-fill, "
	    "$0.06), 'qwen' (qwen-image-edit-inpaint, $0.04), 'kontext' "
	    "(flux-kontext-inpaint, $0.04), 'gpt' (gpt-image-2 with mask, "
	    "$0.30). For instruction-only edits use image-edit. Returns a "
	    "permanent PNG URL.",
	.media = "image",
	.price = 20000,
	.price_note = "$0.02 with the default fast tier; heavier fill models "
	    "are priced per model (listed in the description).",
	.params = params,
	.tier_param = "tier",
	.model_param = "model",
	.default_tier = "fast",
	.tiers = tiers,
	.models = models,
	.outputs = outputs,
	.tags = tags,
	.example = "{\"prompt\":\"a red vintage bicycle leaning on the wall\","
	    "\"image_url\":\"https://example.com/street.jpg\","
	    "\"mask_url\":\"https://example.com/street-mask.png\"}",
	.deadline = 60,
};
