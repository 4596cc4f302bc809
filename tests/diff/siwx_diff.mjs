// Differential test: our Sign-In-With-X (shared/x402/siwx*.c through
// build/tests/siwx_diff_driver) against the official @x402/extensions
// 2.27.0 sign-in-with-x module and the EIP-4361 parser it builds on.
//
// Four parts, all from one seeded PRNG (a failing seed replays):
//   A. message text: random field sets, valid and invalid by EIP-4361's
//      grammar; ours (siwx_msg_siwe/siws) must print exactly what
//      formatSIWEMessage/formatSIWSMessage print, and refuse exactly
//      where formatSIWEMessage throws;
//   B. times: random date-time strings; ours must read exactly those
//      siwe-parser's isValidISO8601Date accepts and Date can read, to the
//      same millisecond, and print Date's toISOString();
//   C. URIs: random strings; ours must agree with siwe-parser's isUri;
//   E. origins: ours (of PUBLIC_URL and of a signed uri) must be WHATWG
//      URL's origin and host wherever we read one;
//   D. end to end: our challenge (PAYMENT-REQUIRED) must equal what
//      createSIWxResourceServerExtension builds for the same route but
//      for the fresh nonce and times; the official client hook
//      (createSIWxClientHook, viem accounts and @solana/kit signers)
//      signs it; a share of the headers is then tampered with (a lying
//      client that signs what it changed, or bytes changed after
//      signing, or a malformed header); our verdict must equal the
//      official server's (createSIWxRequestHook with nonce tracking:
//      grant or not), and our reason its reason;
//   F. over HTTP: the official @x402/fetch client with the sign-in-with-x
//      client extension gets into a route served from our challenge and
//      verdict, with an EVM and a Solana wallet.
//
// Where we are deliberately stricter than the official verifier, the
// rule is written here (STRICTER) and applied on top of the official
// verdict: an official "yes" that one of these rules refuses must be a
// "no" from us, with that rule's reason.
//
// Usage (from tests/): node diff/siwx_diff.mjs [N] [seed]
import { spawn } from 'node:child_process';
import readline from 'node:readline';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as S from '@x402/extensions/sign-in-with-x';
import { decodePaymentRequiredHeader } from '@x402/core/http';
import { isUri, isValidISO8601Date } from '@signinwithethereum/siwe-parser';
import { privateKeyToAccount } from 'viem/accounts';
import { getAddress, toHex, hexToBigInt, numberToHex } from 'viem';
import { createKeyPairSignerFromPrivateKeyBytes } from '@solana/kit';
import { createServer } from 'node:http';
import { x402Client } from '@x402/core/client';
import { wrapFetchWithPayment } from '@x402/fetch';

const N = Number(process.argv[2] || 1500);
let seed = Number(process.argv[3] || 25) >>> 0;
const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const driver = process.env.SIWX_DIFF_DRIVER || join(root, 'build/tests/siwx_diff_driver');

function rnd() {
  seed = (seed + 0x6D2B79F5) >>> 0;
  let t = seed;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}
const int = (n) => Math.floor(rnd() * n);
const pick = (a) => a[int(a.length)];
const chance = (p) => rnd() < p;
const bytes = (n) => Uint8Array.from({ length: n }, () => int(256));

// --- the driver ---------------------------------------------------------
const child = spawn(driver, [], { stdio: ['pipe', 'pipe', 'inherit'] });
const exited = new Promise((res) => child.on('exit', (code, signal) => res({ code, signal })));
const lines = readline.createInterface({ input: child.stdout })[Symbol.asyncIterator]();
async function ask(o) {
  child.stdin.write(JSON.stringify(o) + '\n');
  const { value, done } = await lines.next();
  if (done) throw new Error('driver exited');
  return JSON.parse(value);
}

const failures = [];
const counts = {};
const stats = {};
const stat = (k) => { stats[k] = (stats[k] || 0) + 1; };
function check(part, cond, what) {
  counts[part] = (counts[part] || 0) + 1;
  if (!cond && failures.length < 40) failures.push(`[${part}] ${what}`);
  else if (!cond) failures.push('');
}

// --- A/B/C generators ---------------------------------------------------
const HOSTS = ['api.example.com', 'example.com:8443', '127.0.0.1:8080', '[::1]:9000',
  'user@example.com', 'a.b-c_d~e', '[v1.x:y]', '', 'exa mple.com', 'host/path', 'h%41st', 'h%4',
  '[::1', '[1:2:3:4:5:6:7:8]', '[1::2::3]', 'xn--bcher-kva.example', '1.2.3.256'];
const ADDRS = () => {
  const a = privateKeyToAccount(toHex(bytes(32), { size: 32 })).address;
  return pick([a, a, a.toLowerCase(), '0x' + a.slice(2).toUpperCase(), a.slice(0, 41),
    a.slice(0, 2) + a.slice(2, 10).toLowerCase() + a.slice(10), '0X' + a.slice(2).toLowerCase(),
    a + '0', 'nothex', a.replace(/[a-f]/, 'g')]);
};
const STMTS = [undefined, undefined, '', 'Sign in to read your synthforge jobs', 'a\nb', 'quote "x"',
  'percent %', 'pipe |', 'é accent', 'brackets [ok] @ # $ & ( ) * + , - . / : ; = ? _ ~', 'tab\tx', '{x}', 'x<y>'];
