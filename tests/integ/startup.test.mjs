// `make run` as a newcomer meets it (etc/run.sh, the Makefile's run
// target, synthforge-ctl check), from a scratch folder that links the
// build, etc/ and the site, so var/ and the configuration are this
// suite's own:
//  - a bad value of any key stops start-up, naming the key, before the
//    server starts (docs/configuration.md);
//  - PORT: `make run PORT=N` > SYNTHFORGE_PORT > the file > 8080;
//  - the summary counts refused routes apart from placeholder ones;
//  - `synthforge-ctl check` sees the development wallet make run made;
//  - a SIGTERM that arrives while a process starts stops it once it is up.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, symlinkSync, writeFileSync, rmSync, readdirSync, readFileSync,
  openSync, writeSync, closeSync, constants } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TOP, BUILD, freePort } from '../lib/server.mjs';

const dir = mkdtempSync(join(tmpdir(), 'sf-startup-'));
mkdirSync(join(dir, 'build'));
for (const d of ['fcgi', 'bin']) symlinkSync(join(BUILD, d), join(dir, 'build', d));
for (const d of ['etc', 'www']) symlinkSync(join(TOP, d), join(dir, d));
const conf = join(dir, 'synthforge.conf');
after(() => rmSync(dir, { recursive: true, force: true }));

const PAY_TO = '0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC';
// No test reaches the networks' public RPCs (RPC_DEFAULTS=off).
const clean = { ...Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('SYNTHFORGE_'))),
  SYNTHFORGE_RPC_DEFAULTS: 'off' };
function env(extra = {}) {
  return { ...clean, SYNTHFORGE_CONFIG: conf, SYNTHFORGE_PAY_TO: PAY_TO, ...extra };
}

