#include <arpa/inet.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "basics/buf.h"
#include "basics/err.h"
#include "basics/hex.h"
#include "x402/siwx_msg.h"

#define SIWX_MSG_BAD(err, field, ...) \
	sf_err_set((err), 402, "invalid_siwx_message", (field), __VA_ARGS__)

/* --- RFC 3986 as EIP-4361's ABNF (siwe-parser 4.2.1) spells it ------- */

static int
is_alpha(int c)
{

	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static int
is_digit(int c)
{

	return c >= '0' && c <= '9';
}

static int
is_hex(int c)
{

	return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

/* unreserved / sub-delims: reg-name-char without pct-encoded. */
static int
is_regc(int c)
{

	return is_alpha(c) || is_digit(c) || c == '!' || c == '$' ||
	    (c >= '&' && c <= '.') || c == ';' || c == '=' || c == '_' ||
	    c == '~';
}

/*
 * Greedy run of reg-name-chars, pct-encoded triplets and the bytes in
 * extra, as the grammar's *( ... ) repetitions match: a '%' without two
 * hex digits ends the run.
 */
static const char *
run(const char *p, const char *extra)
{

	for (;;) {
		if (is_regc((unsigned char)*p) ||
		    (*p != '\0' && strchr(extra, *p) != NULL))
			p++;
		else if (p[0] == '%' && is_hex((unsigned char)p[1]) &&
		    is_hex((unsigned char)p[2]))
			p += 3;
		else
			return p;
	}
}

/* IP-literal = "[" ( IPv6address / IPvFuture ) "]"; p at '['. */
static const char *
ip_literal(const char *p)
{
	const char	*end, *q;
	char		 v6[64];
	unsigned char	 a[16];
	size_t		 n;

	if ((end = strchr(p, ']')) == NULL)
		return NULL;
	n = (size_t)(end - p - 1);
	if (n > 0 && (p[1] == 'v' || p[1] == 'V')) {
		q = p + 2;
		if (!is_hex((unsigned char)*q))
			return NULL;
		while (is_hex((unsigned char)*q))
			q++;
		if (*q++ != '.' || q == end)
			return NULL;
		for (; q < end; q++)
			if (!is_regc((unsigned char)*q) && *q != ':')
				return NULL;
		return end + 1;
	}
	if (n == 0 || n >= sizeof(v6))
		return NULL;
	memcpy(v6, p + 1, n);
	v6[n] = '\0';
	/* The ABNF has no zone id and neither has inet_pton. */
	if (inet_pton(AF_INET6, v6, a) != 1)
		return NULL;
	return end + 1;
}

/* authority = [ userinfo "@" ] host [ ":" port ]: end of it, or NULL. */
static const char *
authority(const char *p)
{
	const char	*q;

	q = run(p, ":");
	if (*q == '@')
		p = q + 1;
	if (*p == '[') {
		if ((p = ip_literal(p)) == NULL)
			return NULL;
	} else
		p = run(p, "");		/* reg-name, IPv4 included, maybe empty */
	if (*p == ':')
		for (p++; is_digit((unsigned char)*p); p++)
			continue;
	return p;
}

/* *( "/" segment ) */
static const char *
path_abempty(const char *p)
{

	while (*p == '/')
		p = run(p + 1, ":@");
	return p;
}

int
siwx_msg_is_uri(const char *s)
{
	const char	*p = s;

	if (s == NULL || !is_alpha((unsigned char)*p))
		return 0;
	for (p++; is_alpha((unsigned char)*p) || is_digit((unsigned char)*p) ||
	    *p == '+' || *p == '-' || *p == '.'; p++)
		continue;
	if (*p++ != ':')
		return 0;
	if (p[0] == '/' && p[1] == '/') {
		if ((p = authority(p + 2)) == NULL)
			return 0;
		p = path_abempty(p);
	} else if (*p == '/')
		p = path_abempty(p);		/* path-absolute */
	else
		p = path_abempty(run(p, ":@"));	/* path-rootless / empty */
	if (*p == '?')
		p = run(p + 1, ":@/?");
	if (*p == '#')
		p = run(p + 1, ":@/?");
	return *p == '\0';
}

/* --- RFC 3339 date-time ------------------------------------------------ */

static int
digits(const char *s, int n, int *v)
{
	int	 i;

	*v = 0;
	for (i = 0; i < n; i++) {
		if (!is_digit((unsigned char)s[i]))
			return -1;
		*v = *v * 10 + (s[i] - '0');
	}
	return 0;
}

/* Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant). */
static int64_t
days_from_civil(int64_t y, int m, int d)
{
	int64_t	 era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

static int
month_days(int y, int m)
{
	static const int	 md[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30,
	    31, 30, 31 };

	if (m == 2 && y % 4 == 0 && (y % 100 != 0 || y % 400 == 0))
		return 29;
	return md[m - 1];
}

/* leap: take second 60 (the grammar does; Date does not). */
static int
rfc3339(const char *s, int64_t *ms, int leap)
{
	int	 y, mo, d, h, mi, sec, oh = 0, om = 0, frac = 0, k;
	int64_t	 off = 0;
	const char *p;

	if (s == NULL || strlen(s) < 20 ||
	    digits(s, 4, &y) == -1 || s[4] != '-' ||
	    digits(s + 5, 2, &mo) == -1 || s[7] != '-' ||
	    digits(s + 8, 2, &d) == -1 || (s[10] != 'T' && s[10] != 't') ||
	    digits(s + 11, 2, &h) == -1 || s[13] != ':' ||
	    digits(s + 14, 2, &mi) == -1 || s[16] != ':' ||
	    digits(s + 17, 2, &sec) == -1)
		return -1;
	if (mo < 1 || mo > 12 || d < 1 || d > month_days(y, mo) ||
	    h > 23 || mi > 59 || sec > (leap ? 60 : 59))
		return -1;
	p = s + 19;
	if (*p == '.') {
		if (!is_digit((unsigned char)*++p))
			return -1;
		/* Date keeps milliseconds: later digits are dropped. */
		for (k = 0; is_digit((unsigned char)*p); p++, k++)
			if (k < 3)
				frac = frac * 10 + (*p - '0');
		for (; k < 3; k++)
			frac *= 10;
	}
	if (*p == 'Z' || *p == 'z')
		p++;
	else if (*p == '+' || *p == '-') {
		if (digits(p + 1, 2, &oh) == -1 || p[3] != ':' ||
		    digits(p + 4, 2, &om) == -1 || oh > 23 || om > 59)
			return -1;
		off = (int64_t)(oh * 60 + om) * 60000;
		if (*p == '-')
			off = -off;
		p += 6;
	} else
		return -1;
	if (*p != '\0')
		return -1;
	*ms = ((days_from_civil(y, mo, d) * 24 + h) * 60 + mi) * 60000 +
	    (int64_t)sec * 1000 + frac - off;
	return 0;
}

int
siwx_msg_time(const char *s, int64_t *ms)
{

	return rfc3339(s, ms, 0);
}

int
siwx_msg_time_iso(int64_t ms, char out[25])
{
	int64_t	 z, era, doe, yoe, y, doy, mp, days;
	unsigned rem;
	int	 d, m;

	days = ms >= 0 ? ms / 86400000 : -((-ms + 86399999) / 86400000);
	rem = (unsigned)(ms - days * 86400000);	/* 0 .. 86399999 */
	z = days + 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	y = yoe + era * 400;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	d = (int)(doy - (153 * mp + 2) / 5 + 1);
	m = (int)(mp < 10 ? mp + 3 : mp - 9);
	y += m <= 2;
	if (y < 0 || y > 9999)
		return -1;
	snprintf(out, 25, "%04u-%02u-%02uT%02u:%02u:%02u.%03uZ", (unsigned)y %
	    10000, (unsigned)m % 13, (unsigned)d % 32, rem / 3600000 % 24,
	    rem / 60000 % 60, rem / 1000 % 60, rem % 1000);
	return 0;
}

/* --- EIP-4361 fields --------------------------------------------------- */

/* statement = *( the grammar's printable set ): no '"', '%', '<', '>',
 * '\', '^', '`', '{', '|', '}', no control or non-ASCII byte. */
int
siwx_msg_statement_ok(const char *s)
{
	unsigned char	 c;

	for (; (c = (unsigned char)*s) != '\0'; s++)
		if (!(is_alpha(c) || is_digit(c) || c == ' ' || c == '!' ||
		    c == '#' || c == '$' || (c >= '&' && c <= ';') ||
		    c == '=' || c == '?' || c == '@' || c == '[' ||
		    c == ']' || c == '_' || c == '~'))
			return 0;
	return 1;
}

/*
 * The address as SiweMessage prints it: "0x" + 40 hex digits; all one
 * case is checksummed for the message, mixed case must already be EIP-55.
 */
static int
siwe_address(const char *s, char out[HEX_ADDR_STRLEN])
{
	uint8_t	 a[HEX_ADDR_LEN];
	int	 lower = 0, upper = 0;
	size_t	 i;

	if (hex_decode_fixed(s, a, sizeof(a)) == -1 || s[42] != '\0')
		return -1;
	for (i = 2; i < 42; i++) {
		lower |= s[i] >= 'a' && s[i] <= 'f';
		upper |= s[i] >= 'A' && s[i] <= 'F';
	}
	hex_eip55(a, out);
	return lower && upper && strcmp(s, out) != 0 ? -1 : 0;
}

/* "eip155:<digits>" as parseInt reads it, within Number's exact range. */
static int
siwe_chain(const char *s, uint64_t *id)
{
	const char	*p;

	if (strncmp(s, "eip155:", 7) != 0 || !is_digit((unsigned char)s[7]))
		return -1;
	*id = 0;
	for (p = s + 7; *p != '\0'; p++) {
		if (!is_digit((unsigned char)*p))
			return -1;
		if (*id > (UINT64_C(9007199254740991) - (uint64_t)(*p - '0')) / 10)
			return -1;
		*id = *id * 10 + (uint64_t)(*p - '0');
	}
	return 0;
}

/* The grammar's date-time: a leap second passes here (not in Date). */
static int
siwe_time_ok(const char *s)
{
	int64_t	 ms;

	return rfc3339(s, &ms, 1) == 0;
}

/* Every field against the grammar; 0 or -1 with the error set. */
static int
siwe_check(const struct siwx_fields *f, char addr[HEX_ADDR_STRLEN],
    uint64_t *chain, struct sf_err *err)
{
	const char	*p;
	size_t		 i;

	if (f->domain == NULL || *f->domain == '\0' ||
	    (p = authority(f->domain)) == NULL || *p != '\0')
		return SIWX_MSG_BAD(err, "domain",
		    "domain is not an RFC 3986 authority");
	if (f->address == NULL || siwe_address(f->address, addr) == -1)
		return SIWX_MSG_BAD(err, "address", "address is not a 0x "
		    "address with a valid EIP-55 checksum");
	if (f->statement != NULL && !siwx_msg_statement_ok(f->statement))
		return SIWX_MSG_BAD(err, "statement", "statement holds a "
		    "character EIP-4361 does not allow (line breaks, "
		    "non-ASCII, one of \"%%<>\\^`{|})");
	if (f->uri == NULL || !siwx_msg_is_uri(f->uri))
		return SIWX_MSG_BAD(err, "uri", "uri is not an RFC 3986 URI");
	if (f->version == NULL || strcmp(f->version, "1") != 0)
		return SIWX_MSG_BAD(err, "version", "version must be \"1\"");
	if (f->chain_id == NULL || siwe_chain(f->chain_id, chain) == -1)
		return SIWX_MSG_BAD(err, "chainId",
		    "chainId is not eip155:<number>");
	if (f->nonce == NULL || strlen(f->nonce) < 8)
		return SIWX_MSG_BAD(err, "nonce", "nonce must be at least 8 "
		    "letters and digits");
	for (p = f->nonce; *p != '\0'; p++)
		if (!is_alpha((unsigned char)*p) && !is_digit((unsigned char)*p))
			return SIWX_MSG_BAD(err, "nonce", "nonce must be "
			    "letters and digits");
	if (f->issued_at == NULL || !siwe_time_ok(f->issued_at))
		return SIWX_MSG_BAD(err, "issuedAt",
		    "issuedAt is not an RFC 3339 date-time");
	if (f->expiration_time != NULL && *f->expiration_time != '\0' &&
	    !siwe_time_ok(f->expiration_time))
		return SIWX_MSG_BAD(err, "expirationTime",
		    "expirationTime is not an RFC 3339 date-time");
	if (f->not_before != NULL && *f->not_before != '\0' &&
	    !siwe_time_ok(f->not_before))
		return SIWX_MSG_BAD(err, "notBefore",
		    "notBefore is not an RFC 3339 date-time");
	if (f->request_id != NULL && *run(f->request_id, ":@") != '\0')
		return SIWX_MSG_BAD(err, "requestId",
		    "requestId holds a character outside RFC 3986 pchar");
	for (i = 0; f->resources != NULL && i < f->nresources; i++)
		if (f->resources[i] == NULL || !siwx_msg_is_uri(f->resources[i]))
			return SIWX_MSG_BAD(err, "resources",
			    "resources[%zu] is not an RFC 3986 URI", i);
	return 0;
}

int
siwx_msg_siwe(const struct siwx_fields *f, struct buf *out,
    struct sf_err *err)
{
	char		 addr[HEX_ADDR_STRLEN];
	uint64_t	 chain = 0;
	size_t		 i;

	if (siwe_check(f, addr, &chain, err) == -1)
		return -1;
	/* SiweMessage.toMessage(): the statement block, then the fields. */
	buf_printf(out, "%s wants you to sign in with your Ethereum account:"
	    "\n%s\n\n", f->domain, addr);
	if (f->statement != NULL)
		buf_printf(out, "%s\n", f->statement);
	buf_printf(out, "\nURI: %s\nVersion: %s\nChain ID: %llu\nNonce: %s"
	    "\nIssued At: %s", f->uri, f->version, (unsigned long long)chain,
	    f->nonce, f->issued_at);
	if (f->expiration_time != NULL && *f->expiration_time != '\0')
		buf_printf(out, "\nExpiration Time: %s", f->expiration_time);
	if (f->not_before != NULL && *f->not_before != '\0')
		buf_printf(out, "\nNot Before: %s", f->not_before);
	if (f->request_id != NULL)
		buf_printf(out, "\nRequest ID: %s", f->request_id);
	if (f->resources != NULL) {
		buf_puts(out, "\nResources:");
		for (i = 0; i < f->nresources; i++)
			buf_printf(out, "\n- %s", f->resources[i]);
	}
	if (out->oom)
		return sf_err_set(err, 500, "out_of_memory", NULL,
		    "out of memory");
	return 0;
}

int
siwx_msg_siws(const struct siwx_fields *f, struct buf *out,
    struct sf_err *err)
{
	const char	*ref, *end;
	size_t		 i;
	int		 n;

	/* chainId.split(":")[1]; "undefined" when there is no ':'. */
	if ((ref = strchr(f->chain_id, ':')) == NULL) {
		ref = "undefined";
		n = 9;
	} else {
		ref++;
		end = strchr(ref, ':');
		n = (int)(end != NULL ? (size_t)(end - ref) : strlen(ref));
	}
	buf_printf(out, "%s wants you to sign in with your Solana account:"
	    "\n%s\n\n", f->domain, f->address);
	if (f->statement != NULL && *f->statement != '\0')
		buf_printf(out, "%s\n\n", f->statement);
	buf_printf(out, "URI: %s\nVersion: %s\nChain ID: %.*s\nNonce: %s"
	    "\nIssued At: %s", f->uri, f->version, n, ref, f->nonce,
	    f->issued_at);
	if (f->expiration_time != NULL && *f->expiration_time != '\0')
		buf_printf(out, "\nExpiration Time: %s", f->expiration_time);
	if (f->not_before != NULL && *f->not_before != '\0')
		buf_printf(out, "\nNot Before: %s", f->not_before);
	if (f->request_id != NULL && *f->request_id != '\0')
		buf_printf(out, "\nRequest ID: %s", f->request_id);
	if (f->resources != NULL && f->nresources > 0) {
		buf_puts(out, "\nResources:");
		for (i = 0; i < f->nresources; i++)
			buf_printf(out, "\n- %s", f->resources[i]);
	}
	if (out->oom)
		return sf_err_set(err, 500, "out_of_memory", NULL,
		    "out of memory");
	return 0;
}
