/*
 * Golden-test fixture: an endpoint this configuration cannot serve (its
 * one model routes to replicate, whose key tests/golden/synthforge.conf
 * does not set): every output must say it is unavailable, and why.
 */
#include "basics/def.h"

static const struct def_param params[] = {
	{ .name = "prompt", .type = DEF_STRING, .required = 1, .max_len = 200,
	  .desc = "What happens in the clip.", .example = "\"a wave\"" },
	{ 0 }
};

static const struct def_model models[] = {
	{ .id = "clip-1", .label = "Clip One", .provider = "replicate",
	  .upstream = "owner/clip-1" },
	{ 0 }
};

static const struct def_output outputs[] = {
	{ .name = "video_url", .type = "string", .desc = "MP4 URL.",
	  .example = "\"https://synthforge.example/media/ef/ef56.mp4\"" },
	{ 0 }
};

static const char *const tags[] = { "video", "fixture", NULL };

const struct def_endpoint ep_fixture_video = {
	.name = "fixture-video",
	.path = "/v1/fixture-video",
	.cluster = "synthforge",
	.method = "POST",
	.category = "video",
	.title = "fixture video / mp4 clip",
	.summary = "A video endpoint no provider here can run (MP4 clips).",
	.description = "Makes a short clip.",
	.media = "video",
	.price = 200000,
	.params = params,
	.default_model = "clip-1",
	.models = models,
	.outputs = outputs,
	.tags = tags,
	.deadline = 60,
	/* Runs as a job by default, as the real video endpoints do. */
	.async = DEF_ASYNC_DEFAULT,
};