const URIS = ['https://api.example.com/v1/jobs/x', 'https://api.example.com', 'http://127.0.0.1:8080/v1/jobs?limit=5#f',
  'https://[::1]:9000/x', 'urn:isbn:0451450523', 'mailto:a@b.c', 'https:api.example.com/x', 'https:/x',
  'https://user:pw@api.example.com/x', 'https://api.example.com/a b', 'https://api.example.com/%zz',
  'https://api.example.com/%41', 'HTTPS://API.EXAMPLE.COM/x', 'https://api.example.com:443/x', '://x', '1https://x',
  'https://api.example.com/x?q=a/b?c#d/e?f', 'https://api.example.com/x#a#b', 'https://[zz]/', 'a:', 'a+b-c.d:x',
  'https://api.example.com/é', 'https://api.example.com/x\\y', 'https://[v7.abc]/', 'https://[::ffff:1.2.3.4]/', ''];
function randTime(base) {
  const d = new Date(base + (int(2) ? 1 : -1) * int(1e9));
  const iso = d.toISOString();
  return pick([
    iso, iso, iso.replace('.', ',') , iso.slice(0, 19) + 'Z', iso.slice(0, 19) + '.5Z', iso.slice(0, 19) + '.123456789Z',
    iso.slice(0, 19) + '+05:30', iso.slice(0, 19) + '-23:59', iso.slice(0, 19) + '+24:00', iso.replace('T', 't').replace('Z', 'z'),
    iso.slice(0, 16) + 'Z', iso.slice(0, 10), iso.slice(0, 17) + '60Z', iso.slice(0, 11) + '24:00:00Z',
    '2023-02-29T00:00:00Z', '2024-02-29T12:00:00Z', '2024-04-31T00:00:00Z', '2024-13-01T00:00:00Z',
    '0000-01-01T00:00:00Z', '9999-12-31T23:59:59.999Z', iso + ' ', ' ' + iso, iso.slice(0, 19) + '.Z',
    iso.slice(0, 19) + '+0530', '', 'not a date', iso.slice(0, 19) + 'Z'.repeat(2),
  ]);
}
const NONCES = ['a1b2c3d4e5f67890a1b2c3d4e5f67890', 'abcdefgh', 'abcdefg', 'nonce-with-dash', 'ABCDEF1234567890', ''];
const VERSIONS = ['1', '1', '1', '2', '', '01'];
const CHAINS = ['eip155:1', 'eip155:8453', 'eip155:84532', 'eip155:0084532', 'eip155:9007199254740991',
  'eip155:9007199254740993', 'eip155:', 'eip155:1a', 'eip155:00'];
const REQIDS = [undefined, undefined, '', 'req-123', 'a:b@c', 'sp ace', '%zz', '%41', 'a/b', 'é'];

// A valid field set, then each field swapped for one of the whole pool
// (valid or not) with probability 0.12: most sets fail on one field or
// none, so both the printed text and each refusal are exercised.
function validTime(now) {
  const iso = new Date(now + (int(2) ? 1 : -1) * int(1e9)).toISOString();
  return pick([iso, iso, iso.slice(0, 19) + 'Z', iso.slice(0, 19) + '.5Z', iso.slice(0, 19) + '+05:30',
    iso.replace('T', 't').replace('Z', 'z'), iso.slice(0, 17) + '60Z', '2024-02-29T12:00:00Z']);
}
function randFields(now) {
  const sw = () => chance(0.12);
  const a = privateKeyToAccount(toHex(bytes(32), { size: 32 })).address;
  const f = {
    domain: sw() ? pick(HOSTS) : pick(HOSTS.slice(0, 6)),
    address: sw() ? ADDRS() : pick([a, a, a.toLowerCase()]),
    statement: sw() ? pick(STMTS) : pick([undefined, '', STMTS[3], STMTS[9]]),
    uri: sw() ? pick(URIS) : pick(URIS.slice(0, 6)),
    version: sw() ? pick(VERSIONS) : '1',
    chainId: sw() ? pick(CHAINS) : pick(CHAINS.slice(0, 5)),
    nonce: sw() ? pick(NONCES) : pick(NONCES.slice(0, 2)),
    issuedAt: sw() ? randTime(now) : validTime(now),
  };
  if (chance(0.5)) f.expirationTime = sw() ? randTime(now) : pick(['', validTime(now)]);
  if (chance(0.3)) f.notBefore = sw() ? randTime(now) : pick(['', validTime(now)]);
  const rid = sw() ? pick(REQIDS) : pick([undefined, undefined, '', 'req-123', 'a:b@c']);
  if (rid !== undefined) f.requestId = rid;
  if (chance(0.6)) f.resources = chance(0.15) ? [] :
    Array.from({ length: 1 + int(3) }, () => (sw() ? pick(URIS) : pick(URIS.slice(0, 6))));
  if (f.statement === undefined) delete f.statement;
  return f;
}

