// make install into a temporary root, then run the installed copy: its
// sf-hostconf writes the lighttpd configuration for its own binaries and
// site, an endpoint answers 402, sf-ops answers /healthz and /metrics, and
// the installed synthforge-ctl checks a configuration.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, existsSync, readFileSync, readdirSync, statSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { startServer, endpoints, TOP, BUILD } from '../lib/server.mjs';

const root = mkdtempSync(join(tmpdir(), 'sf-destdir-'));
const usr = join(root, 'usr');
const lib = join(usr, 'lib/synthforge');
let srv;

before(() => {
  execFileSync('make', ['-s', '-C', TOP, `B=${relative(TOP, BUILD) || 'build'}`, 'install', `DESTDIR=${root}`, 'PREFIX=/usr'],
    { stdio: ['ignore', 'ignore', 'inherit'] });
});
after(async () => { await srv?.stop(); rmSync(root, { recursive: true, force: true }); });

test('the packaged layout', () => {
  for (const ep of endpoints()) assert.ok(existsSync(join(lib, ep.stem)), `${ep.stem} installed`);
  for (const f of ['sf-ops', 'sf-hostconf']) assert.ok(statSync(join(lib, f)).mode & 0o111, f);
  assert.ok(existsSync(join(usr, 'bin/synthforge-ctl')));
  assert.ok(existsSync(join(usr, 'share/doc/synthforge/synthforge.conf.example')));
  const units = join(usr, 'lib/systemd/system');
  for (const u of ['synthforge@.service', 'synthforge@.socket', 'synthforge.target', 'synthforge-settle.service', 'synthforge-settle.timer'])
    assert.ok(existsSync(join(units, u)), u);
  const svc = readFileSync(join(units, 'synthforge@.service'), 'utf8');
  assert.match(svc, /^ExecStart=\/usr\/lib\/synthforge\/%i$/m, 'paths substituted');
  assert.match(svc, /^User=synthforge$/m, 'unprivileged');
  assert.match(svc, /^StandardInput=socket$/m);
  assert.doesNotMatch(svc, /@[A-Z]+@/);
  const target = readFileSync(join(units, 'synthforge.target'), 'utf8');
  assert.match(target, /^Wants=synthforge@image_generate\.socket$/m);
  assert.match(target, /^Wants=synthforge@sf-ops\.socket$/m);
  assert.ok(existsSync(join(usr, 'lib/sysusers.d/synthforge.conf')));
  assert.ok(existsSync(join(usr, 'lib/tmpfiles.d/synthforge.conf')));
  // Nothing outside the prefix (no /etc, no /var written).
  assert.deepEqual(readdirSync(root), ['usr']);
  // Man pages, once `make pages` exists and produced them.
  if (existsSync(join(TOP, 'manpages')) && readdirSync(join(TOP, 'manpages')).some((f) => /\.[17]$/.test(f)))
    assert.ok(readdirSync(join(usr, 'share/man/man1')).length + readdirSync(join(usr, 'share/man/man7')).length > 0);
});

test('the installed copy serves: 402, /healthz, /metrics', async () => {
  const www = join(usr, 'share/synthforge/www');
  srv = await startServer({ server: 'lighttpd', www, fcgiDir: lib, binDir: lib });
  const r = await fetch(`${srv.url}/v1/image-generate`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"prompt":"a cat"}' });
  assert.equal(r.status, 402);
  assert.ok(r.headers.get('payment-required'));
  const h = await fetch(`${srv.url}/healthz`);
  const j = await h.json();
  assert.equal(j.checks.ledger.ok, true);
  assert.ok([200, 503].includes(h.status));	// no facilitator reachable here
  const m = await fetch(`${srv.url}/metrics`);
  assert.equal(m.status, 200);
  assert.match(await m.text(), /^# TYPE synthforge_requests_total counter$/m);
  const conf = readFileSync(join(srv.run, 'lighttpd.conf'), 'utf8');
  assert.match(conf, new RegExp(`"bin-path" => "${lib}/image_generate"`));
  assert.match(conf, new RegExp(`"bin-path" => "${lib}/sf-ops"`));
});

test('installed synthforge-ctl check: testnet ready, mainnet gaps named', () => {
  const ctl = join(usr, 'bin/synthforge-ctl');
  const conf = join(root, 'check.conf');
  writeFileSync(conf, 'NETWORKS=base-sepolia\nPAY_TO=0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC\n');
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('SYNTHFORGE_') && !/_API_KEY$|_API_TOKEN$|^FAL_KEY$/.test(k)));
  const ok = spawnSync(ctl, ['check', conf], { env, encoding: 'utf8' });
  assert.equal(ok.status, 0, ok.stdout + ok.stderr);
  assert.match(ok.stdout, /^ready$/m);
  const main = spawnSync(ctl, ['check', '--mainnet', conf], { env, encoding: 'utf8' });
  assert.equal(main.status, 1);
  assert.match(main.stdout, /^MISSING\tFACILITATOR_URL\t/m);
  assert.match(main.stdout, /^MISSING\toffline\timage-generate\/[^:]+: [A-Z_]+ is not set$/m);
  assert.match(main.stdout, /^NOT READY$/m);
  writeFileSync(conf, 'NETWORKS=base\n');
  const nopay = spawnSync(ctl, ['check', conf], { env, encoding: 'utf8' });
  assert.equal(nopay.status, 1);
  assert.match(nopay.stdout, /PAY_TO/);
});
