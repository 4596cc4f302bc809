// Scale out: two instances of the product (separate state folders,
// different ports, the same configuration and PUBLIC_URL) behind a small
// round-robin balancer, on one real PostgreSQL (tests/lib/pg.mjs) and one
// media folder.  anvil + the EIP-3009 token, the official @x402 facilitator
// and client; the fake upstream counts the work.  What the hosts must agree
// on is asserted across them: one payment = one piece of work and one
// transfer wherever its copies land, a result stored by one host is served
// by the other, settle-pending on either host settles what a killed host
// left (and two at once settle it once), a payer funded for one call gets
// one piece of work however its payments are spread (issue 12's exposure,
// in the shared database), the demo budget holds across both,
// a database that goes away is a 503 before any work, then comes back,
// and a job submitted on one host is polled on the other and, when the
// first host is lost mid-job, finished by the other.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, chmodSync, rmSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts';
import { x402HTTPClient } from '@x402/fetch';
import { decodePaymentSignatureHeader } from '@x402/core/http';
import { startChain } from '../lib/chain.mjs';
import { startFacilitator } from '../lib/facilitator.mjs';
import { startFakes } from '../lib/fakes.mjs';
import { startPg } from '../lib/pg.mjs';
import { startServer, decodeB64Json, BUILD, freePort } from '../lib/server.mjs';
import { makeClient } from '../lib/pay.mjs';

const JSONH = { 'content-type': 'application/json' };
const PATH = '/v1/image-generate';
const DBNAME = 'sf_scaleout';
let chain, fac, fakes, pg, lb, A, B, media;
const cleanup = [];

// The balancer: round robin over the hosts' ports, as a real one would.
function startBalancer(port) {
  const targets = [];
  let next = 0;
  const server = http.createServer((req, res) => {
    const t = targets[next++ % targets.length];
    const up = http.request({ host: '127.0.0.1', port: t, path: req.url, method: req.method, headers: req.headers }, (r) => {
      res.writeHead(r.statusCode, r.headers);
      r.pipe(res);
    });
    up.on('error', () => { res.writeHead(502); res.end(); });
    req.pipe(up);
  });
  return new Promise((res) => server.listen(port, '127.0.0.1', () => res({
    url: `http://127.0.0.1:${port}`, targets, stop: () => new Promise((r) => server.close(r)),
  })));
}

before(async () => {
  pg = await startPg();
  await pg.createDb(DBNAME);
  chain = await startChain();
  fac = await startFacilitator({ rpc: chain.rpc });
  fakes = await startFakes();
  media = mkdtempSync(join(tmpdir(), 'sf-shared-media-'));
  chmodSync(media, 0o755);
  lb = await startBalancer(await freePort());
  const conf = {
    NETWORKS: 'base-sepolia', ASSET: chain.token, ASSET_NAME: 'USD Coin', ASSET_VERSION: '2',
    PAY_TO: chain.accounts.payTo.address, FACILITATOR_URL: fac.url, RPC_URL: chain.rpc, URL_ALLOW: 'localhost',
    PUBLIC_URL: lb.url, DB: pg.uri(DBNAME), MEDIA_DIR: media,
    DEMO_PER_CLIENT_PER_MINUTE: '1000', DEMO_PER_CLIENT_PER_HOUR: '1000', DEMO_PER_HOUR: '4',
    JOB_LEASE_SECONDS: '6', JOB_SCAN_SECONDS: '1',
  };
  // Both at once: the schema is created by whichever gets there first.
  // Each host keeps its own counters (METRICS_DIR); all else is shared.
  const metrics = [0, 1].map(() => { const d = mkdtempSync(join(tmpdir(), 'sf-metrics-')); chmodSync(d, 0o755); return d; });
  [A, B] = await Promise.all(metrics.map((d) => startServer({ conf: { ...conf, METRICS_DIR: d }, env: fakes.env })));
  cleanup.push(...metrics);
  lb.targets.push(A.port, B.port);
});
after(async () => {
  await A?.stop(); await B?.stop(); await lb?.stop();
  await fakes?.stop(); await fac?.stop(); await chain?.stop(); await pg?.destroy();
  for (const d of [media, ...cleanup]) if (d) rmSync(d, { recursive: true, force: true });
});

