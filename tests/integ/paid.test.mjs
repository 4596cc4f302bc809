// The paid flow end to end, all local and all real but the upstream SaaS:
// anvil + the EIP-3009 test token, a facilitator on the official @x402
// packages, lighttpd, our endpoints, fake providers, and the official
// @x402/fetch client paying.  Balances are read from the chain and the
// ledger from its SQLite file.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, execFileSync, spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { x402HTTPClient } from '@x402/fetch';
import { decodePaymentSignatureHeader } from '@x402/core/http';
import { startChain, KEYS } from '../lib/chain.mjs';
import { startFacilitator } from '../lib/facilitator.mjs';
import { startFakes } from '../lib/fakes.mjs';
import { startServer, endpoints, decodeB64Json, BUILD, localExample } from '../lib/server.mjs';
import { pay, makeClient } from '../lib/pay.mjs';
import { expectedPrice, expectedPriceAt } from '../lib/prices.mjs';

let chain, fac, fakes, srv;
const eps = endpoints();
const JSONH = { 'content-type': 'application/json' };

function conf(extra = {}) {
  return {
    NETWORKS: 'base-sepolia', ASSET: chain.token, ASSET_NAME: 'USD Coin', ASSET_VERSION: '2',
    PAY_TO: chain.accounts.payTo.address, FACILITATOR_URL: fac.url, RPC_URL: chain.rpc, URL_ALLOW: 'localhost',
    SETTLE_RETRY: '5', ...extra,
  };
}

before(async () => {
  chain = await startChain();
  fac = await startFacilitator({ rpc: chain.rpc });
  fakes = await startFakes();
  srv = await startServer({ conf: conf(), env: fakes.env });
});
after(async () => {
  await srv?.stop(); await fakes?.stop(); await fac?.stop(); await chain?.stop();
});

const payTo = () => chain.accounts.payTo.address;
const balance = () => chain.balanceOf(payTo());
const ledger = (s, sql) => JSON.parse(execFileSync('sqlite3', ['-json', s.dir + '/ledger.db', sql]).toString() || '[]');
const nonceOf = (hdr) => decodePaymentSignatureHeader(hdr).payload.authorization.nonce.toLowerCase();

// A signed payment header for one request, made by the official client.
async function paymentFor(s, path, body, { v1 = false } = {}) {
  const r = await fetch(s.url + path, { method: 'POST', headers: JSONH, body: JSON.stringify(body) });
  assert.equal(r.status, 402);
  const core = makeClient();
  const http = new x402HTTPClient(core);
  const j = await r.json();
  const required = http.getPaymentRequiredResponse((n) => (v1 ? null : r.headers.get(n)), j);
  const payload = await core.createPaymentPayload(required);
  // The amount every check below expects: the pinned price, which the
  // offer must ask for (tests/expect/prices.json).
  const amount = expectedPriceAt(path, body);
  assert.equal(BigInt(required.accepts[0].amount ?? required.accepts[0].maxAmountRequired), amount, `${path}: offered amount`);
  return { headers: http.encodePaymentSignatureHeader(payload), amount };
}

async function quote(s, path, body) {
  const r = await fetch(s.url + path, { method: 'POST', headers: JSONH, body: JSON.stringify(body) });
  assert.equal(r.status, 402, await r.clone().text());
  return BigInt(decodeB64Json(r.headers.get('payment-required')).accepts[0].amount);
}

for (const ep of eps) {
  test(`${ep.name}: the official client pays, the balance moves by exactly the pinned price`, async () => {
    const example = localExample(ep, fakes.port);
    const price = expectedPrice(ep.name, example);
    assert.equal(await quote(srv, ep.path, example), price, 'quoted = pinned price');
    const b0 = await balance();
    // An endpoint that runs as a job by default answers at once when
    // asked to wait (jobs.test covers the job).
    const r = await pay(srv.url + ep.path, { method: 'POST', headers: ep.async === 'default' ? { ...JSONH, Prefer: 'wait' } : JSONH, body: example });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.paymentResponse.success, true);
    assert.match(r.paymentResponse.transaction, /^0x[0-9a-f]{64}$/);
    assert.equal(r.paymentResponse.network, 'eip155:84532');
    assert.equal(r.paymentResponse.payer, chain.accounts.payer.address);
    assert.equal((await balance()) - b0, price);
    // Only documented output fields, the media URL among them.
    for (const k of Object.keys(r.body)) assert.ok(ep.outputs.includes(k), `undocumented output ${k}`);
    const url = r.body[ep.media_output];
    assert.ok(url.startsWith(`${srv.url}/media/`), url);
    const m = await fetch(url);
    assert.equal(m.status, 200);
    assert.match(m.headers.get('content-type'), new RegExp(`^${ep.media}/`));
    assert.ok((await m.arrayBuffer()).byteLength > 0);
    const [row] = ledger(srv, `select state, tx, amount, endpoint, payer from payments where nonce='${nonceOf(r.sent[1]['payment-signature'])}'`);
    assert.deepEqual(row, { state: 'settled', tx: r.paymentResponse.transaction, amount: String(price), endpoint: ep.name, payer: chain.accounts.payer.address.toLowerCase() });
  });
}

