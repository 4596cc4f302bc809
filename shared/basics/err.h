/*
 * One error shape for the whole core: an HTTP status, a snake_case code,
 * a message for humans and, when the error is about one input, its field.
 * Core functions return -1 and fill a struct sf_err; only main() exits.
 */
#ifndef SF_ERR_H
#define SF_ERR_H

struct sf_err {
	int	status;		/* HTTP status that fits, 0 = no error */
	char	code[64];	/* snake_case, x402 reasons verbatim */
	char	message[512];
	char	field[64];	/* "" unless about one input */
};

/* Fill err (NULL allowed); always returns -1 so callers can "return sf_err_set(...)". */
int	sf_err_set(struct sf_err *, int status, const char *code,
	    const char *field, const char *fmt, ...)
	    __attribute__((format(printf, 5, 6)));
void	sf_err_clear(struct sf_err *);

#endif
