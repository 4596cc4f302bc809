// Jobs (issue 25) end to end: anvil + the EIP-3009 test token, a
// facilitator on the official @x402 packages, lighttpd with every endpoint
// and sf-jobs, the fake providers, and the official @x402/fetch client.
// A paid call that runs as a job answers 202 with a status link; polling
// it is free; the payment is settled only when the job succeeds.  Every
// case reads the money on the chain and counts the upstream submits at
// the fake.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import { join } from 'node:path';
import { x402HTTPClient } from '@x402/fetch';
import { decodePaymentSignatureHeader } from '@x402/core/http';
import { startChain, KEYS } from '../lib/chain.mjs';
import { startFacilitator } from '../lib/facilitator.mjs';
import { startFakes } from '../lib/fakes.mjs';
import { startServer, decodeB64Json, BUILD } from '../lib/server.mjs';
import { pay, makeClient } from '../lib/pay.mjs';
import { Webhook } from 'standardwebhooks';
import { createSIWxClientHook } from '@x402/extensions/sign-in-with-x';
import { privateKeyToAccount } from 'viem/accounts';

const JSONH = { 'content-type': 'application/json' };
const VIDEO = '/v1/text-to-video';
const IMAGE = '/v1/image-generate';
let chain, fac, fakes, srv, idle;

function conf(extra = {}) {
  return {
    NETWORKS: 'base-sepolia', ASSET: chain.token, ASSET_NAME: 'USD Coin', ASSET_VERSION: '2',
    PAY_TO: chain.accounts.payTo.address, FACILITATOR_URL: fac.url, RPC_URL: chain.rpc, URL_ALLOW: 'localhost',
    SETTLE_RETRY: '5', JOB_SCAN_SECONDS: '1', JOB_LEASE_SECONDS: '6', MAX_INFLIGHT_PER_PAYER: '50',
    WEBHOOK_BACKOFF_MS: '300', WEBHOOK_TIMEOUT_MS: '3000', ...extra,
  };
}

before(async () => {
  chain = await startChain();
  fac = await startFacilitator({ rpc: chain.rpc });
  fakes = await startFakes();
  srv = await startServer({ conf: conf(), env: fakes.env });
});
after(async () => {
  await srv?.stop(); await idle?.stop(); await fakes?.stop(); await fac?.stop(); await chain?.stop();
});

const balance = () => chain.balanceOf(chain.accounts.payTo.address);
const nonceOf = (hdr) => decodePaymentSignatureHeader(hdr).payload.authorization.nonce.toLowerCase();
const submits = async (prompt) => (await fakes.requests()).filter((q) => q.method === 'POST' && q.body?.prompt === prompt).length;
const ledger = (s, sql) => JSON.parse(execFileSync('sqlite3', ['-json', join(s.dir, 'ledger.db'), sql]).toString() || '[]');
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// A signed payment for one request, from the 402 the server gives.
async function paymentFor(s, path, body, { key = KEYS.payer, headers = {}, id } = {}) {
  const r = await fetch(s.url + path, { method: 'POST', headers: { ...JSONH, ...headers }, body: JSON.stringify(body) });
  assert.equal(r.status, 402, await r.clone().text());
  const core = makeClient(key);
  const h = new x402HTTPClient(core);
  const required = h.getPaymentRequiredResponse((n) => r.headers.get(n), await r.json());
  const payload = await core.createPaymentPayload(required);
  if (id) payload.extensions = { ...(payload.extensions || {}), 'payment-identifier': { info: { id } } };
  return { headers: h.encodePaymentSignatureHeader(payload), amount: BigInt(required.accepts[0].amount), required, payload };
}

const post = (s, path, body, headers = {}) => fetch(s.url + path,
  { method: 'POST', headers: { ...JSONH, ...headers }, body: JSON.stringify(body) });

// Poll a status URL until the job ends (or ms pass).
async function until(url, ms = 30000, pred = (j) => ['succeeded', 'failed', 'cancelled'].includes(j.status)) {
  const t0 = Date.now();
  for (;;) {
    const r = await fetch(url);
    const j = await r.json();
    assert.equal(r.status, 200, JSON.stringify(j));
    if (pred(j)) return { r, j };
    if (Date.now() - t0 > ms) throw new Error(`job still ${j.status} after ${ms} ms: ${JSON.stringify(j)}`);
    await sleep(200);
  }
}

