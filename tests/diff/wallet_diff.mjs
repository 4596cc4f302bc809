// Differential test: the C contract-wallet code (build/tests/wallet_diff_driver)
// against viem, on N random cases (seeded, replayable):
//   parse6492  random ERC-6492 wrappers (viem serializeErc6492Signature),
//              half of them broken (bytes flipped, cut, added; offsets,
//              lengths, padding and the address word rewritten; plain random
//              bytes with the magic).  Rule: C accepts exactly when viem's
//              decodeAbiParameters(address, bytes, bytes) reads the body AND
//              viem's encodeAbiParameters of what it read gives back the very
//              same bytes (the canonical form); then all three fields agree.
//              Without the magic suffix: no wrapper.  The shape C reports
//              follows from the same rules.
//   wrapper    Coinbase SignatureWrapper abi.encode(uint256, bytes), same rule
//   validator  erc6492SignatureValidatorByteCode eth_call data (encodeDeployData)
//   twa        transferWithAuthorization(..., bytes) (encodeFunctionData)
//   try        Multicall3 tryAggregate(bool, (address, bytes)[]) calldata
//   tryres     tryAggregate's answer (encodeFunctionResult), some broken or
//              asked for the wrong count: C decodes exactly what viem's
//              decodeFunctionResult decodes, and refuses what it refuses.
// Usage (from tests/): node diff/wallet_diff.mjs [N] [seed]
import { spawnSync } from 'node:child_process';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bytesToHex, concat, decodeAbiParameters, decodeFunctionResult, encodeAbiParameters, encodeDeployData,
  encodeFunctionData, encodeFunctionResult, erc6492SignatureValidatorByteCode, getAddress,
  serializeErc6492Signature } from 'viem';

const N = Number(process.argv[2] || 3000);
let seed = Number(process.argv[3] || process.env.SEED || 6492) >>> 0;
const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const driver = process.env.WALLET_DIFF_DRIVER || join(root, 'build/tests/wallet_diff_driver');

function rnd() {				// mulberry32
  seed = (seed + 0x6D2B79F5) >>> 0;
  let t = seed;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}
const int = (n) => Math.floor(rnd() * n);
const pick = (a) => a[int(a.length)];
const bytes = (n) => Uint8Array.from({ length: n }, () => int(256));
const hexb = (n) => bytesToHex(bytes(n));
const randLen = () => pick([0, 1, 31, 32, 33, 64, 65, 96, 192, int(300)]);
const u256 = () => pick([0n, 1n, (1n << 256n) - 1n, BigInt(hexb(32)), BigInt(int(1e9))]);
const MAGIC = `0x${'6492'.repeat(16)}`;	// ERC-6492's magic suffix
const lc = (h) => h.toLowerCase();

const T6492 = [{ type: 'address' }, { type: 'bytes' }, { type: 'bytes' }];
const TWRAP = [{ type: 'uint256' }, { type: 'bytes' }];
const twaAbi = [{ type: 'function', name: 'transferWithAuthorization', stateMutability: 'nonpayable', outputs: [],
  inputs: ['address', 'address', 'uint256', 'uint256', 'uint256', 'bytes32', 'bytes'].map((type) => ({ type })) }];
const tryAbi = [{ type: 'function', name: 'tryAggregate', stateMutability: 'payable',
  inputs: [{ type: 'bool' }, { type: 'tuple[]', components: [{ type: 'address', name: 'target' }, { type: 'bytes', name: 'callData' }] }],
  outputs: [{ type: 'tuple[]', components: [{ type: 'bool', name: 'success' }, { type: 'bytes', name: 'returnData' }] }] }];
const ctorAbi = [{ type: 'constructor', stateMutability: 'nonpayable', inputs: [{ type: 'address' }, { type: 'bytes32' }, { type: 'bytes' }] }];

// Break a hex string: flip, cut, grow, or rewrite one word.
function mutate(h) {
  const b = Buffer.from(h.slice(2), 'hex');
  const word = (i, v) => { if (b.length >= 32 * (i + 1)) b.writeBigUInt64BE(BigInt(v), 32 * i + 24); };
  switch (int(7)) {
    case 0: if (b.length) b[int(b.length)] ^= 1 << int(8); break;
    case 1: return `0x${b.subarray(0, int(b.length + 1)).toString('hex')}`;
    case 2: return `0x${Buffer.concat([b, Buffer.from(bytes(1 + int(40)))]).toString('hex')}`;
    case 3: word(int(Math.max(1, b.length >> 5)), pick([0, 0x20, 0x40, 0x60, 0x80, 0xa0, int(512), 2 ** 40])); break;
    case 4: if (b.length >= 32) b[int(12)] = 1 + int(255); break;	// an address word's high bytes
    case 5: if (b.length) b[b.length - 1 - int(Math.min(31, b.length))] = 1 + int(255); break;	// padding
    default: return `0x${Buffer.concat([Buffer.from(bytes(32)), b]).toString('hex')}`;
  }
  return `0x${b.toString('hex')}`;
}

// viem's reading of a wrapper body: the fields, or null when C must refuse.
function canonical(types, body) {
  let v;
  try { v = decodeAbiParameters(types, body); } catch { return null; }
  return lc(encodeAbiParameters(types, v)) === lc(body) ? v : null;
}

function expect6492(sig) {
  if (!lc(sig).endsWith(MAGIC.slice(2))) {
    const len = (sig.length - 2) / 2;
    const shape = len === 65 ? 'ecdsa65' : canonical(TWRAP, sig) && len >= 96 ? 'wrapped' : 'other';
    return { rc: 0, shape };
  }
  const v = canonical(T6492, `0x${sig.slice(2, -64)}`);
  if (!v) return { rc: -1, shape: 'erc6492_malformed' };
  return { rc: 1, shape: 'erc6492', factory: lc(v[0]), calldata: lc(v[1]), inner: lc(v[2]) };
}

