// Foundation, through a real lighttpd: every endpoint answers a valid request
// with a 402 in both protocol versions that the official client accepts,
// every class of bad input with a 400 naming the field, GET / OPTIONS, the
// body cap, and 50 concurrent requests.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { x402Client, x402HTTPClient } from '@x402/fetch';
import { ExactEvmScheme } from '@x402/evm';
import { ExactEvmSchemeV1 } from '@x402/evm/v1';
import { privateKeyToAccount } from 'viem/accounts';
import { startServer, endpoints, decodeB64Json, localExample } from '../lib/server.mjs';
import { startFakes } from '../lib/fakes.mjs';
import { expectedPrice } from '../lib/prices.mjs';

// A mainnet must be able to prove payments settleable before any work
// (an RPC per mainnet, or a mainnet facilitator) or the endpoints refuse to
// start.  No payment is made on it here, so the node is never asked.
const PROVE_RPC = 'http://127.0.0.1:9';

const PAY_TO = '0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC';
const eps = endpoints();
let srv, fakes;

// Provider keys point at the fakes: polygon is a mainnet, where routes
// without a key are refused (503) before any 402.
before(async () => {
  fakes = await startFakes();
  srv = await startServer({ conf: { NETWORKS: 'base-sepolia,polygon', RPC_URL_137: PROVE_RPC, BODY_MAX: '65536', URL_ALLOW: 'localhost' }, env: fakes.env });
});
after(async () => { await srv?.stop(); await fakes?.stop(); });

const post = (path, body, headers = {}) => fetch(srv.url + path, {
  method: 'POST',
  headers: { 'content-type': 'application/json', ...headers },
  body: typeof body === 'string' ? body : JSON.stringify(body),
});

test('the definition table holds the whole synthforge cluster', () => {
  const names = eps.map((e) => e.name);
  for (const n of ['image-generate', 'image-generate-pro', 'image-generate-ultra', 'image-edit',
    'image-inpaint', 'remove-bg', 'image-expand', 'image-upscale', 'music-generate',
    'sound-effect-generate', 'text-to-speech', 'voice', 'image-to-video', 'seedance-video', 'text-to-video'])
    assert.ok(names.includes(n), `${n} is defined`);
  const price = Object.fromEntries(eps.map((e) => [e.name, e.price]));
  assert.equal(price['image-generate'], '10000');
  assert.equal(price['image-generate-pro'], '100000');
  assert.equal(price['image-generate-ultra'], '300000');
  assert.equal(price['remove-bg'], '80000');
  assert.equal(price['image-expand'], '150000');
  assert.equal(price['text-to-video'], '200000');
});

for (const ep of eps) {
  test(`${ep.name}: valid request -> 402 in v2 and v1 with every network`, async () => {
    const r = await post(ep.path, localExample(ep, fakes.port));
    assert.equal(r.status, 402, await r.clone().text());
    assert.equal(r.headers.get('content-type'), 'application/json');
    assert.match(r.headers.get('access-control-expose-headers'), /PAYMENT-REQUIRED/);
    const v2 = decodeB64Json(r.headers.get('payment-required'));
    const v1 = await r.json();
    const resource = `${srv.url}${ep.path}`;
    assert.equal(v2.x402Version, 2);
    assert.equal(v2.resource.url, resource);
    assert.deepEqual(v2.accepts.map((a) => a.network), ['eip155:84532', 'eip155:137']);
    for (const a of v2.accepts) {
      assert.equal(a.scheme, 'exact');
      assert.equal(a.payTo, PAY_TO);
      assert.match(a.amount, /^[1-9][0-9]*$/);
      assert.ok(a.extra.name && a.extra.version);
    }
    assert.equal(v2.accepts[0].asset, '0x036CbD53842c5426634e7929541eC2318f3dCF7e');
    assert.equal(v2.accepts[0].extra.name, 'USDC');
    assert.equal(v2.accepts[1].asset, '0x3c499c542cEF5E3811e1192ce70d8cC03d5c3359');
    assert.equal(v2.accepts[1].extra.name, 'USD Coin');
    assert.ok(v2.extensions.bazaar.info.input.body, 'bazaar example body');
    assert.equal(v1.x402Version, 1);
    assert.deepEqual(v1.accepts.map((a) => a.network), ['base-sepolia', 'polygon']);
    for (const [i, a] of v1.accepts.entries()) {
      assert.equal(a.maxAmountRequired, v2.accepts[i].amount);
      assert.equal(a.resource, resource);
      assert.equal(typeof a.description, 'string');
      assert.equal(a.mimeType, 'application/json');
      assert.equal(typeof a.outputSchema, 'object');
      assert.equal(a.outputSchema.input.method, 'POST');
      assert.deepEqual(a.extra, v2.accepts[i].extra);
    }
  });
}

