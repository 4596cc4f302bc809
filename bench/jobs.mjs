// make bench, jobs (issue 25): JOBS_N paid jobs in flight at once on one
// host against a fake upstream that takes UPSTREAM_MS (30 s) per call.
// Nothing here is a test: figures are printed, never judged.
//
//   node bench/jobs.mjs [--quick]     (make bench builds first; --quick:
//                                     200 jobs, a 10 s upstream)
//
// The host is the one `make run` starts (lighttpd and the configuration
// sf-hostconf writes, SQLite ledger), with JOB_RUNNERS raised so that every
// job can be in flight at once (a runner holds its job for the upstream's
// whole 30 s: with the default 16 per process the jobs would queue) and
// JOB_POLLS_PER_MINUTE at its ceiling.  Payments: one fresh wallet per job,
// signed beforehand by the official client, proven and settled by the
// instant stand-in facilitator (bench/instant_facilitator.mjs), so the
// figures are the server's own.  The upstream is bench/slow_upstream.mjs
// (Venice's image generation answered after UPSTREAM_MS).
//
// Printed: the submits (202s per second), memory (PSS) and threads of our
// processes at rest and at the peak, status polls per second while the jobs
// run (64 connections from 8 loopback addresses, the per-address limit
// stays the server's own), the time from the first submit until every job
// is over, and the upstream calls and settlements that made.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import http from 'node:http';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { startNode, startOurs, ourProcs, pss, stop, BUILD } from './bench.mjs';

const TOP = resolve(new URL('..', import.meta.url).pathname);
const require = createRequire(join(TOP, 'tests/package.json'));
const { x402Client } = require('@x402/core/client');
const { encodePaymentSignatureHeader, decodePaymentRequiredHeader } = require('@x402/core/http');
const { ExactEvmScheme } = require('@x402/evm/exact/client');
const { privateKeyToAccount, generatePrivateKey } = require('viem/accounts');

const QUICK = process.argv.includes('--quick');
const JOBS_N = QUICK ? 200 : 1000;
const UPSTREAM_MS = QUICK ? 10000 : 30000;
const SUBMIT_C = 32;		// submits at once
const POLL_C = 64;		// status polls at once
const POLL_SECS = 5;
const PATH = '/v1/image-generate';
const BODY = JSON.stringify({ prompt: 'a lighthouse at dusk, jobs bench', width: 256, height: 256 });

const mib = (kib) => (kib / 1024).toFixed(1);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/* Threads of a process (its /proc status), 0 once gone. */
function threads(pid) {
  try {
    return +/^Threads:\s+(\d+)/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))[1];
  } catch { return 0; }
}

function sqlite(db, sql) {
  const r = spawnSync('sqlite3', [db, sql], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`sqlite3: ${r.stderr}`);
  return r.stdout.trim();
}

/* One HTTP request from a given loopback address: [status, body]. */
function request(url, { method = 'GET', headers = {}, body, localAddress, agent } = {}) {
  return new Promise((res, rej) => {
    const u = new URL(url);
    const q = http.request({ host: u.hostname, port: u.port, path: u.pathname + u.search, method, headers,
      localAddress, agent }, (r) => {
      const chunks = [];
      r.on('data', (c) => chunks.push(c));
      r.on('end', () => res([r.statusCode, Buffer.concat(chunks).toString('utf8')]));
    });
    q.on('error', rej);
    if (body) q.end(body); else q.end();
  });
}

/* n payment headers for the 402's first offer, each from a new wallet. */
async function sign(prHeader, n) {
  const pr = decodePaymentRequiredHeader(prHeader);
  const out = [];
  for (let i = 0; i < n; i++) {
    const client = new x402Client().register('eip155:*', new ExactEvmScheme(privateKeyToAccount(generatePrivateKey())));
    out.push(encodePaymentSignatureHeader(await client.createPaymentPayload(pr)));
  }
  return out;
}

