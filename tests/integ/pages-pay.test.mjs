// TRY IT on the endpoint pages, in a real headless Chromium over the
// DevTools protocol, paying with an EIP-1193 wallet injected into the page
// that signs with an anvil test key: anvil + EIP-3009 token + the official
// facilitator + lighttpd with the fake providers, and the page's own
// script (registry/paywall/dist/pay.js: @x402/fetch + @x402/evm + viem).
// Each paid case checks the transfers on the chain and the upstream calls
// at the fake, not only what the page shows.  Screenshots of the form and
// the result are kept under build/artifacts/pages/.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseEventLogs } from 'viem';
import { startChain } from '../lib/chain.mjs';
import { startFacilitator } from '../lib/facilitator.mjs';
import { startFakes } from '../lib/fakes.mjs';
import { startServer } from '../lib/server.mjs';
import { expectedPriceAt } from '../lib/prices.mjs';
import { launch, watch, injectEvm, generatePages, ARTIFACTS } from '../lib/browser.mjs';

let chain, fac, fakes, srv, ctx, wallet;
const PATH = '/v1/image-generate';

before(async () => {
  chain = await startChain();
  fac = await startFacilitator({ rpc: chain.rpc });
  fakes = await startFakes();
  const www = join(mkdtempSync(join(tmpdir(), 'sf-pages-pay-')), 'www');
  mkdirSync(www);
  srv = await startServer({ www, env: fakes.env, conf: {
    NETWORKS: 'base-sepolia', ASSET: chain.token, ASSET_NAME: 'USD Coin', ASSET_VERSION: '2',
    PAY_TO: chain.accounts.payTo.address, FACILITATOR_URL: fac.url, RPC_URL: chain.rpc,
    URL_ALLOW: 'localhost', SETTLE_RETRY: '5', JOB_RETRY_AFTER: '1',
  } });
  generatePages(srv, www);
  ctx = await launch();
  wallet = await injectEvm(ctx, chain.accounts.payer, chain.chainId);
});
after(async () => {
  await ctx?.close();
  await srv?.stop(); await fakes?.stop(); await fac?.stop(); await chain?.stop();
});

const payer = () => chain.accounts.payer.address;
const payTo = () => chain.accounts.payTo.address;
// Calls the fake providers received, input-file downloads left out.
const upstream = async () => (await fakes.requests()).filter((r) => !r.path.startsWith('/files/') && !r.path.startsWith('/__fake'));
const balances = async () => ({ payer: await chain.balanceOf(payer()), payTo: await chain.balanceOf(payTo()) });

async function openPage(name) {
  const page = await ctx.newPage();
  const seen = await watch(page);
  const r = await page.goto(`${srv.url}/${name}.html`);
  assert.equal(r.status(), 200);
  await page.locator('#try').waitFor({ state: 'visible' });
  return { page, seen };
}

test('pay from the page: quote before any signature, one signature, the image, one transfer, one upstream call', async () => {
  await fakes.reset();
  wallet.calls.length = 0;
  const before0 = await balances();
  const { page, seen } = await openPage('image-generate');
  const body = { prompt: 'a lighthouse at dawn, paid from the page' };
  const amount = expectedPriceAt(PATH, body);
  await page.fill('#try-prompt', body.prompt);
  await page.screenshot({ path: join(ARTIFACTS, 'evm-form.png'), fullPage: true });
  await page.click('#try-run');

  // What will be paid, before the wallet is asked anything.
  await page.locator('#try-quote').waitFor({ state: 'visible' });
  assert.deepEqual(wallet.calls, [], 'no wallet call before the buyer says yes');
  assert.match(await page.textContent('#try-amount'), new RegExp(`^0\\.01 USDC \\(${amount} atomic units\\)`));
  assert.match(await page.textContent('#try-network-quoted'), /base-sepolia \(eip155:84532\)/);
  assert.equal(await page.textContent('#try-payee'), payTo());
  assert.match(await page.textContent('#try-validity'), /^\d+ seconds after you sign/);
  await page.screenshot({ path: join(ARTIFACTS, 'evm-quote.png'), fullPage: true });
  assert.deepEqual(await upstream(), [], 'no work before the payment');
  await page.click('#try-sign');

  // The result: the image is shown and has loaded.
  await page.locator('#try-media').waitFor({ state: 'visible', timeout: 60000 });
  await page.waitForFunction(() => { const i = document.querySelector('#try-media'); return i.complete && i.naturalWidth > 0; });
  const src = await page.getAttribute('#try-media', 'src');
  assert.ok(src.startsWith(`${srv.url}/media/`), src);
  assert.equal(wallet.calls.filter((m) => m === 'eth_signTypedData_v4').length, 1, 'one signature');
  assert.ok(wallet.calls.indexOf('eth_requestAccounts') < wallet.calls.indexOf('eth_signTypedData_v4'), 'connected, then signed');

  // The settlement shown is the one on the chain: exactly one transfer.
  const tx = await page.textContent('#try-tx');
  assert.match(tx, /^0x[0-9a-f]{64}$/);
  assert.equal(await page.getAttribute('#try-explorer', 'href'), `https://sepolia.basescan.org/tx/${tx}`);
  assert.match(await page.textContent('#try-settled-network'), /eip155:84532/);
  const receipt = await chain.pub.getTransactionReceipt({ hash: tx });
  const transfers = parseEventLogs({ abi: chain.abi, logs: receipt.logs, eventName: 'Transfer' });
  assert.equal(transfers.length, 1);
  assert.equal(transfers[0].args.from, payer());
  assert.equal(transfers[0].args.to, payTo());
  assert.equal(transfers[0].args.value, amount);
  const after0 = await balances();
  assert.equal(before0.payer - after0.payer, amount, 'the payer paid the price once');
  assert.equal(after0.payTo - before0.payTo, amount);
  assert.equal((await upstream()).length, 1, 'one upstream call');
  await page.screenshot({ path: join(ARTIFACTS, 'evm-result.png'), fullPage: true });
  assert.deepEqual(seen.errors, []);
  await page.close();
});

