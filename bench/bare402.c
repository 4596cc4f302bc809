/*
 * The bench's floor for the 402 path: a bare libfcgi responder that
 * answers every request with one fixed response, the bytes our endpoint
 * sends for the same request (status, headers, body), without looking at
 * the request.  Same FastCGI library, same web server, same socket: what
 * is left between it and ours is our work per request.
 *
 * The response is read from the file named by BARE402_RESPONSE at the
 * first request (the bench writes it once ours has answered); the process
 * is started by lighttpd (bin-path) and serves on fd 0, one thread.
 */
#include <stdio.h>
#include <stdlib.h>

#include <fcgiapp.h>

static char *
bare_load(long *n)
{
	const char	*path = getenv("BARE402_RESPONSE");
	FILE		*f;
	char		*p = NULL;

	if (path == NULL || (f = fopen(path, "rb")) == NULL)
		return NULL;
	if (fseek(f, 0, SEEK_END) == 0 && (*n = ftell(f)) > 0 &&
	    fseek(f, 0, SEEK_SET) == 0 && (p = malloc((size_t)*n)) != NULL &&
	    fread(p, 1, (size_t)*n, f) != (size_t)*n) {
		free(p);
		p = NULL;
	}
	fclose(f);
	return p;
}

int
main(void)
{
	static const char	 none[] = "Status: 500 Internal Server Error\r\n"
	    "Content-Length: 0\r\n\r\n";
	FCGX_Request		 fr;
	char			*resp = NULL;
	long			 n = 0;

	if (FCGX_Init() != 0 || FCGX_InitRequest(&fr, 0, 0) != 0)
		return 1;
	while (FCGX_Accept_r(&fr) >= 0) {
		if (resp == NULL)
			resp = bare_load(&n);
		if (resp != NULL)
			FCGX_PutStr(resp, (int)n, fr.out);
		else
			FCGX_PutS(none, fr.out);
		FCGX_Finish_r(&fr);
	}
	free(resp);
	return 0;
}