// JS numbers round chain ids beyond 2^53 - 1: SIWE prints the rounded
// number; ours refuses them.  "0X" addresses: SIWE checksums them into
// "0x…" and viem refuses them later; ours refuses at once.
function stricterMessage(f) {
  const m = /^eip155:(\d+)$/.exec(f.chainId);
  if (m && parseInt(m[1], 10) > Number.MAX_SAFE_INTEGER) return 'chain id beyond 2^53';
  if (typeof f.address === 'string' && f.address.startsWith('0X')) return '0X address';
  return null;
}

async function partA(n, now) {
  for (let i = 0; i < n; i++) {
    const f = randFields(now);
    let siwe = null;
    try { siwe = S.formatSIWEMessage(f, f.address); } catch { siwe = null; }
    const siws = S.formatSIWSMessage({ ...f, chainId: f.chainId.replace(/^eip155/, 'solana') }, f.address);
    const a = await ask({ op: 'msg', fields: f });
    const b = await ask({ op: 'msg', fields: { ...f, chainId: f.chainId.replace(/^eip155/, 'solana') } });
    stat(siwe === null ? 'A.siwe_refused' : 'A.siwe_printed');
    const why = stricterMessage(f);
    if (why && siwe !== null) check('A', a.siwe === null, `stricter (${why}) but ours printed: ${JSON.stringify(f)}`);
    else check('A', a.siwe === siwe, `SIWE differs for ${JSON.stringify(f)}\n  official: ${JSON.stringify(siwe)}\n  ours:     ${JSON.stringify(a.siwe)} (${a.siwe_err || ''})`);
    check('A', b.siws === siws, `SIWS differs for ${JSON.stringify(f)}\n  official: ${JSON.stringify(siws)}\n  ours:     ${JSON.stringify(b.siws)}`);
  }
}

async function partB(n, now) {
  for (let i = 0; i < n; i++) {
    const s = randTime(now);
    const t = new Date(s).getTime();
    const want = isValidISO8601Date(s) && !Number.isNaN(t) ? t : null;
    stat(want === null ? 'B.refused' : 'B.read');
    const a = await ask({ op: 'time', s });
    check('B', a.ms === want, `time ${JSON.stringify(s)}: official ${want}, ours ${a.ms}`);
    if (want !== null && t >= -62167219200000 && t <= 253402300799999)
      check('B', a.iso === new Date(t).toISOString(), `iso of ${s}: ${a.iso}`);
  }
}

const URI_ALPHABET = ['a', 'Z', '0', '9', ':', '/', '/', '?', '#', '[', ']', '@', '!', '$', '&', "'", '(', ')', '*',
  '+', ',', ';', '=', '-', '.', '_', '~', '%', '4', '1', 'g', ' ', '"', '<', '>', '\\', '^', '`', '{', '|', '}', 'é', 'v'];
async function partC(n) {
  for (let i = 0; i < n; i++) {
    let s = pick(URIS);
    if (chance(0.7)) {
      const k = 1 + int(4);
      for (let j = 0; j < k; j++) {
        const at = int(s.length + 1);
        s = s.slice(0, at) + (chance(0.5) ? pick(URI_ALPHABET) : '') + s.slice(at + (chance(0.5) ? 1 : 0));
      }
    }
    stat(isUri(s) ? 'C.uri' : 'C.not_uri');
    const a = await ask({ op: 'uri', s });
    check('C', a.uri === isUri(s), `uri ${JSON.stringify(s)}: official ${isUri(s)}, ours ${a.uri}`);
  }
}

// --- E: origins ----------------------------------------------------------
// Ours (siwx_origin: PUBLIC_URL and the uri a client signed) against
// WHATWG's URL (what the official server and client compare).  Where we
// accept, the origin and host must be URL's; where we refuse and URL
// accepts, one of our stricter rules must say why.
const HOSTS_E = ['api.example.com', 'API.Example.COM', 'a_b~c.example', 'localhost', '127.0.0.1', '127.1', '0x7f.0.0.1',
  '1.2.3.256', '01.2.3.4', '1.2.3.4.', 'a.1', 'example.com.', 'exa%6dple.com', 'us er.com', 'h\u00e9.example', ''];
