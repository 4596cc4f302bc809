// Smart-contract wallets pay (issue 26), end to end: anvil with TestUSDC
// (ERC-1271-aware like USDC v2.2), the lab's MiniWallet and its CREATE2
// factory, Multicall3; the official facilitator (eip6492AllowedFactories =
// [factory]); synthforge behind lighttpd settling through the facilitator
// or its own relayer (SETTLE=direct); fake upstreams, calls counted there;
// money read on chain.  The official @x402/fetch client cannot sign for a
// contract wallet, so each payment is built with viem as the lab does
// (tests/lib/wallet_chain.mjs) from the 402 our server answered, and sent
// over HTTP in PAYMENT-SIGNATURE, as a real client's would be.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { x402HTTPClient, x402Client } from '@x402/fetch';
import { privateKeyToAccount } from 'viem/accounts';
import { startChain } from '../lib/chain.mjs';
import { startFacilitator } from '../lib/facilitator.mjs';
import { startFakes } from '../lib/fakes.mjs';
import { startServer } from '../lib/server.mjs';
import { setupWallets, walletPayment } from '../lib/wallet_chain.mjs';

const JSONH = { 'content-type': 'application/json' };
const EP = '/v1/image-generate';
const SEL_TWA_BYTES = '0xcf092995', SEL_TRY_AGGREGATE = '0xbce38bd7';
let chain, ws, fac, fakes, viaFac, direct, facOnly;
const http = new x402HTTPClient(new x402Client());

function conf(extra = {}) {
  return {
    NETWORKS: 'base-sepolia', ASSET: chain.token, ASSET_NAME: 'USD Coin', ASSET_VERSION: '2',
    PAY_TO: chain.accounts.payTo.address, FACILITATOR_URL: fac.url, URL_ALLOW: 'localhost',
    ERC6492_FACTORIES: ws.factory, SETTLE_RETRY: '10', ...extra,
  };
}

before(async () => {
  chain = await startChain();
  ws = await setupWallets(chain);
  fac = await startFacilitator({ rpc: chain.rpc, eip6492AllowedFactories: [ws.factory] });
  fakes = await startFakes();
  viaFac = await startServer({ conf: conf({ RPC_URL: chain.rpc }), env: fakes.env });
  const keyFile = join(viaFac.dir, 'relayer.key');
  writeFileSync(keyFile, chain.keys.relayer, { mode: 0o600 });
  direct = await startServer({ conf: conf({ RPC_URL: chain.rpc, SETTLE: 'direct', RELAYER_KEY_FILE: keyFile,
    FACILITATOR_URL: 'http://127.0.0.1:9' }), env: fakes.env });
  facOnly = await startServer({ conf: conf(), env: fakes.env });
});
after(async () => {
  await viaFac?.stop(); await direct?.stop(); await facOnly?.stop();
  await fakes?.stop(); await fac?.stop(); await chain?.stop();
});

const bal = (a) => chain.balanceOf(a);
const payTo = () => bal(chain.accounts.payTo.address);
const upstream = async (prompt) => (await fakes.requests()).filter((q) => q.body?.prompt === prompt).length;
const post = (s, headers, body) => fetch(s.url + EP, { method: 'POST', headers: { ...JSONH, ...headers }, body: JSON.stringify(body) });
const ledger = (s, sql) => JSON.parse(execFileSync('sqlite3', ['-json', s.dir + '/ledger.db', sql]).toString() || '[]');
const verifies = () => fac.state.calls.filter((c) => c.path === '/verify').length;

/** Our 402 for body on server s, and a contract wallet's payment for its offer. */
async function walletPay(s, body, wallet, shape, opts = {}) {
  const r = await post(s, {}, body);
  assert.equal(r.status, 402, await r.clone().text());
  const required = http.getPaymentRequiredResponse((n) => r.headers.get(n), await r.json());
  const offer = required.accepts[0];
  const p = await walletPayment(chain, ws, offer, { wallet, shape, ...opts });
  p.resource = required.resource;
  return { headers: http.encodePaymentSignatureHeader(p), price: BigInt(offer.amount), payload: p };
}

async function send(s, p, body) {
  const r = await post(s, p.headers, body);
  const text = await r.text();
  let json = null;
  try { json = JSON.parse(text); } catch { /* not JSON */ }
  const pr = r.headers.get('payment-response');
  return { status: r.status, body: json, text, settlement: pr ? JSON.parse(Buffer.from(pr, 'base64').toString()) : null };
}

/** Pay once and check: 200, one transfer of the price, one upstream call. */
async function paysOnce(s, wallet, shape, prompt) {
  const body = { prompt };
  const p = await walletPay(s, body, wallet, shape);
  const b0 = { w: await bal(wallet.address), to: await payTo() };
  const r = await send(s, p, body);
  assert.equal(r.status, 200, r.text);
  assert.ok(r.body.image_url, r.text);
  assert.equal(b0.w - await bal(wallet.address), p.price, 'the wallet paid the price once');
  assert.equal(await payTo() - b0.to, p.price, 'payTo received it once');
  assert.equal(await upstream(prompt), 1);
  assert.equal(await chain.authorizationState(wallet.address, p.payload.payload.authorization.nonce), true);
  const tx = await chain.pub.getTransaction({ hash: r.settlement.transaction });
  return { p, r, tx, body };
}

