/*
 * api-v1-image-generate: the peer "Image API" text-to-image endpoint
 * (seed 003), served at its own path so code written against that API
 * works unchanged.  Models, ids, providers and prices are copied from its
 * table; where the page gives a range or no figure, the fixed price per
 * call (one image) is ours and documented in price_note.  Which model takes which
 * parameter follows the page's parameter table: sizes for Flux and fal,
 * ratios for Imagen and fal, count and image_size for Imagen, seed where
 * the upstream honours it (BFL and the seeded fal models; not Imagen on
 * the Gemini API, not Recraft).  Imagen is retired (refused before
 * payment; see IMAGEN_RETIRED); per-model size rules in sizes.h.
 */
#include "basics/def.h"
#include "rows.h"
#include "sizes.h"

#define IMAGEN_RETIRED	"Google shut Imagen down on 2026-08-17"
#define IMAGEN_NOTES	"Retired: Google shut Imagen down on 2026-08-17. " \
	"Requests naming it are refused before payment (400 model_retired); " \
	"use flux-2-pro, flux-2-klein or recraft-v4 instead."

static const char *const models_enum[] = {
	"imagen-4", "imagen-4-fast", "imagen-4-ultra", "flux-2-pro",
	"flux-2-klein", "flux-1.1-pro", "recraft-v4", "recraft-v3",
	"ideogram-v3", "sd-3.5", "qwen-image", NULL
};
static const char *const aspect_enum[] = {
	"1:1", "3:4", "4:3", "9:16", "16:9", NULL
};
static const char *const size_enum[] = { "1K", "2K", NULL };

/* "Flux/fal.ai" on the page. */
static const char *const size_models[] = {
	"flux-2-pro", "flux-2-klein", "flux-1.1-pro", "recraft-v4",
	"recraft-v3", "ideogram-v3", "sd-3.5", "qwen-image", NULL
};
/* "Google/fal.ai" on the page. */
static const char *const aspect_models[] = {
	"imagen-4", "imagen-4-fast", "imagen-4-ultra", "recraft-v4",
	"recraft-v3", "ideogram-v3", "sd-3.5", "qwen-image", NULL
};
static const char *const imagen_models[] = {
	"imagen-4", "imagen-4-fast", "imagen-4-ultra", NULL
};
static const char *const seed_models[] = {
	"flux-2-pro", "flux-2-klein", "flux-1.1-pro", "ideogram-v3", "sd-3.5",
	"qwen-image", NULL
};

static const struct def_param params[] = {
	{ .name = "prompt", .type = DEF_STRING, .required = 1, .max_len = 2000,
	  .desc = "Image description. Up to 2000 characters.",
	  .example = "\"a lighthouse on a cliff at dawn, watercolor\"" },
	{ .name = "model", .type = DEF_STRING, .enums = models_enum,
	  .def_str = "flux-2-pro",
	  .desc = "Model ID (default: flux-2-pro). One of: imagen-4, "
	  "imagen-4-fast, imagen-4-ultra, flux-2-pro, flux-2-klein, "
	  "flux-1.1-pro, recraft-v4, recraft-v3, ideogram-v3, sd-3.5, "
	  "qwen-image.", .example = "\"flux-2-pro\"" },
	{ .name = "width", .type = DEF_INTEGER, .has_range = 1, .min = 256,
	  .max = 2048, .models = size_models,
	  .desc = "Width in pixels (256-2048). Flux and fal.ai models only; "
	  "flux-1.1-pro takes multiples of 32 within 256-1440.",
	  .example = "1024" },
	{ .name = "height", .type = DEF_INTEGER, .has_range = 1, .min = 256,
	  .max = 2048, .models = size_models,
	  .desc = "Height in pixels (256-2048). Flux and fal.ai models only; "
	  "flux-1.1-pro takes multiples of 32 within 256-1440.",
	  .example = "768" },
	{ .name = "aspect_ratio", .type = DEF_STRING, .enums = aspect_enum,
	  .models = aspect_models,
	  .desc = "1:1, 3:4, 4:3, 9:16 or 16:9. Google Imagen and fal.ai "
	  "models only; width and height win when both are given.",
	  .example = "\"16:9\"" },
	{ .name = "num_images", .type = DEF_INTEGER, .has_range = 1, .min = 1,
	  .max = 4, .has_default = 1, .def_num = 1, .models = imagen_models,
	  .desc = "1-4 images (Google Imagen only, retired: refused with "
	  "400 model_retired before payment).",
	  .example = "2" },
	{ .name = "image_size", .type = DEF_STRING, .enums = size_enum,
	  .models = imagen_models,
	  .desc = "1K or 2K (Google Imagen only).", .example = "\"2K\"" },
	{ .name = "seed", .type = DEF_INTEGER, .has_range = 1, .min = 0,
	  .max = 2147483647, .models = seed_models,
	  .desc = "Reproducibility seed. Flux models, Ideogram V3, SD 3.5 and "
	  "Qwen Image; Imagen and Recraft take none.", .example = "42" },
	ROW_WEBHOOK_URL,
	{ 0 }
};

