// The seller's side of the money path (issue 12), on the real chain: anvil
// + the EIP-3009 test token, the facilitator on the official @x402
// packages, lighttpd, fake upstreams (calls counted there), the official
// @x402/fetch client.  Transfers are read on chain.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts';
import { x402HTTPClient } from '@x402/fetch';
import { startChain, rpcCall, ROOT } from '../lib/chain.mjs';
import { startFacilitator } from '../lib/facilitator.mjs';
import { startFakes } from '../lib/fakes.mjs';
import { startServer, endpoints, decodeB64Json, localExample } from '../lib/server.mjs';
import { pay, makeClient } from '../lib/pay.mjs';
import { scrape, metric } from '../lib/metrics.mjs';

const JSONH = { 'content-type': 'application/json' };
const EP = '/v1/image-generate';
const DRIVER = path.join(ROOT, 'build/tests/settle_driver');
let chain, fac, fakes, withRpc, facOnly;

function conf(extra = {}) {
  return {
    NETWORKS: 'base-sepolia', ASSET: chain.token, ASSET_NAME: 'USD Coin', ASSET_VERSION: '2',
    PAY_TO: chain.accounts.payTo.address, FACILITATOR_URL: fac.url, URL_ALLOW: 'localhost', SETTLE_RETRY: '20', ...extra,
  };
}

before(async () => {
  chain = await startChain();
  fac = await startFacilitator({ rpc: chain.rpc });
  fakes = await startFakes();
  withRpc = await startServer({ conf: conf({ RPC_URL: chain.rpc }), env: fakes.env });
  facOnly = await startServer({ conf: conf(), env: fakes.env });
});
after(async () => {
  await withRpc?.stop(); await facOnly?.stop(); await fakes?.stop(); await fac?.stop(); await chain?.stop();
});

