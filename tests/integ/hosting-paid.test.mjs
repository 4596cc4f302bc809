// A paid call end to end through each web server: local anvil chain, the
// official x402 facilitator, the official @x402/fetch client, the fake
// providers.  Then the metrics: a settled call moves requests{200},
// payments{settled}, revenue; a refused payment moves payments{refused}
// with its reason.  A discovery probe's 402 paid with a body that lacks
// the prompt: a 400, nothing settled, no upstream call.
import { expectedPrice } from '../lib/prices.mjs';
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startChain } from '../lib/chain.mjs';
import { startFacilitator } from '../lib/facilitator.mjs';
import { pay, makePayment, requirementsV2 } from '../lib/pay.mjs';
import { x402HTTPClient } from '@x402/fetch';
import { decodePaymentSignatureHeader } from '@x402/core/http';
import { startServer, SERVERS } from '../lib/server.mjs';
import { startFakes } from '../lib/fakes.mjs';
import { makeClient } from '../lib/pay.mjs';
import { scrape, metric } from '../lib/metrics.mjs';

let chain, fac, fakes;
before(async () => {
  chain = await startChain();
  fac = await startFacilitator({ rpc: chain.rpc });
  fakes = await startFakes();
});
after(async () => { await fakes?.stop(); await fac?.stop(); await chain?.stop(); });

const conf = () => ({
  FACILITATOR_URL: fac.url, RPC_URL: chain.rpc, NETWORKS: 'base-sepolia', ASSET: chain.token,
  ASSET_NAME: 'USD Coin', ASSET_VERSION: '2', PAY_TO: chain.accounts.payTo.address,
});
const EP = { endpoint: 'image-generate' };

for (const server of SERVERS) {
  describe(`${server}: paid`, () => {
    let srv;
    before(async () => { srv = await startServer({ server, conf: conf(), env: fakes.env }); });
    after(async () => { await srv?.stop(); });

    // Passes without the paid flow: verification refuses before any work.
    test('a refused payment is counted with its reason', async () => {
      const m0 = await scrape(srv.url);
      // Signed for a tenth of the price: the endpoint must refuse it.
      const p = await makePayment(requirementsV2(chain, { amount: '1000' }));
      const r = await fetch(`${srv.url}/v1/image-generate`, { method: 'POST',
        headers: { 'content-type': 'application/json', 'PAYMENT-SIGNATURE': Buffer.from(JSON.stringify(p)).toString('base64') },
        body: JSON.stringify({ prompt: 'a cat' }) });
      assert.ok(r.status === 402 || r.status === 400, `refused: ${r.status}`);
      const m1 = await scrape(srv.url);
      const d = (n, l) => metric(m1, n, { ...EP, ...l }) - metric(m0, n, { ...EP, ...l });
      assert.equal(d('synthforge_requests_total', { status: String(r.status) }), 1);
      assert.equal(d('synthforge_payments_total', { result: 'refused' }), 1, m1.text.split('\n').filter((l) => l.includes('payments')).join('\n'));
      assert.equal(d('synthforge_payments_refused_total'), 1);
      assert.equal(d('synthforge_revenue_atomic_total'), 0);
    });

    // Needs the paid flow (verify -> ledger -> work -> settle).
    test('the official client pays and gets the result; the chain and the metrics agree', async () => {
      const m0 = await scrape(srv.url);
      const before = await chain.balanceOf(chain.accounts.payTo.address);
      const r = await pay(`${srv.url}/v1/image-generate`, { method: 'POST',
        headers: { 'content-type': 'application/json' }, body: { prompt: 'a lighthouse' } });
      assert.equal(r.status, 200, r.text.slice(0, 300));
      assert.ok(r.paymentResponse?.success, JSON.stringify(r.paymentResponse));
      assert.match(r.paymentResponse.transaction, /^0x[0-9a-f]{64}$/);
      assert.ok(r.headers['payment-response'] || r.headers['x-payment-response']);
      assert.equal(await chain.balanceOf(chain.accounts.payTo.address) - before, expectedPrice('image-generate', { prompt: 'a lighthouse' }));
      const m1 = await scrape(srv.url);
      const d = (n, l) => metric(m1, n, { ...EP, ...l }) - metric(m0, n, { ...EP, ...l });
      assert.equal(d('synthforge_requests_total', { status: '200' }), 1);
      assert.equal(d('synthforge_payments_total', { result: 'settled' }), 1);
      assert.equal(d('synthforge_payments_verified_total'), 1);
      assert.equal(d('synthforge_revenue_atomic_total', { network: 'eip155:84532' }), 10000);
      assert.equal(d('synthforge_payments_settled_total'), 1);
    });

    test('a probe\'s 402 paid with a body that lacks the prompt: a 400 naming it, nothing settled, no upstream call', async () => {
      const url = `${srv.url}/v1/image-generate`;
      const probe = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
      assert.equal(probe.status, 402);
      const core = makeClient();
      const http = new x402HTTPClient(core);
      const required = http.getPaymentRequiredResponse((n) => probe.headers.get(n), await probe.json());
      const payload = await core.createPaymentPayload(required);
      const headers = http.encodePaymentSignatureHeader(payload);
      const nonce = decodePaymentSignatureHeader(headers['PAYMENT-SIGNATURE']).payload.authorization.nonce;
      const bal = await chain.balanceOf(chain.accounts.payTo.address);
      const calls = (await fakes.requests()).length;
      for (const [body, code, field] of [['{}', 'missing_field', 'prompt'], ['{"width":512}', 'missing_field', 'prompt'], ['', 'invalid_json', undefined]]) {
        const r = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
        assert.equal(r.status, 400, `${JSON.stringify(body)}: ${await r.clone().text()}`);
        const j = await r.json();
        assert.equal(j.error.code, code);
        assert.equal(j.error.field, field);
        assert.equal(r.headers.get('payment-response'), null);
      }
      assert.equal(await chain.balanceOf(chain.accounts.payTo.address), bal, 'nothing moved');
      assert.equal(await chain.authorizationState(chain.accounts.payer.address, nonce), false, 'the authorization is unused');
      assert.equal((await fakes.requests()).length, calls, 'no upstream call');
      // The same payment still buys a real request afterwards.
      const ok = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: '{"prompt":"a probe, then a real request"}' });
      assert.equal(ok.status, 200, await ok.clone().text());
      assert.equal(await chain.balanceOf(chain.accounts.payTo.address) - bal, expectedPrice('image-generate', { prompt: 'a probe, then a real request' }));
      assert.ok((await fakes.requests()).length > calls, 'the upstream was called for the real request');
    });
  });
}
