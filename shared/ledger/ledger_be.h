/*
 * The ledger's backends (internal to shared/ledger/), in the curl vtls
 * style: ledger.c checks and canonicalises the arguments, then calls one
 * table of function pointers.  Each backend keeps the semantics of
 * ledger.h exactly: the same return values, the same compare-and-set
 * conditions, the same ordering of rows.  Keys handed to a backend are
 * canonical already (payer/asset/nonce lower-case, network CAIP-2).
 */
#ifndef SF_LEDGER_BE_H
#define SF_LEDGER_BE_H

#include "ledger/ledger.h"

/* Each backend defines its own (its file only). */
struct ledger_be;

/* One row of the revenue scan: ledger.c sums (uint256 decimal strings). */
typedef int (*ledger_rev_cb)(void *arg, const char *endpoint,
    const char *asset, const char *network, const char *state,
    const char *amount, struct sf_err *);

struct ledger_ops {
	const char	*name;		/* "sqlite", "postgresql" */
	struct ledger_be *(*open)(const char *uri, struct sf_err *);
	void	 (*close)(struct ledger_be *);
	int	 (*writable)(struct ledger_be *, struct sf_err *);
	int	 (*claim)(struct ledger_be *, const struct ledger_payment *k, int64_t now,
		    struct ledger_payment *row, struct sf_err *);
	/* 1 found, 0 not, -1 error. */
	int	 (*find)(struct ledger_be *, const struct ledger_payment *k,
		    struct ledger_payment *row, struct sf_err *);
	int	 (*get)(struct ledger_be *, int64_t id, struct ledger_payment *,
		    struct sf_err *);
	/* Rows changed (0 or 1), -1 error. */
	int	 (*set_state)(struct ledger_be *, int64_t id, int from,
		    enum ledger_state to, const char *error, int64_t now,
		    struct sf_err *);
	int	 (*take_stale)(struct ledger_be *, int64_t id, enum ledger_state from,
		    enum ledger_state to, int64_t before, int64_t now,
		    struct sf_err *);
	int	 (*lease)(struct ledger_be *, int64_t id, enum ledger_state state,
		    int64_t seen, int64_t until, struct sf_err *);
	int	 (*store_result)(struct ledger_be *, int64_t id, const char *ctype,
		    const void *body, size_t len, int64_t now,
		    struct sf_err *);
	int	 (*set_settled)(struct ledger_be *, int64_t id, const char *tx,
		    const char *note, int64_t now, struct sf_err *);
	/* limit 0: all; newest first. */
	int	 (*list)(struct ledger_be *, int state, size_t limit,
		    struct ledger_payment **rows, size_t *n, struct sf_err *);
	int	 (*pending)(struct ledger_be *, int64_t now, int64_t min_age,
		    struct ledger_payment **rows, size_t *n, struct sf_err *);
	int	 (*revenue_scan)(struct ledger_be *, ledger_rev_cb, void *arg,
		    struct sf_err *);
	/* A whole row as it is (state, result, times); LEDGER_NEW/EXISTING. */
	int	 (*import)(struct ledger_be *, const struct ledger_payment *,
		    struct sf_err *);
};

extern const struct ledger_ops	ledger_sqlite_ops;
extern const struct ledger_ops	ledger_pg_ops;

/* Shared by the backends. */
int64_t	ledger_clamp(const char *uint256_dec);
void	ledger_copy(char *dst, size_t sz, const char *src);

#endif