const payToBalance = () => chain.balanceOf(chain.accounts.payTo.address);
const upstreamCalls = async (prompt) => (await fakes.requests()).filter((q) => q.body?.prompt === prompt).length;
const post = (s, headers, body, ep = EP) => fetch(s.url + ep, { method: 'POST', headers: { ...JSONH, ...headers }, body: JSON.stringify(body) });
// The settle driver, asynchronously: the facilitator lives in this process.
const driver = (req) => new Promise((resolve, reject) => {
  const c = execFile(DRIVER, (e, out) => (e && !out ? reject(e) : resolve(JSON.parse(out))));
  c.stdin.end(JSON.stringify(req));
});
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
// The processes of server s (lighttpd's children) running endpoint binary name.
const endpointPids = (s, name) => s.pids().filter((pid) => {
  try { return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0')[0].endsWith(`/fcgi/${name}`); } catch { return false; }
});
const ledger = (s, sql) => JSON.parse(execFileSync('sqlite3', ['-json', s.dir + '/ledger.db', sql]).toString() || '[]');

// A fresh wallet holding exactly `amount` of the token (0: none).
async function wallet(amount) {
  const key = generatePrivateKey();
  if (amount > 0n) {
    const w = chain.wallet(chain.accounts.deployer);
    const h = await w.writeContract({ address: chain.token, abi: chain.abi, functionName: 'mint', args: [privateKeyToAccount(key).address, amount] });
    await chain.pub.waitForTransactionReceipt({ hash: h, pollingInterval: 50 });
  }
  return key;
}

// The 402 for body, and a payment for it signed by the official client.
// tweak(required) may change what the client signs (the offer we match is
// restored in `accepted`, which the signature does not cover).
async function paymentFor(s, body, { key = chain.keys.payer, tweak, ep = EP } = {}) {
  const r = await post(s, {}, body, ep);
  assert.equal(r.status, 402, await r.clone().text());
  const core = makeClient(key);
  const http = new x402HTTPClient(core);
  const required = http.getPaymentRequiredResponse((n) => r.headers.get(n), await r.json());
  const offer = structuredClone(required.accepts[0]);
  if (tweak) tweak(required);
  const payload = await core.createPaymentPayload(required);
  payload.accepted = offer;
  return { headers: http.encodePaymentSignatureHeader(payload), amount: BigInt(offer.amount), offer, payload };
}

test('(1) empty wallet, no RPC: refused before work by the facilitator /verify, 0 upstream calls, 0 transfers', async () => {
  const key = await wallet(0n);
  const b0 = await payToBalance();
  const r = await pay(facOnly.url + EP, { privateKey: key, method: 'POST', headers: JSONH, body: { prompt: 'empty wallet' } });
  assert.equal(r.status, 402, r.text);
  assert.match(r.body.error, /insufficient_balance$/);
  assert.equal(await upstreamCalls('empty wallet'), 0);
  assert.equal(await payToBalance(), b0);
});

test('parallel copies of a payment refused before work all hear why (the dropped claim is retried)', async () => {
  const key = await wallet(0n);
  const body = { prompt: 'copies of a refused payment' };
  const p = await paymentFor(withRpc, body, { key });
  const rs = await Promise.all(Array.from({ length: 6 }, () => post(withRpc, p.headers, body)
    .then(async (r) => ({ status: r.status, body: await r.json() }))));
  for (const r of rs) {
    assert.equal(r.status, 402, JSON.stringify(r.body));
    assert.equal(r.body.error, 'invalid_exact_evm_insufficient_balance');
  }
  assert.equal(await upstreamCalls(body.prompt), 0);
  assert.equal(ledger(withRpc, `select count(*) as n from payments where payer='${privateKeyToAccount(key).address.toLowerCase()}'`)[0].n, 0);
});

// The upstream answers slowly (FAKE:slow) so the other payments are
// decided while the first is still unsettled: the exposure check, not the
// chain's balance after settlement, must stop them.
async function eightAtOnce(servers, name) {
  const tag = `FAKE:slow ${name}`;
  const price = (await paymentFor(servers[0], { prompt: `${tag} 0` })).amount;
  const key = await wallet(price);
  const pays = [];
  for (let i = 0; i < 8; i++) pays.push(await paymentFor(servers[i % servers.length], { prompt: `${tag} ${i}` }, { key }));
  const b0 = await payToBalance();
  const rs = await Promise.all(pays.map((p, i) => post(servers[i % servers.length], p.headers, { prompt: `${tag} ${i}` })
    .then(async (r) => ({ status: r.status, body: await r.json().catch(() => null) }))));
  let calls = 0;
  for (let i = 0; i < 8; i++) calls += await upstreamCalls(`${tag} ${i}`);
  assert.ok(calls <= 1, `${calls} upstream calls`);
  assert.equal(rs.filter((r) => r.status === 200).length, 1, rs.map((r) => r.status).join(','));
  for (const r of rs.filter((x) => x.status !== 200)) {
    assert.ok(r.status === 402 || r.status === 429, `status ${r.status}`);
    if (r.status === 402) assert.match(r.body.error, /insufficient_balance$/);
    if (r.body?.error === 'insufficient_balance') assert.match(r.body.message, /other unsettled payments/);
  }
  assert.ok(rs.some((r) => r.body?.error === 'insufficient_balance'), 'refused by the exposure check');
  assert.equal((await payToBalance()) - b0, price, 'exactly one transfer');
}

test('(2) a wallet funded for one call, 8 payments at once: 1 upstream call, 1 transfer', async () => {
  await eightAtOnce([withRpc], 'eight at once');
});

test('(2) the same split over two processes of one endpoint sharing the ledger', async () => {
  const twin = await startServer({ conf: conf({ RPC_URL: chain.rpc, DB: withRpc.dir + '/ledger.db' }), env: fakes.env });
  try { await eightAtOnce([withRpc, twin], 'two processes'); } finally { await twin.stop(); }
});

test('per-payer in-flight cap: 429 with Retry-After, nothing charged', async () => {
  const capped = await startServer({ conf: conf({ RPC_URL: chain.rpc, MAX_INFLIGHT_PER_PAYER: '1' }), env: fakes.env });
  try {
    const a = await paymentFor(capped, { prompt: 'FAKE:slow cap a' });
    const b = await paymentFor(capped, { prompt: 'cap b' });
    const b0 = await payToBalance();
    const first = post(capped, a.headers, { prompt: 'FAKE:slow cap a' });
    for (let i = 0; i < 100 && !ledger(capped, "select id from payments where state='working'").length; i++)
      await new Promise((r) => setTimeout(r, 20));
    const r = await post(capped, b.headers, { prompt: 'cap b' });
    assert.equal(r.status, 429, await r.clone().text());
    assert.equal((await r.json()).error.code, 'too_many_in_flight');
    assert.ok(Number(r.headers.get('retry-after')) > 0);
    assert.equal(await upstreamCalls('cap b'), 0);
    assert.equal((await first).status, 200);
    assert.equal((await payToBalance()) - b0, a.amount);
    // The refused payment was not kept: it works once the first is done.
    const again = await post(capped, b.headers, { prompt: 'cap b' });
    assert.equal(again.status, 200, await again.clone().text());
  } finally { await capped.stop(); }
});

test('(3) validBefore inside the work window: 402 naming the validBefore needed, 0 upstream calls', async () => {
  const p = await paymentFor(withRpc, { prompt: 'short window' }, { tweak: (req) => { req.accepts[0].maxTimeoutSeconds = 30; } });
  const b0 = await payToBalance();
  const r = await post(withRpc, p.headers, { prompt: 'short window' });
  assert.equal(r.status, 402);
  const j = await r.json();
  assert.equal(j.error, 'valid_before_too_soon');
  const vb = Number(p.payload.payload.authorization.validBefore);
  const m = j.message.match(/validBefore >= (\d+)/);
  assert.ok(m && Number(m[1]) > vb, j.message);
  assert.equal(decodeB64Json(r.headers.get('payment-required')).error, 'valid_before_too_soon');
  assert.equal(await upstreamCalls('short window'), 0);
  assert.equal(await payToBalance(), b0);
});

test('(4) every endpoint\'s 402 offers a window covering its deadline plus the settlement margin', async () => {
  for (const ep of endpoints()) {
    const r = await post(withRpc, {}, localExample(ep, fakes.port), ep.path);
    assert.equal(r.status, 402, `${ep.name}: ${await r.clone().text()}`);
    const v2 = decodeB64Json(r.headers.get('payment-required'));
    const v1 = await r.json();
    assert.ok(ep.deadline > 0, ep.name);
    for (const o of [...v2.accepts, ...v1.accepts])
      assert.ok(o.maxTimeoutSeconds >= ep.deadline + 60, `${ep.name}: ${o.maxTimeoutSeconds} < ${ep.deadline} + 60`);
  }
});

test('(5) /settle answers 500 first: the official client\'s single call gets 200 and one transfer', async () => {
  for (const fault of ['500', 'pending']) {
    const prompt = `settle fault ${fault}`;
    const price = (await paymentFor(withRpc, { prompt })).amount;
    const b0 = await payToBalance();
    const n0 = fac.state.settles;
    fac.setSettleFaults([fault]);
    const r = await pay(withRpc.url + EP, { method: 'POST', headers: JSONH, body: { prompt } });
    assert.equal(r.status, 200, `${fault}: ${r.text}`);
    assert.equal(r.paymentResponse.success, true);
    assert.equal(fac.state.settles - n0, 2, `${fault}: retried once`);
    assert.equal((await payToBalance()) - b0, price, `${fault}: exactly one transfer`);
    assert.equal(await upstreamCalls(prompt), 1);
  }
});

test('(5) an insufficient-balance refusal at settle is not retried', async () => {
  const b0 = await payToBalance();
  const n0 = fac.state.settles;
  fac.setSettleFaults(['balance']);
  const r = await pay(withRpc.url + EP, { method: 'POST', headers: JSONH, body: { prompt: 'settle refused' } });
  assert.equal(r.status, 402, r.text);
  assert.equal(r.body.error, 'invalid_exact_evm_insufficient_balance');
  assert.equal(fac.state.settles - n0, 1, 'not retried');
  assert.equal(await payToBalance(), b0);
});

test('(6) a payment settled on chain but unknown to this ledger is refused before work, with an RPC and facilitator-only', async () => {
  const body = { prompt: 'settled elsewhere' };
  const p = await paymentFor(withRpc, body);
  const b0 = await payToBalance();
  const first = await post(withRpc, p.headers, body);
  assert.equal(first.status, 200, await first.clone().text());
  assert.equal(await upstreamCalls(body.prompt), 1);
  // Fresh ledgers: another host before the ledger is shared.
  const otherRpc = await startServer({ conf: conf({ RPC_URL: chain.rpc }), env: fakes.env });
  const otherFac = await startServer({ conf: conf(), env: fakes.env });
  try {
    for (const [s, what] of [[otherRpc, 'RPC'], [otherFac, 'facilitator-only']]) {
      const r = await post(s, p.headers, body);
      assert.equal(r.status, 402, `${what}: ${await r.clone().text()}`);
      assert.equal((await r.json()).error, 'invalid_exact_evm_nonce_already_used', what);
      assert.equal(ledger(s, 'select count(*) as n from payments')[0].n, 0, `${what}: no claim kept`);
    }
  } finally { await otherRpc.stop(); await otherFac.stop(); }
  assert.equal(await upstreamCalls(body.prompt), 1, 'no second upstream call');
  assert.equal((await payToBalance()) - b0, p.amount, 'one transfer');
  // Reconciliation: "nonce used, the transfer reached payTo" is ours only
  // if mined after we accepted the payment.
  const req = { op: 'settle', mode: 'facilitator', facilitatorUrl: fac.url, rpcUrl: chain.rpc,
    x402Version: 2, paymentPayload: p.payload, paymentRequirements: p.offer };
  const later = await driver({ ...req, since: Math.floor(Date.now() / 1000) + 60 });
  assert.equal(later.outcome, 'failed', JSON.stringify(later));
  assert.equal(later.reason, 'invalid_exact_evm_nonce_already_used');
  assert.equal(later.transaction, '');
  const earlier = await driver({ ...req, since: Math.floor(Date.now() / 1000) - 3600 });
  assert.equal(earlier.outcome, 'ok', 'a transfer after our claim is ours');
  // ...but never on the first attempt of a row just claimed: no earlier
  // attempt of ours exists, so "nonce already used" is someone else's.
  const fresh = await driver({ ...req, fresh: true, since: Math.floor(Date.now() / 1000) - 3600 });
  assert.equal(fresh.outcome, 'failed', JSON.stringify(fresh));
  assert.equal(fresh.reason, 'invalid_exact_evm_nonce_already_used');
  assert.equal(fresh.retryable, false);
});

test('settle-first: one transfer before the upstream call; a failing upstream is redone free with the same payment', async () => {
  const sf = await startServer({ conf: conf({ RPC_URL: chain.rpc, SETTLE_FIRST: 'image-generate' }), env: fakes.env });
  try {
    const body = { prompt: 'FAKE:5xx settle first' };
    const p = await paymentFor(sf, body);
    const r402 = await post(sf, {}, body);
    assert.match(decodeB64Json(r402.headers.get('payment-required')).resource.description, /settled before the work starts.*no refund/);
    const b0 = await payToBalance();
    const r = await post(sf, p.headers, body);
    assert.equal(r.status, 502, await r.clone().text());
    assert.match((await r.json()).error.message, /settled before the work.*same payment again/);
    assert.equal((await payToBalance()) - b0, p.amount, 'paid before the work');
    const [row] = ledger(sf, `select state, tx from payments where nonce='${p.payload.payload.authorization.nonce.toLowerCase()}'`);
    assert.equal(row.state, 'work_failed');
    assert.match(row.tx, /^0x[0-9a-f]{64}$/);
    const calls = await upstreamCalls(body.prompt);
    // The same request with the same payment: the work again, no charge
    // (this upstream fails every time, so it fails again).
    const again = await post(sf, p.headers, body);
    assert.equal(again.status, 502, await again.clone().text());
    assert.ok(await upstreamCalls(body.prompt) > calls, 'the work was redone');
    assert.equal((await payToBalance()) - b0, p.amount, 'no second charge');
    assert.equal(ledger(sf, `select tx from payments where id=${row.id ?? 1}`)[0]?.tx ?? row.tx, row.tx);
  } finally { await sf.stop(); }
});

test('a mainnet that can neither read the chain (its public RPC turned off) nor /verify: endpoints refuse to start, synthforge-ctl check says why', async () => {
  const { spawnSync } = await import('node:child_process');
  const { mkdtempSync, writeFileSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const dir = mkdtempSync(path.join(tmpdir(), 'sf-mainnet-'));
  const file = path.join(dir, 'synthforge.conf');
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('SYNTHFORGE_')));
  writeFileSync(file, `NETWORKS=base\nPAY_TO=${chain.accounts.payTo.address}\nDB=${dir}/ledger.db\nRPC_DEFAULTS=off\n`);
  const ep = spawnSync(path.join(ROOT, 'build/fcgi/image_generate'), [], { env: { ...env, SYNTHFORGE_CONFIG: file }, encoding: 'utf8', input: '' });
  assert.equal(ep.status, 1, ep.stderr);
  assert.match(ep.stderr, /eip155:8453 is a mainnet.*RPC_URL_8453/);
  const check = spawnSync(path.join(ROOT, 'build/bin/synthforge-ctl'), ['check', file], { env, encoding: 'utf8' });
  assert.equal(check.status, 1);
  assert.match(check.stdout, /^MISSING\tRPC_URL\teip155:8453 is a mainnet: payments on it must be proven settleable/m);
  // With an RPC for it, that line turns into how payments are proven.
  writeFileSync(file, `NETWORKS=base\nPAY_TO=${chain.accounts.payTo.address}\nRPC_URL_8453=${chain.rpc}\nRPC_DEFAULTS=off\n`);
  const ok = spawnSync(path.join(ROOT, 'build/bin/synthforge-ctl'), ['check', file], { env, encoding: 'utf8' });
  assert.match(ok.stdout, /^ok\t\teip155:8453: payments proven settleable before work on chain.*RPC configured$/m);
  assert.doesNotMatch(ok.stdout, /^MISSING\tRPC_URL/m);
  // Its public RPC (on by default) is an RPC too: named, with a note.
  writeFileSync(file, `NETWORKS=base\nPAY_TO=${chain.accounts.payTo.address}\n`);
  const pub = spawnSync(path.join(ROOT, 'build/bin/synthforge-ctl'), ['check', file], { env, encoding: 'utf8' });
  assert.match(pub.stdout, /^ok\t\teip155:8453: payments proven settleable before work on chain.*RPC public default mainnet\.base\.org$/m);
  assert.match(pub.stdout, /^note\t\teip155:8453: a shared, rate-limited public RPC sees every payer and nonce/m);
  assert.doesNotMatch(pub.stdout, /^MISSING\tRPC_URL/m);
});