test('image-generate answers the documented types: width/height strings, seed number', async () => {
  const r = await pay(srv.url + '/v1/image-generate', { method: 'POST', headers: JSONH, body: { prompt: 'types', width: 1000, height: 512, seed: 7 } });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.body.width, '1008');
  assert.equal(r.body.height, '512');
  assert.equal(r.body.seed, 7);
  assert.equal(r.body.tier, 'fast');
  assert.equal(r.body.model, 'z-image-turbo');
  assert.equal(r.body.source, 'venice');
  assert.equal(typeof r.body.elapsed_ms, 'number');
  const sent = (await fakes.requests()).filter((q) => q.body?.prompt === 'types');
  assert.equal(sent.length, 1);
  assert.equal(sent[0].body.width, 1008);
  assert.equal(sent[0].body.seed, 7);
});

test('a v1 payload (X-PAYMENT) from the official client is settled and answered with X-PAYMENT-RESPONSE', async () => {
  const body = { prompt: 'v1 payment' };
  const { headers, amount } = await paymentFor(srv, '/v1/image-generate', body, { v1: true });
  assert.ok(headers['X-PAYMENT'], 'the client made a v1 payment');
  const b0 = await balance();
  const r = await fetch(srv.url + '/v1/image-generate', { method: 'POST', headers: { ...JSONH, ...headers }, body: JSON.stringify(body) });
  assert.equal(r.status, 200, await r.clone().text());
  const pr = decodeB64Json(r.headers.get('x-payment-response'));
  assert.equal(pr.success, true);
  assert.equal(pr.network, 'base-sepolia');
  assert.equal((await balance()) - b0, amount);
});

test('upstream failure: a clear 5xx, no settlement, balance unchanged, ledger says work_failed', async () => {
  const body = { prompt: 'FAKE:5xx please' };
  const { headers } = await paymentFor(srv, '/v1/image-generate', body);
  const b0 = await balance();
  const r = await fetch(srv.url + '/v1/image-generate', { method: 'POST', headers: { ...JSONH, ...headers }, body: JSON.stringify(body) });
  assert.equal(r.status, 502);
  const j = await r.json();
  assert.equal(j.error.code, 'upstream_error');
  assert.match(j.error.message, /not charged/);
  assert.equal(r.headers.get('payment-response'), null);
  assert.equal(await balance(), b0);
  const [row] = ledger(srv, `select state from payments where nonce='${nonceOf(headers['PAYMENT-SIGNATURE'])}'`);
  assert.equal(row.state, 'work_failed');
  assert.equal(await chain.authorizationState(chain.accounts.payer.address, nonceOf(headers['PAYMENT-SIGNATURE'])), false);
});

test('an invalid payment is refused with its reason in both versions, nothing charged', async () => {
  // A signature that is no EOA's of `from` may be a contract wallet's: the
  // other terms decide first (free), then the chain judges the signature.
  for (const [field, value, reason] of [['value', '1', 'invalid_exact_evm_payload_authorization_value_mismatch'],
    ['nonce', `0x${'ab'.repeat(32)}`, 'invalid_exact_evm_signature']]) {
    const body = { prompt: `tampered ${field}` };
    const { headers } = await paymentFor(srv, '/v1/image-generate', body);
    const p = decodePaymentSignatureHeader(headers['PAYMENT-SIGNATURE']);
    p.payload.authorization[field] = value;
    const bad = Buffer.from(JSON.stringify(p)).toString('base64');
    const b0 = await balance();
    const r = await fetch(srv.url + '/v1/image-generate', { method: 'POST', headers: { ...JSONH, 'PAYMENT-SIGNATURE': bad }, body: JSON.stringify(body) });
    assert.equal(r.status, 402);
    assert.equal(decodeB64Json(r.headers.get('payment-required')).error, reason);
    const j = await r.json();
    assert.equal(j.error, reason);
    assert.ok(j.message.length > 10);
    assert.equal(await balance(), b0);
  }
});

