/*
 * The text a Sign-In-With-X client signs, rebuilt byte for byte from the
 * fields of its SIGN-IN-WITH-X payload, as @x402/extensions 2.27.0 builds
 * it (specs/extensions/sign-in-with-x.md, "Message Format"):
 *
 *   eip155 chains: EIP-4361 "Sign-In with Ethereum", as
 *   @signinwithethereum/siwe 4.2.1 SiweMessage.prepareMessage() writes it
 *   (formatSIWEMessage); that constructor refuses fields its EIP-4361
 *   grammar (siwe-parser's ABNF + semantic checks) refuses, and so do we;
 *
 *   solana chains: the "Sign In With Solana" text of formatSIWSMessage(),
 *   which checks nothing.
 *
 * Pure functions, no I/O, thread-safe.
 */
#ifndef SF_SIWX_MSG_H
#define SF_SIWX_MSG_H

#include <stddef.h>
#include <stdint.h>

struct buf;
struct sf_err;

/*
 * The signed fields, as the payload carries them (NUL-terminated UTF-8).
 * NULL = the key is absent.  JavaScript truthiness decides what the
 * official builders print, and it differs between the two formats: an
 * empty statement or requestId is printed by SIWE and dropped by SIWS, an
 * empty resources array prints a bare "Resources:" in SIWE only; an empty
 * expirationTime or notBefore is dropped by both.
 */
struct siwx_fields {
	const char		*domain;
	const char		*address;	/* 0x-hex (EVM) or base58 (Solana) */
	const char		*statement;
	const char		*uri;
	const char		*version;
	const char		*chain_id;	/* CAIP-2: "eip155:8453", "solana:<ref>" */
	const char		*nonce;
	const char		*issued_at;
	const char		*expiration_time;
	const char		*not_before;
	const char		*request_id;
	const char *const	*resources;	/* NULL = absent */
	size_t			 nresources;
};

/*
 * Append the EIP-4361 message to out.  The address is written in its
 * EIP-55 form (an all-lower or all-upper address is accepted and
 * checksummed, as SiweMessage does; a mixed-case one must carry a valid
 * checksum); the chain id is the decimal after "eip155:" without leading
 * zeros (JavaScript parseInt), at most 2^53 - 1; times are held to the
 * grammar only (a leap second passes here, siwx_msg_time() refuses it).
 * Returns 0, or -1 with a 402 "invalid_siwx_message" error naming the
 * first field the grammar refuses (field = its JSON key), or 500
 * out_of_memory.
 */
int	siwx_msg_siwe(const struct siwx_fields *, struct buf *out,
	    struct sf_err *);
/*
 * Append the Sign In With Solana text to out: no checks (the caller
 * decides what it accepts).  The chain line carries the part of chain_id
 * between its first and second ':'.  0, or -1 (out of memory).
 */
int	siwx_msg_siws(const struct siwx_fields *, struct buf *out,
	    struct sf_err *);
/*
 * Parse an RFC 3339 date-time as EIP-4361 requires it (siwe-parser's
 * isValidISO8601Date: YYYY-MM-DD, "T" or "t", hh:mm:ss, optional
 * fraction, "Z"/"z" or +hh:mm/-hh:mm; a real calendar day), into
 * milliseconds since the Unix epoch as JavaScript's Date reads it (the
 * fraction truncated to milliseconds; a leap second 60 is refused, as
 * Date refuses it).  0, or -1 when s is not such a date-time.
 */
int	siwx_msg_time(const char *s, int64_t *ms);
/* Write ms since the epoch as Date.prototype.toISOString() does
 * ("2024-01-15T10:30:00.000Z"), years 0000-9999; out holds 25 bytes.
 * 0, or -1 when the year is out of range. */
int	siwx_msg_time_iso(int64_t ms, char out[25]);
/* Is s an EIP-4361 statement: printable ASCII and space, but none of
 * " % < > \ ^ ` { | }?  1 or 0. */
int	siwx_msg_statement_ok(const char *s);
/*
 * Is s a URI by RFC 3986 as EIP-4361's grammar reads it (scheme ":"
 * hier-part [ "?" query ] [ "#" fragment ])?  IPv6 literals are checked
 * with inet_pton(3).  1 or 0.
 */
int	siwx_msg_is_uri(const char *s);

#endif
