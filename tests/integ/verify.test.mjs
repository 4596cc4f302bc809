// Payment verification through the real stack (x402.md §2.2, §3.2, §6.1,
// §11): anvil + the EIP-3009 test token, a facilitator on the official
// @x402 packages, lighttpd with our endpoints, fake providers.  Valid
// payments from the official client are settled in both protocol versions;
// every tampered variant is refused with the reason the C verifier gives
// (shared/x402_verify.c, checks in reference order) in the v2
// PAYMENT-REQUIRED header and in the v1 body, nothing charged, the nonce
// still unused on chain, the provider never asked.  Then: a payer without
// funds (on-chain pre-check), and the payment-identifier extension.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import { x402HTTPClient } from '@x402/fetch';
import { privateKeyToAccount } from 'viem/accounts';
import { startChain, KEYS, ACCOUNTS } from '../lib/chain.mjs';
import { startFacilitator } from '../lib/facilitator.mjs';
import { startFakes } from '../lib/fakes.mjs';
import { startServer, decodeB64Json } from '../lib/server.mjs';
import { pay, makeClient } from '../lib/pay.mjs';
import { expectedPriceAt } from '../lib/prices.mjs';

let chain, fac, fakes, srv;
const JSONH = { 'content-type': 'application/json' };
const PATH = '/v1/image-generate';

// Reason strings, verbatim from shared/x402_verify.h and x402_chain.h.
const R = {
  PAYLOAD: 'invalid_payload',
  VERSION: 'invalid_x402_version',
  NO_MATCH: 'no_matching_requirements',
  SIG: 'invalid_exact_evm_signature',
  RECIPIENT: 'invalid_exact_evm_recipient_mismatch',
  BEFORE: 'invalid_exact_evm_payload_authorization_valid_before',
  AFTER: 'invalid_exact_evm_payload_authorization_valid_after',
  VALUE_V2: 'invalid_exact_evm_payload_authorization_value_mismatch',
  VALUE_V1: 'invalid_exact_evm_payload_authorization_value',
  BALANCE: 'invalid_exact_evm_insufficient_balance',
};
// secp256k1 group order.
const N = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;

before(async () => {
  chain = await startChain();
  fac = await startFacilitator({ rpc: chain.rpc });
  fakes = await startFakes();
  srv = await startServer({ env: fakes.env, conf: {
    NETWORKS: 'base-sepolia', ASSET: chain.token, ASSET_NAME: 'USD Coin', ASSET_VERSION: '2',
    PAY_TO: chain.accounts.payTo.address, FACILITATOR_URL: fac.url, RPC_URL: chain.rpc,
  } });
});
after(async () => {
  await srv?.stop(); await fakes?.stop(); await fac?.stop(); await chain?.stop();
});

const payTo = () => chain.accounts.payTo.address;
const payer = () => chain.accounts.payer.address;
const balances = async () => [await chain.balanceOf(payTo()), await chain.balanceOf(payer())];
const ledger = (sql) => JSON.parse(execFileSync('sqlite3', ['-json', srv.dir + '/ledger.db', sql]).toString() || '[]');
const enc = (o) => Buffer.from(typeof o === 'string' ? o : JSON.stringify(o)).toString('base64');
const now = () => Math.floor(Date.now() / 1000);
const hdrName = (v) => (v === 1 ? 'X-PAYMENT' : 'PAYMENT-SIGNATURE');
const uniq = (s) => `${s} ${crypto.randomBytes(4).toString('hex')}`;
const sentFor = async (prompt) => (await fakes.requests()).filter((q) => q.body?.prompt === prompt).length;