test('the same payment again: the stored result, no second transfer; another request: 409', async () => {
  const body = { prompt: 'replay me' };
  const { headers, amount } = await paymentFor(srv, '/v1/image-generate', body);
  const b0 = await balance();
  const send = (b) => fetch(srv.url + '/v1/image-generate', { method: 'POST', headers: { ...JSONH, ...headers }, body: JSON.stringify(b) });
  const r1 = await send(body);
  assert.equal(r1.status, 200);
  const t1 = await r1.text();
  const r2 = await send(body);
  assert.equal(r2.status, 200);
  assert.equal(await r2.text(), t1);
  assert.equal(decodeB64Json(r2.headers.get('payment-response')).transaction, decodeB64Json(r1.headers.get('payment-response')).transaction);
  const r3 = await send({ prompt: 'something else' });
  assert.equal(r3.status, 409);
  assert.equal((await r3.json()).error.code, 'payment_already_used');
  assert.equal((await balance()) - b0, amount);
  assert.equal((await fakes.requests()).filter((q) => q.body?.prompt === 'replay me').length, 1);
});

test('100 parallel copies of one payment: one piece of work, one transfer', async () => {
  const body = { prompt: 'hundred copies' };
  const { headers, amount } = await paymentFor(srv, '/v1/image-generate', body);
  const b0 = await balance();
  const rs = await Promise.all(Array.from({ length: 100 }, () =>
    fetch(srv.url + '/v1/image-generate', { method: 'POST', headers: { ...JSONH, ...headers }, body: JSON.stringify(body) })
      .then(async (r) => ({ status: r.status, text: await r.text() }))));
  const ok = rs.filter((r) => r.status === 200);
  assert.ok(ok.length >= 1);
  assert.ok(rs.every((r) => r.status === 200 || r.status === 409), rs.map((r) => r.status).join(','));
  assert.equal(new Set(ok.map((r) => r.text)).size, 1, 'every 200 carries the same result');
  assert.equal((await balance()) - b0, amount);
  assert.equal((await fakes.requests()).filter((q) => q.body?.prompt === 'hundred copies').length, 1);
});

