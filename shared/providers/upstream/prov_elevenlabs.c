/*
 * ElevenLabs: synchronous, binary audio back.  The route's upstream says
 * which API: "sound-effects" (/v1/sound-generation), "music" (/v1/music)
 * or else a TTS model_id (/v1/text-to-speech/<voice_id>, voice from the
 * request by name or id); "tts/<voice>[/<model_id>]" also works.
 * output_format is a query parameter.
 */
#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <cjson/cJSON.h>

#include "basics/err.h"
#include "http/http.h"
#include "providers/prov.h"
#include "providers/retry.h"
#include "providers/provs.h"

#define WHO	"ElevenLabs"
#define EL_FMT	"output_format=mp3_44100_128"

/*
 * Premade voices by name -> voice_id (ElevenLabs' public voice library;
 * ELEVENLABS_VOICE_<NAME> in config overrides or adds).
 */
static const struct { const char *name, *id; } el_voices[] = {
	{ "Rachel", "21m00Tcm4TlvDq8ikWAM" },
	{ "Aria", "9BWtsMINqrJLrRacOk9x" },
	{ "Roger", "CwhRBWXzGAHq8TQ4Fs17" },
	{ "Sarah", "EXAVITQu4vr4xnSDxMaL" },
	{ "Laura", "FGY2WhTYpPnrIDTdsKH5" },
	{ "Charlie", "IKne3meq5aSn9XLyUdCD" },
	{ "George", "JBFqnCBsd6RMkjVDRZzb" },
	{ "Callum", "N2lVS1w4EtoT3dr4eOWO" },
	{ "River", "SAz9YHcvj6GT2YYXdXww" },
	{ "Liam", "TX3LPaxmHKxFdv7VOQHJ" },
	{ "Charlotte", "XB0fDUnXU5powFXDhCwa" },
	{ "Alice", "Xb7hH8MSUJpSbSDYk0k2" },
	{ "Matilda", "XrExE9yKIg1WjnnlVkGX" },
	{ "Will", "bIHbv24MWmeRgasZH58o" },
	{ "Jessica", "cgSgspJ2msm6clMCkdW9" },
	{ "Eric", "cjVigY5qzO86Huf0OWal" },
	{ "Chris", "iP95p4xoKVk53GoZ742B" },
	{ "Brian", "nPczCjzI2devNBz1zQrb" },
	{ "Daniel", "onwK4e9ZLuTAKqWW03F9" },
	{ "Lily", "pFZP5JQG7iQjIQuC4Bku" },
	{ "Bill", "pqHfZKP75CvOlQylNhV4" },
	{ "Adam", "pNInz6obpgDQGcFmaJgB" },
	{ NULL, NULL }
};

/* Voice ids are ~20 alphanumerics; names must be looked up. */
static int
el_voice(const struct prov_job *j, const char *v, char *out, size_t sz)
{
	char	 k[96];
	size_t	 n, i;
	const char *c;

	for (n = 0; v[n] != '\0' && isalnum((unsigned char)v[n]); n++)
		continue;
	if (v[n] == '\0' && n >= 16 && n <= 32 && !islower((unsigned char)v[1])) {
		snprintf(out, sz, "%s", v);
		return 0;
	}
	snprintf(k, sizeof(k), "ELEVENLABS_VOICE_%s", v);
	for (i = 17; k[i] != '\0'; i++)
		k[i] = isalnum((unsigned char)k[i]) ?
		    (char)toupper((unsigned char)k[i]) : '_';
	if ((c = prov_cfg(j, k, NULL)) != NULL) {
		snprintf(out, sz, "%s", c);
		return 0;
	}
	for (i = 0; el_voices[i].name != NULL; i++)
		if (strcasecmp(el_voices[i].name, v) == 0) {
			snprintf(out, sz, "%s", el_voices[i].id);
			return 0;
		}
	if (v[n] == '\0' && n >= 16 && n <= 32) {
		snprintf(out, sz, "%s", v);
		return 0;
	}
	return -1;
}

