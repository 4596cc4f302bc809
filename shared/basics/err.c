#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "basics/err.h"

int
sf_err_set(struct sf_err *e, int status, const char *code, const char *field,
    const char *fmt, ...)
{
	va_list	 ap;

	if (e == NULL)
		return -1;
	e->status = status;
	snprintf(e->code, sizeof(e->code), "%s", code ? code : "internal_error");
	snprintf(e->field, sizeof(e->field), "%s", field ? field : "");
	va_start(ap, fmt);
	vsnprintf(e->message, sizeof(e->message), fmt, ap);
	va_end(ap);
	return -1;
}

void
sf_err_clear(struct sf_err *e)
{
	if (e != NULL)
		memset(e, 0, sizeof(*e));
}