test('metrics count the refusals by reason and publish no payer', async () => {
  const m = await scrape(withRpc.url);
  for (const reason of ['valid_before_too_soon', 'insufficient_balance'])
    assert.ok(metric(m, 'synthforge_payments_refused_total', { reason }) >= 1, reason);
  assert.doesNotMatch(m.text.toLowerCase(), new RegExp(chain.accounts.payer.address.slice(2).toLowerCase()));
  assert.doesNotMatch(m.text, /exposure|unsettled/i);
});

// Issue 23 (1): the endpoint process dies (kill -9) after the work, while
// the facilitator holds its transfer and carries it out anyway.  The web
// server's answer cannot know the payment's state and must not claim
// "nothing was charged"; the same payment sent again finds the delivered
// row whose settler stopped beating, takes it over, finds the transfer on
// chain and answers with the result, in seconds.
test('(7) kill -9 of the endpoint while the facilitator holds its transfer: no "nothing was charged"; the same payment again: the result within seconds, one transfer, the row settled', async () => {
  const body = { prompt: 'killed while settling' };
  const p = await paymentFor(withRpc, body);
  const nonce = p.payload.payload.authorization.nonce.toLowerCase();
  const b0 = await payToBalance();
  const held = fac.state.held;
  fac.setSettleFaults(['hold:3000']);
  const inflight = post(withRpc, p.headers, body)
    .then(async (r) => ({ status: r.status, text: await r.text() }), (e) => ({ status: 'error', text: String(e) }));
  for (let i = 0; i < 800 && fac.state.held === held; i++) await sleep(25);
  assert.equal(fac.state.held, held + 1, 'the settlement is in the facilitator\'s hands');
  assert.equal(ledger(withRpc, `select state from payments where nonce='${nonce}'`)[0].state, 'delivered');
  const pids = endpointPids(withRpc, 'image_generate');
  assert.ok(pids.length > 0, 'the endpoint process found');
  for (const pid of pids) process.kill(pid, 'SIGKILL');
  const first = await inflight;
  assert.ok(first.status === 'error' || first.status >= 500, `${first.status} ${first.text}`);
  assert.doesNotMatch(first.text, /nothing (was|will be) charged|not charged/i, first.text);
  if (first.status !== 'error') assert.match(first.text, /same payment again/, first.text);

  const t0 = Date.now();
  const r = await post(withRpc, p.headers, body);
  const secs = (Date.now() - t0) / 1000;
  const text = await r.text();
  assert.equal(r.status, 200, text);
  assert.ok(secs < 15, `the result came after ${secs} s`);
  assert.ok(JSON.parse(text).image_url, text);
  const pr = decodeB64Json(r.headers.get('payment-response'));
  assert.equal(pr.success, true);
  for (let i = 0; i < 800 && fac.state.heldDone < fac.state.held; i++) await sleep(25);
  assert.equal(fac.state.heldDone, fac.state.held, 'the held transfer was carried out');
  assert.equal((await payToBalance()) - b0, p.amount, 'exactly one transfer');
  const [row] = ledger(withRpc, `select state, tx from payments where nonce='${nonce}'`);
  assert.equal(row.state, 'settled');
  assert.equal(row.tx, pr.transaction);
  const heldTx = fac.state.heldResults.at(-1).transaction;
  if (fac.state.heldResults.at(-1).success) assert.equal(pr.transaction, heldTx, 'the held transfer is the one answered');
  assert.equal(await upstreamCalls(body.prompt), 1, 'the work was done once');
});