// The 402 for body, then a payment for it signed by the official client;
// v1 reads only the body (no PAYMENT-REQUIRED header), so the client signs
// a v1 X-PAYMENT.  Returns the decoded payload to tamper with.
async function paymentFor(body, { v = 2, privateKey = KEYS.payer } = {}) {
  const r = await fetch(srv.url + PATH, { method: 'POST', headers: JSONH, body: JSON.stringify(body) });
  assert.equal(r.status, 402, await r.clone().text());
  const core = makeClient(privateKey);
  const http = new x402HTTPClient(core);
  const required = http.getPaymentRequiredResponse((n) => (v === 1 ? null : r.headers.get(n)), await r.json());
  const payload = await core.createPaymentPayload(required);
  const headers = http.encodePaymentSignatureHeader(payload);
  assert.ok(headers[hdrName(v)], `the client made a v${v} payment`);
  assert.equal(payload.x402Version, v);
  const req = required.accepts[0];
  // Balances are expected to move by the pinned price (tests/expect/prices.json).
  const amount = expectedPriceAt(PATH, body);
  assert.equal(BigInt(req.amount ?? req.maxAmountRequired), amount, 'offered amount = pinned price');
  return { payload, header: headers[hdrName(v)], amount };
}

const send = (v, value, body) => fetch(srv.url + PATH, { method: 'POST',
  headers: { ...JSONH, [hdrName(v)]: value }, body: JSON.stringify(body) });

// EIP-712 TransferWithAuthorization over the test token, signed by `key`.
async function signAuth(auth, { key = KEYS.payer, name = 'USD Coin' } = {}) {
  return privateKeyToAccount(key).signTypedData({
    domain: { name, version: '2', chainId: 84532, verifyingContract: chain.token },
    types: { TransferWithAuthorization: [
      { name: 'from', type: 'address' }, { name: 'to', type: 'address' }, { name: 'value', type: 'uint256' },
      { name: 'validAfter', type: 'uint256' }, { name: 'validBefore', type: 'uint256' }, { name: 'nonce', type: 'bytes32' }] },
    primaryType: 'TransferWithAuthorization',
    message: { from: auth.from, to: auth.to, value: BigInt(auth.value), validAfter: BigInt(auth.validAfter),
      validBefore: BigInt(auth.validBefore), nonce: auth.nonce },
  });
}

// Change authorization fields and re-sign them as the payer.
async function resign(p, changes, opts) {
  const a = p.payload.authorization;
  for (const [k, val] of Object.entries(changes)) a[k] = String(val);
  p.payload.signature = await signAuth(a, opts);
}

const sigBytes = (p) => Buffer.from(p.payload.signature.slice(2), 'hex');
const setSig = (p, b) => { p.payload.signature = '0x' + b.toString('hex'); };

// A refusal: 402, the reason in both places, a readable message.
async function assertRefused(r, reason) {
  const text = await r.text();
  assert.equal(r.status, 402, text);
  const hdr = r.headers.get('payment-required');
  assert.ok(hdr, 'PAYMENT-REQUIRED header present');
  const v2 = decodeB64Json(hdr);
  assert.equal(v2.x402Version, 2);
  assert.equal(v2.error, reason, `v2 error (message: ${text})`);
  assert.ok(v2.accepts.length >= 1, 'the offer is repeated');
  const j = JSON.parse(text);
  assert.equal(j.x402Version, 1);
  assert.equal(j.error, reason, `v1 error (message: ${j.message})`);
  assert.equal(typeof j.message, 'string');
  assert.ok(j.message.length > 10, `human-readable message: ${j.message}`);
  assert.notEqual(j.message, reason);
  return { v2, v1: j };
}

// --- 1. valid payments from the official client ---------------------------

