// Differential test of the request-body parser (shared/validate/val_json.c)
// against ECMAScript's JSON.parse, the strict reference: a generated corpus
// of valid documents, near-valid ones (every byte inserted, deleted or
// replaced somewhere), an exhaustive set of short number spellings, every
// escape, every control byte, the blanks JSON does not take (vertical tab,
// form feed, no-break space, U+2028, BOM...), the four shapes of issue 23,
// bad UTF-8 and surrogates.  The bytes are decoded as a server must read
// them (RFC 8259 8.1: UTF-8, strictly; a BOM is kept, not skipped) and
// given to JSON.parse; every case must get the same verdict from both, and
// what both accept must be the same value (the C driver prints its tree
// back; -0, 1e400 and every code point compared).  Two findings are JSON
// to JSON.parse but refused by us on purpose (validate/val_json.h):
// "\u0000" and a lone surrogate escape; the driver reports them apart.
// The payment header's parser (shared/x402/x402_json.c) reads every case
// too: the driver checks that it accepts exactly what val_json accepts
// with nothing found, as the same tree, and says X where it does not.
//
// Usage: node diff/json_diff.mjs [N] [SEED]   (driver: $JSON_DIFF_DRIVER)
import { spawnSync } from 'node:child_process';
import assert from 'node:assert/strict';

const N = Number(process.argv[2] || 4000);
let rng = Number(process.argv[3] || 8259) >>> 0;
const rand = () => { rng ^= rng << 13; rng >>>= 0; rng ^= rng >>> 17; rng ^= rng << 5; rng >>>= 0; return rng / 2 ** 32; };
const int = (n) => Math.floor(rand() * n);
const pick = (a) => a[int(a.length)];
const enc = new TextEncoder();
const B = (s) => Buffer.from(enc.encode(s));

// ---- the reference ---------------------------------------------------------------------------
const strictUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
function reference(bytes) {
  let text;
  try { text = strictUtf8.decode(bytes); } catch { return { ok: false, why: 'not UTF-8' }; }
  try { return { ok: true, value: JSON.parse(text) }; } catch (e) { return { ok: false, why: e.message }; }
}

// ---- generators ------------------------------------------------------------------------------
const WS = [' ', '\t', '\n', '\r'];
const ws = () => (rand() < 0.6 ? '' : Array.from({ length: 1 + int(3) }, () => pick(WS)).join(''));
const CODEPOINTS = [0x41, 0x7a, 0x20, 0x7f, 0xe9, 0x3b1, 0x4e2d, 0x20ac, 0x2028, 0x2029, 0xfeff, 0xfffd, 0xffff,
  0x1f600, 0x10000, 0x10ffff, 0x1, 0x1f, 0x8, 0xa0, 0x3000, 0xd7ff, 0xe000];
function jsonString() {
  let s = '"';
  for (let i = int(8); i > 0; i--) {
    const cp = rand() < 0.5 ? 0x20 + int(0x5f) : pick(CODEPOINTS);
    const ch = String.fromCodePoint(cp);
    if (cp < 0x20 || ch === '"' || ch === '\\' || rand() < 0.3) {
      // Escaped: short forms where they exist, else \u (a pair above U+FFFF).
      const short = { '"': '\\"', '\\': '\\\\', '\b': '\\b', '\f': '\\f', '\n': '\\n', '\r': '\\r', '\t': '\\t' }[ch];
      if (short && rand() < 0.7) s += short;
      else for (const u of [...Array(ch.length).keys()].map((k) => ch.charCodeAt(k)))
        s += '\\u' + (rand() < 0.5 ? u.toString(16).padStart(4, '0') : u.toString(16).padStart(4, '0').toUpperCase());
      if (rand() < 0.1) s += '\\/';
    } else s += ch;
  }
  return s + '"';
}
function jsonNumber() {
  const int_ = rand() < 0.3 ? '0' : String(1 + int(9)) + Array.from({ length: int(20) }, () => int(10)).join('');
  const frac = rand() < 0.4 ? '.' + Array.from({ length: 1 + int(18) }, () => int(10)).join('') : '';
  const exp = rand() < 0.3 ? pick(['e', 'E']) + pick(['', '+', '-']) + String(int(rand() < 0.1 ? 400 : 30)) : '';
  return (rand() < 0.3 ? '-' : '') + int_ + frac + exp;
}
function jsonValue(depth) {
  const r = rand();
  if (depth > 4 || r < 0.35) return pick([jsonString, jsonNumber, () => 'true', () => 'false', () => 'null'])();
  if (r < 0.7) {
    const n = int(5);
    const members = Array.from({ length: n }, () => ws() + (rand() < 0.8 ? pick(['"prompt"', '"seed"', '"a"', '"1"', '"é"']) : jsonString())
      + ws() + ':' + ws() + jsonValue(depth + 1) + ws());
    return '{' + (n ? members.join(',') : ws()) + '}';
  }
  const n = int(5);
  return '[' + (n ? Array.from({ length: n }, () => ws() + jsonValue(depth + 1) + ws()).join(',') : ws()) + ']';
}
const doc = () => ws() + (rand() < 0.8 ? '{' + ws() + '"prompt"' + ws() + ':' + ws() + jsonValue(1) + ws() + '}' : jsonValue(0)) + ws();

