/*
 * Strict validation of a JSON request body against its definition, then
 * normalisation (defaults filled, sizes snapped) and pricing of that exact
 * request.  Pure: no I/O, no configuration.
 */
#ifndef SF_VAL_H
#define SF_VAL_H

#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

struct def_endpoint;
struct def_param;
struct def_model;
struct def_tier;
struct sf_err;

struct val_result {
	cJSON			*req;	/* normalised body, owned */
	const struct def_model	*model;
	const char		*tier;	/* tier name echoed back, or NULL */
	uint64_t		 price;	/* atomic USDC for this request */
	char			 amount[24];	/* same, decimal string */
};

/*
 * A POST body, parsed once and strictly (val_json.h), then checked
 * against the definition.  paying: whether the request carries a
 * payment; without one a discovery probe (no body, or "{}", whatever the
 * Content-Type) is priced as the default request (val_probe.h).
 * Otherwise, in this order: 415 unsupported_media_type (Content-Type not
 * application/json), 400 invalid_json (not JSON, or no body),
 * 400 invalid_character / invalid_encoding (the parse's findings, field
 * named), then val_object's errors.  0 with res filled, or -1 with err.
 */
int	val_body(const struct def_endpoint *, const char *content_type,
	    const char *body, size_t len, int paying, struct val_result *,
	    struct sf_err *);
/* val_body of a request that carries a payment (no probe). */
int	val_request(const struct def_endpoint *, const char *content_type,
	    const char *body, size_t len, struct val_result *, struct sf_err *);
/* Same from an already parsed object (e.g. query parameters); takes obj. */
int	val_object(const struct def_endpoint *, cJSON *obj,
	    struct val_result *, struct sf_err *);
void	val_result_free(struct val_result *);
/* Whether a parameter applies to a model (def_param.models). */
int	val_model_allows(const struct def_param *, const struct def_model *);
/*
 * The model's own rules from its definition: 400 model_retired (field
 * "model") when def_model.retired is set; 400 invalid_size (field width
 * or height) when the request's width/height break def_model.size.
 */
int	val_model_rules(const struct def_model *, const cJSON *obj,
	    struct sf_err *);

#endif
