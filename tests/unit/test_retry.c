/*
 * providers/retry.c policy (Retry-After, rate-limit resets, backoff,
 * which outcomes may be resent for a billable submit or an idempotent
 * call), prov.c error mapping over every provider's error shape and
 * secret redaction, and route.c resolution.  No network.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "basics/cfg.h"
#include "basics/def.h"
#include "basics/err.h"
#include "http/http.h"
#include "providers/prov.h"
#include "providers/provs.h"
#include "providers/retry.h"
#include "providers/route.h"
#include "providers/work.h"
#include "tap.h"

static void
test_retry_after(void)
{
	time_t	 now = 1700000000;	/* Tue, 14 Nov 2023 22:13:20 GMT */

	TAP_OK(retry_after_ms("5", now) == 5000, "Retry-After: 5");
	TAP_OK(retry_after_ms(" 0", now) == 0, "Retry-After: 0");
	TAP_OK(retry_after_ms("1.5", now) == -1, "fraction refused");
	TAP_OK(retry_after_ms("abc", now) == -1, "garbage refused");
	TAP_OK(retry_after_ms(NULL, now) == -1, "absent");
	TAP_OK(retry_after_ms("999999", now) == -1, "over a day");
	TAP_OK(retry_after_ms("Tue, 14 Nov 2023 22:13:27 GMT", now) ==
	    7000, "HTTP-date 7 s ahead");
	TAP_OK(retry_after_ms("Tue, 14 Nov 2023 22:00:00 GMT", now) == 0,
	    "HTTP-date in the past");
	TAP_OK(retry_after_ms("Tue, 14 Nov 2023 22:13:27", now) == -1,
	    "date without GMT refused");
}

static void
test_reset(void)
{
	time_t	 now = 1700000000;

	TAP_OK(retry_reset_ms("1s", now) == 1000, "reset 1s (OpenAI)");
	TAP_OK(retry_reset_ms("6m0s", now) == 360000, "reset 6m0s");
	TAP_OK(retry_reset_ms("1m30.5s", now) == 90500, "reset 1m30.5s");
	TAP_OK(retry_reset_ms("250ms", now) == 250, "reset 250ms");
	TAP_OK(retry_reset_ms("2", now) == 2000, "reset seconds (BFL)");
	TAP_OK(retry_reset_ms("1700000004", now) == 4000,
	    "reset unix time (Venice)");
	TAP_OK(retry_reset_ms("1699999990", now) == 0, "reset in the past");
	TAP_OK(retry_reset_ms("soon", now) == -1, "reset garbage");
	TAP_OK(retry_reset_ms("3x", now) == -1, "reset bad unit");
	/* Found by fuzz_provider_replicate: beyond a day, and what strtod
	   also reads (nan, inf), is no hint, and never overflows. */
	TAP_OK(retry_reset_ms("9888888888888888888888888888888888888888888888888"
	    "888888888888888888", now) == -1, "reset: a unix time 1e69 away");
	TAP_OK(retry_reset_ms("1700086401", now) == -1, "reset: a unix time "
	    "a day and a second away");
	TAP_OK(retry_reset_ms("1700086399", now) == 86399000, "reset: a unix "
	    "time just under a day away");
	TAP_OK(retry_reset_ms("nan", now) == -1, "reset: nan");
	TAP_OK(retry_reset_ms("inf", now) == -1, "reset: inf");
	TAP_OK(retry_reset_ms("nans", now) == -1, "reset: nan seconds");
	TAP_OK(retry_reset_ms("1e300s", now) == -1, "reset: 1e300 seconds");
	TAP_OK(retry_reset_ms("1e300h1s", now) == -1, "reset: 1e300 hours");
}

