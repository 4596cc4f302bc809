#!/usr/bin/env node
// make try: one whole paid call on this machine, step by step.
//
// Starts a local chain with a test token, a facilitator on the official
// @x402 packages and synthforge behind lighttpd on the offline provider;
// pays one image-generate and one text-to-speech call with the official
// client (@x402/fetch), shows the 402, the signed authorization, the 200,
// the PAYMENT-RESPONSE, the transaction and both balances; replays the
// first payment (stored result, no second transfer); then keeps the stack
// up until Ctrl-C (or stops at once with --exit) and stops everything it
// started.  Paths come from this file's place, so any working directory
// does.  Usage: see --help, or tests/try/README.md.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { findNetwork, NETWORKS } from './networks/index.mjs';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(HERE, '../..');
const BUILD = process.env.SF_BUILD ? path.resolve(ROOT, process.env.SF_BUILD) : path.join(ROOT, 'build');

const USAGE = `usage: node tests/try/try.mjs [options]      (make try [NETWORK=...] [TRY_EXIT=1] [TRY_ARGS=...])
  --network NAME   ${NETWORKS.map((n) => n.id).join(' | ')} (default base-sepolia)
  --exit           stop everything after the replay instead of waiting for Ctrl-C
  --summary FILE   also write what was shown as JSON to FILE (for tests and scripts)
  --hold           before stopping, wait until standard input closes (lets a test read the chain)
  --keep           keep the temporary folder (site, ledger, media) after stopping
  --preflight      only check that the network is available, then exit`;
// Internal: --worker marks the process that does the work (see below).

function parseArgs(argv) {
  const o = { network: 'base-sepolia', exit: false, summary: null, hold: false, keep: false, preflight: false, worker: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const val = () => { if (i + 1 >= argv.length) usage(`${a} needs a value`); return argv[++i]; };
    if (a === '--network') o.network = val();
    else if (a.startsWith('--network=')) o.network = a.slice(10);
    else if (a === '--exit') o.exit = true;
    else if (a === '--summary') o.summary = path.resolve(val());
    else if (a === '--hold') o.hold = true;
    else if (a === '--keep') o.keep = true;
    else if (a === '--preflight') o.preflight = true;
    else if (a === '--worker') o.worker = true;
    else if (a === '-h' || a === '--help') { console.log(USAGE); process.exit(0); }
    else usage(`unknown argument ${a}`);
  }
  return o;
}
function usage(msg) { console.error(`try: ${msg}\n${USAGE}`); process.exit(2); }

const opt = parseArgs(process.argv.slice(2));
const entry = findNetwork(opt.network);
if (!entry) {
  console.error(`try: unknown network "${opt.network}".  Known:\n`
    + NETWORKS.map((n) => `  ${n.id.padEnd(15)} ${n.what}`).join('\n'));
  process.exit(2);
}
const why = entry.available();
if (why) { console.error(`\nmake try NETWORK=${opt.network}: ${why}\n`); process.exit(2); }
if (opt.preflight) process.exit(0);

// Ctrl-C in a terminal signals the whole foreground process group: anvil,
// lighttpd and the endpoint processes would each die on their own, and
// lighttpd would respawn endpoints while going down.  So the work runs in a
// process of its own session (--worker), and this one only passes signals
// on, for a stop in order.  With --hold the worker reads standard input.
if (!opt.worker) {
  const child = spawn(process.execPath, [fileURLToPath(import.meta.url), ...process.argv.slice(2), '--worker'],
    { detached: true, stdio: [opt.hold ? 'inherit' : 'ignore', 'inherit', 'inherit'] });
  const tell = (sig) => { if (child.exitCode === null && child.signalCode === null) try { process.kill(child.pid, sig); } catch { /* gone */ } };
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(sig, () => tell(sig));
  child.on('exit', (code, sig) => process.exit(code ?? 128 + (os.constants.signals[sig] ?? 0)));
  await new Promise(() => {});
}

// Nothing is started yet: a signal now just ends the worker (replaced below).
const early = () => process.exit(130);
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(sig, early);