// The same crash, but the facilitator drops the transfer with its caller
// (nothing lands): the payment's next request settles it now.
test('(7b) kill -9 of the endpoint while its settlement stalls and is dropped: the same payment again settles now, the result within seconds, one transfer', async () => {
  const body = { prompt: 'killed, settlement dropped' };
  const p = await paymentFor(withRpc, body);
  const nonce = p.payload.payload.authorization.nonce.toLowerCase();
  const b0 = await payToBalance();
  const abandoned = fac.state.abandoned || 0;
  fac.setMode('stall', 60000);
  let first;
  try {
    const inflight = post(withRpc, p.headers, body)
      .then(async (r) => ({ status: r.status, text: await r.text() }), (e) => ({ status: 'error', text: String(e) }));
    for (let i = 0; i < 800 && ledger(withRpc, `select state from payments where nonce='${nonce}'`)[0]?.state !== 'delivered'; i++)
      await sleep(25);
    assert.equal(ledger(withRpc, `select state from payments where nonce='${nonce}'`)[0].state, 'delivered');
    await sleep(300);	// the settle call is in the facilitator's hands
    for (const pid of endpointPids(withRpc, 'image_generate')) process.kill(pid, 'SIGKILL');
    first = await inflight;
    for (let i = 0; i < 400 && (fac.state.abandoned || 0) === abandoned; i++) await sleep(25);
    assert.equal(fac.state.abandoned, abandoned + 1, 'the stalled settlement was dropped, not carried out');
  } finally { fac.setMode('ok'); }
  assert.doesNotMatch(first.text, /nothing (was|will be) charged|not charged/i, first.text);
  assert.equal(await payToBalance(), b0, 'nothing moved yet');
  const t0 = Date.now();
  const r = await post(withRpc, p.headers, body);
  const secs = (Date.now() - t0) / 1000;
  assert.equal(r.status, 200, await r.clone().text());
  assert.ok(secs < 15, `the result came after ${secs} s`);
  assert.equal((await payToBalance()) - b0, p.amount, 'exactly one transfer');
  assert.equal(ledger(withRpc, `select state from payments where nonce='${nonce}'`)[0].state, 'settled');
  assert.equal(await upstreamCalls(body.prompt), 1, 'the work was done once');
});

