/* str_copy, str_copy_n and str_u64 against snprintf's own answers. */
#include <stdio.h>
#include <string.h>

#include "basics/str.h"
#include "tap.h"

int
main(void)
{
	static const char *src[] = { "", "a", "abc", "abcdefgh", "abcdefghi",
	    "0x70997970C51812dc3A010C7d01b50e0d17dc79C8" };
	static const unsigned long long nums[] = { 0, 1, 9, 10, 99, 100,
	    4294967295ULL, 18446744073709551615ULL };
	char		 a[64], b[64];
	size_t		 i, sz, ra;
	int		 rb, same = 1;

	/* Every size from 1 to 12, each source: the bytes and the length
	   snprintf gives. */
	for (i = 0; i < sizeof(src) / sizeof(src[0]); i++)
		for (sz = 1; sz <= 12; sz++) {
			memset(a, 'x', sizeof(a));
			memset(b, 'x', sizeof(b));
			ra = str_copy(a, sz, src[i]);
			rb = snprintf(b, sz, "%s", src[i]);
			if (ra != (size_t)rb || memcmp(a, b, sizeof(a)) != 0) {
				same = 0;
				printf("# differs: \"%s\" in %zu\n", src[i], sz);
			}
		}
	TAP_OK(same, "str_copy writes and returns what snprintf \"%%s\" does");
	memset(a, 'x', sizeof(a));
	TAP_OK(str_copy(a, 0, "abc") == 3 && a[0] == 'x', "size 0 writes nothing");
	TAP_OK(str_copy(a, sizeof(a), NULL) == 0 && a[0] == '\0', "NULL is \"\"");
	TAP_OK(str_copy_n(a, sizeof(a), "abcdef", 3) == 3 && strcmp(a, "abc") == 0,
	    "str_copy_n takes n bytes");
	TAP_OK(str_copy_n(a, 3, "abcdef", 5) == 5 && strcmp(a, "ab") == 0,
	    "str_copy_n truncates and says so");
	same = 1;
	for (i = 0; i < sizeof(nums) / sizeof(nums[0]); i++) {
		ra = str_u64(a, nums[i]);
		rb = snprintf(b, sizeof(b), "%llu", nums[i]);
		if (ra != (size_t)rb || strcmp(a, b) != 0)
			same = 0;
	}
	TAP_OK(same, "str_u64 is %%llu, 0 to ULLONG_MAX");
	return tap_done();
}
