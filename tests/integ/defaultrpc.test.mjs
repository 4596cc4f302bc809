// A seller's default configuration reads the chain (issue 29): no RPC_URL,
// and the network's public RPC from the built-in table, which the test
// points at the local anvil with RPC_DEFAULTS (the harness turns the
// defaults off everywhere else: no test reaches the internet).  Parallel
// calls of one wallet are admitted against the balance read on chain; a
// default RPC that cannot be reached falls back to the facilitator's
// /verify with one unsettled payment per wallet, within RPC_TIMEOUT_MS, and
// /healthz names the network as degraded.  anvil + the EIP-3009 test
// token, the facilitator on the official @x402 packages, lighttpd, fake
// upstreams (calls counted there), the official @x402/fetch client; money
// read on chain.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts';
import { x402HTTPClient } from '@x402/fetch';
import { startChain, freePort, ROOT } from '../lib/chain.mjs';
import { startFacilitator } from '../lib/facilitator.mjs';
import { startFakes } from '../lib/fakes.mjs';
import { startServer } from '../lib/server.mjs';
import { makeClient } from '../lib/pay.mjs';

const JSONH = { 'content-type': 'application/json' };
const EP = '/v1/image-generate';
const TIMEOUT_MS = 800;
let chain, fac, fakes, hole, byDefault, unreachable;

function conf(extra = {}) {
  return {
    NETWORKS: 'base-sepolia', ASSET: chain.token, ASSET_NAME: 'USD Coin', ASSET_VERSION: '2',
    PAY_TO: chain.accounts.payTo.address, FACILITATOR_URL: fac.url, URL_ALLOW: 'localhost', SETTLE_RETRY: '10', ...extra,
  };
}

