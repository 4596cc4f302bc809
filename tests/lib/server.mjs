// Start a real web server (lighttpd by default, or Apache with
// mod_proxy_fcgi, or nginx) serving the site and every endpoint binary,
// with a configuration of the test's choosing, on a free port.  The server
// configuration comes from sf-hostconf, as in `make run`.  lighttpd starts
// the endpoint binaries itself; for Apache and nginx they are started here
// with spawn-fcgi (one process per endpoint, plus sf-ops and sf-mcp).  Everything
// started is stopped by stop(), and killed if the test process exits first.
import { spawn, execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, mkdirSync, readFileSync, existsSync, chmodSync, cpSync, readdirSync, appendFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import net from 'node:net';

export const TOP = resolve(new URL('../..', import.meta.url).pathname);
export const BUILD = process.env.SF_BUILD ? resolve(TOP, process.env.SF_BUILD) : join(TOP, 'build');
export const SERVERS = ['lighttpd', 'apache', 'nginx'];

const live = new Set();
process.once('exit', () => { for (const c of live) { try { c.kill('SIGKILL'); } catch { /* gone */ } } });
function track(c) { live.add(c); c.once('exit', () => live.delete(c)); return c; }

// Sanitizer findings.  Every process started here (the web server, whose
// stderr lighttpd's endpoint processes share, and each spawn-fcgi child)
// writes its stderr through us: it is copied to ours and scanned, so a
// memory error is caught even after its response was written.  Findings
// fail this test file (exit status 1) and, when SF_SANITIZER_LOG names a
// file, are appended there for make asan-integ to check.
export const SANITIZER = /AddressSanitizer|LeakSanitizer|ThreadSanitizer|MemorySanitizer|UndefinedBehaviorSanitizer|runtime error:/;
export const sanitizerFindings = [];
function scanLine(line, who) {
  if (!SANITIZER.test(line)) return;
  sanitizerFindings.push(`${who}: ${line}`);
  if (process.env.SF_SANITIZER_LOG) appendFileSync(process.env.SF_SANITIZER_LOG, `${who}: ${line}\n`);
}
// keep(d): when given, what the child writes is kept by the caller instead
// of being passed through (it is scanned either way).
function scanStderr(child, who, keep) {
  let rest = '';
  child.stderr.on('data', (d) => {
    if (keep) keep(d); else process.stderr.write(d);
    const lines = (rest + d).split('\n');
    rest = lines.pop();
    for (const l of lines) scanLine(l, who);
  });
  child.stderr.once('end', () => { if (rest) scanLine(rest, who); });
  child.stderrDone = new Promise((r) => child.stderr.once('close', r));
  return child;
}
process.once('exit', () => {
  if (sanitizerFindings.length === 0) return;
  process.stderr.write(`\n# SANITIZER FINDINGS in endpoint processes (${sanitizerFindings.length} lines):\n`
    + sanitizerFindings.map((l) => `#   ${l}`).join('\n') + '\n');
  process.exitCode = 1;
});

// Child processes of pid, from /proc (lighttpd starts the endpoint
// processes itself).
export function childPids(pid) {
  const out = [];
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
      // pid (comm) state ppid ...: comm may hold spaces and parentheses.
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === pid) out.push(Number(d));
    } catch { /* gone meanwhile */ }
  }
  return out;
}

/** True while pid exists and is not a zombie. */
export function alive(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch { return false; }
}

export function freePort() {
  return new Promise((res, rej) => {
    const s = net.createServer();
    s.once('error', rej);
    s.listen(0, '127.0.0.1', () => { const p = s.address().port; s.close(() => res(p)); });
  });
}

