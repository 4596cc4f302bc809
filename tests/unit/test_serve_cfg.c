/*
 * serve_check_cfg: every key a module reads after cfg_load is checked at
 * start-up, so a bad value stops the process with a message naming the key
 * (docs/configuration.md) instead of a 500 at the first request.  Each
 * case sets one SYNTHFORGE_<KEY> (plus what it needs) on a good base
 * configuration; the base and well-formed values must pass.  Hermetic:
 * the environment is cleaned first; files are in a temp folder.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "basics/cfg.h"
#include "basics/err.h"
#include "serve/serve.h"
#include "hermetic.h"
#include "tap.h"

static char	 tmpdir[] = "/tmp/sf-scfg-XXXXXX";
static char	 media[600], keyfile[600];

static void
base(void)
{
	hermetic();
	setenv("SYNTHFORGE_PAY_TO",
	    "0x70997970C51812dc3A010C7d01b50e0d17dc79C8", 1);
	setenv("SYNTHFORGE_MEDIA_DIR", media, 1);
	setenv("SYNTHFORGE_DB", "/dev/null/unused", 1);
}

/* Set pairs "KEY", "value", ..., NULL on the base; run the check. */
static int
check(struct sf_err *err, ...)
{
	struct cfg	*c;
	va_list		 ap;
	const char	*k, *v;
	char		 env[160];
	int		 rc;

	base();
	va_start(ap, err);
	while ((k = va_arg(ap, const char *)) != NULL) {
		v = va_arg(ap, const char *);
		snprintf(env, sizeof(env), "SYNTHFORGE_%s", k);
		setenv(env, v, 1);
	}
	va_end(ap);
	sf_err_clear(err);
	if ((c = cfg_load("/dev/null", err)) == NULL)
		return -2;
	rc = serve_check_cfg(c, err);
	cfg_free(c);
	return rc;
}

#define REFUSED(key, ...) do {						\
	struct sf_err e_;						\
	int rc_ = check(&e_, __VA_ARGS__, NULL);			\
	TAP_OK(rc_ == -1 && strcmp(e_.field, key) == 0 &&		\
	    strstr(e_.message, key) != NULL,				\
	    "refused, naming %s: %s", key, e_.message);			\
} while (0)

#define ACCEPTED(what, ...) do {					\
	struct sf_err e_;						\
	int rc_ = check(&e_, __VA_ARGS__, NULL);			\
	TAP_OK(rc_ == 0, "accepted: %s (%s)", what, rc_ ? e_.message : "");\
} while (0)

static void
base_passes(void)
{
	ACCEPTED("the base configuration", "NETWORKS", "base-sepolia");
	TAP_OK(access(media, F_OK) == -1, "a missing MEDIA_DIR passes, "
	    "not created by the check");
}

/* Settlement and the money path (flow_check_cfg). */
static void
settlement_refused(void)
{
	REFUSED("SETTLE", "SETTLE", "bogus");
	REFUSED("RPC_URL", "SETTLE", "direct");
	REFUSED("RELAYER_KEY_FILE", "SETTLE", "direct",
	    "RPC_URL", "http://127.0.0.1:8545");
	REFUSED("RELAYER_KEY_FILE", "SETTLE", "direct",
	    "RPC_URL", "http://127.0.0.1:8545",
	    "RELAYER_KEY_FILE", "/nonexistent/relayer.key");
	REFUSED("SETTLE_FIRST", "SETTLE_FIRST", "nope");
	REFUSED("SETTLE_FIRST", "SETTLE_FIRST", "image-generate,nope");
	/* The file stem is not the name x402_settle_first compares. */
	REFUSED("SETTLE_FIRST", "SETTLE_FIRST", "image_generate");
	/* The ERC-6492 factory allow-list (issue 26). */
	REFUSED("ERC6492_FACTORIES", "ERC6492_FACTORIES", "0x12");
	REFUSED("ERC6492_FACTORIES_BASE_SEPOLIA",
	    "ERC6492_FACTORIES_BASE_SEPOLIA",
	    "none,0x0BA5ED0c6AA8c49038F819E587E2633c4A9F428a");
	REFUSED("ERC6492_FACTORIES_NOWHERE", "ERC6492_FACTORIES_NOWHERE",
	    "none");
}

