/*
 * music-generate: text-to-music, instrumental or with vocals.
 */
#include "basics/def.h"
#include "rows.h"

static const char *const models_enum[] = {
	"elevenlabs-music", "minimax-music-v2.5", "stable-audio-2.5", NULL
};
static const char *const format_enum[] = {
	"mp3", "wav", NULL
};
static const char *const instr_models[] = {
	"elevenlabs-music", "minimax-music-v2.5", NULL
};
/* Stable Audio 2.5 names no container (its input type has no format). */
static const char *const format_models[] = {
	"elevenlabs-music", "minimax-music-v2.5", NULL
};
/* MiniMax Music takes no length (its input type has none). */
static const char *const duration_models[] = {
	"elevenlabs-music", "stable-audio-2.5", NULL
};
static const char *const mp3_only[] = { "mp3", NULL };

static const char *const lyrics_models[] = {
	"minimax-music-v2.5", NULL
};

static const struct def_param params[] = {
	{ .name = "prompt", .type = DEF_STRING, .required = 1, .max_len = 2000,
	  .desc = "Style, mood, instruments, tempo, structure. Up to 2000 "
	  "chars.", .example = "\"upbeat lo-fi hip hop with warm piano and "
	  "vinyl crackle, 85 bpm\"" },
	{ .name = "duration", .type = DEF_INTEGER, .has_range = 1, .min = 5,
	  .max = 120, .has_default = 1, .def_num = 30,
	  .models = duration_models,
	  .desc = "Length in seconds. Range [5, 120]. Default 30; "
	  "minimax-music-v2.5 chooses the length itself (the answer's "
	  "duration says it).", .example = "30" },
	{ .name = "instrumental", .type = DEF_BOOLEAN, .models = instr_models,
	  .desc = "Force an instrumental track (no vocals). Optional; "
	  "elevenlabs-music and minimax-music-v2.5 (stable-audio-2.5 is "
	  "always instrumental). Without lyrics or instrumental, "
	  "minimax-music-v2.5 writes lyrics from the prompt.",
	  .example = "true" },
	{ .name = "lyrics", .type = DEF_STRING, .max_len = 3000,
	  .models = lyrics_models,
	  .desc = "Lyrics to sing, with [verse]/[chorus] tags. Optional; "
	  "minimax-music-v2.5 only.",
	  .example = "\"[verse]\\nCity lights are calling me\"" },
	{ .name = "model", .type = DEF_STRING, .enums = models_enum,
	  .def_str = "elevenlabs-music",
	  .desc = "Music model: elevenlabs-music (default; vocals or "
	  "instrumental), minimax-music-v2.5 (songs from lyrics), "
	  "stable-audio-2.5 (instrumental).",
	  .example = "\"elevenlabs-music\"" },
	{ .name = "format", .type = DEF_STRING, .enums = format_enum,
	  .def_str = "mp3", .models = format_models,
	  .desc = "Audio format: mp3 (default) or wav (minimax-music-v2.5; "
	  "elevenlabs-music delivers mp3 only). stable-audio-2.5 takes no "
	  "format: the answer's format says what it delivered.",
	  .example = "\"mp3\"" },
	ROW_WEBHOOK_URL,
	{ 0 }
};

static const struct def_model models[] = {
	{ .id = "elevenlabs-music", .label = "ElevenLabs Music",
	  .provider = "fal", .upstream = "fal-ai/elevenlabs/music",
	  .notes = "Also on Venice as elevenlabs-music (/audio/queue).",
	  .formats = mp3_only, .limit_why = "fal's ElevenLabs Music has no "
	  "WAV output" },
	{ .id = "minimax-music-v2.5", .label = "MiniMax Music 2.5",
	  .provider = "fal", .upstream = "fal-ai/minimax-music/v2.5" },
	{ .id = "stable-audio-2.5", .label = "Stable Audio 2.5",
	  .provider = "fal", .upstream = "fal-ai/stable-audio-25/text-to-audio",
	  .notes = "Instrumental only." },
	{ 0 }
};

static const struct def_output outputs[] = {
	{ "audio_url", "string", "Permanent URL of the generated track.",
	  "\"https://synthforge.example/media/71/71aa....mp3\"" },
	{ "model", "string", "Model that composed the track.",
	  "\"elevenlabs-music\"" },
	{ "duration", "number", "Length of the track in seconds.", "30" },
	{ "format", "string", "Audio format of audio_url: mp3 or wav.",
	  "\"mp3\"" },
	{ "prompt", "string", "Prompt that was sent to the model.",
	  "\"upbeat lo-fi hip hop with warm piano and vinyl crackle, 85 bpm\"" },
	ROW_OUT_ELAPSED("38200"),
	ROW_OUT_REQUEST_ID,
	{ "source", "string", "Provider that ran the model (e.g. fal, "
	  "offline).", "\"fal\"" },
	{ 0 }
};

static const char *const tags[] = {
	"music-generation", "text-to-music", "ai-music", "song-generator",
	"instrumental", "synthforge", "elevenlabs", NULL
};

const struct def_endpoint ep_music_generate = {
	.name = "music-generate",
	.path = "/v1/music-generate",
	.cluster = "synthforge",
	.method = "POST",
	.category = "audio",
	.title = "music generation / text-to-music / ai music / generative "
	    "song / instrumental and vocal music",
	.summary = "Music generation / text-to-music / AI music / generative "
	    "song / instrumental and vocal music.",
	.description = "Music generation / text-to-music / AI music / "
	    "generative song / instrumental and vocal music. Describe the "
	    "track and pick a length from 5 to 120 seconds. Models: "
	    "'elevenlabs-music' (default; vocals or instrumental), "
	    "'minimax-music-v2.5' (sings your lyrics), 'stable-audio-2.5' "
	    "(instrumental). Returns a permanent MP3 or WAV URL.",
	.media = "audio",
	.price = 50000,
	.params = params,
	.model_param = "model",
	.default_model = "elevenlabs-music",
	.models = models,
	.outputs = outputs,
	.tags = tags,
	.example = "{\"prompt\":\"upbeat lo-fi hip hop with warm piano and "
	    "vinyl crackle, 85 bpm\",\"duration\":30}",
	.deadline = 120,
};