test('the official @x402/fetch client accepts our 402 (v2 header and v1 body)', async () => {
  const account = privateKeyToAccount('0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d');
  const core = new x402Client()
    .register('eip155:*', new ExactEvmScheme(account))
    .registerV1('base-sepolia', new ExactEvmSchemeV1(account))
    .setSpendControls({ allowedAssets: true });
  const http = new x402HTTPClient(core);
  const r = await post('/v1/image-generate', { prompt: 'a cat' });
  assert.equal(r.status, 402);
  const body = await r.json();
  const required = http.getPaymentRequiredResponse((n) => r.headers.get(n), body);
  assert.equal(required.x402Version, 2);
  const payload = await core.createPaymentPayload(required);
  assert.equal(payload.x402Version, 2);
  assert.deepEqual(payload.accepted, required.accepts[0]);
  assert.equal(payload.payload.authorization.to, PAY_TO);
  assert.equal(payload.payload.authorization.value, '10000');
  // The same 402 read as v1 (no header): the body is a valid v1 response.
  const v1 = http.getPaymentRequiredResponse(() => null, body);
  assert.equal(v1.x402Version, 1);
  const p1 = await core.createPaymentPayload(v1);
  assert.equal(p1.x402Version, 1);
  assert.equal(p1.network, 'base-sepolia');
});

test('a valid request is normalised before pricing: snapping and defaults', async () => {
  const amount = async (path, body) => {
    const r = await post(path, body);
    assert.equal(r.status, 402, `${path} ${JSON.stringify(body)}: ${await r.clone().text()}`);
    const v2 = decodeB64Json(r.headers.get('payment-required'));
    const v1 = await r.json();
    assert.equal(v1.accepts[0].maxAmountRequired, v2.accepts[0].amount);
    return BigInt(v2.accepts[0].amount);
  };
  const img = `http://localhost:${fakes.port}/files/input.png?w=64&h=48`;
  // Snapping: 1000 and 257 snap into range (1008, 256) and are priced;
  // the range is checked on the value as sent, so 2049 and 255 are
  // refused although they would snap to 2048 and 256.
  assert.equal(await amount('/v1/image-generate', { prompt: 'x', width: 1000, height: 257 }), expectedPrice('image-generate', {}));
  for (const height of [2049, 255]) {
    const r = await post('/v1/image-generate', { prompt: 'x', height });
    assert.equal(r.status, 400, `height ${height}`);
    assert.deepEqual([(await r.json()).error.code], ['out_of_range']);
  }
  // Defaults filled before pricing: the default tier's (or model's) price.
  assert.equal(await amount('/v1/image-edit', { prompt: 'x', image_url: img }), expectedPrice('image-edit', {}));
  assert.equal(await amount('/v1/image-edit', { prompt: 'x', image_url: img, tier: 'gpt' }), expectedPrice('image-edit', { tier: 'gpt' }));
  assert.equal(await amount('/v1/seedance-video', { prompt: 'x' }), expectedPrice('seedance-video', {}));
  assert.equal(await amount('/api/v1/image/generate', { prompt: 'x' }), expectedPrice('api-v1-image-generate', {}));
  assert.equal(await amount('/api/generate', { prompt: 'x' }), expectedPrice('api-generate', {}));
  // The defaults are what a page would show: a default different from the
  // cheapest model proves the default, not the minimum, is priced.
  assert.notEqual(expectedPrice('api-v1-image-edit', {}), expectedPrice('api-v1-image-edit', { model: 'seedream-5' }));
  assert.equal(await amount('/api/v1/image/edit', { prompt: 'x', image_url: img }), expectedPrice('api-v1-image-edit', {}));
});

