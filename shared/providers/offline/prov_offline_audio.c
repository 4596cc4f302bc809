#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <espeak-ng/speak_lib.h>

#include "basics/err.h"
#include "providers/prov.h"
#include "providers/offline/prov_offline_int.h"

#define OFF_RATE	22050
#define OFF_MAX_SECS	600

/* espeak-ng keeps global state: one synthesis at a time. */
static pthread_mutex_t	 espeak_mtx = PTHREAD_MUTEX_INITIALIZER;
static int		 espeak_rate;	/* 0 = not yet, -1 = failed */

struct speech {
	int16_t	*pcm;
	size_t	 n, cap, max;
	int	 oom;
};

static int
speech_cb(short *wav, int n, espeak_EVENT *ev)
{
	struct speech	*s;
	int16_t		*np;
	size_t		 ncap;

	if (ev == NULL || (s = ev->user_data) == NULL || wav == NULL || n <= 0)
		return 0;
	if (s->n + (size_t)n > s->max)
		return 1;			/* stop: too long */
	if (s->n + (size_t)n > s->cap) {
		ncap = s->cap ? s->cap * 2 : 65536;
		while (ncap < s->n + (size_t)n)
			ncap *= 2;
		if ((np = realloc(s->pcm, ncap * sizeof(*np))) == NULL) {
			s->oom = 1;
			return 1;
		}
		s->pcm = np;
		s->cap = ncap;
	}
	memcpy(s->pcm + s->n, wav, (size_t)n * sizeof(*wav));
	s->n += (size_t)n;
	return 0;
}

int
prov_offline_speech(const struct prov_job *j, struct prov_result *r,
    struct sf_err *err)
{
	struct speech	 s;
	const char	*text = prov_str(j->req, "text");
	const char	*lang = prov_str(j->req, "language");
	char		 voice[16];
	double		 speed = 1;
	size_t		 i;
	int		 rc = -1, rate;

	memset(&s, 0, sizeof(s));
	if (text == NULL || *text == '\0')
		return sf_err_set(err, 400, "invalid_input", "text",
		    "text is empty");
	/* Only plain language codes reach espeak's voice lookup. */
	snprintf(voice, sizeof(voice), "en");
	if (lang != NULL && strlen(lang) >= 2 && strlen(lang) < 8 &&
	    strspn(lang, "abcdefghijklmnopqrstuvwxyz-") == strlen(lang))
		snprintf(voice, sizeof(voice), "%s", lang);
	/* The answer names the voice that really spoke. */
	snprintf(r->voice, sizeof(r->voice), "espeak-ng %s", voice);
	(void)prov_num(j->req, "speed", &speed);
	if (speed < 0.5 || speed > 2)
		speed = 1;

	pthread_mutex_lock(&espeak_mtx);
	if (espeak_rate == 0) {
		espeak_rate = espeak_Initialize(AUDIO_OUTPUT_SYNCHRONOUS, 0,
		    NULL, espeakINITIALIZE_DONT_EXIT);
		if (espeak_rate <= 0)
			espeak_rate = -1;
	}
	if ((rate = espeak_rate) < 0) {
		sf_err_set(err, 500, "offline_unavailable", NULL,
		    "espeak-ng could not start (is espeak-ng-data installed?)");
		goto out;
	}
	s.max = (size_t)rate * OFF_MAX_SECS;
	espeak_SetSynthCallback(speech_cb);
	if (espeak_SetVoiceByName(voice) != EE_OK)
		(void)espeak_SetVoiceByName("en");
	espeak_SetParameter(espeakRATE, (int)(espeakRATE_NORMAL * speed), 0);
	if (espeak_Synth(text, strlen(text) + 1, 0, POS_CHARACTER, 0,
	    espeakCHARS_UTF8, NULL, &s) != EE_OK ||
	    espeak_Synchronize() != EE_OK) {
		sf_err_set(err, 500, "offline_unavailable", NULL,
		    "espeak-ng failed to synthesise the text");
		goto out;
	}
	if (s.oom) {
		sf_err_set(err, 500, "internal_error", NULL, "out of memory");
		goto out;
	}
	for (i = 0; i < s.n && s.pcm[i] == 0; i++)
		continue;
	if (i == s.n) {
		sf_err_set(err, 500, "offline_unavailable", NULL,
		    "espeak-ng produced no sound for the text");
		goto out;
	}
	r->duration = (double)s.n / rate;
	rc = prov_offline_wav(r, s.pcm, s.n, (unsigned)rate, err);
out:
	pthread_mutex_unlock(&espeak_mtx);
	free(s.pcm);
	return rc;
}

