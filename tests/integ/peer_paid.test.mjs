// The peer-compatible endpoints paid end to end: anvil + the test token, a
// facilitator on the official @x402 packages, lighttpd, fake upstreams and
// the official @x402/fetch client.  Every model of pages 003 and 004 is
// bought once: the balance moves by its price, the answer has the page's
// shape (permanent URL; no base64 now that Imagen is retired; {image_url, model,
// seed, price} on /api/generate), the upstream got the request the page
// implies.  And an image_url that only turns bad when fetched (redirect
// inside, oversize, not an image) is refused and never settled.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startChain } from '../lib/chain.mjs';
import { startFacilitator } from '../lib/facilitator.mjs';
import { startFakes } from '../lib/fakes.mjs';
import { startServer } from '../lib/server.mjs';
import { pay } from '../lib/pay.mjs';
import { expectedPriceAt } from '../lib/prices.mjs';
import { GEN, EDIT, SPARK, MODELS, bodyFor, input, fakeImage } from '../lib/peer.mjs';

let chain, fac, fakes, srv, srvOffline;
const JSONH = { 'content-type': 'application/json' };

function conf(extra = {}) {
  return {
    NETWORKS: 'base-sepolia', ASSET: chain.token, ASSET_NAME: 'USD Coin', ASSET_VERSION: '2',
    PAY_TO: chain.accounts.payTo.address, FACILITATOR_URL: fac.url, RPC_URL: chain.rpc,
    URL_ALLOW: 'localhost', ...extra,
  };
}

before(async () => {
  chain = await startChain();
  fac = await startFacilitator({ rpc: chain.rpc });
  fakes = await startFakes();
  input.url = fakeImage(fakes);
  srv = await startServer({ conf: conf(), env: fakes.env });
  // No fal or BFL key on a testnet: the offline provider runs, and it is
  // the one that fetches image_url itself (through the guard).
  const { FAL_KEY, BFL_API_KEY, ...rest } = fakes.env;
  assert.ok(FAL_KEY && BFL_API_KEY);
  srvOffline = await startServer({ conf: conf({ INPUT_MAX_BYTES: '20000' }), env: rest });
});
after(async () => {
  await srv?.stop(); await srvOffline?.stop(); await fakes?.stop(); await fac?.stop(); await chain?.stop();
});

const balance = () => chain.balanceOf(chain.accounts.payTo.address);
const buy = (s, path, body) => pay(s.url + path, { method: 'POST', headers: JSONH, body });
const usd = (atomic) => `$${(Number(atomic) / 1e6).toFixed(Number(atomic) % 10000 ? 3 : 2)}`;
const sentTo = async (re, prompt) => (await fakes.requests())
  .filter((q) => re.test(q.path) && q.method === 'POST' && JSON.stringify(q.body).includes(prompt));