// Issue 23 (3): a payment is for the resource whose 402 it answers.  Two
// endpoints of the same price and window accept the same signed payment
// on every other count, so only resource.url tells them apart.
test('(8) a payment made for one endpoint, sent to another of the same price: 402 resource_mismatch naming it, 0 upstream calls, 0 transfers; it still pays its own endpoint', async () => {
  const A = '/v1/text-to-speech', B = '/v1/voice';
  const bodyA = { text: 'made for text-to-speech', voice: 'Rachel' };
  const bodyB = { text: 'sent to voice instead', voice: 'Roger' };
  const pa = await paymentFor(withRpc, bodyA, { ep: A });
  const rb = await post(withRpc, {}, bodyB, B);
  assert.equal(rb.status, 402, await rb.clone().text());
  const offerB = decodeB64Json(rb.headers.get('payment-required')).accepts[0];
  assert.deepEqual(offerB, pa.offer, 'the two endpoints offer the very same terms');
  const b0 = await payToBalance();
  const calls0 = (await fakes.requests()).length;
  const r = await post(withRpc, pa.headers, bodyB, B);
  assert.equal(r.status, 402, await r.clone().text());
  const j = await r.json();
  assert.equal(j.error, 'resource_mismatch');
  assert.ok(j.message.includes(`${withRpc.url}${A}`), j.message);
  assert.equal(decodeB64Json(r.headers.get('payment-required')).error, 'resource_mismatch');
  assert.equal((await fakes.requests()).length, calls0, 'no upstream call');
  assert.equal(await payToBalance(), b0, 'no transfer');
  const nonce = pa.payload.payload.authorization.nonce.toLowerCase();
  assert.equal(ledger(withRpc, `select count(*) as n from payments where nonce='${nonce}'`)[0].n, 0, 'nothing claimed');
  // Its own endpoint still takes it.
  const ok = await post(withRpc, pa.headers, bodyA, A);
  assert.equal(ok.status, 200, await ok.clone().text());
  assert.equal((await payToBalance()) - b0, pa.amount, 'one transfer, for the endpoint it was made for');
});