static void
test_backoff(void)
{
	int64_t	 d;
	int	 ok, n;
	uint32_t r;

	TAP_OK(retry_backoff_ms(0, 1000, -1, 0) == 750, "first backoff -25 %%");
	TAP_OK(retry_backoff_ms(0, 1000, -1, 500) == 1250,
	    "first backoff +25 %%");
	TAP_OK(retry_backoff_ms(2, 1000, -1, 1000) == 4000, "doubles");
	ok = 1;
	for (n = 0; n < 20; n++)
		for (r = 0; r < 100000; r += 7919) {
			d = retry_backoff_ms(n, 1000, -1, r);
			if (d < 750 || d > 37500)
				ok = 0;
		}
	TAP_OK(ok, "backoff stays within [0.75 s, 37.5 s]");
	TAP_OK(retry_backoff_ms(5, 1000, 3000, 0) == 3000, "hint honoured");
	d = retry_backoff_ms(0, 1000, 3000, 1000);
	TAP_OK(d >= 3000 && d <= 3250, "hint plus small spread");
	TAP_OK(retry_backoff_ms(0, 1000, 600000, 0) == 60000, "hint capped");
	TAP_OK(retry_backoff_ms(0, 0, -1, 250) == 1000, "default base 1 s");
}

static void
test_retryable(void)
{
	TAP_OK(retry_status(429, NULL), "429 retried");
	TAP_OK(retry_status(502, NULL), "502 retried");
	TAP_OK(retry_status(503, NULL), "503 retried");
	TAP_OK(retry_status(504, NULL), "504 retried");
	TAP_OK(retry_status(504, "infrastructure"),
	    "fal infrastructure 504 retried");
	TAP_OK(!retry_status(504, "user"),
	    "fal user-timeout 504 not retried");
	TAP_OK(!retry_status(500, NULL), "500 not retried");
	TAP_OK(!retry_status(400, NULL), "400 not retried");
	TAP_OK(!retry_status(422, NULL), "422 not retried");
}

/* What a billable submit may resend, against a poll (issue 14, item 3). */
static void
test_should(void)
{
	struct http_resp	 r;

	memset(&r, 0, sizeof(r));
	r.status = 429;
	TAP_OK(retry_should(RETRY_SUBMIT, 0, &r), "submit: 429 resent");
	r.status = 503;
	TAP_OK(!retry_should(RETRY_SUBMIT, 0, &r), "submit: 503 not resent");
	TAP_OK(retry_should(RETRY_IDEMPOTENT, 0, &r), "poll: 503 resent");
	r.status = 502;
	TAP_OK(!retry_should(RETRY_SUBMIT, 0, &r), "submit: 502 not resent");
	r.status = 500;
	TAP_OK(!retry_should(RETRY_IDEMPOTENT, 0, &r), "poll: 500 not resent");
	r.status = 0;
	r.fail = HTTP_UNSENT;
	TAP_OK(retry_should(RETRY_SUBMIT, -1, &r),
	    "submit: nothing sent, resent");
	r.fail = HTTP_TRANSPORT;
	TAP_OK(!retry_should(RETRY_SUBMIT, -1, &r),
	    "submit: broken after sending, not resent");
	TAP_OK(retry_should(RETRY_IDEMPOTENT, -1, &r),
	    "poll: broken after sending, resent");
	r.fail = HTTP_TIMEOUT;
	TAP_OK(!retry_should(RETRY_IDEMPOTENT, -1, &r), "timeout not resent");
	r.fail = HTTP_UNSENT;
	TAP_OK(!retry_should(RETRY_NONE, -1, &r), "RETRY_NONE never resends");
}

static void
hdr(struct http_resp *r, const char *n, const char *v)
{
	r->hdrs[r->nhdrs].name = strdup(n);
	r->hdrs[r->nhdrs].value = strdup(v);
	r->nhdrs++;
}