async function fetchImage(url) {
  assert.ok(url.startsWith(`${srv.url}/media/`), `permanent URL on our media store: ${url}`);
  const m = await fetch(url);
  assert.equal(m.status, 200);
  assert.match(m.headers.get('content-type'), /^image\//);
  return Buffer.from(await m.arrayBuffer());
}

for (const [path, model, price, b64, provider] of MODELS) {
  test(`${path} ${model}: paid by the official client, answered in the page's shape`, async () => {
    const prompt = `shape ${model}`;
    const b0 = await balance();
    const r = await buy(srv, path, bodyFor(path, model, { prompt }));
    assert.equal(r.status, 200, r.text);
    assert.equal(r.paymentResponse?.success, true);
    assert.equal((await balance()) - b0, price, 'moved by the pinned price');
    const j = r.body;
    assert.equal(j.model, model);
    if (path === SPARK) {
      // {image_url, model, seed, price} as on page 004.
      for (const k of ['image_url', 'model', 'seed', 'price']) assert.ok(k in j, k);
      assert.equal(j.price, usd(price));
      assert.equal(typeof j.seed, 'number');
      await fetchImage(j.image_url);
      assert.equal(j.demo ?? false, false);
    } else {
      assert.equal(j.provider, provider);
      const bytes = await fetchImage(j.url);
      assert.ok(Array.isArray(j.images) && j.images[0] === j.url);
      if (b64) {
        assert.equal(j.mimeType, 'image/png');
        assert.deepEqual(Buffer.from(j.base64, 'base64'), bytes);
      } else {
        assert.equal(j.base64 ?? null, null, 'no base64 for URL models');
        assert.equal(j.mimeType ?? null, null);
      }
    }
    const sent = await sentTo(provider === 'google' ? /\/google\// : provider === 'bfl' ? /\/bfl\/v1\/(?!get_result)/ : /\/fal\//, prompt);
    assert.equal(sent.length, 1, `one upstream call to ${provider}`);
  });
}

test('retired Imagen: refused before payment, no upstream call, no transfer', async () => {
  const b0 = await balance();
  const r = await buy(srv, GEN, bodyFor(GEN, 'imagen-4-fast', { prompt: 'three foxes', num_images: 3 }));
  assert.equal(r.status, 400, r.text);
  assert.equal(r.body.error.code, 'model_retired');
  assert.equal((await balance()) - b0, 0n);
  assert.equal((await sentTo(/\/google\//, 'three foxes')).length, 0);
});

test('upstream requests follow the page: sizes, ratios, presets, seeds, input image', async () => {
  let r = await buy(srv, GEN, bodyFor(GEN, 'flux-2-pro', { prompt: 'up-flux', width: 1000, height: 512, seed: 7 }));
  assert.equal(r.status, 200, r.text);
  assert.equal(r.body.seed, 7);
  let [q] = await sentTo(/\/bfl\/v1\/flux-2-pro$/, 'up-flux');
  assert.deepEqual([q.body.width, q.body.height, q.body.seed], [1008, 512, 7]);

  r = await buy(srv, GEN, bodyFor(GEN, 'recraft-v4', { prompt: 'up-recraft', aspect_ratio: '16:9' }));
  assert.equal(r.status, 200, r.text);
  [q] = await sentTo(/\/fal\/fal-ai\/recraft\/v4\/text-to-image$/, 'up-recraft');
  assert.equal(q.body.image_size, 'landscape_16_9');

  r = await buy(srv, EDIT, bodyFor(EDIT, 'seedream-5', { prompt: 'up-seedream' }));
  assert.equal(r.status, 200, r.text);
  [q] = await sentTo(/\/fal\/bytedance\/seedream\/v5\/lite\/edit$/, 'up-seedream');
  assert.deepEqual(q.body.image_urls, [input.url]);

  r = await buy(srv, EDIT, bodyFor(EDIT, 'flux-kontext', { prompt: 'up-kontext', seed: 5 }));
  assert.equal(r.status, 200, r.text);
  [q] = await sentTo(/\/bfl\/v1\/flux-kontext-pro$/, 'up-kontext');
  assert.equal(q.body.input_image, input.url);
  assert.equal(q.body.seed, 5);

  r = await buy(srv, SPARK, { prompt: 'up-spark', model: 'flux-pro', width: 768, height: 512 });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.body.price, '$0.05');
  [q] = await sentTo(/\/fal\/fal-ai\/flux-pro\/v1\.1$/, 'up-spark');
  assert.deepEqual(q.body.image_size, { width: 768, height: 512 });
});

// Bad only once fetched: refused (before the 402, or after it without
// settling), the field named, nothing charged.
const fetched = (f) => `http://localhost:${fakes.port}${f}`;
const LATE = [
  ['a redirect to a private address', () => fetched(`/files/redirect?to=${encodeURIComponent('http://10.0.0.1/a.png')}`), 400, 'url_refused'],
  ['a redirect to the metadata address', () => fetched(`/files/redirect?to=${encodeURIComponent('http://169.254.169.254/latest/meta-data/')}`), 400, 'url_refused'],
  ['a redirect to loopback by address', () => fetched(`/files/redirect?to=${encodeURIComponent(`http://127.0.0.1:${fakes.port}/files/photo.png`)}`), 400, 'url_refused'],
  ['an oversize image', () => fetched('/files/big.png?bytes=50000'), 413, 'input_too_large'],
  ['not an image', () => fetched('/files/page.txt'), 415, 'input_not_image'],
];
for (const [name, url, status, code] of LATE) {
  test(`image_url: ${name} -> ${status} ${code}, never settled`, async () => {
    const b0 = await balance();
    const r = await buy(srvOffline, EDIT, bodyFor(EDIT, 'qwen-image-edit', { prompt: `late ${name}`, image_url: url() }));
    assert.equal(r.status, status, r.text);
    assert.equal(r.body.error.code, code);
    assert.equal(r.body.error.field, 'image_url');
    assert.equal(r.paymentResponse?.success ?? false, false);
    assert.equal(await balance(), b0, 'nothing charged');
  });
}

test('the offline route still edits a good image_url end to end', async () => {
  const r = await buy(srvOffline, EDIT, bodyFor(EDIT, 'qwen-image-edit', { prompt: 'offline ok' }));
  assert.equal(r.status, 200, r.text);
  assert.equal(r.body.provider, 'offline');
});
