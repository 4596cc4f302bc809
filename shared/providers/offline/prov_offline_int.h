/* Pieces of the offline provider (prov_offline*.c); not for other modules. */
#ifndef SF_PROV_OFFLINE_INT_H
#define SF_PROV_OFFLINE_INT_H

#include <stdint.h>

#include "providers/prov.h"

/* splitmix64: small, seedable, the same on every platform. */
uint64_t	prov_offline_rand(uint64_t *state);
int		prov_offline_image(const struct prov_job *, uint64_t seed,
		    struct prov_result *, struct sf_err *);
int		prov_offline_speech(const struct prov_job *,
		    struct prov_result *, struct sf_err *);
int		prov_offline_tones(const struct prov_job *, uint64_t seed,
		    int music, struct prov_result *, struct sf_err *);
/* 16-bit mono PCM as a WAV file added to r (copied). */
int		prov_offline_wav(struct prov_result *, const int16_t *,
		    size_t n, unsigned rate, struct sf_err *);

#endif
