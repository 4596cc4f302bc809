// Start a real lighttpd serving the site and every endpoint binary, with a
// configuration of the test's choosing, on a free port.  Used by the
// integration tests; everything it starts is stopped by stop().
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, mkdirSync, readFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import net from 'node:net';

export const TOP = resolve(new URL('../..', import.meta.url).pathname);
export const BUILD = process.env.SF_BUILD ? resolve(TOP, process.env.SF_BUILD) : join(TOP, 'build');

export function freePort() {
  return new Promise((res, rej) => {
    const s = net.createServer();
    s.once('error', rej);
    s.listen(0, '127.0.0.1', () => { const p = s.address().port; s.close(() => res(p)); });
  });
}

async function waitPort(port, ms = 10000) {
  const t0 = Date.now();
  for (;;) {
    const ok = await new Promise((r) => {
      const c = net.connect(port, '127.0.0.1', () => { c.end(); r(true); });
      c.on('error', () => r(false));
    });
    if (ok) return;
    if (Date.now() - t0 > ms) throw new Error(`port ${port} not listening after ${ms} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

// All endpoint definitions as the binaries see them.
export function endpoints() {
  return JSON.parse(execFileSync(join(BUILD, 'bin/sf-hostconf'), ['endpoints'], {
    env: { ...process.env, SYNTHFORGE_PAY_TO: '0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC' },
  }).toString());
}

// conf: object of configuration keys (without the SYNTHFORGE_ prefix).
// env: extra environment (provider keys, base URLs).
export async function startServer({ conf = {}, env = {}, www } = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'sf-lighttpd-'));
  const run = join(dir, 'run');
  mkdirSync(run);
  mkdirSync(join(dir, 'media'));
  const port = await freePort();
  const settings = {
    PAY_TO: '0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC',
    PORT: String(port),
    PUBLIC_URL: `http://127.0.0.1:${port}`,
    MEDIA_DIR: join(dir, 'media'),
    DB: join(dir, 'ledger.db'),
    ...conf,
  };
  const cfgFile = join(dir, 'synthforge.conf');
  writeFileSync(cfgFile, Object.entries(settings).map(([k, v]) => `${k}=${v}`).join('\n') + '\n');
  // Only what the test chose: no SYNTHFORGE_* or provider keys leak in.
  const base = Object.fromEntries(Object.entries(process.env).filter(([k]) =>
    !k.startsWith('SYNTHFORGE_') && !/_API_KEY$|_API_TOKEN$|_BASE_URL$|^FAL_KEY$/.test(k)));
  const childEnv = { ...base, SYNTHFORGE_CONFIG: cfgFile, ...env };
  const conffile = join(run, 'lighttpd.conf');
  const out = execFileSync(join(BUILD, 'bin/sf-hostconf'),
    ['lighttpd', www || join(TOP, 'www'), run, join(BUILD, 'fcgi')], { env: childEnv });
  writeFileSync(conffile, out);
  const proc = spawn('lighttpd', ['-D', '-f', conffile], { env: childEnv, stdio: ['ignore', 'inherit', 'inherit'] });
  let exited = false;
  proc.on('exit', () => { exited = true; });
  await waitPort(port);
  const url = `http://127.0.0.1:${port}`;
  return {
    url, port, dir, cfgFile, env: childEnv,
    errorLog: () => (existsSync(join(run, 'lighttpd.error.log')) ? readFileSync(join(run, 'lighttpd.error.log'), 'utf8') : ''),
    async stop() {
      if (exited) return;
      const done = new Promise((r) => proc.on('exit', r));
      proc.kill('SIGTERM');
      await Promise.race([done, new Promise((r) => setTimeout(r, 5000))]);
      if (!exited) proc.kill('SIGKILL');
    },
  };
}

export function decodeB64Json(s) {
  return JSON.parse(Buffer.from(s, 'base64').toString('utf8'));
}
