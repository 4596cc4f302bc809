/*
 * Golden-test fixture: a throwaway definition.  Adding a file like this is
 * all it takes for an endpoint to appear in the man pages, the site,
 * llms.txt, registry.json and openapi.json (checked by tests/golden/run.sh).
 */
#include "basics/def.h"

static const struct def_param params[] = {
	{ .name = "text", .type = DEF_STRING, .required = 1, .max_len = 200,
	  .desc = "Text to read.", .example = "\"hello\"" },
	{ .name = "num_clips", .type = DEF_INTEGER, .has_range = 1, .min = 1,
	  .max = 4, .has_default = 1, .def_num = 1,
	  .desc = "How many clips; the price is per clip.", .example = "2" },
	{ .name = "loud", .type = DEF_BOOLEAN, .has_default = 1, .def_bool = 0,
	  .desc = "Louder output.", .example = "true" },
	{ 0 }
};

static const struct def_model models[] = {
	{ .id = "tone-1", .label = "", .provider = "fal",
	  .upstream = "tone-1" },
	{ 0 }
};

static const struct def_output outputs[] = {
	{ .name = "audio_url", .type = "string", .desc = "WAV URL.",
	  .example = "\"https://synthforge.example/media/cd/cd34.wav\"" },
	{ .name = "clips", .type = "array", .desc = "One URL per clip.",
	  .example = "[\"https://synthforge.example/media/cd/cd34.wav\"]" },
	{ 0 }
};

static const char *const tags[] = { "audio", "throwaway", NULL };

const struct def_endpoint ep_throwaway_tool = {
	.name = "throwaway-tool",
	.path = "/v1/throwaway-tool",
	.cluster = "synthforge",
	.method = "POST",
	.category = "audio",
	.title = "throwaway tool",
	.summary = "A throwaway endpoint that proves one file is enough.",
	.description = "Reads text aloud as tones.",
	.media = "audio",
	.price = 5000,
	.price_per = "num_clips",
	.price_note = "$0.005 per clip.",
	.params = params,
	.default_model = "tone-1",
	.models = models,
	.outputs = outputs,
	.tags = tags,
	.deadline = 10,
};
