// Contract-wallet payments (issue 26) on a real chain: anvil with TestUSDC
// (ERC-1271-aware like USDC v2.2), the lab's MiniWallet and its CREATE2
// factory, Multicall3 at 0xcA11…CA11, payments signed with viem in every
// shape the lab captured (tests/lib/wallet_chain.mjs).  The C side, driven
// through build/tests/wallet_driver: x402_wallet_prove (the on-chain proof
// before work) and x402_wallet_settle_plan (the one transaction that
// settles), sent here from the relayer and read back on chain.  The official
// facilitator (eip6492AllowedFactories = [factory]) judges the same payments
// next to ours.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import path from 'node:path';
import { decodeEventLog } from 'viem';
import { startChain, ROOT, track, rpcCall, freePort } from '../lib/chain.mjs';
import { startFacilitator } from '../lib/facilitator.mjs';
import { makePayment, requirementsV2 } from '../lib/pay.mjs';
import { setupWallets, walletPayment, wrapOwner } from '../lib/wallet_chain.mjs';

const DRIVER = process.env.WALLET_DRIVER || path.join(ROOT, process.env.SF_BUILD || 'build', 'tests/wallet_driver');
const SEL_TWA_BYTES = '0xcf092995', SEL_TRY_AGGREGATE = '0xbce38bd7';
const R = { sig: 'invalid_exact_evm_signature', factory: 'eip6492_factory_not_allowed', balance: 'invalid_exact_evm_insufficient_balance',
  nonce: 'invalid_exact_evm_nonce_already_used', sim: 'invalid_exact_evm_transaction_simulation_failed', unexpected: 'unexpected_verify_error' };

let chain, ws, fac, reqs, relayer;

function driver(req) {
  return new Promise((resolve, reject) => {
    const c = track(spawn(DRIVER, [], { stdio: ['pipe', 'pipe', 'pipe'] }));
    let out = '', err = '';
    c.stdout.on('data', (d) => { out += d; });
    c.stderr.on('data', (d) => { err += d; });
    c.on('error', reject);
    c.on('close', (code) => {
      // Under ASan (SF_BUILD=build-asan) a finding, leaks included, fails the case.
      if (/Sanitizer|runtime error/.test(err)) return reject(new Error(`driver: ${err}`));
      try { resolve(JSON.parse(out)); } catch { reject(new Error(`driver exit ${code}: ${out} ${err}`)); }
    });
    c.stdin.end(JSON.stringify(req));
  });
}
const prove = (p, { factories = [ws.factory], rpcUrl = chain.rpc } = {}) =>
  driver({ op: 'prove', rpcUrl, factories, paymentPayload: p, paymentRequirements: reqs });
const plan = (p, { factories = [ws.factory] } = {}) =>
  driver({ op: 'plan', rpcUrl: chain.rpc, factories, paymentPayload: p, paymentRequirements: reqs });
async function facVerify(p) {
  const r = await fetch(`${fac.url}/verify`, { method: 'POST', headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ x402Version: 2, paymentPayload: p, paymentRequirements: reqs }) });
  return r.json();
}
const bal = (a) => chain.balanceOf(a);
const pay = (wallet, shape, opts = {}) => walletPayment(chain, ws, reqs, { wallet, shape, ...opts });
const expired = () => { const now = Math.floor(Date.now() / 1000); return { validAfter: now - 7200, validBefore: now - 3600 }; };

/** Send a plan from the relayer; returns the receipt (gas given, so a revert is mined). */
async function send(pl, { gas } = {}) {
  const hash = await relayer.sendTransaction({ to: pl.to, data: pl.data, ...(gas ? { gas } : {}) });
  return chain.pub.waitForTransactionReceipt({ hash, pollingInterval: 50 });
}

before(async () => {
  chain = await startChain();
  ws = await setupWallets(chain);
  fac = await startFacilitator({ rpc: chain.rpc, eip6492AllowedFactories: [ws.factory] });
  reqs = requirementsV2(chain, { amount: '10000' });
  relayer = chain.wallet(chain.accounts.relayer);
});