// Issue 23 (7): a seller's revenue per endpoint is not for anyone.
test('(9) a mainnet /metrics: 403 metrics_private without METRICS_TOKEN, unless METRICS_PUBLIC=1; with a token, only for it; synthforge-ctl check --mainnet names METRICS_TOKEN', async () => {
  const { spawnSync } = await import('node:child_process');
  const mainnet = { NETWORKS: 'base', RPC_URL_8453: chain.rpc, PAY_TO: chain.accounts.payTo.address };
  for (const [extra, want] of [[{}, 403], [{ METRICS_PUBLIC: '1' }, 200], [{ METRICS_TOKEN: 'tok-0123456789abcdef' }, 401]]) {
    const s = await startServer({ conf: { ...mainnet, ...extra }, env: fakes.env });
    try {
      const r = await fetch(s.url + '/metrics');
      const text = await r.text();
      assert.equal(r.status, want, `${JSON.stringify(extra)}: ${text.slice(0, 200)}`);
      if (want === 403) {
        assert.equal(JSON.parse(text).error.code, 'metrics_private');
        assert.match(JSON.parse(text).error.message, /METRICS_TOKEN.*METRICS_PUBLIC=1/);
        assert.doesNotMatch(text, /revenue_atomic_total/);
      }
      if (want === 200) assert.match(text, /^# TYPE synthforge_revenue_atomic_total counter$/m);
      if (extra.METRICS_TOKEN) {
        const ok = await fetch(s.url + '/metrics', { headers: { authorization: `Bearer ${extra.METRICS_TOKEN}` } });
        assert.equal(ok.status, 200);
      }
    } finally { await s.stop(); }
  }
  const { mkdtempSync, writeFileSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'sf-metrics-check-')), 'synthforge.conf');
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('SYNTHFORGE_')));
  const check = (text) => {
    writeFileSync(file, text);
    return spawnSync(path.join(ROOT, 'build/bin/synthforge-ctl'), ['check', '--mainnet', file], { env, encoding: 'utf8' }).stdout;
  };
  const base = `NETWORKS=base-sepolia\nPAY_TO=${chain.accounts.payTo.address}\n`;
  assert.match(check(base), /^MISSING\tMETRICS_TOKEN\tunset on mainnet/m);
  assert.doesNotMatch(check(base + 'METRICS_PUBLIC=1\n'), /^MISSING\tMETRICS_TOKEN/m);
  assert.match(check(base + 'METRICS_TOKEN=tok-0123456789abcdef\n'), /^ok\t\t\/metrics behind METRICS_TOKEN$/m);
  assert.match(check(base + 'METRICS_PUBLIC=yes\n'), /^INVALID\tMETRICS_PUBLIC\t/m);
});

