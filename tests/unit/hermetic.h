/*
 * Unit tests that load the configuration start from a clean environment:
 * every SYNTHFORGE_* variable and every provider key or base URL under its
 * plain name (FAL_KEY, *_API_KEY, *_API_TOKEN, *_BASE_URL) is removed, so
 * whatever the developer's shell holds cannot change a verdict.  And the
 * public default RPCs of the networks are turned off
 * (SYNTHFORGE_RPC_DEFAULTS=off): a unit test never reaches the internet; a
 * case about the defaults sets that variable itself.
 */
#ifndef SF_HERMETIC_H
#define SF_HERMETIC_H

#include <stdlib.h>
#include <string.h>

extern char **environ;

static inline int
hermetic_provider_name(const char *k, size_t n)
{
	static const char *const sfx[] = { "_API_KEY", "_API_TOKEN",
	    "_BASE_URL", NULL };
	size_t	 i, l;

	if (n == 7 && strncmp(k, "FAL_KEY", 7) == 0)
		return 1;
	for (i = 0; sfx[i] != NULL; i++) {
		l = strlen(sfx[i]);
		if (n > l && strncmp(k + n - l, sfx[i], l) == 0)
			return 1;
	}
	return 0;
}

static inline void
hermetic(void)
{
	char	 name[256], **e;
	size_t	 n;
	int	 again = 1;

	/* unsetenv changes environ: start over after each removal. */
	while (again) {
		again = 0;
		for (e = environ; *e != NULL; e++) {
			n = strcspn(*e, "=");
			if (n >= sizeof(name))
				continue;
			if (strncmp(*e, "SYNTHFORGE_", 11) == 0 ||
			    hermetic_provider_name(*e, n)) {
				memcpy(name, *e, n);
				name[n] = '\0';
				unsetenv(name);
				again = 1;
				break;
			}
		}
	}
	setenv("SYNTHFORGE_RPC_DEFAULTS", "off", 1);
}

#endif
