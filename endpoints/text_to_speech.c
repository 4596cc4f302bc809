/*
 * text-to-speech: plain TTS, one call, one audio file.  Simple inputs
 * (text, voice, speed); voice-design controls live in the voice endpoint.
 */
#include "basics/def.h"
#include "rows.h"

static const char *const models_enum[] = {
	"eleven-multilingual-v2", "eleven-v3", "eleven-turbo-v2.5",
	"minimax-speech-2.8-hd", "kokoro", NULL
};
static const char *const format_enum[] = {
	"mp3", "wav", NULL
};
static const char *const speed_models[] = {
	"eleven-multilingual-v2", "eleven-turbo-v2.5", "minimax-speech-2.8-hd",
	"kokoro", NULL
};

static const struct def_param params[] = {
	{ .name = "text", .type = DEF_STRING, .required = 1, .max_len = 5000,
	  .desc = "Text to speak. Up to 5000 chars.",
	  .example = "\"Welcome to synthforge. Your order has shipped.\"" },
	/* No one default: each model has its own catalogue of voices
	   (fal's ElevenLabs and MiniMax types, Venice's OpenAPI). */
	{ .name = "voice", .type = DEF_STRING, .max_len = 64,
	  .desc = "Voice name or id of the chosen model's catalogue (e.g. "
	  "Rachel, Aria, Roger for ElevenLabs; Wise_Woman for "
	  "minimax-speech-2.8-hd; af_sky, af_bella, am_adam for kokoro). "
	  "Default: the model's own (Rachel, Wise_Woman, af_sky); the answer "
	  "names the voice used.", .example = "\"Aria\"" },
	{ .name = "model", .type = DEF_STRING, .enums = models_enum,
	  .def_str = "eleven-multilingual-v2",
	  .desc = "TTS model: eleven-multilingual-v2 (default), eleven-v3 "
	  "(most expressive), eleven-turbo-v2.5 (low latency), "
	  "minimax-speech-2.8-hd, kokoro.",
	  .example = "\"eleven-multilingual-v2\"" },
	{ .name = "language", .type = DEF_STRING, .max_len = 8,
	  .desc = "ISO 639-1 language code to enforce (e.g. en, de, ja). "
	  "Optional; detected from the text otherwise.", .example = "\"en\"" },
	{ .name = "speed", .type = DEF_NUMBER, .has_range = 1, .min = 0.7,
	  .max = 1.2, .models = speed_models,
	  .desc = "Speaking rate, 0.7-1.2 (1 = normal). Optional; not on "
	  "eleven-v3.", .example = "1.05" },
	{ .name = "format", .type = DEF_STRING, .enums = format_enum,
	  .def_str = "mp3", .desc = "Audio format: mp3 (default) or wav.",
	  .example = "\"mp3\"" },
	ROW_WEBHOOK_URL,
	{ 0 }
};

/* fal's TTS endpoints take no output format (MP3 comes back);
   MiniMax's audio_setting has mp3, pcm and flac, no WAV. */
static const char *const mp3_only[] = { "mp3", NULL };
#define FAL_TTS_MP3	.formats = mp3_only, \
	.limit_why = "fal's TTS endpoint returns MP3"

static const struct def_model models[] = {
	{ .id = "eleven-multilingual-v2", .label = "ElevenLabs Multilingual v2",
	  .provider = "fal", .upstream = "fal-ai/elevenlabs/tts/multilingual-v2",
	  FAL_TTS_MP3 },
	{ .id = "eleven-v3", .label = "ElevenLabs v3", .provider = "fal",
	  .upstream = "fal-ai/elevenlabs/tts/eleven-v3", FAL_TTS_MP3 },
	{ .id = "eleven-turbo-v2.5", .label = "ElevenLabs Turbo v2.5",
	  .provider = "fal", .upstream = "fal-ai/elevenlabs/tts/turbo-v2.5",
	  FAL_TTS_MP3 },
	{ .id = "minimax-speech-2.8-hd", .label = "MiniMax Speech 2.8 HD",
	  .provider = "fal", .upstream = "fal-ai/minimax/speech-2.8-hd",
	  FAL_TTS_MP3 },
	/* Venice's OpenAPI: input maxLength 4096. */
	{ .id = "kokoro", .label = "Kokoro (Venice)", .provider = "venice",
	  .upstream = "tts-kokoro",
	  .notes = "Venice /audio/speech; text up to 4096 characters.",
	  .prompt_max = 4096, .limit_why = "Venice's limit" },
	{ 0 }
};

static const struct def_output outputs[] = {
	{ "audio_url", "string", "Permanent URL of the spoken audio.",
	  "\"https://synthforge.example/media/b8/b81c....mp3\"" },
	{ "model", "string", "TTS model that spoke the text.",
	  "\"eleven-multilingual-v2\"" },
	{ "voice", "string", "Voice used.", "\"Rachel\"" },
	{ "duration", "number", "Length of the audio in seconds.", "3.4" },
	{ "format", "string", "Audio format of audio_url: mp3 or wav.",
	  "\"mp3\"" },
	{ "characters", "number", "Characters of text spoken.", "47" },
	ROW_OUT_ELAPSED("1260"),
	ROW_OUT_REQUEST_ID,
	{ "source", "string", "Provider that ran the model (e.g. fal, venice, "
	  "offline).", "\"fal\"" },
	{ 0 }
};

static const char *const tags[] = {
	"text-to-speech", "tts", "voice-generator", "speech-synthesis",
	"synthforge", "elevenlabs", "audio", NULL
};

const struct def_endpoint ep_text_to_speech = {
	.name = "text-to-speech",
	.path = "/v1/text-to-speech",
	.cluster = "synthforge",
	.method = "POST",
	.category = "audio",
	.title = "text to speech / tts / voice generator",
	.summary = "Text to speech / TTS / voice generator.",
	.description = "Text to speech / TTS / voice generator. Send up to "
	    "5000 characters, pick a voice and get natural speech. Models: "
	    "'eleven-multilingual-v2' (default, 29 languages), 'eleven-v3' "
	    "(most expressive), 'eleven-turbo-v2.5' (low latency), "
	    "'minimax-speech-2.8-hd', 'kokoro'. For stability, similarity and "
	    "style controls use voice. Returns a permanent MP3 or WAV URL.",
	.media = "audio",
	.price = 50000,
	.params = params,
	.model_param = "model",
	.default_model = "eleven-multilingual-v2",
	.models = models,
	.outputs = outputs,
	.tags = tags,
	.example = "{\"text\":\"Welcome to synthforge. Your order has "
	    "shipped.\",\"voice\":\"Rachel\"}",
	.deadline = 120,
};
