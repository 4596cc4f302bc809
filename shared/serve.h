/*
 * FastCGI front: a pool of worker threads on FCGX_Accept_r, each reading
 * one request (body capped), calling the flow and writing the response
 * with our own Content-Length.  The only module that includes fcgiapp.h.
 */
#ifndef SF_SERVE_H
#define SF_SERVE_H

struct def_endpoint;

/*
 * Serve ep until shutdown.  Options: --socket PATH|:PORT (listen ourselves
 * instead of inheriting fd 0 from lighttpd/spawn-fcgi), --check (load the
 * configuration, print a summary and exit).  Returns an exit status.
 */
int	serve_main(const struct def_endpoint *, int argc, char *argv[]);

#endif
