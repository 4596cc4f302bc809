// Local chain for tests: anvil from npm on a free port (--chain-id 84532 by
// default), TestUSDC deployed and minted to the payer, MiniMulticall3 at the
// canonical address.  Every process started here is killed by stop() and,
// as a safety net, when this node process exits.
import { spawn } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createPublicClient, createWalletClient, defineChain, http, publicActions } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';

const here = path.dirname(fileURLToPath(import.meta.url));
export const TESTS = path.resolve(here, '..');
export const ROOT = path.resolve(TESTS, '..');
const ANVIL = path.join(TESTS, 'node_modules/@foundry-rs/anvil-linux-amd64/bin/anvil');
const CACHE = path.join(ROOT, 'build/solc-cache');

// anvil's public dev keys (mnemonic "test test ... junk"); never use elsewhere.
export const KEYS = {
  deployer:    '0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80', // #0
  payer:       '0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d', // #1
  payTo:       '0x5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a', // #2
  facilitator: '0x7c852118294e51e653712a81e05800f419141751be58f605c371e15141b007a6', // #3
  poor:        '0x47e179ec197488593b187f80a00eb0da91f1b9d0b13f8733639f19c30a34926a', // #4, no tokens
  relayer:     '0x8b3a350cf5c34c9194ca85829a2df0ec3153be0318b5e2d3348e872092edffba', // #5, direct settlement
};
export const ACCOUNTS = Object.fromEntries(Object.entries(KEYS).map(([k, v]) => [k, privateKeyToAccount(v)]));
export const MULTICALL3 = '0xcA11bde05977b3631167028862bE2a173976CA11';

// Children to kill if the test process ends without stop().
const children = new Set();
function reap() { for (const c of children) { try { c.kill('SIGKILL'); } catch { /* gone */ } } }
process.once('exit', reap);
for (const sig of ['SIGINT', 'SIGTERM']) process.once(sig, () => { reap(); process.exit(130); });
export function track(child) { children.add(child); child.once('exit', () => children.delete(child)); return child; }

export function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.unref();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => { const { port } = s.address(); s.close(() => resolve(port)); });
  });
}

export async function rpcCall(rpc, method, params = []) {
  const r = await fetch(rpc, { method: 'POST', headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }) });
  const j = await r.json();
  if (j.error) throw new Error(`${method}: ${JSON.stringify(j.error)}`);
  return j.result;
}

/**
 * Compile contracts/*.sol with solc-js; cached by source hash under
 * build/solc-cache.  Every contract of every file, by name: TestUSDC,
 * MiniMulticall3, MiniWallet and MiniWalletFactory (MiniWallet.sol).
 */
export async function compileContracts() {
  const files = ['TestUSDC', 'MiniMulticall3', 'MiniWallet'];
  const sources = Object.fromEntries(files.map((n) =>
    [`${n}.sol`, { content: fs.readFileSync(path.join(TESTS, 'contracts', `${n}.sol`), 'utf8') }]));
  const key = crypto.createHash('sha256').update(JSON.stringify(sources)).update('solc-0.8.37-cancun-200').digest('hex').slice(0, 16);
  const file = path.join(CACHE, `${key}.json`);
  if (fs.existsSync(file)) return JSON.parse(fs.readFileSync(file, 'utf8'));
  const { default: solc } = await import('solc');
  const out = JSON.parse(solc.compile(JSON.stringify({ language: 'Solidity', sources, settings: {
    optimizer: { enabled: true, runs: 200 }, evmVersion: 'cancun',
    outputSelection: { '*': { '*': ['abi', 'evm.bytecode.object', 'evm.deployedBytecode.object'] } } } })));
  const errors = (out.errors || []).filter((e) => e.severity === 'error');
  if (errors.length) throw new Error(errors.map((e) => e.formattedMessage).join('\n'));
  const res = Object.fromEntries(files.flatMap((f) => Object.entries(out.contracts[`${f}.sol`]).map(([n, c]) =>
    [n, { abi: c.abi, bytecode: '0x' + c.evm.bytecode.object, deployedBytecode: '0x' + c.evm.deployedBytecode.object }])));
  fs.mkdirSync(CACHE, { recursive: true });
  fs.writeFileSync(file + '.tmp', JSON.stringify(res));
  fs.renameSync(file + '.tmp', file);		// atomic for parallel test files
  return res;
}