function gen(id) {
  const r = rnd();
  if (r < 0.4) {
    let sig = serializeErc6492Signature({ address: getAddress(hexb(20)), data: hexb(randLen()), signature: hexb(randLen()) });
    const m = rnd();
    if (m < 0.45) sig = mutate(sig);
    else if (m < 0.55) sig = concat([hexb(int(12) * 32 + pick([0, 0, 1, 31])), MAGIC]);
    else if (m < 0.6) sig = pick([hexb(65), hexb(randLen())]);
    else if (m < 0.65) {		// tails swapped: valid ABI, not canonical
      const f = hexb(20), a = hexb(randLen()), b = hexb(randLen());
      const enc = (x) => encodeAbiParameters([{ type: 'bytes' }], [x]).slice(66);
      const ta = enc(a), tb = enc(b), head = 96;
      const w = (n) => n.toString(16).padStart(64, '0');
      sig = `0x${w(0).slice(0, 24)}${f.slice(2)}${w(head + tb.length / 2)}${w(head)}${tb}${ta}${MAGIC.slice(2)}`;
    }
    return { c: { id, op: 'parse6492', sig }, want: expect6492(sig) };
  }
  if (r < 0.55) {
    let sig = encodeAbiParameters(TWRAP, [u256(), hexb(randLen())]);
    if (rnd() < 0.5) sig = mutate(sig);
    const v = canonical(TWRAP, sig);
    return { c: { id, op: 'wrapper', sig }, want: v ? { rc: 1, index: `0x${v[0].toString(16).padStart(64, '0')}`, sig: lc(v[1]) } : { rc: 0 } };
  }
  if (r < 0.65) {
    const signer = getAddress(hexb(20)), hash = hexb(32), sig = hexb(randLen());
    return { c: { id, op: 'validator', signer, hash, sig },
      want: { data: lc(encodeDeployData({ abi: ctorAbi, bytecode: erc6492SignatureValidatorByteCode, args: [signer, hash, sig] })) } };
  }
  if (r < 0.75) {
    const a = { from: getAddress(hexb(20)), to: getAddress(hexb(20)), value: u256(), validAfter: u256(), validBefore: u256(), nonce: hexb(32) };
    const sig = hexb(randLen());
    const data = encodeFunctionData({ abi: twaAbi, functionName: 'transferWithAuthorization',
      args: [a.from, a.to, a.value, a.validAfter, a.validBefore, a.nonce, sig] });
    return { c: { id, op: 'twa', ...a, value: String(a.value), validAfter: String(a.validAfter), validBefore: String(a.validBefore), sig },
      want: { data: lc(data) } };
  }
  if (r < 0.85) {
    const calls = Array.from({ length: int(6) }, () => ({ target: getAddress(hexb(20)), callData: hexb(randLen()) }));
    const req = rnd() < 0.5;
    return { c: { id, op: 'try', require: req, calls: calls.map((x) => ({ target: x.target, data: x.callData })) },
      want: { data: lc(encodeFunctionData({ abi: tryAbi, functionName: 'tryAggregate', args: [req, calls] })) } };
  }
  const res = Array.from({ length: int(5) }, () => ({ success: rnd() < 0.5, returnData: hexb(randLen()) }));
  let data = encodeFunctionResult({ abi: tryAbi, functionName: 'tryAggregate', result: res });
  let n = res.length;
  const m = rnd();
  if (m < 0.4) data = mutate(data);
  else if (m < 0.5) n = (n + 1 + int(3)) % 8;
  let v = null;
  try { v = decodeFunctionResult({ abi: tryAbi, functionName: 'tryAggregate', data }); } catch { v = null; }
  const want = v && v.length === n ? { rc: 0, results: v.map((x) => ({ success: x.success, ret: lc(x.returnData) })) } : { rc: -1 };
  return { c: { id, op: 'tryres', data, n }, want };
}

const cases = Array.from({ length: N }, (_, i) => gen(i));
const run = spawnSync(driver, [], { input: cases.map((x) => JSON.stringify(x.c)).join('\n') + '\n', maxBuffer: 1 << 30 });
if (run.status !== 0) { console.error(`driver failed (${run.status}): ${run.stderr}`); process.exit(2); }
const lines = run.stdout.toString().trim().split('\n');
if (lines.length !== N) { console.error(`driver answered ${lines.length} of ${N}`); process.exit(2); }
let bad = 0;
const count = {};
for (let i = 0; i < N; i++) {
  const got = JSON.parse(lines[i]), { c, want } = cases[i];
  const k = `${c.op}${'rc' in want ? `:${want.rc}` : ''}`;
  count[k] = (count[k] || 0) + 1;
  const diffs = Object.keys(want).filter((f) => JSON.stringify(got[f]) !== JSON.stringify(want[f]));
  if (diffs.length) {
    if (bad++ < 10) console.error(`case ${i} (${c.op}) differs in ${diffs.join(', ')}:\n  case ${JSON.stringify(c).slice(0, 600)}\n  C    ${JSON.stringify(got).slice(0, 600)}\n  viem ${JSON.stringify(want).slice(0, 600)}`);
  }
}
console.log(`wallet-diff: ${N} cases (seed ${process.argv[3] || process.env.SEED || 6492}): ${JSON.stringify(count)}`);
if (bad) { console.error(`wallet-diff: ${bad} of ${N} cases differ from viem`); process.exit(1); }
console.log('wallet-diff: C and viem agree on every case');