/* The media stores and their limits (media_check_cfg). */
static void
media_refused(void)
{
	char	 longv[171];

	REFUSED("MEDIA_STORE", "MEDIA_STORE", "ftp");
	REFUSED("S3_ENDPOINT", "MEDIA_STORE", "s3");
	REFUSED("S3_SECRET_KEY", "MEDIA_STORE", "s3",
	    "S3_ENDPOINT", "http://127.0.0.1:9000", "S3_BUCKET", "b",
	    "S3_ACCESS_KEY", "ak");
	REFUSED("S3_ENDPOINT", "MEDIA_STORE", "s3",
	    "S3_ENDPOINT", "minio:9000", "S3_BUCKET", "b",
	    "S3_ACCESS_KEY", "ak", "S3_SECRET_KEY", "sk");
	REFUSED("FAL_KEY", "MEDIA_STORE", "fal");
	REFUSED("MEDIA_DIR", "MEDIA_DIR", "/proc/nope");
	REFUSED("MEDIA_MAX_IMAGE", "MEDIA_MAX_IMAGE", "lots");
	REFUSED("INPUT_TIMEOUT_MS", "INPUT_TIMEOUT_MS", "soon");
	memset(longv, 'a', sizeof(longv) - 1);
	longv[sizeof(longv) - 1] = '\0';
	REFUSED("S3_PREFIX", "MEDIA_STORE", "s3",
	    "S3_ENDPOINT", "http://127.0.0.1:9000", "S3_BUCKET", "b",
	    "S3_ACCESS_KEY", "ak", "S3_SECRET_KEY", "sk",
	    "S3_PREFIX", longv);
}

/* Providers and routes (prov_check_cfg, route_check_cfg). */
static void
providers_refused(void)
{
	REFUSED("PROVIDER_RETRIES", "PROVIDER_RETRIES", "x");
	REFUSED("PROVIDER_BACKOFF_MS", "PROVIDER_BACKOFF_MS", "-3");
	REFUSED("PROVIDER_POLL_MS", "PROVIDER_POLL_MS", "0");
	REFUSED("VENICE_SAFE_MODE", "VENICE_SAFE_MODE", "yes");
	REFUSED("VENICE_BASE_URL", "VENICE_BASE_URL", "venice.ai/api");
	REFUSED("ROUTE_IMAGE_GENERATE_CHROMA",
	    "ROUTE_IMAGE_GENERATE_CHROMA", "nope");
	REFUSED("ROUTE_IMAGE_GENERATE_NO_SUCH_MODEL",
	    "ROUTE_IMAGE_GENERATE_NO_SUCH_MODEL", "offline");
}

/* The demo, /healthz and the log (demo_, health_, log_check_cfg). */
static void
operations_refused(void)
{
	char	 longv[1200];

	REFUSED("DEMO_PER_CLIENT_PER_HOUR", "DEMO_PER_CLIENT_PER_HOUR", "-1");
	REFUSED("HEALTH_CACHE_SECONDS", "HEALTH_CACHE_SECONDS", "abc");
	REFUSED("LOG_FILE", "LOG_FILE", "/nonexistent/x.log");
	memset(longv, 'a', sizeof(longv) - 1);
	longv[sizeof(longv) - 1] = '\0';
	REFUSED("DEMO_DB", "DEMO_DB", longv);
	REFUSED("TRUSTED_PROXIES", "TRUSTED_PROXIES", "10.0.0.0/8, balancer");
	REFUSED("TRUSTED_PROXIES", "TRUSTED_PROXIES", "10.0.0.0/40");
	REFUSED("SETTLE", "NETWORKS", "base-sepolia,polygon-amoy", "SETTLE",
	    "direct", "RPC_URL", "http://127.0.0.1:8545", "RELAYER_KEY_FILE",
	    keyfile);
}

