// The peer-compatible endpoints (seeds 003 "Image API" and 004 SparkForge)
// through a real lighttpd with fake upstreams, no payment made: every model
// of both pages is offered at its price in the 402, on Base and Polygon with
// each chain's USDC domain; the retired Imagen ids are refused with 400
// model_retired and a model's own size rule before any 402; every
// parameter a model does not take is a 400 naming it; image_url pointing
// inside is refused before any 402.  Paid calls: peer_paid.test.mjs; the
// free demo: peer_demo.test.mjs.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { x402Client, x402HTTPClient } from '@x402/fetch';
import { ExactEvmScheme } from '@x402/evm';
import { privateKeyToAccount } from 'viem/accounts';
import { startServer, decodeB64Json } from '../lib/server.mjs';
import { startFakes } from '../lib/fakes.mjs';
import { GEN, EDIT, SPARK, MODELS, RETIRED, bodyFor, input, fakeImage } from '../lib/peer.mjs';

// A mainnet must be able to prove payments settleable before any work
// (an RPC per mainnet, or a mainnet facilitator) or the endpoints refuse to
// start.  No payment is made on it here, so the node is never asked.
const PROVE_RPC = 'http://127.0.0.1:9';

const BASE_USDC = '0x833589fCD6eDb6E08f4c7C32D4f71b54bdA02913';
const POLYGON_USDC = '0x3c499c542cEF5E3811e1192ce70d8cC03d5c3359';

let fakes, srv;
before(async () => {
  fakes = await startFakes();
  input.url = fakeImage(fakes);
  // Only the name localhost is allowed: the address literals stay refused.
  srv = await startServer({ conf: { NETWORKS: 'base,polygon', RPC_URL_8453: PROVE_RPC, RPC_URL_137: PROVE_RPC, URL_ALLOW: 'localhost' }, env: fakes.env });
});
after(async () => { await srv?.stop(); await fakes?.stop(); });

const post = (path, body) => fetch(srv.url + path, {
  method: 'POST', headers: { 'content-type': 'application/json' },
  body: typeof body === 'string' ? body : JSON.stringify(body),
});

async function offers(path, body) {
  const r = await post(path, body);
  assert.equal(r.status, 402, await r.clone().text());
  return { v2: decodeB64Json(r.headers.get('payment-required')), v1: await r.json() };
}

test('Base and Polygon are both offered, each with its USDC and EIP-712 domain', async () => {
  const { v2, v1 } = await offers(SPARK, bodyFor(SPARK, 'flux-schnell'));
  assert.deepEqual(v2.accepts.map((a) => a.network), ['eip155:8453', 'eip155:137']);
  assert.deepEqual(v2.accepts.map((a) => a.asset), [BASE_USDC, POLYGON_USDC]);
  for (const a of v2.accepts) {
    assert.deepEqual({ name: a.extra.name, version: a.extra.version }, { name: 'USD Coin', version: '2' });
    assert.equal(a.amount, '20000');
  }
  assert.deepEqual(v1.accepts.map((a) => a.network), ['base', 'polygon']);
  assert.equal(v2.resource.url, `${srv.url}${SPARK}`);
  // The official client signs for either chain with that chain's domain.
  const account = privateKeyToAccount('0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d');
  const core = new x402Client().register('eip155:*', new ExactEvmScheme(account));
  for (const a of v2.accepts) {
    const p = await core.createPaymentPayload({ ...v2, accepts: [a] });
    assert.equal(p.accepted.network, a.network);
    assert.equal(p.accepted.asset, a.asset);
    assert.equal(p.payload.authorization.value, '20000');
    assert.match(p.payload.signature, /^0x[0-9a-f]{130}$/);
  }
  assert.ok(new x402HTTPClient(core));
});

for (const [path, model, price] of MODELS) {
  test(`${path} ${model}: the 402 asks ${price} on both chains (v2 and v1)`, async () => {
    const { v2, v1 } = await offers(path, bodyFor(path, model));
    assert.deepEqual(v2.accepts.map((a) => a.amount), [String(price), String(price)]);
    assert.deepEqual(v1.accepts.map((a) => a.maxAmountRequired), [String(price), String(price)]);
  });
}

