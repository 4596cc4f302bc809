// The free demo of /api/generate (page 004: GET /api/generate?demo=true)
// through lighttpd: no payment, says it is a demo, limited per client with
// a 429 + Retry-After, never reaches a paid upstream beyond
// DEMO_PAID_PER_HOUR (default 0), works on a mainnet configuration without
// provider keys.  The budget itself, across processes: tests/unit/test_demo.c.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startFakes } from '../lib/fakes.mjs';
import { startServer } from '../lib/server.mjs';

// A mainnet must be able to prove payments settleable before any work
// (an RPC per mainnet, or a mainnet facilitator) or the endpoints refuse to
// start.  No payment is made on it here, so the node is never asked.
const PROVE_RPC = 'http://127.0.0.1:9';

let fakes, srv, srvPaid, srvMainnet;
const LIMITS = { DEMO_PER_CLIENT_PER_MINUTE: '2', DEMO_PER_CLIENT_PER_HOUR: '3' };

before(async () => {
  fakes = await startFakes();
  srv = await startServer({ conf: { NETWORKS: 'base-sepolia', ...LIMITS }, env: fakes.env });
  srvPaid = await startServer({ conf: { NETWORKS: 'base-sepolia', DEMO_PAID_PER_HOUR: '1' }, env: fakes.env });
  const { FAL_KEY, ...nokey } = fakes.env;
  assert.ok(FAL_KEY);
  srvMainnet = await startServer({ conf: { NETWORKS: 'base', RPC_URL_8453: PROVE_RPC }, env: nokey });
});
after(async () => {
  await srv?.stop(); await srvPaid?.stop(); await srvMainnet?.stop(); await fakes?.stop();
});

const falCalls = async () => (await fakes.requests())
  .filter((q) => q.method === 'POST' && q.path.startsWith('/fal/fal-ai/flux/')).length;

async function demo(s, query = 'demo=true') {
  const r = await fetch(`${s.url}/api/generate?${query}`);
  const text = await r.text();
  let body = null;
  try { body = JSON.parse(text); } catch { /* not JSON */ }
  return { r, body, text };
}

test('GET /api/generate?demo=true: a free image, marked as a demo, no upstream call', async () => {
  const before0 = await falCalls();
  const { r, body, text } = await demo(srv);
  assert.equal(r.status, 200, text);
  assert.equal(r.headers.get('payment-required'), null);
  assert.equal(body.demo, true);
  assert.match(body.notice, /demo/i);
  assert.equal(body.price, '$0.00');
  assert.equal(body.model, 'flux-schnell');
  assert.ok(body.image_url.startsWith(`${srv.url}/media/`), body.image_url);
  const m = await fetch(body.image_url);
  assert.equal(m.status, 200);
  assert.match(m.headers.get('content-type'), /^image\//);
  assert.equal(await falCalls(), before0, 'DEMO_PAID_PER_HOUR=0: the offline generator, not fal');
});

test('the demo takes a prompt and a model from the query, nothing else', async () => {
  let { r, body, text } = await demo(srvPaid, 'demo=true&prompt=a+small+red+boat&model=flux-dev');
  assert.equal(r.status, 200, text);
  assert.equal(body.model, 'flux-dev');
  ({ r, body } = await demo(srvPaid, 'demo=true&width=2048'));
  assert.equal(r.status, 400);
  assert.equal(body.error.field, 'width');
  ({ r, body } = await demo(srvPaid, 'demo=true&model=dall-e'));
  assert.equal(r.status, 400);
  assert.equal(body.error.field, 'model');
});

test('per client: over the limit is 429 with Retry-After, and no payment is offered', async () => {
  // The first test spent one of this client's two per minute.
  let { r, text } = await demo(srv);
  assert.equal(r.status, 200, text);
  let body;
  ({ r, body } = await demo(srv));
  assert.equal(r.status, 429);
  const wait = Number(r.headers.get('retry-after'));
  assert.ok(Number.isInteger(wait) && wait >= 1 && wait <= 60, `Retry-After ${r.headers.get('retry-after')}`);
  assert.equal(body.error.code, 'demo_rate_limited');
  assert.match(body.error.message, /per minute/);
  assert.equal(r.headers.get('payment-required'), null);
  // Paying customers are not limited by the demo.
  const p = await fetch(`${srv.url}/api/generate`, { method: 'POST', headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ prompt: 'paid is fine' }) });
  assert.equal(p.status, 402);
});

test('DEMO_PAID_PER_HOUR=1: one demo reaches fal, the next is served offline', async () => {
  // srvPaid already spent its one paid unit in the query test above.
  const n0 = await falCalls();
  const { r, body, text } = await demo(srvPaid, 'demo=true&prompt=second');
  assert.equal(r.status, 200, text);
  assert.match(body.notice, /offline/);
  assert.equal(await falCalls(), n0, 'budget spent: no further fal call');
  const all = (await fakes.requests()).filter((q) => q.method === 'POST' && q.path === '/fal/fal-ai/flux/dev');
  assert.equal(all.length, 1, 'the first demo (flux-dev) did go to fal');
});

test('a mainnet server without provider keys still serves the demo (offline, free)', async () => {
  const { r, body, text } = await demo(srvMainnet);
  assert.equal(r.status, 200, text);
  assert.equal(body.demo, true);
  // ...while a paid request for the same model is refused before the 402.
  const p = await fetch(`${srvMainnet.url}/api/generate`, { method: 'POST',
    headers: { 'content-type': 'application/json' }, body: JSON.stringify({ prompt: 'x' }) });
  assert.equal(p.status, 503);
});

test('only DEF_EP_DEMO endpoints have a demo', async () => {
  const r = await fetch(`${srv.url}/api/v1/image/generate?demo=true`);
  const j = await r.json();
  // The ordinary description, not an image.
  assert.equal(j.name, 'api-v1-image-generate');
  assert.ok(!('image_url' in j) && !('images' in j) && j.demo === undefined);
});