test('v2: a payment made by @x402/fetch is verified and settled through lighttpd', async () => {
  const body = { prompt: uniq('valid v2') };
  const [t0, f0] = await balances();
  const price = expectedPriceAt(PATH, body);
  assert.equal(BigInt(decodeB64Json((await fetch(srv.url + PATH, { method: 'POST', headers: JSONH, body: JSON.stringify(body) }))
    .headers.get('payment-required')).accepts[0].amount), price);
  const r = await pay(srv.url + PATH, { method: 'POST', headers: JSONH, body });
  assert.equal(r.status, 200, r.text);
  assert.ok(r.sent[1]['payment-signature'], 'paid with PAYMENT-SIGNATURE');
  assert.equal(r.paymentResponse.success, true);
  assert.match(r.paymentResponse.transaction, /^0x[0-9a-f]{64}$/);
  assert.equal(r.paymentResponse.network, 'eip155:84532');
  assert.equal(r.paymentResponse.payer, payer());
  const [t1, f1] = await balances();
  assert.equal(t1 - t0, price);
  assert.equal(f0 - f1, price);
  const nonce = decodeB64Json(r.sent[1]['payment-signature']).payload.authorization.nonce;
  assert.equal(await chain.authorizationState(payer(), nonce), true);
  assert.equal(ledger(`select state from payments where nonce='${nonce.toLowerCase()}'`)[0].state, 'settled');
});

test('v1: an X-PAYMENT made by the official client from the 402 body is verified and settled', async () => {
  const body = { prompt: uniq('valid v1') };
  const { header, amount, payload } = await paymentFor(body, { v: 1 });
  assert.equal(payload.network, 'base-sepolia');
  const [t0] = await balances();
  const r = await send(1, header, body);
  assert.equal(r.status, 200, await r.clone().text());
  assert.equal(r.headers.get('payment-response'), null, 'a v1 caller gets the v1 header');
  const pr = decodeB64Json(r.headers.get('x-payment-response'));
  assert.equal(pr.success, true);
  assert.equal(pr.network, 'base-sepolia');
  assert.equal(pr.payer, payer());
  assert.ok((await r.json()).image_url);
  assert.equal((await balances())[0] - t0, amount);
  assert.equal(await chain.authorizationState(payer(), payload.payload.authorization.nonce), true);
});

// --- 2. tampered payments, both versions ------------------------------------