// npm packages are needed from here on (make try installed them).
const { wrapFetchWithPayment } = await import('@x402/fetch');
const { decodePaymentRequiredHeader, decodePaymentSignatureHeader, decodePaymentResponseHeader } = await import('@x402/core/http');
const { startServer, endpoints } = await import('../lib/server.mjs');
const adapter = await entry.load();

// tests/lib kill their children with SIGKILL and exit at once on a signal;
// here a signal means "stop in order", so those handlers make way for ours.
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.removeAllListeners(sig);

// --- output ---------------------------------------------------------------
const tty = process.stdout.isTTY && !process.env.NO_COLOR;
const bold = (s) => (tty ? `\x1b[1m${s}\x1b[0m` : s);
const dim = (s) => (tty ? `\x1b[2m${s}\x1b[0m` : s);
// A reader that went away (make try | head) must not stop the stop.
let quiet = false;
process.stdout.on('error', () => { quiet = true; });
const out = (s = '') => { if (!quiet) process.stdout.write(s + '\n'); };
const step = (n, title) => out(`\n${bold(`[${n}] ${title}`)}`);
const sub = (title) => out(`  ${bold('->')} ${title}`);
const kv = (k, v, ind = 4) => out(`${' '.repeat(ind)}${k.padEnd(18)} ${v}`);
const ms = (t0) => `${Math.round(performance.now() - t0)} ms`;

let unit = { symbol: 'USDC', decimals: 6 };
function money(atomic, { sign = false } = {}) {
  const neg = atomic < 0n, a = neg ? -atomic : atomic, d = 10n ** BigInt(unit.decimals);
  const s = `${a / d}.${(a % d).toString().padStart(unit.decimals, '0')}`;
  return `${neg ? '-' : sign ? '+' : ''}${s}`;
}
const usdc = (atomic) => `${money(atomic)} ${unit.symbol}`;
const short = (addr) => (addr && addr.length > 14 ? `${addr.slice(0, 6)}..${addr.slice(-4)}` : addr);
const when = (sec) => {
  const d = new Date(sec * 1000), rel = Math.round(sec - Date.now() / 1000);
  return `${d.toISOString().replace('T', ' ').replace(/\.\d+Z$/, ' UTC')}  (${rel >= 0 ? `in ${rel} s` : `${-rel} s ago`})`;
};
const b64head = (s) => (s.length > 28 ? `${s.slice(0, 28)}... (${s.length} chars of base64 JSON)` : s);
class Failed extends Error {}
function expect(ok, what) { if (!ok) throw new Failed(what); }

// --- the stack ------------------------------------------------------------
const started = [];		// things to stop, last first
let world, srv, tmp;

function mediaFiles(dir) {
  if (!dir || !fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? mediaFiles(p) : e.isFile() ? [p] : [];
  });
}

/** The processes below this one ({pid, ppid, comm, start}), from /proc. */
function descendants() {
  const kids = new Map();
  for (const d of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    let stat;
    try { stat = fs.readFileSync(`/proc/${d}/stat`, 'utf8'); } catch { continue; }
    const close = stat.lastIndexOf(')');
    const comm = stat.slice(stat.indexOf('(') + 1, close);
    const f = stat.slice(close + 2).split(' ');	// fields 3.. of proc(5)
    if (f[0] === 'Z') continue;
    if (!kids.has(+f[1])) kids.set(+f[1], []);
    kids.get(+f[1]).push({ pid: +d, ppid: +f[1], comm, start: f[19] });
  }
  const all = [], todo = [process.pid];
  while (todo.length) for (const k of kids.get(todo.pop()) || []) { all.push(k); todo.push(k.pid); }
  return all;
}
// "anvil, lighttpd (and the 20 processes it started)"
function describe(procs) {
  const under = (pid) => procs.filter((p) => p.ppid === pid);
  return procs.filter((p) => p.ppid === process.pid).map((p) => {
    let n = 0;
    for (const todo = [p.pid]; todo.length;) for (const k of under(todo.pop())) { n++; todo.push(k.pid); }
    return n ? `${p.comm} (and the ${n} processes it started)` : p.comm;
  }).join(', ');
}
// The same process (pid and start time), and not a zombie.
function alive(p) {
  try {
    const stat = fs.readFileSync(`/proc/${p.pid}/stat`, 'utf8'), f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return f[0] !== 'Z' && f[19] === p.start;
  } catch { return false; }
}
// Every process started below this one, kept up to date: if this process
// dies on an error it did not expect, whatever is left is killed on exit
// (tests/lib kill their direct children then, not lighttpd's).
const known = new Map();
const remember = () => { for (const p of descendants()) known.set(`${p.pid}/${p.start}`, p); return [...known.values()]; };
process.on('exit', () => {
  for (const p of known.values()) if (alive(p)) try { process.kill(p.pid, 'SIGKILL'); } catch { /* gone */ }
});