/* Well-formed values of the same keys pass. */
static void
good_values_pass(void)
{
	char	 log[700];

	ACCEPTED("SETTLE=direct with its keys", "SETTLE", "direct",
	    "RPC_URL", "http://127.0.0.1:8545", "RELAYER_KEY_FILE", keyfile);
	ACCEPTED("TRUSTED_PROXIES of addresses and prefixes",
	    "TRUSTED_PROXIES", "10.0.0.0/8, 2001:db8::/32, 127.0.0.1");
	ACCEPTED("SETTLE_FIRST lists", "SETTLE_FIRST",
	    "image-generate, text-to-video,all");
	ACCEPTED("MEDIA_STORE=s3 with its keys", "MEDIA_STORE", "s3",
	    "S3_ENDPOINT", "http://127.0.0.1:9000", "S3_BUCKET", "b",
	    "S3_ACCESS_KEY", "ak", "S3_SECRET_KEY", "sk");
	ACCEPTED("ERC-6492 factory lists", "ERC6492_FACTORIES",
	    "0x0BA5ED0c6AA8c49038F819E587E2633c4A9F428a",
	    "ERC6492_FACTORIES_84532", "none");
	ACCEPTED("a route override", "ROUTE_IMAGE_GENERATE_CHROMA",
	    "offline");
	ACCEPTED("numbers in range", "PROVIDER_RETRIES", "0",
	    "PROVIDER_BACKOFF_MS", "250", "HEALTH_CACHE_SECONDS", "0",
	    "DEMO_PER_CLIENT_PER_HOUR", "0", "MEDIA_MAX_VIDEO", "100M");
	snprintf(log, sizeof(log), "%s/x.log", tmpdir);
	ACCEPTED("a LOG_FILE that can be created", "LOG_FILE", log);
	unlink(log);
}

/* The open files a process needs: eight per request or job, and room. */
static void
fds_needed(void)
{
	struct sf_err	 err;
	struct cfg	*c;

	base();
	unsetenv("SYNTHFORGE_JOB_RUNNERS");
	unsetenv("SYNTHFORGE_WORKERS_MAX");
	if ((c = cfg_load("/dev/null", &err)) == NULL) {
		TAP_OK(0, "configuration: %s", err.message);
		return;
	}
	TAP_OK(serve_fds_needed(c) == SERVE_FDS_PER_REQUEST *
	    (c->workers_max + 16UL) + SERVE_FDS_BASE, "defaults: WORKERS_MAX "
	    "%u + 16 job runners, 8 each, and room: %lu", c->workers_max,
	    serve_fds_needed(c));
	cfg_free(c);
	setenv("SYNTHFORGE_JOB_RUNNERS", "1000", 1);
	setenv("SYNTHFORGE_WORKERS_MAX", "64", 1);
	if ((c = cfg_load("/dev/null", &err)) == NULL) {
		TAP_OK(0, "configuration: %s", err.message);
		return;
	}
	/* 1,000 jobs in one process had met lighttpd's 3,072 (bench). */
	TAP_OK(serve_fds_needed(c) == 8 * 1064UL + 64 &&
	    serve_fds_needed(c) > 3072, "1,000 job runners: %lu, more than "
	    "the 3,072 lighttpd gave before", serve_fds_needed(c));
	cfg_free(c);
	unsetenv("SYNTHFORGE_JOB_RUNNERS");
	unsetenv("SYNTHFORGE_WORKERS_MAX");
}

int
main(void)
{
	FILE	*f;

	if (mkdtemp(tmpdir) == NULL)
		return perror("mkdtemp"), 2;
	snprintf(media, sizeof(media), "%s/media", tmpdir);
	snprintf(keyfile, sizeof(keyfile), "%s/relayer.key", tmpdir);
	if ((f = fopen(keyfile, "w")) == NULL)
		return perror(keyfile), 2;
	fputs("0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d\n", f);
	fclose(f);

	TAP_CASE(base_passes);
	TAP_CASE(settlement_refused);
	TAP_CASE(media_refused);
	TAP_CASE(providers_refused);
	TAP_CASE(operations_refused);
	TAP_CASE(good_values_pass);
	TAP_CASE(fds_needed);

	unlink(keyfile);
	rmdir(media);
	rmdir(tmpdir);
	return tap_done();
}
