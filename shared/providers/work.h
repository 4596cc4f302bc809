/*
 * The work step, called by the request flow after the payment verified
 * and was claimed: resolve the route, run the adapter under the
 * endpoint's deadline, store every output permanently (media_store, or
 * media_fetch then media_store for upstream URLs) and describe the run
 * as a facts object the flow shapes into the response.
 */
#ifndef SF_WORK_H
#define SF_WORK_H

#include <stdint.h>

#include <cjson/cJSON.h>

struct cfg;
struct def_endpoint;
struct def_model;
struct sf_err;

struct work_job {
	const struct def_endpoint *ep;
	const struct def_model	*model;		/* chosen public model */
	const char		*tier;		/* tier name, or NULL */
	const cJSON		*req;		/* normalised request */
	const struct cfg	*cfg;
	int64_t			 deadline_ms;	/* 0 = now + ep->deadline */
	/* Free demo without paid-upstream budget: the offline provider. */
	int			 force_offline;
	/* Upstream id, as soon as known and before any polling. */
	void			(*on_request_id)(void *, const char *);
	void			*arg;
	/* A job's run, handed to the adapter (prov.h: struct prov_job). */
	const cJSON		*resume;
	void			(*on_upstream)(void *, const cJSON *ref);
	void			(*on_progress)(void *, const char *);
	int			(*should_stop)(void *);
};

/*
 * Facts (all optional but the URL, model, source, elapsed_ms):
 *   image_url | audio_url | video_url   first stored output (per ep->media)
 *   images, urls    arrays of every stored URL (images only for "image")
 *   model           public model id;  upstream_model: the provider's id
 *   tier, prompt, voice, characters     echoed / counted from the request
 *   width, height   pixels (provider, else read from the stored image)
 *   seed            number (a raw integer literal beyond 2^53)
 *   duration        seconds (audio/video), when known
 *   format          file extension of the stored output ("png", "mp3")
 *   mime_type       MIME type of the stored output
 *   elapsed_ms      from the start of work_run to the media stored
 *   request_id, venice_request_id   the upstream request id
 *   source          provider tag ("venice", "fal", ..., "offline")
 *   base64, mimeType   for DEF_MODEL_B64 models: the stored bytes inline
 * Returns 0 with *facts (caller frees), or -1 with err set (422, 502,
 * 503, 504; nothing to settle).
 */
int	work_run(const struct work_job *, cJSON **facts, struct sf_err *);

/*
 * Cancel upstream the job of ref (a reference a queue adapter handed
 * over: prov.h) whose runner is gone, by its provider ("provider" in
 * ref): fal's cancel_url, Replicate's cancel.  1 asked, 0 the provider
 * cannot cancel (nothing sent), -1 with err (the request failed).
 */
int	work_cancel(const struct cfg *, const cJSON *ref, struct sf_err *);

/* Pixel size of PNG, JPEG, WebP or GIF bytes; -1 if not recognised. */
int	work_image_size(const unsigned char *, size_t, int *w, int *h);

#endif