async function startStack() {
  step(1, `Start a local stack: ${entry.what}`);
  let t0 = performance.now();
  world = await adapter.start();
  started.push(['chain and facilitator', () => world.stop()]);
  unit = world.unit;
  for (const [k, v] of world.stack) kv(k, v);
  kv('payer', `${world.payer.address}  (${world.payer.note})`);
  kv('payTo', `${world.payTo.address}  (${world.payTo.note})`);
  out(dim(`    chain, token and facilitator up in ${ms(t0)}`));

  t0 = performance.now();
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sf-try-'));
  const www = path.join(tmp, 'www');
  fs.mkdirSync(www);
  // The endpoints' request log goes to a file: the terminal is for the story.
  srv = await startServer({ conf: { ...world.serverConf, LOG_FILE: path.join(tmp, 'requests.log') }, www });
  started.push(['lighttpd and the endpoints', () => srv.stop()]);
  // The site, written from the very configuration file the endpoints read,
  // so its pages show this stack's URL, network, token and payee.
  execFileSync('sh', [path.join(ROOT, 'registry/pages.sh'), path.join(BUILD, 'bin/sf-gen'), path.join(tmp, 'man'), www,
    '-s', path.join(ROOT, 'registry/style.css'), '-t', String(Math.floor(Date.now() / 1000))],
  { cwd: ROOT, env: srv.env, stdio: ['ignore', 'ignore', 'inherit'] });
  const offline = execFileSync(path.join(BUILD, 'bin/sf-hostconf'), ['offline'], { env: srv.env }).toString()
    .split('\n').filter((l) => /^\s*offline\s/.test(l));
  kv('server', `lighttpd on ${srv.url}/  (${endpoints().length} endpoint binaries, FastCGI)`);
  kv('provider', `offline: ${offline.length} routes (endpoint, model) render locally (a real PNG, speech from espeak-ng); no provider key used`);
  kv('site', `${srv.url}/  (generated for this stack into ${www})`);
  kv('ledger, media', `${srv.dir}/ledger.db, ${srv.dir}/media/`);
  kv('request log', `${path.join(tmp, 'requests.log')}  (one JSON line per request)`);
  out(dim(`    server and site up in ${ms(t0)}`));
}

async function balances() {
  return { payer: await world.balanceOf(world.payer.address), payTo: await world.balanceOf(world.payTo.address) };
}

function balanceTable(b0, b1) {
  out(`    ${'balances'.padEnd(18)} ${'before'.padStart(16)}  ${'after'.padStart(16)}  ${'change'.padStart(10)}`);
  for (const who of ['payer', 'payTo']) {
    out(`      ${who} ${short(world[who].address).padEnd(11)} ${usdc(b0[who]).padStart(16)}  ${usdc(b1[who]).padStart(16)}  `
      + `${b1[who] === b0[who] ? 'unchanged' : money(b1[who] - b0[who], { sign: true }).padStart(10)}`);
  }
}

