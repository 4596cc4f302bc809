/*
 * sound-effect-generate: text-to-SFX (Foley, ambiences, UI sounds).
 */
#include "basics/def.h"
#include "rows.h"

static const char *const models_enum[] = {
	"elevenlabs-sfx-v2", "stable-audio-3-sfx", NULL
};
static const char *const format_enum[] = {
	"mp3", "wav", NULL
};
static const char *const eleven_only[] = {
	"elevenlabs-sfx-v2", NULL
};

static const struct def_param params[] = {
	{ .name = "prompt", .type = DEF_STRING, .required = 1, .max_len = 1000,
	  .desc = "The sound to make. Up to 1000 chars.",
	  .example = "\"heavy wooden door creaking open in a stone hall\"" },
	{ .name = "duration", .type = DEF_NUMBER, .has_range = 1, .min = 0.5,
	  .max = 22,
	  .desc = "Length in seconds. Range [0.5, 22]. Optional; when omitted "
	  "the model picks a length that fits the prompt.",
	  .example = "4" },
	{ .name = "prompt_influence", .type = DEF_NUMBER, .has_range = 1,
	  .min = 0, .max = 1, .models = eleven_only,
	  .desc = "How literally to follow the prompt, 0-1 (upstream default "
	  "0.3). Optional; elevenlabs-sfx-v2 only.", .example = "0.5" },
	{ .name = "loop", .type = DEF_BOOLEAN, .models = eleven_only,
	  .desc = "Make the sound loop seamlessly. Optional; "
	  "elevenlabs-sfx-v2 only.", .example = "false" },
	{ .name = "model", .type = DEF_STRING, .enums = models_enum,
	  .def_str = "elevenlabs-sfx-v2",
	  .desc = "Model: elevenlabs-sfx-v2 (default) or stable-audio-3-sfx.",
	  .example = "\"elevenlabs-sfx-v2\"" },
	{ .name = "format", .type = DEF_STRING, .enums = format_enum,
	  .def_str = "mp3", .desc = "Audio format: mp3 (default) or wav.",
	  .example = "\"wav\"" },
	ROW_WEBHOOK_URL,
	{ 0 }
};

static const char *const mp3_only[] = { "mp3", NULL };

static const struct def_model models[] = {
	{ .id = "elevenlabs-sfx-v2", .label = "ElevenLabs Sound Effects v2",
	  .provider = "fal", .upstream = "fal-ai/elevenlabs/sound-effects/v2",
	  .notes = "Direct: ElevenLabs /v1/sound-generation; Venice "
	  "elevenlabs-sound-effects-v2.", .formats = mp3_only,
	  .limit_why = "fal's ElevenLabs sound effects have no WAV output" },
	{ .id = "stable-audio-3-sfx", .label = "Stable Audio 3 small SFX",
	  .provider = "fal",
	  .upstream = "fal-ai/stable-audio-3/small/sfx/text-to-audio" },
	{ 0 }
};

static const struct def_output outputs[] = {
	{ "audio_url", "string", "Permanent URL of the generated sound.",
	  "\"https://synthforge.example/media/4e/4e02....mp3\"" },
	{ "model", "string", "Model that generated the sound.",
	  "\"elevenlabs-sfx-v2\"" },
	{ "duration", "number", "Length of the sound in seconds.", "4" },
	{ "format", "string", "Audio format of audio_url: mp3 or wav.",
	  "\"mp3\"" },
	{ "prompt", "string", "Prompt that was sent to the model.",
	  "\"heavy wooden door creaking open in a stone hall\"" },
	ROW_OUT_ELAPSED("3100"),
	ROW_OUT_REQUEST_ID,
	{ "source", "string", "Provider that ran the model (e.g. fal, "
	  "offline).", "\"fal\"" },
	{ 0 }
};

static const char *const tags[] = {
	"sound-effects", "text-to-sfx", "foley", "ambient-audio",
	"synthforge", "elevenlabs", "audio-generation", NULL
};

const struct def_endpoint ep_sound_effect_generate = {
	.name = "sound-effect-generate",
	.path = "/v1/sound-effect-generate",
	.cluster = "synthforge",
	.method = "POST",
	.category = "audio",
	.title = "sound effect generation / text-to-sfx / foley generator / "
	    "elevenlabs sound effects / ambient audio synth",
	.summary = "Sound effect generation / text-to-SFX / Foley generator / "
	    "ElevenLabs sound effects / ambient audio synth.",
	.description = "Sound effect generation / text-to-SFX / Foley "
	    "generator / ElevenLabs sound effects / ambient audio synth. "
	    "Describe a sound and get a clip of 0.5 to 22 seconds, optionally "
	    "seamlessly looping. Models: 'elevenlabs-sfx-v2' (default), "
	    "'stable-audio-3-sfx'. Returns a permanent MP3 or WAV URL.",
	.media = "audio",
	.price = 10000,
	.params = params,
	.model_param = "model",
	.default_model = "elevenlabs-sfx-v2",
	.models = models,
	.outputs = outputs,
	.tags = tags,
	.example = "{\"prompt\":\"heavy wooden door creaking open in a stone "
	    "hall\",\"duration\":4}",
	.deadline = 120,
};
