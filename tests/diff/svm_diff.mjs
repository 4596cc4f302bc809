// Differential test of the C Solana transaction decoder and x402 "exact"
// checks (shared/x402/svm/) against an independent reference written on
// @solana/kit (decoders and encoders), @solana-program/token
// (findAssociatedTokenPda) and node's ed25519: N generated transactions,
// valid ones and mutated ones (each rule broken on purpose, then random
// byte flips, truncations and insertions), fed to the C driver; every line
// must agree.  Usage: node diff/svm_diff.mjs N SEED   (driver: $SVM_DIFF_DRIVER)
import { spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import {
  getTransactionDecoder, getTransactionEncoder, getCompiledTransactionMessageDecoder, getBase58Decoder,
  getAddressDecoder, getAddressEncoder, createKeyPairSignerFromPrivateKeyBytes, pipe, createTransactionMessage,
  setTransactionMessageFeePayer, setTransactionMessageLifetimeUsingBlockhash, appendTransactionMessageInstructions,
  partiallySignTransactionMessageWithSigners, getBase64EncodedWireTransaction, AccountRole,
} from '@solana/kit';
import { getTransferCheckedInstruction, findAssociatedTokenPda, TOKEN_PROGRAM_ADDRESS } from '@solana-program/token';

const N = Number(process.argv[2] || 1200);
let rng = Number(process.argv[3] || 13) >>> 0;
const rand = () => { rng ^= rng << 13; rng >>>= 0; rng ^= rng >>> 17; rng ^= rng << 5; rng >>>= 0; return rng / 2 ** 32; };
const pick = (a) => a[Math.floor(rand() * a.length)];
const seedBytes = (l) => crypto.createHash('sha256').update(`svm-diff:${l}`).digest();
const addrOf = (l) => getAddressDecoder().decode(seedBytes(l));
const b58 = getBase58Decoder();

const T22 = 'TokenzQdBNbLqP5VEhdkAS6EPFLC1PHnBqCXEpPxuEb';
const CB = 'ComputeBudget111111111111111111111111111111';
const MEMO = 'MemoSq4gqABAXKb96qnH8TysNcWxMyWCqXgDLGmfcHr';
const LIGHTHOUSE = 'L2TExMFKdjpN9kozasaurPirfHy9P8sbXoAN1qA3S95';
const SYSTEM = '11111111111111111111111111111111';
const MAX_PRICE = 5000000n;
const ata = async (owner, mint, prog) => (await findAssociatedTokenPda({ owner, mint, tokenProgram: prog }))[0];
const u32 = (n) => { const b = Buffer.alloc(4); b.writeUInt32LE(n >>> 0); return [...b]; };
const u64 = (n) => { const b = Buffer.alloc(8); b.writeBigUInt64LE(BigInt(n)); return [...b]; };

// ---- the reference checker -------------------------------------------------------------------
const REASON = {
  decode: 'invalid_exact_svm_payload_transaction_could_not_be_decoded', feePayer: 'invalid_exact_svm_fee_payer_mismatch',
  sig: 'invalid_exact_svm_payload_signature_invalid', ixLen: 'invalid_exact_svm_payload_transaction_instructions_length',
  cuLimit: 'invalid_exact_svm_payload_transaction_instructions_compute_limit_instruction',
  cuPrice: 'invalid_exact_svm_payload_transaction_instructions_compute_price_instruction',
  cuHigh: 'invalid_exact_svm_payload_transaction_instructions_compute_price_instruction_too_high',
  noTransfer: 'invalid_exact_svm_payload_no_transfer_instruction', funds: 'invalid_exact_svm_payload_transaction_fee_payer_transferring_funds',
  mint: 'invalid_exact_svm_payload_mint_mismatch', recipient: 'invalid_exact_svm_payload_recipient_mismatch',
  amount: 'invalid_exact_svm_payload_amount_mismatch', unknownIx: 'invalid_exact_svm_payload_unknown_optional_instruction',
  decimals: 'invalid_exact_svm_payload_decimals_mismatch', source: 'invalid_exact_svm_payload_source_mismatch',
  feePayerIx: 'invalid_exact_svm_payload_fee_payer_in_instruction',
};

// Decode with kit; a wire form is accepted only if kit re-encodes it byte for byte (minimal lengths, no trailing bytes).
function kitDecode(bytes) {
  if (bytes.length > 1232) return null;
  let tx, msg;
  try {
    tx = getTransactionDecoder().decode(bytes);
    const [m, end] = getCompiledTransactionMessageDecoder().read(tx.messageBytes, 0);
    if (end !== tx.messageBytes.length) return null;
    msg = m;
    const again = getTransactionEncoder().encode(tx);
    if (Buffer.compare(Buffer.from(again), Buffer.from(bytes)) !== 0) return null;
  } catch { return null; }
  const h = msg.header, keys = msg.staticAccounts.map(String), nsig = Object.keys(tx.signatures).length;
  const ixs = msg.instructions ?? [];
  if (msg.version !== 'legacy' && msg.version !== 0) return null;
  if ((msg.addressTableLookups ?? []).length) return null;
  if (nsig === 0 || nsig > 32 || keys.length === 0 || keys.length > 64 || ixs.length > 64) return null;
  if (h.numSignerAccounts === 0 || h.numSignerAccounts > keys.length || h.numReadonlySignerAccounts >= h.numSignerAccounts ||
      h.numReadonlyNonSignerAccounts > keys.length - h.numSignerAccounts) return null;
  // kit keys signatures by address: a repeated signer address would collapse them; count raw slots.
  const rawSigs = bytes[0] & 0x80 ? -1 : bytes[0];
  if (rawSigs !== h.numSignerAccounts) return null;
  for (const ix of ixs) {
    if (ix.programAddressIndex === 0 || ix.programAddressIndex >= keys.length) return null;
    if ((ix.accountIndices ?? []).some((i) => i >= keys.length)) return null;
  }
  const sigs = [];
  for (let i = 0; i < rawSigs; i++) sigs.push(bytes.subarray(1 + 64 * i, 65 + 64 * i));
  return { version: msg.version === 'legacy' ? -1 : 0, keys, header: h, ixs, sigs, msgBytes: tx.messageBytes, blockhash: msg.lifetimeToken };
}

const spki = (pub) => crypto.createPublicKey({ key: Buffer.concat([Buffer.from('302a300506032b6570032100', 'hex'), pub]), format: 'der', type: 'spki' });
const edVerify = (pub, sig, msg) => { try { return crypto.verify(null, msg, spki(pub), sig); } catch { return false; } };
const le64 = (d, o) => Buffer.from(d.slice(o, o + 8)).readBigUInt64LE();

async function reference(bytes, e) {
  const t = kitDecode(bytes);
  if (!t) return { decoded: 'decode-error', verdict: `invalid ${REASON.decode}` };
  const decoded = `v=${t.version} sigs=${t.sigs.length} keys=${t.keys.length} ix=${t.ixs.length} bh=${t.blockhash}`;
  const bad = (r) => ({ decoded, verdict: `invalid ${r}` });
  const K = (i) => t.keys[i], data = (ix) => ix.data ?? new Uint8Array(), accs = (ix) => ix.accountIndices ?? [];
  if (K(0) !== e.feePayer) return bad(REASON.feePayer);
  if (t.ixs.length < 3 || t.ixs.length > 7) return bad(REASON.ixLen);
  const [l, p, x] = t.ixs;
  if (K(l.programAddressIndex) !== CB || data(l).length !== 5 || data(l)[0] !== 2 || accs(l).length) return bad(REASON.cuLimit);
  if (K(p.programAddressIndex) !== CB || data(p).length !== 9 || data(p)[0] !== 3 || accs(p).length) return bad(REASON.cuPrice);
  if (le64(data(p), 1) > MAX_PRICE) return bad(REASON.cuHigh);
  const prog = K(x.programAddressIndex);
  if ((prog !== TOKEN_PROGRAM_ADDRESS && prog !== T22) || data(x).length !== 10 || data(x)[0] !== 12 || accs(x).length !== 4) return bad(REASON.noTransfer);
  const [src, mint, dst, auth] = accs(x).map(K);
  if (auth === e.feePayer || src === e.feePayer) return bad(REASON.funds);
  if (mint !== e.mint) return bad(REASON.mint);
  if (dst !== await ata(e.payTo, e.mint, prog)) return bad(REASON.recipient);
  if (le64(data(x), 1) !== BigInt(e.amount)) return bad(REASON.amount);
  if (data(x)[9] !== e.decimals) return bad(REASON.decimals);
  if (accs(x)[3] >= t.header.numSignerAccounts) return bad(REASON.sig);
  if (src !== await ata(auth, e.mint, prog)) return bad(REASON.source);
  for (const ix of t.ixs.slice(3)) if (![MEMO, LIGHTHOUSE].includes(K(ix.programAddressIndex))) return bad(REASON.unknownIx);
  if (t.ixs.some((ix) => accs(ix).includes(0))) return bad(REASON.feePayerIx);
  const enc = getAddressEncoder();
  for (let i = 1; i < t.sigs.length; i++) if (!edVerify(Buffer.from(enc.encode(K(i))), Buffer.from(t.sigs[i]), Buffer.from(t.msgBytes))) return bad(REASON.sig);
  return { decoded, verdict: `valid ${auth} ${b58.decode(t.sigs[accs(x)[3]])}` };
}

// ---- the generator ----------------------------------------------------------------------------
const signers = [];
for (let i = 0; i < 8; i++) signers.push(await createKeyPairSignerFromPrivateKeyBytes(new Uint8Array(seedBytes(`payer${i}`))));
const world = { feePayer: addrOf('feePayer'), mints: [addrOf('mint0'), addrOf('mint1'), addrOf('mint2')], payTos: [addrOf('payTo0'), addrOf('payTo1')] };

async function build(o) {
  const payer = o.payer, prog = o.program;
  const xfer = getTransferCheckedInstruction({ source: o.source ?? await ata(payer.address, o.mint, prog), mint: o.mint,
    destination: o.destination ?? await ata(o.payTo, o.mint, prog), authority: payer, amount: BigInt(o.amount), decimals: o.decimals }, { programAddress: prog });
  let ixs = [
    { programAddress: CB, accounts: [], data: new Uint8Array([2, ...u32(o.cuLimit ?? 20000)]) },
    { programAddress: CB, accounts: [], data: new Uint8Array([3, ...u64(o.cuPrice ?? 1)]) },
    xfer,
    ...(o.memo === false ? [] : [{ programAddress: MEMO, accounts: [], data: new TextEncoder().encode(crypto.randomBytes(8).toString('hex')) }]),
    ...(o.extra ?? []),
  ];
  if (o.edit) ixs = o.edit(ixs);
  const msg = pipe(createTransactionMessage({ version: o.legacy ? 'legacy' : 0 }), (m) => setTransactionMessageFeePayer(o.feePayer ?? world.feePayer, m),
    (m) => setTransactionMessageLifetimeUsingBlockhash({ blockhash: addrOf(`bh${Math.floor(rand() * 1e9)}`), lastValidBlockHeight: 1n }, m),
    (m) => appendTransactionMessageInstructions(ixs, m));
  return new Uint8Array(Buffer.from(getBase64EncodedWireTransaction(await partiallySignTransactionMessageWithSigners(msg)), 'base64'));
}

const semantic = [
  ['valid', {}], ['legacy', { legacy: true }], ['token2022', { program: T22 }], ['no memo', { memo: false }],
  ['lighthouse', { extra: [{ programAddress: LIGHTHOUSE, accounts: [], data: new Uint8Array([1]) }] }],
  ['wrong amount', { amount: 9999 }], ['wrong decimals', { decimals: 9 }], ['wrong mint', { mint: addrOf('other-mint') }],
  ['wrong recipient', { destination: addrOf('other-dest') }], ['other payTo ATA', { payToOverride: addrOf('stranger') }],
  ['extra system ix', { extra: [{ programAddress: SYSTEM, accounts: [], data: new Uint8Array([2, 0, 0, 0]) }] }],
  ['fee payer in memo', { extra: [{ programAddress: MEMO, accounts: [{ address: world.feePayer, role: AccountRole.READONLY }], data: new Uint8Array([120]) }] }],
  ['other fee payer', { feePayer: addrOf('not-facilitator') }], ['price too high', { cuPrice: 5000001 }], ['price at cap', { cuPrice: 5000000 }],
  ['source not own ATA', { source: addrOf('someone-elses-ata') }], ['8 instructions', { extra: Array(4).fill({ programAddress: MEMO, accounts: [], data: new Uint8Array([1]) }) }],
  ['limit/price swapped', { edit: (ixs) => [ixs[1], ixs[0], ...ixs.slice(2)] }], ['no budget', { edit: (ixs) => ixs.slice(2) }],
  ['transfer last', { edit: (ixs) => [ixs[0], ixs[1], ixs[3], ixs[2]] }],
];

function mutateBytes(b) {
  const c = Buffer.from(b);
  switch (Math.floor(rand() * 4)) {
  case 0: { const i = Math.floor(rand() * c.length); c[i] ^= 1 << Math.floor(rand() * 8); return c; }
  case 1: return c.subarray(0, Math.floor(rand() * c.length));
  case 2: { const i = Math.floor(rand() * c.length); return Buffer.concat([c.subarray(0, i), Buffer.from([Math.floor(rand() * 256)]), c.subarray(i)]); }
  default: { const i = 65 + Math.floor(rand() * (c.length - 65)); c[i] = pick([0, 1, 2, 3, 4, 0x7f, 0x80, 0xff]); return c; }
  }
}

const cases = [];
const counts = {};
for (let n = 0; n < N; n++) {
  const [name, over] = n < N / 2 ? semantic[n % semantic.length] : ['valid', {}];
  const o = { payer: pick(signers), program: TOKEN_PROGRAM_ADDRESS, mint: pick(world.mints), payTo: pick(world.payTos),
    amount: 1 + Math.floor(rand() * 1e6), decimals: 6, ...over };
  const expect = { feePayer: world.feePayer, mint: o.mint, payTo: o.payTo, amount: o.amount, decimals: 6 };
  if (over.amount) expect.amount = 10000;
  if (over.decimals) expect.decimals = 6;
  if (over.mint) expect.mint = world.mints[0];
  if (over.feePayer) expect.feePayer = world.feePayer;
  if (over.payToOverride) o.payTo = over.payToOverride;
  let bytes = await build(o);
  let label = name;
  if (n >= N / 2) { const k = 1 + Math.floor(rand() * 3); for (let i = 0; i < k; i++) bytes = mutateBytes(bytes); label = 'bytes mutated'; }
  cases.push({ label, bytes, expect, ref: await reference(bytes, expect) });
}

const input = cases.map((c) => `${c.expect.feePayer} ${c.expect.mint} ${c.expect.payTo} ${c.expect.amount} ${c.expect.decimals} ${Buffer.from(c.bytes).toString('base64')}`).join('\n') + '\n';
const out = spawnSync(process.env.SVM_DIFF_DRIVER, [], { input, maxBuffer: 64 << 20 });
if (out.status !== 0) { console.error(out.stderr.toString()); process.exit(2); }
const lines = out.stdout.toString().trim().split('\n');
let bad = 0;
cases.forEach((c, i) => {
  const want = `${c.ref.decoded} ${c.ref.verdict}`;
  const r = c.ref.verdict.split(' ').slice(0, 2).join(' ').replace(/^valid .*/, 'valid');
  counts[`${c.label}: ${r}`] = (counts[`${c.label}: ${r}`] ?? 0) + 1;
  if (lines[i] !== want) { bad++; if (bad <= 10) console.log(`MISMATCH #${i} (${c.label})\n  C:   ${lines[i]}\n  ref: ${want}\n  tx:  ${Buffer.from(c.bytes).toString('base64')}`); }
});
for (const [k, v] of Object.entries(counts).sort()) console.log(`${String(v).padStart(5)}  ${k}`);
console.log(`${cases.length} transactions, ${cases.length - bad} agree, ${bad} differ`);
process.exit(bad || lines.length !== cases.length ? 1 : 0);
