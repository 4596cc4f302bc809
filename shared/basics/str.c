#include <string.h>

#include "basics/str.h"

size_t
str_copy_n(char *dst, size_t sz, const char *src, size_t n)
{
	size_t	 k;

	if (sz == 0)
		return n;
	k = n < sz - 1 ? n : sz - 1;
	memcpy(dst, src, k);
	dst[k] = '\0';
	return n;
}

size_t
str_copy(char *dst, size_t sz, const char *src)
{
	if (src == NULL)
		src = "";
	return str_copy_n(dst, sz, src, strlen(src));
}

size_t
str_u64(char *dst, unsigned long long v)
{
	char	 tmp[21];
	size_t	 n = 0, i;

	do {
		tmp[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v != 0);
	for (i = 0; i < n; i++)
		dst[i] = tmp[n - 1 - i];
	dst[n] = '\0';
	return n;
}
