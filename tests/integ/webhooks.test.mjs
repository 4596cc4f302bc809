// Webhook deliveries of jobs (issue 25), the queue and pump alone (a real
// job's deliveries are in jobs.test.mjs): tests/drivers/webhook_driver queues a job's state changes and runs
// the pump as a runner thread does; a real HTTP receiver here verifies every
// delivery with the official `standardwebhooks` package (Webhook.verify,
// the job's own secret), fails the first attempts (a 500, then a 503 with
// Retry-After) and gets the delivery later under the same webhook-id; a
// 410 stops the deliveries; `synthforge-ctl webhooks` lists them without
// their secrets and queues one again.  Through lighttpd: a webhook_url on a
// private address is refused before the 402 on every endpoint, and http is
// refused where the server takes mainnet payments.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { spawn, execFile, execFileSync } from 'node:child_process';
import { promisify } from 'node:util';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Webhook } from 'standardwebhooks';
import { startServer, endpoints, decodeB64Json, BUILD } from '../lib/server.mjs';
import { startFakes } from '../lib/fakes.mjs';

const DRIVER = join(BUILD, 'tests/webhook_driver');
const CTL = join(BUILD, 'bin/synthforge-ctl');
const dir = mkdtempSync(join(tmpdir(), 'sf-webhooks-'));
const DB = join(dir, 'ledger.db');
// The driver's and ctl's configuration: the receiver on localhost, quick
// retries.  Nothing else leaks in from the environment.
const ENV = {
  PATH: process.env.PATH, SYNTHFORGE_CONFIG: join(dir, 'none.conf'),
  SYNTHFORGE_URL_ALLOW: 'localhost', SYNTHFORGE_WEBHOOK_BACKOFF_MS: '100', SYNTHFORGE_WEBHOOK_TIMEOUT_MS: '3000',
};

const run = (bin, args, input) => execFileSync(bin, args, { env: ENV, input, encoding: 'utf8' });
// For a program that sends to the receiver here: the event loop must run.
const runAsync = async (bin, args) => (await promisify(execFile)(bin, args, { env: ENV, encoding: 'utf8' })).stdout;

// --- the receiver ------------------------------------------------------------

// path -> { secret, answers: [[status, headers]...] (the last repeats) }
const routes = new Map();
const hits = [];	// { path, at, id, ts, body, verified, error, status }
let recv, recvPort;

function startReceiver() {
  recv = http.createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const path = req.url.split('?')[0];
      const r = routes.get(path);
      const body = Buffer.concat(chunks).toString('utf8');
      const hit = { path, at: Date.now(), method: req.method, ctype: req.headers['content-type'],
        id: req.headers['webhook-id'], ts: req.headers['webhook-timestamp'], body, query: req.url.split('?')[1] };
      try {
        hit.verified = new Webhook(r.secret).verify(body, req.headers);
      } catch (e) { hit.error = e.message; }
      const [status, headers] = r.answers.length > 1 ? r.answers.shift() : r.answers[0];
      hit.status = status;
      hits.push(hit);
      res.writeHead(status, headers || {});
      res.end(status < 300 ? 'ok' : 'no');
    });
  });
  return new Promise((res) => recv.listen(0, '127.0.0.1', () => { recvPort = recv.address().port; res(); }));
}

