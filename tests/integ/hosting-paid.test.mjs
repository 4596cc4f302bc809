// A paid call end to end through each web server: local anvil chain, the
// official x402 facilitator, the official @x402/fetch client; no provider
// keys, so routes use the offline provider.  Then the metrics: a settled
// call moves requests{200}, payments{settled}, revenue; a refused payment
// moves payments{refused} with its reason.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startChain } from '../lib/chain.mjs';
import { startFacilitator } from '../lib/facilitator.mjs';
import { pay, makePayment, requirementsV2 } from '../lib/pay.mjs';
import { startServer, SERVERS } from '../lib/server.mjs';
import { scrape, metric } from '../lib/metrics.mjs';

let chain, fac;
before(async () => {
  chain = await startChain();
  fac = await startFacilitator({ rpc: chain.rpc });
});
after(async () => { await fac?.stop(); await chain?.stop(); });

const conf = () => ({
  FACILITATOR_URL: fac.url, RPC_URL: chain.rpc, NETWORKS: 'base-sepolia', ASSET: chain.token,
  ASSET_NAME: 'USD Coin', ASSET_VERSION: '2', PAY_TO: chain.accounts.payTo.address,
});
const EP = { endpoint: 'image-generate' };

for (const server of SERVERS) {
  describe(`${server}: paid`, () => {
    let srv;
    before(async () => { srv = await startServer({ server, conf: conf() }); });
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
      assert.equal(await chain.balanceOf(chain.accounts.payTo.address) - before, 10000n);
      const m1 = await scrape(srv.url);
      const d = (n, l) => metric(m1, n, { ...EP, ...l }) - metric(m0, n, { ...EP, ...l });
      assert.equal(d('synthforge_requests_total', { status: '200' }), 1);
      assert.equal(d('synthforge_payments_total', { result: 'settled' }), 1);
      assert.equal(d('synthforge_payments_verified_total'), 1);
      assert.equal(d('synthforge_revenue_atomic_total', { network: 'eip155:84532' }), 10000);
      assert.equal(d('synthforge_payments_settled_total'), 1);
    });
  });
}