/* A pluck: fundamental plus two partials, exponential decay. */
static double
tone(double f, double t)
{
	return exp(-3.0 * t) * (sin(2 * M_PI * f * t) +
	    0.4 * sin(4 * M_PI * f * t) + 0.15 * sin(6 * M_PI * f * t));
}

/*
 * Music: a seeded pentatonic melody over a root bass and a kick at a
 * seeded tempo.  Sound effects: seeded low-passed noise with a pitch
 * sweep.  Both deterministic for a seed; neither pretends to be more.
 */
int
prov_offline_tones(const struct prov_job *j, uint64_t seed, int music,
    struct prov_result *r, struct sf_err *err)
{
	static const int	 penta[] = { 0, 2, 4, 7, 9, 12, 14, 16 };
	double			 dur, bpm, beat, root, t, x, lp = 0, cut, f0;
	double			 note = 0, f, amp;
	uint64_t		 st = seed ^ 0x5f0ffa11ULL;
	int16_t			*pcm;
	size_t			 n, i, b, nb = (size_t)-1;
	int			 loop = 0, rc;

	if (prov_num(j->req, "duration", &dur) == -1 || dur <= 0)
		dur = music ? 30 : 2;
	if (dur > OFF_MAX_SECS)
		dur = OFF_MAX_SECS;
	(void)prov_bool(j->req, "loop", &loop);
	n = (size_t)(dur * OFF_RATE);
	if (n == 0)
		n = 1;
	if ((pcm = calloc(n, sizeof(*pcm))) == NULL)
		return sf_err_set(err, 500, "internal_error", NULL,
		    "out of memory");
	bpm = 90 + (double)(prov_offline_rand(&st) % 50);
	beat = 60.0 / bpm;
	root = 110.0 * pow(2, (double)(prov_offline_rand(&st) % 12) / 12);
	cut = 0.02 + (double)(prov_offline_rand(&st) % 100) / 400;
	f0 = 200 + (double)(prov_offline_rand(&st) % 1200);
	for (i = 0; i < n; i++) {
		t = (double)i / OFF_RATE;
		if (music) {
			b = (size_t)(t / beat);
			if (b != nb) {		/* new beat: next note */
				nb = b;
				note = root * 2 * pow(2, penta[
				    prov_offline_rand(&st) % 8] / 12.0);
			}
			x = fmod(t, beat);
			f = 0.35 * tone(note, x) +
			    0.3 * tone(root / 2, fmod(t, beat * 4)) +
			    0.5 * exp(-25 * x) * sin(2 * M_PI * 55 * x);
			amp = 0.45;
		} else {
			x = (double)(int64_t)(prov_offline_rand(&st) >> 11) /
			    (double)(1ULL << 53) * 2 - 1;
			lp += cut * (x - lp);	/* one-pole low-pass */
			f = 3 * lp + 0.3 * sin(2 * M_PI * f0 *
			    (1 + t / dur) * t);
			amp = loop ? 0.5 : 0.5 * exp(-2.5 * t / dur) *
			    (t < 0.01 ? t / 0.01 : 1);
		}
		/* Short fades at both ends: no clicks. */
		if (t < 0.005)
			amp *= t / 0.005;
		if (dur - t < 0.005)
			amp *= (dur - t) / 0.005;
		x = f * amp;
		if (x > 1)
			x = 1;
		if (x < -1)
			x = -1;
		pcm[i] = (int16_t)(x * 32000);
	}
	r->duration = (double)n / OFF_RATE;
	rc = prov_offline_wav(r, pcm, n, OFF_RATE, err);
	free(pcm);
	return rc;
}
