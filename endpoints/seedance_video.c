/*
 * seedance-video: Seedance 2.0 text-to-video with Seedance's own controls
 * (auto duration, bitrate, 21:9).  text-to-video is the generic sibling.
 */
#include "basics/def.h"
#include "rows.h"

static const char *const tiers_enum[] = {
	"fast", "mini", "standard", NULL
};
static const char *const models_enum[] = {
	"seedance-2.0-fast", "seedance-2.0-mini", "seedance-2.0", NULL
};
static const char *const aspect_enum[] = {
	"auto", "21:9", "16:9", "4:3", "1:1", "3:4", "9:16", NULL
};
static const char *const bitrate_enum[] = {
	"standard", "high", NULL
};

static const char *const bitrate_models[] = {
	"seedance-2.0-fast", "seedance-2.0", NULL
};

static const struct def_param params[] = {
	{ .name = "prompt", .type = DEF_STRING, .required = 1, .max_len = 2000,
	  .desc = "Scene, action, camera and style. Up to 2000 chars.",
	  .example = "\"a paper boat sailing down a rainy neon street, "
	  "cinematic, shallow depth of field\"" },
	{ .name = "duration", ROW_VIDEO_DURATION_RANGE,
	  .desc = "Clip length in seconds. Range [4, 10]. Optional; when "
	  "omitted Seedance picks the length from the prompt.",
	  .example = "8" },
	ROW_VIDEO_RESOLUTION,
	{ .name = "aspect_ratio", .type = DEF_STRING, .enums = aspect_enum,
	  .def_str = "16:9",
	  .desc = "Aspect ratio: 16:9 (default), 21:9, 4:3, 1:1, 3:4, 9:16, or "
	  "auto.", .example = "\"21:9\"" },
	{ .name = "audio", .type = DEF_BOOLEAN, .has_default = 1,
	  .def_bool = 1,
	  .desc = "Generate synchronized audio (effects, ambience, lip-synced "
	  "speech). Default true.", .example = "true" },
	/* seedance-2.0/mini's input type has no bitrate_mode. */
	{ .name = "bitrate", .type = DEF_STRING, .enums = bitrate_enum,
	  .def_str = "standard", .models = bitrate_models,
	  .desc = "Encode quality: standard (default) or high (larger file). "
	  "Not on seedance-2.0-mini.",
	  .example = "\"high\"" },
	{ .name = "tier", .type = DEF_STRING, .enums = tiers_enum,
	  .def_str = "fast",
	  .desc = "Model shorthand. fast=seedance-2.0-fast (default), "
	  "mini=seedance-2.0-mini, standard=seedance-2.0 ($0.40).",
	  .example = "\"fast\"" },
	{ .name = "model", .type = DEF_STRING, .enums = models_enum,
	  .desc = "Override the model. Allowed: seedance-2.0-fast, "
	  "seedance-2.0-mini, seedance-2.0.", .example = "\"seedance-2.0\"" },
	ROW_WEBHOOK_URL,
	{ 0 }
};

static const struct def_tier tiers[] = {
	{ "fast", "seedance-2.0-fast" },
	{ "mini", "seedance-2.0-mini" },
	{ "standard", "seedance-2.0" },
	{ 0 }
};

static const struct def_model models[] = {
	{ .id = "seedance-2.0-fast", .label = "Seedance 2.0 Fast",
	  .provider = "fal",
	  .upstream = "bytedance/seedance-2.0/fast/text-to-video",
	  .notes = "Venice: seedance-2-0-* via /video/queue." },
	{ .id = "seedance-2.0-mini", .label = "Seedance 2.0 Mini",
	  .provider = "fal",
	  .upstream = "bytedance/seedance-2.0/mini/text-to-video" },
	{ .id = "seedance-2.0", .label = "Seedance 2.0", .provider = "fal",
	  .upstream = "bytedance/seedance-2.0/text-to-video",
	  .price = 400000 },
	{ 0 }
};

static const struct def_output outputs[] = {
	ROW_OUT_VIDEO_URL("\"https://synthforge.example/media/2a/2a7d....mp4\""),
	{ "model", "string", "Seedance model that ran.",
	  "\"seedance-2.0-fast\"" },
	{ "tier", "string", "Tier used for this call.", "\"fast\"", NULL,
	  NULL, "tier" },
	{ "duration", "number", "Clip length in seconds.", "8" },
	ROW_OUT_VIDEO_FRAME,
	{ "seed", "number", "Seed reported by the model.", "91873" },
	{ "prompt", "string", "Prompt that was sent to the model.",
	  "\"a paper boat sailing down a rainy neon street, cinematic, "
	  "shallow depth of field\"" },
	ROW_OUT_ELAPSED("81200"),
	ROW_OUT_REQUEST_ID,
	{ "source", "string", "Provider that ran the model (e.g. fal, "
	  "venice).", "\"fal\"" },
	{ 0 }
};

static const char *const tags[] = {
	"seedance", "seedance-2", "text-to-video", "video-generation",
	"cinematic", "synthforge", "ai-video", NULL
};

const struct def_endpoint ep_seedance_video = {
	.name = "seedance-video",
	.path = "/v1/seedance-video",
	.cluster = "synthforge",
	.method = "POST",
	.category = "video",
	.title = "seedance 2.0 / seedance 2.0 video generation / seedance "
	    "video ai / generative ai video / text-to-video ai / cinematic ai "
	    "clips on ai gateway",
	.summary = "Seedance 2.0 / Seedance 2.0 video generation / Seedance "
	    "video AI / generative AI video / text-to-video AI / cinematic AI "
	    "clips on AI Gateway.",
	.description = "Seedance 2.0 / Seedance 2.0 video generation / "
	    "Seedance video AI / generative AI video / text-to-video AI / "
	    "cinematic AI clips on AI Gateway. ByteDance Seedance 2.0 with "
	    "its own controls: automatic or fixed 4-10 s length, 480p or "
	    "720p, 21:9 to 9:16, synchronized audio, high-bitrate encode. "
	    "Tiers: 'fast' (seedance-2.0-fast, default), 'mini' "
	    "(seedance-2.0-mini), 'standard' (seedance-2.0, $0.40). Returns a "
	    "permanent MP4 URL.",
	.media = "video",
	.price = 200000,
	.price_note = "$0.20 per clip up to 10 s at 720p; the standard tier "
	    "is $0.40.",
	.params = params,
	.tier_param = "tier",
	.model_param = "model",
	.default_tier = "fast",
	.tiers = tiers,
	.models = models,
	.outputs = outputs,
	.tags = tags,
	.example = "{\"prompt\":\"a paper boat sailing down a rainy neon "
	    "street, cinematic, shallow depth of field\",\"duration\":8,"
	    "\"aspect_ratio\":\"21:9\"}",
	.deadline = 300,
	.async = DEF_ASYNC_DEFAULT,
};