test('deployed ERC-1271 wallet, 65-byte owner signature over its replay-safe hash: 200, one transfer (facilitator)', async () => {
  const w = await ws.wallet({ salt: 101, deploy: true });
  const { r } = await paysOnce(viaFac, w, 'sig65', 'wallet sig65 via facilitator');
  assert.equal(r.settlement.payer.toLowerCase(), w.address.toLowerCase());
  const row = ledger(viaFac, `select payer, state from payments where payer='${w.address.toLowerCase()}'`);
  assert.deepEqual(row.map((x) => x.state), ['settled']);
});

test('the same with SETTLE=direct: our relayer settles, the signature byte for byte through the bytes overload', async () => {
  const w = await ws.wallet({ salt: 102, deploy: true });
  const calls = fac.state.calls.length;
  const { tx, p } = await paysOnce(direct, w, 'sig65', 'wallet sig65 direct');
  assert.equal(tx.from.toLowerCase(), chain.accounts.relayer.address.toLowerCase());
  assert.equal(tx.to.toLowerCase(), chain.token.toLowerCase());
  assert.equal(tx.input.slice(0, 10), SEL_TWA_BYTES);
  assert.ok(tx.input.includes(p.payload.payload.signature.slice(2)), 'the 65 bytes as signed');
  assert.equal(fac.state.calls.length, calls, 'no facilitator involved');
});

test('deployed wallet, SignatureWrapper (abi.encode(uint256, bytes)): 200, one transfer via the bytes overload', async () => {
  const w = await ws.wallet({ salt: 103, deploy: true });
  const { tx } = await paysOnce(direct, w, 'wrapped', 'wallet wrapped direct');
  assert.equal(tx.input.slice(0, 10), SEL_TWA_BYTES);
  const w2 = await ws.wallet({ salt: 104, deploy: true });
  await paysOnce(viaFac, w2, 'wrapped', 'wallet wrapped via facilitator');
});

for (const [name, srv, sel] of [['the facilitator', () => viaFac, null], ['SETTLE=direct (Multicall3: deploy + transfer in one transaction)', () => direct, SEL_TRY_AGGREGATE]]) {
  test(`counterfactual wallet, ERC-6492, factory allow-listed: deployed and paid once through ${name}; a replay gets the stored result`, async () => {
    const s = srv();
    const w = await ws.wallet({ salt: sel ? 106 : 105 });
    assert.equal(await ws.code(w.address), '0x');
    const { p, r, tx, body } = await paysOnce(s, w, '6492', `wallet 6492 ${sel ? 'direct' : 'facilitator'}`);
    assert.notEqual(await ws.code(w.address), '0x', 'the wallet is deployed');
    if (sel) {
      assert.equal(tx.input.slice(0, 10), sel);
      assert.equal(tx.to.toLowerCase(), chain.multicall3.toLowerCase());
    }
    const b0 = await bal(w.address);
    const again = await send(s, p, body);
    assert.equal(again.status, 200, again.text);
    assert.equal(again.text, r.text, 'the stored result');
    assert.equal(again.settlement.transaction, r.settlement.transaction);
    assert.equal(await bal(w.address), b0, 'no second transfer');
    assert.equal(await upstream(body.prompt), 1, 'no second piece of work');
  });
}

// Refused before any upstream call, nothing moved, nothing kept in the ledger.
const refusals = [
  ['a stranger\'s signature', async () => [ws.wallets.deployed, 'wrapped', { signer: privateKeyToAccount(chain.keys.poor) }], /invalid_exact_evm_signature/],
  ['the owner\'s signature over the raw digest, not the replay-safe hash', async () => [ws.wallets.deployed, 'raw-digest'], /invalid_exact_evm_signature/],
  ['a counterfactual wallet with an unwrapped signature', async () => [await ws.wallet({ salt: 110 }), 'wrapped'], /invalid_exact_evm_signature/],
  ['a factory that is not allow-listed', async () => [await ws.wallet({ salt: 111, factory: ws.factory2 }), '6492'], /eip6492_factory_not_allowed/],
  ['a garbage inner signature in a valid ERC-6492 wrapper', async () => [await ws.wallet({ salt: 112 }), 'garbage-6492'], /invalid_exact_evm_signature/],
];
for (const [name, make, reason] of refusals) {
  for (const [sname, srv] of [['on chain', () => viaFac], ['SETTLE=direct', () => direct]]) {
    test(`refused before any work (${sname}): ${name}`, async () => {
      const s = srv();
      const [w, shape, opts] = await make();
      const prompt = `refused ${sname} ${name}`;
      const p = await walletPay(s, { prompt }, w, shape, opts);
      const b0 = { w: await bal(w.address), to: await payTo() }, code0 = await ws.code(w.address);
      const r = await send(s, p, { prompt });
      assert.equal(r.status, 402, r.text);
      assert.match(r.body.error, reason, r.text);
      assert.equal(await upstream(prompt), 0);
      assert.equal(await bal(w.address), b0.w);
      assert.equal(await payTo(), b0.to);
      assert.equal(await ws.code(w.address), code0, 'nothing deployed');
      assert.equal(ledger(s, `select count(*) as n from payments where payer='${w.address.toLowerCase()}' and state <> 'settled'`)[0].n, 0);
    });
  }
}

