/*
 * The configuration every fuzz target runs under: a testnet, every
 * provider key set (so every route goes upstream, through the scripted
 * transport of fuzz_http.h), no waits, a private folder for the ledger
 * and media.  Values already in the environment win (tests/fuzz/record.mjs
 * points the base URLs at the fakes to record seeds).
 */
#ifndef SF_FUZZ_ENV_H
#define SF_FUZZ_ENV_H

#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "basics/cfg.h"
#include "basics/err.h"

static inline void
fuzz_env_set(const char *k, const char *v)
{
	setenv(k, v, 0);
}

static char	 fuzz_env_dir[] = "/tmp/sf-fuzz-XXXXXX";

static inline int
fuzz_env_rm(const char *path, const struct stat *st, int flag,
    struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

/* The private folder goes when the fuzzer exits. */
static inline void
fuzz_env_cleanup(void)
{
	nftw(fuzz_env_dir, fuzz_env_rm, 8, FTW_DEPTH | FTW_PHYS);
}

/* Load it once; exits when it cannot (a broken harness, not a finding). */
static inline struct cfg *
fuzz_env_cfg(void)
{
	static const char *const kv[][2] = {
		{ "SYNTHFORGE_CONFIG", "/dev/null" },
		{ "SYNTHFORGE_NETWORKS", "base-sepolia" },
		{ "SYNTHFORGE_PAY_TO",
		  "0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC" },
		{ "SYNTHFORGE_FACILITATOR_URL", "http://fuzz.invalid/fac" },
		{ "SYNTHFORGE_PROVIDER_RETRIES", "1" },
		{ "SYNTHFORGE_PROVIDER_BACKOFF_MS", "0" },
		{ "SYNTHFORGE_PROVIDER_POLL_MS", "1" },
		{ "VENICE_API_KEY", "fuzz-venice-key" },
		{ "FAL_KEY", "fuzz-fal-key" },
		{ "BFL_API_KEY", "fuzz-bfl-key" },
		{ "OPENAI_API_KEY", "fuzz-openai-key" },
		{ "GEMINI_API_KEY", "fuzz-google-key" },
		{ "XAI_API_KEY", "fuzz-xai-key" },
		{ "ELEVENLABS_API_KEY", "fuzz-elevenlabs-key" },
		{ "REPLICATE_API_TOKEN", "fuzz-replicate-key" },
	};
	static struct cfg	*c;
	const char		*dir = fuzz_env_dir;
	char			 path[64];
	struct sf_err		 err;
	size_t			 i;

	if (c != NULL)
		return c;
	for (i = 0; i < sizeof(kv) / sizeof(kv[0]); i++)
		fuzz_env_set(kv[i][0], kv[i][1]);
	if (mkdtemp(fuzz_env_dir) == NULL) {
		perror("fuzz: mkdtemp");
		exit(2);
	}
	atexit(fuzz_env_cleanup);
	snprintf(path, sizeof(path), "%s/ledger.db", dir);
	fuzz_env_set("SYNTHFORGE_DB", path);
	snprintf(path, sizeof(path), "%s/media", dir);
	fuzz_env_set("SYNTHFORGE_MEDIA_DIR", path);
	snprintf(path, sizeof(path), "%s/metrics", dir);
	fuzz_env_set("SYNTHFORGE_METRICS_DIR", path);
	sf_err_clear(&err);
	if ((c = cfg_load(NULL, &err)) == NULL) {
		fprintf(stderr, "fuzz: configuration: %s\n", err.message);
		exit(2);
	}
	return c;
}

#endif
