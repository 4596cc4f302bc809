// viem recoverTypedDataAddress throughput on an x402 authorization, printed
// beside the C verifier (bench/bench_verify, path given as argv[2]) run in
// the same run.  viem comes from tests/node_modules (resolved relative to
// this file, so any cwd works):
//   node bench/viem_verify.mjs build/bench/bench_verify
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';

const require = createRequire(new URL('../tests/package.json', import.meta.url));
const { recoverTypedDataAddress } = require('viem');
const { privateKeyToAccount } = require('viem/accounts');
let viemVersion = '2.x';
try { viemVersion = require('viem/package.json').version; } catch { /* exports may hide it */ }

const TARGET = 20000;
const acct = privateKeyToAccount('0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d');
const domain = { name: 'USD Coin', version: '2', chainId: 84532,
  verifyingContract: '0x5FbDB2315678afecb367f032d93F642f64180aa3' };
const types = { TransferWithAuthorization: [
  { name: 'from', type: 'address' }, { name: 'to', type: 'address' },
  { name: 'value', type: 'uint256' }, { name: 'validAfter', type: 'uint256' },
  { name: 'validBefore', type: 'uint256' }, { name: 'nonce', type: 'bytes32' }] };
const message = { from: acct.address, to: '0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC',
  value: 10000n, validAfter: 0n, validBefore: 1740672160n,
  nonce: '0xf12110b59487cd47aff89f1bf9a26160b88fd12367cad2d5e05742b2a2e8b2ed' };
const signature = await acct.signTypedData({ domain, types,
  primaryType: 'TransferWithAuthorization', message });
const args = { domain, types, primaryType: 'TransferWithAuthorization', message, signature };

for (let i = 0; i < 50; i++) await recoverTypedDataAddress(args);	// warm-up
let n = 0;
const t0 = process.hrtime.bigint();
let dt = 0;
while (dt < 3e9) {
  for (let i = 0; i < 20; i++, n++)
    if ((await recoverTypedDataAddress(args)) !== acct.address) throw new Error('bad recover');
  dt = Number(process.hrtime.bigint() - t0);
}
const viem = n / (dt / 1e9);

let c = NaN, out = '';
if (process.argv[2]) {
  const r = spawnSync(process.argv[2], { encoding: 'utf8' });
  if (r.status !== 0) { console.error(r.stderr || r.error); process.exit(1); }
  out = r.stdout;
  c = Number((/^full (\d+)\/s/m.exec(out) || [])[1]);
}
console.log(out.trimEnd().split('\n').map((l) => 'C    ' + l).join('\n'));
console.log(`viem recoverTypedDataAddress ${viem.toFixed(0)}/s  (${(1e6 / viem).toFixed(1)} us each; viem ${viemVersion})`);
if (!Number.isNaN(c)) {
  console.log(`C full path / viem recover only: ${(c / viem).toFixed(1)}x; target ${TARGET}/s ${c >= TARGET ? 'met' : 'NOT met'}`);
}
