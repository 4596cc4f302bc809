/*
 * Endpoint definitions: the single source of truth.  Each file in
 * endpoints/ holds one `const struct def_endpoint ep_<stem>`; the binaries,
 * validation, the 402 offers, the man pages, the site, llms.txt,
 * registry.json and openapi.json all read these structs and nothing else.
 * Every array below ends with an all-zero sentinel ({0} or NULL).
 */
#ifndef SF_DEF_H
#define SF_DEF_H

#include <stddef.h>
#include <stdint.h>

enum def_type {
	DEF_STRING = 1,	/* JSON string */
	DEF_INTEGER,	/* JSON number with no fraction */
	DEF_NUMBER,	/* any finite JSON number */
	DEF_BOOLEAN,
	DEF_URL,	/* JSON string, http(s) URL fetched server-side (guarded) */
	/* JSON string, an http(s) URL this server POSTs a job's status to
	   (flow/webhook.h): guarded before the 402 as DEF_URL (and https on
	   a mainnet), never fetched as an input, never sent upstream. */
	DEF_WEBHOOK,
};

/* One input of the JSON request body. */
struct def_param {
	const char		*name;
	enum def_type		 type;
	int			 required;
	const char		*desc;		/* one sentence or two, page text */
	/* Numbers: inclusive range when has_range; snap > 0 rounds to a multiple. */
	int			 has_range;
	double			 min, max;
	int			 snap;
	/* Default filled in by normalisation (has_default / def_str). */
	int			 has_default;
	double			 def_num;
	const char		*def_str;	/* strings and enums */
	int			 def_bool;
	unsigned		 max_len;	/* strings: max characters (code points) */
	const char *const	*enums;		/* allowed string values */
	/* When set, only these models accept the parameter (400 otherwise). */
	const char *const	*models;
	const char		*example;	/* JSON literal, e.g. "\"a red fox\"" or "1024" */
};

/*
 * A model's own size rule for the width/height inputs, checked before the
 * 402 (a request the upstream would refuse must not be paid for).  0 = no
 * limit.  Sources in reference/providers.md §10.
 */
struct def_size {
	int		 min, max;	/* each side, pixels, inclusive */
	int		 step;		/* each side a multiple of this */
	double		 max_ratio;	/* long side / short side at most */
	int		 max_long;	/* longer side at most ... */
	int		 max_short;	/* ... and shorter side at most */
	const char	*desc;		/* the rule in words, for errors and pages */
};

/* A model the endpoint can run, with its default route and its price. */
struct def_model {
	const char	*id;		/* public id, as on the product pages */
	const char	*label;		/* human name, "" = id */
	const char	*provider;	/* default route: "venice", "fal", "bfl", ... */
	const char	*upstream;	/* provider's model id or path */
	uint64_t	 price;		/* atomic USDC per unit; 0 = endpoint price */
	const char	*notes;
	unsigned	 flags;
	const struct def_size *size;	/* per-model size rule, or NULL */
	/* Why the upstream model is gone, one short clause ("Google shut
	   Imagen down on 2026-08-17"); NULL = in service.  The model is
	   refused before payment (400 model_retired) and pages say so. */
	const char	*retired;
	/* The id of a model of the same endpoint to use instead, or NULL;
	   named in the model_retired message. */
	const char	*replacement;
	/* Values of the "format" input this model can deliver (NULL = every
	   value the input names); another is refused before payment. */
	const char *const *formats;
	/* Most characters of the prompt (or text) this model takes, when it
	   takes fewer than the input's max_len; 0 = the input's. */
	unsigned	 prompt_max;
	/* Why, in a clause, for the two rules above ("Venice's limit"). */
	const char	*limit_why;
};
#define DEF_MODEL_B64	0x01	/* result returned inline as base64 + mimeType */

struct def_tier {
	const char	*name;
	const char	*model;		/* a def_model id */
};