static void
test_hint(void)
{
	struct http_resp r;
	time_t		 now = time(NULL);

	memset(&r, 0, sizeof(r));
	r.status = 429;
	hdr(&r, "retry-after", "3");
	TAP_OK(retry_hint_ms(&r, now) == 3000, "hint from Retry-After");
	http_resp_free(&r);

	memset(&r, 0, sizeof(r));
	r.status = 429;
	hdr(&r, "x-ratelimit-reset-requests", "2s");
	TAP_OK(retry_hint_ms(&r, now) == 2000, "hint from OpenAI reset");
	TAP_STREQ(http_header(&r, "X-RateLimit-Reset-Requests"), "2s",
	    "header lookup ignores case");
	http_resp_free(&r);

	memset(&r, 0, sizeof(r));
	r.status = 503;
	hdr(&r, "x-ratelimit-reset-requests", "2s");
	TAP_OK(retry_hint_ms(&r, now) == -1, "no reset hint unless 429");
	http_resp_free(&r);

	memset(&r, 0, sizeof(r));
	r.status = 429;
	hdr(&r, "retry-after-ms", "120");
	TAP_OK(retry_hint_ms(&r, now) == 120, "hint from retry-after-ms");
	http_resp_free(&r);
}

static void
err_case(const char *who, long st, const char *body, const char *secret,
    int want_st, const char *want_code, const char *want_sub,
    const char *name)
{
	struct sf_err	 e;

	sf_err_clear(&e);
	prov_http_error(who, st, body, secret, &e);
	TAP_OK(e.status == want_st && strcmp(e.code, want_code) == 0 &&
	    (want_sub == NULL || strstr(e.message, want_sub) != NULL) &&
	    (secret == NULL || strstr(e.message, secret) == NULL),
	    "%s (%d %s: %s)", name, e.status, e.code, e.message);
}

static void
test_errors(void)
{
	const char *key = "sk-test-SECRET-1234";

	err_case("fal", 422, "{\"detail\":[{\"loc\":[\"body\",\"prompt\"],"
	    "\"msg\":\"field required\",\"type\":\"value_error.missing\"}]}",
	    NULL, 422, "upstream_rejected", "prompt: field required",
	    "fal pydantic 422");
	err_case("fal", 422, "{\"detail\":\"image too large\"}", NULL, 422,
	    "upstream_rejected", "image too large", "fal string detail");
	err_case("fal", 422, "{\"detail\":[{\"loc\":[\"body\"],\"msg\":\"flagged"
	    "\",\"type\":\"content_policy_violation\"}]}", NULL, 422,
	    "content_moderated", NULL, "fal content policy type");
	err_case("Venice", 400, "{\"error\":\"Invalid request\",\"details\":"
	    "{\"_errors\":[]}}", NULL, 422, "upstream_rejected",
	    "Invalid request", "Venice 400");
	err_case("Venice", 422, "{\"error\":\"Your prompt violates our content "
	    "policy\",\"code\":\"CONTENT_POLICY_VIOLATION\"}", NULL, 422,
	    "content_moderated", NULL, "Venice content policy");
	err_case("OpenAI", 400, "{\"error\":{\"message\":\"Your request was "
	    "rejected by the safety system.\",\"type\":\"invalid_request_error\""
	    ",\"code\":\"moderation_blocked\"}}", NULL, 422, "content_moderated",
	    NULL, "OpenAI moderation_blocked");
	err_case("OpenAI", 400, "{\"error\":{\"message\":\"Invalid size\","
	    "\"type\":\"invalid_request_error\",\"param\":\"size\",\"code\":null}}",
	    NULL, 422, "upstream_rejected", "Invalid size", "OpenAI 400");
	err_case("Google", 400, "{\"error\":{\"code\":400,\"message\":\"Bad "
	    "aspect\",\"status\":\"INVALID_ARGUMENT\"}}", NULL, 422,
	    "upstream_rejected", "Bad aspect", "Google INVALID_ARGUMENT");
	err_case("Google", 429, "{\"error\":{\"code\":429,\"message\":\"Resource "
	    "exhausted\",\"status\":\"RESOURCE_EXHAUSTED\"}}", NULL, 502,
	    "upstream_error", "rate limiting", "Google 429");
	err_case("ElevenLabs", 400, "{\"detail\":{\"status\":\"content_policy_"
	    "violation\",\"message\":\"nope\"}}", NULL, 422, "content_moderated",
	    NULL, "ElevenLabs moderation");
	err_case("ElevenLabs", 422, "{\"detail\":[{\"loc\":[\"body\",\"text\"],"
	    "\"msg\":\"too long\",\"type\":\"value_error\"}]}", NULL, 422,
	    "upstream_rejected", "text: too long", "ElevenLabs 422");
	err_case("BFL", 429, "{\"error\":\"rate_limit_exceeded\",\"message\":"
	    "\"slow down\",\"retry_after\":5}", NULL, 502, "upstream_error", NULL,
	    "BFL 429");
	err_case("Replicate", 422, "{\"title\":\"Input validation failed\","
	    "\"detail\":\"- input.width: must be <= 1440\",\"status\":422}", NULL,
	    422, "upstream_rejected", "must be <= 1440", "Replicate 422");
	err_case("OpenAI", 401, "{\"error\":{\"message\":\"Incorrect API key "
	    "provided: sk-test-SECRET-1234\"}}", key, 502, "upstream_error",
	    "credentials", "401 never echoes the key");
	err_case("fal", 422, "{\"detail\":\"bad prompt for sk-test-SECRET-1234"
	    "\"}", key, 422, "upstream_rejected", "[redacted]",
	    "key inside a 422 message is redacted");
	err_case("fal", 402, "{\"detail\":\"Exhausted balance\"}", NULL, 502,
	    "upstream_error", "credit", "402 out of credit");
	err_case("fal", 500, "<html>oops</html>", NULL, 502, "upstream_error",
	    "HTTP 500", "HTML 500");
	err_case("fal", 504, "{}", NULL, 504, "upstream_timeout", NULL,
	    "504 is a timeout");
	err_case("fal", 408, "{}", NULL, 504, "upstream_timeout", NULL,
	    "408 is a timeout");
	err_case("Venice", 503, "{\"error\":\"Model at capacity\"}", NULL, 502,
	    "upstream_error", "capacity", "Venice 503");
}