static const struct def_model models[] = {
	/*
	 * Google shut every Imagen model down on 2026-08-17 (providers.md
	 * §10).  The ids stay so callers get a clear answer: refused before
	 * payment, marked retired on the pages.  We do not substitute
	 * Gemini image models under Imagen's name.
	 */
	{ .id = "imagen-4", .label = "Imagen 4 (retired)", .provider = "google",
	  .upstream = "imagen-4.0-generate-001", .price = 40000,
	  .notes = IMAGEN_NOTES, .flags = DEF_MODEL_B64,
	  .retired = IMAGEN_RETIRED, .replacement = "flux-2-pro" },
	{ .id = "imagen-4-fast", .label = "Imagen 4 Fast (retired)",
	  .provider = "google", .upstream = "imagen-4.0-fast-generate-001",
	  .price = 20000, .notes = IMAGEN_NOTES, .flags = DEF_MODEL_B64,
	  .retired = IMAGEN_RETIRED, .replacement = "flux-2-pro" },
	{ .id = "imagen-4-ultra", .label = "Imagen 4 Ultra (retired)",
	  .provider = "google", .upstream = "imagen-4.0-ultra-generate-001",
	  .price = 60000, .notes = IMAGEN_NOTES, .flags = DEF_MODEL_B64,
	  .retired = IMAGEN_RETIRED, .replacement = "flux-2-pro" },
	/* Page: ~$0.03-0.05; BFL bills per megapixel, so the top. */
	{ .id = "flux-2-pro", .label = "Flux 2 Pro", .provider = "bfl",
	  .upstream = "flux-2-pro", .price = 50000,
	  .notes = "Best open image model." },
	/* Page: "cheaper"; klein 4B is BFL's budget FLUX.2. */
	{ .id = "flux-2-klein", .label = "Flux 2 Klein", .provider = "bfl",
	  .upstream = "flux-2-klein-4b", .price = 20000,
	  .notes = "Fast, budget." },
	{ .id = "flux-1.1-pro", .label = "Flux 1.1 Pro", .provider = "bfl",
	  .upstream = "flux-pro-1.1", .price = 40000,
	  .notes = "Previous gen, still strong. Width and height: multiples "
	  "of 32 within 256-1440.", .size = &size_flux11_pro },
	{ .id = "recraft-v4", .label = "Recraft V4", .provider = "fal",
	  .upstream = "fal-ai/recraft/v4/text-to-image", .price = 40000,
	  .notes = "Design-focused, vector SVG support." },
	{ .id = "recraft-v3", .label = "Recraft V3", .provider = "fal",
	  .upstream = "fal-ai/recraft/v3/text-to-image", .price = 40000,
	  .notes = "Previous gen." },
	/* Page: $0.03-0.09 by rendering speed; we run fal's BALANCED. */
	{ .id = "ideogram-v3", .label = "Ideogram V3", .provider = "fal",
	  .upstream = "fal-ai/ideogram/v3", .price = 60000,
	  .notes = "Best text-in-image rendering." },
	{ .id = "sd-3.5", .label = "Stable Diffusion 3.5", .provider = "fal",
	  .upstream = "fal-ai/stable-diffusion-v35-large", .price = 30000,
	  .notes = "Open-weights classic." },
	{ .id = "qwen-image", .label = "Qwen Image", .provider = "fal",
	  .upstream = "fal-ai/qwen-image", .price = 75000,
	  .notes = "Strong multilingual prompts." },
	{ 0 }
};

