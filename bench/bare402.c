/*
 * The bench's floor for the 402 path: a bare libfcgi responder that
 * answers every request with one fixed response, the bytes our endpoint
 * sends for the same request (status, headers, body), without looking at
 * the request.  Same FastCGI library, same web server, same socket: what
 * is left between it and ours is our work per request.
 *
 * The response is read from the file named by BARE402_RESPONSE at the
 * first request (the bench writes it once ours has answered); the process
 * is started by lighttpd (bin-path) and serves on fd 0 with BARE402_THREADS
 * threads (default 4) on FCGX_Accept_r, accept serialised as libfcgi's
 * threaded example does: the same threading as ours, so the comparison
 * is of the work per request alone.
 */
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>

#include <fcgiapp.h>

static pthread_mutex_t	 accept_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t	 load_lock = PTHREAD_MUTEX_INITIALIZER;
static char		*resp;
static long		 resp_len;

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

static void *
bare_worker(void *arg)
{
	static const char	 none[] = "Status: 500 Internal Server Error\r\n"
	    "Content-Length: 0\r\n\r\n";
	FCGX_Request		 fr;
	int			 rc;

	(void)arg;
	if (FCGX_InitRequest(&fr, 0, 0) != 0)
		return NULL;
	for (;;) {
		pthread_mutex_lock(&accept_lock);
		rc = FCGX_Accept_r(&fr);
		pthread_mutex_unlock(&accept_lock);
		if (rc < 0)
			break;
		pthread_mutex_lock(&load_lock);
		if (resp == NULL)
			resp = bare_load(&resp_len);
		pthread_mutex_unlock(&load_lock);
		if (resp != NULL)
			FCGX_PutStr(resp, (int)resp_len, fr.out);
		else
			FCGX_PutS(none, fr.out);
		FCGX_Finish_r(&fr);
	}
	return NULL;
}

int
main(void)
{
	const char	*e = getenv("BARE402_THREADS");
	pthread_t	 th[64];
	int		 i, n = e != NULL ? atoi(e) : 4;
	sigset_t	 set;
	int		 sig;

	if (n < 1 || n > 64)
		n = 4;
	/*
	 * libfcgi catches SIGTERM only to set a flag that accept() never
	 * sees: take it here and leave, or lighttpd's stop orphans us.
	 */
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	if (FCGX_Init() != 0)
		return 1;
	for (i = 0; i < n; i++)
		if (pthread_create(&th[i], NULL, bare_worker, NULL) != 0)
			return 1;
	sigwait(&set, &sig);
	return 0;
}