static void
test_helpers(void)
{
	static const char *const r1[] = { "1:1", "4:3", "3:4", "16:9", "9:16",
	    NULL };
	char	 out[64];
	int	 w, h;
	static const unsigned char png[] = "\x89PNG\r\n\x1a\n\0\0\0\rIHDR"
	    "\0\0\x04\0\0\0\x03\0\x08\x02\0\0\0";
	static const unsigned char gif[] = "GIF89a\x40\0\x20\0";
	static const unsigned char jpg[] = { 0xff, 0xd8, 0xff, 0xe0, 0, 4,
	    'a', 'b', 0xff, 0xc0, 0, 0x11, 8, 1, 0, 2, 0, 3, 0 };

	TAP_STREQ(prov_aspect(1024, 768, r1), "4:3", "aspect 1024x768");
	TAP_STREQ(prov_aspect(1920, 1080, r1), "16:9", "aspect 1920x1080");
	TAP_STREQ(prov_aspect(512, 1024, r1), "9:16", "aspect 512x1024");
	TAP_STREQ(prov_aspect(0, 0, r1), "1:1", "aspect unknown");
	prov_sanitise(out, sizeof(out), "a\nb\tc KEY123 d", "KEY123");
	TAP_STREQ(out, "a b c [redacted] d", "sanitise");
	TAP_OK(prov_is_moderation("CONTENT_POLICY_VIOLATION"),
	    "moderation code");
	TAP_OK(!prov_is_moderation("value_error"), "not moderation");
	TAP_OK(work_image_size(png, sizeof(png) - 1, &w, &h) == 0 &&
	    w == 1024 && h == 768, "PNG size");
	TAP_OK(work_image_size(gif, sizeof(gif) - 1, &w, &h) == 0 &&
	    w == 64 && h == 32, "GIF size");
	TAP_OK(work_image_size(jpg, sizeof(jpg) - 1, &w, &h) == 0 &&
	    w == 512 && h == 256, "JPEG size");
	TAP_OK(work_image_size((const unsigned char *)"nope", 4, &w, &h) ==
	    -1, "unknown bytes");
}