test('a video from the page runs as a job: its status shown while it runs, then the video; one transfer, one upstream submit', async () => {
  await fakes.reset();
  wallet.calls.length = 0;
  const before0 = await balances();
  const { page, seen } = await openPage('text-to-video');
  const prompt = 'a drone over a canyon, paid from the page FAKE:takes4s';
  await page.fill('#try-prompt', prompt);
  await page.click('#try-run');
  await page.locator('#try-quote').waitFor({ state: 'visible' });
  const atomic = BigInt(/\((\d+) atomic units\)/.exec(await page.textContent('#try-amount'))[1]);
  await page.click('#try-sign');

  // The 202's job, polled by the page: its status is shown in words.
  await page.waitForFunction(() => /the job is (queued|running)/.test(document.querySelector('#try-status').textContent), null, { timeout: 60000 });
  const running = await page.textContent('#try-status');
  assert.match(running, /Paid and accepted: the job is (queued|running).*nothing is charged unless it succeeds/);
  assert.ok(!(await page.locator('#try-result').isVisible()), 'no result while it runs');
  await page.screenshot({ path: join(ARTIFACTS, 'evm-job-running.png'), fullPage: true });

  await page.locator('video#try-media').waitFor({ state: 'attached', timeout: 60000 });
  assert.equal(await page.textContent('#try-status'), 'Done: paid and delivered.');
  const src = await page.getAttribute('#try-media', 'src');
  assert.match(src, /^https?:/);
  const tx = await page.textContent('#try-tx');
  const receipt = await chain.pub.getTransactionReceipt({ hash: tx });
  const transfers = parseEventLogs({ abi: chain.abi, logs: receipt.logs, eventName: 'Transfer' });
  assert.equal(transfers.length, 1);
  assert.equal(transfers[0].args.from, payer());
  assert.equal(transfers[0].args.value, atomic, 'the amount quoted on the page');
  const after0 = await balances();
  assert.equal(before0.payer - after0.payer, atomic, 'paid once');
  const posts = (await upstream()).filter((q) => q.method === 'POST' && q.body?.prompt === prompt);
  assert.equal(posts.length, 1, 'one upstream submit');
  // The page asked for the job once and polled its status link.
  assert.equal(seen.requests.filter((r) => r.url.endsWith('/v1/text-to-video') && r.headers['payment-signature']).length, 1);
  assert.ok(seen.requests.some((r) => r.url.includes('/v1/jobs/')), 'the status link was polled');
  await page.screenshot({ path: join(ARTIFACTS, 'evm-job-result.png'), fullPage: true });
  assert.deepEqual(seen.errors, []);
  await page.close();
});

test('a refused signature costs nothing and says so', async () => {
  await fakes.reset();
  wallet.calls.length = 0;
  wallet.setReject(true);
  try {
    const before0 = await balances();
    const block0 = await chain.pub.getBlockNumber();
    const { page, seen } = await openPage('image-generate');
    await page.fill('#try-prompt', 'a lighthouse the buyer will not pay for');
    await page.click('#try-run');
    await page.locator('#try-quote').waitFor({ state: 'visible' });
    await page.click('#try-sign');
    await page.locator('#try-error').waitFor({ state: 'visible' });
    const text = await page.textContent('#try-error');
    assert.match(text, /You refused to sign the payment in your wallet\./);
    assert.match(text, /Nothing was paid and the request was not sent\./);
    assert.match(text, /error\.code: signature_refused/);
    assert.equal(wallet.calls.filter((m) => m === 'eth_signTypedData_v4').length, 1, 'the wallet was asked once');
    // Only the unpaid request reached the server; nothing paid, no work.
    const posts = seen.requests.filter((r) => r.url.endsWith(PATH));
    assert.equal(posts.length, 1);
    assert.equal(posts[0].headers['payment-signature'], undefined);
    assert.deepEqual(await balances(), before0);
    assert.equal(await chain.pub.getBlockNumber(), block0, 'no transaction');
    assert.deepEqual(await upstream(), []);
    assert.ok(!(await page.locator('#try-result').isVisible()));
    await page.screenshot({ path: join(ARTIFACTS, 'evm-refused.png'), fullPage: true });
    assert.deepEqual(seen.errors, []);
    await page.close();
  } finally { wallet.setReject(false); }
});