// An RPC that takes connections and never answers: down, or just slow.
async function blackhole() {
  const socks = new Set();
  const srv = net.createServer((s) => { socks.add(s); s.on('error', () => {}); s.on('close', () => socks.delete(s)); });
  await new Promise((r) => srv.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${srv.address().port}`, stop: () => new Promise((r) => { for (const s of socks) s.destroy(); srv.close(() => r()); }) };
}

before(async () => {
  chain = await startChain();
  fac = await startFacilitator({ rpc: chain.rpc });
  fakes = await startFakes();
  hole = await blackhole();
  byDefault = await startServer({ conf: conf({ RPC_DEFAULTS: `base-sepolia=${chain.rpc}` }), env: fakes.env });
  unreachable = await startServer({ conf: conf({ RPC_DEFAULTS: `base-sepolia=${hole.url}`, RPC_TIMEOUT_MS: String(TIMEOUT_MS) }),
    env: fakes.env, captureStderr: true });
});
after(async () => {
  await byDefault?.stop(); await unreachable?.stop(); await hole?.stop(); await fakes?.stop(); await fac?.stop(); await chain?.stop();
});

const payTo = () => chain.balanceOf(chain.accounts.payTo.address);
const upstream = async (prefix) => (await fakes.requests()).filter((q) => q.body?.prompt?.startsWith(prefix)).length;
const post = (s, headers, body) => fetch(s.url + EP, { method: 'POST', headers: { ...JSONH, ...headers }, body: JSON.stringify(body) });
const verifies = (since) => fac.state.calls.filter((c) => c.path === '/verify' && c.at >= since);

async function wallet(amount) {
  const key = generatePrivateKey();
  const w = chain.wallet(chain.accounts.deployer);
  const h = await w.writeContract({ address: chain.token, abi: chain.abi, functionName: 'mint', args: [privateKeyToAccount(key).address, amount] });
  await chain.pub.waitForTransactionReceipt({ hash: h, pollingInterval: 50 });
  return key;
}

/** The 402 for body and a payment for it, signed by the official client. */
async function paymentFor(s, body, key) {
  const r = await post(s, {}, body);
  assert.equal(r.status, 402, await r.clone().text());
  const core = makeClient(key);
  const http = new x402HTTPClient(core);
  const required = http.getPaymentRequiredResponse((n) => r.headers.get(n), await r.json());
  const payload = await core.createPaymentPayload(required);
  return { headers: http.encodePaymentSignatureHeader(payload), price: BigInt(required.accepts[0].amount) };
}

async function send(s, p, body) {
  const t0 = Date.now();
  const r = await post(s, p.headers, body);
  return { t0, status: r.status, body: await r.json().catch(() => null) };
}

/** n payments of one wallet holding `funded` payments' worth, sent at once. */
async function parallel(s, tag, n, funded) {
  const price = (await paymentFor(s, { prompt: `${tag} probe` }, chain.keys.payer)).price;
  const key = await wallet(price * BigInt(funded));
  const pays = [];
  for (let i = 0; i < n; i++) pays.push(await paymentFor(s, { prompt: `${tag} ${i}` }, key));
  const b0 = await payTo();
  const rs = await Promise.all(pays.map((p, i) => send(s, p, { prompt: `${tag} ${i}` })));
  return { rs, price, moved: (await payTo()) - b0, left: await chain.balanceOf(privateKeyToAccount(key).address), calls: await upstream(tag) };
}

test('no RPC_URL: the network\'s default RPC proves on chain; a wallet funded for four sends four at once: four 200s, four transfers', async () => {
  const v0 = Date.now();
  const { rs, price, moved, left, calls } = await parallel(byDefault, 'FAKE:slow default four', 4, 4);
  assert.deepEqual(rs.map((r) => r.status), [200, 200, 200, 200], JSON.stringify(rs.map((r) => r.body)));
  assert.equal(moved, 4n * price, 'four transfers');
  assert.equal(left, 0n);
  assert.equal(calls, 4);
  assert.equal(verifies(v0).length, 0, 'proven on chain, not by /verify');
});

test('funded for one: one 200, the rest refused before work (the balance read on chain)', async () => {
  const { rs, price, moved, calls } = await parallel(byDefault, 'FAKE:slow default one', 4, 1);
  assert.equal(rs.filter((r) => r.status === 200).length, 1, JSON.stringify(rs));
  for (const r of rs.filter((x) => x.status !== 200)) {
    assert.equal(r.status, 402, JSON.stringify(r.body));
    assert.equal(r.body.error, 'insufficient_balance');
  }
  assert.equal(moved, price, 'one transfer');
  assert.equal(calls, 1, 'no work for the others');
});

test('/healthz and synthforge-ctl check name the default RPC and its host', async () => {
  const h = await (await fetch(byDefault.url + '/healthz')).json();
  const n = h.checks.chains.networks['eip155:84532'];
  assert.equal(n.rpc, 'default');
  assert.equal(n.host, new URL(chain.rpc).host);
  assert.equal(n.ok, true, JSON.stringify(n));
  assert.deepEqual(h.degraded, []);
  const ctl = spawnSync(path.join(ROOT, 'build/bin/synthforge-ctl'), ['check', '--online', byDefault.cfgFile],
    { env: { ...process.env, ...fakes.env }, encoding: 'utf8' });
  assert.match(ctl.stdout, new RegExp(`^ok\\t\\teip155:84532: payments proven settleable before work on chain .*RPC public default ${new URL(chain.rpc).host}$`, 'm'));
  assert.doesNotMatch(ctl.stdout, /^degraded/m);
});

test('the default RPC unreachable: /verify after at most RPC_TIMEOUT_MS, one unsettled payment per wallet; /healthz names the network degraded', async () => {
  const tag = 'FAKE:slow unreachable';
  const key = await wallet(10n ** 9n);
  const a = await paymentFor(unreachable, { prompt: `${tag} a` }, key);
  const first = await send(unreachable, a, { prompt: `${tag} a` });
  assert.equal(first.status, 200, JSON.stringify(first.body));
  const [v] = verifies(first.t0);
  assert.ok(v, 'proven by the facilitator');
  const waited = v.at - first.t0;
  assert.ok(waited >= TIMEOUT_MS - 100, `the RPC was tried first (${waited} ms)`);
  assert.ok(waited < TIMEOUT_MS + 2000, `no longer than the RPC timeout before falling back (${waited} ms)`);
  // Two at once: the balance cannot be read, so one at a time.
  const [b, c] = [await paymentFor(unreachable, { prompt: `${tag} b` }, key), await paymentFor(unreachable, { prompt: `${tag} c` }, key)];
  const b0 = await payTo();
  const rs = await Promise.all([send(unreachable, b, { prompt: `${tag} b` }), send(unreachable, c, { prompt: `${tag} c` })]);
  assert.deepEqual(rs.map((r) => r.status).sort(), [200, 429], JSON.stringify(rs.map((r) => r.body)));
  const refused = rs.find((r) => r.status === 429);
  assert.equal(refused.body.error.code, 'too_many_in_flight');
  assert.match(refused.body.error.message, /balance cannot be read/);
  for (const r of rs) {
    const vs = verifies(r.t0);
    assert.ok(vs.length === 0 || vs[0].at - r.t0 < TIMEOUT_MS + 2000, 'no longer than the RPC timeout');
  }
  assert.equal(await payTo() - b0, b.price, 'one transfer');
  assert.equal(await upstream(`${tag} b`) + await upstream(`${tag} c`), 1, 'one piece of work');
  const h = await (await fetch(unreachable.url + '/healthz')).json();
  assert.deepEqual(h.degraded, ['eip155:84532'], JSON.stringify(h));
  const n = h.checks.chains.networks['eip155:84532'];
  assert.equal(n.ok, false);
  assert.match(n.proof, /degraded: the facilitator's \/verify, one unsettled payment per wallet/);
  assert.match(n.detail, /http_timeout/);
  assert.equal(h.status, 'ok', 'degraded is not down');
  // Quiet: one line when the network went degraded, none per request.
  const lines = unreachable.stderrText().split('\n').filter((l) => /the RPC cannot be asked/.test(l));
  assert.equal(lines.length, 1, lines.join('\n'));
  assert.doesNotMatch(unreachable.stderrText(), new RegExp(hole.url.replace(/[.:/]/g, '\\$&')), 'never the URL');
  const ctl = spawnSync(path.join(ROOT, 'build/bin/synthforge-ctl'), ['check', '--online', unreachable.cfgFile],
    { env: { ...process.env, ...fakes.env }, encoding: 'utf8' });
  assert.match(ctl.stdout, /^degraded\t\teip155:84532: the RPC does not answer \(http_timeout\): payments are proven by the facilitator's \/verify/m);
});

test('an RPC_URL key set to empty turns the default off: /verify, one at a time', async () => {
  const s = await startServer({ conf: conf({ RPC_DEFAULTS: `base-sepolia=${chain.rpc}`, RPC_URL_BASE_SEPOLIA: '' }), env: fakes.env });
  try {
    const h = await (await fetch(s.url + '/healthz')).json();
    assert.equal(h.checks.chains.networks['eip155:84532'].rpc, 'off');
    const v0 = Date.now();
    const { rs, calls } = await parallel(s, 'FAKE:slow turned off', 2, 4);
    assert.deepEqual(rs.map((r) => r.status).sort(), [200, 429]);
    assert.equal(calls, 1);
    assert.ok(verifies(v0).length >= 1, 'proven by /verify');
  } finally { await s.stop(); }
});

test('SETTLE=direct never sends through a default RPC: without RPC_URL it still refuses to start', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'sf-defaultrpc-'));
  const file = path.join(dir, 'synthforge.conf');
  writeFileSync(file, `NETWORKS=base-sepolia\nPAY_TO=${chain.accounts.payTo.address}\nDB=${dir}/ledger.db\n`
    + `RPC_DEFAULTS=base-sepolia=${chain.rpc}\nSETTLE=direct\nRELAYER_KEY_FILE=${file}\n`);
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('SYNTHFORGE_')));
  const ep = spawnSync(path.join(ROOT, 'build/fcgi/image_generate'), [], { env: { ...env, SYNTHFORGE_CONFIG: file }, encoding: 'utf8', input: '' });
  assert.equal(ep.status, 1, ep.stderr);
  assert.match(ep.stderr, /SETTLE=direct needs RPC_URL/);
});

test('RPC_DEFAULTS and RPC_TIMEOUT_MS are checked at start-up, naming the key', async () => {
  const port = await freePort();
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('SYNTHFORGE_')));
  for (const [k, v] of [['RPC_DEFAULTS', 'base-sepolia'], ['RPC_DEFAULTS', 'nowhere=http://127.0.0.1:1'],
    ['RPC_DEFAULTS', 'base=ftp://x'], ['RPC_TIMEOUT_MS', '5'], ['RPC_TIMEOUT_MS', 'soon']]) {
    const r = spawnSync(path.join(ROOT, 'build/fcgi/image_generate'), [], { encoding: 'utf8', input: '',
      env: { ...env, SYNTHFORGE_CONFIG: '/dev/null', SYNTHFORGE_PAY_TO: chain.accounts.payTo.address, SYNTHFORGE_PORT: String(port), [`SYNTHFORGE_${k}`]: v } });
    assert.equal(r.status, 1, `${k}=${v}: ${r.stderr}`);
    assert.match(r.stderr, new RegExp(`\\b${k}\\b`), `${k}=${v}`);
  }
});
