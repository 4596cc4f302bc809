// Differential test: C verifier (build/tests/x402_diff_driver) vs viem.
//
// Generates N random EIP-3009 TransferWithAuthorization payments signed with
// viem's signTypedData (random keys, domains, chain ids, assets, amounts,
// nonces, time windows), mutates a share of them, computes the verdict viem
// implies, runs the C driver over the same cases and compares line by line.
//
// Rule set compared (what "valid" means on both sides):
//   1. an EOA signature: exactly 65 bytes, viem recoverTypedDataAddress()
//      succeeds (v in {0,1,27,28}; r, s in [1, n-1]; a point exists) and
//      equals authorization.from (case-insensitive);
//   2. and s <= n/2 (EIP-2 low-s, as USDC's ecrecover; viem itself accepts
//      high s, so this rule is applied here explicitly): an EOA signature
//      with a high s -> invalid_exact_evm_signature;
//   then the terms:
//   3. validBefore >= now + 6 else ..._valid_before;
//   4. validAfter <= now else ..._valid_after;
//   and a signature that is no EOA's of from (rule 1 fails) may be a
//   contract wallet's (ERC-1271/6492), which only the chain can judge: the
//   terms decide first, and if they pass -> invalid_exact_evm_signature
//   (the C side marks it for the on-chain proof); else valid ("ok").
// The C side runs the full path: JSON -> base64 header -> x402_verify_header()
// against an offer built from the case's (verification) domain.  Also
// compared: the recovered address whenever viem recovers one (including
// high-s twins), and that C recovers nothing when viem throws.
//
// Usage (from tests/): node diff/x402_diff.mjs [N] [seed]
import { spawnSync } from 'node:child_process';
import { writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { recoverTypedDataAddress, getAddress, toHex } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';

const N = Number(process.argv[2] || 10000);
let seed = Number(process.argv[3] || process.env.SEED || 402) >>> 0;
const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const driver = process.env.X402_DIFF_DRIVER || join(root, 'build/tests/x402_diff_driver');

// Reproducible PRNG (mulberry32) so a failing seed can be replayed.
function rnd() {
  seed = (seed + 0x6D2B79F5) >>> 0;
  let t = seed;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}
const int = (n) => Math.floor(rnd() * n);
const pick = (a) => a[int(a.length)];
const bytes = (n) => Uint8Array.from({ length: n }, () => int(256));
const hexb = (n) => toHex(bytes(n));
const big = (b) => BigInt(toHex(b));

const CURVE_N = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;
const HALF_N = CURVE_N >> 1n;
const MAX256 = (1n << 256n) - 1n;
const V1 = { 8453: 'base', 84532: 'base-sepolia', 137: 'polygon',
  43114: 'avalanche', 43113: 'avalanche-fuji', 80002: 'polygon-amoy' };

const types = {
  TransferWithAuthorization: [
    { name: 'from', type: 'address' }, { name: 'to', type: 'address' },
    { name: 'value', type: 'uint256' }, { name: 'validAfter', type: 'uint256' },
    { name: 'validBefore', type: 'uint256' }, { name: 'nonce', type: 'bytes32' },
  ],
};

function randName(maxBytes) {
  const alphabet = ['U', 'S', 'D', 'C', ' ', 'o', 'i', 'n', 'x', '"', '\\', '/',
    'é', 'ü', '€', '日', '本', '😀', '\n', '\t', '\u0001', "'", '{', '}'];
  for (;;) {
    let s = '';
    const len = 1 + int(20);
    for (let i = 0; i < len; i++) s += pick(alphabet);
    if (Buffer.byteLength(s) <= maxBytes) return s;
  }
}
function randDomain() {
  const name = pick(['USDC', 'USD Coin', 'Bridged USDC', randName(63)]);
  const version = pick(['1', '2', '2', randName(15)]);
  const chainId = pick([1, 8453, 84532, 137, 43114, 43113, 80002, 31337,
    1 + int(0xffffffff), 1 + Math.floor(rnd() * Number.MAX_SAFE_INTEGER)]);
  return { name, version, chainId, verifyingContract: getAddress(hexb(20)) };
}
function randValue() {
  switch (int(5)) {
  case 0: return 0n;
  case 1: return BigInt(1 + int(1e6));
  case 2: return BigInt(int(2 ** 30)) * 1000000000000n;
  case 3: return MAX256 - BigInt(int(1000));
  default: return big(bytes(1 + int(32)));
  }
}
const addrCase = (a) => (rnd() < 0.3 ? a.toLowerCase() : getAddress(a));

function mutate(c, sigHex) {
  const sig = Buffer.from(sigHex.slice(2), 'hex');
  const m = c.message;
  const kinds = ['from', 'to', 'value', 'validAfter', 'validBefore', 'nonce',
    'dname', 'dversion', 'dchain', 'dcontract', 'highs', 'highs_noflip',
    'badv', 'v01', 'trunc', 'pad', 'flipr', 'flips', 'r0', 'sn', 'random'];
  const k = pick(kinds);
  c.mutation = k;
  switch (k) {
  case 'from': m.from = getAddress(hexb(20)); break;
  case 'to': m.to = getAddress(hexb(20)); break;
  case 'value': m.value = (BigInt(m.value) ^ 1n).toString(); break;
  case 'validAfter': m.validAfter = (BigInt(m.validAfter) + 1n).toString(); break;
  case 'validBefore': m.validBefore = (BigInt(m.validBefore) ^ 4n).toString(); break;
  case 'nonce': { const n = Buffer.from(m.nonce.slice(2), 'hex'); n[int(32)] ^= 1 << int(8); m.nonce = '0x' + n.toString('hex'); break; }
  case 'dname': c.domain.name += 'x'; break;
  case 'dversion': c.domain.version = c.domain.version === '2' ? '1' : '2'; break;
  case 'dchain': c.domain.chainId = c.domain.chainId === 1 ? 2 : c.domain.chainId - 1; break;
  case 'dcontract': c.domain.verifyingContract = getAddress(hexb(20)); break;
  case 'highs':
  case 'highs_noflip': {
    const s = BigInt('0x' + sig.subarray(32, 64).toString('hex'));
    Buffer.from((CURVE_N - s).toString(16).padStart(64, '0'), 'hex').copy(sig, 32);
    if (k === 'highs') sig[64] = sig[64] === 27 ? 28 : 27;
    break;
  }
  case 'badv': sig[64] = pick([2, 26, 29, 30, 35, 36, 255, int(256)]); break;
  case 'v01': sig[64] -= 27; break;
  case 'trunc': return '0x' + sig.subarray(0, pick([1, 32, 64])).toString('hex');
  case 'pad': return '0x' + Buffer.concat([sig, bytes(1 + int(40))]).toString('hex');
  case 'flipr': sig[int(32)] ^= 1 << int(8); break;
  case 'flips': sig[32 + int(32)] ^= 1 << int(8); break;
  case 'r0': sig.fill(0, 0, 32); break;
  case 'sn': Buffer.from((CURVE_N + BigInt(int(5))).toString(16).padStart(64, '0'), 'hex').copy(sig, 32); break;
  case 'random': return '0x' + Buffer.from(bytes(65)).toString('hex');
  }
  return '0x' + sig.toString('hex');
}

async function expected(c) {
  const sig = Buffer.from(c.signature.slice(2), 'hex');
  let recovered = null;
  if (sig.length === 65) {
    try {
      recovered = await recoverTypedDataAddress({ domain: c.domain, types,
        primaryType: 'TransferWithAuthorization', message: c.message,
        signature: c.signature });
    } catch { recovered = null; }
  }
  const now = BigInt(c.now);
  const lowS = sig.length === 65 &&
    BigInt('0x' + sig.subarray(32, 64).toString('hex')) <= HALF_N;
  const eoa = recovered !== null && recovered.toLowerCase() === c.message.from.toLowerCase();
  let reason = 'ok';
  if (eoa && !lowS)
    reason = 'invalid_exact_evm_signature';
  else if (BigInt(c.message.validBefore) < now + 6n)
    reason = 'invalid_exact_evm_payload_authorization_valid_before';
  else if (BigInt(c.message.validAfter) > now)
    reason = 'invalid_exact_evm_payload_authorization_valid_after';
  else if (!eoa)
    reason = 'invalid_exact_evm_signature';
  return { reason, recovered };
}

const cases = [];
const t0 = Date.now();
for (let i = 0; i < N; i++) {
  let key;
  do { key = bytes(32); } while (big(key) === 0n || big(key) >= CURVE_N);
  const acct = privateKeyToAccount(toHex(key));
  const domain = randDomain();
  let validAfter, validBefore;
  if (rnd() < 0.1) { validAfter = 0n; validBefore = MAX256; }
  else {
    validAfter = BigInt(pick([0, int(2e9)]));
    validBefore = validAfter + BigInt(int(1200));
  }
  const message = {
    from: addrCase(acct.address), to: addrCase(hexb(20)),
    value: randValue().toString(), validAfter: validAfter.toString(),
    validBefore: validBefore.toString(), nonce: hexb(32),
  };
  const signature = await acct.signTypedData({ domain, types,
    primaryType: 'TransferWithAuthorization',
    message: { ...message, value: BigInt(message.value),
      validAfter: BigInt(message.validAfter), validBefore: BigInt(message.validBefore) } });
  // now: mostly inside the window, sometimes just outside either edge.
  const lo = validAfter, hi = validBefore > 2n ** 62n ? lo + 1000n : validBefore;
  let now = pick([lo, hi - 6n, hi - 5n, lo - 1n, lo + BigInt(int(600))]);
  if (now < 0n) now = 0n;
  const c = { id: i, v: V1[domain.chainId] && rnd() < 0.5 ? 1 : 2,
    domain: { ...domain }, message, now: now.toString(), mutation: 'none' };
  c.signature = rnd() < 0.45 ? mutate(c, signature) : signature;
  if (c.v === 1) c.network1 = V1[c.domain.chainId];
  if (c.v === 1 && !V1[c.domain.chainId]) c.v = 2;	// chain mutated away
  cases.push(c);
}
const tGen = Date.now() - t0;

const exp = [];
const t1 = Date.now();
for (const c of cases) exp.push(await expected(c));
const tViem = Date.now() - t1;

const dir = mkdtempSync(join(tmpdir(), 'x402diff-'));
const file = join(dir, 'cases.jsonl');
writeFileSync(file, cases.map((c) => JSON.stringify({ ...c,
  domain: { ...c.domain, chainId: String(c.domain.chainId) } })).join('\n') + '\n');
const t2 = Date.now();
const r = spawnSync(driver, [file], { maxBuffer: 1 << 28, encoding: 'utf8' });
const tC = Date.now() - t2;
if (r.status !== 0) {
  console.error(`driver failed (status ${r.status}): ${r.error || r.stderr}`);
  process.exit(2);
}
const lines = r.stdout.trim().split('\n');
let pass = 0, fail = 0;
const byKind = {};
for (let i = 0; i < cases.length; i++) {
  const [id, reason, rec] = (lines[i] || '').split(' ');
  const e = exp[i];
  const recOk = e.recovered === null ? rec === '-' : rec === e.recovered;
  const ok = Number(id) === cases[i].id && reason === e.reason && recOk;
  const k = `${cases[i].mutation}:${e.reason === 'ok' ? 'ok' : 'bad'}`;
  byKind[k] = (byKind[k] || 0) + 1;
  if (ok) pass++;
  else {
    fail++;
    if (fail <= 10)
      console.log(`MISMATCH case ${cases[i].id} (${cases[i].mutation}): C "${reason} ${rec}" viem "${e.reason} ${e.recovered}"\n  ${JSON.stringify(cases[i])}`);
  }
}
rmSync(dir, { recursive: true, force: true });
console.log(`# seed ${process.argv[3] || process.env.SEED || 402}; generate+sign ${tGen} ms, viem verdicts ${tViem} ms, C driver ${tC} ms`);
console.log('# cases by mutation:verdict ' + Object.keys(byKind).sort().map((k) => `${k}=${byKind[k]}`).join(' '));
console.log(`${pass} passed, ${fail} failed`);
process.exit(fail === 0 && pass === N ? 0 : 1);
