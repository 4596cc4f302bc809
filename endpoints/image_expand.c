/*
 * image-expand: outpaint an image beyond its borders, either by pixels per
 * side (expand_*) or to a target aspect ratio.
 */
#include "basics/def.h"
#include "rows.h"

static const char *const models_enum[] = {
	"flux-2-pro-outpaint", "bria-expand", NULL
};
static const char *const mode_enum[] = {
	"high", "fast", NULL
};
static const char *const flux_only[] = {
	"flux-2-pro-outpaint", NULL
};
static const char *const bria_only[] = {
	"bria-expand", NULL
};
static const char *const aspect_enum[] = {
	"1:1", "2:3", "3:2", "3:4", "4:3", "4:5", "5:4", "9:16", "16:9", NULL
};

static const struct def_param params[] = {
	{ ROW_URL("image_url", 1),
	  .desc = "Public http(s) URL of the image to expand (PNG, JPEG, WebP "
	  "or GIF, up to 20 MiB).",
	  .example = "\"https://example.com/beach.jpg\"" },
	/* flux-2-pro/outpaint's input type has no prompt. */
	{ .name = "prompt", .type = DEF_STRING, .max_len = 2000,
	  .models = bria_only,
	  .desc = "Optional description of what the new areas should show. Up "
	  "to 2000 chars, in English (Bria's limit); bria-expand only: "
	  "flux-2-pro-outpaint takes no prompt.",
	  .example = "\"more of the beach and palm trees\"" },
	{ .name = "expand_left", .type = DEF_INTEGER, .has_range = 1,
	  .min = 0, .max = 2048, .has_default = 1, .def_num = 0,
	  .desc = "Pixels to add on the left. Range [0, 2048]. Default 0.",
	  .example = "256" },
	{ .name = "expand_right", .type = DEF_INTEGER, .has_range = 1,
	  .min = 0, .max = 2048, .has_default = 1, .def_num = 0,
	  .desc = "Pixels to add on the right. Range [0, 2048]. Default 0.",
	  .example = "256" },
	{ .name = "expand_top", .type = DEF_INTEGER, .has_range = 1,
	  .min = 0, .max = 2048, .has_default = 1, .def_num = 0,
	  .desc = "Pixels to add at the top. Range [0, 2048]. Default 0.",
	  .example = "0" },
	{ .name = "expand_bottom", .type = DEF_INTEGER, .has_range = 1,
	  .min = 0, .max = 2048, .has_default = 1, .def_num = 0,
	  .desc = "Pixels to add at the bottom. Range [0, 2048]. Default 0.",
	  .example = "0" },
	{ .name = "aspect_ratio", .type = DEF_STRING, .enums = aspect_enum,
	  .models = bria_only,
	  .desc = "Expand the canvas to this aspect ratio instead of by "
	  "pixels. bria-expand only.", .example = "\"16:9\"" },
	{ .name = "model", .type = DEF_STRING, .enums = models_enum,
	  .def_str = "flux-2-pro-outpaint",
	  .desc = "Outpainting model: flux-2-pro-outpaint (default) or "
	  "bria-expand.", .example = "\"flux-2-pro-outpaint\"" },
	{ .name = "mode", .type = DEF_STRING, .enums = mode_enum,
	  .models = flux_only,
	  .desc = "Quality/speed trade-off: high (upstream default) or fast. "
	  "flux-2-pro-outpaint only.", .example = "\"high\"" },
	{ .name = "seed", .type = DEF_INTEGER, .has_range = 1, .min = 0,
	  .max = 999999999, .models = bria_only,
	  .desc = "Random seed. Optional; bria-expand only.", .example = "42" },
	{ .name = "negative_prompt", .type = DEF_STRING, .max_len = 500,
	  .models = bria_only,
	  .desc = "What to avoid in the new areas. Optional; bria-expand only.",
	  .example = "\"people\"" },
	ROW_WEBHOOK_URL,
	{ 0 }
};

static const struct def_model models[] = {
	{ .id = "flux-2-pro-outpaint", .label = "FLUX.2 [pro] outpaint",
	  .provider = "fal", .upstream = "fal-ai/flux-2-pro/outpaint" },
	{ .id = "bria-expand", .label = "Bria Expand", .provider = "fal",
	  .upstream = "fal-ai/bria/expand",
	  .notes = "Takes canvas size and position; prompt in English." },
	{ 0 }
};

static const struct def_output outputs[] = {
	{ "image_url", "string", "Permanent PNG URL of the expanded image.",
	  "\"https://synthforge.example/media/e4/e4b2....png\"" },
	{ "model", "string", "Model that outpainted the image.",
	  "\"flux-2-pro-outpaint\"" },
	{ "width", "number", "Pixel width of the expanded image.", "1536" },
	{ "height", "number", "Pixel height of the expanded image.", "1024" },
	{ "prompt", "string", "Prompt used for the new areas, when one was "
	  "given (bria-expand).",
	  "\"more of the beach and palm trees\"", NULL, bria_only, "prompt" },
	{ "seed", "number", "Seed used (bria-expand reports one).", "42",
	  NULL, bria_only },
	{ "elapsed_ms", "number", "Server-side time in milliseconds, input "
	  "fetch included.", "7420" },
	ROW_OUT_REQUEST_ID,
	{ "source", "string", "Provider that ran the model (e.g. fal, "
	  "offline).", "\"fal\"" },
	{ 0 }
};

static const char *const tags[] = {
	"image-expand", "outpainting", "uncrop", "image-extension",
	"synthforge", "flux-2-pro", "bria", NULL
};

const struct def_endpoint ep_image_expand = {
	.name = "image-expand",
	.path = "/v1/image-expand",
	.cluster = "synthforge",
	.method = "POST",
	.category = "image",
	.title = "ai image outpainting / image expansion",
	.summary = "AI image outpainting / image expansion.",
	.description = "AI image outpainting / image expansion. Extend a "
	    "picture beyond its borders: give pixels per side (expand_left, "
	    "expand_right, expand_top, expand_bottom; at least one above 0) "
	    "or, with bria-expand, a target aspect_ratio. An optional prompt "
	    "steers what appears in the new areas. Models: "
	    "'flux-2-pro-outpaint' (default), 'bria-expand'. Returns a "
	    "permanent PNG URL.",
	.media = "image",
	.price = 150000,
	.params = params,
	.model_param = "model",
	.default_model = "flux-2-pro-outpaint",
	.models = models,
	.outputs = outputs,
	.tags = tags,
	.example = "{\"image_url\":\"https://example.com/beach.jpg\","
	    "\"expand_left\":256,\"expand_right\":256}",
	.deadline = 60,
};
