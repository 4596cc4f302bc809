/*
 * text-to-video: a clip from a prompt, generic inputs over several models.
 */
#include "basics/def.h"
#include "rows.h"

static const char *const models_enum[] = {
	"seedance-2.0-fast", "seedance-2.0-mini", "seedance-1.5-pro", NULL
};
static const char *const aspect_enum[] = {
	"16:9", "9:16", "1:1", "4:3", "3:4", "21:9", NULL
};

static const struct def_param params[] = {
	{ .name = "prompt", .type = DEF_STRING, .required = 1, .max_len = 2000,
	  .desc = "What happens in the clip. Up to 2000 chars.",
	  .example = "\"a red fox trotting through fresh snow at golden hour\"" },
	{ .name = "duration", ROW_VIDEO_DURATION_RANGE, .has_default = 1, .def_num = 5,
	  .desc = "Clip length in seconds. Range [4, 10]. Default 5.",
	  .example = "5" },
	ROW_VIDEO_RESOLUTION,
	{ .name = "aspect_ratio", .type = DEF_STRING, .enums = aspect_enum,
	  .def_str = "16:9",
	  .desc = "Aspect ratio: 16:9 (default), 9:16, 1:1, 4:3, 3:4, 21:9.",
	  .example = "\"9:16\"" },
	{ .name = "audio", .type = DEF_BOOLEAN, .has_default = 1,
	  .def_bool = 1, .desc = "Generate synchronized audio. Default true.",
	  .example = "false" },
	{ .name = "model", .type = DEF_STRING, .enums = models_enum,
	  .def_str = "seedance-2.0-fast",
	  .desc = "Video model: seedance-2.0-fast (default), seedance-2.0-mini, "
	  "seedance-1.5-pro.", .example = "\"seedance-2.0-fast\"" },
	ROW_WEBHOOK_URL,
	{ 0 }
};

static const struct def_model models[] = {
	{ .id = "seedance-2.0-fast", .label = "Seedance 2.0 Fast",
	  .provider = "fal",
	  .upstream = "bytedance/seedance-2.0/fast/text-to-video" },
	{ .id = "seedance-2.0-mini", .label = "Seedance 2.0 Mini",
	  .provider = "fal",
	  .upstream = "bytedance/seedance-2.0/mini/text-to-video" },
	{ .id = "seedance-1.5-pro", .label = "Seedance 1.5 Pro",
	  .provider = "fal",
	  .upstream = "fal-ai/bytedance/seedance/v1.5/pro/text-to-video" },
	{ 0 }
};

static const struct def_output outputs[] = {
	ROW_OUT_VIDEO_URL("\"https://synthforge.example/media/8e/8e55....mp4\""),
	{ "model", "string", "Video model that ran.",
	  "\"seedance-2.0-fast\"" },
	{ "duration", "number", "Clip length in seconds.", "5" },
	ROW_OUT_VIDEO_FRAME,
	{ "seed", "number", "Seed reported by the model.", "55120" },
	{ "prompt", "string", "Prompt that was sent to the model.",
	  "\"a red fox trotting through fresh snow at golden hour\"" },
	ROW_OUT_ELAPSED("69800"),
	ROW_OUT_REQUEST_ID,
	{ "source", "string", "Provider that ran the model (e.g. fal).",
	  "\"fal\"" },
	{ 0 }
};

static const char *const tags[] = {
	"text-to-video", "ai-video", "video-generation", "seedance",
	"generative-video", "synthforge", "cinematic", NULL
};

const struct def_endpoint ep_text_to_video = {
	.name = "text-to-video",
	.path = "/v1/text-to-video",
	.cluster = "synthforge",
	.method = "POST",
	.category = "video",
	.title = "text-to-video / ai video / seedance / generative video / "
	    "cinematic clip from prompt",
	.summary = "Text-to-video / AI video / Seedance / generative video / "
	    "cinematic clip from prompt.",
	.description = "Text-to-video / AI video / Seedance / generative "
	    "video / cinematic clip from prompt. Describe a scene and get a "
	    "4-10 s MP4 at 480p or 720p, with sound by default. Models: "
	    "'seedance-2.0-fast' (default), 'seedance-2.0-mini', "
	    "'seedance-1.5-pro'. For Seedance-specific controls use "
	    "seedance-video; to animate a picture use image-to-video. "
	    "Returns a permanent MP4 URL.",
	.media = "video",
	.price = 200000,
	.price_note = "$0.20 per clip up to 10 s at 720p.",
	.params = params,
	.model_param = "model",
	.default_model = "seedance-2.0-fast",
	.models = models,
	.outputs = outputs,
	.tags = tags,
	.example = "{\"prompt\":\"a red fox trotting through fresh snow at "
	    "golden hour\",\"duration\":5,\"aspect_ratio\":\"16:9\"}",
	.deadline = 300,
	.async = DEF_ASYNC_DEFAULT,
};