// run.sh until it says it serves (then stopped), or until it exits.  In a
// process group of its own, so what lighttpd started can be found and
// stopped after it.
async function runSh(args, e) {
  const child = spawn('sh', [join(TOP, 'etc/run.sh'), 'lighttpd', ...args], { cwd: dir, env: e, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  let out = '';
  child.stdout.on('data', (d) => { out += d; });
  child.stderr.on('data', (d) => { out += d; });
  const exited = new Promise((r) => child.once('exit', (code) => r(code)));
  const started = new Promise((r) => {
    const look = () => { if (/synthforge on http:\/\/127\.0\.0\.1:\d+\//.test(out)) r('started'); };
    child.stdout.on('data', look);
    child.stderr.on('data', look);
  });
  const first = await Promise.race([exited, started]);
  return { child, exited, first, out: () => out };
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
// Live (not zombie) processes of process group pgid, from /proc.
function groupLive(pgid) {
  const out = [];
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const f = readFileSync(`/proc/${d}/stat`, 'utf8').slice(0);
      const rest = f.slice(f.lastIndexOf(')') + 2).split(' ');	// state ppid pgrp
      if (Number(rest[2]) === pgid && rest[0] !== 'Z') out.push(Number(d));
    } catch { /* gone meanwhile */ }
  }
  return out;
}
// SIGTERM to lighttpd, as a service manager stopping the web server
// does; it stops the endpoint processes it started.  One it forked just
// before can lose that signal inside lighttpd's fork (lighttpd 1.4.69
// handles it there, before the exec), so what is left of the group after
// 5 s is sent SIGTERM again, then SIGKILL: an endpoint process left
// holding our pipes would keep this file from ending.
async function stop(run) {
  const pgid = run.child.pid;
  run.child.kill('SIGTERM');
  let t;
  await Promise.race([run.exited, new Promise((r) => { t = setTimeout(r, 10000); })]);
  clearTimeout(t);
  if (run.child.exitCode === null && run.child.signalCode === null) run.child.kill('SIGKILL');
  for (const sig of ['SIGTERM', 'SIGKILL']) {
    for (let i = 0; i < 50 && groupLive(pgid).length > 0; i++) await sleep(100);
    if (groupLive(pgid).length === 0) return;
    try { process.kill(-pgid, sig); } catch { /* gone meanwhile */ }
  }
}

test('a bad value stops make run before the server starts, naming the key', async () => {
  writeFileSync(conf, 'NETWORKS=base-sepolia\n');
  const cases = [
    ['MEDIA_STORE', 'ftp'], ['SETTLE', 'bogus'], ['SETTLE_FIRST', 'nope'],
    ['PROVIDER_RETRIES', 'x'], ['HEALTH_CACHE_SECONDS', 'abc'],
    ['ROUTE_IMAGE_GENERATE_CHROMA', 'nope'], ['LOG_FILE', '/nonexistent/x.log'],
    ['MEDIA_DIR', '/proc/nope'],
  ];
  for (const [k, v] of cases) {
    // The endpoint process itself refuses to start (exit 1, not a 500 later).
    const ep = spawnSync(join(BUILD, 'fcgi/image_generate'), [], { cwd: dir, env: env({ [`SYNTHFORGE_${k}`]: v }), encoding: 'utf8', input: '' });
    assert.equal(ep.status, 1, `${k}=${v}: ${ep.stderr}`);
    assert.match(ep.stderr, new RegExp(`configuration: .*\\b${k}\\b`), `${k}=${v}`);
    const run = await runSh([String(await freePort())], env({ [`SYNTHFORGE_${k}`]: v }));
    assert.notEqual(run.first, 'started', `${k}=${v} started:\n${run.out()}`);
    assert.notEqual(run.first, 0, `${k}=${v}: run.sh exit status`);
    assert.match(run.out(), new RegExp(`configuration: .*\\b${k}\\b`), run.out());
    assert.doesNotMatch(run.out(), /synthforge on http/);
  }
  // The same key in the file, not the environment.
  writeFileSync(conf, 'NETWORKS=base-sepolia\nSETTLE=direct\n');
  const run = await runSh([String(await freePort())], env());
  assert.notEqual(run.first, 'started', run.out());
  assert.match(run.out(), /SETTLE=direct needs RPC_URL/);
});

test('make run: PORT on the command line > SYNTHFORGE_PORT > the file; the summary counts refused routes apart', async () => {
  const [filePort, envPort, argPort] = [await freePort(), await freePort(), await freePort()];
  writeFileSync(conf, `NETWORKS=base-sepolia\nPORT=${filePort}\n`);
  // The Makefile passes PORT to run.sh only when given on the command line.
  const plan = (args, e) => spawnSync('make', ['-n', '--no-print-directory', 'run', ...args], { cwd: TOP, env: e, encoding: 'utf8' }).stdout
    .split('\n').find((l) => l.includes('etc/run.sh'));
  assert.match(plan([`PORT=${argPort}`], clean), new RegExp(`etc/run\\.sh lighttpd ${argPort}\\s*$`));
  assert.match(plan([], { ...clean, PORT: '1234' }), /etc\/run\.sh lighttpd\s*$/);
  assert.match(plan([], clean), /etc\/run\.sh lighttpd\s*$/);

  for (const [args, extra, want] of [[[], {}, filePort], [[], { SYNTHFORGE_PORT: String(envPort) }, envPort],
    [[String(argPort)], { SYNTHFORGE_PORT: String(envPort) }, argPort]]) {
    const run = await runSh(args, env(extra));
    try {
      assert.equal(run.first, 'started', run.out());
      assert.match(run.out(), new RegExp(`synthforge on http://127\\.0\\.0\\.1:${want}/`));
      let r;
      for (let i = 0; i < 100 && !r; i++) {	// lighttpd binds right after the line
        r = await fetch(`http://127.0.0.1:${want}/v1/image-generate`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"prompt":"port"}' }).catch(() => null);
        if (!r) await new Promise((res) => setTimeout(res, 100));
      }
      assert.equal(r?.status, 402, `served on ${want}`);
      // Counted from the lines above the summary, not from the code.
      const out = run.out();
      const offline = out.split('\n').filter((l) => /^\s+offline\s/.test(l)).length;
      const refused = out.split('\n').filter((l) => /^\s+REFUSED\s/.test(l)).length;
      assert.ok(offline > 0 && refused > 0, out);
      assert.match(out, new RegExp(`^${offline + refused} route\\(s\\) above have no provider key`, 'm'));
      assert.match(out, new RegExp(`^  ${offline} answer with locally rendered placeholders`, 'm'));
      assert.match(out, new RegExp(`^  ${refused} are refused before payment .*501 offline_unsupported`, 'm'));
    } finally {
      await stop(run);
    }
  }
});

test('synthforge-ctl check after make run sees its development wallet (testnets only)', () => {
  writeFileSync(conf, 'NETWORKS=base-sepolia\n');
  const noPay = { ...clean, SYNTHFORGE_CONFIG: conf, SYNTHFORGE_MEDIA_DIR: join(dir, 'media') };
  const ctl = join(BUILD, 'bin/synthforge-ctl');
  rmSync(join(dir, 'var'), { recursive: true, force: true });
  const none = spawnSync(ctl, ['check'], { cwd: dir, env: noPay, encoding: 'utf8' });
  assert.equal(none.status, 1);
  assert.match(none.stdout, /^INVALID\tPAY_TO\t.*no development wallet.*make run/m);
  // What make run does without PAY_TO (etc/run.sh).
  mkdirSync(join(dir, 'var'));
  const addr = spawnSync(join(BUILD, 'bin/sf-devwallet'), [join(dir, 'var/dev-wallet.key')], { encoding: 'utf8' }).stdout.trim();
  assert.match(addr, /^0x[0-9a-f]{40}$/);
  const r = spawnSync(ctl, ['check'], { cwd: dir, env: noPay, encoding: 'utf8' });
  assert.doesNotMatch(r.stdout, /INVALID\tPAY_TO/);
  assert.match(r.stdout, new RegExp(`^ok\\t\\tPAY_TO ${addr}$`, 'mi'));
  // Never on mainnet.
  writeFileSync(conf, 'NETWORKS=base\n');
  const main = spawnSync(ctl, ['check'], { cwd: dir, env: noPay, encoding: 'utf8' });
  assert.equal(main.status, 1);
  assert.match(main.stdout, /^INVALID\tPAY_TO\tPAY_TO is required on mainnet/m);
});

// The signal is blocked from the first line of main and taken by sigwait
// once the process serves: a SIGTERM during start-up (here: while the
// process waits to read its configuration from a FIFO) is answered with
// a clean exit as soon as it is up.  Before, libfcgi's handler took it in
// sf-ops (which only stopped accepting: the process stayed, serving
// nothing), and the default action killed an endpoint mid-start.
test('a SIGTERM while a process starts stops it, cleanly, once it is up', async () => {
  const fifo = join(dir, 'conf.fifo');
  const db = join(dir, 'sig.db');
  for (const bin of ['fcgi/image_generate', 'bin/sf-ops', 'bin/sf-jobs', 'bin/sf-mcp']) {
    rmSync(fifo, { force: true });
    assert.equal(spawnSync('mkfifo', [fifo]).status, 0);
    const sock = join(dir, 'sig.sock');
    rmSync(sock, { force: true });
    const child = spawn(join(BUILD, bin), ['--socket', sock], { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'],
      env: { ...clean, SYNTHFORGE_CONFIG: fifo, SYNTHFORGE_PAY_TO: PAY_TO, SYNTHFORGE_DB: db, SYNTHFORGE_MEDIA_DIR: join(dir, 'media') } });
    let err = '';
    child.stderr.on('data', (d) => { err += d; });
    const exited = new Promise((r) => child.once('exit', (code, signal) => r({ code, signal })));
    // Blocked opening the FIFO for reading: the configuration is loading.
    let waiting = false;
    for (let i = 0; i < 100 && !waiting; i++) {
      try { waiting = readFileSync(`/proc/${child.pid}/wchan`, 'utf8') === 'wait_for_partner'; } catch { /* not yet */ }
      if (!waiting) await sleep(50);
    }
    assert.ok(waiting, `${bin} never opened its configuration`);
    child.kill('SIGTERM');
    await sleep(100);
    // Non-blocking: a process the signal killed has no reader left (ENXIO).
    try {
      const fd = openSync(fifo, constants.O_WRONLY | constants.O_NONBLOCK);
      writeSync(fd, 'NETWORKS=base-sepolia\n');
      closeSync(fd);
    } catch (e) { if (e.code !== 'ENXIO') throw e; }
    let t;
    const r = await Promise.race([exited, new Promise((res) => { t = setTimeout(() => res(null), 20000); })]);
    clearTimeout(t);
    if (r === null) child.kill('SIGKILL');
    assert.ok(r !== null, `${bin}: still running 20 s after a SIGTERM sent during start-up\n${err}`);
    assert.deepEqual(r, { code: 0, signal: null }, `${bin}: how it ended after a SIGTERM sent during start-up\n${err}`);
  }
});