test('facilitator down: the result is not given away; a retry with the same payment gets it once settled', async () => {
  const body = { prompt: 'facilitator down' };
  const { headers, amount } = await paymentFor(srv, '/v1/image-generate', body);
  const b0 = await balance();
  fac.setMode('down');
  let r;
  try {
    r = await fetch(srv.url + '/v1/image-generate', { method: 'POST', headers: { ...JSONH, ...headers }, body: JSON.stringify(body) });
  } finally { fac.setMode('ok'); }
  assert.ok(r.status === 402 || r.status === 503, `status ${r.status}`);
  const text = await r.text();
  assert.doesNotMatch(text, /\/media\//, 'no media URL given away');
  assert.equal(await balance(), b0);
  const r2 = await fetch(srv.url + '/v1/image-generate', { method: 'POST', headers: { ...JSONH, ...headers }, body: JSON.stringify(body) });
  assert.equal(r2.status, 200, await r2.clone().text());
  assert.ok((await r2.json()).image_url);
  assert.equal((await balance()) - b0, amount);
  assert.equal((await fakes.requests()).filter((q) => q.body?.prompt === 'facilitator down').length, 1, 'work done once');
});

test('a process killed between work and settlement: synthforge-ctl settles it afterwards', async () => {
  const body = { prompt: 'crash before settle' };
  const { headers, amount } = await paymentFor(srv, '/v1/image-generate', body);
  const nonce = nonceOf(headers['PAYMENT-SIGNATURE']);
  const b0 = await balance();
  const abandoned = fac.state.abandoned || 0;
  fac.setMode('stall', 60000);
  const inflight = fetch(srv.url + '/v1/image-generate', { method: 'POST', headers: { ...JSONH, ...headers }, body: JSON.stringify(body) })
    .then((r) => r.status, () => 'error');
  for (let i = 0; i < 600; i++) {
    const [row] = ledger(srv, `select state from payments where nonce='${nonce}'`);
    if (row?.state === 'delivered') break;
    await new Promise((res) => setTimeout(res, 50));
  }
  assert.equal(ledger(srv, `select state from payments where nonce='${nonce}'`)[0].state, 'delivered');
  spawnSync('pkill', ['-9', '-f', join(BUILD, 'fcgi/image_generate') + '$']);
  await inflight;
  // The stalled settle ends when the dead process's connection closes.
  for (let i = 0; i < 600 && (fac.state.abandoned || 0) === abandoned; i++) await new Promise((res) => setTimeout(res, 50));
  assert.equal(fac.state.abandoned, abandoned + 1, 'the stalled settle was abandoned, not carried out');
  fac.setMode('ok');
  assert.equal(await balance(), b0, 'nothing settled by the dead process');
  // Asynchronously: the facilitator lives in this node process.
  const ctl = await new Promise((resolve) => execFile(join(BUILD, 'bin/synthforge-ctl'), ['settle-pending', '--min-age', '0'], {
    env: { ...process.env, DB: srv.dir + '/ledger.db', SETTLE: 'facilitator', FACILITATOR_URL: fac.url, RPC_URL: chain.rpc } },
  (e, stdout, stderr) => resolve({ status: e ? e.code : 0, stdout, stderr })));
  assert.equal(ctl.status, 0, ctl.stdout + ctl.stderr);
  assert.match(ctl.stdout, /settled/);
  assert.equal((await balance()) - b0, amount);
  assert.equal(ledger(srv, `select state from payments where nonce='${nonce}'`)[0].state, 'settled');
  // The caller retrying with the same payment now gets the stored result.
  const r = await fetch(srv.url + '/v1/image-generate', { method: 'POST', headers: { ...JSONH, ...headers }, body: JSON.stringify(body) });
  assert.equal(r.status, 200);
  assert.ok((await r.json()).image_url);
});

test('SETTLE=direct: our own relayer settles on chain, no facilitator', async () => {
  const keyFile = join(srv.dir, 'relayer.key');
  writeFileSync(keyFile, KEYS.relayer, { mode: 0o600 });
  const direct = await startServer({ conf: conf({ SETTLE: 'direct', RELAYER_KEY_FILE: keyFile, FACILITATOR_URL: 'http://127.0.0.1:9' }), env: fakes.env });
  try {
    const calls = fac.state.calls.length;
    const price = expectedPrice('image-generate-pro', { prompt: 'direct' });
    assert.equal(await quote(direct, '/v1/image-generate-pro', { prompt: 'direct' }), price);
    const b0 = await balance();
    const r = await pay(direct.url + '/v1/image-generate-pro', { method: 'POST', headers: JSONH, body: { prompt: 'direct' } });
    assert.equal(r.status, 200, r.text);
    assert.equal((await balance()) - b0, price);
    const tx = await chain.pub.getTransaction({ hash: r.paymentResponse.transaction });
    assert.equal(tx.from.toLowerCase(), '0x9965507d1a55bcc2695c58ba16fb37d819b0a4dc');
    assert.equal(fac.state.calls.length, calls, 'the facilitator was not used');
  } finally { await direct.stop(); }
});

test('a settled payment replayed after its validBefore still gets its stored result; an unused expired one is refused', async () => {
  // The offered window now covers the work plus settlement (minutes), so
  // instead of waiting it out, a second server on the same ledger runs
  // with its clock 20 minutes ahead (libfaketime): for it, both
  // authorizations have expired.
  const body = { prompt: 'replay after expiry' };
  const paid = await paymentFor(srv, '/v1/image-generate', body);
  const unused = await paymentFor(srv, '/v1/image-generate', { prompt: 'never sent in time' });
  const send = (s, h, b) => fetch(s.url + '/v1/image-generate', { method: 'POST', headers: { ...JSONH, ...h }, body: JSON.stringify(b) });
  const r1 = await send(srv, paid.headers, body);
  assert.equal(r1.status, 200, await r1.clone().text());
  const t1 = await r1.text();
  const b0 = await balance();
  const later = await startServer({ conf: conf({ DB: srv.dir + '/ledger.db' }), env: { ...fakes.env,
    LD_PRELOAD: '/usr/lib/x86_64-linux-gnu/faketime/libfaketimeMT.so.1', FAKETIME: '+1200s', FAKETIME_DONT_FAKE_MONOTONIC: '1' } });
  try {
    const r2 = await send(later, paid.headers, body);
    assert.equal(r2.status, 200, await r2.clone().text());
    assert.equal(await r2.text(), t1);
    const r3 = await send(later, paid.headers, { prompt: 'another request' });
    assert.equal(r3.status, 402);
    assert.equal((await r3.json()).error, 'invalid_exact_evm_payload_authorization_valid_before');
    const r4 = await send(later, unused.headers, { prompt: 'never sent in time' });
    assert.equal(r4.status, 402);
    assert.equal(decodeB64Json(r4.headers.get('payment-required')).error, 'invalid_exact_evm_payload_authorization_valid_before');
    assert.equal(await balance(), b0);
    assert.equal((await fakes.requests()).filter((q) => q.body?.prompt === 'replay after expiry').length, 1);
  } finally { await later.stop(); }
});