static cJSON *
el_input(const struct prov_job *j, const char *base, char *url, size_t usz,
    int wav, struct sf_err *err)
{
	const cJSON	*req = j->req;
	const char	*up = j->upstream, *s, *fmt;
	cJSON		*b, *vs;
	char		 voice[64], model[64];
	double		 d;
	int		 x;

	/* wav_44100: native WAV; pcm_44100 would need a Pro plan. */
	fmt = wav ? "output_format=wav_44100" : EL_FMT;
	if ((b = cJSON_CreateObject()) == NULL) {
		sf_err_set(err, 500, "internal_error", NULL, "out of memory");
		return NULL;
	}
	if (strcmp(up, "music") == 0) {
		snprintf(url, usz, "%s/v1/music?%s", base, fmt);
		cJSON_AddStringToObject(b, "prompt", prov_prompt(req) ?
		    prov_prompt(req) : "");
		if (prov_num(req, "duration", &d) == 0)
			cJSON_AddNumberToObject(b, "music_length_ms", d * 1000);
		if (prov_bool(req, "instrumental", &x) == 0)
			cJSON_AddBoolToObject(b, "force_instrumental", x);
		return b;
	}
	cJSON_AddStringToObject(b, "text", prov_prompt(req) ?
	    prov_prompt(req) : "");
	if (strcmp(up, "sound-effects") == 0) {
		snprintf(url, usz, "%s/v1/sound-generation?%s", base, fmt);
		if (prov_num(req, "duration", &d) == 0)
			cJSON_AddNumberToObject(b, "duration_seconds", d);
		if (prov_num(req, "prompt_influence", &d) == 0)
			cJSON_AddNumberToObject(b, "prompt_influence", d);
		if (prov_bool(req, "loop", &x) == 0)
			cJSON_AddBoolToObject(b, "loop", x);
		return b;
	}
	/* Speech: upstream is a model_id, or "tts/<voice>[/<model>]". */
	voice[0] = model[0] = '\0';
	if (strncmp(up, "tts/", 4) == 0)
		sscanf(up + 4, "%63[^/]/%63s", voice, model);
	else
		snprintf(model, sizeof(model), "%s", up);
	if ((s = prov_str(req, "voice")) == NULL)
		s = voice[0] != '\0' ? voice : "Rachel";
	if (el_voice(j, s, voice, sizeof(voice)) == -1) {
		cJSON_Delete(b);
		sf_err_set(err, 400, "invalid_value", "voice",
		    "unknown voice \"%.64s\": use a premade voice name "
		    "(Rachel, Aria, Roger, ...) or a voice_id", s);
		return NULL;
	}
	snprintf(url, usz, "%s/v1/text-to-speech/%s?%s", base, voice, fmt);
	if (model[0] != '\0')
		cJSON_AddStringToObject(b, "model_id", model);
	if ((s = prov_str(req, "language")) != NULL ||
	    (s = prov_str(req, "language_code")) != NULL)
		cJSON_AddStringToObject(b, "language_code", s);
	if (prov_num(req, "seed", &d) == 0)
		cJSON_AddNumberToObject(b, "seed", d);
	if ((vs = cJSON_AddObjectToObject(b, "voice_settings")) != NULL) {
		if (prov_num(req, "stability", &d) == 0)
			cJSON_AddNumberToObject(vs, "stability", d);
		if (prov_num(req, "similarity_boost", &d) == 0)
			cJSON_AddNumberToObject(vs, "similarity_boost", d);
		if (prov_num(req, "style", &d) == 0)
			cJSON_AddNumberToObject(vs, "style", d);
		if (prov_num(req, "speed", &d) == 0)
			cJSON_AddNumberToObject(vs, "speed", d);
		if (cJSON_GetArraySize(vs) == 0)
			cJSON_DeleteItemFromObject(b, "voice_settings");
	}
	return b;
}

/*
 * A WAV as ElevenLabs sends it for output_format=wav_44100 (a native
 * format on every plan; pcm_44100 needs Pro): RIFF/WAVE, the duration
 * from the canonical header's byte rate.
 */
static int
el_wav(struct prov_result *r, const void *p, size_t len, struct sf_err *err)
{
	const unsigned char	*w = p;
	uint32_t		 rate;

	if (len <= 44 || memcmp(w, "RIFF", 4) != 0 ||
	    memcmp(w + 8, "WAVE", 4) != 0)
		return sf_err_set(err, 502, "upstream_error", NULL,
		    WHO " returned no WAV audio");
	if (prov_out_bytes(r, p, len, "audio/wav", err) == -1)
		return -1;
	rate = (uint32_t)w[28] | (uint32_t)w[29] << 8 |
	    (uint32_t)w[30] << 16 | (uint32_t)w[31] << 24;
	if (rate > 0)
		r->duration = (double)(len - 44) / rate;
	return 0;
}

int
prov_elevenlabs_run(const struct prov_job *j, struct prov_result *r,
    struct sf_err *err)
{
	struct http_resp h;
	cJSON		*in = NULL;
	const char	*key, *hdrs[3], *ct, *fmt;
	char		 base[512], auth[1024], url[1024];
	double		 d;
	int		 wav, rc = -1;

	memset(&h, 0, sizeof(h));
	snprintf(r->source, sizeof(r->source), "elevenlabs");
	snprintf(r->model, sizeof(r->model), "%s", j->upstream);
	if ((key = provs_key(j)) == NULL)
		return sf_err_set(err, 503, "provider_unavailable", NULL,
		    "no ElevenLabs API key is configured");
	provs_base(j, base, sizeof(base));
	snprintf(auth, sizeof(auth), "xi-api-key: %s", key);
	hdrs[0] = auth;
	hdrs[1] = "Accept: audio/*";
	hdrs[2] = NULL;
	fmt = prov_str(j->req, "format");
	wav = fmt != NULL && strcmp(fmt, "wav") == 0;
	if ((in = el_input(j, base, url, sizeof(url), wav, err)) == NULL)
		return -1;
	if (prov_call(j, "POST", url, in, hdrs, RETRY_IDEMPOTENT, &h, err) == -1)
		goto out;
	if (!PROV_OK(&h)) {
		prov_http_error(WHO, h.status, h.body.p, key, err);
		goto out;
	}
	prov_request_id(j, r, http_header(&h, "request-id") ?
	    http_header(&h, "request-id") : http_header(&h, "x-request-id"));
	ct = http_header(&h, "content-type");
	if (ct == NULL || (strncasecmp(ct, "audio/", 6) != 0 &&
	    strncasecmp(ct, "application/octet-stream", 24) != 0)) {
		sf_err_set(err, 502, "upstream_error", NULL,
		    WHO " returned no audio");
		goto out;
	}
	if (wav) {
		if (el_wav(r, h.body.p, h.body.len, err) == -1)
			goto out;
	} else if (prov_out_bytes(r, h.body.p, h.body.len, ct, err) == -1)
		goto out;
	if (prov_num(j->req, "duration", &d) == 0)
		r->duration = d;
	rc = 0;
out:
	http_resp_free(&h);
	cJSON_Delete(in);
	return rc;
}
