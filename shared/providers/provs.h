/*
 * The upstream adapters, one file each, and the table that names them
 * with the configuration keys of their credentials and base URLs.
 */
#ifndef SF_PROVS_H
#define SF_PROVS_H

#include "providers/prov.h"

typedef int	(*prov_run_fn)(const struct prov_job *, struct prov_result *,
		    struct sf_err *);
/* Cancel the upstream job of ref (prov_upstream's): 1 asked, -1 err. */
typedef int	(*prov_cancel_fn)(const struct prov_job *, const cJSON *ref,
		    struct sf_err *);

struct prov_info {
	const char	*name;		/* route name: "venice", "fal", ... */
	const char	*key;		/* config key of the credential */
	const char	*base_key;	/* config key of the base URL */
	const char	*base_def;	/* default base URL, no trailing slash */
	prov_run_fn	 run;
	prov_cancel_fn	 cancel;	/* NULL: the provider cannot cancel */
};

/* Every provider; ends with a zero entry.  "offline" has no key. */
extern const struct prov_info provs_table[];
const struct prov_info	*provs_find(const char *name);
/* Base URL from config (trailing slash dropped into buf) or the default. */
const char		*provs_base(const struct prov_job *, char *buf,
			    size_t sz);
/* The credential, or NULL when the provider needs none / has none. */
const char		*provs_key(const struct prov_job *);

int	prov_venice_run(const struct prov_job *, struct prov_result *,
	    struct sf_err *);
int	prov_fal_run(const struct prov_job *, struct prov_result *,
	    struct sf_err *);
int	prov_fal_cancel(const struct prov_job *, const cJSON *ref,
	    struct sf_err *);
/*
 * A fal result (the JSON of the response_url) of endpoint id into r: the
 * files of images[] or of image/video/audio/audio_file, the endpoint's
 * mask (fal_models.h) as an output of role "mask", seed, duration (or
 * duration_ms).  0, or -1 with 502 upstream_error (no media, a URL that is
 * not http(s)) or 500.  Pure: no I/O (a parser the fuzz targets may call).
 */
int	prov_fal_outputs(const char *id, const cJSON *res,
	    struct prov_result *r, struct sf_err *err);
int	prov_bfl_run(const struct prov_job *, struct prov_result *,
	    struct sf_err *);
/*
 * OpenAI-compatible images/generations (prov_oaicompat.c): the call, the
 * error mapping and the outputs; *resp gets the parsed answer (caller frees).
 */
int	prov_oaicompat_images(const struct prov_job *, struct prov_result *,
	    const char *who, const cJSON *in, cJSON **resp, struct sf_err *);
int	prov_openai_run(const struct prov_job *, struct prov_result *,
	    struct sf_err *);
/* Gemini generateContent, or Imagen :predict when upstream is imagen-*. */
int	prov_google_run(const struct prov_job *, struct prov_result *,
	    struct sf_err *);
int	prov_xai_run(const struct prov_job *, struct prov_result *,
	    struct sf_err *);
/* upstream: "sound-effects", "music", or a TTS model_id. */
int	prov_elevenlabs_run(const struct prov_job *, struct prov_result *,
	    struct sf_err *);
/* upstream: "owner/name" (official model) or a version hash. */
int	prov_replicate_run(const struct prov_job *, struct prov_result *,
	    struct sf_err *);
int	prov_replicate_cancel(const struct prov_job *, const cJSON *ref,
	    struct sf_err *);

#endif
