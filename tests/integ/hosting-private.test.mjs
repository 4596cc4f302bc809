// A checkout other users cannot enter (issue 15, item 5): a copy of this
// checkout inside a 0700 folder (as `mktemp -d` makes, or a 0700 home).
// Apache and nginx run their workers as www-data when started as root,
// so they must still reach the sockets, the site and the media: the
// hosting suites (which use the checkout's own site) run from the copy,
// and `make run SERVER=apache|nginx` (etc/run.sh) serves from it.  And a
// fresh checkout's `make bench` installs the npm tree its peer needs.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, cpSync, symlinkSync, statSync, realpathSync, rmSync, existsSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, basename } from 'node:path';
import { TOP, BUILD, freePort, workersReach } from '../lib/server.mjs';

const root = process.getuid?.() === 0;
const why = !root && 'not root: Apache and nginx workers run as this user, nothing to reach';
const base = mkdtempSync(join(tmpdir(), 'sf-private-'));
const copy = join(base, 'synthforge');
const rtDirs = [];
after(() => {
  rmSync(base, { recursive: true, force: true });
  for (const d of rtDirs) rmSync(d, { recursive: true, force: true });
});

// The working tree as it is (sources, the build in use, the generated
// site), without other builds, run-time state or the npm tree (linked).
function makeCopy() {
  const skip = new Set(['.git', 'var', 'tests/node_modules', 'tests/artifacts']);
  cpSync(TOP, copy, {
    recursive: true, preserveTimestamps: true,
    filter: (src) => {
      const rel = relative(TOP, src);
      if (skip.has(rel)) return false;
      // Only the build the suites use.
      return !/^build/.test(rel) || rel.split('/')[0] === relative(TOP, BUILD).split('/')[0];
    },
  });
  symlinkSync(realpathSync(join(TOP, 'tests/node_modules')), join(copy, 'tests/node_modules'));
}

test('the copy sits in a folder www-data cannot enter', { skip: why }, () => {
  makeCopy();
  assert.equal(statSync(base).mode & 0o777, 0o700);
  assert.equal(workersReach(join(copy, 'www')), false, 'the premise of this suite');
  assert.equal(workersReach(tmpdir()), true, 'the temporary folder itself is reachable');
});