test("the server's 400 is shown as it comes, before any signature is asked", async () => {
  await fakes.reset();
  wallet.calls.length = 0;
  const before0 = await balances();
  // A private address: the page cannot know the server's input-URL guard.
  const { page, seen } = await openPage('image-upscale');
  await page.fill('#try-image_url', 'http://10.11.12.13/photo.png');
  await page.click('#try-run');
  await page.locator('#try-error').waitFor({ state: 'visible' });
  const direct = await fetch(srv.url + '/v1/image-upscale', { method: 'POST', headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ image_url: 'http://10.11.12.13/photo.png' }) });
  assert.equal(direct.status, 400);
  const { error } = await direct.json();
  const text = await page.textContent('#try-error');
  assert.ok(text.includes(error.message), `the server's message as is: ${text}`);
  assert.match(text, new RegExp(`error\\.code: ${error.code} · field: image_url`));
  assert.match(text, /before asking for any payment/);
  assert.equal(await page.getAttribute('#try-image_url', 'aria-invalid'), 'true');
  assert.ok(!(await page.locator('#try-quote').isVisible()), 'no quote');
  assert.deepEqual(wallet.calls, [], 'the wallet was never asked');
  assert.deepEqual(await balances(), before0);
  assert.deepEqual(await upstream(), []);
  assert.deepEqual(seen.errors, []);
  await page.close();
});

test('the page checks what the server checks, before sending anything', async () => {
  wallet.calls.length = 0;
  const { page, seen } = await openPage('image-generate');
  const sent = () => seen.requests.filter((r) => r.url.endsWith(PATH)).length;
  const cases = [
    [{}, 'missing_field', 'prompt', 'prompt is required'],
    [{ '#try-prompt': '  \t  ' }, 'empty_field', 'prompt', 'prompt must not be empty or blank'],
    [{ '#try-prompt': 'x'.repeat(2001) }, 'too_long', 'prompt', 'prompt is 2001 characters long; the limit is 2000'],
    [{ '#try-prompt': 'ok', '#try-width': '5000' }, 'out_of_range', 'width', 'width must be between 256 and 1280 (got 5000)'],
    [{ '#try-prompt': 'ok', '#try-steps': '2.5' }, 'invalid_type', 'steps', 'steps must be an integer'],
  ];
  for (const [fill, code, field, message] of cases) {
    for (const id of ['#try-prompt', '#try-width', '#try-steps']) await page.fill(id, fill[id] ?? '');
    await page.click('#try-run');
    await page.locator('#try-error').waitFor({ state: 'visible' });
    const text = await page.textContent('#try-error');
    assert.ok(text.includes(message), `${code}: ${text}`);
    assert.match(text, new RegExp(`error\\.code: ${code} · field: ${field}`));
    assert.match(text, /nothing was sent/);
    // The server says the same of the same body (an empty object is
    // the Bazaar's discovery probe there: it gets the default 402).
    if (Object.keys(fill).length === 0) continue;
    const body = {};
    for (const [id, v] of Object.entries(fill)) body[id.slice(5)] = id === '#try-prompt' ? v : Number(v);
    const r = await fetch(srv.url + PATH, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    assert.equal(r.status, 400, `${code}: the server refuses it too`);
    assert.equal((await r.json()).error.code, code);
  }
  assert.equal(sent(), 0, 'nothing was sent');
  assert.deepEqual(wallet.calls, []);
  assert.deepEqual(seen.errors, []);
  await page.close();
});

test('without JavaScript the page is whole and the form is not shown', async () => {
  const nojs = await launch({ javaScriptEnabled: false });
  try {
    const page = await nojs.newPage();
    await page.goto(`${srv.url}/image-generate.html`);
    assert.equal(await page.locator('#try').count(), 1);
    assert.equal(await page.locator('#try').isVisible(), false);
    assert.ok(await page.locator('section#input').isVisible());
    assert.ok(await page.locator('section#examples').isVisible());
  } finally { await nojs.close(); }
  assert.ok(existsSync(join(ARTIFACTS, 'evm-result.png')));
});