static const struct def_output outputs[] = {
	{ "url", "string", "Permanent URL of the (first) generated image. "
	  "Unlike the upstream's, it does not expire.",
	  "\"https://synthforge.example/media/3f/3f2a....png\"", "image_url" },
	{ "images", "array", "Permanent URLs of every generated image "
	  "(several with num_images on Imagen).",
	  "[\"https://synthforge.example/media/3f/3f2a....png\"]", NULL },
	{ "model", "string", "Model ID that produced the image.",
	  "\"flux-2-pro\"", NULL },
	{ "provider", "string", "Provider that ran the model (google, bfl, "
	  "fal; offline on a test server).", "\"bfl\"", "source" },
	{ "width", "integer", "Pixel width of the image.", "1024", NULL },
	{ "height", "integer", "Pixel height of the image.", "768", NULL },
	{ "seed", "integer", "Seed used (recraft-v4 and recraft-v3 report "
	  "none).", "42", NULL, seed_models },
	{ "request_id", "string", "Upstream request ID for support.",
	  "\"8b0c5e1a-...\"", NULL },
	{ "elapsed_ms", "integer", "Server-side time in milliseconds.",
	  "3120", NULL },
	{ 0 }
};

static const char *const tags[] = {
	"image-generation", "text-to-image", "imagen-4", "flux-2-pro",
	"recraft", "ideogram", "imageapi", "synthforge", NULL
};

const struct def_endpoint ep_api_v1_image_generate = {
	.name = "api-v1-image-generate",
	.path = "/api/v1/image/generate",
	.cluster = "imageapi",
	.method = "POST",
	.category = "image",
	.title = "image API generate / Flux 2 / Recraft / Ideogram / SD 3.5 "
	    "/ Qwen Image text-to-image (Imagen 4 retired)",
	.summary = "Generate images from text with Flux, Recraft, Ideogram "
	    "and more: 8 models across 2 providers (Imagen 4 retired).",
	.description = "Text-to-image through a single API: BFL Flux "
	    "(flux-2-pro $0.05, flux-2-klein $0.02, "
	    "flux-1.1-pro $0.04) and fal.ai (recraft-v4 $0.04, recraft-v3 "
	    "$0.04, ideogram-v3 $0.06, sd-3.5 $0.03, qwen-image $0.075). "
	    "Default model flux-2-pro. Every model answers with a permanent "
	    "URL, never an expiring upstream one. Google Imagen 4 (imagen-4, "
	    "imagen-4-fast, imagen-4-ultra) is retired: Google shut it down "
	    "on 2026-08-17, so those ids are refused before payment with 400 "
	    "model_retired. Compatible with the Image API's POST "
	    "/api/v1/image/generate.",
	.media = "image",
	.price = 50000,
	/* No price_per: num_images was Imagen's, and Imagen is retired. */
	.price_note = "Per call, by model (see the model table): every "
	    "model in service makes one image per call (num_images belonged "
	    "to the retired Imagen models and is refused before payment). "
	    "Fixed where the original page gives a range: flux-2-pro $0.05 (page ~$0.03-0.05), flux-2-klein $0.02 "
	    "(page: cheaper), ideogram-v3 $0.06 (page $0.03-0.09; balanced "
	    "rendering), sd-3.5 $0.03 (page ~$0.03).",
	.params = params,
	.model_param = "model",
	.default_model = "flux-2-pro",
	.models = models,
	.outputs = outputs,
	.tags = tags,
	.example = "{\"prompt\":\"a lighthouse on a cliff at dawn, "
	    "watercolor\",\"model\":\"flux-2-pro\",\"width\":1024,"
	    "\"height\":768}",
	.deadline = 120,
};
