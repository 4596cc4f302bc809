// make try (issue 18): run as a newcomer would, non-interactively, from a
// folder that is not the checkout; then check what it printed against the
// chain, read here with viem, while the stack is held open (--hold), and
// that nothing it started survives it.  The offline provider does the
// work, so the upstream count is the number of stored media files.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createPublicClient, http, parseAbi, parseEventLogs, getAddress } from 'viem';
import { ROOT } from '../lib/chain.mjs';

// Written from the price table of docs/calling.md and the anvil accounts, not from the code.
const PRICE = { 'image-generate': 10_000n, 'text-to-speech': 50_000n };	// $0.01, $0.05 at 6 decimals
const PAYER = '0x70997970C51812dc3A010C7d01b50e0d17dc79C8';		// anvil #1
const PAY_TO = '0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC';		// anvil #2
const MINTED = 1000_000_000n;						// 1000 USDC
const ERC20 = parseAbi(['event Transfer(address indexed from, address indexed to, uint256 value)',
  'function balanceOf(address) view returns (uint256)']);

const atomic = (s) => { const [i, f] = s.split('.'); return BigInt(i) * 1_000_000n + BigInt(f.padEnd(6, '0')); };

/** `make -f CHECKOUT/Makefile try ...` from an empty folder; resolves once `ready` matches stdout. */
function makeTry(args, { ready } = {}) {
  const cwd = fs.mkdtempSync(path.join(os.tmpdir(), 'sf-try-cwd-'));
  // As a newcomer's shell would: no make of ours around it (its jobserver, flags).
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(MAKEFLAGS|MFLAGS|MAKELEVEL|MAKEOVERRIDES)$/.test(k)));
  const child = spawn('make', ['-f', path.join(ROOT, 'Makefile'), 'try', ...args], { cwd, stdio: ['pipe', 'pipe', 'pipe'],
    env: { ...env, NO_COLOR: '1' } });
  let stdout = '', stderr = '';
  child.stdout.on('data', (d) => { stdout += d; });
  child.stderr.on('data', (d) => { stderr += d; });
  const exited = new Promise((r) => child.once('exit', (code) => r(code)));
  const seen = ready && new Promise((resolve, reject) => {
    child.stdout.on('data', () => { if (ready.test(stdout)) resolve(); });
    exited.then((code) => reject(new Error(`make try exited ${code} early\n${stdout}\n${stderr}`)));
  });
  return { child, cwd, out: () => stdout, err: () => stderr, exited, seen };
}

// Processes anywhere on the machine started with this stack's configuration.
function processesWith(marker) {
  const found = [];
  for (const d of fs.readdirSync('/proc').filter((x) => /^\d+$/.test(x))) {
    try { if (fs.readFileSync(`/proc/${d}/environ`, 'latin1').includes(marker)) found.push(+d); } catch { /* gone */ }
  }
  return found;
}

