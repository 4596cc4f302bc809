// Every price of every model of every endpoint against the table pinned by
// hand in tests/expect/prices.json: the live 402 (the v2 PAYMENT-REQUIRED
// header and the v1 body, every offer), registry.json, and the pages (HTML
// and Markdown: the price facts, the model table, the ADJACENT tables).  A
// price mistyped in one definition fails here even though every output
// agrees with the definition.  (The paid suites check the on-chain
// movement against the same table.)
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer, endpoints, decodeB64Json, TOP, BUILD } from '../lib/server.mjs';
import { startFakes } from '../lib/fakes.mjs';
import { PRICES, atomic, expectedPrice, usdText } from '../lib/prices.mjs';

const eps = endpoints();
let srv, fakes, www, registry;

before(async () => {
  www = join(mkdtempSync(join(tmpdir(), 'sf-prices-')), 'www');
  mkdirSync(www);
  fakes = await startFakes();
  // Two networks: every offer of the accepts list carries the price.  A
  // mainnet needs an RPC named to offer (never reached: no payment here).
  srv = await startServer({ www, conf: { NETWORKS: 'base-sepolia,polygon', RPC_URL_137: 'http://127.0.0.1:9', URL_ALLOW: 'localhost' }, env: fakes.env });
  execFileSync('sh', [join(TOP, 'registry/pages.sh'), join(BUILD, 'bin/sf-gen'), join(www, '..', 'man'), www,
    '-s', join(TOP, 'registry/style.css'), '-t', '1767225600'], { env: srv.env, cwd: TOP });
  registry = JSON.parse(readFileSync(join(www, 'registry.json'), 'utf8'));
});
after(async () => { await srv?.stop(); await fakes?.stop(); });

// The required inputs only, URL inputs on an image the fakes serve.
function minimal(ep) {
  const body = {};
  for (const k of ep.input.required || []) {
    body[k] = (ep.url_inputs || []).includes(k) ? `http://localhost:${fakes.port}/files/input-${k}.png?w=64&h=48` : ep.example[k];
    assert.notEqual(body[k], undefined, `${ep.name}: no example for required ${k}`);
  }
  return body;
}