static struct cfg *
mkcfg(int mainnet, const char *const *kv)
{
	struct cfg	*c;
	size_t		 n;

	c = calloc(1, sizeof(*c));
	for (n = 0; kv[n * 2] != NULL; n++)
		continue;
	c->keys = calloc(n + 1, sizeof(char *));
	c->vals = calloc(n + 1, sizeof(char *));
	for (c->n = 0; c->n < n; c->n++) {
		c->keys[c->n] = strdup(kv[c->n * 2]);
		c->vals[c->n] = strdup(kv[c->n * 2 + 1]);
	}
	c->any_mainnet = mainnet;
	return c;
}

static void
count_cb(void *arg, const struct def_endpoint *ep, const struct def_model *m,
    const struct route *rt, const struct sf_err *e)
{
	(void)ep;
	(void)m;
	(void)rt;
	(void)e;
	(*(int *)arg)++;
}

static void
test_route(void)
{
	static const struct def_model models[] = {
		{ .id = "wai-Illustrious", .provider = "venice",
		  .upstream = "wai-Illustrious" },
		{ .id = "flux", .provider = "fal", .upstream = "fal-ai/flux-2-pro" },
		{ 0 }
	};
	static const struct def_endpoint ep = { .name = "image-generate",
	    .models = models, .media = "image" };
	static const struct def_entry table[] = { { &ep, "x" }, { 0 } };
	static const char *const none[] = { NULL };
	static const char *const keys[] = {
		"VENICE_API_KEY", "v-key",
		"ROUTE_IMAGE_GENERATE_FLUX", "bfl:flux-2-pro",
		"BFL_API_KEY", "b-key", NULL
	};
	static const char *const bad[] = {
		"VENICE_API_KEY", "v-key",
		"ROUTE_IMAGE_GENERATE_FLUX", "nosuch:x", NULL
	};
	struct cfg	*c;
	struct route	 rt;
	struct sf_err	 e;
	char		 k[128];
	int		 n = 0;

	route_key("image-generate", "wai-Illustrious", k, sizeof(k));
	TAP_STREQ(k, "ROUTE_IMAGE_GENERATE_WAI_ILLUSTRIOUS", "route key");
	route_key("image-generate-ultra", "gpt-image-1.5", k, sizeof(k));
	TAP_STREQ(k, "ROUTE_IMAGE_GENERATE_ULTRA_GPT_IMAGE_1_5",
	    "route key with dots");

	c = mkcfg(0, none);
	sf_err_clear(&e);
	TAP_OK(route_resolve(c, &ep, &models[0], &rt, &e) == 0 && rt.offline &&
	    strcmp(rt.prov->name, "offline") == 0 &&
	    strstr(rt.why, "VENICE_API_KEY") != NULL,
	    "testnet without key -> offline (%s)", rt.why);
	k[0] = (char)route_list_offline(c, table, count_cb, &n);
	TAP_OK(k[0] == 2 && n == 2, "both routes listed offline");
	cfg_free(c);

	c = mkcfg(1, none);
	sf_err_clear(&e);
	TAP_OK(route_resolve(c, &ep, &models[0], &rt, &e) == -1 &&
	    e.status == 503 && strcmp(e.code, "provider_unavailable") == 0,
	    "mainnet without key -> 503 (%s)", e.message);
	cfg_free(c);

	c = mkcfg(1, keys);
	TAP_OK(route_resolve(c, &ep, &models[0], &rt, &e) == 0 &&
	    !rt.offline && strcmp(rt.provider, "venice") == 0 &&
	    strcmp(rt.upstream, "wai-Illustrious") == 0, "default route");
	TAP_OK(route_resolve(c, &ep, &models[1], &rt, &e) == 0 &&
	    strcmp(rt.provider, "bfl") == 0 &&
	    strcmp(rt.upstream, "flux-2-pro") == 0, "config override");
	n = 0;
	k[0] = (char)route_list_offline(c, table, count_cb, &n);
	TAP_OK(k[0] == 0 && n == 0, "nothing offline");
	cfg_free(c);

	c = mkcfg(0, bad);
	sf_err_clear(&e);
	TAP_OK(route_resolve(c, &ep, &models[1], &rt, &e) == -1 &&
	    e.status == 503, "unknown provider refused (%s)", e.message);
	cfg_free(c);
}

