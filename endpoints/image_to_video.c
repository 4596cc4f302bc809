/*
 * image-to-video: animate a still image with Seedance.  The flat $0.20
 * holds for 480p/720p up to 10 s on the fast model; the standard model is
 * priced per model.
 */
#include "basics/def.h"
#include "rows.h"

static const char *const models_enum[] = {
	"seedance-2.0-fast", "seedance-2.0", "seedance-1.5-pro", NULL
};
static const char *const aspect_enum[] = {
	"auto", "21:9", "16:9", "4:3", "1:1", "3:4", "9:16", NULL
};
static const char *const end_models[] = {
	"seedance-2.0-fast", "seedance-2.0", NULL
};

static const struct def_param params[] = {
	{ ROW_URL("image_url", 1),
	  .desc = "Public http(s) URL of the start frame (PNG, JPEG or WebP, "
	  "up to 20 MiB).", .example = "\"https://example.com/harbor.jpg\"" },
	{ .name = "prompt", .type = DEF_STRING, .required = 1, .max_len = 2000,
	  .desc = "Motion and camera direction. Up to 2000 chars.",
	  .example = "\"slow dolly-in, boats rocking gently, gulls flying\"" },
	{ ROW_URL("end_image_url", 0),
	  .models = end_models,
	  .desc = "Optional last frame to transition to. Seedance 2.0 models "
	  "only.", .example = "\"https://example.com/harbor-night.jpg\"" },
	{ .name = "duration", ROW_VIDEO_DURATION_RANGE, .has_default = 1, .def_num = 5,
	  .desc = "Clip length in seconds. Range [4, 10]. Default 5.",
	  .example = "5" },
	ROW_VIDEO_RESOLUTION,
	{ .name = "aspect_ratio", .type = DEF_STRING, .enums = aspect_enum,
	  .def_str = "auto",
	  .desc = "Aspect ratio; auto (default) follows the input image.",
	  .example = "\"16:9\"" },
	{ .name = "audio", .type = DEF_BOOLEAN, .has_default = 1,
	  .def_bool = 1,
	  .desc = "Generate synchronized sound (ambience, effects). Default "
	  "true.", .example = "false" },
	{ .name = "model", .type = DEF_STRING, .enums = models_enum,
	  .def_str = "seedance-2.0-fast",
	  .desc = "Video model: seedance-2.0-fast (default), seedance-2.0 "
	  "($0.40), seedance-1.5-pro.", .example = "\"seedance-2.0-fast\"" },
	ROW_WEBHOOK_URL,
	{ 0 }
};

static const struct def_model models[] = {
	{ .id = "seedance-2.0-fast", .label = "Seedance 2.0 Fast",
	  .provider = "fal",
	  .upstream = "bytedance/seedance-2.0/fast/image-to-video" },
	{ .id = "seedance-2.0", .label = "Seedance 2.0", .provider = "fal",
	  .upstream = "bytedance/seedance-2.0/image-to-video",
	  .price = 400000 },
	{ .id = "seedance-1.5-pro", .label = "Seedance 1.5 Pro",
	  .provider = "fal",
	  .upstream = "fal-ai/bytedance/seedance/v1.5/pro/image-to-video" },
	{ 0 }
};

static const struct def_output outputs[] = {
	ROW_OUT_VIDEO_URL("\"https://synthforge.example/media/6f/6f10....mp4\""),
	{ "model", "string", "Video model that ran.",
	  "\"seedance-2.0-fast\"" },
	{ "duration", "number", "Clip length in seconds.", "5" },
	ROW_OUT_VIDEO_FRAME,
	{ "seed", "number", "Seed reported by the model.", "187423" },
	{ "prompt", "string", "Prompt that was sent to the model.",
	  "\"slow dolly-in, boats rocking gently, gulls flying\"" },
	ROW_OUT_ELAPSED("74300"),
	ROW_OUT_REQUEST_ID,
	{ "source", "string", "Provider that ran the model (e.g. fal).",
	  "\"fal\"" },
	{ 0 }
};

static const char *const tags[] = {
	"image-to-video", "animate-image", "seedance", "video-generation",
	"motion-from-photo", "synthforge", "ai-video", NULL
};

const struct def_endpoint ep_image_to_video = {
	.name = "image-to-video",
	.path = "/v1/image-to-video",
	.cluster = "synthforge",
	.method = "POST",
	.category = "video",
	.title = "image-to-video / animate still image / seedance "
	    "image-to-video / motion-from-photo / camera-movement on photo",
	.summary = "Image-to-video / animate still image / Seedance "
	    "image-to-video / motion-from-photo / camera-movement on photo.",
	.description = "Image-to-video / animate still image / Seedance "
	    "image-to-video / motion-from-photo / camera-movement on photo. "
	    "Send a start frame and a motion prompt; get a 4-10 s clip at "
	    "480p or 720p, with sound by default, optionally ending on a "
	    "given last frame. Models: 'seedance-2.0-fast' (default), "
	    "'seedance-2.0' ($0.40), 'seedance-1.5-pro'. Returns a permanent "
	    "MP4 URL.",
	.media = "video",
	.price = 200000,
	.price_note = "$0.20 per clip up to 10 s at 720p; seedance-2.0 is "
	    "$0.40.",
	.params = params,
	.model_param = "model",
	.default_model = "seedance-2.0-fast",
	.models = models,
	.outputs = outputs,
	.tags = tags,
	.example = "{\"image_url\":\"https://example.com/harbor.jpg\","
	    "\"prompt\":\"slow dolly-in, boats rocking gently, gulls flying\","
	    "\"duration\":5}",
	.deadline = 300,
	.async = DEF_ASYNC_DEFAULT,
};
