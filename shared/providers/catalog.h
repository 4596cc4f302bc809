/*
 * Model availability: whether every routed upstream model still exists,
 * asked of each configured provider's own catalogue (issue 14):
 *   google      ListModels  GET {base}/models (pages of 1000)
 *   openai      GET {base}/models
 *   venice      GET {base}/models?type=all
 *   fal         platform API GET {FAL_API_BASE_URL}/models?endpoint_id=<id>
 *               (default https://api.fal.ai/v1)
 *   bfl         no catalogue: GET {base}/v1/<model> answers 404 when the
 *               model route does not exist (405 when it does; no job made)
 *   elevenlabs  GET {base}/v1/models (TTS model_ids; "sound-effects" and
 *               "music" are APIs, not models)
 *   replicate   GET {base}/models/<owner>/<name>
 *   xai, offline: not checked.
 * A GET /models/{id} of Google may answer 200 for a retired id, so only
 * ListModels counts.  Routes that run offline are not asked about.
 */
#ifndef SF_CATALOG_H
#define SF_CATALOG_H

struct cfg;
struct def_endpoint;
struct def_entry;
struct def_model;
struct route;

enum catalog_state {
	CATALOG_OK = 0,		/* the provider lists the model */
	CATALOG_MISSING,	/* it does not: calls would fail */
	CATALOG_UNCHECKED	/* offline, no catalogue, or it did not answer */
};

typedef void	(*catalog_cb)(void *, const struct def_endpoint *,
		    const struct def_model *, const struct route *,
		    enum catalog_state, const char *why);

/*
 * Check every (endpoint, model) of table; cb gets each with its state and,
 * unless OK, why.  Each request has timeout_ms.  Returns the number of
 * missing models.
 */
int	catalog_check(const struct cfg *, const struct def_entry *table,
	    long timeout_ms, catalog_cb, void *arg);

/*
 * The last result, for /healthz: catalog_check run with the result
 * written as JSON ({"checked_at","missing":[{endpoint,model,provider,
 * upstream,why}],"unchecked":N,"ok":N}) to MODEL_CHECK_FILE (default
 * var/model-check.json).  Returns the number missing, -1 if the file
 * could not be written.
 */
int	catalog_check_save(const struct cfg *, const struct def_entry *table,
	    long timeout_ms, catalog_cb, void *arg);
/* The saved result as read back (malloc'd JSON text), or NULL. */
char	*catalog_last(const struct cfg *);

typedef void	(*catalog_schema_cb)(void *, const struct def_endpoint *,
		    const struct def_model *, const char *upstream,
		    int breaking, const char *what);

/*
 * Each fal endpoint routed (once per endpoint id): the input schema fal
 * serves for it (GET FAL_OPENAPI_URL?endpoint_id=<id>, default
 * https://fal.ai/api/openapi/queue/openapi.json) against the contract the
 * tests were built from (FAL_CONTRACTS_FILE, default
 * etc/fal-contracts.json; providers/fal_schema.h); cb gets every
 * difference, or why an endpoint could not be compared (breaking 0).
 * Returns the number of breaking differences, -1 when the contract file
 * cannot be read.
 */
int	catalog_fal_schemas(const struct cfg *, const struct def_entry *table,
	    long timeout_ms, catalog_schema_cb, void *arg);

#endif