// Bytes worth putting where they do not belong.
const NASTY = [[0x0b], [0x0c], [0x00], [0x01], [0x1f], [0x7f], [0xa0], [0xc2, 0xa0], [0xef, 0xbb, 0xbf], [0xe2, 0x80, 0xa8],
  [0xe3, 0x80, 0x80], [0x80], [0xc0, 0xaf], [0xed, 0xa0, 0x80], [0xf4, 0x90, 0x80, 0x80], [0xff], [0xc3],
  ...'+-.0123456789eE,:[]{}"\\/ \t\n\rtfnux'.split('').map((c) => [c.charCodeAt(0)])];
function mutate(bytes) {
  const b = [...bytes];
  const at = int(b.length + 1);
  switch (int(5)) {
    case 0: b.splice(at, 0, ...pick(NASTY)); break;
    case 1: b.splice(at, 1); break;
    case 2: b.splice(at, 1, ...pick(NASTY)); break;
    case 3: b.length = at; break;
    default: b.splice(at, 0, b[at] ?? 0x20);
  }
  return Buffer.from(b);
}

const corpus = [];
const add = (bytes, tag) => corpus.push({ bytes: Buffer.isBuffer(bytes) ? bytes : B(bytes), tag });

// The four shapes of issue 23, and their neighbours.
for (const s of ['{"seed":012}', '\x01{"prompt":"x"}', '{"seed":1.}', '{"prompt":"x",\x0b"seed":1}',
  '{"seed":0}', '{"seed":0.1}', '{"prompt":"x",\t"seed":1}', '{"prompt":"x"}'])
  add(s, 'issue 23');
add(Buffer.from([0xef, 0xbb, 0xbf, ...B('{"prompt":"x"}')]), 'BOM');
add(Buffer.from([0xfe, 0xff, 0x00, 0x7b, 0x00, 0x7d]), 'UTF-16 BOM');
add(Buffer.from([0x7b, 0x00, 0x7d, 0x00]), 'UTF-16LE');
add('', 'empty'); add(' \n', 'blanks');

// Every number spelling of up to four characters over the grammar's alphabet, bare and as a member.
const NUMC = ['-', '+', '0', '1', '9', '.', 'e', 'E'];
for (let len = 1; len <= 4; len++) {
  for (let k = 0; k < NUMC.length ** len; k++) {
    let s = '';
    for (let d = 0, x = k; d < len; d++, x = Math.floor(x / NUMC.length)) s += NUMC[x % NUMC.length];
    add(s, 'number'); add(`{"n":${s}}`, 'number member');
  }
}
// Every escape character, every control byte raw in a string and between tokens, the blanks JSON does not take.
for (let c = 0; c < 0x80; c++) add(Buffer.concat([B('{"s":"\\'), Buffer.from([c]), B('"}')]), 'escape');
for (let c = 0; c < 0x20; c++) {
  add(Buffer.concat([B('{"s":"a'), Buffer.from([c]), B('b"}')]), 'raw control in a string');
  add(Buffer.concat([B('{"s":'), Buffer.from([c]), B('1}')]), 'control between tokens');
  add(Buffer.concat([Buffer.from([c]), B('{}')]), 'control before the value');
  add(Buffer.concat([B('{}'), Buffer.from([c])]), 'control after the value');
}
for (const cp of [0x0b, 0x0c, 0x85, 0xa0, 0x1680, 0x2000, 0x200b, 0x2028, 0x2029, 0x202f, 0x3000, 0xfeff])
  for (const s of [`{"a":${String.fromCodePoint(cp)}1}`, `${String.fromCodePoint(cp)}{}`, `{}${String.fromCodePoint(cp)}`]) add(s, 'blank');
// Surrogates, escaped and encoded, and other UTF-8 that is not.
for (const e of ['\\ud800', '\\udbff', '\\udc00', '\\udfff', '\\ud800\\udc00', '\\udbff\\udfff', '\\udc00\\ud800',
  '\\ud800\\ud800', '\\ud800x', '\\ud800\\u0041', '\\uD83D\\uDE00', '\\u0000', 'a\\u0000', '\\u00000'])
  add(`{"s":"${e}"}`, 'surrogate or NUL escape');