struct def_output {
	const char	*name;
	const char	*type;		/* "string", "number", "integer", "boolean",
					   "array", "object" */
	const char	*desc;
	const char	*example;	/* JSON literal */
	const char	*from;		/* work fact it comes from; NULL = name */
	/*
	 * When the answer carries it (the contract suite checks that it does,
	 * tests/unit/test_contracts.c): only for these models (NULL = every
	 * model), and only when the request holds the input named by when
	 * (true, for a boolean; NULL = always).
	 */
	const char *const *models;
	const char	*when;
};

struct def_endpoint {
	const char		*name;		/* "image-generate" */
	const char		*path;		/* "/v1/image-generate" */
	const char		*cluster;	/* "synthforge" */
	const char		*method;	/* "POST" */
	const char		*category;	/* "image", "audio", "video" */
	const char		*title;		/* NAME line after the dash */
	const char		*summary;	/* one line for ADJACENT tables */
	const char		*description;	/* DESCRIPTION paragraph */
	const char		*media;		/* result kind: "image", "audio", "video" */
	uint64_t		 price;		/* atomic USDC per call (6 decimals) */
	/* Integer input that multiplies the price (e.g. "num_images"). */
	const char		*price_per;
	const char		*price_note;	/* how the price is formed, for pages */
	const struct def_param	*params;
	const char		*tier_param;	/* "tier" or NULL */
	const char		*model_param;	/* "model" or NULL */
	const char		*default_tier;	/* when tiers exist */
	const char		*default_model;	/* when no tier picks one */
	const struct def_tier	*tiers;
	const struct def_model	*models;
	const struct def_output	*outputs;
	const char *const	*tags;
	const char		*example;	/* example request body (JSON) */
	unsigned		 deadline;	/* seconds for the upstream work */
	unsigned		 flags;
	/*
	 * Whether a paid call may run as a job (docs/calling.md, "Jobs"):
	 * answered 202 Accepted with a status URL at once, the work done by
	 * a runner, settled when it succeeds.  DEF_ASYNC_ALLOWED (the
	 * default, 0): synchronous unless the caller sends "Prefer:
	 * respond-async"; DEF_ASYNC_DEFAULT: a job unless the caller sends
	 * "Prefer: wait" (work longer than networks and agents hold a
	 * request open, DEF_SYNC_MAX); DEF_ASYNC_NEVER: always synchronous.
	 */
	enum def_async {
		DEF_ASYNC_ALLOWED = 0,
		DEF_ASYNC_DEFAULT,
		DEF_ASYNC_NEVER,
	}			 async;
};
#define DEF_EP_DEMO	0x01	/* GET ?demo=true serves a free, bounded demo */
/*
 * The longest deadline (seconds) a synchronous answer is the default for:
 * Cloudflare closes a proxied request after 100 s and agent runtimes cut
 * tool calls at 60-120 s, so an endpoint whose deadline is longer runs as
 * a job by default (DEF_ASYNC_DEFAULT; test_defs checks it).
 */
#define DEF_SYNC_MAX	120
/* "never", "allowed", "default": the word pages and registry.json use. */
const char		*def_async_name(enum def_async);

/* Generated at build time from the files in endpoints/: every definition. */
struct def_entry {
	const struct def_endpoint	*ep;
	const char			*stem;	/* file stem = binary name */
};
extern const struct def_entry def_table[];	/* ends with {NULL, NULL} */

const struct def_model	*def_find_model(const struct def_endpoint *, const char *);
const struct def_tier	*def_find_tier(const struct def_endpoint *, const char *);
const struct def_param	*def_find_param(const struct def_endpoint *, const char *);
const struct def_entry	*def_lookup(const char *name);
/* Price of one unit for a model (model price, else the endpoint's). */
uint64_t		 def_model_price(const struct def_endpoint *, const struct def_model *);
/* Lowest and highest price per call over all models (per unit). */
void			 def_price_range(const struct def_endpoint *, uint64_t *, uint64_t *);
/* "0.01" style decimal of atomic USDC (6 decimals), trailing zeros kept to 2. */
void			 def_usd(uint64_t atomic, char *buf, unsigned long sz);

#endif