const bad = [
  ['malformed JSON', '/v1/image-generate', '{"prompt": "x",', 400, 'invalid_json', undefined],
  ['trailing garbage', '/v1/image-generate', '{"prompt":"x"} x', 400, 'invalid_json', undefined],
  ['not an object', '/v1/image-generate', '["prompt"]', 400, 'invalid_json', undefined],
  ['blank body', '/v1/image-generate', ' x ', 400, 'invalid_json', undefined],
  ['missing prompt', '/v1/image-generate', { width: 512 }, 400, 'missing_field', 'prompt'],
  ['wrong type', '/v1/image-generate', { prompt: 'x', width: '1024' }, 400, 'invalid_type', 'width'],
  ['fractional integer', '/v1/image-generate', { prompt: 'x', seed: 1.5 }, 400, 'invalid_type', 'seed'],
  ['unknown tier', '/v1/image-generate', { prompt: 'x', tier: 'turbo' }, 400, 'invalid_value', 'tier'],
  ['unknown model', '/v1/image-generate', { prompt: 'x', model: 'flux-2-pro' }, 400, 'invalid_value', 'model'],
  ['size below range', '/v1/image-generate', { prompt: 'x', height: 255 }, 400, 'out_of_range', 'height'],
  ['size above range', '/v1/image-generate-pro', { prompt: 'x', width: 2049 }, 400, 'out_of_range', 'width'],
  ["ultra's 1024 cap", '/v1/image-generate-ultra', { prompt: 'x', width: 1025 }, 400, 'out_of_range', 'width'],
  ["Venice's 1280 cap", '/v1/image-generate', { prompt: 'x', width: 2048 }, 400, 'out_of_range', 'width'],
  ['prompt over 2000 chars', '/v1/image-generate', { prompt: 'é'.repeat(2001) }, 400, 'too_long', 'prompt'],
  ['prompt over 3000 chars', '/v1/image-generate-pro', { prompt: 'a'.repeat(3001) }, 400, 'too_long', 'prompt'],
  ['prompt over 5000 chars', '/v1/image-generate-ultra', { prompt: 'a'.repeat(5001) }, 400, 'too_long', 'prompt'],
  ['unknown field', '/v1/image-generate', { prompt: 'x', colour: 'red' }, 400, 'unknown_field', 'colour'],
  ['duplicate field', '/v1/image-generate', '{"prompt":"x","prompt":"y"}', 400, 'duplicate_field', 'prompt'],
  ['empty prompt', '/v1/image-generate', { prompt: '' }, 400, 'empty_field', 'prompt'],
  ['blank prompt', '/v1/image-generate', { prompt: '   ' }, 400, 'empty_field', 'prompt'],
  // RFC 8259: U+0000-U+001F must be escaped inside strings (cJSON takes them raw).
  ['raw newline in the prompt', '/v1/image-generate', '{"prompt":"a\nb"}', 400, 'invalid_character', 'prompt'],
  ['raw tab in an enum', '/v1/image-generate', '{"prompt":"a","tier":"fast\t"}', 400, 'invalid_character', 'tier'],
  // cJSON would cut the string at U+0000: refused, whatever the field.
  ['U+0000 in the prompt', '/v1/image-generate', '{"prompt":"a\\u0000b"}', 400, 'invalid_character', 'prompt'],
  ['U+0000 in an enum', '/v1/image-generate', '{"prompt":"a","tier":"fast\\u0000x"}', 400, 'invalid_character', 'tier'],
  ['U+0000 in a field name', '/v1/image-generate', '{"prompt":"a","pro\\u0000mpt":"b"}', 400, 'invalid_character', 'pro\\u0000mpt'],
  ['U+0000 in a URL', '/v1/image-edit', '{"prompt":"a","image_url":"http://localhost/x\\u0000.png"}', 400, 'invalid_character', 'image_url'],
];
for (const [name, path, body, status, code, field] of bad) {
  test(`bad input: ${name} -> ${status} ${code}`, async () => {
    const r = await post(path, body);
    assert.equal(r.status, status);
    assert.equal(r.headers.get('payment-required'), null, 'no payment is asked for bad input');
    const j = await r.json();
    assert.equal(j.error.code, code);
    assert.equal(typeof j.error.message, 'string');
    assert.ok(j.error.message.length > 10);
    assert.equal(j.error.field, field);
  });
}

// What the x402 Bazaar sends to list an endpoint (issue 15): "{}" and a
// body-less POST, no payment.  Both get the 402 of the default request,
// with the bazaar extension describing the real input.
for (const ep of eps) {
  test(`${ep.name}: discovery probes ({} and no body) -> 402 with the bazaar extension`, async () => {
    // The same price as the smallest valid request: required fields only.
    const full = localExample(ep, fakes.port);
    const least = Object.fromEntries((ep.input.required || []).map((k) => [k, full[k]]));
    const want = await post(ep.path, least);
    assert.equal(want.status, 402, await want.clone().text());
    const amount = decodeB64Json(want.headers.get('payment-required')).accepts[0].amount;
    const probes = [await post(ep.path, '{}'), await fetch(srv.url + ep.path, { method: 'POST' })];
    for (const r of probes) {
      assert.equal(r.status, 402, await r.clone().text());
      const v2 = decodeB64Json(r.headers.get('payment-required'));
      assert.equal(v2.resource.url, `${srv.url}${ep.path}`);
      assert.deepEqual(v2.accepts.map((a) => a.network), ['eip155:84532', 'eip155:137']);
      assert.equal(v2.accepts[0].amount, amount);
      assert.ok(v2.extensions.bazaar.info.input.body, 'bazaar example body');
      assert.ok(v2.extensions.bazaar.schema, 'bazaar schema');
      assert.equal((await r.json()).accepts[0].maxAmountRequired, v2.accepts[0].amount);
    }
  });
}