async function quoted(ep, body) {
  const r = await fetch(srv.url + ep.path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const text = await r.text();
  assert.equal(r.status, 402, `${ep.name} ${JSON.stringify(body)}: ${text}`);
  const v2 = decodeB64Json(r.headers.get('payment-required'));
  const v1 = JSON.parse(text);
  assert.equal(v2.accepts.length, 2, `${ep.name}: one offer per network`);
  assert.equal(v1.accepts.length, 2, `${ep.name}: one v1 offer per network`);
  return { v2: v2.accepts.map((a) => BigInt(a.amount)), v1: v1.accepts.map((a) => BigInt(a.maxAmountRequired)) };
}

const range = (p) => {
  const all = Object.values(p.models).map(atomic);
  const lo = all.reduce((a, b) => (b < a ? b : a)), hi = all.reduce((a, b) => (b > a ? b : a));
  const usd = (n) => usdText(`$${n / 1000000n}.${String(n % 1000000n).padStart(6, '0').replace(/0+$/, '')}`);
  return lo === hi ? usd(lo) : `${usd(lo)}\u2013${usd(hi)}`;
};

test('the pinned table covers exactly the endpoints, their paths, models and tiers', () => {
  assert.deepEqual(eps.map((e) => e.name).sort(), Object.keys(PRICES).sort());
  for (const ep of eps) {
    const p = PRICES[ep.name];
    assert.equal(ep.path, p.path, ep.name);
    const item = registry.items.find((i) => i.metadata.name === ep.name);
    assert.deepEqual(item.metadata.models.map((m) => m.id).sort(), Object.keys(p.models).sort(), `${ep.name}: models`);
    const tiers = {};
    for (const m of item.metadata.models) for (const t of (m.tiers || '').split(/[ ,]+/).filter(Boolean)) tiers[t] = m.id;
    assert.deepEqual(tiers, p.tiers || {}, `${ep.name}: tiers`);
  }
});

test('the live 402 asks every model\u2019s pinned price, v2 header and v1 body, every offer', async () => {
  let n = 0;
  for (const ep of eps) {
    const p = PRICES[ep.name];
    const base = minimal(ep);
    const retired = p.retired || [];
    const cases = [{}, ...Object.keys(p.models).map((model) => ({ model })),
      ...Object.keys(p.tiers || {}).map((tier) => ({ tier })),
      ...(p.per_models || []).filter((m) => !retired.includes(m)).map((model) => ({ model, [p.per]: 3 }))];
    for (const c of cases) {
      const body = { ...base, ...c };
      if (retired.includes(c.model)) {
        // Listed at its price, but refused before any payment is asked.
        const r = await fetch(srv.url + ep.path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
        assert.equal(r.status, 400, `${ep.name} ${c.model}: retired`);
        assert.equal(r.headers.get('payment-required'), null);
        assert.equal((await r.json()).error.code, 'model_retired');
        continue;
      }
      const want = expectedPrice(ep.name, body);
      const got = await quoted(ep, body);
      assert.deepEqual(got.v2, [want, want], `${ep.name} ${JSON.stringify(c)}: v2 amount`);
      assert.deepEqual(got.v1, [want, want], `${ep.name} ${JSON.stringify(c)}: v1 maxAmountRequired`);
      n++;
    }
    assert.equal(expectedPrice(ep.name, base), atomic(p.price), `${ep.name}: the default request costs the listed price`);
  }
  assert.ok(n > 100, `checked ${n} quotes`);
});

test('registry.json: every endpoint\u2019s price and every model\u2019s amount are the pinned ones', () => {
  for (const it of registry.items) {
    const n = it.metadata.name, p = PRICES[n];
    assert.equal(it.metadata.price.amount, String(atomic(p.price)), `${n}: price.amount`);
    assert.equal(`$${it.metadata.price.usd}`, usdText(p.price), `${n}: price.usd`);
    assert.equal(it.metadata.price.per, p.per || 'call', `${n}: per`);
    for (const a of it.accepts) assert.equal(a.amount, String(atomic(p.price)), `${n}: accepts amount`);
    for (const m of it.metadata.models) assert.equal(m.amount, String(atomic(p.models[m.id])), `${n} ${m.id}`);
  }
});

test('the pages (HTML and Markdown) print the pinned prices: facts, model table, ADJACENT', () => {
  for (const ep of eps) {
    const p = PRICES[ep.name];
    const html = readFileSync(join(www, `${ep.name}.html`), 'utf8');
    const md = readFileSync(join(www, `${ep.name}.html.md`), 'utf8');
    const per = p.per || 'call';
    const fact = `${usdText(p.price)} USDC per ${per} (${atomic(p.price)} atomic units)`;
    assert.ok(md.includes(`- price: ${fact}`), `${ep.name}.html.md: ${fact}`);
    assert.ok(html.includes(`<dd>${fact}</dd>`), `${ep.name}.html: ${fact}`);
    assert.ok(html.includes(`<span class="usd">${usdText(p.price)}</span>`), `${ep.name}.html: headline price`);
    if (range(p).includes('\u2013')) {
      assert.ok(md.includes(`- price by model: ${range(p)}`), `${ep.name}.html.md: range ${range(p)}`);
      assert.ok(html.includes(`by model: ${range(p)}`), `${ep.name}.html: range ${range(p)}`);
    }
    for (const [id, usd] of Object.entries(p.models)) {
      const row = html.match(new RegExp(`<tr id="model-${id.replace(/\./g, '\\.')}">(.*?)</tr>`));
      assert.ok(row, `${ep.name}.html: row for ${id}`);
      assert.match(row[1], new RegExp(`<td class="num">\\${usdText(usd)}</td>`), `${ep.name}.html ${id}`);
      const mrow = md.split('\n').find((l) => l.startsWith(`| \`${id}\` |`));
      assert.ok(mrow, `${ep.name}.html.md: row for ${id}`);
      assert.equal(mrow.split(' | ')[3], usdText(usd), `${ep.name}.html.md ${id}`);
    }
    // Every other endpoint, as this page's ADJACENT table lists it.
    for (const [other, q] of Object.entries(PRICES)) {
      const row = html.match(new RegExp(`<tr id="ep-${other}">(.*?)</tr>`));
      if (!row) continue;
      assert.match(row[1], new RegExp(`<td class="num">${range(q).replace(/\$/g, '\\$')}</td>$`), `${ep.name}.html lists ${other}`);
    }
  }
});