test('refused before any work: a contract wallet whose balance does not cover its unsettled exposure', async () => {
  const tag = 'FAKE:slow wallet exposure';
  const probe = await walletPay(viaFac, { prompt: `${tag} probe` }, ws.wallets.deployed, 'wrapped');
  const w = await ws.wallet({ salt: 120, deploy: true, fund: probe.price });
  const pays = [await walletPay(viaFac, { prompt: `${tag} 0` }, w, 'wrapped'), await walletPay(viaFac, { prompt: `${tag} 1` }, w, 'wrapped')];
  const b0 = await payTo();
  // Both at once: whichever is reserved second finds the first unsettled
  // (its upstream takes 1.5 s) against a balance that covers one.
  const rs = await Promise.all(pays.map((p, i) => send(viaFac, p, { prompt: `${tag} ${i}` })));
  assert.deepEqual(rs.map((r) => r.status).sort(), [200, 402], rs.map((r) => r.text).join('\n'));
  const refused = rs.find((r) => r.status === 402);
  assert.equal(refused.body.error, 'insufficient_balance', refused.text);
  assert.match(refused.text, /other unsettled payments/);
  assert.equal(await upstream(`${tag} 0`) + await upstream(`${tag} 1`), 1, 'no work for the payment it cannot cover');
  assert.equal(await payTo() - b0, probe.price, 'one transfer');
  assert.equal(await bal(w.address), 0n);
});

test('copies of one smart-wallet payment in parallel: one transfer, one piece of work', async () => {
  const w = await ws.wallet({ salt: 130 });
  const body = { prompt: 'FAKE:slow wallet copies' };
  const p = await walletPay(direct, body, w, '6492');
  const b0 = await payTo();
  const rs = await Promise.all(Array.from({ length: 5 }, () => send(direct, p, body)));
  const ok = rs.filter((r) => r.status === 200);
  assert.ok(ok.length >= 1, rs.map((r) => `${r.status} ${r.text}`).join('\n'));
  for (const r of rs) assert.ok(r.status === 200 || r.status === 409, `${r.status} ${r.text}`);
  for (const r of ok) assert.equal(r.text, ok[0].text, 'one result');
  assert.equal(await upstream(body.prompt), 1, 'one piece of work');
  assert.equal(await payTo() - b0, p.price, 'one transfer');
  assert.equal(await bal(w.address), 100_000_000n - p.price);
});

test('without an RPC the facilitator\'s /verify proves a contract wallet; a factory not on our list is refused without asking it', async () => {
  const w = await ws.wallet({ salt: 140, deploy: true });
  const v0 = verifies();
  await paysOnce(facOnly, w, 'wrapped', 'wallet wrapped, facilitator only');
  assert.ok(verifies() > v0, 'proven by /verify');
  const cf = await ws.wallet({ salt: 141 });
  await paysOnce(facOnly, cf, '6492', 'wallet 6492, facilitator only');
  assert.notEqual(await ws.code(cf.address), '0x');
  const other = await ws.wallet({ salt: 142, factory: ws.factory2 });
  const p = await walletPay(facOnly, { prompt: 'unlisted factory, no rpc' }, other, '6492');
  const v1 = verifies();
  const r = await send(facOnly, p, { prompt: 'unlisted factory, no rpc' });
  assert.equal(r.status, 402, r.text);
  assert.equal(r.body.error, 'eip6492_factory_not_allowed');
  assert.match(JSON.stringify(r.body), /ERC6492_FACTORIES/);
  assert.equal(verifies(), v1, 'the facilitator was not asked');
  assert.equal(await upstream('unlisted factory, no rpc'), 0);
});

test('the 402 and the pages say contract wallets pay, and how', async () => {
  const r = await post(viaFac, {}, { prompt: 'what is offered' });
  const required = http.getPaymentRequiredResponse((n) => r.headers.get(n), await r.json());
  assert.match(required.resource.description, /Contract wallets pay too \(ERC-1271.*ERC-6492/);
  const llms = await (await fetch(viaFac.url + '/llms.txt')).text();
  assert.match(llms, /ERC-1271/);
  assert.match(llms, /ERC-6492/);
});