const balance = () => chain.balanceOf(chain.accounts.payTo.address);
const work = async (prompt) => (await fakes.requests()).filter((q) => q.body?.prompt === prompt).length;
const nonceOf = (hdr) => decodePaymentSignatureHeader(hdr).payload.authorization.nonce.toLowerCase();
const rowOf = (nonce) => pg.query(DBNAME, `SELECT state, tx FROM payments WHERE nonce = '${nonce}'`)[0];
const post = (url, headers, body) => fetch(url + PATH, { method: 'POST', headers: { ...JSONH, ...headers }, body: JSON.stringify(body) });

// A payment for one request, signed by the official client from the 402
// the balancer's host gave.
async function paymentFor(body, key) {
  const r = await post(lb.url, {}, body);
  assert.equal(r.status, 402);
  const core = makeClient(key);
  const h = new x402HTTPClient(core);
  const required = h.getPaymentRequiredResponse((n) => r.headers.get(n), await r.json());
  assert.equal(required.resource.url, lb.url + PATH, 'the 402 names the balancer, not a host');
  const payload = await core.createPaymentPayload(required);
  return { headers: h.encodePaymentSignatureHeader(payload), amount: BigInt(required.accepts[0].amount) };
}

function ctl(args, env) {
  return new Promise((resolve) => execFile(join(BUILD, 'bin/synthforge-ctl'), args,
    { env: { ...process.env, ...env } }, (e, stdout, stderr) => resolve({ code: e ? e.code : 0, stdout, stderr })));
}

test('both hosts share one schema, created once', () => {
  const v = pg.query(DBNAME, "SELECT version FROM synthforge_schema WHERE component = 'ledger'");
  assert.equal(v.length, 1);
  assert.ok(v[0].version >= 1);
});

test('20 parallel copies of one payment over both hosts: one piece of work, one transfer', async () => {
  const body = { prompt: 'scaleout twenty copies' };
  const { headers, amount } = await paymentFor(body);
  const b0 = await balance();
  const rs = await Promise.all(Array.from({ length: 20 }, (_, i) => post(i % 2 ? A.url : B.url, headers, body)
    .then(async (r) => ({ status: r.status, text: await r.text(), pr: r.headers.get('payment-response') }))));
  const ok = rs.filter((r) => r.status === 200);
  assert.ok(ok.length >= 1, rs.map((r) => r.status).join(','));
  for (const r of rs.filter((x) => x.status !== 200)) {
    assert.equal(r.status, 409, r.text);
    assert.match(JSON.parse(r.text).error.code, /^payment_in_progress$/);
  }
  assert.equal(new Set(ok.map((r) => r.text)).size, 1, 'every 200 carries the same result');
  assert.equal(new Set(ok.map((r) => decodeB64Json(r.pr).transaction)).size, 1, 'one transaction named');
  assert.equal((await balance()) - b0, amount, 'one transfer');
  assert.equal(await work(body.prompt), 1, 'one piece of work at the upstream');
  assert.equal(rowOf(nonceOf(headers['PAYMENT-SIGNATURE'])).state, 'settled');
});