test('the official client pays a video submit with Prefer: respond-async: 202, then the status URL gives the result; one transfer, one upstream submit', async () => {
  const body = { prompt: 'jobs: a fox in the snow', duration: 5 };
  const b0 = await balance();
  const r = await pay(srv.url + VIDEO, { method: 'POST', headers: { ...JSONH, Prefer: 'respond-async' }, body });
  assert.equal(r.status, 202, r.text);
  assert.equal(r.headers['preference-applied'], 'respond-async');
  assert.ok(Number(r.headers['retry-after']) >= 1);
  const job = r.body;
  assert.equal(job.object, 'job');
  assert.match(job.id, /^job_[0-9a-f]{32}$/);
  assert.ok(['queued', 'running'].includes(job.status), job.status);
  assert.equal(job.endpoint, 'text-to-video');
  assert.equal(r.headers.location, job.status_url);
  assert.match(job.status_url, new RegExp(`^${srv.url}/v1/jobs/${job.id}\\?token=[A-Za-z0-9_-]{43}$`));
  assert.equal(job.payment.charged, false);
  assert.equal(job.payment.transaction, null);
  assert.match(job.payment.terms, /settled only when the job succeeds/);
  assert.equal(r.paymentResponse, null, 'nothing settled at submit');
  const { j } = await until(job.status_url);
  assert.equal(j.status, 'succeeded', JSON.stringify(j));
  assert.match(j.result.video_url, new RegExp(`^${srv.url}/media/`));
  assert.equal(j.settlement.success, true);
  assert.match(j.settlement.transaction, /^0x[0-9a-f]{64}$/);
  assert.equal(j.settlement.network, 'eip155:84532');
  assert.equal(j.payment.charged, true);
  assert.equal(j.retry_after, undefined, 'no Retry-After once over');
  assert.equal((await balance()) - b0, BigInt(job.payment.amount), 'exactly one transfer of the price');
  assert.equal(await submits(body.prompt), 1, 'one upstream submit');
  const m = await fetch(j.result.video_url);
  assert.equal(m.status, 200);
  const [row] = ledger(srv, `select state, tx from payments where nonce='${nonceOf(r.sent[1]['payment-signature'])}'`);
  assert.deepEqual(row, { state: 'settled', tx: j.settlement.transaction });
});

