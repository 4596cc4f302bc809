/*
 * Rows that several definitions share, defined once.  Each macro expands
 * to one initializer (or a few) of the definition tables in basics/def.h;
 * what differs between endpoints (the sentence saying what the image is
 * for, the example values) stays an argument.
 */
#ifndef SF_ENDPOINT_ROWS_H
#define SF_ENDPOINT_ROWS_H

#include "basics/def.h"

/* An input image fetched through the URL guard (media/urlguard.c caps it). */
#define ROW_URL_MAX	2048
#define ROW_URL(name_, required_)					\
	.name = (name_), .type = DEF_URL, .required = (required_),	\
	.max_len = ROW_URL_MAX

/*
 * The job's webhook (issue 25), on every endpoint (each can run as a
 * job): where the job's status is POSTed, signed by the Standard Webhooks
 * rules with the per-job secret the 202 hands out.  Checked before the
 * 402 (flow/webhook.h), never fetched, never sent to a provider.
 */
#define ROW_WEBHOOK_URL							\
	{ .name = "webhook_url", .type = DEF_WEBHOOK,			\
	  .max_len = ROW_URL_MAX,					\
	  .desc = "When the call runs as a job, each change of its status "\
	  "is POSTed here (the job status body), signed by the Standard "	\
	  "Webhooks rules with the job's own secret and retried with "	\
	  "backoff. A public address; https on mainnets.",		\
	  .example = "\"https://example.com/hooks/synthforge\"" }

/* The video endpoints' clip controls (Seedance on fal and Venice). */
#define ROW_VIDEO_RESOLUTION						\
	{ .name = "resolution", .type = DEF_STRING,			\
	  .enums = (const char *const[]){ "480p", "720p", NULL },	\
	  .def_str = "720p", .desc = "Video resolution: 480p or 720p "	\
	  "(default).", .example = "\"720p\"" }
#define ROW_VIDEO_DURATION_RANGE	.type = DEF_INTEGER, .has_range = 1, \
	.min = 4, .max = 10

/* What every video endpoint answers besides its own fields. */
#define ROW_OUT_VIDEO_URL(example_)					\
	{ "video_url", "string", "Permanent MP4 URL of the generated clip.", \
	  (example_) }
#define ROW_OUT_VIDEO_FRAME						\
	{ "resolution", "string", "Video resolution.", "\"720p\"" },	\
	{ "width", "number", "Frame width in pixels.", "1280" },	\
	{ "height", "number", "Frame height in pixels.", "720" }
#define ROW_OUT_ELAPSED(example_)					\
	{ "elapsed_ms", "number", "Server-side generation time in "	\
	  "milliseconds.", (example_) }
#define ROW_OUT_REQUEST_ID						\
	{ "request_id", "string", "Upstream request ID for support.",	\
	  "\"019a7c2e-...\"" }

#endif
