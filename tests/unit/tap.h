/*
 * Tiny TAP helpers for the unit test programs (one program per module, as in
 * kcgi's regress/).  Each check prints "ok N - name" or "not ok N - name";
 * tap_done() prints the plan and the summary line and returns the exit code.
 */
#ifndef SF_TAP_H
#define SF_TAP_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int tap_n, tap_fail;

#define TAP_OK(cond, ...) do {						\
	int tap_c = (cond) ? 1 : 0;	/* evaluated once */		\
	tap_n++;							\
	if (tap_c) {							\
		printf("ok %d - ", tap_n);				\
	} else {							\
		tap_fail++;						\
		printf("not ok %d - ", tap_n);				\
	}								\
	printf(__VA_ARGS__);						\
	printf("\n");							\
	if (!tap_c)							\
		printf("#   failed at %s:%d: %s\n", __FILE__, __LINE__, #cond); \
} while (0)

#define TAP_STREQ(a, b, ...) do {					\
	const char *tap_a = (a), *tap_b = (b);				\
	int tap_eq = tap_a != NULL && tap_b != NULL && strcmp(tap_a, tap_b) == 0; \
	TAP_OK(tap_eq, __VA_ARGS__);					\
	if (!tap_eq)							\
		printf("#   got: %s\n#   want: %s\n", tap_a ? tap_a : "(null)", \
		    tap_b ? tap_b : "(null)");				\
} while (0)

/*
 * Named cases: TAP_CASE(fn) runs the case fn (a void function of no
 * arguments; TAP_CASE_ARGS for one that takes some), printing
 * "# case fn" before its results.  With TAP_CASE=fn in the environment
 * only that case runs; it still gets whatever main set up before it.
 */
static inline int
tap_case(const char *name)
{
	const char	*only = getenv("TAP_CASE");

	if (only != NULL && *only != '\0' && strcmp(only, name) != 0)
		return 0;
	printf("# case %s\n", name);
	return 1;
}

#define TAP_CASE(fn) do { if (tap_case(#fn)) fn(); } while (0)
#define TAP_CASE_ARGS(fn, ...) do { if (tap_case(#fn)) fn(__VA_ARGS__); } while (0)

static inline int
tap_done(void)
{
	printf("1..%d\n", tap_n);
	printf("%d passed, %d failed\n", tap_n - tap_fail, tap_fail);
	return tap_fail ? 1 : 0;
}

#endif
