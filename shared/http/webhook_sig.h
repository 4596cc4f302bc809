/*
 * Standard Webhooks signatures (https://www.standardwebhooks.com/,
 * spec/standard-webhooks.md), sender side, symmetric scheme: the three
 * headers of a delivery,
 *
 *   webhook-id:        the event's id (the same on every retry of it),
 *   webhook-timestamp: the attempt's Unix time in seconds,
 *   webhook-signature: "v1," + base64(HMAC-SHA256(key, id "." ts "." body)),
 *
 * with the key a per-job secret "whsec_" + base64(32 random bytes) that the
 * 202 hands to the payer.  Verified by every Standard Webhooks library
 * (the reference receiver in our tests is the `standardwebhooks` npm
 * package, Webhook.verify).
 *
 * Why symmetric (v1) and not the spec's asymmetric v1a (ed25519 with a
 * published key): the reference libraries verify v1 only (standardwebhooks
 * 1.3.0 for JavaScript has no v1a path, so a v1a-only delivery would fail
 * the very receiver the spec ships); the spec's warning against shared
 * secrets is about a long-lived key reused across deliveries and
 * endpoints, and ours is the opposite: one random 256-bit key per job,
 * given once, over TLS, to the payer that named the webhook_url, signing
 * only that job's few deliveries; and nothing long-lived to operate (a
 * v1a private key would have to be provisioned identically on every host
 * behind one URL, kept secret, rotated and published with no key-id
 * scheme in the spec).  The cost, stated: the secret is stored (not only
 * hashed) with the job so any host can sign retries after a crash, and a
 * copy of the ledger could forge deliveries for jobs still delivering;
 * drop it once deliveries end.
 *
 * HMAC-SHA256 is nettle's; comparisons are constant-time (memeql_sec);
 * randomness is getrandom(2).  Pure, thread-safe.
 */
#ifndef SF_WEBHOOK_SIG_H
#define SF_WEBHOOK_SIG_H

#include <stddef.h>
#include <stdint.h>

struct sf_err;

#define WEBHOOK_SIG_PREFIX	"whsec_"
#define WEBHOOK_SIG_KEY_BYTES	32	/* the secrets we make: 256 bits */
#define WEBHOOK_SIG_KEY_MIN	24	/* the spec's range, bytes */
#define WEBHOOK_SIG_KEY_MAX	64
#define WEBHOOK_SIG_SECRET_STRLEN 96	/* "whsec_" + base64(64 bytes) + NUL */
#define WEBHOOK_SIG_ID_MAX	128	/* webhook-id bytes, NUL excluded */
#define WEBHOOK_SIG_TS_STRLEN	21	/* int64 seconds + NUL */
#define WEBHOOK_SIG_STRLEN	48	/* "v1," + base64(32 bytes) + NUL */
#define WEBHOOK_SIG_TOLERANCE	300	/* s: the reference receivers' */

/* The three headers of one attempt, ready for the request. */
struct webhook_sig_headers {
	char	 id[WEBHOOK_SIG_ID_MAX + 1];		/* webhook-id */
	char	 timestamp[WEBHOOK_SIG_TS_STRLEN];	/* webhook-timestamp */
	char	 signature[WEBHOOK_SIG_STRLEN];		/* webhook-signature */
};

/*
 * A fresh secret: "whsec_" + base64 (RFC 4648, padded) of
 * WEBHOOK_SIG_KEY_BYTES bytes from getrandom(2), into out.  0, or -1 when
 * no randomness could be had.
 */
int	webhook_sig_secret_new(char out[WEBHOOK_SIG_SECRET_STRLEN]);
/*
 * The key bytes of a secret, "whsec_" + padded base64 or the base64 alone
 * (as the reference Webhook constructor takes it), into key; *keylen gets
 * WEBHOOK_SIG_KEY_MIN..WEBHOOK_SIG_KEY_MAX.  0, or -1 when malformed or
 * of another length.
 */
int	webhook_sig_secret_decode(const char *secret,
	    uint8_t key[WEBHOOK_SIG_KEY_MAX], size_t *keylen);
/*
 * A fresh event id: "msg_" + base64url of 16 random bytes (22 characters;
 * the spec's example ids are "msg_" + a random string).  Keep it for
 * every retry of the event.  0 or -1 (no randomness).
 */
int	webhook_sig_id_new(char out[WEBHOOK_SIG_ID_MAX + 1]);
/*
 * Is id fit for webhook-id: 1..WEBHOOK_SIG_ID_MAX characters of
 * [A-Za-z0-9_-]?  The spec wants no "." in it (id and timestamp are
 * joined with "." in the signed text), we also keep it a plain header
 * token.  1 or 0.
 */
int	webhook_sig_id_ok(const char *id);
/*
 * "v1," + base64(HMAC-SHA256(key of secret, id "." ts "." body[0..len)))
 * into out.  ts: Unix seconds, >= 0.  0, or -1 when the secret or the id
 * is malformed.
 */
int	webhook_sig_sign(const char *secret, const char *id, int64_t ts,
	    const void *body, size_t len, char out[WEBHOOK_SIG_STRLEN]);
/*
 * All three headers of an attempt at ts (Unix seconds: the time of this
 * attempt, so each retry re-signs).  0, or -1 with a 500 error
 * (webhook_secret_invalid, webhook_id_invalid) naming what is wrong.
 */
int	webhook_sig_headers(const char *secret, const char *id, int64_t ts,
	    const void *body, size_t len, struct webhook_sig_headers *out,
	    struct sf_err *);
/*
 * The receiver's check, as Webhook.verify does it: ts is a decimal
 * within tolerance seconds of now (both ways), and one of the
 * space-separated entries of sigs is exactly the v1 signature (compared
 * in constant time; other versions such as v1a are skipped).  For our own
 * tests and tools.  1 verified, 0 not.
 */
int	webhook_sig_verify(const char *secret, const char *id, const char *ts,
	    const char *sigs, const void *body, size_t len, int64_t now,
	    int64_t tolerance);

#endif