test('video runs as a job by default; Prefer: wait asks for the synchronous answer', async () => {
  const b0 = await balance();
  const a = await pay(srv.url + VIDEO, { method: 'POST', headers: JSONH, body: { prompt: 'jobs: default async' } });
  assert.equal(a.status, 202, a.text);
  assert.equal(a.headers['preference-applied'], undefined, 'nothing was preferred');
  await until(a.body.status_url);
  const w = await pay(srv.url + VIDEO, { method: 'POST', headers: { ...JSONH, Prefer: 'wait' }, body: { prompt: 'jobs: wait please' } });
  assert.equal(w.status, 200, w.text);
  assert.match(w.body.video_url, /\/media\//);
  assert.equal(w.paymentResponse.success, true);
  assert.equal((await balance()) - b0, 2n * BigInt(a.body.payment.amount));
});

test('an image endpoint answers synchronously unless asked: Prefer: respond-async makes it a job', async () => {
  const s = await pay(srv.url + IMAGE, { method: 'POST', headers: JSONH, body: { prompt: 'jobs: sync image' } });
  assert.equal(s.status, 200, s.text);
  const a = await pay(srv.url + IMAGE, { method: 'POST', headers: { ...JSONH, Prefer: 'respond-async, wait=5' }, body: { prompt: 'jobs: async image' } });
  assert.equal(a.status, 202, a.text);
  const { j } = await until(a.body.status_url);
  assert.equal(j.status, 'succeeded');
  assert.match(j.result.image_url, /\/media\//);
});

test('the 402 of a job says so: 202 and a status URL, settled only when it succeeds', async () => {
  const r = await post(srv, VIDEO, { prompt: 'jobs: the 402' });
  assert.equal(r.status, 402);
  const pr = decodeB64Json(r.headers.get('payment-required'));
  assert.match(pr.resource.description, /Runs as a job: the paid call answers 202 Accepted with a status URL/);
  assert.match(pr.resource.description, /settled only when the job succeeds/);
  const w = await post(srv, VIDEO, { prompt: 'jobs: the 402' }, { Prefer: 'wait' });
  assert.doesNotMatch(decodeB64Json(w.headers.get('payment-required')).resource.description, /Runs as a job/);
});

test('upstream fails: the job says failed, not charged; balance unchanged, authorization unused', async () => {
  const body = { prompt: 'jobs: FAKE:5xx broken', duration: 5 };
  const { headers } = await paymentFor(srv, VIDEO, body);
  const b0 = await balance();
  const r = await post(srv, VIDEO, body, headers);
  assert.equal(r.status, 202, await r.clone().text());
  const { j } = await until((await r.json()).status_url);
  assert.equal(j.status, 'failed', JSON.stringify(j));
  assert.match(j.error.message, /not charged/);
  assert.equal(j.payment.charged, false);
  assert.equal(j.result, undefined);
  assert.equal(await balance(), b0);
  assert.equal(await chain.authorizationState(chain.accounts.payer.address, nonceOf(headers['PAYMENT-SIGNATURE'])), false);
});

test('a status link is the only key: a wrong token and an unknown id are the same 404; no token asks to sign in', async () => {
  const r = await pay(srv.url + IMAGE, { method: 'POST', headers: { ...JSONH, Prefer: 'respond-async' }, body: { prompt: 'jobs: links' } });
  assert.equal(r.status, 202, r.text);
  const u = new URL(r.body.status_url);
  const bad = await fetch(`${srv.url}${u.pathname}?token=${'A'.repeat(43)}`);
  assert.equal(bad.status, 404);
  assert.equal((await bad.json()).error.code, 'job_not_found');
  const none = await fetch(`${srv.url}/v1/jobs/job_${'0'.repeat(32)}?token=${u.searchParams.get('token')}`);
  assert.equal(none.status, 404);
  assert.equal((await none.json()).error.code, 'job_not_found');
  const anon = await fetch(`${srv.url}${u.pathname}`);
  assert.ok([402, 503].includes(anon.status), String(anon.status));
  await until(r.body.status_url);
});

test('the same payment sent again is the same job (a new link that works); the same payment-identifier from the same payer too, its new payment never used; another body: 409', async () => {
  const body = { prompt: 'jobs: idempotent FAKE:takes3s', duration: 5 };
  const id = `pay_jobs_${Date.now()}_abcdef`;
  const p1 = await paymentFor(srv, VIDEO, body, { id });
  const b0 = await balance();
  const r1 = await post(srv, VIDEO, body, p1.headers);
  assert.equal(r1.status, 202, await r1.clone().text());
  const j1 = await r1.json();
  const r2 = await post(srv, VIDEO, body, p1.headers);
  assert.equal(r2.status, 202);
  const j2 = await r2.json();
  assert.equal(j2.id, j1.id, 'same job');
  assert.notEqual(j2.status_url, j1.status_url, 'a new link');
  // Another payment under the same payment-identifier, same request.
  const p3 = await paymentFor(srv, VIDEO, body, { id });
  const r3 = await post(srv, VIDEO, body, p3.headers);
  assert.equal(r3.status, 202, await r3.clone().text());
  assert.equal((await r3.json()).id, j1.id, 'same job by payment-identifier');
  // Another body with either: 409.
  const r4 = await post(srv, VIDEO, { ...body, prompt: 'jobs: another body' }, p1.headers);
  assert.equal(r4.status, 409);
  assert.equal((await r4.json()).error.code, 'payment_already_used');
  const p5 = await paymentFor(srv, VIDEO, { ...body, prompt: 'jobs: other body, same id' }, { id });
  const r5 = await post(srv, VIDEO, { ...body, prompt: 'jobs: other body, same id' }, p5.headers);
  assert.equal(r5.status, 409);
  assert.equal((await r5.json()).error.code, 'payment_identifier_reused');
  for (const u of [j1.status_url, j2.status_url]) assert.equal((await fetch(u)).status, 200, 'both links work');
  const { j } = await until(j2.status_url);
  assert.equal(j.status, 'succeeded');
  // Done: the same payment again gets the result itself.
  const r6 = await post(srv, VIDEO, body, p1.headers);
  assert.equal(r6.status, 200);
  assert.equal((await r6.json()).video_url, j.result.video_url);
  assert.equal(decodeB64Json(r6.headers.get('payment-response')).transaction, j.settlement.transaction);
  assert.equal((await balance()) - b0, p1.amount, 'one transfer');
  assert.equal(await chain.authorizationState(chain.accounts.payer.address, nonceOf(p3.headers['PAYMENT-SIGNATURE'])), false, 'the second payment unused');
  assert.equal(await submits(body.prompt), 1, 'one upstream submit');
});

test('polling is rate-limited per client address: 429 with Retry-After', async () => {
  const s = await startServer({ conf: conf({ JOB_POLLS_PER_MINUTE: '3' }), env: fakes.env });
  try {
    const codes = [];
    for (let i = 0; i < 5; i++) codes.push((await fetch(`${s.url}/v1/jobs/job_${'1'.repeat(32)}?token=${'B'.repeat(43)}`)).status);
    assert.deepEqual(codes.slice(0, 3), [404, 404, 404]);
    assert.equal(codes[3], 429);
    const r = await fetch(`${s.url}/v1/jobs/job_${'1'.repeat(32)}?token=${'B'.repeat(43)}`);
    assert.equal(r.status, 429);
    assert.ok(Number(r.headers.get('retry-after')) >= 1);
    assert.equal((await r.json()).error.code, 'too_many_requests');
  } finally { await s.stop(); }
});

// A server whose processes record jobs but run none (JOB_RUNNERS=0), and
// no sf-jobs runner either: the jobs wait for synthforge-ctl jobs run.
function ctl(s, args, env = {}) {
  return new Promise((resolve) => execFile(join(BUILD, 'bin/synthforge-ctl'), args,
    { env: { ...process.env, ...s.env, DB: join(s.dir, 'ledger.db'), ...env } },
    (e, stdout, stderr) => resolve({ code: e ? e.code : 0, stdout, stderr })));
}

test('cancel before a runner took it: cancelled, nothing charged, no upstream call', async () => {
  idle = idle || await startServer({ conf: conf({ JOB_RUNNERS: '0' }), env: fakes.env });
  const body = { prompt: 'jobs: cancel me while queued', duration: 5 };
  const { headers } = await paymentFor(idle, VIDEO, body);
  const b0 = await balance();
  const r = await post(idle, VIDEO, body, headers);
  assert.equal(r.status, 202, await r.clone().text());
  const job = await r.json();
  assert.equal(job.status, 'queued');
  const d = await fetch(job.status_url, { method: 'DELETE' });
  assert.equal(d.status, 200, await d.clone().text());
  const dj = await d.json();
  assert.equal(dj.status, 'cancelled');
  assert.match(dj.error.message, /not charged/);
  const again = await fetch(job.status_url, { method: 'DELETE' });
  assert.equal(again.status, 200, 'cancelling twice is fine');
  const ran = await ctl(idle, ['jobs', 'run']);
  assert.equal(ran.code, 0, ran.stderr);
  assert.equal((await (await fetch(job.status_url)).json()).status, 'cancelled');
  assert.equal(await balance(), b0);
  assert.equal(await submits(body.prompt), 0);
  assert.equal(await chain.authorizationState(chain.accounts.payer.address, nonceOf(headers['PAYMENT-SIGNATURE'])), false);
});

test('a job that would outrun its payment (validBefore) is not started and not charged', async () => {
  idle = idle || await startServer({ conf: conf({ JOB_RUNNERS: '0' }), env: fakes.env });
  const body = { prompt: 'jobs: too late to run', duration: 5 };
  const { headers, required } = await paymentFor(idle, VIDEO, body);
  const b0 = await balance();
  const r = await post(idle, VIDEO, body, headers);
  assert.equal(r.status, 202, await r.clone().text());
  const job = await r.json();
  // A runner whose clock says the payment has less left than the work
  // needs (libfaketime): it must not start it.
  const ahead = required.accepts[0].maxTimeoutSeconds - 300 + 30;
  const ran = await ctl(idle, ['jobs', 'run', '--once'], {
    LD_PRELOAD: '/usr/lib/x86_64-linux-gnu/faketime/libfaketimeMT.so.1', FAKETIME: `+${ahead}s`, FAKETIME_DONT_FAKE_MONOTONIC: '1',
    SYNTHFORGE_CONFIG: idle.cfgFile });
  assert.equal(ran.code, 0, ran.stderr);
  assert.match(ran.stdout, new RegExp(`ran\\t${job.id}`));
  const j = await (await fetch(job.status_url)).json();
  assert.equal(j.status, 'failed', JSON.stringify(j));
  assert.equal(j.error.code, 'valid_before_too_soon');
  assert.match(j.error.message, /would outrun the payment's authorization .*not charged/);
  assert.equal(await balance(), b0);
  assert.equal(await submits(body.prompt), 0, 'no upstream call');
});

test('synthforge-ctl jobs run works the jobs nobody runs; jobs lists and shows them', async () => {
  idle = idle || await startServer({ conf: conf({ JOB_RUNNERS: '0' }), env: fakes.env });
  const body = { prompt: 'jobs: run by ctl', duration: 5 };
  const { headers, amount } = await paymentFor(idle, VIDEO, body);
  const b0 = await balance();
  const r = await post(idle, VIDEO, body, headers);
  const job = await r.json();
  await sleep(1500);
  assert.equal((await (await fetch(job.status_url)).json()).status, 'queued', 'nobody runs it');
  // migrate does not copy the jobs table: it refuses while a job is open,
  // and copies nothing.
  const target = join(idle.dir, `migrated-${Date.now()}.db`);
  let m = await ctl(idle, ['migrate', '--from', join(idle.dir, 'ledger.db')], { DB: target });
  assert.equal(m.code, 1, m.stdout + m.stderr);
  assert.match(m.stderr, /still has [1-9]\d* open job\(s\) and \d+ pending webhook .*nothing was copied/);
  assert.equal(m.stdout, '');
  const ran = await ctl(idle, ['jobs', 'run'], { SYNTHFORGE_CONFIG: idle.cfgFile });
  assert.equal(ran.code, 0, ran.stderr);
  assert.match(ran.stdout, new RegExp(`ran\\t${job.id}\\ttext-to-video\\tsettled`));
  const j = await (await fetch(job.status_url)).json();
  assert.equal(j.status, 'succeeded');
  assert.equal((await balance()) - b0, amount);
  const list = await ctl(idle, ['jobs']);
  assert.match(list.stdout, new RegExp(`${job.id}\\tsucceeded\\ttext-to-video`));
  const show = await ctl(idle, ['jobs', 'show', job.id]);
  assert.match(show.stdout, /^status\tsucceeded$/m);
  assert.match(show.stdout, /^upstream\t\{"request_id":/m);
  // Once no job is open, migrate copies (every payment of this ledger).
  m = await ctl(idle, ['migrate', '--from', join(idle.dir, 'ledger.db')], { DB: target });
  assert.equal(m.code, 0, m.stderr);
  assert.match(m.stdout, /^migrated\t[1-9]\d* copied\t0 already there\tsqlite -> sqlite$/m);
});

// The endpoint process that runs jobs of an endpoint (lighttpd's child).
function procOf(s, stem) {
  return s.pids().find((p) => { try { return readFileSync(`/proc/${p}/cmdline`, 'utf8').split('\0')[0].endsWith(`/${stem}`); } catch { return false; } });
}

// A runner holds up to two connections with libcurl's wake-up socket
// pairs and the media file being stored: a process of 1,000 runners needs
// more open files than lighttpd's default 3,072 (the jobs bench lost
// calls to it).  sf-hostconf gives lighttpd
// enough, the endpoints inherit it, and each raises its soft limit.
test('JOB_RUNNERS=1000: every endpoint process may open the files its runners need', async () => {
  const s = await startServer({ conf: conf({ JOB_RUNNERS: '1000', WORKERS_MAX: '64' }), env: fakes.env });
  try {
    await fetch(`${s.url}/healthz`);
    const need = 8 * (64 + 1000) + 64;
    const pid = procOf(s, 'image_generate');
    assert.ok(pid, 'the endpoint process');
    const line = readFileSync(`/proc/${pid}/limits`, 'utf8').split('\n').find((l) => l.startsWith('Max open files'));
    const soft = +line.split(/\s+/)[3];
    assert.ok(soft >= need, `${line}: at least ${need}`);
  } finally { await s.stop(); }
});

test('cancel while it runs: the fake records the cancel, nothing is settled, balance unchanged', async () => {
  const body = { prompt: 'jobs: cancel me while running FAKE:takes8s', duration: 5 };
  const { headers } = await paymentFor(srv, VIDEO, body);
  const b0 = await balance();
  const r = await post(srv, VIDEO, body, headers);
  assert.equal(r.status, 202, await r.clone().text());
  const job = await r.json();
  const { j: run } = await until(job.status_url, 20000, (x) => x.status === 'running' && x.progress);
  assert.match(run.progress, /fal/);
  assert.equal(await submits(body.prompt), 1);
  const d = await fetch(job.status_url, { method: 'DELETE' });
  assert.equal(d.status, 200, await d.clone().text());
  assert.equal((await d.json()).status, 'cancelled');
  // The runner learns it at its next renewal and cancels upstream.
  const rid = JSON.parse(ledger(srv, `select upstream from jobs where id='${job.id}'`)[0].upstream).request_id;
  const t0 = Date.now();
  let cancels = 0;
  while (Date.now() - t0 < 15000) {
    cancels = (await fakes.requests()).filter((q) => q.method === 'PUT'
      && q.path.endsWith(`/requests/${rid}/cancel`)).length;
    if (cancels > 0 && ledger(srv, `select open from jobs where id='${job.id}'`)[0].open === 0) break;
    await sleep(300);
  }
  assert.ok(cancels >= 1, 'the fake recorded the cancel');
  const j = await (await fetch(job.status_url)).json();
  assert.equal(j.status, 'cancelled');
  assert.match(j.error.message, /not charged/);
  await sleep(1500);
  assert.equal(await balance(), b0, 'nothing settled');
  assert.equal(await chain.authorizationState(chain.accounts.payer.address, nonceOf(headers['PAYMENT-SIGNATURE'])), false);
  assert.deepEqual(ledger(srv, `select state from payments where nonce='${nonceOf(headers['PAYMENT-SIGNATURE'])}'`), [{ state: 'work_failed' }]);
});

test('kill -9 of the endpoint process mid-job: another process takes it over after the lease and finishes it from the stored upstream reference; one upstream submit, one transfer', async () => {
  const body = { prompt: 'jobs: survive a kill -9 FAKE:takes6s', duration: 5 };
  const { headers, amount } = await paymentFor(srv, VIDEO, body);
  const b0 = await balance();
  const r = await post(srv, VIDEO, body, headers);
  assert.equal(r.status, 202, await r.clone().text());
  const job = await r.json();
  // Working upstream, its reference stored.
  await until(job.status_url, 20000, (x) => x.status === 'running' && x.progress);
  const [row] = ledger(srv, `select upstream, lease_owner from jobs where id='${job.id}'`);
  assert.match(row.upstream, /"provider":"fal"/);
  const pid = procOf(srv, 'text_to_video');
  assert.ok(pid, 'the endpoint process');
  assert.ok(row.lease_owner.includes(`/${pid}/`), `its runner holds the lease (${row.lease_owner})`);
  process.kill(pid, 'SIGKILL');
  const { j } = await until(job.status_url, 60000);
  assert.equal(j.status, 'succeeded', JSON.stringify(j));
  const [after] = ledger(srv, `select lease_owner, attempts from jobs where id='${job.id}'`);
  assert.ok(after.attempts >= 2, `taken over (${after.attempts} leases)`);
  assert.equal(await submits(body.prompt), 1, 'one upstream submit');
  assert.equal((await balance()) - b0, amount, 'one transfer');
  const m = await fetch(j.result.video_url);
  assert.equal(m.status, 200);
});

// --- Sign-In-With-X: the official client, the ledger's single-use nonces ---

// The job route's 402 challenge answered by the official sign-in-with-x
// client hook (@x402/extensions): the SIGN-IN-WITH-X header for url.
async function signIn(url, key, method = 'GET') {
  const r = await fetch(url, { method });
  assert.equal(r.status, 402, await r.clone().text());
  const pr = decodeB64Json(r.headers.get('payment-required'));
  assert.deepEqual(pr.accepts, [], 'nothing to pay: a sign-in');
  assert.ok(pr.extensions['sign-in-with-x'].supportedChains.length >= 1);
  const hook = createSIWxClientHook(privateKeyToAccount(key));
  const out = await hook({ paymentRequired: pr, requestUrl: url });
  assert.ok(out?.headers?.['sign-in-with-x'], 'the client signed the challenge');
  return { header: out.headers['sign-in-with-x'], info: pr.extensions['sign-in-with-x'] };
}

test('Sign-In-With-X: the official client lists its wallet\'s jobs; another wallet sees, reads and cancels none; a replayed or expired sign-in is refused', async () => {
  const body = { prompt: 'jobs: siwx FAKE:takes3s', duration: 5 };
  const b0 = await balance();
  const r = await pay(srv.url + VIDEO, { method: 'POST', headers: { ...JSONH, Prefer: 'respond-async' }, body });
  assert.equal(r.status, 202, r.text);
  const job = r.body;
  const list = `${srv.url}/v1/jobs`;
  const one = `${srv.url}/v1/jobs/${job.id}`;

  const a = await signIn(list, KEYS.payer);
  const la = await fetch(list, { headers: { 'sign-in-with-x': a.header } });
  assert.equal(la.status, 200, await la.clone().text());
  const ja = await la.json();
  assert.ok(ja.data.some((x) => x.id === job.id), 'the payer lists its job');
  assert.ok(ja.data.every((x) => x.payment.payer.toLowerCase() === chain.accounts.payer.address.toLowerCase()), 'only its own');
  // The same header again: its nonce is used up (in the ledger).
  const replay = await fetch(list, { headers: { 'sign-in-with-x': a.header } });
  assert.equal(replay.status, 402, 'a replayed sign-in is refused');
  assert.equal((await replay.json()).error.code, 'invalid_siwx_nonce');
  // A challenge signed after its expiry (the client signs what it is given).
  const e = await fetch(list);
  const pr = decodeB64Json(e.headers.get('payment-required'));
  pr.extensions['sign-in-with-x'].info.expirationTime = new Date(Date.now() - 60000).toISOString();
  const hook = createSIWxClientHook(privateKeyToAccount(KEYS.payer));
  const old = await hook({ paymentRequired: pr, requestUrl: list });
  const ex = await fetch(list, { headers: { 'sign-in-with-x': old.headers['sign-in-with-x'] } });
  assert.equal(ex.status, 402, 'an expired sign-in is refused');
  assert.match((await ex.json()).error.code, /^invalid_siwx_(expired|expiration_time)$/);

  // Another wallet: none of the payer's jobs, and no reading or cancelling them.
  const b = await signIn(list, KEYS.poor);
  const lb = await fetch(list, { headers: { 'sign-in-with-x': b.header } });
  assert.equal(lb.status, 200);
  assert.ok(!(await lb.json()).data.some((x) => x.id === job.id), 'another wallet lists none of them');
  const rb = await fetch(one, { headers: { 'sign-in-with-x': (await signIn(one, KEYS.poor)).header } });
  assert.equal(rb.status, 404, 'another wallet cannot read it');
  const db = await fetch(one, { method: 'DELETE', headers: { 'sign-in-with-x': (await signIn(one, KEYS.poor, 'DELETE')).header } });
  assert.equal(db.status, 404, 'another wallet cannot cancel it');
  // The payer reads it by signing in, without the link.
  const ra = await fetch(one, { headers: { 'sign-in-with-x': (await signIn(one, KEYS.payer)).header } });
  assert.equal(ra.status, 200);
  assert.equal((await ra.json()).id, job.id);
  const { j } = await until(job.status_url);
  assert.equal(j.status, 'succeeded', 'not cancelled by the other wallet');
  assert.equal((await balance()) - b0, BigInt(job.payment.amount), 'one transfer');
  assert.equal(await submits(body.prompt), 1, 'one upstream submit');
});

// --- webhooks: a real receiver verifying with the standardwebhooks package ---

test('webhooks: one valid delivery per change of status (running, succeeded), signed by the Standard Webhooks rules with the 202\'s secret; a receiver failing the first attempts gets them later', async () => {
  const hits = [];
  let fails = 2;
  let secret;
  const recv = http.createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      const hit = { id: req.headers['webhook-id'], raw };
      try { hit.body = new Webhook(secret).verify(raw, req.headers); } catch (e) { hit.error = e.message; }
      hit.status = fails-- > 0 ? 500 : 200;
      hits.push(hit);
      res.writeHead(hit.status);
      res.end();
    });
  });
  await new Promise((ok) => recv.listen(0, '127.0.0.1', ok));
  try {
    const hook = `http://localhost:${recv.address().port}/hooks/job?k=1`;
    const body = { prompt: 'jobs: webhook FAKE:takes3s', duration: 5, webhook_url: hook };
    const b0 = await balance();
    const r = await pay(srv.url + VIDEO, { method: 'POST', headers: { ...JSONH, Prefer: 'respond-async' }, body });
    assert.equal(r.status, 202, r.text);
    const job = r.body;
    assert.equal(job.webhook.url, hook);
    assert.match(job.webhook.secret, /^whsec_[A-Za-z0-9+/=]{40,}$/);
    secret = job.webhook.secret;
    const { j } = await until(job.status_url, 60000);
    assert.equal(j.status, 'succeeded', JSON.stringify(j));
    assert.equal(j.webhook, undefined, 'the secret is in the 202 only');
    // Both deliveries made, after the receiver's failures.
    const t0 = Date.now();
    const ok = () => hits.filter((h) => h.status === 200 && h.body);
    while (ok().length < 2 && Date.now() - t0 < 30000) await sleep(200);
    assert.deepEqual(hits.filter((h) => h.error), [], 'every attempt verifies');
    const done = ok();
    assert.deepEqual(done.map((h) => h.body.status).sort(), ['running', 'succeeded'], 'one delivery per change of status');
    assert.equal(new Set(done.map((h) => h.id)).size, 2, 'a webhook-id per change');
    const failed = hits.filter((h) => h.status === 500);
    assert.equal(failed.length, 2);
    assert.ok(failed.every((f) => done.some((d) => d.id === f.id)), 'a failed attempt was made again later, under its webhook-id');
    const fin = done.find((h) => h.body.status === 'succeeded').body;
    assert.equal(fin.id, job.id);
    assert.equal(fin.result.video_url, j.result.video_url);
    assert.equal(fin.settlement.transaction, j.settlement.transaction);
    assert.ok(!fin.status_url.includes('token='), 'no capability link in a delivery');
    await sleep(1500);
    assert.equal(hits.filter((h) => h.status === 200).length, 2, 'nothing delivered twice');
    assert.equal(await submits(body.prompt), 1, 'one upstream submit');
    assert.equal((await balance()) - b0, BigInt(job.payment.amount), 'one transfer');
    const [row] = ledger(srv, `select webhook_secret from jobs where id='${job.id}'`);
    assert.equal(row.webhook_secret, null, 'the job forgets its secret once over');
    const show = await ctl(srv, ['jobs', 'show', job.id]);
    assert.match(show.stdout, new RegExp(`^webhook\thttp://localhost:${recv.address().port}/hooks/job \\(secret forgotten\\)$`, 'm'));
    assert.ok(!show.stdout.includes('k=1') && !show.stdout.includes(secret), 'synthforge-ctl shows neither the query nor the secret');
  } finally {
    recv.close();
  }
});

