#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "x402/rpc_watch.h"

/* More networks than a configuration serves (CFG_MAX_NETS). */
#define RPC_WATCH_NETS	8

struct rpc_watch_net {
	char	 network[48];
	int	 down;		/* the last answer was a failure */
	time_t	 failed;	/* when */
	time_t	 since;		/* first failure of this outage */
	char	 why[200];
};

static pthread_mutex_t		rpc_watch_lock = PTHREAD_MUTEX_INITIALIZER;
static struct rpc_watch_net	rpc_watch_nets[RPC_WATCH_NETS];

/* The network's slot (created), or NULL when the table is full.  Locked. */
static struct rpc_watch_net *
rpc_watch_slot(const char *network)
{
	struct rpc_watch_net	*w;
	size_t			 i;

	for (i = 0; i < RPC_WATCH_NETS; i++) {
		w = &rpc_watch_nets[i];
		if (w->network[0] == '\0') {
			snprintf(w->network, sizeof(w->network), "%s", network);
			return w;
		}
		if (strcmp(w->network, network) == 0)
			return w;
	}
	return NULL;
}

int
rpc_watch_try(const char *network, time_t now)
{
	struct rpc_watch_net	*w;
	int			 go = 1;

	pthread_mutex_lock(&rpc_watch_lock);
	if ((w = rpc_watch_slot(network)) != NULL && w->down &&
	    now - w->failed < RPC_WATCH_RETRY_S && now >= w->failed)
		go = 0;
	pthread_mutex_unlock(&rpc_watch_lock);
	return go;
}

void
rpc_watch_note(const char *network, int ok, const char *why, time_t now)
{
	struct rpc_watch_net	*w;

	pthread_mutex_lock(&rpc_watch_lock);
	if ((w = rpc_watch_slot(network)) == NULL) {
		pthread_mutex_unlock(&rpc_watch_lock);
		return;
	}
	if (ok && w->down)
		fprintf(stderr, "%s: the RPC answers again (down %lld s): "
		    "payments are proven on chain\n", network,
		    (long long)(now - w->since));
	else if (!ok && !w->down)
		fprintf(stderr, "%s: the RPC cannot be asked (%.160s): "
		    "payments are proven by the facilitator's /verify, one "
		    "unsettled payment per wallet; tried again in %d s\n",
		    network, why, RPC_WATCH_RETRY_S);
	if (!ok) {
		if (!w->down)
			w->since = now;
		w->failed = now;
		snprintf(w->why, sizeof(w->why), "%s", why);
	}
	w->down = !ok;
	pthread_mutex_unlock(&rpc_watch_lock);
}

int
rpc_watch_degraded(const char *network, char *why, size_t whysz,
    time_t *since)
{
	struct rpc_watch_net	*w;
	int			 down = 0;

	pthread_mutex_lock(&rpc_watch_lock);
	if ((w = rpc_watch_slot(network)) != NULL && w->down) {
		down = 1;
		snprintf(why, whysz, "%s", w->why);
		*since = w->since;
	}
	pthread_mutex_unlock(&rpc_watch_lock);
	return down;
}