async function waitPort(port, ms = 10000, proc) {
  const t0 = Date.now();
  for (;;) {
    const ok = await new Promise((r) => {
      const c = net.connect(port, '127.0.0.1', () => { c.end(); r(true); });
      c.on('error', () => r(false));
    });
    if (ok) return;
    if (proc && proc.exitCode !== null) throw new Error(`server exited (${proc.exitCode}) before listening on ${port}`);
    if (Date.now() - t0 > ms) throw new Error(`port ${port} not listening after ${ms} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function waitSocket(path, child, ms = 10000) {
  const t0 = Date.now();
  while (!existsSync(path)) {
    if (child.exitCode !== null) throw new Error(`${path}: spawn-fcgi exited ${child.exitCode}`);
    if (Date.now() - t0 > ms) throw new Error(`${path} not created after ${ms} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

async function stopChild(c, ms = 5000) {
  if (c.exitCode !== null || c.signalCode !== null) return;
  const done = new Promise((r) => c.once('exit', r));
  c.kill('SIGTERM');
  await Promise.race([done, new Promise((r) => setTimeout(r, ms))]);
  if (c.exitCode === null && c.signalCode === null) { c.kill('SIGKILL'); await done; }
}
// Stopped, and every byte of its stderr read (and scanned).
async function stopAndDrain(c) {
  await stopChild(c);
  await Promise.race([c.stderrDone, new Promise((r) => setTimeout(r, 2000))]);
}

// Whether www-data (the Apache/nginx workers' user when we are root) can
// read the files of dir: every folder above it must let them through.
export function workersReach(dir) {
  const r = spawnSync('runuser', ['-u', 'www-data', '--', 'test', '-r', dir, '-a', '-x', dir]);
  return r.status === 0;
}

// All endpoint definitions as the binaries see them.
export function endpoints() {
  return JSON.parse(execFileSync(join(BUILD, 'bin/sf-hostconf'), ['endpoints'], {
    env: { ...process.env, SYNTHFORGE_PAY_TO: '0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC' },
  }).toString());
}

const ERROR_LOG = { lighttpd: 'lighttpd.error.log', apache: 'apache.error.log', nginx: 'nginx.error.log' };

// conf: object of configuration keys (without the SYNTHFORGE_ prefix).
// env: extra environment (provider keys, base URLs).
// server: 'lighttpd' | 'apache' | 'nginx'.
// fcgiDir / binDir: where the endpoint binaries and sf-hostconf are (an
// installed tree keeps both in one directory); opsBin: sf-ops; mcpBin:
// sf-mcp (each found next to the binaries or in ../bin when not given).
// captureStderr: keep what the server and the endpoints write to stderr
// (their log lines) for stderrText() instead of passing it through.
export async function startServer({ conf = {}, env = {}, www, server = 'lighttpd', fcgiDir, binDir, opsBin, mcpBin, captureStderr = false } = {}) {
  if (!SERVERS.includes(server)) throw new Error(`unknown server ${server}`);
  const dir = mkdtempSync(join(tmpdir(), `sf-${server}-`));
  const run = join(dir, 'run');
  mkdirSync(run);
  mkdirSync(join(dir, 'media'));
  // Apache and nginx workers run as www-data when we are root: the run
  // directory and the media are made reachable, and a site they cannot
  // read (a checkout in a 0700 folder) is served from a copy.
  let site = www || join(TOP, 'www');
  if (server !== 'lighttpd') {
    for (const d of [dir, run, join(dir, 'media')]) chmodSync(d, 0o755);
    if (process.getuid?.() === 0 && !workersReach(site)) {
      cpSync(site, join(dir, 'www'), { recursive: true });
      site = join(dir, 'www');
    }
  }
  const port = await freePort();
  const settings = {
    PAY_TO: '0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC',
    PORT: String(port),
    PUBLIC_URL: `http://127.0.0.1:${port}`,
    MEDIA_DIR: join(dir, 'media'),
    DB: join(dir, 'ledger.db'),
    // The networks' public RPCs are never reached from a test: off unless
    // the test names its own (RPC_DEFAULTS=base-sepolia=<anvil>).
    RPC_DEFAULTS: 'off',
    ...conf,
  };
  const cfgFile = join(dir, 'synthforge.conf');
  writeFileSync(cfgFile, Object.entries(settings).map(([k, v]) => `${k}=${v}`).join('\n') + '\n');
  // Only what the test chose: no SYNTHFORGE_* or provider keys leak in.
  const base = Object.fromEntries(Object.entries(process.env).filter(([k]) =>
    !k.startsWith('SYNTHFORGE_') && !/_API_KEY$|_API_TOKEN$|_BASE_URL$|^FAL_KEY$/.test(k)));
  const childEnv = { ...base, SYNTHFORGE_CONFIG: cfgFile, ...env };
  const fcgi = fcgiDir || join(BUILD, 'fcgi');
  const hostconf = join(binDir || join(BUILD, 'bin'), 'sf-hostconf');
  const extra = mcpBin ? [opsBin || '', mcpBin] : opsBin ? [opsBin] : [];
  const conffile = join(run, `${server}.conf`);
  writeFileSync(conffile, execFileSync(hostconf, [server, site, run, fcgi, ...extra], { env: childEnv }));

  const spawned = [];
  const logPath = join(run, ERROR_LOG[server]);
  let proc, stderrBuf = '';
  const stopAll = async () => {
    // lighttpd stops the endpoint processes it started; one it forked just
    // before can lose that SIGTERM inside lighttpd's fork (1.4.69 handles
    // it there, before the exec) and would outlive it holding our stderr
    // pipe: what is left after 5 s gets SIGTERM again, then SIGKILL.
    const kids = proc && server === 'lighttpd' ? childPids(proc.pid) : [];
    if (proc) await stopAndDrain(proc);
    for (const sig of ['SIGTERM', 'SIGKILL']) {
      for (let i = 0; i < 50 && kids.some(alive); i++) await new Promise((r) => setTimeout(r, 100));
      for (const k of kids.filter(alive)) { try { process.kill(k, sig); } catch { /* gone */ } }
    }
    await Promise.all(spawned.map((c) => stopAndDrain(c)));
    if (existsSync(logPath)) for (const l of readFileSync(logPath, 'utf8').split('\n')) scanLine(l, `${server} error log`);
  };
  try {
    if (server !== 'lighttpd') {
      const list = execFileSync(hostconf, ['spawn', run, fcgi, ...extra], { env: childEnv }).toString()
        .trim().split('\n').map((l) => l.split('\t'));
      const grp = process.getuid?.() === 0 ? ['-G', 'www-data', '-M', '0660'] : ['-M', '0600'];
      for (const [, sock, bin] of list) {
        // -n: spawn-fcgi execs the binary in place, so it is our child.
        const c = scanStderr(track(spawn('spawn-fcgi', ['-n', '-s', sock, ...grp, '--', bin],
          { env: childEnv, stdio: ['ignore', 'inherit', 'pipe'] })), bin,
          captureStderr ? (d) => { stderrBuf += d; } : undefined);
        spawned.push(c);
        await waitSocket(sock, c);
      }
    }
    const argv = {
      lighttpd: ['lighttpd', ['-D', '-f', conffile]],
      apache: ['apache2', ['-DFOREGROUND', '-f', conffile]],
      nginx: ['nginx', ['-p', run, '-c', conffile, '-g', 'daemon off;']],
    }[server];
    proc = scanStderr(track(spawn(argv[0], argv[1], { env: childEnv, stdio: ['ignore', 'inherit', 'pipe'] })), server,
      captureStderr ? (d) => { stderrBuf += d; } : undefined);
    await waitPort(port, 10000, proc);
    if (server === 'lighttpd') {
      // lighttpd may listen before it has started every endpoint process.
      const want = execFileSync(hostconf, ['spawn', run, fcgi, ...extra], { env: childEnv }).toString().trim().split('\n').length;
      const t0 = Date.now();
      while (childPids(proc.pid).length < want) {
        if (proc.exitCode !== null) throw new Error(`lighttpd exited (${proc.exitCode})`);
        if (Date.now() - t0 > 30000) throw new Error(`lighttpd started ${childPids(proc.pid).length} of ${want} processes in 30 s`);
        await new Promise((r) => setTimeout(r, 20));
      }
    }
  } catch (e) { await stopAll(); throw e; }
  const url = `http://127.0.0.1:${port}`;
  return {
    url, port, dir, run, server, cfgFile, env: childEnv,
    // The endpoint (and ops, MCP) processes: lighttpd's children, or ours.
    pids: () => (server === 'lighttpd' ? childPids(proc.pid) : spawned.map((c) => c.pid)),
    errorLog: () => (existsSync(logPath) ? readFileSync(logPath, 'utf8') : ''),
    stderrText: () => stderrBuf,
    stop: stopAll,
  };
}

export function decodeB64Json(s) {
  return JSON.parse(Buffer.from(s, 'base64').toString('utf8'));
}

// The endpoint's example request with every URL input pointing at a PNG the
// fake providers serve (the sandbox has no DNS; localhost is allowed to
// the fetch guard with URL_ALLOW=localhost).
export function localExample(ep, fakesPort) {
  const body = { ...ep.example };
  for (const k of ep.url_inputs || []) if (k in body) body[k] = `http://localhost:${fakesPort}/files/input-${k}.png?w=64&h=48`;
  return body;
}