test('make try TRY_EXIT=1 from another folder: pays, replays, and its printed figures are the chain\'s', async () => {
  const summaryFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'sf-try-sum-')), 'summary.json');
  const run = makeTry(['TRY_EXIT=1', `TRY_ARGS=--summary ${summaryFile} --hold`], { ready: /holding the stack/ });
  try {
    await run.seen;
    const text = run.out();
    const s = JSON.parse(fs.readFileSync(summaryFile, 'utf8'));
    const pub = createPublicClient({ transport: http(s.rpc) });
    const token = getAddress(s.asset);
    assert.equal(getAddress(s.payer), PAYER);
    assert.equal(getAddress(s.payTo), PAY_TO);
    const bal = (who, blockNumber) => pub.readContract({ address: token, abi: ERC20, functionName: 'balanceOf', args: [who], blockNumber });

    // The printed steps, one block per paid call.
    const blocks = text.split(/\n(?=\[\d\] )/);
    const callText = (p) => blocks.find((b) => b.startsWith(`[`) && b.includes(`Pay one call: POST ${p}`));
    const seenTx = [];
    for (const [name, price] of Object.entries(PRICE)) {
      const b = callText(`/v1/${name}`);
      assert.ok(b, `no step for ${name}:\n${text}`);
      assert.match(b, /402 Payment Required/);
      assert.match(b, new RegExp(`amount\\s+${price / 1_000_000n}\\.${String(price % 1_000_000n).padStart(6, '0')} USDC = ${price} atomic units`));
      assert.match(b, /network\s+eip155:84532/);
      assert.match(b, new RegExp(`payTo\\s+${PAY_TO}`));
      assert.match(b, /maxTimeoutSeconds\s+\d+/);
      assert.match(b, new RegExp(`payer\\s+${PAYER}`));
      assert.match(b, /validBefore\s+\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC/);
      assert.match(b, /200 OK/);
      const tx = b.match(/transaction\s+(0x[0-9a-f]{64})/)[1];
      const block = BigInt(b.match(/block\s+(\d+)/)[1]);
      const decoded = JSON.parse(b.match(/decoded\s+(\{.*\})/)[1]);
      assert.deepEqual(decoded, { success: true, transaction: tx, network: 'eip155:84532', payer: PAYER });
      const media = b.match(/_url\s+(http\S+)/)[1];
      const rows = Object.fromEntries(['payer', 'payTo'].map((who) => {
        const m = b.match(new RegExp(`^\\s+${who} \\S+\\s+([\\d.]+) USDC\\s+([\\d.]+) USDC`, 'm'));
        return [who, { before: atomic(m[1]), after: atomic(m[2]) }];
      }));

      // The chain, read here: the transaction carries exactly this transfer...
      const r = await pub.getTransactionReceipt({ hash: tx });
      assert.equal(r.status, 'success');
      assert.equal(r.blockNumber, block);
      const moves = parseEventLogs({ abi: ERC20, logs: r.logs, eventName: 'Transfer' });
      assert.equal(moves.length, 1);
      assert.equal(getAddress(moves[0].address), token);
      assert.deepEqual(moves[0].args, { from: PAYER, to: PAY_TO, value: price });
      // ...and the printed balances are those just before and after its block.
      for (const [who, addr] of [['payer', PAYER], ['payTo', PAY_TO]]) {
        assert.equal(rows[who].before, await bal(addr, block - 1n), `${name}: ${who} before`);
        assert.equal(rows[who].after, await bal(addr, block), `${name}: ${who} after`);
      }
      // The permanent URL serves the media while the stack runs.
      const m = await fetch(media);
      assert.equal(m.status, 200);
      assert.match(m.headers.get('content-type'), name === 'image-generate' ? /^image\// : /^audio\//);
      seenTx.push(tx);
    }
    assert.equal(seenTx[0] === seenTx[1], false);

    // The replay: stored result, and the chain shows no third transfer.
    const rb = blocks.find((b) => b.startsWith('[4] Replay'));
    assert.ok(rb, text);
    assert.match(rb, /200 OK/);
    assert.match(rb, /result\s+the stored one:/);
    const all = await pub.getLogs({ address: token, event: ERC20[0], fromBlock: 0n, toBlock: 'latest' });
    const fromPayer = all.filter((l) => l.args.from === PAYER);
    assert.deepEqual(fromPayer.map((l) => l.transactionHash), seenTx);
    for (const [who, addr] of [['payer', PAYER], ['payTo', PAY_TO]]) {
      const mm = rb.match(new RegExp(`^\\s+${who} \\S+\\s+([\\d.]+) USDC\\s+([\\d.]+) USDC\\s+unchanged`, 'm'));
      assert.ok(mm, `${who} row of the replay:\n${rb}`);
      assert.equal(atomic(mm[2]), await bal(addr));
    }
    assert.equal(await bal(PAYER), MINTED - PRICE['image-generate'] - PRICE['text-to-speech']);
    assert.equal(await bal(PAY_TO), PRICE['image-generate'] + PRICE['text-to-speech']);
    // Two pieces of work, two stored files: the replay did no work.
    const walk = (d) => fs.readdirSync(d, { withFileTypes: true }).flatMap((e) =>
      (e.isDirectory() ? walk(path.join(d, e.name)) : e.isFile() ? [e.name] : []));
    const files = walk(s.mediaDir);
    assert.equal(files.length, 2, files.join(' '));
    // The site it points at is up.
    const site = await fetch(s.site);
    assert.equal(site.status, 200);
    assert.match(site.headers.get('content-type'), /^text\/html/);
    assert.ok((await site.text()).includes(s.url), 'the site is generated for this stack');

    // Let it stop; it must exit 0 and leave nothing running.
    const started = processesWith(`SYNTHFORGE_CONFIG=${s.serverDir}/`);
    assert.ok(started.length >= 3, `lighttpd and endpoints seen: ${started.length}`);
    assert.ok(s.pids.some((p) => p.comm === 'anvil'));
    run.child.stdin.end();
    assert.equal(await run.exited, 0, run.err());
    assert.match(run.out(), /Checked: none of them is still running/);
    const alive = (pid) => { try { return !/^\d+ \(.*\) Z/.test(fs.readFileSync(`/proc/${pid}/stat`, 'utf8')); } catch { return false; } };
    assert.deepEqual(s.pids.filter((p) => alive(p.pid)), []);
    assert.deepEqual(processesWith(`SYNTHFORGE_CONFIG=${s.serverDir}/`), []);
    assert.equal(fs.existsSync(s.serverDir), false, 'temporary files removed');
    await assert.rejects(fetch(s.rpc, { method: 'POST' }), 'the chain is gone');
  } finally {
    if (run.child.exitCode === null) run.child.kill('SIGTERM');
    await run.exited;
  }
});