function randV6() {
  const w = Array.from({ length: 8 }, () => (chance(0.45) ? 0 : int(0x10000)));
  let s = w.map((x) => (chance(0.5) ? x.toString(16).toUpperCase() : x.toString(16).padStart(chance(0.3) ? 4 : 1, '0'))).join(':');
  if (chance(0.2)) s = s.replace(/(^|:)0(:0)+(:|$)/, '::');
  if (chance(0.15)) s = '::ffff:' + [int(256), int(256), int(256), int(256)].join('.');
  return '[' + s + ']';
}
function stricterOrigin(u) {
  if (!/^https?:\/\//i.test(u)) return 'not scheme://';
  const auth = u.replace(/^https?:\/\//i, '').split(/[/?#]/)[0];
  if (/[@%]/.test(auth)) return 'user info or percent';
  const host = auth.startsWith('[') ? null : auth.replace(/:\d*$/, '');
  if (host !== null && !/^[A-Za-z0-9._~-]+$/.test(host)) return 'host characters';
  if (host !== null && /(^|\.)(\d+|0x[0-9a-f]*)\.?$/i.test(host) && !/^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/.test(host))
    return 'IPv4 not in canonical dotted form';
  return null;
}
async function partE(n) {
  for (let i = 0; i < n; i++) {
    const scheme = pick(['https', 'http', 'HTTPS', 'Http']);
    const host = chance(0.35) ? randV6() : chance(0.5) ? pick(HOSTS_E.slice(0, 5)) : pick(HOSTS_E);
    const port = pick(['', '', '', ':443', ':80', ':8080', ':08080', ':', ':65535', ':65536', ':8a']);
    const rest = pick(['', '/', '/v1/jobs?x=1#f', '?q', '#f']);
    const u = chance(0.85) ? `${scheme}://${host}${port}${rest}`
      : pick([`${scheme}://user@${host}${port}/`, `${scheme}:${host}/x`]);
    let w = null;
    try { w = new URL(u); } catch { w = null; }
    const a = await ask({ op: 'origin', s: u });
    stat(a.origin === null ? 'E.refused' : 'E.read');
    if (a.origin !== null)
      check('E', w !== null && w.origin === a.origin && w.host === a.host,
        `origin of ${JSON.stringify(u)}: ours ${a.origin} / ${a.host}, URL ${w ? w.origin + ' / ' + w.host : 'throws'}`);
    else if (w !== null && /^https?:$/.test(w.protocol))
      check('E', stricterOrigin(u) !== null, `we refused ${JSON.stringify(u)}, URL reads ${w.origin} / ${w.host}`);
  }
}

// --- D: end to end --------------------------------------------------------
const ORIGINS = ['https://api.example.com', 'http://127.0.0.1:8080', 'https://sf.example:8443', 'http://[::1]:9000'];
const NETS = [
  { name: 'base-sepolia', id: 'eip155:84532' }, { name: 'base', id: 'eip155:8453' },
  { name: 'eip155:137', id: 'eip155:137' }, { name: 'solana-devnet', id: 'solana:EtWTRABZaYq6iMfeYKouRu166VU2xqa1' },
  { name: 'solana', id: 'solana:5eykt4UsFv8P8NJdTREpY1vzqKqZKvdp' },
];
const ED_L = 2n ** 252n + 27742317777372353535851937790883648493n;
const SECP_N = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;

function leToBig(b) { let x = 0n; for (let i = b.length - 1; i >= 0; i--) x = (x << 8n) | BigInt(b[i]); return x; }
function bigToLe(x, n) { const b = new Uint8Array(n); for (let i = 0; i < n; i++) { b[i] = Number(x & 0xffn); x >>= 8n; } return b; }

const PAYLOAD_KEYS = ['domain', 'address', 'statement', 'uri', 'version', 'chainId', 'type', 'nonce', 'issuedAt',
  'expirationTime', 'notBefore', 'requestId', 'resources', 'signatureScheme', 'signature'];
function ordered(p) {
  const o = {};
  for (const k of PAYLOAD_KEYS) if (p[k] !== undefined) o[k] = p[k];
  for (const k of Object.keys(p)) if (!(k in o) && p[k] !== undefined) o[k] = p[k];
  return o;
}
const b64 = (s) => Buffer.from(s, 'utf8').toString('base64');
const unb64 = (h) => JSON.parse(Buffer.from(h, 'base64').toString('utf8'));

// A client that signs what it says, whatever it says.
async function signInfo(info, signer, isSol) {
  const address = isSol ? signer.address : signer.address;
  let message;
  try { message = S.createSIWxMessage(info, address); } catch { message = null; }
  let signature;
  if (message === null) signature = isSol ? S.encodeBase58(bytes(64)) : toHex(bytes(65));
  else signature = isSol ? await S.signSolanaMessage(message, signer) : await S.signEVMMessage(message, signer);
  return ordered({ ...info, address, signature });
}

// Our stricter rules (see the file comment), applied to what the official
// verifier accepted.  Returns the reason we give, or null.
function stricter(p, cfg, raw) {
  if (raw.unpadded) return 'invalid_siwx_header';
  if (raw.dupkey) return 'invalid_siwx_header';
  let u;
  try { u = new URL(p.uri); } catch { return null; }
  if (!/^https?:\/\/[^/?#]/i.test(p.uri) || u.username || u.password || /[%@]/.test(p.uri.split(/[/?#]/)[2] ?? ''))
    return 'invalid_siwx_uri_mismatch';
  const sol = p.chainId.startsWith('solana:');
  const strictTime = (s) => isValidISO8601Date(s) && !Number.isNaN(new Date(s).getTime());
  if (!strictTime(p.issuedAt)) return 'invalid_siwx_issued_at';
  if (p.expirationTime && !strictTime(p.expirationTime)) return 'invalid_siwx_expiration_time';
  if (p.notBefore && !strictTime(p.notBefore)) return 'invalid_siwx_not_before';
  const ch = cfg.chains.find((c) => c.id === p.chainId);
  if (!ch) return 'invalid_siwx_unsupported_chain';
  if (p.type !== (sol ? 'ed25519' : 'eip191')) return 'invalid_siwx_unsupported_chain';
  if (sol) {
    const fields = ['domain', 'address', 'statement', 'uri', 'version', 'chainId', 'nonce', 'issuedAt',
      'expirationTime', 'notBefore', 'requestId'];
    if (fields.some((k) => typeof p[k] === 'string' && /[\x00-\x1f\x7f]/.test(p[k]))) return 'invalid_siwx_message';
    if (p.version !== '1' || !isUri(p.uri)) return 'invalid_siwx_message';
    if ((p.resources || []).some((r) => /[\x00-\x1f\x7f]/.test(r) || !isUri(r))) return 'invalid_siwx_message';
    let sig;
    try { sig = S.decodeBase58(p.signature); } catch { return null; }
    if (sig.length === 64 && leToBig(sig.slice(32)) >= ED_L) return 'invalid_siwx_signature';
  }
  return null;
}

async function officialCode(header, origin, issued, used) {
  let p;
  try { p = S.parseSIWxHeader(header); } catch { return 'invalid_siwx_header'; }
  const val = await S.validateSIWxMessage(p, new URL(origin));
  if (!val.isValid) return val.invalidReason;
  let ver;
  try { ver = await S.verifySIWxSignature(p); } catch { return 'invalid_siwx_message'; }
  if (!ver.isValid) return ver.invalidReason;
  if (!issued.has(p.nonce) || used.has(p.nonce)) return 'invalid_siwx_nonce';
  return null;
}

// The official order (validate, verify, then the used-nonce check of the
// request hook) is ours, so the reasons must be the same.
const SAME = (ours, off) => ours === off;

const KINDS = [
  ['valid', 30], ['replay', 4], ['domain', 3], ['uri_origin', 3], ['uri_path', 2], ['uri_case', 2],
  ['uri_default_port', 1], ['uri_userinfo', 2], ['uri_noslash', 1], ['issued_old', 3], ['issued_future', 3],
  ['expired', 3], ['exp_removed', 2], ['nb_future', 2], ['nb_past', 2], ['nonce_unknown', 3],
  ['chain_not_offered', 3], ['type_mismatch', 2], ['statement_own', 2], ['statement_newline', 2],
  ['resources_other', 1], ['request_id', 1], ['version2', 2], ['time_offset', 2], ['time_lower', 1],
  ['post_statement', 3], ['post_nonce', 2], ['post_address', 3], ['lower_address', 2], ['upper_address', 1],
  ['bad_checksum', 2], ['v01', 2], ['high_s', 2], ['sig_truncated', 2], ['sig_garbage', 2], ['wrong_signer', 4],
  ['sol_s_plus_l', 2], ['hdr_not_b64', 1], ['hdr_unpadded', 1], ['hdr_not_json', 1], ['hdr_missing', 2],
  ['hdr_number', 1], ['hdr_unknown_key', 1], ['hdr_dupkey', 1], ['hdr_resources_obj', 1], ['hdr_bad_type', 1],
  ['hdr_bad_scheme', 1], ['hdr_scheme_ok', 1],
];
const KSUM = KINDS.reduce((s, [, w]) => s + w, 0);
function pickKind() {
  let r = int(KSUM);
  for (const [k, w] of KINDS) { if (r < w) return k; r -= w; }
  return 'valid';
}

async function partD(n) {
  let cfg = null;
  const issued = new Set(), used = new Set();
  let lastValid = null;
  const kinds = {};
  for (let i = 0; i < n; i++) {
    if (i % 60 === 0) {
      const origin = pick(ORIGINS);
      const nets = [...NETS].sort(() => rnd() - 0.5).slice(0, 1 + int(4));
      if (!nets.some((x) => x.id.startsWith('eip155')) && chance(0.7)) nets.push(NETS[0]);
      if (!nets.some((x) => x.id.startsWith('solana')) && chance(0.7)) nets.push(NETS[3]);
      const statement = pick([null, 'Sign in to read your synthforge jobs']);
      const r = await ask({ op: 'config', public_url: origin + pick(['', '/', '/prefix']), networks: nets.map((x) => x.name),
        statement, ttl_ms: 300000, skew_ms: 0 });
      if (!r.ok) throw new Error('config: ' + JSON.stringify(r));
      cfg = { origin, nets, statement, chains: nets.map((x) => ({ id: x.id })) };
      // Our challenge against the official server extension's, but for
      // the nonce and the two times.
      const res = cfg.origin + '/v1/jobs/' + toHex(bytes(8)).slice(2) + pick(['', '?limit=10']);
      const ours = await ask({ op: 'challenge', resource: res, now: Date.now() });
      const pr = decodePaymentRequiredHeader(ours.header);
      const off = await S.createSIWxResourceServerExtension({ origin: cfg.origin, storage: new S.InMemorySIWxStorage() })
        .enrichPaymentRequiredResponse(S.declareSIWxExtension({ network: nets.map((x) => x.id),
          statement: statement ?? undefined, expirationSeconds: 300 })[S.SIGN_IN_WITH_X],
        { resourceInfo: { url: res }, requirements: [] });
      const mine = pr.extensions[S.SIGN_IN_WITH_X];
      for (const k of ['nonce', 'issuedAt', 'expirationTime']) off.info[k] = mine.info[k];
      check('D', JSON.stringify(mine) === JSON.stringify(off), `challenge differs:\n  ours ${JSON.stringify(mine)}\n  off  ${JSON.stringify(off)}`);
      check('D', ours.status === 402 && Array.isArray(pr.accepts) && pr.accepts.length === 0 && pr.x402Version === 2 &&
        pr.resource.url === res, `402 shape: ${JSON.stringify(pr).slice(0, 300)}`);
      check('D', /^[0-9a-f]{32}$/.test(mine.info.nonce) &&
        new Date(mine.info.expirationTime) - new Date(mine.info.issuedAt) === 300000, 'nonce/times');
    }
    const kind = pickKind();
    kinds[kind] = (kinds[kind] || 0) + 1;
    const res = cfg.origin + '/v1/jobs/' + toHex(bytes(6)).slice(2);
    const ch = await ask({ op: 'challenge', resource: res, now: Date.now() });
    const pr = decodePaymentRequiredHeader(ch.header);
    const info = pr.extensions[S.SIGN_IN_WITH_X].info;
    issued.add(info.nonce);
    // A signer of a family we offer (a client of the other family would
    // not answer at all).
    const fam = pick(cfg.chains.map((c) => c.id.split(':')[0]));
    const isSol = fam === 'solana';
    const signer = isSol ? await createKeyPairSignerFromPrivateKeyBytes(bytes(32))
      : privateKeyToAccount(toHex(bytes(32), { size: 32 }));
    const got = await S.createSIWxClientHook(signer)({ paymentRequired: pr, requestUrl: res });
    let header = got.headers[S.SIGN_IN_WITH_X];
    let p = unb64(header);
    const chain = { chainId: p.chainId, type: p.type };
    const raw = {};
    const now = Date.now();
    const full = { ...info, ...chain };
    const iso = (ms) => new Date(ms).toISOString();
    const resign = async (mod) => { p = await signInfo({ ...full, ...mod }, signer, isSol); header = b64(JSON.stringify(p)); };
    const repack = () => { header = b64(JSON.stringify(p)); };
    switch (kind) {
      case 'valid': break;
      case 'replay': if (lastValid) { header = lastValid; p = unb64(header); } break;
      case 'domain': await resign({ domain: 'evil.example' }); break;
      case 'uri_origin': await resign({ uri: 'https://evil.example/v1/jobs/x' }); break;
      case 'uri_path': await resign({ uri: cfg.origin + '/elsewhere?x=1' }); break;
      case 'uri_case': await resign({ uri: cfg.origin.toUpperCase() + '/v1/jobs/x' }); break;
      case 'uri_default_port': await resign({ uri: cfg.origin.replace(/^(https?):\/\/([^/]+?)(:\d+)?$/,
        (m, s, h, po) => `${s}://${h}${po ?? (s === 'https' ? ':443' : ':80')}`) + '/x' }); break;
      case 'uri_userinfo': await resign({ uri: cfg.origin.replace('://', '://user@') + '/x' }); break;
      case 'uri_noslash': await resign({ uri: cfg.origin.replace('://', ':') + '/x' }); break;
      case 'issued_old': await resign({ issuedAt: iso(now - 400000 - int(1e6)) }); break;
      case 'issued_future': await resign({ issuedAt: iso(now + 20000 + int(1e6)) }); break;
      case 'expired': await resign({ expirationTime: iso(now - 20000 - int(100000)) }); break;
      case 'exp_removed': await resign({ expirationTime: undefined }); break;
      case 'nb_future': await resign({ notBefore: iso(now + 20000 + int(1e6)) }); break;
      case 'nb_past': await resign({ notBefore: iso(now - 20000 - int(1e6)) }); break;
      case 'nonce_unknown': await resign({ nonce: toHex(bytes(16)).slice(2) }); break;
      case 'chain_not_offered': await resign({ chainId: isSol ? 'solana:4uhcVJyU9pJkvQyS88uRDiswHXSCkY3z' : 'eip155:1' }); break;
      case 'type_mismatch': await resign({ type: isSol ? 'eip191' : 'ed25519' }); break;
      case 'statement_own': await resign({ statement: 'I agree to nothing in particular' }); break;
      case 'statement_newline': await resign({ statement: 'line one\nURI: https://evil.example/' }); break;
      case 'resources_other': await resign({ resources: ['https://elsewhere.example/r', 'urn:x:y'] }); break;
      case 'request_id': await resign({ requestId: 'req-' + int(1e6) }); break;
      case 'version2': await resign({ version: '2' }); break;
      case 'time_offset': await resign({ issuedAt: iso(now - 5000).slice(0, 19).replace(/T(\d\d)/, (m, h) => 'T' + h) + '+00:00' }); break;
      case 'time_lower': await resign({ issuedAt: iso(now - 5000).replace('T', 't').replace('Z', 'z') }); break;
      case 'post_statement': p.statement = (p.statement || '') + ' (changed)'; repack(); break;
      case 'post_nonce': p.nonce = toHex(bytes(16)).slice(2); repack(); break;
      case 'post_address':
        p.address = isSol ? (await createKeyPairSignerFromPrivateKeyBytes(bytes(32))).address
          : privateKeyToAccount(toHex(bytes(32), { size: 32 })).address;
        repack(); break;
      case 'lower_address': if (!isSol) { p.address = p.address.toLowerCase(); repack(); } break;
      case 'upper_address': if (!isSol) { p.address = '0x' + p.address.slice(2).toUpperCase(); repack(); } break;
      case 'bad_checksum':
        if (!isSol) {
          const a = p.address.slice(2);
          const i2 = [...a].findIndex((c) => /[a-fA-F]/.test(c));
          if (i2 >= 0) {
            const c = a[i2];
            p.address = '0x' + a.slice(0, i2) + (c === c.toLowerCase() ? c.toUpperCase() : c.toLowerCase()) + a.slice(i2 + 1);
            if (p.address.slice(2) === p.address.slice(2).toLowerCase() || p.address.slice(2) === p.address.slice(2).toUpperCase()) break;
            repack();
          }
        }
        break;
      case 'v01': if (!isSol) { const v = parseInt(p.signature.slice(130), 16); p.signature = p.signature.slice(0, 130) + numberToHex(v - 27, { size: 1 }).slice(2); repack(); } break;
      case 'high_s':
        if (!isSol) {
          const s = hexToBigInt('0x' + p.signature.slice(66, 130));
          const v = parseInt(p.signature.slice(130), 16);
          p.signature = p.signature.slice(0, 66) + (SECP_N - s).toString(16).padStart(64, '0') + (v === 27 ? '1c' : '1b');
          repack();
        }
        break;
      case 'sig_truncated': p.signature = p.signature.slice(0, p.signature.length - 4); repack(); break;
      case 'sig_garbage': p.signature = isSol ? '0OIl' + p.signature.slice(4) : '0x' + 'zz' + p.signature.slice(4); repack(); break;
      case 'wrong_signer': {
        const other = isSol ? await createKeyPairSignerFromPrivateKeyBytes(bytes(32)) : privateKeyToAccount(toHex(bytes(32), { size: 32 }));
        const msg = S.createSIWxMessage({ ...full }, p.address);
        p.signature = isSol ? await S.signSolanaMessage(msg, other) : await S.signEVMMessage(msg, other);
        repack(); break;
      }
      case 'sol_s_plus_l':
        if (isSol) {
          const sig = S.decodeBase58(p.signature);
          const sv = leToBig(sig.slice(32)) + ED_L;
          if (sv < 2n ** 256n) { sig.set(bigToLe(sv, 32), 32); p.signature = S.encodeBase58(sig); repack(); }
        }
        break;
      case 'hdr_not_b64': header = header.slice(0, 10) + '*' + header.slice(11); break;
      case 'hdr_unpadded': if (header.endsWith('=')) { header = header.replace(/=+$/, ''); raw.unpadded = true; } break;
      case 'hdr_not_json': header = b64('{"domain":'); break;
      case 'hdr_missing': delete p[pick(['domain', 'address', 'uri', 'version', 'chainId', 'type', 'nonce', 'issuedAt', 'signature'])]; repack(); break;
      case 'hdr_number': p[pick(['version', 'nonce', 'chainId'])] = 1; repack(); break;
      case 'hdr_unknown_key': p.extra = { any: 'thing' }; repack(); break;
      case 'hdr_dupkey': header = b64(JSON.stringify(p).replace('{', '{"domain":"evil.example",')); raw.dupkey = true; break;
      case 'hdr_resources_obj': p.resources = { 0: 'x' }; repack(); break;
      case 'hdr_bad_type': p.type = 'secp256k1'; repack(); break;
      case 'hdr_bad_scheme': p.signatureScheme = 'eip712'; repack(); break;
      case 'hdr_scheme_ok': p.signatureScheme = isSol ? 'siws' : 'eip191'; repack(); break;
    }
    const tnow = Date.now();
    const offCode = await officialCode(header, cfg.origin, issued, used);
    // The official server: its request hook with nonce tracking.
    const hook = S.createSIWxRequestHook({ origin: cfg.origin, storage: {
      hasPaid: () => false, recordPayment: () => {},
      hasUsedNonce: (nn) => !issued.has(nn) || used.has(nn), recordNonce: (nn) => { used.add(nn); },
    } });
    const granted = (await hook({ adapter: { getHeader: (h) => (h.toLowerCase() === 'sign-in-with-x' ? header : undefined) },
      path: new URL(res).pathname }, { accepts: [] }))?.grantAccess === true;
    check('D', granted === (offCode === null), `official hook ${granted} vs derived reason ${offCode} (${kind})`);
    let parsed = null;
    try { parsed = S.parseSIWxHeader(header); } catch { parsed = null; }
    const strict = granted && parsed ? stricter(parsed, cfg, raw) : null;
    const wantValid = granted && strict === null;
    const ours = await ask({ op: 'verify', header, now: tnow });
    stat(granted ? (strict ? 'D.official_yes_stricter_no' : 'D.both_yes') : 'D.official_no');
    check('D', ours.rc === 0, `rc ${ours.rc} (${kind})`);
    check('D', ours.valid === wantValid, `${kind} (${isSol ? 'solana' : 'evm'}): official ${granted ? 'grants' : 'refuses: ' + offCode}` +
      `${strict ? ', stricter rule: ' + strict : ''}; ours ${ours.valid ? 'grants' : 'refuses: ' + ours.reason + ' (' + ours.message + ')'}`);
    if (!ours.valid && !wantValid) {
      const want = strict ?? offCode;
      const st = parsed && !granted ? stricter(parsed, cfg, raw) : null;
      if (st === null || strict) {
        stat('D.reason_compared');
        check('D', SAME(ours.reason, want), `${kind}: reason ours ${ours.reason} (${ours.message}), official ${want}`);
      }
    }
    if (ours.valid) {
      const want = parsed === null ? null : parsed.chainId.startsWith('solana:') ? parsed.address
        : (() => { try { return getAddress(parsed.address); } catch { return null; } })();
      check('D', ours.address === want && ours.chain === parsed?.chainId,
        `${kind}: signer ${ours.address} on ${ours.chain}`);
      if (kind === 'valid') lastValid = header;
    }
  }
  return kinds;
}

// --- F: over HTTP, the official client --------------------------------
// A route served from our challenge and verdict (the driver) on a local
// port; the official @x402/fetch client, with the sign-in-with-x client
// extension of an EVM or a Solana wallet, calls it: it must get in (one
// 402, one signed retry, 200 naming its wallet); the same header again
// must not.
async function partF(n) {
  let seen = null, lastReason = null;
  const srv = createServer(async (req, res) => {
    const hdr = req.headers['sign-in-with-x'];
    const url = `http://127.0.0.1:${srv.address().port}${req.url}`;
    if (hdr) {
      seen = hdr;
      const v = await ask({ op: 'verify', header: hdr, now: Date.now() });
      lastReason = v.reason ?? null;
      if (v.valid) {
        res.writeHead(200, { 'Content-Type': 'application/json' });
        res.end(JSON.stringify({ address: v.address, chain: v.chain }));
        return;
      }
    }
    const c = await ask({ op: 'challenge', resource: url, now: Date.now() });
    res.writeHead(c.status, { 'Content-Type': 'application/json', 'PAYMENT-REQUIRED': c.header, 'Cache-Control': 'no-store' });
    res.end(c.body);
  });
  await new Promise((r) => srv.listen(0, '127.0.0.1', r));
  try {
    const origin = `http://127.0.0.1:${srv.address().port}`;
    const r = await ask({ op: 'config', public_url: origin, networks: ['base-sepolia', 'solana-devnet'], statement: null, skew_ms: 0 });
    if (!r.ok) throw new Error('config F');
    for (let i = 0; i < n; i++) {
      const sol = i % 2 === 1;
      const signer = sol ? await createKeyPairSignerFromPrivateKeyBytes(bytes(32)) : privateKeyToAccount(toHex(bytes(32), { size: 32 }));
      const client = new x402Client().registerExtension(S.createSIWxClientExtension({ signers: [signer] }));
      const pay = wrapFetchWithPayment(fetch, client);
      seen = null;
      const res = await pay(`${origin}/v1/jobs/${toHex(bytes(4)).slice(2)}?x=${i}`);
      const body = await res.json();
      stat('F.' + res.status);
      check('F', res.status === 200 && body.address === signer.address &&
        body.chain === (sol ? 'solana:EtWTRABZaYq6iMfeYKouRu166VU2xqa1' : 'eip155:84532'),
        `official client (${sol ? 'solana' : 'evm'}): ${res.status} ${JSON.stringify(body)}`);
      const again = await fetch(`${origin}/v1/jobs/x`, { headers: { 'SIGN-IN-WITH-X': seen ?? '' } });
      await again.arrayBuffer();
      check('F', again.status === 402 && lastReason === 'invalid_siwx_nonce',
        `the same sign-in again: ${again.status} (${lastReason})`);
    }
  } finally {
    srv.close();
  }
}

const t0 = Date.now();
const now = Date.now();
try {
  await partA(Math.max(200, N), now);
  await partB(Math.max(200, N), now);
  await partC(Math.max(200, N));
  await partE(Math.max(200, N));
  const kinds = await partD(N);
  await partF(20);
  console.log(`# kinds: ${Object.entries(kinds).map(([k, v]) => `${k}=${v}`).join(' ')}`);
} finally {
  child.stdin.end();
}
// The driver frees everything and exits 0 (under ASan a leak would not).
const ex = await exited;
check('D', ex.code === 0, `driver exited with ${ex.code ?? ex.signal}`);
console.log(`# ${Object.entries(stats).sort().map(([k, v]) => `${k}=${v}`).join(' ')}`);
const bad = failures.length;
console.log(`# siwx-diff: ${Object.entries(counts).map(([k, v]) => `${k} ${v} checks`).join(', ')}; ` +
  `${bad} failed; seed ${process.argv[3] || 25}; ${((Date.now() - t0) / 1000).toFixed(1)} s`);
for (const f of failures.filter(Boolean)) console.log('not ok - ' + f);
process.exit(bad ? 1 : 0);