function spawnAnvil(port, chainId) {
  const child = track(spawn(ANVIL, ['--host', '127.0.0.1', '--port', String(port), '--chain-id', String(chainId), '--silent'],
    { stdio: ['ignore', 'ignore', 'pipe'] }));
  let err = '';
  child.stderr.on('data', (d) => { err += d; });
  return { child, stderr: () => err };
}

async function waitRpc(rpc, child, stderr, ms = 10000) {
  const t0 = Date.now();
  while (Date.now() - t0 < ms) {
    if (child.exitCode !== null) throw new Error(`anvil exited: ${stderr()}`);
    try { return Number(await rpcCall(rpc, 'eth_chainId')); } catch { await new Promise((r) => setTimeout(r, 20)); }
  }
  throw new Error('anvil did not answer');
}

/**
 * Start anvil + contracts.  Returns { rpc, port, chainId, network, v1network,
 * token, multicall3, keys, accounts, pub, wallet(account), balanceOf(addr),
 * authorizationState(from, nonce), stop() }.
 */
export async function startChain({ chainId = 84532, mint = 1_000_000_000n } = {}) {
  const art = compileContracts();
  let port, anvil, rpc;
  for (let attempt = 0; ; attempt++) {		// a port can be taken between probe and bind
    port = await freePort();
    rpc = `http://127.0.0.1:${port}`;
    anvil = spawnAnvil(port, chainId);
    try { await waitRpc(rpc, anvil.child, anvil.stderr); break; } catch (e) {
      anvil.child.kill('SIGKILL');
      if (attempt >= 2) throw e;
    }
  }
  const stop = async () => {
    if (anvil.child.exitCode === null) {
      const gone = new Promise((r) => anvil.child.once('exit', r));
      anvil.child.kill('SIGTERM');
      await Promise.race([gone, new Promise((r) => setTimeout(r, 2000))]);
      if (anvil.child.exitCode === null) anvil.child.kill('SIGKILL');
    }
  };
  try {
    const chain = defineChain({ id: chainId, name: `anvil-${chainId}`,
      nativeCurrency: { name: 'Ether', symbol: 'ETH', decimals: 18 }, rpcUrls: { default: { http: [rpc] } } });
    const transport = http(rpc);
    const pub = createPublicClient({ chain, transport, pollingInterval: 50 });
    const wallet = (account) => createWalletClient({ chain, transport, account, pollingInterval: 50 }).extend(publicActions);
    const { TestUSDC, MiniMulticall3 } = await art;
    const w = wallet(ACCOUNTS.deployer);
    const hash = await w.deployContract({ abi: TestUSDC.abi, bytecode: TestUSDC.bytecode });
    const token = (await pub.waitForTransactionReceipt({ hash, pollingInterval: 50 })).contractAddress;
    const mh = await w.writeContract({ address: token, abi: TestUSDC.abi, functionName: 'mint', args: [ACCOUNTS.payer.address, mint] });
    await pub.waitForTransactionReceipt({ hash: mh, pollingInterval: 50 });
    await rpcCall(rpc, 'anvil_setCode', [MULTICALL3, MiniMulticall3.deployedBytecode]);
    const abi = TestUSDC.abi;
    return {
      rpc, port, chainId, network: `eip155:${chainId}`, v1network: chainId === 84532 ? 'base-sepolia' : null,
      token, multicall3: MULTICALL3, abi, keys: KEYS, accounts: ACCOUNTS, chain, pub, wallet,
      balanceOf: (addr) => pub.readContract({ address: token, abi, functionName: 'balanceOf', args: [addr] }),
      authorizationState: (from, nonce) => pub.readContract({ address: token, abi, functionName: 'authorizationState', args: [from, nonce] }),
      stop,
    };
  } catch (e) { await stop(); throw e; }
}
