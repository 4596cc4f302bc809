// Settlement on a real local chain: anvil + the official @x402 facilitator,
// payments signed by the official @x402/evm client, the C side driven
// through build/tests/settle_driver and build/bin/synthforge-ctl.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startChain, ROOT, track } from '../lib/chain.mjs';
import { startFacilitator } from '../lib/facilitator.mjs';
import { makePayment, requirementsV1, requirementsV2 } from '../lib/pay.mjs';

const DRIVER = process.env.SETTLE_DRIVER || path.join(ROOT, 'build/tests/settle_driver');
const CTL = process.env.SF_CTL || path.join(ROOT, 'build/bin/synthforge-ctl');

let chain, fac, tmp, keyFile;

function run(bin, args, { input, env } = {}) {
  return new Promise((resolve, reject) => {
    const c = track(spawn(bin, args, { env: { ...process.env, ...env }, stdio: ['pipe', 'pipe', 'pipe'] }));
    let out = '', err = '';
    c.stdout.on('data', (d) => { out += d; });
    c.stderr.on('data', (d) => { err += d; });
    c.on('error', reject);
    c.on('close', (code) => resolve({ code, out, err }));
    c.stdin.end(input ?? '');
  });
}

async function driver(req) {
  const { code, out, err } = await run(DRIVER, [], { input: JSON.stringify(req) });
  try { return JSON.parse(out); } catch { throw new Error(`driver exit ${code}: ${out} ${err}`); }
}

const settleReq = (payment, requirements, extra = {}) => ({
  op: 'settle', mode: 'facilitator', facilitatorUrl: fac.url, rpcUrl: chain.rpc,
  x402Version: payment.x402Version, paymentPayload: payment, paymentRequirements: requirements, ...extra });

async function balances() {
  return { payer: await chain.balanceOf(chain.accounts.payer.address), payTo: await chain.balanceOf(chain.accounts.payTo.address) };
}

before(async () => {
  chain = await startChain();
  fac = await startFacilitator({ rpc: chain.rpc });
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sf-settle-'));
  keyFile = path.join(tmp, 'relayer.key');
  fs.writeFileSync(keyFile, chain.keys.relayer + '\n', { mode: 0o600 });
});

