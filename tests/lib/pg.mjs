// A real PostgreSQL (Debian's postgresql-15) for the tests: a fresh
// cluster in a temporary folder, on a free port, on 127.0.0.1 only, with
// trust authentication for the user "synthforge".  PostgreSQL refuses to
// run as root, so when we are root the cluster belongs to "nobody".
//
//   import { startPg } from '../lib/pg.mjs';
//   const pg = await startPg();  await pg.createDb('x');  pg.uri('x');
//   await pg.stop(); await pg.start();  // same data, same port
//   await pg.destroy();
//
// As a program it runs commands against a fresh cluster and removes it:
//   node tests/lib/pg.mjs CMD [CMD...]   (each a shell command line, run
//   with SF_TEST_PG=postgresql://synthforge@127.0.0.1:PORT/ in the
//   environment; exit 1 if any fails)
import { spawn, execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, chmodSync, chownSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import net from 'node:net';

const BIN = process.env.SF_PG_BIN || '/usr/lib/postgresql/15/bin';
const USER = 'synthforge';

function freePort() {
  return new Promise((res, rej) => {
    const s = net.createServer();
    s.once('error', rej);
    s.listen(0, '127.0.0.1', () => { const p = s.address().port; s.close(() => res(p)); });
  });
}

// uid/gid to run PostgreSQL as: ourselves, or nobody when root.
function owner() {
  if (process.getuid?.() !== 0) return {};
  const uid = Number(execFileSync('id', ['-u', 'nobody']).toString());
  const gid = Number(execFileSync('id', ['-g', 'nobody']).toString());
  return { uid, gid };
}

const live = new Set();
process.once('exit', () => { for (const c of live) { try { c.kill('SIGKILL'); } catch { /* gone */ } } });

export async function startPg() {
  if (!existsSync(join(BIN, 'postgres'))) throw new Error(`${BIN}/postgres missing: apt-get install postgresql`);
  const dir = mkdtempSync(join(tmpdir(), 'sf-pg-'));
  const data = join(dir, 'data');
  const who = owner();
  chmodSync(dir, 0o755);
  if (who.uid !== undefined) chownSync(dir, who.uid, who.gid);
  const r = spawnSync(join(BIN, 'initdb'), ['-D', data, '-U', USER, '--auth=trust', '-E', 'UTF8', '--no-sync', '--no-instructions'],
    { ...who, cwd: dir, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`initdb failed: ${r.stderr || r.error}`);
  const port = await freePort();
  let proc = null;
  let log = '';

  async function ready(ms = 20000) {
    const t0 = Date.now();
    for (;;) {
      const q = spawnSync('psql', ['-h', '127.0.0.1', '-p', String(port), '-U', USER, '-d', 'postgres', '-Atc', 'SELECT 1'], { encoding: 'utf8' });
      if (q.status === 0 && q.stdout.trim() === '1') return;
      if (proc.exitCode !== null) throw new Error(`postgres exited ${proc.exitCode}: ${log}`);
      if (Date.now() - t0 > ms) throw new Error(`postgres not ready after ${ms} ms: ${log}`);
      await new Promise((res) => setTimeout(res, 100));
    }
  }

  async function start() {
    proc = spawn(join(BIN, 'postgres'), ['-D', data, '-p', String(port), '-k', dir,
      '-c', 'listen_addresses=127.0.0.1', '-c', 'fsync=off', '-c', 'max_connections=300',
      '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off'],
    { ...who, cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
    live.add(proc);
    proc.once('exit', () => live.delete(proc));
    proc.stderr.on('data', (d) => { log = (log + d).slice(-4000); });
    await ready();
  }

  // Fast shutdown: open sessions are cut, as when the server goes away.
  async function stop() {
    if (!proc || proc.exitCode !== null || proc.signalCode !== null) return;
    const p = proc;
    const done = new Promise((res) => p.once('exit', res));
    p.kill('SIGINT');
    await Promise.race([done, new Promise((res) => setTimeout(res, 10000))]);
    if (p.exitCode === null && p.signalCode === null) { p.kill('SIGKILL'); await done; }
  }

  function psql(db, sql) {
    return execFileSync('psql', ['-h', '127.0.0.1', '-p', String(port), '-U', USER, '-d', db, '-v', 'ON_ERROR_STOP=1', '-Atc', sql],
      { encoding: 'utf8' }).trim();
  }

  await start();
  return {
    port, dir,
    base: `postgresql://${USER}@127.0.0.1:${port}/`,
    uri: (db) => `postgresql://${USER}@127.0.0.1:${port}/${db}`,
    createDb: async (name) => { psql('postgres', `CREATE DATABASE ${name}`); },
    // Rows of a query as JSON objects.
    query: (db, sql) => {
      const out = psql(db, `SELECT coalesce(json_agg(t), '[]') FROM (${sql}) t`);
      return JSON.parse(out || '[]');
    },
    start, stop,
    log: () => log,
    destroy: async () => { await stop(); rmSync(dir, { recursive: true, force: true }); },
  };
}

// node tests/lib/pg.mjs CMD...
if (import.meta.url === `file://${process.argv[1]}`) {
  const cmds = process.argv.slice(2);
  const pg = await startPg();
  let fail = 0;
  try {
    for (const c of cmds) {
      console.log(`# ${c} (PostgreSQL on port ${pg.port})`);
      const code = await new Promise((res) => {
        const ch = spawn('sh', ['-c', c], { stdio: 'inherit', env: { ...process.env, SF_TEST_PG: pg.base } });
        ch.once('exit', (cd) => res(cd));
      });
      if (code !== 0) fail = 1;
    }
  } finally {
    await pg.destroy();
  }
  process.exit(fail);
}