async function main() {
  const say = (s) => console.log(s);
  const work = mkdtempSync(join(tmpdir(), 'sf-bench-jobs-'));
  say(`# make bench, jobs: ${cpus().length} x ${cpus()[0]?.model?.trim() ?? 'unknown CPU'}, load average ` +
    `${loadavg().map((l) => l.toFixed(1)).join(' ')}, node ${process.version}`);
  const fac = await startNode('instant_facilitator.mjs');
  const up = await startNode('slow_upstream.mjs', ['0', String(UPSTREAM_MS)]);
  const srv = await startOurs({ FACILITATOR_URL: fac.url, JOB_RUNNERS: String(JOBS_N), JOB_POLLS_PER_MINUTE: '100000' },
    { VENICE_API_KEY: 'bench-key', VENICE_BASE_URL: `${up.url}/api/v1` });
  const db = join(srv.dir, 'ledger.db');
  let sampler;
  try {
    const r402 = await fetch(srv.url + PATH, { method: 'POST', headers: { 'Content-Type': 'application/json', Prefer: 'respond-async' }, body: BODY });
    if (r402.status !== 402) throw new Error(`expected a 402, got ${r402.status}`);
    const pays = await sign(r402.headers.get('payment-required'), JOBS_N);
    await sleep(500);
    const procs = () => ourProcs(srv.proc.pid);
    const measure = () => procs().reduce((a, p) => ({ pss: a.pss + pss(p.pid), threads: a.threads + threads(p.pid) }),
      { pss: 0, threads: 0 });
    const rest = measure();
    const peak = { ...rest };
    sampler = setInterval(() => {
      const m = measure();
      peak.pss = Math.max(peak.pss, m.pss);
      peak.threads = Math.max(peak.threads, m.threads);
    }, 250);

    // Submit every job, SUBMIT_C at a time.
    const agent = new http.Agent({ keepAlive: true, maxSockets: SUBMIT_C });
    const links = [];
    let refused = 0, next = 0;
    const t0 = Date.now();
    await Promise.all(Array.from({ length: SUBMIT_C }, async () => {
      while (next < pays.length) {
        const p = pays[next++];
        const [st, b] = await request(srv.url + PATH, { method: 'POST', agent, body: BODY, headers: {
          'Content-Type': 'application/json', Prefer: 'respond-async', 'PAYMENT-SIGNATURE': p } });
        if (st === 202) links.push(JSON.parse(b).status_url);
        else if (refused++ < 3) say(`  submit refused: ${st} ${b.slice(0, 200)}`);
      }
    }));
    const submitSecs = (Date.now() - t0) / 1000;
    agent.destroy();
    say(`\n${JOBS_N} jobs submitted (POST ${PATH}, Prefer: respond-async, ${SUBMIT_C} at a time), upstream ${UPSTREAM_MS / 1000} s:`);
    say(`  ${links.length} answered 202 in ${submitSecs.toFixed(1)} s (${(links.length / submitSecs).toFixed(0)} /s), ${refused} refused`);

    // Status polls while they run.
    const running = () => +sqlite(db, 'SELECT count(*) FROM jobs WHERE open = 1');
    const inflight = running();
    let ok = 0, limited = 0, other = 0;
    const tp = Date.now();
    await Promise.all(Array.from({ length: POLL_C }, async (_, i) => {
      const localAddress = `127.0.0.${2 + (i % 8)}`;
      const a = new http.Agent({ keepAlive: true, maxSockets: 1, localAddress });
      let k = i;
      while (Date.now() - tp < POLL_SECS * 1000 && links.length > 0) {
        const [st] = await request(links[k++ % links.length], { agent: a, localAddress });
        if (st === 200) ok++; else if (st === 429) limited++; else other++;
      }
      a.destroy();
    }));
    const pollSecs = (Date.now() - tp) / 1000;
    say(`  status polls while ${inflight} jobs were open: ${(ok / pollSecs).toFixed(0)} /s answered 200 ` +
      `(${POLL_C} connections from 8 addresses, ${POLL_SECS} s; ${limited} answered 429, ${other} other)`);

    // Until every job is over.
    while (running() > 0 && Date.now() - t0 < 20 * 60 * 1000) await sleep(500);
    const drainSecs = (Date.now() - t0) / 1000;
    clearInterval(sampler);
    sampler = null;
    const states = sqlite(db, "SELECT state || ' ' || count(*) FROM payments GROUP BY state").split('\n').join(', ');
    const calls = (await (await fetch(up.url + '/stats')).json()).calls;
    const settles = (await (await fetch(fac.url + '/stats')).json()).settles;
    say(`  every job over ${drainSecs.toFixed(1)} s after the first submit (the upstream alone takes ${UPSTREAM_MS / 1000} s); ` +
      `payments: ${states}; ${calls} upstream calls, ${settles} settlements`);
    say(`  our processes (${procs().length}: lighttpd's children): PSS ${mib(rest.pss)} MiB and ${rest.threads} threads at rest, ` +
      `${mib(peak.pss)} MiB and ${peak.threads} threads at the peak`);
    writeFileSync(join(BUILD, 'bench/last-jobs.txt'), `jobs ${JOBS_N} upstream_ms ${UPSTREAM_MS} accepted ${links.length} ` +
      `submit_s ${submitSecs.toFixed(1)} polls_per_s ${(ok / pollSecs).toFixed(0)} drain_s ${drainSecs.toFixed(1)} ` +
      `pss_rest_kib ${rest.pss} pss_peak_kib ${peak.pss} threads_rest ${rest.threads} threads_peak ${peak.threads} ` +
      `upstream_calls ${calls} settles ${settles}\n`);
  } finally {
    if (sampler) clearInterval(sampler);
    await srv.stop();
    await stop(up.child);
    await stop(fac.child);
    rmSync(work, { recursive: true, force: true });
  }
}

main().catch((e) => { console.error(e); process.exit(1); });
