// make bench-instr: instructions per request, counted by valgrind's
// callgrind in the responder process, so the figure does not move with
// the machine's load (wall-clock rates do; see bench.mjs).  Same set-up as
// make bench (lighttpd from sf-hostconf, the instant facilitator,
// payments signed beforehand by the official client), but the endpoint
// and the bare responder run under callgrind:
//
//   - per 402: POST /v1/image-generate without payment, ours beside the
//     bare libfcgi responder answering the same bytes (bench/bare402.c);
//   - per paid call, on each ledger (SQLite; PostgreSQL, with the
//     transactions the database committed per call): the whole call in
//     our process (verify, ledger, the 256x256 offline PNG, the media
//     store, the facilitator round trips, the response);
//   - per paid call with the cheapest work (offline
//     sound-effect, 0.5 s of audio), the payment machinery's share.
//
// Counters are zeroed after a warm-up and dumped after each phase
// (callgrind_control), so start-up is not in any figure.  The profile of
// each phase (callgrind_annotate, inclusive and self) is written to
// build/bench/instr-PHASE.txt.
//
//   node bench/instr.mjs [--n402 N] [--npaid N] [--no-pg] [--402] [--keep]
//   (make bench-instr; --402: the 402 figures only; --keep: the dumps)
import { spawnSync, execFileSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, writeFileSync, readFileSync, readdirSync, symlinkSync, chmodSync, rmSync, existsSync } from 'node:fs';
import { tmpdir, loadavg } from 'node:os';
import { join } from 'node:path';
import { startNode, startOurs, bareResponse, load, sign, stop, BODY, PATH, BUILD } from './bench.mjs';
import { startPg } from '../tests/lib/pg.mjs';

const arg = (name, dflt) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? +process.argv[i + 1] : dflt;
};
const N402 = arg('--n402', 2000);
const NPAID = arg('--npaid', 200);
const NO_PG = process.argv.includes('--no-pg');
const OUT = join(BUILD, 'bench');
const CHEAP_PATH = '/v1/sound-effect-generate';
const CHEAP_BODY = JSON.stringify({ prompt: 'a short click, bench', duration: 0.5 });
const ONLY_402 = process.argv.includes('--402');

/*
 * A folder of endpoint programs for sf-hostconf: every one a link to the
 * real one, except those named, which a script runs under callgrind (its
 * pid in NAME.pid, its dumps NAME.cg.PID[.N]).
 */
function fcgiDir(dir, names) {
  const d = join(dir, 'fcgi');
  mkdirSync(d);
  for (const f of readdirSync(join(BUILD, 'fcgi'))) {
    if (f.endsWith('.d')) continue;
    if (!names.includes(f)) { symlinkSync(join(BUILD, 'fcgi', f), join(d, f)); continue; }
    wrapper(join(d, f), join(BUILD, 'fcgi', f), dir, f);
  }
  return d;
}

function wrapper(path, real, dir, name) {
  writeFileSync(path, `#!/bin/sh\necho $$ > ${dir}/${name}.pid\n` +
    `exec valgrind -q --tool=callgrind --callgrind-out-file=${dir}/${name}.cg.%p ${real} "$@"\n`);
  chmodSync(path, 0o755);
}

/* Zero or dump the counters of a process under callgrind. */
function control(pid, what) {
  const r = spawnSync('callgrind_control', [what, String(pid)], { encoding: 'utf8', timeout: 60000 });
  if (r.status !== 0) throw new Error(`callgrind_control ${what} ${pid}: ${r.stderr || r.stdout}`);
}

/* The newest dump of pid: its total instructions and file. */
function lastDump(dir, name, pid) {
  const files = readdirSync(dir).filter((f) => f.startsWith(`${name}.cg.${pid}.`))
    .sort((a, b) => +a.split('.').pop() - +b.split('.').pop());
  const file = join(dir, files[files.length - 1]);
  const m = /^(?:summary|totals): (\d+)/m.exec(readFileSync(file, 'utf8'));
  return { file, ir: +m[1] };
}

