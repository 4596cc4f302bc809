/*
 * How each fal endpoint takes our inputs: one row per endpoint id the
 * definitions route to, read off its published input type (@fal-ai/client
 * src/types/endpoints.d.ts, or fal-js at the commit tests/fakes/contracts/
 * names; the contract suite checks every row against it).  An id without a
 * row (a ROUTE_* override to another fal endpoint) gets the prompt, the
 * image and the seed under fal's common names, and nothing else.
 */
#ifndef SF_FAL_MODELS_H
#define SF_FAL_MODELS_H

#include <cjson/cJSON.h>

struct prov_job;
struct sf_err;

/*
 * The fal input body of job j (caller frees).  Sizes are fitted to the
 * model's own rules (an image_size scaled up into its pixel range, the
 * nearest aspect ratio it takes, the resolution tier its side needs);
 * bria/expand's canvas is computed from the input image, fetched through
 * the URL guard.  NULL with err set (400 from the input fetch, 500 out of
 * memory).
 */
cJSON	*fal_models_input(const struct prov_job *j, struct sf_err *err);
/*
 * Whether the endpoint's result holds a mask besides the image (birefnet
 * mask_image when output_mask is asked): the name of that output field,
 * else NULL.
 */
const char *fal_models_mask_output(const char *id);

#endif
