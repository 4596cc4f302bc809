// TRY IT on Solana: the same flow as pages-pay.test.mjs with a Wallet
// Standard wallet injected into the page (standard:connect,
// solana:signTransaction) that signs with the LiteSVM payer's key in the
// test process; LiteSVM behind its RPC, the official @x402/svm
// facilitator as fee payer, lighttpd with the fake providers.  The page's
// script reads the mint and a blockhash from PAGES_RPC_URL_SOLANA_DEVNET
// (the Content-Security-Policy lets it, and nothing else, through).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSvmChain } from '../lib/svm_chain.mjs';
import { startSvmFacilitator } from '../lib/svm_facilitator.mjs';
import { startFakes } from '../lib/fakes.mjs';
import { startServer } from '../lib/server.mjs';
import { expectedPriceAt } from '../lib/prices.mjs';
import { launch, watch, injectSolana, generatePages, ARTIFACTS } from '../lib/browser.mjs';

let sol, sfac, fakes, srv, ctx, wallet;
const PATH = '/v1/image-generate';

before(async () => {
  sol = await startSvmChain();
  sfac = await startSvmFacilitator({ chain: sol });
  fakes = await startFakes();
  const www = join(mkdtempSync(join(tmpdir(), 'sf-pages-svm-')), 'www');
  mkdirSync(www);
  srv = await startServer({ www, env: fakes.env, conf: {
    NETWORKS: 'solana-devnet',
    PAY_TO_SOLANA_DEVNET: sol.keys.payTo.address, ASSET_SOLANA_DEVNET: sol.mint,
    FACILITATOR_URL_SOLANA_DEVNET: sfac.url, RPC_URL_SOLANA_DEVNET: sol.rpc,
    PAGES_RPC_URL_SOLANA_DEVNET: sol.rpc, URL_ALLOW: 'localhost',
  } });
  generatePages(srv, www);
  ctx = await launch();
  wallet = await injectSolana(ctx, sol.keys.payer, 'solana:devnet');
});
after(async () => {
  await ctx?.close();
  await srv?.stop(); await fakes?.stop(); await sfac?.stop(); await sol?.stop();
});

const upstream = async () => (await fakes.requests()).filter((r) => !r.path.startsWith('/files/') && !r.path.startsWith('/__fake'));
const balances = async () => ({ payer: await sol.tokenBalance(sol.keys.payer.address), payTo: await sol.tokenBalance(sol.keys.payTo.address) });

async function openPage() {
  const page = await ctx.newPage();
  const seen = await watch(page);
  const r = await page.goto(`${srv.url}/image-generate.html`);
  assert.equal(r.status(), 200);
  await page.locator('#try').waitFor({ state: 'visible' });
  // The page knows the network and where its browser reads the chain.
  assert.equal(await page.getAttribute('#try-network option', 'data-rpc'), sol.rpc);
  const csp = r.headers()['content-security-policy'];
  assert.match(csp, new RegExp(`connect-src 'self' ${sol.rpc.replace(/[.]/g, '\\.')}(;|$)`));
  return { page, seen };
}

test('pay on Solana from the page: quote, one signature, the image, one SPL transfer, one upstream call', async () => {
  await fakes.reset();
  wallet.calls.length = 0;
  const before0 = await balances();
  const landed0 = sol.transfersFrom(sol.keys.payer.address).length;
  const { page, seen } = await openPage();
  const body = { prompt: 'a lighthouse at dawn, paid on Solana' };
  const amount = expectedPriceAt(PATH, body);
  await page.fill('#try-prompt', body.prompt);
  await page.screenshot({ path: join(ARTIFACTS, 'svm-form.png'), fullPage: true });
  await page.click('#try-run');
  await page.locator('#try-quote').waitFor({ state: 'visible' });
  assert.deepEqual(wallet.calls, [], 'no wallet call before the buyer says yes');
  assert.match(await page.textContent('#try-amount'), new RegExp(`^0\\.01 USDC \\(${amount} atomic units\\)`));
  assert.match(await page.textContent('#try-network-quoted'), /solana-devnet \(solana:EtWTRABZaYq6iMfeYKouRu166VU2xqa1\)/);
  assert.equal(await page.textContent('#try-payee'), sol.keys.payTo.address);
  await page.click('#try-sign');
  await page.locator('#try-media').waitFor({ state: 'visible', timeout: 60000 });
  await page.waitForFunction(() => { const i = document.querySelector('#try-media'); return i.complete && i.naturalWidth > 0; });
  assert.deepEqual(wallet.calls, ['connect', 'signTransaction']);

  const sig = await page.textContent('#try-tx');
  const t = sol.transaction(sig);
  assert.ok(t, `transaction ${sig} landed`);
  assert.equal(t.err, null);
  assert.equal(t.feePayer, sfac.feePayer, 'the facilitator paid the fee');
  assert.deepEqual(t.transfers, [{ from: sol.keys.payer.address, to: sol.keys.payTo.address, amount }]);
  assert.equal(sol.transfersFrom(sol.keys.payer.address).length, landed0 + 1, 'exactly one transfer');
  assert.equal(await page.getAttribute('#try-explorer', 'href'), `https://explorer.solana.com/tx/${sig}?cluster=devnet`);
  const after0 = await balances();
  assert.equal(before0.payer - after0.payer, amount);
  assert.equal(after0.payTo - before0.payTo, amount);
  assert.equal((await upstream()).length, 1, 'one upstream call');
  await page.screenshot({ path: join(ARTIFACTS, 'svm-result.png'), fullPage: true });
  assert.deepEqual(seen.errors, []);
  await page.close();
});

test('a refused Solana signature costs nothing and says so', async () => {
  await fakes.reset();
  wallet.calls.length = 0;
  wallet.setReject(true);
  try {
    const before0 = await balances();
    const sends0 = sol.counts.sendTransaction;
    const facCalls0 = sfac.calls('/settle') + sfac.calls('/verify');
    const { page, seen } = await openPage();
    await page.fill('#try-prompt', 'not paid for');
    await page.click('#try-run');
    await page.locator('#try-quote').waitFor({ state: 'visible' });
    await page.click('#try-sign');
    await page.locator('#try-error').waitFor({ state: 'visible' });
    const text = await page.textContent('#try-error');
    assert.match(text, /You refused to sign the payment in your wallet\.\s+Nothing was paid and the request was not sent\./);
    assert.deepEqual(wallet.calls, ['connect', 'signTransaction']);
    assert.equal(seen.requests.filter((r) => r.url.endsWith(PATH) && r.headers['payment-signature']).length, 0);
    assert.deepEqual(await balances(), before0);
    assert.equal(sol.counts.sendTransaction, sends0, 'nothing sent to the chain');
    assert.equal(sfac.calls('/settle') + sfac.calls('/verify'), facCalls0, 'the facilitator was never asked');
    assert.deepEqual(await upstream(), []);
    assert.deepEqual(seen.errors, []);
    await page.close();
  } finally { wallet.setReject(false); }
});
