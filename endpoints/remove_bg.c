/*
 * remove-bg: cut the subject out of an image, transparent background.
 */
#include "basics/def.h"
#include "rows.h"

static const char *const models_enum[] = {
	"birefnet-v2", "bria-rmbg", "pixelcut", NULL
};
static const char *const format_enum[] = {
	"png", "webp", NULL
};
static const char *const png_only[] = { "png", NULL };
static const char *const birefnet_only[] = {
	"birefnet-v2", NULL
};
static const char *const res_enum[] = {
	"1024x1024", "2048x2048", NULL
};

static const struct def_param params[] = {
	{ ROW_URL("image_url", 1),
	  .desc = "Public http(s) URL of the image (PNG, JPEG, WebP or GIF, up "
	  "to 20 MiB).", .example = "\"https://example.com/product.jpg\"" },
	{ .name = "model", .type = DEF_STRING, .enums = models_enum,
	  .def_str = "birefnet-v2",
	  .desc = "Segmentation model: birefnet-v2 (default, general use), "
	  "bria-rmbg (Bria RMBG 2.0), pixelcut.", .example = "\"bria-rmbg\"" },
	{ .name = "format", .type = DEF_STRING, .enums = format_enum,
	  .def_str = "png",
	  .desc = "Output format with alpha channel: png (default) or webp.",
	  .example = "\"png\"" },
	{ .name = "output_mask", .type = DEF_BOOLEAN, .models = birefnet_only,
	  .desc = "Also return the black-and-white mask as mask_url. Optional; "
	  "birefnet-v2 only.", .example = "true" },
	{ .name = "operating_resolution", .type = DEF_STRING,
	  .enums = res_enum, .models = birefnet_only,
	  .desc = "Resolution the model works at; 2048x2048 is sharper on "
	  "large images. Optional (1024x1024); birefnet-v2 only.",
	  .example = "\"2048x2048\"" },
	ROW_WEBHOOK_URL,
	{ 0 }
};

static const struct def_model models[] = {
	{ .id = "birefnet-v2", .label = "BiRefNet v2", .provider = "fal",
	  .upstream = "fal-ai/birefnet/v2" },
	/* Neither takes an output format: a PNG with alpha comes back. */
	{ .id = "bria-rmbg", .label = "Bria RMBG 2.0", .provider = "fal",
	  .upstream = "fal-ai/bria/background/remove", .formats = png_only,
	  .limit_why = "fal's Bria endpoint takes no output format" },
	{ .id = "pixelcut", .label = "Pixelcut background removal",
	  .provider = "fal", .upstream = "pixelcut/background-removal",
	  .formats = png_only,
	  .limit_why = "fal's Pixelcut endpoint returns a PNG" },
	{ 0 }
};

static const struct def_output outputs[] = {
	{ "image_url", "string", "Permanent URL of the cut-out image with a "
	  "transparent background.",
	  "\"https://synthforge.example/media/0b/0b93....png\"" },
	{ "mask_url", "string", "Permanent URL of the mask, when output_mask "
	  "was true (birefnet-v2).",
	  "\"https://synthforge.example/media/77/77e1....png\"", NULL,
	  birefnet_only, "output_mask" },
	{ "model", "string", "Model that segmented the image.",
	  "\"birefnet-v2\"" },
	{ "width", "number", "Pixel width of the result (same as the input).",
	  "1200" },
	{ "height", "number", "Pixel height of the result.", "800" },
	{ "format", "string", "Image format of image_url: png or webp.",
	  "\"png\"" },
	{ "elapsed_ms", "number", "Server-side time in milliseconds, input "
	  "fetch included.", "1830" },
	ROW_OUT_REQUEST_ID,
	{ "source", "string", "Provider that ran the model (e.g. fal, "
	  "offline).", "\"fal\"" },
	{ 0 }
};

static const char *const tags[] = {
	"remove-background", "background-remover", "cutout", "transparent-png",
	"synthforge", "birefnet", "bria", NULL
};

const struct def_endpoint ep_remove_bg = {
	.name = "remove-bg",
	.path = "/v1/remove-bg",
	.cluster = "synthforge",
	.method = "POST",
	.category = "image",
	.title = "ai background remover / background eraser / cutout tool",
	.summary = "AI background remover / background eraser / cutout tool.",
	.description = "AI background remover / background eraser / cutout "
	    "tool. Send an image URL, get the subject on a transparent "
	    "background (PNG or WebP with alpha) at the input's size, and "
	    "optionally the mask. Models: 'birefnet-v2' (default), "
	    "'bria-rmbg', 'pixelcut'. Returns a permanent URL.",
	.media = "image",
	.price = 80000,
	.params = params,
	.model_param = "model",
	.default_model = "birefnet-v2",
	.models = models,
	.outputs = outputs,
	.tags = tags,
	.example = "{\"image_url\":\"https://example.com/product.jpg\","
	    "\"format\":\"png\"}",
	.deadline = 60,
};