for (const bad of [[0xc0, 0x80], [0xc1, 0xbf], [0xe0, 0x80, 0x80], [0xe0, 0x9f, 0xbf], [0xed, 0xa0, 0x80], [0xed, 0xbf, 0xbf],
  [0xf0, 0x80, 0x80, 0x80], [0xf0, 0x8f, 0xbf, 0xbf], [0xf4, 0x90, 0x80, 0x80], [0xf5, 0x80, 0x80, 0x80], [0xf8, 0x88, 0x80, 0x80, 0x80],
  [0x80], [0xbf], [0xc2], [0xe2, 0x82], [0xf0, 0x9f, 0x98], [0xfe], [0xff], [0xc2, 0x41], [0xe2, 0x28, 0xa1],
  [0xdf, 0xbf], [0xe0, 0xa0, 0x80], [0xef, 0xbf, 0xbf], [0xf0, 0x90, 0x80, 0x80], [0xf4, 0x8f, 0xbf, 0xbf]]) {
  add(Buffer.concat([B('{"s":"'), Buffer.from(bad), B('"}')]), 'UTF-8 in a string');
  add(Buffer.concat([B('{"'), Buffer.from(bad), B('":1}')]), 'UTF-8 in a key');
  add(Buffer.concat([B('{"s":1'), Buffer.from(bad), B('}')]), 'UTF-8 outside strings');
}
// Literals and structure, near misses.
for (const s of ['true', 'True', 'tru', 'truee', 'nul', 'null ', 'NaN', 'Infinity', '-Infinity', '[1,]', '[,1]', '[1 2]',
  '{"a":1,}', '{,"a":1}', '{"a" 1}', '{"a"::1}', '{a:1}', "{'a':1}", '{"a":1}}', '[[[]]', '"\\', '"abc', '{"a":1}/**/', '/*x*/1',
  '1 2', '"a" "b"', '{"a":1}{"b":2}', '[]', '{}', '""', '0', '-0', '-', '--1', '1.5e308', '1e309', '-1e400', '4.9e-324', '2e-400',
  '0.1e1', '00', '01', '1_000', '0x1F', '.5', '5.', '+5'])
  add(s, 'near miss');
// Nesting up to the limit both share.
add('['.repeat(999) + ']'.repeat(999), 'deep'); add('{"a":'.repeat(500) + '1' + '}'.repeat(500), 'deep objects');

// Generated documents, and each mutated a few times.
for (let i = 0; i < N; i++) {
  const d = B(doc());
  add(d, 'generated');
  let m = d;
  for (let k = 0; k < 3; k++) { m = mutate(m); add(m, 'mutated'); }
}

// ---- run ---------------------------------------------------------------------------------------
const driver = process.env.JSON_DIFF_DRIVER;
if (!driver) throw new Error('JSON_DIFF_DRIVER is not set');
const run = spawnSync(driver, [], { input: corpus.map((c) => c.bytes.toString('hex')).join('\n') + '\n', maxBuffer: 1 << 28 });
if (run.status !== 0) throw new Error(`driver exited ${run.status}: ${run.stderr}`);
const lines = run.stdout.toString().split('\n');
assert.equal(lines.length - 1, corpus.length, 'one verdict per case');

let agree = 0, accepted = 0, findings = 0;
const bad = [];
const counts = {};
corpus.forEach((c, i) => {
  const line = lines[i];
  const ref = reference(c.bytes);
  const kind = line[0];
  // Ours: O accepted; F JSON with a finding we refuse on purpose; S, R, B not JSON.
  const oursJson = kind === 'O' || kind === 'F';
  // X: x402_json disagrees with val_json (json_diff_driver.c).
  let ok = kind !== 'X' && oursJson === ref.ok;
  if (ok && kind === 'O') {
    try { assert.deepStrictEqual(JSON.parse(line.slice(2)), ref.value); accepted++; } catch { ok = false; }
  }
  if (ok && kind === 'F') {
    // Only U+0000 (1) and lone surrogates (2) are JSON that we refuse.
    const flags = Number(line.slice(2));
    ok = (flags & ~3) === 0 && flags !== 0;
    findings++;
  }
  counts[c.tag] = (counts[c.tag] || 0) + 1;
  if (ok) agree++;
  else bad.push(`${c.tag}: ${JSON.stringify(c.bytes.toString('latin1'))} hex ${c.bytes.toString('hex')}: ours ${line.slice(0, 120)}, JSON.parse ${ref.ok ? 'accepts' : `refuses (${ref.why})`}`);
});
console.log(`json-diff: ${corpus.length} cases (${Object.entries(counts).map(([k, v]) => `${v} ${k}`).join(', ')})`);
console.log(`json-diff: x402_json (payment headers) ${lines.filter((l) => l[0] === 'X').length ? 'DISAGREES with val_json on some' : 'agrees with val_json on all'} ${corpus.length} cases`);
console.log(`json-diff: ${agree} agree with JSON.parse (${accepted} accepted with the same value, ${findings} JSON refused on purpose: U+0000 or a lone surrogate)`);
if (bad.length) {
  console.log(bad.slice(0, 40).join('\n'));
  console.log(`json-diff: ${bad.length} DISAGREE`);
  process.exit(1);
}