/* route_usable: what the generator and tools/list show, per model. */
static void
test_route_usable(void)
{
	static const struct def_model vmodels[] = {
		{ .id = "kling", .provider = "fal", .upstream = "fal-ai/kling" },
		{ 0 }
	};
	static const struct def_endpoint video = { .name = "text-to-video",
	    .models = vmodels, .media = "video" };
	static const struct def_model imodels[] = {
		{ .id = "old", .provider = "fal", .retired = "gone" },
		{ .id = "wai", .provider = "venice" },
		{ .id = "flux", .provider = "fal" },
		{ 0 }
	};
	static const struct def_endpoint image = { .name = "image-generate",
	    .models = imodels, .media = "image" };
	static const char *const none[] = { NULL };
	static const char *const fal[] = { "FAL_KEY", "f-secret", NULL };
	static const char *const venice[] = { "VENICE_API_KEY", "v-secret",
	    NULL };
	static const char *const off[] = { "ROUTE_IMAGE_GENERATE_WAI",
	    "offline", NULL };
	static const char *const voff[] = { "ROUTE_TEXT_TO_VIDEO_KLING",
	    "offline", "FAL_KEY", "f-secret", NULL };
	struct cfg	*c;
	char		 why[128];

	c = mkcfg(0, none);
	TAP_OK(route_usable(c, &video, &vmodels[0], why, sizeof(why)) == 0 &&
	    strcmp(why, "needs FAL_KEY") == 0,
	    "testnet, no FAL_KEY: video unusable (%s)", why);
	TAP_OK(route_ep_usable(c, &video, why, sizeof(why)) == 0 &&
	    strcmp(why, "needs FAL_KEY") == 0, "video endpoint unusable");
	TAP_OK(route_usable(c, &image, &imodels[2], why, sizeof(why)) == 1 &&
	    why[0] == '\0', "testnet, no key: image runs offline");
	cfg_free(c);

	c = mkcfg(0, fal);
	TAP_OK(route_ep_usable(c, &video, why, sizeof(why)) == 1,
	    "FAL_KEY set: video usable");
	cfg_free(c);

	c = mkcfg(1, venice);
	TAP_OK(route_usable(c, &image, &imodels[2], why, sizeof(why)) == 0 &&
	    strcmp(why, "needs FAL_KEY") == 0 && strstr(why, "secret") == NULL,
	    "mainnet, no FAL_KEY: flux unusable (%s)", why);
	TAP_OK(route_ep_usable(c, &image, why, sizeof(why)) == 1,
	    "one model usable: the endpoint is");
	cfg_free(c);

	c = mkcfg(1, none);
	TAP_OK(route_ep_usable(c, &image, why, sizeof(why)) == 0 &&
	    strcmp(why, "needs VENICE_API_KEY") == 0,
	    "no key on mainnet: the first live model's reason (%s)", why);
	cfg_free(c);

	c = mkcfg(1, off);
	TAP_OK(route_usable(c, &image, &imodels[1], why, sizeof(why)) == 0 &&
	    strstr(why, "offline") != NULL && strstr(why, "mainnet") != NULL,
	    "routed offline on a mainnet: unusable (%s)", why);
	cfg_free(c);
	c = mkcfg(0, voff);
	TAP_OK(route_usable(c, &video, &vmodels[0], why, sizeof(why)) == 0 &&
	    strstr(why, "no offline stand-in") != NULL,
	    "video routed offline on a testnet: unusable (%s)", why);
	cfg_free(c);
}

int
main(void)
{
	/* Provider keys in the environment must not leak into the tests. */
	unsetenv("VENICE_API_KEY");
	unsetenv("FAL_KEY");
	unsetenv("BFL_API_KEY");
	test_retry_after();
	test_reset();
	test_backoff();
	test_retryable();
	test_should();
	test_hint();
	test_errors();
	test_helpers();
	test_route();
	test_route_usable();
	return tap_done();
}