test('the default models: flux-2-pro, qwen-image-edit, flux-schnell', async () => {
  assert.equal((await offers(GEN, { prompt: 'x' })).v2.accepts[0].amount, '50000');
  assert.equal((await offers(EDIT, { prompt: 'x', image_url: input.url })).v2.accepts[0].amount, '75000');
  assert.equal((await offers(SPARK, { prompt: 'x' })).v2.accepts[0].amount, '20000');
});

for (const model of RETIRED) {
  test(`${model}: retired, refused before any 402 (400 model_retired)`, async () => {
    for (const n of [1, 3]) {
      const r = await post(GEN, bodyFor(GEN, model, { num_images: n }));
      assert.equal(r.status, 400, await r.clone().text());
      assert.equal(r.headers.get('payment-required'), null, 'no payment asked for');
      const j = await r.json();
      assert.equal(j.error.code, 'model_retired');
      assert.equal(j.error.field, 'model');
      assert.match(j.error.message, /retired.*2026-08-17/);
    }
  });
}

// Every pairing the page rules out, and a few bad values: [path, body, code, field].
const BAD = [
  ...['imagen-4', 'imagen-4-fast', 'imagen-4-ultra'].flatMap((m) => [
    [GEN, bodyFor(GEN, m, { width: 1024 }), 'unsupported_parameter', 'width'],
    [GEN, bodyFor(GEN, m, { height: 1024 }), 'unsupported_parameter', 'height'],
    [GEN, bodyFor(GEN, m, { seed: 1 }), 'unsupported_parameter', 'seed'],
  ]),
  ...['flux-2-pro', 'flux-2-klein', 'flux-1.1-pro'].map((m) =>
    [GEN, bodyFor(GEN, m, { aspect_ratio: '16:9' }), 'unsupported_parameter', 'aspect_ratio']),
  ...['flux-2-pro', 'flux-2-klein', 'flux-1.1-pro', 'recraft-v4', 'recraft-v3', 'ideogram-v3', 'sd-3.5', 'qwen-image']
    .flatMap((m) => [
      [GEN, bodyFor(GEN, m, { num_images: 2 }), 'unsupported_parameter', 'num_images'],
      [GEN, bodyFor(GEN, m, { image_size: '2K' }), 'unsupported_parameter', 'image_size'],
    ]),
  [GEN, bodyFor(GEN, 'recraft-v4', { seed: 1 }), 'unsupported_parameter', 'seed'],
  [GEN, bodyFor(GEN, 'recraft-v3', { seed: 1 }), 'unsupported_parameter', 'seed'],
  [EDIT, bodyFor(EDIT, 'seedream-5', { seed: 1 }), 'unsupported_parameter', 'seed'],
  [GEN, bodyFor(GEN, 'imagen-4', { num_images: 5 }), 'out_of_range', 'num_images'],
  [GEN, bodyFor(GEN, 'imagen-4', { num_images: 0 }), 'out_of_range', 'num_images'],
  [GEN, bodyFor(GEN, 'imagen-4', { aspect_ratio: '2:1' }), 'invalid_value', 'aspect_ratio'],
  [GEN, bodyFor(GEN, 'imagen-4', { image_size: '4K' }), 'invalid_value', 'image_size'],
  [GEN, bodyFor(GEN, 'flux-2-pro', { width: 255 }), 'out_of_range', 'width'],
  [GEN, bodyFor(GEN, 'sd-3.5', { height: 2049 }), 'out_of_range', 'height'],
  [GEN, bodyFor(GEN, 'dall-e-3'), 'invalid_value', 'model'],
  [GEN, bodyFor(GEN, 'flux-1.1-pro', { width: 2048, height: 1024 }), 'invalid_size', 'width'],
  [GEN, bodyFor(GEN, 'flux-1.1-pro', { width: 1024, height: 1000 }), 'invalid_size', 'height'],
  [GEN, { model: 'imagen-4' }, 'missing_field', 'prompt'],
  [EDIT, { prompt: 'x' }, 'missing_field', 'image_url'],
  [EDIT, bodyFor(EDIT, 'flux-2-pro'), 'invalid_value', 'model'],
  [EDIT, { prompt: 'x', image_url: 'file:///etc/passwd' }, 'invalid_url', 'image_url'],
  [SPARK, bodyFor(SPARK, 'flux-pro', { seed: 1 }), 'unknown_field', 'seed'],
  [SPARK, bodyFor(SPARK, 'flux-schnell', { width: 4096 }), 'out_of_range', 'width'],
  [SPARK, bodyFor(SPARK, 'flux-4'), 'invalid_value', 'model'],
];
for (const [path, body, code, field] of BAD) {
  test(`${path} ${JSON.stringify(body)} -> 400 ${code} ${field}`, async () => {
    const r = await post(path, body);
    assert.equal(r.status, 400, await r.clone().text());
    assert.equal(r.headers.get('payment-required'), null, 'no payment asked for');
    const j = await r.json();
    assert.equal(j.error.code, code);
    assert.equal(j.error.field, field);
    assert.ok(j.error.message.includes(field), j.error.message);
  });
}

