/*
 * The fake upstream providers (tests/fakes/providers.mjs) for the unit
 * programs that drive the adapters: started with node on a free port,
 * its test hooks (/__fake/requests, /__fake/violations, /__fake/reset)
 * read over HTTP.  The script is $SF_FAKE_PROVIDERS (make sets it), else
 * found relative to the binary (<tree>/<build>/tests/test_x); without it,
 * or without node, fake_start() prints "Bail out!" and fails: never a
 * silent skip.
 */
#ifndef SF_FAKEPROV_H
#define SF_FAKEPROV_H

#include <sys/types.h>
#include <sys/wait.h>

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "basics/err.h"
#include "http/http.h"

static pid_t		 fake_pid;
static int		 fake_port;

static char	 fake_script[4096];

/* $SF_FAKE_PROVIDERS, else ../../tests/fakes/providers.mjs from the binary. */
static int
fake_find(void)
{
	const char	*env = getenv("SF_FAKE_PROVIDERS");
	char		 exe[4000], *slash;
	ssize_t		 n;
	int		 i;

	if (env != NULL && *env != '\0') {
		snprintf(fake_script, sizeof(fake_script), "%s", env);
	} else {
		if ((n = readlink("/proc/self/exe", exe, sizeof(exe) - 1)) <= 0)
			return -1;
		exe[n] = '\0';
		for (i = 0; i < 3; i++)		/* drop file, tests/, build/ */
			if ((slash = strrchr(exe, '/')) != NULL)
				*slash = '\0';
		snprintf(fake_script, sizeof(fake_script),
		    "%s/tests/fakes/providers.mjs", exe);
	}
	return access(fake_script, R_OK);
}

static int
fake_start(void)
{
	int	 p[2];
	char	 line[128];
	ssize_t	 n;
	size_t	 len = 0;

	if (fake_find() == -1) {
		printf("Bail out! fake providers not found at %s "
		    "(set SF_FAKE_PROVIDERS)\n", fake_script);
		return -1;
	}
	if (system("node --version >/dev/null 2>&1") != 0) {
		printf("Bail out! node is not installed (make deps-test)\n");
		return -1;
	}
	if (pipe(p) == -1)
		return -1;
	if ((fake_pid = fork()) == -1)
		return -1;
	if (fake_pid == 0) {
		dup2(p[1], 1);
		close(p[0]);
		close(p[1]);
		execlp("node", "node", fake_script, "0", (char *)NULL);
		_exit(127);
	}
	close(p[1]);
	while (len + 1 < sizeof(line) &&
	    (n = read(p[0], line + len, sizeof(line) - 1 - len)) > 0) {
		len += (size_t)n;
		line[len] = '\0';
		if (strchr(line, '\n') != NULL)
			break;
	}
	close(p[0]);
	line[len] = '\0';
	if (sscanf(line, "{\"port\":%d}", &fake_port) != 1)
		return -1;
	return 0;
}

static void
fake_stop(void)
{
	if (fake_pid > 0) {
		kill(fake_pid, SIGTERM);
		waitpid(fake_pid, NULL, 0);
	}
}

static inline cJSON *
fake_get(const char *path, const char *method)
{
	struct http_req	 q;
	struct http_resp r;
	struct sf_err	 e;
	char		 url[256];
	cJSON		*j = NULL;

	snprintf(url, sizeof(url), "http://127.0.0.1:%d%s", fake_port, path);
	memset(&q, 0, sizeof(q));
	q.url = url;
	q.method = method;
	q.deadline_ms = http_now_ms() + 5000;
	if (http_do(&q, &r, &e) == 0 && r.status == 200)
		j = cJSON_Parse(r.body.p);
	http_resp_free(&r);
	return j;
}

static inline void
fake_reset(void)
{
	cJSON_Delete(fake_get("/__fake/reset", "POST"));
}

/* How many requests recorded with method and a path containing sub. */
static inline int
fake_count(const char *method, const char *sub, cJSON **last)
{
	cJSON		*all, *it;
	const cJSON	*m, *p;
	int		 n = 0;

	if (last != NULL)
		*last = NULL;
	if ((all = fake_get("/__fake/requests", "GET")) == NULL)
		return -1;
	cJSON_ArrayForEach(it, all) {
		m = cJSON_GetObjectItem(it, "method");
		p = cJSON_GetObjectItem(it, "path");
		if (!cJSON_IsString(m) || !cJSON_IsString(p) ||
		    strcmp(m->valuestring, method) != 0 ||
		    strstr(p->valuestring, sub) == NULL)
			continue;
		n++;
		if (last != NULL) {
			cJSON_Delete(*last);
			*last = cJSON_Duplicate(it, 1);
		}
	}
	cJSON_Delete(all);
	return n;
}

#endif