test('exact limits pass: 2000/3000/5000 chars, 256 and 2048 (1280 on Venice), ultra 1024', async () => {
  for (const [path, body] of [
    // Venice's OpenAPI caps image-generate at 1280 a side (issue 24).
    ['/v1/image-generate', { prompt: 'é'.repeat(2000), width: 1280, height: 256 }],
    ['/v1/image-generate-pro', { prompt: 'a'.repeat(3000), width: 2048 }],
    ['/v1/image-generate-ultra', { prompt: 'a'.repeat(5000), width: 1024, height: 256 }],
  ]) assert.equal((await post(path, body)).status, 402, path);
});

test('wrong content type -> 415', async () => {
  const r = await fetch(srv.url + '/v1/image-generate', { method: 'POST', headers: { 'content-type': 'text/plain' }, body: '{"prompt":"x"}' });
  assert.equal(r.status, 415);
  assert.equal((await r.json()).error.code, 'unsupported_media_type');
});

test('body over the cap -> 413 JSON, just under -> processed', async () => {
  const big = JSON.stringify({ prompt: 'x', negative_prompt: 'y'.repeat(70000) });
  const r = await post('/v1/image-generate', big);
  assert.equal(r.status, 413);
  assert.equal((await r.json()).error.code, 'body_too_large');
  // 65536 bytes exactly: reaches validation (400 too_long, not 413).
  const pad = 65536 - JSON.stringify({ prompt: 'x', negative_prompt: '' }).length;
  const under = JSON.stringify({ prompt: 'x', negative_prompt: 'y'.repeat(pad) });
  assert.equal(under.length, 65536);
  const r2 = await post('/v1/image-generate', under);
  assert.equal(r2.status, 400);
  assert.equal((await r2.json()).error.code, 'too_long');
});

test('GET describes the endpoint; browsers are sent to its page', async () => {
  const r = await fetch(srv.url + '/v1/image-generate-pro');
  assert.equal(r.status, 200);
  const j = await r.json();
  assert.equal(j.name, 'image-generate-pro');
  assert.equal(j.price.usd, '0.10');
  assert.equal(j.input.properties.prompt.maxLength, 3000);
  const h = await fetch(srv.url + '/v1/image-generate-pro', { headers: { accept: 'text/html' }, redirect: 'manual' });
  assert.equal(h.status, 302);
  assert.equal(h.headers.get('location'), `${srv.url}/image-generate-pro.html`);
});

test('OPTIONS answers the CORS preflight', async () => {
  const r = await fetch(srv.url + '/v1/image-generate', { method: 'OPTIONS', headers: { origin: 'https://example.org', 'access-control-request-method': 'POST' } });
  assert.equal(r.status, 204);
  assert.match(r.headers.get('access-control-allow-headers'), /PAYMENT-SIGNATURE/);
  assert.match(r.headers.get('access-control-allow-headers'), /X-PAYMENT/);
  assert.match(r.headers.get('access-control-allow-methods'), /POST/);
  assert.equal(r.headers.get('access-control-allow-origin'), '*');
});

test('other methods -> 405 with Allow', async () => {
  const r = await fetch(srv.url + '/v1/image-generate', { method: 'PUT', body: '{}' });
  assert.equal(r.status, 405);
  assert.match(r.headers.get('allow'), /POST/);
});

test('50 parallel requests are all answered', async () => {
  const rs = await Promise.all(Array.from({ length: 50 }, (_, i) =>
    post('/v1/image-generate', { prompt: `cat ${i}`, seed: i })));
  assert.deepEqual(rs.map((r) => r.status), Array(50).fill(402));
  const amounts = await Promise.all(rs.map(async (r) => decodeB64Json(r.headers.get('payment-required')).accepts[0].amount));
  assert.deepEqual(amounts, Array(50).fill('10000'));
});