test('the hosting suites pass from the copy (lighttpd, Apache, nginx)', { skip: why }, () => {
  const suites = ['integ/hosting.test.mjs', 'integ/hosting-paid.test.mjs', 'integ/mcp.test.mjs'];
  const r = spawnSync(process.execPath, ['--test', '--test-reporter=tap', '--test-concurrency=1', ...suites], {
    // Without NODE_TEST_CONTEXT: a runner of its own, reporting in TAP.
    cwd: join(copy, 'tests'), encoding: 'utf8', timeout: 600000,
    env: Object.fromEntries(Object.entries(process.env).filter(([k]) => k !== 'NODE_TEST_CONTEXT')),
  });
  // Every failing subtest with its YAML block (the assertion, the
  // values): the copy's output is long and the tail rarely holds them.
  const lines = (r.stdout || '').split('\n');
  const failed = [];
  lines.forEach((l, i) => {
    const m = /^(\s*)not ok /.exec(l);
    if (!m) return;
    let j = i + 1;
    while (j < lines.length && j - i < 60 && lines[j] !== `${m[1]}  ...`) j++;
    failed.push(lines.slice(i, j + 1).join('\n'));
  });
  const summary = lines.filter((l) => /^# (pass|fail)/.test(l)).join('\n');
  assert.equal(r.status, 0, `${summary}\n${failed.join('\n')}\n${(r.stderr || '').slice(-2000)}`);
  assert.match(r.stdout, /^# fail 0$/m);
  assert.doesNotMatch(r.stdout, /^# pass 0$/m);
});

// etc/run.sh is what `make run` starts once the build is done.
for (const server of ['apache', 'nginx']) {
  test(`make run SERVER=${server} serves from the copy: 402, the site, /metrics, /mcp, /media/`, { skip: why }, async () => {
    const port = await freePort();
    const child = spawn('sh', ['etc/run.sh', server, String(port)], {
      cwd: copy, stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('SYNTHFORGE_'))),
        SYNTHFORGE_PAY_TO: '0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC', SYNTHFORGE_PUBLIC_URL: `http://127.0.0.1:${port}` },
    });
    let out = '';
    child.stdout.on('data', (d) => { out += d; });
    child.stderr.on('data', (d) => { out += d; });
    const exited = new Promise((r) => child.once('exit', r));
    try {
      // Started: run.sh says so once every socket is up.
      const t0 = Date.now();
      while (!/synthforge on http/.test(out)) {
        assert.equal(child.exitCode, null, out);
        assert.ok(Date.now() - t0 < 30000, out);
        await new Promise((r) => setTimeout(r, 50));
      }
      const rt = out.match(/sockets, media and the site under (\S+)/);
      assert.ok(rt, `run.sh moved what www-data must reach:\n${out}`);
      rtDirs.push(rt[1]);
      const url = `http://127.0.0.1:${port}`;
      let r;
      for (let i = 0; i < 100; i++) {	// the server binds after run.sh's line
        r = await fetch(`${url}/v1/image-generate`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"prompt":"a private checkout"}' }).catch(() => null);
        if (r) break;
        await new Promise((res) => setTimeout(res, 100));
      }
      assert.equal(r.status, 402, await r.text());
      const page = await fetch(`${url}/`);
      assert.equal(page.status, 200);
      assert.match(await page.text(), /synthforge/);
      const m = await fetch(`${url}/metrics`);
      assert.equal(m.status, 200, await m.clone().text());
      const mcp = await fetch(`${url}/mcp`, { method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json' },
        body: '{"jsonrpc":"2.0","id":1,"method":"ping"}' });
      assert.equal(mcp.status, 200, await mcp.clone().text());
      // The media folder run.sh chose is served.
      const media = join(rt[1], 'media');
      assert.ok(existsSync(media));
      spawnSync('sh', ['-c', `printf png > ${media}/private-probe.png`]);
      const f = await fetch(`${url}/media/private-probe.png`);
      assert.equal(f.status, 200);
      assert.equal(await f.text(), 'png');
    } finally {
      child.kill('SIGTERM');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 10000))]);
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    }
    assert.ok(basename(rtDirs.at(-1)).startsWith('synthforge-'));
    assert.ok(!readFileSync(join(rtDirs.at(-1), 'run', `${server}.conf`), 'utf8').includes(base), 'nothing served from inside the 0700 folder');
  });
}

test('make bench on a fresh checkout installs tests/node_modules before the viem comparison', () => {
  const fresh = join(base, 'fresh');
  cpSync(TOP, fresh, { recursive: true, filter: (src) => !/^(\.git|var|build[^/]*|tests\/node_modules|tests\/artifacts)$/.test(relative(TOP, src)) });
  assert.equal(existsSync(join(fresh, 'tests/node_modules')), false);
  // -n: the plan, not the run (npm ci needs the network).
  const r = spawnSync('make', ['-n', 'bench'], { cwd: fresh, encoding: 'utf8', timeout: 120000 });
  assert.equal(r.status, 0, r.stderr);
  const lines = r.stdout.split('\n');
  const npm = lines.findIndex((l) => /\bnpm\b.*\sci\b/.test(l));
  // bench/bench.mjs runs every comparison, viem's among them.
  assert.match(readFileSync(join(fresh, 'bench/bench.mjs'), 'utf8'), /viem_verify\.mjs/);
  const viem = lines.findIndex((l) => /node bench\/(bench|viem_verify)\.mjs/.test(l));
  assert.ok(viem >= 0, 'the comparisons run');
  assert.ok(npm >= 0 && npm < viem, `npm ci (line ${npm}) before the comparison (line ${viem})`);
});