after(async () => {
  await fac?.stop();
  await chain?.stop();
});

test('the test chain: wallets deployed and counterfactual, funded, Multicall3 in place', async () => {
  const { deployed, cf, cfBad, cfOther, poor } = ws.wallets;
  for (const w of [deployed, poor]) assert.notEqual(await ws.code(w.address), '0x', 'deployed wallet has code');
  for (const w of [cf, cfBad, cfOther]) assert.equal(await ws.code(w.address), '0x', 'counterfactual wallet has no code');
  for (const w of [deployed, cf, cfBad, cfOther]) assert.equal(await bal(w.address), 100_000_000n);
  assert.equal(await bal(poor.address), 5000n);
  assert.notEqual(await ws.code(chain.multicall3), '0x');
});

// Each case: our proof and the official facilitator's /verify, side by side.
const valid = [
  ['deployed wallet, 65-byte owner signature', () => pay(ws.wallets.deployed, 'sig65'), { shape: 'ecdsa65', deployed: true }],
  ['deployed wallet, SignatureWrapper (192 bytes)', () => pay(ws.wallets.deployed, 'wrapped'), { shape: 'wrapped', deployed: true }],
  ['counterfactual wallet, ERC-6492 (factory allow-listed)', () => pay(ws.wallets.cf, '6492'), { shape: 'erc6492', deployed: false, deployFirst: true }],
  ['deployed wallet, ERC-6492 wrapper anyway', () => pay(ws.wallets.deployed, '6492'), { shape: 'erc6492', deployed: true, deployFirst: false }],
];
for (const [name, make, want] of valid) {
  test(`proven: ${name}; the facilitator agrees`, async () => {
    const p = await make();
    const from = p.payload.authorization.from;
    const code0 = await ws.code(from);
    const r = await prove(p);
    assert.equal(r.rc, 0, JSON.stringify(r));
    assert.equal(r.valid, true, JSON.stringify(r));
    assert.equal(r.shape, want.shape);
    assert.equal(r.deployed, want.deployed);
    assert.equal(r.deployFirst, !!want.deployFirst);
    if (want.deployFirst) assert.equal(r.factory.toLowerCase(), ws.factory.toLowerCase());
    assert.equal(r.balance, (await bal(from)).toString(), 'balance read for the exposure check');
    assert.match(r.message, /proven on chain/);
    assert.equal(await ws.code(from), code0, 'the proof deployed nothing (eth_call only)');
    const f = await facVerify(p);
    assert.equal(f.isValid, true, JSON.stringify(f));
  });
}

test('proven: an EOA\'s 65-byte signature (the universal validator covers EOAs too)', async () => {
  const p = await makePayment(reqs);
  const r = await prove(p);
  assert.equal(r.valid, true, JSON.stringify(r));
  assert.equal(r.deployed, false);
});