// mut(p, v) edits the decoded payload in place, or returns a raw header value.
const OTHER = ACCOUNTS.deployer.address;
const variants = [
  // The signature no longer recovers to `from`: it may be a contract
  // wallet's, so the free terms decide first, then the chain.
  { name: 'value changed, signature kept (the value decides, free)', reason: { 2: R.VALUE_V2, 1: R.VALUE_V1 },
    mut: (p) => { const a = p.payload.authorization; a.value = String(BigInt(a.value) + 1n); } },
  { name: 'nonce changed, signature kept (no wallet accepts it on chain)', reason: R.SIG,
    mut: (p) => { p.payload.authorization.nonce = `0x${'cd'.repeat(32)}`; } },
  { name: 'to changed and re-signed by the payer', reason: R.RECIPIENT,
    mut: (p) => resign(p, { to: OTHER }) },
  { name: 'validBefore in the past, re-signed', reason: R.BEFORE,
    mut: (p) => resign(p, { validAfter: now() - 600, validBefore: now() - 10 }) },
  { name: 'validBefore 3 s ahead (< 6 s slack), re-signed', reason: R.BEFORE,
    mut: (p) => resign(p, { validBefore: now() + 3 }) },
  { name: 'validAfter in the future, re-signed', reason: R.AFTER,
    mut: (p) => resign(p, { validAfter: now() + 120 }) },
  { name: 'value below the price, re-signed', reason: { 2: R.VALUE_V2, 1: R.VALUE_V1 },
    mut: (p) => resign(p, { value: BigInt(p.payload.authorization.value) - 1n }) },
  { name: 'value above the price, re-signed', reason: R.VALUE_V2, only: 2,	// v1: see below
    mut: (p) => resign(p, { value: BigInt(p.payload.authorization.value) + 1n }) },
  { name: 'a signature byte flipped', reason: R.SIG,
    mut: (p) => { const b = sigBytes(p); b[10] ^= 0x01; setSig(p, b); } },
  { name: 'signature truncated to 64 bytes', reason: R.SIG,
    mut: (p) => { setSig(p, sigBytes(p).subarray(0, 64)); } },
  { name: 'high-s twin (s\' = n - s, v flipped)', reason: R.SIG,
    mut: (p) => {
      const b = sigBytes(p);
      const s = BigInt('0x' + b.subarray(32, 64).toString('hex'));
      Buffer.from((N - s).toString(16).padStart(64, '0'), 'hex').copy(b, 32);
      b[64] = b[64] === 27 ? 28 : 27;
      setSig(p, b);
    } },
  { name: 'signed over the domain name "USDC" instead of "USD Coin"', reason: R.SIG,
    mut: (p) => resign(p, {}, { name: 'USDC' }) },
  { name: 'signed by another key (authorization.from kept)', reason: R.SIG,
    mut: (p) => resign(p, {}, { key: KEYS.poor }) },
  { name: 'accepted.amount altered', reason: R.NO_MATCH, only: 2,
    mut: (p) => { p.accepted.amount = '1'; } },
  { name: 'accepted.payTo altered', reason: R.NO_MATCH, only: 2,
    mut: (p) => { p.accepted.payTo = OTHER; } },
  { name: 'accepted.extra.name altered', reason: R.NO_MATCH, only: 2,
    mut: (p) => { p.accepted.extra.name = 'USDC'; } },
  { name: 'network changed (Base mainnet)', reason: R.NO_MATCH,
    mut: (p, v) => { if (v === 1) p.network = 'base'; else p.accepted.network = 'eip155:8453'; } },
  { name: 'network unknown', reason: R.NO_MATCH,
    mut: (p, v) => { if (v === 1) p.network = 'no-such-net'; else p.accepted.network = 'eip155:999999'; } },
  { name: 'scheme changed', reason: R.NO_MATCH,
    mut: (p, v) => { if (v === 1) p.scheme = 'upto'; else p.accepted.scheme = 'upto'; } },
  { name: 'malformed base64', reason: R.PAYLOAD,
    mut: (p) => enc(p).slice(0, 20) + '!*' + enc(p).slice(22) },
  { name: 'base64 without its padding', reason: R.PAYLOAD,
    mut: (p) => { p.pad = 'x'; let s; while (!(s = enc(p)).endsWith('=')) p.pad += 'x'; return s.replace(/=+$/, ''); } },
  { name: 'malformed JSON', reason: R.PAYLOAD,
    mut: (p) => enc(JSON.stringify(p).slice(0, -1)) },
  { name: 'trailing garbage after the JSON', reason: R.PAYLOAD,
    mut: (p) => enc(JSON.stringify(p) + 'x') },
  { name: 'duplicate key (authorization.value twice)', reason: R.PAYLOAD,
    mut: (p) => {
      const v = p.payload.authorization.value;
      const s = JSON.stringify(p).replace(`"value":"${v}"`, `"value":"${v}","value":"1"`);
      assert.notEqual(s, JSON.stringify(p));
      return enc(s);
    } },
  { name: 'duplicate key (x402Version twice)', reason: R.PAYLOAD,
    mut: (p) => enc(JSON.stringify(p).replace(/^\{/, `{"x402Version":${p.x402Version},`)) },
  { name: 'x402Version of the other protocol', reason: R.VERSION,
    mut: (p, v) => { p.x402Version = v === 2 ? 1 : 2; } },
  { name: 'x402Version 3', reason: R.VERSION,
    mut: (p) => { p.x402Version = 3; } },
];

for (const v of [2, 1]) {
  for (const vr of variants) {
    if (vr.only && vr.only !== v) continue;
    const reason = typeof vr.reason === 'object' ? vr.reason[v] : vr.reason;
    test(`v${v} ${hdrName(v)}: ${vr.name} -> 402 ${reason}, nothing charged, nonce unused`, async () => {
      const body = { prompt: uniq(`tamper v${v} ${vr.name}`) };
      const { payload } = await paymentFor(body, { v });
      const nonce = payload.payload.authorization.nonce;
      const raw = await vr.mut(payload, v);
      const value = typeof raw === 'string' ? raw : enc(payload);
      const b0 = await balances();
      await assertRefused(await send(v, value, body), reason);
      assert.deepEqual(await balances(), b0, 'balances unchanged');
      assert.equal(await chain.authorizationState(payer(), nonce), false, 'nonce unused on chain');
      assert.equal(await sentFor(body.prompt), 0, 'no work for a refused payment');
      assert.equal(ledger(`select count(*) n from payments where nonce='${nonce.toLowerCase()}'`)[0].n, 0, 'not in the ledger');
    });
  }
}

// v as bare y-parity 0/1 is the same signature: accepted and settled.
for (const v of [2, 1]) {
  test(`v${v}: signature with v = 0/1 instead of 27/28 is accepted and settled`, async () => {
    const body = { prompt: uniq(`yparity v${v}`) };
    const { payload, amount } = await paymentFor(body, { v });
    const b = sigBytes(payload);
    assert.ok(b[64] === 27 || b[64] === 28);
    b[64] -= 27;
    setSig(payload, b);
    const [t0] = await balances();
    const r = await send(v, enc(payload), body);
    assert.equal(r.status, 200, await r.clone().text());
    const pr = decodeB64Json(r.headers.get(v === 1 ? 'x-payment-response' : 'payment-response'));
    assert.equal(pr.success, true);
    assert.equal((await balances())[0] - t0, amount);
    assert.equal(await chain.authorizationState(payer(), payload.payload.authorization.nonce), true);
  });
}

// Real USDC (FiatTokenV2, x402.md §6.4) refuses v outside {27, 28}, and the
// official facilitator passes a bare y-parity through to the contract
// (§6.2), so an accepted 0/1 signature must reach settlement normalised.
// (TestUSDC adds 27 itself, so the transfer above cannot show this.)
for (const v of [2, 1]) {
  test(`v${v}: a v = 0/1 signature is handed to the facilitator with v = 27/28`, async () => {
    const body = { prompt: uniq(`yparity fwd v${v}`) };
    const { payload } = await paymentFor(body, { v });
    const b = sigBytes(payload);
    b[64] -= 27;
    setSig(payload, b);
    const calls = fac.state.calls.length;
    const r = await send(v, enc(payload), body);
    assert.equal(r.status, 200, await r.clone().text());
    const settle = fac.state.calls.slice(calls).filter((c) => c.path === '/settle');
    assert.equal(settle.length, 1);
    const sig = settle[0].body.paymentPayload.payload.signature;
    assert.equal(sig.slice(0, 130), payload.payload.signature.slice(0, 130), 'r and s unchanged');
    assert.ok(['1b', '1c'].includes(sig.slice(130).toLowerCase()), `v forwarded as 0x${sig.slice(130)}`);
  });
}

// The v1 spec says "at least" (x402.md §6.3), but the official facilitator's
// v1 path settles only the exact amount (§6.1 #9): an overpaying v1 payment
// would get the work done and never settle.  We require the exact value in
// both versions, so it is refused before any work.
test('v1: value above the price, re-signed: refused before any work, nothing charged', async () => {
  const body = { prompt: uniq('v1 overpay') };
  const { payload, amount } = await paymentFor(body, { v: 1 });
  await resign(payload, { value: amount + 1n });
  const nonce = payload.payload.authorization.nonce;
  const b0 = await balances();
  const { v1 } = await assertRefused(await send(1, enc(payload), body), R.VALUE_V1);
  assert.match(v1.message, /price/);
  assert.deepEqual(await balances(), b0);
  assert.equal(await chain.authorizationState(payer(), nonce), false);
  assert.equal(ledger(`select state from payments where nonce='${nonce.toLowerCase()}'`).length, 0);
  assert.equal(await sentFor(body.prompt), 0, 'the provider was not asked');
});

// --- 3. a payer without funds ------------------------------------------------

for (const v of [2, 1]) {
  test(`v${v}: a payer without tokens is refused before any work (${R.BALANCE})`, async () => {
    assert.equal(await chain.balanceOf(ACCOUNTS.poor.address), 0n);
    const body = { prompt: uniq(`poor payer v${v}`) };
    const { payload, header } = await paymentFor(body, { v, privateKey: KEYS.poor });
    assert.equal(payload.payload.authorization.from, ACCOUNTS.poor.address);
    const b0 = await balances();
    const { v1 } = await assertRefused(await send(v, header, body), R.BALANCE);
    assert.match(v1.message, /balance/);
    assert.deepEqual(await balances(), b0);
    assert.equal(await sentFor(body.prompt), 0, 'the provider received nothing');
    assert.equal(await chain.authorizationState(ACCOUNTS.poor.address, payload.payload.authorization.nonce), false);
  });
}

// --- 4. payment-identifier (x402.md §11) -------------------------------------

const withId = (payload, id) => ({ ...payload, extensions: { ...(payload.extensions || {}), 'payment-identifier': { info: { id } } } });
const newId = () => 'pay_' + crypto.randomBytes(12).toString('hex');

test('payment-identifier: the 402 advertises it, optional', async () => {
  const r = await fetch(srv.url + PATH, { method: 'POST', headers: JSONH, body: JSON.stringify({ prompt: 'ext' }) });
  assert.equal(r.status, 402);
  const ext = decodeB64Json(r.headers.get('payment-required')).extensions['payment-identifier'];
  assert.ok(ext, 'extension advertised');
  assert.equal(ext.info.required, false);
  assert.equal(ext.schema.properties.id.minLength, 16);
});

test('payment-identifier: settled once; the same payload again replays the stored result; another payment with the id: 409', async () => {
  const body = { prompt: uniq('pid replay') };
  const id = newId();
  const { payload, amount } = await paymentFor(body);
  const hdr = enc(withId(payload, id));
  const [t0] = await balances();
  const r1 = await send(2, hdr, body);
  assert.equal(r1.status, 200, await r1.clone().text());
  const t1 = await r1.text();
  const pr1 = decodeB64Json(r1.headers.get('payment-response'));
  assert.equal(pr1.success, true);
  const nonce = payload.payload.authorization.nonce.toLowerCase();
  assert.deepEqual(ledger(`select payment_id, state from payments where nonce='${nonce}'`), [{ payment_id: id, state: 'settled' }]);

  const r2 = await send(2, hdr, body);
  assert.equal(r2.status, 200);
  assert.equal(await r2.text(), t1, 'the stored result');
  assert.equal(decodeB64Json(r2.headers.get('payment-response')).transaction, pr1.transaction);
  assert.equal((await balances())[0] - t0, amount, 'one transfer');
  assert.equal(await sentFor(body.prompt), 1, 'one piece of work');

  // A new payment (new nonce) for the same request, reusing the id.
  const other = await paymentFor(body);
  assert.notEqual(other.payload.payload.authorization.nonce, payload.payload.authorization.nonce);
  const r3 = await send(2, enc(withId(other.payload, id)), body);
  assert.equal(r3.status, 409, await r3.clone().text());
  const j3 = await r3.json();
  assert.equal(j3.error.code, 'payment_identifier_reused');
  assert.ok(j3.error.message.length > 10);
  assert.equal(await chain.authorizationState(payer(), other.payload.payload.authorization.nonce), false);
  assert.equal((await balances())[0] - t0, amount, 'still one transfer');
  assert.equal(await sentFor(body.prompt), 1, 'still one piece of work');
});

// x402.md §11: same id, different payload -> 409.  The payment is new; what
// was reused is the id, whatever the request body.
test('payment-identifier: a new payment for a different request reusing the id: 409 payment_identifier_reused', async () => {
  const id = newId();
  const a = { prompt: uniq('pid first') };
  const pa = await paymentFor(a);
  const r1 = await send(2, enc(withId(pa.payload, id)), a);
  assert.equal(r1.status, 200, await r1.clone().text());
  const b = { prompt: uniq('pid second') };
  const pb = await paymentFor(b);
  const b0 = await balances();
  const r2 = await send(2, enc(withId(pb.payload, id)), b);
  assert.equal(r2.status, 409, await r2.clone().text());
  assert.equal((await r2.json()).error.code, 'payment_identifier_reused');
  assert.deepEqual(await balances(), b0);
  assert.equal(await sentFor(b.prompt), 0);
  assert.equal(await chain.authorizationState(payer(), pb.payload.payload.authorization.nonce), false);
});

// Issue 23 (6): an id is its payer's.  Ids are predictable (a client may
// derive them); another wallet sending one first must not block its owner.
test('payment-identifier: another wallet using a buyer\'s id first does not block the buyer: both paid, each its own row', async () => {
  const { generatePrivateKey } = await import('viem/accounts');
  const keyB = generatePrivateKey();
  const addrB = privateKeyToAccount(keyB).address;
  const mint = await chain.wallet(chain.accounts.deployer).writeContract({ address: chain.token, abi: chain.abi,
    functionName: 'mint', args: [addrB, 1_000_000n] });
  await chain.pub.waitForTransactionReceipt({ hash: mint, pollingInterval: 50 });
  const id = newId();
  const bodyB = { prompt: uniq('pid squatted by B') };
  const pb = await paymentFor(bodyB, { privateKey: keyB });
  const rb = await send(2, enc(withId(pb.payload, id)), bodyB);
  assert.equal(rb.status, 200, await rb.clone().text());
  const bodyA = { prompt: uniq('pid owner A') };
  const pa = await paymentFor(bodyA);
  const [t0] = await balances();
  const ra = await send(2, enc(withId(pa.payload, id)), bodyA);
  assert.equal(ra.status, 200, await ra.clone().text());
  assert.equal((await balances())[0] - t0, pa.amount, 'A paid for its own call');
  assert.equal(await sentFor(bodyA.prompt), 1, 'A\'s work done');
  const rows = ledger(`select payer, state from payments where payment_id='${id}' order by id`);
  assert.deepEqual(rows, [{ payer: addrB.toLowerCase(), state: 'settled' }, { payer: payer().toLowerCase(), state: 'settled' }]);
  // Within A's scope the id still guards: A's own new payment with it is 409.
  const again = await paymentFor(bodyA);
  const r3 = await send(2, enc(withId(again.payload, id)), bodyA);
  assert.equal(r3.status, 409, await r3.clone().text());
  assert.equal((await r3.json()).error.code, 'payment_identifier_reused');
});

for (const [what, id] of [['too short (15 chars)', 'pay_0123456789a'], ['invalid characters', 'pay_0123456789abc!def'],
  ['a space', 'pay_0123456789 abcdef'], ['too long (129 chars)', 'p'.repeat(129)], ['not a string', 1234567890123456789]]) {
  test(`payment-identifier: an id with ${what} is refused (402 ${R.PAYLOAD}), nothing charged`, async () => {
    const body = { prompt: uniq(`pid bad ${what}`) };
    const { payload } = await paymentFor(body);
    const b0 = await balances();
    const { v1 } = await assertRefused(await send(2, enc(withId(payload, id)), body), R.PAYLOAD);
    assert.match(v1.message, /identifier/);
    assert.deepEqual(await balances(), b0);
    assert.equal(await sentFor(body.prompt), 0);
    assert.equal(await chain.authorizationState(payer(), payload.payload.authorization.nonce), false);
  });
}

test('payment-identifier: the boundary lengths 16 and 128 are accepted', async () => {
  for (const id of ['pay_0123456789ab', 'P'.repeat(128)]) {
    const body = { prompt: uniq(`pid len ${id.length}`) };
    const { payload } = await paymentFor(body);
    const r = await send(2, enc(withId(payload, id)), body);
    assert.equal(r.status, 200, await r.clone().text());
    const nonce = payload.payload.authorization.nonce.toLowerCase();
    assert.equal(ledger(`select payment_id from payments where nonce='${nonce}'`)[0].payment_id, id);
  }
});