/** One paid call through the official client; prints each step; returns what the replay needs. */
async function paidCall(n, ep, body) {
  const url = srv.url + ep.path;
  step(n, `Pay one call: POST ${ep.path}`);
  kv('request body', JSON.stringify(body));
  // The client is handed a fetch that notes each exchange, so what is shown
  // is what went over the wire.
  const wire = [];
  const noting = async (input, init) => {
    const req = new Request(input, init);
    const t0 = performance.now();
    const res = await fetch(req);
    const body = res.status === 402 ? await res.clone().text() : null;
    wire.push({ sent: Object.fromEntries(req.headers), status: res.status, headers: res.headers, body, ms: ms(t0) });
    return res;
  };
  const pay = wrapFetchWithPayment(noting, world.client());
  const b0 = await balances();
  const media0 = mediaFiles(path.join(srv.dir, 'media')).length;
  const res = await pay(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const text = await res.text();

  const first = wire[0];
  expect(first?.status === 402, `expected a 402 first, got ${first?.status}: ${text.slice(0, 300)}`);
  const offer = decodePaymentRequiredHeader(first.headers.get('payment-required'));
  let v1 = null;
  try { v1 = JSON.parse(first.body); } catch { /* no JSON body */ }
  sub(`402 Payment Required in ${first.ms}: the offer, in the PAYMENT-REQUIRED header (x402 v${offer.x402Version})`
    + (v1?.x402Version === 1 ? ' and as a v1 JSON body' : ''));
  const signed = wire[1] && decodePaymentSignatureHeader(wire[1].sent['payment-signature']);
  expect(signed, `the client did not pay: ${res.status} ${text.slice(0, 300)}`);
  const o = signed.accepted;
  kv('resource', `${offer.resource?.url}  (${offer.resource?.description ?? ''})`.replace(/ \(\)$/, ''));
  kv('offers', `${offer.accepts.length}; the client took: scheme ${o.scheme} on ${o.network}`);
  kv('network', `${o.network}  (${world.networkNote})`);
  kv('asset', `${o.asset}  (${world.assetNote})`);
  kv('amount', `${usdc(BigInt(o.amount))} = ${o.amount} atomic units (${unit.decimals} decimals)`);
  kv('payTo', o.payTo);
  kv('maxTimeoutSeconds', `${o.maxTimeoutSeconds}`);
  for (const [k, v] of world.offerRows?.(o) ?? []) kv(k, v);		// what only this network's offers carry

  const a = world.authorization(signed);
  sub(`signed by the official client (@x402/fetch): ${world.signedWith}`);
  kv('payer', a.payer);
  kv('to', a.payTo);
  kv('amount', `${usdc(a.amount)} (${a.amount})`);
  if (a.validAfter !== undefined) kv('validAfter', a.validAfter ? when(a.validAfter) : '0 (at once)');
  if (a.validBefore !== undefined) kv('validBefore', when(a.validBefore));
  if (a.nonce !== undefined) kv('nonce', a.nonce);
  for (const [k, v] of a.rows ?? []) kv(k, v);
  kv('sent as', `PAYMENT-SIGNATURE: ${b64head(wire[1].sent['payment-signature'])}`);

  const second = wire[1];
  sub(`${res.status} ${res.statusText} in ${second.ms}`);
  let result = null;
  try { result = JSON.parse(text); } catch { /* shown below */ }
  expect(res.status === 200 && result, `the paid call failed: ${res.status} ${text.slice(0, 400)}`);
  const mediaUrl = result[ep.media_output];
  kv(ep.media_output, `${mediaUrl}  (permanent)`);
  for (const k of ['model', 'source', 'duration', 'format', 'width', 'height']) if (k in result) kv(k, String(result[k]));
  const prHeader = res.headers.get('payment-response');
  expect(prHeader, 'no PAYMENT-RESPONSE header on the 200');
  const pr = decodePaymentResponseHeader(prHeader);
  kv('PAYMENT-RESPONSE', b64head(prHeader));
  kv('  decoded', JSON.stringify(pr));

  sub('on chain');
  const tx = await world.transaction(pr.transaction);
  const b1 = await balances();
  const media1 = mediaFiles(path.join(srv.dir, 'media')).length;
  kv('transaction', tx.hash);
  kv(tx.blockLabel ?? 'block', `${tx.block}  (status ${tx.status}; sent and paid for by the facilitator ${short(tx.sender)}, ${tx.fee})`);
  for (const t of tx.transfers) kv('transfer', `${short(t.from)} -> ${short(t.to)}  ${usdc(t.amount)}`);
  balanceTable(b0, b1);
  kv('media stored', `${media0} -> ${media1} files`);
  expect(tx.status === 'success', 'the transaction failed');
  expect(tx.transfers.length === 1 && tx.transfers[0].amount === BigInt(o.amount)
    && tx.transfers[0].from.toLowerCase() === a.payer.toLowerCase() && tx.transfers[0].to.toLowerCase() === o.payTo.toLowerCase(),
  'the transaction does not carry exactly the offered transfer');
  expect(b0.payer - b1.payer === BigInt(o.amount) && b1.payTo - b0.payTo === BigInt(o.amount), 'the balances did not move by exactly the price');
  expect(media1 === media0 + 1, 'not exactly one media file stored');
  out(`    ${bold('ok')}: the payer paid exactly the offered ${usdc(BigInt(o.amount))}, once, after the work was done`);
  return { endpoint: ep.name, path: ep.path, url, body, amount: o.amount, header: second.sent['payment-signature'],
    tx: tx.hash, block: Number(tx.block), mediaUrl, paymentResponse: pr, before: b0, after: b1 };
}

async function replay(n, call) {
  step(n, `Replay: the same PAYMENT-SIGNATURE again, same request (${call.path})`);
  const b0 = await balances();
  const count0 = (await world.transfersFrom(world.payer.address)).length;
  const media0 = mediaFiles(path.join(srv.dir, 'media')).length;
  const t0 = performance.now();
  const res = await fetch(call.url, { method: 'POST', body: JSON.stringify(call.body),
    headers: { 'content-type': 'application/json', 'payment-signature': call.header } });
  const text = await res.text();
  let result = null;
  try { result = JSON.parse(text); } catch { /* shown below */ }
  sub(`${res.status} ${res.statusText} in ${ms(t0)}`);
  expect(res.status === 200 && result, `the replay was refused: ${res.status} ${text.slice(0, 300)}`);
  const mediaUrl = result[Object.keys(result).find((k) => /_url$/.test(k))];
  kv('result', mediaUrl === call.mediaUrl ? `the stored one: ${mediaUrl}` : `a different one: ${mediaUrl}`);
  const prHeader = res.headers.get('payment-response');
  const pr = prHeader ? decodePaymentResponseHeader(prHeader) : null;
  if (pr) kv('PAYMENT-RESPONSE', `${JSON.stringify(pr)}${pr.transaction === call.tx ? '  (the first transaction)' : ''}`);
  const b1 = await balances();
  const count1 = (await world.transfersFrom(world.payer.address)).length;
  const media1 = mediaFiles(path.join(srv.dir, 'media')).length;
  kv('transfers', `token transfers from the payer since the chain started: ${count0} -> ${count1}`);
  balanceTable(b0, b1);
  kv('media stored', `${media0} -> ${media1} files`);
  expect(mediaUrl === call.mediaUrl, 'the replay did not return the stored result');
  expect(count1 === count0 && b1.payer === b0.payer && b1.payTo === b0.payTo, 'the replay moved money');
  expect(media1 === media0, 'the replay did the work again');
  out(`    ${bold('ok')}: stored result, no second transfer, no second piece of work`);
  return { status: res.status, mediaUrl, paymentResponse: pr, transfersBefore: count0, transfersAfter: count1, before: b0, after: b1 };
}

let stopping = null;
async function stopAll() {
  if (stopping) return stopping;
  stopping = (async () => {
    const procs = remember();
    const failed = [];
    for (const [what, stop] of started.reverse()) {
      try { await stop(); } catch (e) { failed.push(`${what}: ${e.message}`); }
    }
    if (tmp && !opt.keep) fs.rmSync(tmp, { recursive: true, force: true });
    if (srv && !opt.keep) fs.rmSync(srv.dir, { recursive: true, force: true });
    // No process may outlive us: wait briefly for each to be gone.
    const t0 = Date.now();
    let left = procs.filter(alive);
    while (left.length && Date.now() - t0 < 5000) {
      await new Promise((r) => setTimeout(r, 50));
      left = left.filter(alive);
    }
    out(`\n${bold('Stopped')} ${procs.length} process${procs.length === 1 ? '' : 'es'}: ${describe(procs) || 'none'}; `
      + `and the in-process facilitator.`);
    if (opt.keep) out(`Kept ${tmp} and ${srv?.dir}.`);
    if (left.length) {
      out(`STILL RUNNING after 5 s: ${left.map((p) => `${p.pid} ${p.comm}`).join(', ')}; killed.`);
      for (const p of left) try { process.kill(p.pid, 'SIGKILL'); } catch { /* gone */ }
      failed.push('processes that did not stop');
    } else out('Checked: none of them is still running.');
    return failed;
  })();
  return stopping;
}

let summary = null;
let shown = false;		// every step done: a stop from now on is the normal end
function writeSummary() {
  if (!opt.summary) return;
  const big = (_k, v) => (typeof v === 'bigint' ? v.toString() : v);
  fs.writeFileSync(opt.summary + '.tmp', JSON.stringify(summary, big, 2));
  fs.renameSync(opt.summary + '.tmp', opt.summary);
  kv('summary', opt.summary, 2);
}

async function main() {
  out(bold(`synthforge: a whole paid call on this machine (network ${entry.id}, all local, test money only)`));
  await startStack();
  remember();
  const eps = Object.fromEntries(endpoints().map((e) => [e.name, e]));
  const calls = [];
  calls.push(await paidCall(2, eps['image-generate'], eps['image-generate'].example));
  calls.push(await paidCall(3, eps['text-to-speech'], eps['text-to-speech'].example));
  const again = await replay(4, calls[0]);

  const [img, tts] = calls;
  step(5, opt.exit && !opt.hold ? 'Done; the stack stops now (without TRY_EXIT it stays up, with these to open)'
    : 'The stack is running: open');
  kv('site', `${srv.url}/`);
  kv('image', img.mediaUrl);
  kv('audio', tts.mediaUrl);
  kv('an offer', `curl -si ${srv.url}/v1/image-generate -H 'Content-Type: application/json' -d '{"prompt":"a red fox"}'`);
  kv('pay for it', `node ${path.join(HERE, 'pay.mjs')} ${srv.url}/v1/image-generate '{"prompt":"a red fox"}'`);
  kv('the chain', `${world.summary.rpc ?? ''}  token ${world.summary.asset ?? ''}`.trim());
  summary = { network: entry.id, caip2: world.network, url: srv.url, site: `${srv.url}/`, ...world.summary,
    payer: world.payer.address, payTo: world.payTo.address, serverDir: srv.dir, mediaDir: path.join(srv.dir, 'media'),
    mediaFiles: mediaFiles(path.join(srv.dir, 'media')).length, calls: calls.map(({ header, ...c }) => c), replay: again,
    pids: remember() };
  writeSummary();
  shown = true;
  if (opt.hold) {
    out('  holding the stack until standard input closes');
    await new Promise((r) => { process.stdin.on('end', r).on('close', r).on('error', r).resume(); });
  } else if (!opt.exit) {
    out(`\n  ${bold('Ctrl-C')} stops everything.`);
    await new Promise(() => {});	// the signal handler ends the process
  }
}

let ended = false;
async function finish(code, why) {
  if (ended) return;
  ended = true;
  if (why) out(why);
  const failed = await stopAll();
  for (const f of failed) console.error(`try: could not stop ${f}`);
  process.exit(code || (failed.length ? 1 : 0));
}
// The supervisor gone (killed hard): stop rather than run on unseen.
const supervisor = process.ppid;
setInterval(() => {
  if (process.ppid !== supervisor) finish(1, '\nthe make try process is gone: stopping.');
  else if (world && !ended) remember();
}, 1000).unref();
for (const ev of ['uncaughtException', 'unhandledRejection']) {
  process.on(ev, (e) => finish(1, `\ntry: FAILED (${ev}): ${e?.stack || e}`));
}

const WHY = { SIGINT: 'Ctrl-C', SIGTERM: 'SIGTERM', SIGHUP: 'SIGHUP' };
for (const sig of Object.keys(WHY)) {
  process.on(sig, () => {
    if (ended) {
      process.stderr.write('try: signalled again: stopping at once\n');
      process.exit(130);	// tests/lib's exit handlers kill what is left
    }
    finish(shown ? 0 : 130, `\n${WHY[sig]}: stopping${shown ? '' : ' before the end'}.`);
  });
}

try {
  await main();
  await finish(0);
} catch (e) {
  const msg = e instanceof Failed ? e.message : (e?.stack || String(e));
  await finish(1, `\ntry: FAILED: ${msg}`);
}