test('webhooks: a job cancelled while it runs — its receiver hears running, then cancelled (not charged), once each', async () => {
  const hits = [];
  let secret;
  const recv = http.createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      const hit = { id: req.headers['webhook-id'] };
      try { hit.body = new Webhook(secret).verify(raw, req.headers); } catch (e) { hit.error = e.message; }
      hits.push(hit);
      res.writeHead(204);
      res.end();
    });
  });
  await new Promise((ok) => recv.listen(0, '127.0.0.1', ok));
  try {
    const body = { prompt: 'jobs: webhook cancel FAKE:takes8s', duration: 5, webhook_url: `http://localhost:${recv.address().port}/c` };
    const b0 = await balance();
    const r = await pay(srv.url + VIDEO, { method: 'POST', headers: { ...JSONH, Prefer: 'respond-async' }, body });
    assert.equal(r.status, 202, r.text);
    secret = r.body.webhook.secret;
    await until(r.body.status_url, 20000, (x) => x.status === 'running');
    const d = await fetch(r.body.status_url, { method: 'DELETE' });
    assert.equal(d.status, 200, await d.clone().text());
    const { j } = await until(r.body.status_url, 30000, (x) => x.status === 'cancelled');
    const t0 = Date.now();
    while (hits.length < 2 && Date.now() - t0 < 15000) await sleep(200);
    await sleep(2500);	// the runner's own close says it again: still one delivery
    assert.deepEqual(hits.filter((h) => h.error), [], 'every delivery verifies');
    assert.deepEqual(hits.map((h) => h.body.status).sort(), ['cancelled', 'running']);
    const c = hits.find((h) => h.body.status === 'cancelled').body;
    assert.match(c.error.message, /not charged/);
    assert.equal(c.payment.charged, false);
    assert.equal(j.status, 'cancelled');
    assert.equal(await submits(body.prompt), 1);
    await sleep(1000);
    assert.equal(await balance(), b0, 'nothing settled');
  } finally {
    recv.close();
  }
});

test('stopping the web server stops every endpoint process: their job runner threads never take its SIGTERM', async () => {
  const s = await startServer({ conf: conf(), env: fakes.env });
  const pids = s.pids();
  assert.ok(pids.length > 5, 'the endpoint processes, sf-jobs, sf-mcp');
  await s.stop();
  const alive = () => pids.filter((p) => { try { process.kill(p, 0); return true; } catch { return false; } });
  const t0 = Date.now();
  while (alive().length > 0 && Date.now() - t0 < 10000) await sleep(200);
  const left = alive();
  for (const p of left) try { process.kill(p, 'SIGKILL'); } catch { /* gone */ }
  assert.deepEqual(left, [], 'no endpoint process outlives its server');
});