const refused = [
  ['a stranger signed for the deployed wallet', async () => pay(ws.wallets.deployed, 'wrapped',
    { signer: (await import('viem/accounts')).privateKeyToAccount(chain.keys.poor) }), R.sig, /0x00/],
  ['the owner signed the raw digest, not the replay-safe hash', () => pay(ws.wallets.deployed, 'raw-digest'), R.sig, /0x00|refused/],
  ['a counterfactual wallet without the ERC-6492 wrapper', () => pay(ws.wallets.cfBad, 'wrapped'), R.sig, /has no code.*no ERC-6492 wrapper/],
  ['a factory that is not allow-listed', () => pay(ws.wallets.cfOther, '6492'), R.factory, /ERC6492_FACTORIES \(the allow-list\)/, R.factory],
  ['a garbage inner signature in a valid ERC-6492 wrapper', () => pay(ws.wallets.cfBad, 'garbage-6492'), R.sig, /validator/],
  ['a wallet whose balance does not cover the value', () => pay(ws.wallets.poor, 'wrapped'), R.balance, /balance 5000 is below the value 10000/],
  // An hour ago: the node's latest block is never that old (its eth_call time is that block's).
  ['a deployed wallet\'s expired authorization (the token\'s own check, simulated)',
    () => pay(ws.wallets.deployed, 'wrapped', expired()), R.sim, /authorization is expired/],
  ['a counterfactual wallet\'s expired authorization (simulated after its factory call)',
    () => pay(ws.wallets.cf, '6492', expired()), R.sim, /after the wallet's deployment: FiatTokenV2: authorization is expired/],
];
for (const [name, make, reason, msg, facReason] of refused) {
  test(`refused: ${name}`, async () => {
    const p = await make();
    const from = p.payload.authorization.from;
    const b0 = await bal(from), code0 = await ws.code(from);
    const r = await prove(p);
    assert.equal(r.rc, 0, JSON.stringify(r));
    assert.equal(r.valid, false, JSON.stringify(r));
    assert.equal(r.reason, reason, r.message);
    assert.match(r.message, msg);
    assert.equal(await bal(from), b0);
    assert.equal(await ws.code(from), code0);
    if (!name.includes('expired')) {		// the facilitator checks the window itself first
      const f = await facVerify(p);
      assert.equal(f.isValid, false, JSON.stringify(f));
      if (facReason) assert.equal(f.invalidReason, facReason);
    }
  });
}

test('refused: every counterfactual wallet when the allow-list is empty (the default), naming the key', async () => {
  const r = await prove(await pay(ws.wallets.cf, '6492'), { factories: [] });
  assert.equal(r.reason, R.factory);
  assert.match(r.message, /not in ERC6492_FACTORIES \(empty: wallets that are not deployed are refused\)/);
  // A deployed wallet needs no list, wrapped or not.
  assert.equal((await prove(await pay(ws.wallets.deployed, '6492'), { factories: [] })).valid, true);
  assert.equal((await prove(await pay(ws.wallets.deployed, 'wrapped'), { factories: [] })).valid, true);
});

test('refused free: a malformed ERC-6492 wrapper never reaches the chain', async () => {
  const p = await pay(ws.wallets.cf, '6492');
  const s = p.payload.signature;
  p.payload.signature = s.slice(0, 2 + 64) + '1' + s.slice(2 + 65);	// offset word 0x60 -> 0x1..60
  const port = await freePort();					// nothing listens there
  const r = await prove(p, { rpcUrl: `http://127.0.0.1:${port}` });
  assert.equal(r.rc, 0, JSON.stringify(r));
  assert.equal(r.reason, R.sig);
  assert.match(r.message, /^ERC-6492 wrapper: the factory calldata offset is not 0x60/);
});

test('the node cannot be asked: unexpected_verify_error, rc -1', async () => {
  const port = await freePort();
  const r = await prove(await pay(ws.wallets.deployed, 'wrapped'), { rpcUrl: `http://127.0.0.1:${port}` });
  assert.equal(r.rc, -1);
  assert.equal(r.valid, false);
  assert.equal(r.reason, R.unexpected);
  assert.match(r.message, /cannot read the payer's code/);
});

function transfersOf(receipt) {
  return receipt.logs.filter((l) => l.address.toLowerCase() === chain.token.toLowerCase()).map((l) => {
    try { return decodeEventLog({ abi: chain.abi, data: l.data, topics: l.topics }); } catch { return null; }
  }).filter((e) => e?.eventName === 'Transfer');
}

test('settled directly: deployed wallet, SignatureWrapper -> transferWithAuthorization(bytes), once', async (t) => {
  const w = ws.wallets.deployed;
  const p = await pay(w, 'wrapped');
  const pl = await plan(p);
  assert.equal(pl.deploy, false, JSON.stringify(pl));
  assert.equal(pl.to.toLowerCase(), chain.token.toLowerCase());
  assert.equal(pl.data.slice(0, 10), SEL_TWA_BYTES);
  const b0 = { w: await bal(w.address), to: await bal(reqs.payTo) };
  const rc = await send(pl);
  assert.equal(rc.status, 'success');
  t.diagnostic(`gas used: ${rc.gasUsed} (deployed wallet, transferWithAuthorization(bytes))`);
  const tr = transfersOf(rc);
  assert.equal(tr.length, 1);
  assert.equal(tr[0].args.from, w.address);
  assert.equal(tr[0].args.value, 10000n);
  assert.equal(b0.w - await bal(w.address), 10000n);
  assert.equal(await bal(reqs.payTo) - b0.to, 10000n);
  const again = await prove(p);
  assert.equal(again.reason, R.nonce, 'the same payment is spent now');
});

test('settled directly: deployed wallet, 65-byte owner signature, through the bytes overload as given', async () => {
  const w = ws.wallets.deployed;
  const p = await pay(w, 'sig65');
  const pl = await plan(p);
  assert.equal(pl.data.slice(0, 10), SEL_TWA_BYTES);
  const b0 = await bal(w.address);
  assert.equal((await send(pl)).status, 'success');
  assert.equal(b0 - await bal(w.address), 10000n);
});

test('settled directly: counterfactual wallet deployed and paying in ONE transaction (Multicall3), once', async (t) => {
  const w = await ws.wallet({ salt: 20 });
  const p = await pay(w, '6492');
  assert.equal((await prove(p)).valid, true);
  const pl = await plan(p);
  assert.equal(pl.deploy, true, JSON.stringify(pl));
  assert.equal(pl.to.toLowerCase(), chain.multicall3.toLowerCase());
  assert.equal(pl.data.slice(0, 10), SEL_TRY_AGGREGATE);
  assert.equal(pl.factory.toLowerCase(), ws.factory.toLowerCase());
  assert.equal(await ws.code(w.address), '0x');
  const b0 = { w: await bal(w.address), to: await bal(reqs.payTo) };
  const rc = await send(pl);
  assert.equal(rc.status, 'success');
  t.diagnostic(`gas used: ${rc.gasUsed} (counterfactual wallet: factory call + transfer through Multicall3)`);
  assert.notEqual(await ws.code(w.address), '0x', 'the wallet is deployed');
  assert.equal(transfersOf(rc).length, 1);
  assert.equal(b0.w - await bal(w.address), 10000n);
  assert.equal(await bal(reqs.payTo) - b0.to, 10000n);
  assert.equal(await chain.authorizationState(w.address, p.payload.authorization.nonce), true);
  // Replayed: refused by the proof; a new plan would no longer deploy.
  assert.equal((await prove(p)).reason, R.nonce);
  const p2 = await pay(w, '6492');
  const pl2 = await plan(p2);
  assert.equal(pl2.deploy, false);
  assert.equal(pl2.data.slice(0, 10), SEL_TWA_BYTES);
});

test('a garbage inner signature: the settling transaction reverts whole, the wallet is NOT deployed at our expense', async () => {
  const w = await ws.wallet({ salt: 21 });
  const p = await pay(w, 'garbage-6492');
  const pl = await plan(p);
  assert.equal(pl.deploy, true);
  const b0 = await bal(w.address);
  const rc = await send(pl, { gas: 1_500_000n });		// past estimateGas, to see it mined
  assert.equal(rc.status, 'reverted');
  assert.equal(await ws.code(w.address), '0x', 'deploy and transfer land together or not at all');
  assert.equal(await bal(w.address), b0);
});

test('the settle plan refuses what the proof refuses: factory not allow-listed, no wrapper and no code', async () => {
  const a = await plan(await pay(ws.wallets.cfOther, '6492'));
  assert.equal(a.error?.code, R.factory, JSON.stringify(a));
  assert.match(a.error.message, /ERC6492_FACTORIES/);
  const b = await plan(await pay(ws.wallets.cfBad, 'wrapped'));
  assert.equal(b.error?.code, R.sig, JSON.stringify(b));
});

test('the official facilitator (eip6492AllowedFactories) settles a counterfactual wallet\'s payment', async () => {
  const w = await ws.wallet({ salt: 22 });
  const p = await pay(w, '6492');
  const r = await fetch(`${fac.url}/settle`, { method: 'POST', headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ x402Version: 2, paymentPayload: p, paymentRequirements: reqs }) }).then((x) => x.json());
  assert.equal(r.success, true, JSON.stringify(r));
  assert.notEqual(await ws.code(w.address), '0x');
  assert.equal(FUND_LEFT(await bal(w.address)), true);
  assert.equal((await prove(p)).reason, R.nonce, 'and our proof sees it spent');
});
const FUND_LEFT = (b) => b === 100_000_000n - 10000n;