test('make try NETWORK=solana-devnet: pays two calls and replays on the local Solana, and stops everything', async () => {
  const summaryFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'sf-try-sum-')), 'summary.json');
  const run = makeTry(['NETWORK=solana-devnet', 'TRY_EXIT=1', `TRY_ARGS=--summary ${summaryFile}`]);
  const code = await run.exited;
  assert.equal(code, 0, run.out() + run.err());
  const text = run.out();
  // The driver's own checks against the chain (transfers, balances, media) passed for each call.
  assert.equal(text.match(/ok: the payer paid exactly the offered/g)?.length, 2, text);
  assert.match(text, /ok: stored result, no second transfer, no second piece of work/);
  assert.match(text, /feePayer\s+[1-9A-HJ-NP-Za-km-z]{32,44}  \(the facilitator's signer/);
  assert.match(text, /slot\s+\d+  \(status success; sent and paid for by the facilitator/);
  assert.match(text, /Checked: none of them is still running/);
  const s = JSON.parse(fs.readFileSync(summaryFile, 'utf8'));
  assert.equal(s.network, 'solana-devnet');
  assert.equal(s.caip2, 'solana:EtWTRABZaYq6iMfeYKouRu166VU2xqa1');
  await assert.rejects(fetch(s.rpc, { method: 'POST' }), 'the chain is gone');
});

test('make try with an unknown network lists the known ones', async () => {
  const run = makeTry(['NETWORK=ethereum-mainnet', 'TRY_EXIT=1']);
  assert.notEqual(await run.exited, 0);
  assert.match(run.err(), /unknown network "ethereum-mainnet"/);
  assert.match(run.err(), /base-sepolia\s+EVM/);
  assert.match(run.err(), /solana-devnet\s+Solana/);
});

// The Makefile's own npm command (as make would run it) on a scratch
// package whose dependency wants a node from the future: npm's EBADENGINE
// warning is silenced, and a broken lockfile still fails loudly.
test('make try: npm\'s engine warnings are silenced, its errors are not', async () => {
  const { execFileSync, spawnSync } = await import('node:child_process');
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(MAKEFLAGS|MFLAGS|MAKELEVEL|MAKEOVERRIDES)$/.test(k)));
  const plan = execFileSync('make', ['-n', '-B', '-C', ROOT, 'tests/node_modules/.installed'], { env }).toString();
  const line = plan.split('\n').find((l) => /\bnpm\b.*\bci\b/.test(l));
  assert.ok(line, plan);
  const npm = line.replace(/^cd tests && /, '');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sf-npm-'));
  fs.mkdirSync(path.join(dir, 'dep'));
  fs.writeFileSync(path.join(dir, 'dep', 'package.json'), JSON.stringify({ name: 'dep', version: '1.0.0', engines: { node: '>=99' } }));
  fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: 't', version: '1.0.0', dependencies: { dep: 'file:./dep' } }));
  execFileSync('npm', ['install', '--offline', '--package-lock-only', '--loglevel=error'], { cwd: dir });
  fs.rmSync(path.join(dir, 'node_modules'), { recursive: true, force: true });
  // Without the Makefile's options npm does warn here (the case is real).
  const loud = spawnSync('sh', ['-c', 'npm ci --offline --no-audit --no-fund'], { cwd: dir });
  assert.match(loud.stderr.toString(), /EBADENGINE/);
  fs.rmSync(path.join(dir, 'node_modules'), { recursive: true, force: true });
  const quiet = spawnSync('sh', ['-c', `${npm} --offline`], { cwd: dir });
  assert.equal(quiet.status, 0, quiet.stderr.toString());
  assert.doesNotMatch(quiet.stderr.toString() + quiet.stdout.toString(), /warn/i);
  // A lockfile out of step with package.json: npm ci refuses, and says so.
  fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: 't', version: '1.0.0', dependencies: { dep: 'file:./dep', other: '1.0.0' } }));
  const bad = spawnSync('sh', ['-c', `${npm} --offline`], { cwd: dir });
  assert.notEqual(bad.status, 0);
  assert.match(bad.stderr.toString(), /npm error/);
  fs.rmSync(dir, { recursive: true, force: true });
});