test('the allowed pairings are priced, not refused', async () => {
  for (const [path, body] of [
    [GEN, bodyFor(GEN, 'flux-1.1-pro', { width: 1440, height: 256, seed: 7 })],
    [GEN, bodyFor(GEN, 'qwen-image', { aspect_ratio: '4:3', width: 2048, height: 256, seed: 7 })],
    [GEN, bodyFor(GEN, 'flux-2-klein', { width: 256, height: 2048, seed: 0 })],
    [GEN, bodyFor(GEN, 'recraft-v4', { aspect_ratio: '1:1' })],
    [EDIT, bodyFor(EDIT, 'flux-kontext', { seed: 3 })],
    [EDIT, bodyFor(EDIT, 'qwen-image-edit', { seed: 3 })],
    [SPARK, bodyFor(SPARK, 'flux-dev', { width: 1024, height: 256 })],
  ]) assert.equal((await post(path, body)).status, 402, JSON.stringify(body));
});

// The guard runs before the 402: nothing internal is ever fetched for free.
for (const url of ['http://127.0.0.1/a.png', 'http://127.0.0.2:8080/a.png', 'http://10.0.0.7/a.png',
  'http://192.168.1.1/a.png', 'http://172.16.3.4/a.png', 'http://169.254.169.254/latest/meta-data/',
  'http://[::1]/a.png', 'http://[fd00::1]/a.png', 'http://[::ffff:127.0.0.1]/a.png', 'http://2130706433/a.png']) {
  test(`image_url ${url} -> 400 url_refused before any payment`, async () => {
    const r = await post(EDIT, bodyFor(EDIT, 'qwen-image-edit', { image_url: url }));
    assert.equal(r.status, 400, await r.clone().text());
    assert.equal(r.headers.get('payment-required'), null);
    const j = await r.json();
    assert.equal(j.error.code, 'url_refused');
    assert.equal(j.error.field, 'image_url');
  });
}

test('GET describes the peer endpoints at their own paths, price notes included', async () => {
  for (const path of [GEN, EDIT, SPARK]) {
    const r = await fetch(srv.url + path);
    assert.equal(r.status, 200);
    const j = await r.json();
    assert.equal(j.url, srv.url + path);
    assert.equal(typeof j.price.note, 'string');
  }
  const j = await (await fetch(srv.url + GEN)).json();
  assert.equal(j.price.usd, '0.02');
  assert.equal(j.price.max_usd, '0.075');
});

test('paths are exact: neighbours of the peer paths are 404', async () => {
  for (const p of ['/api/v1/image/generated', '/api/generate/x', '/api/v1/image/editx'])
    assert.equal((await post(p, { prompt: 'x' })).status, 404, p);
});
