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

/* One row of a payer's exposure: amount, state, whether it has a tx. */
typedef int (*ledger_exp_cb)(void *arg, const char *amount,
    const char *state, int has_tx, struct sf_err *);
/* Under the payer's lock, after the scan: 0 admit, LEDGER_OVER_*, -1. */
typedef int (*ledger_decide_cb)(void *arg, const struct ledger_payment *k,
    struct sf_err *);

struct ledger_admission {
	void		 (*reset)(void *exp_arg);  /* before each scan */
	ledger_exp_cb	 scan;
	void		*exp_arg;
	ledger_decide_cb decide;
	void		*dec_arg;
};

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
	/*
	 * A payer's unsettled rows (working, delivered, settle_failed with
	 * valid_before_s > now), each to cb.  0 or -1.
	 */
	int	 (*exposure)(struct ledger_be *, const struct ledger_payment *k,
		    int64_t now, ledger_exp_cb, void *arg, struct sf_err *);
	/*
	 * In one transaction holding the payer's lock: row id still
	 * verified?  reset, scan its payer's rows, decide; on 0 move it to
	 * working.  1 admitted, 0 not verified, LEDGER_OVER_*, -1 error.
	 */
	int	 (*admit)(struct ledger_be *, int64_t id, int64_t now,
		    const struct ledger_admission *, struct sf_err *);
	/* Delete row id if still verified: rows deleted, -1. */
	int	 (*unclaim)(struct ledger_be *, int64_t id, struct sf_err *);
	int	 (*set_tx)(struct ledger_be *, int64_t id, const char *tx,
		    int64_t now, struct sf_err *);
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
