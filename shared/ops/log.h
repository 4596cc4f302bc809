/*
 * Request log: one JSON object per line, one write(2) per line on an
 * O_APPEND descriptor, so lines from the threads of one process and from
 * every endpoint process sharing LOG_FILE never interleave.  Carries what
 * an operator needs to follow money and upstream calls (time, endpoint,
 * status, latency, payer, amount, network, settlement tx, upstream id);
 * never a secret, a payment header, or a prompt.
 */
#ifndef SF_LOG_H
#define SF_LOG_H

#include <stddef.h>

struct cfg;
struct flow_outcome;

/*
 * Open LOG_FILE (created 0640, appended) or use stderr when it is unset
 * or "-".  Optional: log_request opens on first use.  0, or -1 with a
 * message on stderr (the log then goes to stderr).
 */
int	log_open(const struct cfg *);
/*
 * Start-up check: LOG_CHALLENGES is 0 or 1; LOG_FILE, when set (and not
 * "-"), can be opened for appending (it is created 0640 if missing).  0, or -1 with err (500
 * config_invalid naming the key and the cause).
 */
struct sf_err;
int	log_check_cfg(const struct cfg *, struct sf_err *);
/* One line for one finished request; thread-safe, never fails loudly.
   A plain HTTP 402 (o->status 402, o->pay FLOW_PAY_REQUIRED: no payment
   was sent) is not logged unless LOG_CHALLENGES=1 (it is counted in
   /metrics); an MCP tool call's is (its answer is a 200). */
void	log_request(const struct cfg *, const char *endpoint,
	    const struct flow_outcome *, long long latency_ms);
/* Format the line into buf (NUL-terminated, ends in '\n').  Its length,
   or the length it would have had when sz is too small (as snprintf). */
size_t	log_format(char *buf, size_t sz, const char *endpoint,
	    const struct flow_outcome *, long long latency_ms, long long now_ms);
void	log_close(void);

#endif