const hitsOf = (path) => hits.filter((h) => h.path === path);
async function until(what, cond, ms = 15000) {
  const t0 = Date.now();
  while (!cond()) {
    if (Date.now() - t0 > ms) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

// A job with its own secret and receiver path.
function job(path, answers) {
  const secret = run(DRIVER, ['secret']).trim();
  routes.set(path, { secret, answers });
  return secret;
}
const statusBody = (id, status, extra = {}) => JSON.stringify({ id, status, status_url: `https://x.example/v1/jobs/${id}`, ...extra });
function enqueue(jobId, event, path, secret, body, query = '') {
  return run(DRIVER, ['enqueue', DB, jobId, event, `http://localhost:${recvPort}${path}${query}`, secret], body).trim();
}

// The runner: the driver's pump loop, stopped once the test has what it
// waited for.
let runner, runnerOut = '', runnerErr = '';
function startRunner(seconds = 30) {
  runner = spawn(DRIVER, ['run', DB, String(seconds)], { env: ENV, stdio: ['ignore', 'pipe', 'pipe'] });
  runner.stdout.on('data', (d) => { runnerOut += d; });
  runner.stderr.on('data', (d) => { runnerErr += d; });
}
async function stopRunner() {
  if (!runner || runner.exitCode !== null || runner.signalCode !== null) return;
  const done = new Promise((r) => runner.once('exit', r));
  runner.kill('SIGTERM');
  const t = setTimeout(() => runner.kill('SIGKILL'), 5000);
  await done;
  clearTimeout(t);
}

before(startReceiver);
after(async () => {
  await stopRunner();
  recv.closeAllConnections();
  await new Promise((r) => recv.close(r));
  rmSync(dir, { recursive: true, force: true });
});

// --- deliveries -----------------------------------------------------------------

const secrets = {};

test('each state change is delivered once, verified by standardwebhooks', { timeout: 120000 }, async () => {
  secrets.steady = job('/steady', [[200]]);
  assert.match(secrets.steady, /^whsec_[A-Za-z0-9+/]{43}=$/);
  const running = statusBody('job_steady', 'running');
  const done = statusBody('job_steady', 'succeeded', { result: { image_url: 'https://x.example/media/a.png' } });
  assert.equal(enqueue('job_steady', 'running', '/steady', secrets.steady, running, '?token=s3cr3t-query'), 'new');
  assert.equal(enqueue('job_steady', 'succeeded', '/steady', secrets.steady, done), 'new');
  // The same state change recorded twice (a retry after a crash): once.
  assert.equal(enqueue('job_steady', 'running', '/steady', secrets.steady, running), 'existing');
  startRunner();
  await until('both deliveries', () => hitsOf('/steady').length >= 2);
  await new Promise((r) => setTimeout(r, 500));
  const got = hitsOf('/steady');
  assert.equal(got.length, 2, 'one delivery per state change, none twice');
  for (const h of got) {
    assert.equal(h.error, undefined, `Webhook.verify: ${h.error}`);
    assert.equal(h.method, 'POST');
    assert.equal(h.ctype, 'application/json');
    assert.match(h.id, /^msg_[A-Za-z0-9_-]{22}$/);
    assert.ok(Math.abs(Number(h.ts) - Date.now() / 1000) < 60, 'webhook-timestamp: the attempt\'s time');
  }
  assert.deepEqual(got.map((h) => h.verified.status).sort(), ['running', 'succeeded']);
  assert.equal(got.find((h) => h.verified.status === 'succeeded').body, done, 'the status body, byte for byte');
  assert.notEqual(got[0].id, got[1].id, 'each event its own webhook-id');
  assert.equal(got.find((h) => h.verified.status === 'running').query, 'token=s3cr3t-query', 'the URL as given, query too');
  // Another secret does not verify it: the signature is the job's.
  assert.throws(() => new Webhook(job('/other', [[200]])).verify(got[0].body,
    { 'webhook-id': got[0].id, 'webhook-timestamp': got[0].ts, 'webhook-signature': 'v1,AAAA' }));
});

test('a receiver that fails the first attempts (500, then 503 with Retry-After) gets the delivery later', { timeout: 120000 }, async () => {
  secrets.flaky = job('/flaky', [[500], [503, { 'Retry-After': '1' }], [200]]);
  const body = statusBody('job_flaky', 'succeeded');
  assert.equal(enqueue('job_flaky', 'succeeded', '/flaky', secrets.flaky, body), 'new');
  await until('the third attempt', () => hitsOf('/flaky').length >= 3);
  await new Promise((r) => setTimeout(r, 500));
  const got = hitsOf('/flaky');
  assert.equal(got.length, 3, 'delivered at the third attempt, not sent again');
  assert.deepEqual(got.map((h) => h.status), [500, 503, 200]);
  for (const h of got) assert.equal(h.error, undefined, `every attempt verifies: ${h.error}`);
  assert.ok(got.every((h) => h.id === got[0].id), 'the same webhook-id on every attempt');
  assert.ok(got[2].at - got[1].at >= 950, `Retry-After: 1 honoured (${got[2].at - got[1].at} ms; the backoff is 100-400 ms)`);
  assert.ok(got[1].at - got[0].at < 900, `the first retry after the backoff (${got[1].at - got[0].at} ms)`);
});

test('410 Gone stops the deliveries; synthforge-ctl lists them without secrets and queues one again', { timeout: 120000 }, async () => {
  secrets.gone = job('/gone', [[410], [200]]);
  assert.equal(enqueue('job_gone', 'failed', '/gone', secrets.gone, statusBody('job_gone', 'failed')), 'new');
  await until('the 410', () => hitsOf('/gone').length >= 1);
  await new Promise((r) => setTimeout(r, 1500));
  assert.equal(hitsOf('/gone').length, 1, 'no attempt after a 410');
  await stopRunner();

  const list = run(CTL, ['--db', DB, 'webhooks']);
  const rows = list.trim().split('\n').slice(1).map((l) => l.split('\t'));
  const row = (j, e) => rows.find((r) => r[1] === j && r[2] === e);
  assert.equal(row('job_steady', 'running')[3], 'delivered');
  assert.equal(row('job_flaky', 'succeeded')[3], 'delivered');
  assert.equal(row('job_flaky', 'succeeded')[4], '3', 'three attempts');
  assert.equal(row('job_gone', 'failed')[3], 'abandoned');
  assert.equal(row('job_gone', 'failed')[7], '410');
  assert.match(row('job_steady', 'running')[8], /\/steady\?…$/, 'the URL\'s query is not shown');
  for (const s of Object.values(secrets)) {
    assert.ok(!list.includes(s) && !list.includes(s.slice(6)), 'no secret in the listing');
    assert.ok(!runnerOut.includes(s.slice(6)) && !runnerErr.includes(s.slice(6)), 'no secret in what the runner wrote');
  }
  assert.ok(!list.includes('s3cr3t-query'));
  assert.equal(run(CTL, ['--db', DB, 'webhooks', '--state', 'abandoned']).trim().split('\n').length, 2, '--state filters');

  // The operator queues the abandoned one again; the receiver takes it now.
  const id = row('job_gone', 'failed')[0];
  assert.match(run(CTL, ['--db', DB, 'webhooks', 'retry', id]), /^queued/);
  assert.match(await runAsync(CTL, ['--db', DB, 'webhooks', 'send']), /^sent\t1\tdelivered\t1\t/);
  const again = hitsOf('/gone');
  assert.equal(again.length, 2);
  assert.equal(again[1].error, undefined, 'signed again with the job\'s secret, kept for this');
  assert.equal(again[1].id, again[0].id, 'the same webhook-id');
  // Delivered: its secret is gone, so it cannot be queued again.
  assert.throws(() => run(CTL, ['--db', DB, 'webhooks', 'retry', id]), (e) => e.status === 1);
});

// --- before the 402, through lighttpd ---------------------------------------------

const post = (srv, path, body) => fetch(srv.url + path, {
  method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body),
});

test('a webhook_url on a private address is refused before the 402, on every endpoint', { timeout: 120000 }, async () => {
  const srv = await startServer({ conf: { URL_ALLOW: 'localhost' } });
  try {
    const eps = endpoints();
    assert.ok(eps.length >= 15);
    for (const ep of eps) {
      assert.ok(ep.input.properties.webhook_url, `${ep.name}: takes webhook_url`);
      assert.ok(!(ep.url_inputs || []).includes('webhook_url'), `${ep.name}: webhook_url is not an input fetched`);
      for (const url of ['http://10.1.2.3/hook', 'http://127.0.0.1:9/hook', 'https://169.254.169.254/latest/meta-data']) {
        const body = { ...ep.example, webhook_url: url };
        for (const k of ep.url_inputs || []) if (k in body) body[k] = `http://localhost:9/${k}.png`;
        const r = await post(srv, ep.path, body);
        const j = await r.json();
        assert.equal(r.status, 400, `${ep.name} ${url}: ${JSON.stringify(j)}`);
        assert.equal(j.error.code, 'url_refused');
        assert.equal(j.error.field, 'webhook_url');
        assert.equal(r.headers.get('payment-required'), null, 'no 402, nothing asked');
      }
    }
    let r = await post(srv, '/v1/image-generate', { prompt: 'x', webhook_url: 'not a url' });
    assert.equal(r.status, 400);
    assert.equal((await r.json()).error.field, 'webhook_url');
    // A public (here: allowed) receiver is taken, over http on testnets.
    r = await post(srv, '/v1/image-generate', { prompt: 'x', webhook_url: `http://localhost:${recvPort}/hook` });
    assert.equal(r.status, 402, await r.text());
    assert.ok(decodeB64Json(r.headers.get('payment-required')).accepts.length >= 1);
    assert.equal(hitsOf('/hook').length, 0, 'the webhook is not fetched before any job');
  } finally { await srv.stop(); }
});

test('on a mainnet the webhook must be https', { timeout: 120000 }, async () => {
  // The providers' fakes: a mainnet route needs its key (no offline there).
  const fakes = await startFakes();
  const srv = await startServer({ conf: { NETWORKS: 'base-sepolia,polygon', RPC_URL_137: 'http://127.0.0.1:9', URL_ALLOW: 'localhost' },
    env: fakes.env });
  try {
    let r = await post(srv, '/v1/image-generate', { prompt: 'x', webhook_url: `http://localhost:${recvPort}/hook` });
    const j = await r.json();
    assert.equal(r.status, 400, JSON.stringify(j));
    assert.equal(j.error.code, 'url_refused');
    assert.equal(j.error.field, 'webhook_url');
    assert.match(j.error.message, /https:\/\/.*mainnet/);
    r = await post(srv, '/v1/image-generate', { prompt: 'x', webhook_url: `https://localhost:${recvPort}/hook` });
    assert.equal(r.status, 402, `https is taken: ${await r.text()}`);
  } finally { await srv.stop(); await fakes.stop(); }
});