after(async () => {
  await fac?.stop();
  await chain?.stop();
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

test('facilitator settlement (v2) moves exactly the amount', async () => {
  const req = requirementsV2(chain, { amount: '10000' });
  const p = await makePayment(req);
  const b0 = await balances();
  const r = await driver(settleReq(p, req));
  assert.equal(r.outcome, 'ok', JSON.stringify(r));
  assert.match(r.transaction, /^0x[0-9a-f]{64}$/);
  assert.equal(r.network, chain.network);
  assert.equal(r.payer.toLowerCase(), chain.accounts.payer.address.toLowerCase());
  const b1 = await balances();
  assert.equal(b0.payer - b1.payer, 10000n);
  assert.equal(b1.payTo - b0.payTo, 10000n);
  const rc = await chain.pub.getTransactionReceipt({ hash: r.transaction });
  assert.equal(rc.status, 'success');
});

test('facilitator settlement (v1 base-sepolia) works', async () => {
  const req = requirementsV1(chain, { amount: '20000' });
  const p = await makePayment(req);
  assert.equal(p.x402Version, 1);
  const b0 = await balances();
  const r = await driver(settleReq(p, req));
  assert.equal(r.outcome, 'ok', JSON.stringify(r));
  assert.equal(r.network, 'base-sepolia');
  assert.equal((await balances()).payTo - b0.payTo, 20000n);
});

test('direct settlement (own relayer tx) moves exactly the amount', async () => {
  const req = requirementsV2(chain, { amount: '30000' });
  const p = await makePayment(req);
  const b0 = await balances();
  const r = await driver(settleReq(p, req, { mode: 'direct', keyFile, lockFile: path.join(tmp, 'nonce.lock') }));
  assert.equal(r.outcome, 'ok', JSON.stringify(r));
  const b1 = await balances();
  assert.equal(b0.payer - b1.payer, 30000n);
  assert.equal(b1.payTo - b0.payTo, 30000n);
  const tx = await chain.pub.getTransaction({ hash: r.transaction });
  assert.equal(tx.from.toLowerCase(), chain.accounts.relayer.address.toLowerCase());
  assert.equal(tx.type, 'eip1559');
  assert.equal(await chain.authorizationState(p.payload.authorization.from, p.payload.authorization.nonce), true);
});

test('direct settlement: concurrent sends from several processes keep nonces straight', async () => {
  const req = requirementsV2(chain, { amount: '1000' });
  const pays = await Promise.all(Array.from({ length: 6 }, () => makePayment(req)));
  const b0 = await balances();
  const rs = await Promise.all(pays.map((p) => driver(settleReq(p, req,
    { mode: 'direct', keyFile, lockFile: path.join(tmp, 'nonce.lock') }))));
  for (const r of rs) assert.equal(r.outcome, 'ok', JSON.stringify(r));
  assert.equal(new Set(rs.map((r) => r.transaction)).size, 6);
  assert.equal((await balances()).payTo - b0.payTo, 6000n);
});

test('direct settlement refuses a world-readable key file', async () => {
  const bad = path.join(tmp, 'open.key');
  fs.writeFileSync(bad, chain.keys.relayer + '\n', { mode: 0o644 });
  fs.chmodSync(bad, 0o644);
  const req = requirementsV2(chain);
  const p = await makePayment(req);
  const r = await driver(settleReq(p, req, { mode: 'direct', keyFile: bad }));
  assert.equal(r.outcome, 'failed');
  assert.equal(r.reason, 'config_error');
  assert.ok(!JSON.stringify(r).includes(chain.keys.relayer.slice(2, 12)), 'key not echoed');
});

test('replay: second settlement refused, balance moved once', async () => {
  const req = requirementsV2(chain, { amount: '40000' });
  const p = await makePayment(req);
  const b0 = await balances();
  const first = await driver(settleReq(p, req));
  assert.equal(first.outcome, 'ok', JSON.stringify(first));
  // The facilitator itself refuses the replay...
  const raw = await driver({ ...settleReq(p, req), op: 'facilitator_settle' });
  assert.equal(raw.outcome, 'failed');
  assert.equal(raw.reason, 'invalid_exact_evm_nonce_already_used');
  // ...without a chain to ask, that is final (not retryable)...
  const noRpc = await driver(settleReq(p, req, { rpcUrl: undefined }));
  assert.equal(noRpc.outcome, 'failed');
  assert.equal(noRpc.retryable, false);
  // ...with one, it is recognised as the earlier settlement of this very authorization.
  const viaFac = await driver(settleReq(p, req));
  assert.equal(viaFac.outcome, 'ok');
  assert.equal(viaFac.chainChecked, true);
  assert.equal(viaFac.transaction, first.transaction);
  const viaDirect = await driver(settleReq(p, req, { mode: 'direct', keyFile, lockFile: path.join(tmp, 'nonce.lock') }));
  assert.equal(viaDirect.outcome, 'ok');
  assert.equal(viaDirect.transaction, first.transaction);
  const b1 = await balances();
  assert.equal(b1.payTo - b0.payTo, 40000n, 'moved exactly once');
});

test('facilitator down: UNKNOWN, then the chain says "not settled, retry"', async () => {
  const req = requirementsV2(chain, { amount: '30000' });
  const p = await makePayment(req);
  const b0 = await balances();
  fac.setMode('down');
  try {
    const raw = await driver({ ...settleReq(p, req), op: 'facilitator_settle' });
    assert.equal(raw.outcome, 'unknown');
    const r = await driver(settleReq(p, req));
    assert.equal(r.outcome, 'failed');
    assert.equal(r.retryable, true);
    assert.equal(r.chainChecked, true);
    const noRpc = await driver(settleReq(p, req, { rpcUrl: undefined }));
    assert.equal(noRpc.outcome, 'unknown');
  } finally { fac.setMode('ok'); }
  assert.deepEqual(await balances(), b0, 'nothing moved while the facilitator was down');
  const again = await driver(settleReq(p, req));
  assert.equal(again.outcome, 'ok', 'retry after recovery settles');
  const b1 = await balances();
  assert.equal(b1.payTo - b0.payTo, 30000n, 'the retry moved exactly the amount');
  assert.equal(b0.payer - b1.payer, 30000n);
  assert.equal(await chain.authorizationState(chain.accounts.payer.address, p.payload.authorization.nonce), true);
});

test('facilitator slow: times out (UNKNOWN), chain shows the transfer landed', async () => {
  const req = requirementsV2(chain, { amount: '50000' });
  const p = await makePayment(req);
  const b0 = await balances();
  // The answer would come after 60 s (or when the driver hangs up): only
  // the driver's timeout ends the call, long after the transfer landed.
  fac.setMode('slow', 60000);
  let r;
  try { r = await driver(settleReq(p, req, { timeoutMs: 5000 })); } finally { fac.setMode('ok'); }
  assert.equal(r.outcome, 'ok', JSON.stringify(r));
  assert.equal(r.chainChecked, true);
  assert.match(r.transaction, /^0x[0-9a-f]{64}$/, 'tx found from the AuthorizationUsed log');
  assert.equal(r.message, 'settled (confirmed on chain)');
  assert.equal((await balances()).payTo - b0.payTo, 50000n);
});

test('facilitator success:false and 308 redirect', async () => {
  const req = requirementsV2(chain, { amount: '40000' });
  const p = await makePayment(req);
  const b0 = await balances();
  fac.setMode('fail');
  try {
    const r = await driver(settleReq(p, req));
    assert.equal(r.outcome, 'failed');
    assert.equal(r.retryable, true);
    assert.equal(r.reason, 'invalid_exact_evm_test_failure');
  } finally { fac.setMode('ok'); }
  fac.setMode('redirect');
  try {
    fac.state.calls.length = 0;
    const r = await driver(settleReq(p, req));
    assert.equal(r.outcome, 'ok', JSON.stringify(r));
    const posts = fac.state.calls.filter((c) => c.method === 'POST');
    assert.equal(posts.length, 2);
    assert.equal(posts[1].query.r, '1');
    assert.ok(posts[1].body?.paymentPayload, 'body re-POSTed after 308');
  } finally { fac.setMode('ok'); }
  // The refusal moved nothing; the re-POST after the 308 moved the amount once.
  const b1 = await balances();
  assert.equal(b1.payTo - b0.payTo, 40000n);
  assert.equal(b0.payer - b1.payer, 40000n);
});

test('100 parallel ledger_claim of one nonce across processes: exactly one NEW', async () => {
  const db = path.join(tmp, 'race.db');
  const req = requirementsV2(chain);
  const p = await makePayment(req);
  const rs = await Promise.all(Array.from({ length: 100 }, (_, i) =>
    driver({ op: 'claim', db, endpoint: '/v1/race', requestHash: `h${i}`, x402Version: 2, paymentPayload: p, paymentRequirements: req })));
  const count = (k) => rs.filter((r) => r.result === k).length;
  assert.equal(count('NEW'), 1, JSON.stringify(rs.filter((r) => r.result !== 'EXISTING')));
  assert.equal(count('EXISTING'), 99);
  assert.equal(new Set(rs.map((r) => r.id)).size, 1, 'all point at one row');
});

test('synthforge-ctl settle-pending settles rows left delivered (crash after work)', async () => {
  const db = path.join(tmp, 'ledger.db');
  const env = { DB: db, SETTLE: 'facilitator', FACILITATOR_URL: fac.url, RPC_URL: chain.rpc, RELAYER_KEY_FILE: keyFile };
  const req = requirementsV2(chain, { amount: '60000' });
  const p1 = await makePayment(req);
  const p2 = await makePayment(req);
  assert.equal((await driver({ op: 'record', db, endpoint: '/v1/image', state: 'delivered', x402Version: 2, paymentPayload: p1, paymentRequirements: req })).result, 'NEW');
  assert.equal((await driver({ op: 'record', db, endpoint: '/v1/speech', state: 'delivered', x402Version: 2, paymentPayload: p2, paymentRequirements: req })).result, 'NEW');
  const b0 = await balances();

  // Facilitator refuses: rows go settle_failed, exit 1.
  fac.setMode('fail');
  let r;
  try { r = await run(CTL, ['settle-pending', '--min-age', '0'], { env }); } finally { fac.setMode('ok'); }
  assert.equal(r.code, 1, r.out + r.err);
  assert.match(r.out, /^failed\t1\t/m);
  assert.match((await run(CTL, ['list', '--state', 'settle_failed'], { env })).out, /\/v1\/image/);

  // Facilitator back: the next run retries both settle_failed rows.
  r = await run(CTL, ['settle-pending', '--min-age', '0'], { env });
  assert.equal(r.code, 0, r.out + r.err);
  assert.match(r.out, /^settled\t1\t0x[0-9a-f]{64}/m);
  assert.match(r.out, /^settled\t2\t0x[0-9a-f]{64}/m);
  assert.equal((await balances()).payTo - b0.payTo, 120000n);

  r = await run(CTL, ['settle-pending', '--min-age', '0'], { env });
  assert.equal(r.code, 0);
  assert.match(r.out, /nothing to settle/);

  const list = await run(CTL, ['list', '--state', 'settled'], { env });
  assert.equal(list.code, 0);
  assert.equal(list.out.trim().split('\n').length, 3, list.out);
  const rev = await run(CTL, ['revenue'], { env });
  assert.equal(rev.code, 0);
  assert.match(rev.out, /^\/v1\/image\t0x5fbdb2315678afecb367f032d93f642f64180aa3\teip155:84532\t1\t60000\t0\.060000\t0\t0\t0\.000000$/m);
});

test('synthforge-ctl settle-pending with SETTLE=direct', async () => {
  const db = path.join(tmp, 'ledger-direct.db');
  const env = { DB: db, SETTLE: 'direct', RPC_URL: chain.rpc, RELAYER_KEY_FILE: keyFile };
  const req = requirementsV2(chain, { amount: '70000' });
  const p = await makePayment(req);
  await driver({ op: 'record', db, endpoint: '/v1/video', state: 'delivered', x402Version: 2, paymentPayload: p, paymentRequirements: req });
  const b0 = await balances();
  const r = await run(CTL, ['settle-pending', '--min-age', '0'], { env });
  assert.equal(r.code, 0, r.out + r.err);
  assert.match(r.out, /^settled\t1\t0x[0-9a-f]{64}/m);
  assert.equal((await balances()).payTo - b0.payTo, 70000n);
  assert.ok(!(r.out + r.err).includes(chain.keys.relayer.slice(2, 12)));
  const bad = await run(CTL, ['bogus'], { env });
  assert.equal(bad.code, 2);
});

test('CDP JWT verifies with node crypto (ES256, raw r||s)', async () => {
  const { privateKey } = crypto.generateKeyPairSync('ec', { namedCurve: 'P-256' });
  for (const type of ['sec1', 'pkcs8']) {
    const pem = privateKey.export({ type, format: 'pem' });
    const { token } = await driver({ op: 'cdp_jwt', keyId: 'organizations/x/apiKeys/y', pem, method: 'POST',
      url: 'https://api.cdp.coinbase.com/platform/v2/x402/settle' });
    const [h, c, s] = token.split('.');
    const hdr = JSON.parse(Buffer.from(h, 'base64url'));
    const cl = JSON.parse(Buffer.from(c, 'base64url'));
    assert.equal(hdr.alg, 'ES256');
    assert.equal(hdr.kid, 'organizations/x/apiKeys/y');
    assert.match(hdr.nonce, /^[0-9a-f]{32}$/);
    assert.deepEqual(cl.uris, ['POST api.cdp.coinbase.com/platform/v2/x402/settle']);
    assert.equal(cl.exp - cl.iat, 120);
    assert.ok(crypto.verify('sha256', Buffer.from(`${h}.${c}`), { key: privateKey, dsaEncoding: 'ieee-p1363' },
      Buffer.from(s, 'base64url')), `${type}: signature verifies`);
  }
});

test('transient settle failures are retried within the budget; a payer-fault reason is not', async () => {
  for (const [faults, outcome, attempts] of [[['500'], 'ok', 2], [['pending', '500'], 'ok', 3], [['balance'], 'failed', 1]]) {
    const req = requirementsV2(chain, { amount: '1500' });
    const p = await makePayment(req);
    const b0 = await balances();
    fac.setSettleFaults(faults);
    const r = await driver(settleReq(p, req, { budgetMs: 20000 }));
    fac.setSettleFaults([]);
    assert.equal(r.outcome, outcome, `${faults}: ${JSON.stringify(r)}`);
    assert.equal(r.attempts, attempts, `${faults}: attempts`);
    assert.equal((await balances()).payTo - b0.payTo, outcome === 'ok' ? 1500n : 0n, `${faults}: transfers`);
  }
  // Without a budget: one call, the transient failure reported as such.
  const req = requirementsV2(chain, { amount: '1600' });
  const p = await makePayment(req);
  fac.setSettleFaults(['pending']);
  const once = await driver(settleReq(p, req));
  assert.equal(once.attempts, 1);
  assert.equal(once.outcome, 'failed');
  assert.equal(once.reason, 'settlement_pending');
});