async function waitFile(f, ms = 60000) {
  const t0 = Date.now();
  while (!existsSync(f) || readFileSync(f, 'utf8').trim() === '') {
    if (Date.now() - t0 > ms) throw new Error(`${f} not written`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return +readFileSync(f, 'utf8').trim();
}

/* Run phase() between a zero and a dump of pid; instructions per request. */
function measure(dir, name, pid, n, phase, label) {
  control(pid, '-z');
  const r = phase();
  control(pid, '-d');
  const d = lastDump(dir, name, pid);
  const prof = spawnSync('callgrind_annotate', ['--inclusive=yes', '--threshold=99', d.file], { encoding: 'utf8', maxBuffer: 1 << 26 });
  const self = spawnSync('callgrind_annotate', ['--threshold=99', d.file], { encoding: 'utf8', maxBuffer: 1 << 26 });
  writeFileSync(join(OUT, `instr-${label}.txt`), `# ${label}: ${n} requests, ${d.ir} instructions\n` +
    `# inclusive\n${prof.stdout}\n# self\n${self.stdout}`);
  return { per: d.ir / n, r };
}

const fmt = (x) => Math.round(x).toLocaleString('en-US');

/* Transactions committed on the bench database so far. */
function pgXacts(pg) {
  const u = new URL(pg.uri('bench'));
  const r = spawnSync('psql', ['-h', u.hostname, '-p', u.port, '-U', 'synthforge', '-d', 'bench', '-Atc',
    "SELECT xact_commit + xact_rollback FROM pg_stat_database WHERE datname = 'bench'"], { encoding: 'utf8' });
  return +r.stdout.trim();
}

async function main() {
  mkdirSync(OUT, { recursive: true });
  const lines = [];
  const say = (s) => { console.log(s); lines.push(s); };
  const rev = spawnSync('git', ['rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).stdout.trim();
  say(`# make bench-instr at ${rev}${spawnSync('git', ['diff', '--quiet', 'HEAD'], { encoding: 'utf8' }).status ? '+changes' : ''}, ` +
    `${new Date().toISOString().slice(0, 16)}Z (load average ${loadavg()[0].toFixed(1)}: not in these counts)`);
  const fac = await startNode('instant_facilitator.mjs');
  const ledgers = [{ name: 'SQLite', conf: async (dir) => ({ DB: join(dir, 'ledger.db') }) }];
  if (!NO_PG)
    ledgers.push({ name: 'PostgreSQL', conf: async (dir, state) => {
      state.pg = await startPg();
      await state.pg.createDb('bench');
      return { DB: state.pg.uri('bench') };
    } });
  let first = true;
  for (const led of ledgers) {
    const work = mkdtempSync(join(tmpdir(), 'sf-instr-'));
    const state = {};
    const names = ['image_generate', 'sound_effect_generate'];
    const fcgi = fcgiDir(work, names);
    const bare = join(work, 'bare402');
    wrapper(bare, join(BUILD, 'bench/bare402'), work, 'bare402');
    const srv = await startOurs({ FACILITATOR_URL: fac.url, ...await led.conf(work, state) }, {}, { fcgi, bare });
    try {
      // The first request starts the endpoint under valgrind: seconds.
      const pr = await bareResponse(srv);
      const pid = await waitFile(join(work, 'image_generate.pid'));
      const warm = (url, n, payFile) => load({ url, conns: 4, n, payFile });
      if (first) {
        warm(srv.url + PATH, 50);
        const ours = measure(work, 'image_generate', pid, N402, () => load({ url: srv.url + PATH, conns: 8, n: N402 }), '402-ours');
        warm(srv.url + '/bare402', 50);
        const bpid = await waitFile(join(work, 'bare402.pid'));
        const b = measure(work, 'bare402', bpid, N402, () => load({ url: srv.url + '/bare402', conns: 8, n: N402 }), '402-bare');
        if (ours.r.s402 !== N402 || b.r.s402 !== N402) throw new Error('not every answer was a 402');
        say(`\ninstructions per 402 (POST ${PATH}, ${N402} requests, 8 connections), in the responder process:`);
        say(`  synthforge            ${fmt(ours.per).padStart(10)}`);
        say(`  bare libfcgi 402      ${fmt(b.per).padStart(10)}   (ours / bare ${(ours.per / b.per).toFixed(2)}x)`);
      }
      if (ONLY_402) break;
      warm(srv.url + PATH, 16, await sign(pr, 16, work, 'warm'));
      const pays = await sign(pr, NPAID, work, 'paid');
      const x0 = state.pg ? pgXacts(state.pg) : 0;
      const paid = measure(work, 'image_generate', pid, NPAID, () => load({ url: srv.url + PATH, conns: 8, n: NPAID, payFile: pays }),
        `paid-${led.name}`);
      const xacts = state.pg ? (pgXacts(state.pg) - x0) / NPAID : 0;
      if (paid.r.ok !== NPAID) throw new Error(`${led.name}: ${NPAID - paid.r.ok} paid calls failed`);
      say(`\ninstructions per paid call, ${led.name} ledger (${NPAID} calls, 8 connections, 256x256 offline PNG), endpoint process:`);
      say(`  synthforge            ${fmt(paid.per).padStart(10)}${state.pg ? `   (${xacts.toFixed(1)} database transactions per call)` : ''}`);
      if (first) {
        const r = await fetch(srv.url + CHEAP_PATH, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: CHEAP_BODY });
        if (r.status !== 402) throw new Error(`${CHEAP_PATH}: ${r.status}`);
        const cpr = r.headers.get('payment-required');
        const cpid = await waitFile(join(work, 'sound_effect_generate.pid'));
        const cheap = (n, f) => load({ url: srv.url + CHEAP_PATH, conns: 8, n, payFile: f, body: CHEAP_BODY });
        cheap(16, await sign(cpr, 16, work, 'cwarm'));
        const cpays = await sign(cpr, NPAID, work, 'cheap');
        const c = measure(work, 'sound_effect_generate', cpid, NPAID, () => cheap(NPAID, cpays), `paid-cheap-${led.name}`);
        if (c.r.ok !== NPAID) throw new Error(`cheap: ${NPAID - c.r.ok} paid calls failed`);
        say(`  cheapest work (${CHEAP_PATH}, 0.5 s offline audio) ${fmt(c.per)}`);
      }
    } finally {
      await srv.stop();
      if (state.pg) await state.pg.destroy();
      if (process.argv.includes('--keep')) say(`(callgrind dumps kept in ${work})`);
      else rmSync(work, { recursive: true, force: true, maxRetries: 5, retryDelay: 200 });  // a dump may still be being written
    }
    first = false;
  }
  await stop(fac.child);
  writeFileSync(join(OUT, 'instr-last.txt'), lines.join('\n') + '\n');
}

main().then(() => process.exit(0), (e) => { console.error(`bench-instr: ${e.stack || e}`); process.exit(1); });