test('(10) a payment whose work failed, sent again after its wallet was emptied: proven again before the work, refused, 0 more upstream calls, 0 transfers', async () => {
  const body = { prompt: 'FAKE:5xx proven again' };
  const r0 = await post(withRpc, {}, body);
  assert.equal(r0.status, 402);
  const amount = BigInt(decodeB64Json(r0.headers.get('payment-required')).accepts[0].amount);
  const key = await wallet(amount);
  const p = await paymentFor(withRpc, body, { key });
  const first = await post(withRpc, p.headers, body);
  assert.equal(first.status, 502, await first.clone().text());
  const calls = await upstreamCalls(body.prompt);
  assert.ok(calls >= 1, 'the work was tried');
  // The payer empties the wallet: the same payment can no longer settle.
  const payer = privateKeyToAccount(key);
  await rpcCall(chain.rpc, 'anvil_setBalance', [payer.address, '0xde0b6b3a7640000']);
  const h = await chain.wallet(payer).writeContract({ address: chain.token, abi: chain.abi, functionName: 'transfer', args: [chain.accounts.deployer.address, amount] });
  await chain.pub.waitForTransactionReceipt({ hash: h, pollingInterval: 50 });
  const b0 = await payToBalance();
  const again = await post(withRpc, p.headers, body);
  const text = await again.clone().text();
  assert.equal(again.status, 402, text);
  assert.equal(await upstreamCalls(body.prompt), calls, `no work for a payment that cannot settle: ${text}`);
  assert.equal(await payToBalance(), b0, 'nothing moved');
});
