#include <sys/random.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "basics/def.h"
#include "basics/err.h"
#include "providers/prov.h"
#include "providers/offline/prov_offline.h"
#include "providers/offline/prov_offline_int.h"

uint64_t
prov_offline_rand(uint64_t *s)
{
	uint64_t	 z;

	z = (*s += 0x9e3779b97f4a7c15ULL);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

int
prov_offline_wav(struct prov_result *r, const int16_t *pcm, size_t n,
    unsigned rate, struct sf_err *err)
{
	unsigned char	*w, *p;
	size_t		 bytes = n * 2, i;
	uint32_t	 v[] = { (uint32_t)(36 + bytes), 16, rate, rate * 2,
			    (uint32_t)bytes };
	int		 rc;

	if (n == 0 || bytes > 0x7fffffff)
		return sf_err_set(err, 500, "internal_error", NULL,
		    "offline audio of unusable length");
	if ((w = malloc(44 + bytes)) == NULL)
		return sf_err_set(err, 500, "internal_error", NULL,
		    "out of memory");
#define LE32(q, x) do { (q)[0] = (x) & 0xff; (q)[1] = ((x) >> 8) & 0xff; \
	(q)[2] = ((x) >> 16) & 0xff; (q)[3] = ((x) >> 24) & 0xff; } while (0)
	memcpy(w, "RIFF", 4);
	LE32(w + 4, v[0]);
	memcpy(w + 8, "WAVEfmt ", 8);
	LE32(w + 16, v[1]);
	w[20] = 1; w[21] = 0;		/* PCM */
	w[22] = 1; w[23] = 0;		/* mono */
	LE32(w + 24, v[2]);
	LE32(w + 28, v[3]);
	w[32] = 2; w[33] = 0;		/* block align */
	w[34] = 16; w[35] = 0;		/* bits */
	memcpy(w + 36, "data", 4);
	LE32(w + 40, v[4]);
#undef LE32
	for (i = 0, p = w + 44; i < n; i++, p += 2) {
		p[0] = (unsigned char)((uint16_t)pcm[i] & 0xff);
		p[1] = (unsigned char)((uint16_t)pcm[i] >> 8);
	}
	rc = prov_out_bytes(r, w, 44 + bytes, "audio/wav", err);
	free(w);
	return rc;
}

/* The caller's seed, else a fresh one that we report for reuse. */
static uint64_t
prov_offline_seed(const cJSON *req, struct prov_result *r)
{
	double		 d;
	uint64_t	 s = 0;

	if (prov_num(req, "seed", &d) == 0 && d >= 0 && d <= 4294967295.0)
		s = (uint64_t)d;
	else {
		if (getrandom(&s, sizeof(s), 0) != (ssize_t)sizeof(s))
			s = (uint64_t)(uintptr_t)&s;
		s %= 1000000000;
	}
	r->seed = (long long)s;
	r->has_seed = 1;
	return s;
}

static void
prov_offline_id(const struct prov_job *j, struct prov_result *r)
{
	unsigned char	 b[8];
	char		 id[32];
	size_t		 i;

	if (getrandom(b, sizeof(b), 0) != (ssize_t)sizeof(b))
		memset(b, 0, sizeof(b));
	snprintf(id, sizeof(id), "offline-");
	for (i = 0; i < sizeof(b); i++)
		snprintf(id + 8 + 2 * i, 3, "%02x", b[i]);
	prov_request_id(j, r, id);
}

int
prov_offline_run(const struct prov_job *j, struct prov_result *r,
    struct sf_err *err)
{
	const char	*media = j->ep != NULL ? j->ep->media : NULL;
	const char	*name = j->ep != NULL ? j->ep->name : "";
	uint64_t	 seed;
	int		 rc;

	memset(r, 0, sizeof(*r));
	snprintf(r->source, sizeof(r->source), "offline");
	snprintf(r->model, sizeof(r->model), "offline");
	if (media == NULL)
		return sf_err_set(err, 500, "internal_error", NULL,
		    "offline provider called without an endpoint");
	if (strcmp(media, "video") == 0)
		return sf_err_set(err, 501, "offline_unsupported", NULL,
		    "%s has no offline renderer: configure a provider key "
		    "(e.g. FAL_KEY) to generate video", name);
	prov_offline_id(j, r);
	if (strcmp(media, "image") == 0) {
		seed = prov_offline_seed(j->req, r);
		rc = prov_offline_image(j, seed, r, err);
	} else if (strcmp(media, "audio") == 0) {
		if (prov_str(j->req, "text") != NULL)
			rc = prov_offline_speech(j, r, err);
		else {
			seed = prov_offline_seed(j->req, r);
			rc = prov_offline_tones(j, seed,
			    strstr(name, "music") != NULL, r, err);
		}
	} else
		rc = sf_err_set(err, 501, "offline_unsupported", NULL,
		    "%s has no offline renderer", name);
	if (rc == -1) {
		prov_result_free(r);
		return -1;
	}
	return 0;
}
