/*
 * The offline provider: honest local stand-ins used when no provider key
 * is configured (the router never picks it on a mainnet).  Images are real
 * PNGs rendered with libgd at the requested size, showing the prompt and
 * the parameters, deterministic for a seed; image-input endpoints fetch
 * their inputs through urlguard and apply a simple local version of the
 * operation (resample, canvas expansion, corner-colour cut-out, mask fill,
 * overlay).  Speech is espeak-ng, music and sound effects are synthesised
 * tones and noise, all 16-bit mono WAV.  Video is not rendered: 501
 * offline_unsupported.  Results carry source "offline", model "offline".
 */
#ifndef SF_PROV_OFFLINE_H
#define SF_PROV_OFFLINE_H

#include "providers/prov.h"

int	prov_offline_run(const struct prov_job *, struct prov_result *,
	    struct sf_err *);

#endif