test('a result stored by one host is served by the other on replay, media included', async () => {
  const body = { prompt: 'scaleout replay across hosts' };
  const { headers, amount } = await paymentFor(body);
  const b0 = await balance();
  const r1 = await post(A.url, headers, body);
  assert.equal(r1.status, 200, await r1.clone().text());
  const t1 = await r1.text();
  const r2 = await post(B.url, headers, body);
  assert.equal(r2.status, 200);
  assert.equal(await r2.text(), t1);
  assert.equal(decodeB64Json(r2.headers.get('payment-response')).transaction,
    decodeB64Json(r1.headers.get('payment-response')).transaction);
  const r3 = await post(B.url, headers, { prompt: 'another request' });
  assert.equal(r3.status, 409);
  assert.equal((await r3.json()).error.code, 'payment_already_used');
  assert.equal((await balance()) - b0, amount);
  assert.equal(await work(body.prompt), 1);
  // The media URL is the balancer's, and either host serves the file.
  const url = JSON.parse(t1).image_url;
  assert.ok(url.startsWith(`${lb.url}/media/`), url);
  const path = url.slice(lb.url.length);
  for (const h of [A, B]) {
    const m = await fetch(h.url + path);
    assert.equal(m.status, 200, `${h.url}${path}`);
    assert.match(m.headers.get('content-type'), /^image\//);
  }
});

test('a host killed between work and settlement: settle-pending on both hosts at once settles it once', async () => {
  const body = { prompt: 'scaleout killed host' };
  const { headers, amount } = await paymentFor(body);
  const nonce = nonceOf(headers['PAYMENT-SIGNATURE']);
  const b0 = await balance();
  fac.setMode('stall', 4000);
  const inflight = post(A.url, headers, body).then((r) => r.status, () => 'error');
  for (let i = 0; i < 200 && rowOf(nonce)?.state !== 'delivered'; i++) await new Promise((r) => setTimeout(r, 50));
  assert.equal(rowOf(nonce).state, 'delivered');
  // Kill host A's image_generate processes only (B runs the same binary).
  const lighttpd = execFileSync('pgrep', ['-f', `${A.run}/lighttpd.conf`]).toString().trim().split('\n')[0];
  assert.match(lighttpd, /^\d+$/);
  spawnSync('pkill', ['-9', '-P', lighttpd, '-f', join(BUILD, 'fcgi/image_generate') + '$']);
  await inflight;
  await new Promise((r) => setTimeout(r, 4500)); // the stalled settle is abandoned
  fac.setMode('ok');
  assert.equal(await balance(), b0, 'nothing settled by the dead process');
  assert.equal(rowOf(nonce).state, 'delivered');
  const env = { DB: pg.uri(DBNAME), SETTLE: 'facilitator', FACILITATOR_URL: fac.url, RPC_URL: chain.rpc };
  const [ca, cb] = await Promise.all([ctl(['settle-pending', '--min-age', '0'], env), ctl(['settle-pending', '--min-age', '0'], env)]);
  assert.equal(ca.code, 0, ca.stdout + ca.stderr);
  assert.equal(cb.code, 0, cb.stdout + cb.stderr);
  const settled = (ca.stdout + cb.stdout).split('\n').filter((l) => l.startsWith('settled\t'));
  assert.equal(settled.length, 1, ca.stdout + cb.stdout);
  assert.equal((await balance()) - b0, amount, 'one transfer');
  assert.equal(rowOf(nonce).state, 'settled');
  // The caller retrying through the other host gets the stored result.
  const r = await post(B.url, headers, body);
  assert.equal(r.status, 200);
  assert.ok((await r.json()).image_url);
  assert.equal(await work(body.prompt), 1);
});

test('a payer funded for one call, distinct payments to both hosts at once: one piece of work, one transfer', async () => {
  const tag = 'scaleout funded once';
  const price = (await paymentFor({ prompt: `${tag} 0` })).amount;
  // A fresh wallet holding exactly one call's price.
  const key = generatePrivateKey();
  const h = await chain.wallet(chain.accounts.deployer).writeContract({ address: chain.token, abi: chain.abi,
    functionName: 'mint', args: [privateKeyToAccount(key).address, price] });
  await chain.pub.waitForTransactionReceipt({ hash: h, pollingInterval: 50 });
  const pays = [];
  for (let i = 0; i < 8; i++) pays.push(await paymentFor({ prompt: `${tag} ${i}` }, key));
  const b0 = await balance();
  const rs = await Promise.all(pays.map((p, i) => post(i % 2 ? A.url : B.url, p.headers, { prompt: `${tag} ${i}` })
    .then(async (r) => ({ status: r.status, body: await r.json().catch(() => null) }))));
  let calls = 0;
  for (let i = 0; i < 8; i++) calls += await work(`${tag} ${i}`);
  assert.ok(calls <= 1, `${calls} pieces of work at the upstream`);
  assert.equal(rs.filter((r) => r.status === 200).length, 1, rs.map((r) => r.status).join(','));
  for (const r of rs.filter((x) => x.status !== 200)) {
    assert.ok(r.status === 402 || r.status === 429, `status ${r.status} ${JSON.stringify(r.body)}`);
    // Refused as unable to pay: by the balance read, or, when the one
    // payment settled between that read and the transfer's simulation,
    // by the simulation.
    if (r.status === 402) assert.match(r.body.error, /insufficient_balance$|transaction_simulation_failed$/);
  }
  assert.equal((await balance()) - b0, price, 'exactly one transfer');
});

test('the demo budget holds across the two hosts', async () => {
  const rs = await Promise.all(Array.from({ length: 8 }, (_, i) =>
    fetch(`${i % 2 ? A.url : B.url}/api/generate?demo=true`).then(async (r) => ({ status: r.status, body: await r.json() }))));
  const ok = rs.filter((r) => r.status === 200);
  assert.equal(ok.length, 4, rs.map((r) => r.status).join(','));
  for (const r of rs.filter((x) => x.status !== 200)) {
    assert.equal(r.status, 429);
    assert.equal(r.body.error.code, 'demo_busy');
  }
  assert.equal(pg.query(DBNAME, 'SELECT count(*) AS n FROM demo_hits')[0].n, 4);
});

test('the database away: 503 ledger_unavailable before any work, /healthz says so; back: served', async () => {
  const body = { prompt: 'scaleout database away' };
  const { headers, amount } = await paymentFor(body);
  const b0 = await balance();
  await pg.stop();
  try {
    for (const h of [A, B]) {
      const r = await post(h.url, headers, body);
      assert.equal(r.status, 503);
      assert.equal((await r.json()).error.code, 'ledger_unavailable');
      const hz = await fetch(`${h.url}/healthz`);
      assert.equal(hz.status, 503);
      const j = await hz.json();
      assert.equal(j.checks.ledger.ok, false);
      assert.equal(j.checks.ledger.backend, 'postgresql');
      assert.equal(j.checks.ledger.code, 'ledger_unavailable');
    }
    assert.equal(await work(body.prompt), 0, 'no work without the ledger');
    assert.equal(await balance(), b0, 'nothing charged');
  } finally { await pg.start(); }
  // The pools reconnect by themselves: a client retrying after the 503
  // (as the answer says) is served once the database answers again.
  let r;
  for (let i = 0; i < 100; i++) {
    r = await post(A.url, headers, body);
    if (r.status !== 503) break;
    assert.equal((await r.json()).error.code, 'ledger_unavailable');
    await new Promise((res) => setTimeout(res, 100));
  }
  assert.equal(r.status, 200, await r.clone().text());
  assert.equal((await balance()) - b0, amount);
  assert.equal(await work(body.prompt), 1);
  // A host whose last connect failed answers from that failure for
  // PGPOOL_BACKOFF_MS (no connect storm on a database that is down), so
  // its /healthz may need that long to see the database back.
  for (const h of [A, B]) {
    let j;
    for (let i = 0; i < 30; i++) {
      j = await (await fetch(`${h.url}/healthz`)).json();
      if (j.checks.ledger.ok) break;
      await new Promise((res) => setTimeout(res, 100));
    }
    assert.equal(j.checks.ledger.ok, true, JSON.stringify(j.checks.ledger));
  }
});

test('synthforge-ctl migrate copies a SQLite ledger into PostgreSQL, once', async () => {
  // A single host's SQLite ledger with a settled payment, made by the product.
  const single = await startServer({ conf: {
    NETWORKS: 'base-sepolia', ASSET: chain.token, ASSET_NAME: 'USD Coin', ASSET_VERSION: '2',
    PAY_TO: chain.accounts.payTo.address, FACILITATOR_URL: fac.url, RPC_URL: chain.rpc, URL_ALLOW: 'localhost' }, env: fakes.env });
  let headers, body = { prompt: 'scaleout migrated' }, text;
  try {
    const r0 = await post(single.url, {}, body);
    const core = makeClient();
    const h = new x402HTTPClient(core);
    headers = h.encodePaymentSignatureHeader(await core.createPaymentPayload(h.getPaymentRequiredResponse((n) => r0.headers.get(n), await r0.json())));
    const r = await post(single.url, headers, body);
    assert.equal(r.status, 200);
    text = await r.text();
  } finally { await single.stop(); }
  const env = { DB: pg.uri(DBNAME) };
  let m = await ctl(['migrate', '--from', join(single.dir, 'ledger.db')], env);
  assert.equal(m.code, 0, m.stdout + m.stderr);
  assert.match(m.stdout, /^migrated\t1 copied\t0 already there\tsqlite -> postgresql$/m);
  m = await ctl(['migrate', '--from', join(single.dir, 'ledger.db')], env);
  assert.match(m.stdout, /^migrated\t0 copied\t1 already there/m);
  const nonce = nonceOf(headers['PAYMENT-SIGNATURE']);
  const [row] = pg.query(DBNAME, `SELECT state, tx, convert_from(result, 'UTF8') AS result FROM payments WHERE nonce = '${nonce}'`);
  assert.equal(row.state, 'settled');
  assert.match(row.tx, /^0x[0-9a-f]{64}$/);
  assert.equal(row.result, text, 'the stored result, byte for byte');
});

// Jobs across hosts (issue 25): the job lives in the shared ledger, not in
// a thread.  Submitted on A, polled on B; A is then lost mid-job (every
// process of it killed), and B takes the job over once A's lease lapses,
// resuming the upstream job A submitted: one submit, one transfer.
test('a job submitted on one host is polled on the other; the first host lost mid-job, the other finishes it', async () => {
  const VIDEO = '/v1/text-to-video';
  const body = { prompt: 'scaleout job FAKE:takes6s', duration: 5 };
  const r0 = await fetch(A.url + VIDEO, { method: 'POST', headers: JSONH, body: JSON.stringify(body) });
  assert.equal(r0.status, 402);
  const core = makeClient();
  const h = new x402HTTPClient(core);
  const headers = h.encodePaymentSignatureHeader(await core.createPaymentPayload(h.getPaymentRequiredResponse((n) => r0.headers.get(n), await r0.json())));
  const b0 = await balance();
  const r = await fetch(A.url + VIDEO, { method: 'POST', headers: { ...JSONH, ...headers }, body: JSON.stringify(body) });
  assert.equal(r.status, 202, await r.clone().text());
  const job = await r.json();
  assert.ok(job.status_url.startsWith(`${lb.url}/v1/jobs/`), 'the link names the balancer');
  const onB = B.url + new URL(job.status_url).pathname + new URL(job.status_url).search;
  let j;
  for (let i = 0; i < 100; i++) {
    j = await (await fetch(onB)).json();
    if (j.status === 'running' && j.progress) break;
    await new Promise((res) => setTimeout(res, 200));
  }
  assert.equal(j.status, 'running', 'B reads the job A runs');
  const [row] = pg.query(DBNAME, `SELECT upstream, lease_owner FROM jobs WHERE id = '${job.id}'`);
  assert.match(row.upstream, /"provider":"fal"/);
  // Lose host A: every process of it, at once.
  const lighttpd = execFileSync('pgrep', ['-f', `${A.run}/lighttpd.conf`]).toString().trim().split('\n')[0];
  assert.match(lighttpd, /^\d+$/);
  // Stopped first, so it cannot start a child again between the two
  // kills (one it respawned would outlive the test as an orphan).
  process.kill(Number(lighttpd), 'SIGSTOP');
  spawnSync('pkill', ['-9', '-P', lighttpd]);
  process.kill(Number(lighttpd), 'SIGKILL');
  for (let i = 0; i < 300; i++) {
    j = await (await fetch(onB)).json();
    if (!['queued', 'running'].includes(j.status)) break;
    await new Promise((res) => setTimeout(res, 200));
  }
  assert.equal(j.status, 'succeeded', JSON.stringify(j));
  const [after] = pg.query(DBNAME, `SELECT attempts FROM jobs WHERE id = '${job.id}'`);
  assert.ok(Number(after.attempts) >= 2, 'taken over');
  assert.equal(await work(body.prompt), 1, 'one upstream submit');
  assert.equal((await balance()) - b0, BigInt(job.payment.amount), 'one transfer');
  assert.equal(rowOf(nonceOf(headers['PAYMENT-SIGNATURE'])).state, 'settled');
});