test('no Multicall3 on the chain: a counterfactual wallet cannot be simulated (unexpected, rc -1)', async () => {
  const { MiniMulticall3 } = await (await import('../lib/chain.mjs')).compileContracts();
  await rpcCall(chain.rpc, 'anvil_setCode', [chain.multicall3, '0x']);
  try {
    const r = await prove(await pay(ws.wallets.cf, '6492'));
    assert.equal(r.rc, -1, JSON.stringify(r));
    assert.equal(r.reason, R.unexpected);
    assert.match(r.message, /Multicall3/);
    // A deployed wallet does not need it.
    assert.equal((await prove(await pay(ws.wallets.deployed, 'wrapped'))).valid, true);
  } finally {
    await rpcCall(chain.rpc, 'anvil_setCode', [chain.multicall3, MiniMulticall3.deployedBytecode]);
  }
});

// Sign-In-With-X's contract-wallet hook (x402/evm/siwx_wallet.h), on a
// configuration serving this chain: the universal validator over the
// message's EIP-191 hash, ERC6492_FACTORIES for a wallet not deployed yet.
test('Sign-In-With-X: contract wallets verified on chain (deployed, counterfactual with an allowed factory), others refused', async () => {
  const { hashMessage, serializeErc6492Signature } = await import('viem');
  const { privateKeyToAccount } = await import('viem/accounts');
  const message = 'localhost wants you to sign in with your Ethereum account:\n' + ws.wallets.deployed.address + '\n\nsign in test';
  const sign = (w, signer = ws.owner) => signer.signTypedData({
    domain: { name: 'MiniWallet', version: '1', chainId: chain.chainId, verifyingContract: w.address },
    types: { MiniWalletMessage: [{ name: 'hash', type: 'bytes32' }] }, primaryType: 'MiniWalletMessage',
    message: { hash: hashMessage(message) } });
  const siwx = (address, signature, { factories = [ws.factory], rpcUrl = chain.rpc } = {}) =>
    driver({ op: 'siwx', rpcUrl, factories, address, message, signature });
  const dep = ws.wallets.deployed;
  assert.equal((await siwx(dep.address, wrapOwner(await sign(dep)))).result, 1, 'deployed wallet, owner\'s signature');
  assert.equal((await siwx(dep.address, wrapOwner(await sign(dep, privateKeyToAccount(chain.keys.poor))))).result, 0, 'a stranger\'s');
  const cf = await ws.wallet({ salt: 60 });
  const wrapped = serializeErc6492Signature({ address: cf.factory, data: ws.createAccountData(cf.salt), signature: wrapOwner(await sign(cf)) });
  assert.equal((await siwx(cf.address, wrapped)).result, 1, 'counterfactual, factory allowed');
  assert.equal((await siwx(cf.address, wrapped, { factories: [] })).result, 0, 'counterfactual, factory not allowed');
  assert.equal(await ws.code(cf.address), '0x', 'nothing deployed (eth_call only)');
  assert.equal((await siwx(dep.address, wrapOwner(await sign(dep)), { rpcUrl: `http://127.0.0.1:${await freePort()}` })).result, -1, 'no chain: cannot tell');
});
