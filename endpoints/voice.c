/*
 * voice: ElevenLabs voice synthesis with the full voice settings
 * (stability, similarity, style, speed, seed), routed to ElevenLabs
 * directly; text-to-speech is the simpler multi-model sibling.
 */
#include "basics/def.h"
#include "rows.h"

static const char *const models_enum[] = {
	"eleven-multilingual-v2", "eleven-v3", "eleven-flash-v2.5",
	"eleven-turbo-v2.5", NULL
};
static const char *const format_enum[] = {
	"mp3", "wav", NULL
};
static const char *const not_v3[] = {
	"eleven-multilingual-v2", "eleven-flash-v2.5", "eleven-turbo-v2.5",
	NULL
};

static const struct def_param params[] = {
	{ .name = "text", .type = DEF_STRING, .required = 1, .max_len = 5000,
	  .desc = "Text to speak. Up to 5000 chars; eleven-v3 understands "
	  "audio tags such as [whispers] or [laughs].",
	  .example = "\"[whispers] The vault is open. [excited] Go, go, go!\"" },
	{ .name = "voice", .type = DEF_STRING, .max_len = 64,
	  .def_str = "Rachel",
	  .desc = "ElevenLabs voice name (Rachel, Aria, Roger, Sarah, ...) or "
	  "voice_id. Default Rachel.", .example = "\"Roger\"" },
	{ .name = "model", .type = DEF_STRING, .enums = models_enum,
	  .def_str = "eleven-multilingual-v2",
	  .desc = "ElevenLabs model: eleven-multilingual-v2 (default), "
	  "eleven-v3, eleven-flash-v2.5, eleven-turbo-v2.5.",
	  .example = "\"eleven-v3\"" },
	{ .name = "stability", .type = DEF_NUMBER, .has_range = 1, .min = 0,
	  .max = 1, .has_default = 1, .def_num = 0.5,
	  .desc = "Voice stability 0-1; lower is more expressive. Default "
	  "0.5.", .example = "0.4" },
	{ .name = "similarity_boost", .type = DEF_NUMBER, .has_range = 1,
	  .min = 0, .max = 1, .models = not_v3,
	  .desc = "How closely to match the original voice, 0-1 (upstream "
	  "default 0.75). Optional; not on eleven-v3.", .example = "0.75" },
	{ .name = "style", .type = DEF_NUMBER, .has_range = 1, .min = 0,
	  .max = 1, .models = not_v3,
	  .desc = "Style exaggeration, 0-1 (upstream default 0). Optional; not "
	  "on eleven-v3.", .example = "0.2" },
	{ .name = "speed", .type = DEF_NUMBER, .has_range = 1, .min = 0.7,
	  .max = 1.2, .models = not_v3,
	  .desc = "Speaking rate, 0.7-1.2 (1 = normal). Optional; not on "
	  "eleven-v3.", .example = "1" },
	{ .name = "language", .type = DEF_STRING, .max_len = 8,
	  .desc = "ISO 639-1 language code to enforce (e.g. en, es). "
	  "Optional.", .example = "\"en\"" },
	{ .name = "seed", .type = DEF_INTEGER, .has_range = 1, .min = 0,
	  .max = 4294967295.0,
	  .desc = "Seed for best-effort reproducible output. Optional.",
	  .example = "42" },
	{ .name = "format", .type = DEF_STRING, .enums = format_enum,
	  .def_str = "mp3", .desc = "Audio format: mp3 (default) or wav.",
	  .example = "\"mp3\"" },
	ROW_WEBHOOK_URL,
	{ 0 }
};

static const struct def_model models[] = {
	{ .id = "eleven-multilingual-v2", .label = "ElevenLabs Multilingual v2",
	  .provider = "elevenlabs", .upstream = "eleven_multilingual_v2" },
	{ .id = "eleven-v3", .label = "ElevenLabs v3",
	  .provider = "elevenlabs", .upstream = "eleven_v3" },
	{ .id = "eleven-flash-v2.5", .label = "ElevenLabs Flash v2.5",
	  .provider = "elevenlabs", .upstream = "eleven_flash_v2_5" },
	{ .id = "eleven-turbo-v2.5", .label = "ElevenLabs Turbo v2.5",
	  .provider = "elevenlabs", .upstream = "eleven_turbo_v2_5" },
	{ 0 }
};

static const struct def_output outputs[] = {
	{ "audio_url", "string", "Permanent URL of the spoken audio.",
	  "\"https://synthforge.example/media/d3/d37a....mp3\"" },
	{ "model", "string", "ElevenLabs model that spoke the text.",
	  "\"eleven-multilingual-v2\"" },
	{ "voice", "string", "Voice used.", "\"Rachel\"" },
	{ "duration", "number", "Length of the audio in seconds.", "4.1" },
	{ "format", "string", "Audio format of audio_url: mp3 or wav.",
	  "\"mp3\"" },
	{ "characters", "number", "Characters of text spoken.", "52" },
	{ "seed", "number", "Seed sent upstream, when given.", "42", NULL,
	  NULL, "seed" },
	ROW_OUT_ELAPSED("1480"),
	{ "request_id", "string", "Upstream request ID for support.",
	  "\"Rk1f...\"" },
	{ "source", "string", "Provider that ran the model (e.g. elevenlabs, "
	  "offline).", "\"elevenlabs\"" },
	{ 0 }
};

static const char *const tags[] = {
	"text-to-speech", "tts", "voice-synthesis", "elevenlabs",
	"voice-settings", "synthforge", "audio", NULL
};

const struct def_endpoint ep_voice = {
	.name = "voice",
	.path = "/v1/voice",
	.cluster = "synthforge",
	.method = "POST",
	.category = "audio",
	.title = "text-to-speech / tts / voice synthesis",
	.summary = "Text-to-speech / TTS / voice synthesis.",
	.description = "Text-to-speech / TTS / voice synthesis. ElevenLabs "
	    "voices with full control: stability, similarity_boost, style, "
	    "speed, language and seed. Models: 'eleven-multilingual-v2' "
	    "(default), 'eleven-v3' (audio tags like [whispers]), "
	    "'eleven-flash-v2.5', 'eleven-turbo-v2.5'. For the simple "
	    "multi-vendor TTS use text-to-speech. Returns a permanent MP3 or "
	    "WAV URL.",
	.media = "audio",
	.price = 50000,
	.params = params,
	.model_param = "model",
	.default_model = "eleven-multilingual-v2",
	.models = models,
	.outputs = outputs,
	.tags = tags,
	.example = "{\"text\":\"The vault is open.\",\"voice\":\"Roger\","
	    "\"stability\":0.4}",
	.deadline = 120,
};
