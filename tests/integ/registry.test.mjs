// The registry generator against a real lighttpd: the pages are generated
// with the very configuration the server runs with, then registry.json is
// checked with the official @x402 packages and against the live 402 of
// every endpoint, openapi.json and llms.txt against the same facts, and a
// headless Chromium walks the site (console errors, broken links, inputs).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Ajv2020 from 'ajv/dist/2020.js';
import { PaymentRequirementsV2Schema } from '@x402/core/schemas';
import {
  validateDiscoveryExtension, validateDiscoveryExtensionSpec, validateAndExtract,
  extractDiscoveryInfo, sanitizeResourceServiceMetadata,
} from '@x402/extensions/bazaar';
import { chromium } from 'playwright-core';
import { startServer, endpoints, decodeB64Json, TOP, BUILD } from '../lib/server.mjs';
import { startFakes } from '../lib/fakes.mjs';

// A mainnet must be able to prove payments settleable before any work
// (an RPC per mainnet, or a mainnet facilitator) or the endpoints refuse to
// start.  No payment is made on it here, so the node is never asked.
const PROVE_RPC = 'http://127.0.0.1:9';

const ARTIFACTS = join(TOP, 'tests/artifacts');
const eps = endpoints();
let srv, fakes, www, man, registry, openapi, llms;

before(async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sf-pages-'));
  www = join(dir, 'www');
  man = join(dir, 'man');
  mkdirSync(www);
  // Two networks, so accepts lists have more than one offer to compare.
  // Provider keys point at the fakes: polygon is a mainnet, where a route
  // without its key answers 503 before any 402.
  fakes = await startFakes();
  srv = await startServer({ www, conf: { NETWORKS: 'base-sepolia,polygon', RPC_URL_137: PROVE_RPC, MAX_TIMEOUT: '120', URL_ALLOW: 'localhost' }, env: fakes.env });
  execFileSync('sh', [join(TOP, 'registry/pages.sh'), join(BUILD, 'bin/sf-gen'), man, www,
    '-s', join(TOP, 'registry/style.css'), '-t', '1767225600'], { env: srv.env, cwd: TOP });
  registry = JSON.parse(readFileSync(join(www, 'registry.json'), 'utf8'));
  openapi = JSON.parse(readFileSync(join(www, 'openapi.json'), 'utf8'));
  llms = readFileSync(join(www, 'llms.txt'), 'utf8');
});
after(async () => { await srv?.stop(); await fakes?.stop(); });

const byName = () => Object.fromEntries(registry.items.map((it) => [it.metadata.name, it]));
// The default request: the required inputs with their examples only.
// URL inputs point at an image the fakes serve (no DNS in the sandbox).
const defaultBody = (schema) => Object.fromEntries((schema.required || [])
  .map((k) => [k, schema.properties[k].format === 'uri'
    ? `http://localhost:${fakes.port}/files/input.png?w=64&h=48` : schema.properties[k].examples[0]]));
const post = (url, body) => fetch(url, {
  method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body),
});

test('registry.json is a discovery response holding every definition', () => {
  assert.equal(registry.x402Version, 2);
  assert.ok(Array.isArray(registry.items));
  assert.deepEqual(registry.pagination, { limit: eps.length, offset: 0, total: eps.length });
  assert.deepEqual(registry.items.map((i) => i.metadata.name).sort(), eps.map((e) => e.name).sort());
});

test('every item passes the official @x402 schemas and bazaar validators', () => {
  for (const it of registry.items) {
    const n = it.metadata.name;
    assert.equal(typeof it.resource, 'string', n);
    assert.equal(it.type, 'http', n);
    assert.equal(it.x402Version, 2, n);
    assert.ok(!Number.isNaN(Date.parse(it.lastUpdated)), `${n}: lastUpdated`);
    assert.equal(it.lastUpdated, '2026-01-01T00:00:00Z');
    assert.ok(it.accepts.length === 2, `${n}: one offer per network`);
    for (const a of it.accepts) PaymentRequirementsV2Schema.parse(a);
    const ext = it.extensions.bazaar;
    assert.deepEqual(validateDiscoveryExtension(ext), { valid: true }, n);
    const spec = validateDiscoveryExtensionSpec(ext);
    assert.ok(spec.valid, `${n}: ${spec.errors}`);
    assert.ok(validateAndExtract(ext).valid, n);
    // What the facilitator catalogues from a payment carrying this item.
    const found = extractDiscoveryInfo({
      x402Version: 2,
      resource: { url: it.resource, description: it.description, mimeType: it.mimeType,
        serviceName: it.serviceName, tags: it.tags },
      accepted: it.accepts[0], payload: {}, extensions: { bazaar: ext },
    }, it.accepts[0]);
    assert.ok(found, `${n}: discoverable`);
    assert.equal(found.resourceUrl, it.resource);
    assert.equal(found.method, 'POST');
    // Nothing the Bazaar would drop or rewrite.
    assert.deepEqual(sanitizeResourceServiceMetadata(it), { serviceName: it.serviceName, tags: it.tags });
    // metadata: the same info, and a JSON Schema the example body passes.
    assert.deepEqual(it.metadata.info, ext.info, n);
    const ajv = new Ajv2020({ strict: false });
    const ok = ajv.validate(it.metadata.schema, ext.info.input.body);
    assert.ok(ok, `${n}: example body vs schema: ${ajv.errorsText()}`);
  }
});

test("each item's accepts equals the live 402 of its endpoint", async () => {
  for (const it of registry.items) {
    assert.ok(it.resource.startsWith(srv.url + '/'), it.resource);
    const r = await post(it.resource, defaultBody(it.metadata.schema));
    assert.equal(r.status, 402, `${it.metadata.name}: ${await r.clone().text()}`);
    const v2 = decodeB64Json(r.headers.get('payment-required'));
    assert.deepEqual(it.accepts, v2.accepts, it.metadata.name);
    assert.deepEqual(it.extensions.bazaar, v2.extensions.bazaar, it.metadata.name);
    assert.equal(it.resource, v2.resource.url);
    assert.equal(it.metadata.price.amount, v2.accepts[0].amount);
  }
});

test('per-model prices in metadata are what the 402 asks for that model', async () => {
  let checked = 0;
  for (const it of registry.items) {
    const s = it.metadata.schema;
    if (!it.metadata.price.byModel || !s.properties.model) continue;
    for (const m of it.metadata.models) {
      if (!s.properties.model.enum.includes(m.id)) continue;
      // Every provider has its key (the fakes): every model is offered.
      const r = await post(it.resource, { ...defaultBody(s), model: m.id });
      // A retired model says so in the metadata and is refused unpaid.
      if (m.retired) {
        assert.equal(r.status, 400);
        assert.equal((await r.json()).error.code, 'model_retired', `${it.metadata.name} ${m.id}`);
        continue;
      }
      assert.equal(r.status, 402, `${it.metadata.name} ${m.id}: ${await r.clone().text()}`);
      const v2 = decodeB64Json(r.headers.get('payment-required'));
      assert.equal(v2.accepts[0].amount, m.amount, `${it.metadata.name} ${m.id}`);
      checked++;
    }
  }
  assert.ok(checked > 5, `checked ${checked} model prices`);
});

test('openapi.json describes every endpoint with the same schemas and offers', () => {
  assert.equal(openapi.openapi, '3.1.0');
  assert.equal(openapi.servers[0].url, srv.url);
  const items = byName();
  for (const e of eps) {
    const op = openapi.paths[e.path]?.post;
    assert.ok(op, `${e.path} documented`);
    assert.deepEqual(op.requestBody.content['application/json'].schema, items[e.name].metadata.schema);
    assert.deepEqual(op['x-x402-accepts'], items[e.name].accepts);
    for (const code of ['200', '400', '402', '403', '404', '409', '411', '413', '415', '422', '429', '501', '502', '503', '504'])
      assert.ok(op.responses[code], `${e.name}: ${code}`);
    // GET describes the endpoint, free.
    const get = openapi.paths[e.path]?.get;
    assert.ok(get, `${e.path}: GET documented`);
    assert.ok(get.responses['200'] && get.responses['302'], `${e.name}: GET 200/302`);
  }
  // What the servers answer besides the request's own errors.
  assert.match(openapi.components.responses['429'].description, /too_many_in_flight/);
  assert.ok(openapi.components.responses['429'].headers['Retry-After']);
  assert.match(openapi.components.responses['501'].description, /offline_unsupported/);
  assert.ok(openapi.components.responses['405'].headers.Allow);
  for (const code of ['403', '404', '405', '411'])
    assert.ok(openapi.components.responses[code], `components.responses.${code}`);
  // The free demo of /api/generate: its query and its own refusals.
  const demo = openapi.paths['/api/generate'].get;
  assert.deepEqual(demo.parameters.map((p) => [p.name, p.in]), [['demo', 'query'], ['prompt', 'query'], ['model', 'query']]);
  assert.match(demo.responses['429'].description, /demo_rate_limited/);
  assert.ok(demo.responses['429'].headers['Retry-After']);
  assert.match(demo.responses['403'].description, /demo_disabled/);
  const r402 = openapi.components.responses['402'];
  assert.ok(r402.headers['PAYMENT-REQUIRED']);
  assert.equal(openapi.components.responses['400'].content['application/json'].schema.$ref,
    '#/components/schemas/Error');
});

// Discovery from the origin (issue 27): the manifest of x402 PR #2646 and
// OpenAPI x-payment-info, both served by the site, agree with the 402.
test('/.well-known/x402.json is served and agrees with the live 402 of every endpoint, prices per model included', async () => {
  const r = await fetch(`${srv.url}/.well-known/x402.json`);
  assert.equal(r.status, 200);
  assert.match(r.headers.get('content-type'), /^application\/json/);
  const wk = await r.json();
  assert.equal(wk.x402Version, 2);
  assert.equal(wk.lastUpdated, 1767225600);
  assert.equal(wk.unavailable, undefined, 'every endpoint runs here');
  assert.deepEqual(wk.items.map((i) => i.resource.url).sort(), eps.map((e) => srv.url + e.path).sort());
  const items = byName();
  let models = 0;
  for (const it of wk.items) {
    const e = eps.find((x) => srv.url + x.path === it.resource.url);
    assert.equal(it.type, 'http');
    for (const a of it.accepts) PaymentRequirementsV2Schema.parse(a);
    assert.deepEqual(it.input, { method: 'POST', routeTemplate: e.path, bodyType: 'json', body: items[e.name].metadata.schema });
    assert.equal(it.output.mimeType, 'application/json');
    assert.deepEqual(it.output.schema, items[e.name].metadata.outputSchema);
    const live = await post(it.resource.url, defaultBody(it.input.body));
    assert.equal(live.status, 402, e.name);
    const v2 = decodeB64Json(live.headers.get('payment-required'));
    assert.deepEqual(it.accepts, v2.accepts, `${e.name}: accepts`);
    assert.equal(it.prices.default, v2.accepts[0].amount);
    for (const m of it.prices.models) {
      if (!it.input.body.properties.model?.enum.includes(m.model)) continue;
      const pr = await post(it.resource.url, { ...defaultBody(it.input.body), model: m.model });
      if (m.retired) { assert.equal(pr.status, 400, `${e.name} ${m.model}`); await pr.arrayBuffer(); continue; }
      assert.equal(pr.status, 402, `${e.name} ${m.model}: ${await pr.clone().text()}`);
      assert.equal(decodeB64Json(pr.headers.get('payment-required')).accepts[0].amount, m.amount, `${e.name} ${m.model}`);
      models++;
    }
  }
  assert.ok(models > 20, `checked ${models} model prices`);
});

test('openapi.json: x-payment-info on every paid operation, its price what the 402s ask', async () => {
  assert.equal(openapi['x-service-info'].docs.llms, `${srv.url}/llms.txt`);
  for (const e of eps) {
    const op = openapi.paths[e.path].post;
    const info = op['x-payment-info'];
    assert.ok(info, `${e.name}: x-payment-info`);
    assert.deepEqual(info.protocols, [{ x402: {} }]);
    assert.equal(info.price.currency, 'USD');
    assert.ok(op.responses['402']);
    assert.equal(openapi.paths[e.path].get['x-payment-info'], undefined, `${e.name}: GET is free`);
    // What the 402 asks for each model this server runs, in USD.
    const schema = op.requestBody.content['application/json'].schema;
    const amounts = [];
    const ids = schema.properties.model?.enum ?? [null];
    for (const id of ids) {
      const r = await post(srv.url + e.path, id ? { ...defaultBody(schema), model: id } : defaultBody(schema));
      if (r.status !== 402) { await r.arrayBuffer(); continue; }	// retired: refused unpaid
      amounts.push(BigInt(decodeB64Json(r.headers.get('payment-required')).accepts[0].amount));
    }
    const usd = (a) => (Number(a) / 1e6);
    const lo = amounts.reduce((a, b) => (b < a ? b : a)), hi = amounts.reduce((a, b) => (b > a ? b : a));
    if (info.price.mode === 'fixed') {
      assert.equal(lo, hi, `${e.name}: fixed, yet the models cost ${lo}..${hi}`);
      assert.equal(Number(info.price.amount), usd(lo), e.name);
    } else {
      assert.equal(info.price.mode, 'dynamic');
      assert.equal(Number(info.price.min), usd(lo), `${e.name}: min`);
      assert.ok(Number(info.price.max) >= usd(hi), `${e.name}: max`);
    }
  }
});

test('every page links both discovery documents', async () => {
  for (const p of ['index.html', 'image-generate.html', 'synthforge.html']) {
    const html = readFileSync(join(www, p), 'utf8');
    assert.match(html, /<link rel="service-desc" type="application\/json" title="openapi.json" href="openapi.json">/, p);
    assert.match(html, /<link rel="service-meta" type="application\/json" title="x402 discovery" href=".well-known\/x402.json">/, p);
  }
});

test('llms.txt has the llmstxt.org structure and every link answers', async () => {
  const lines = llms.split('\n');
  assert.match(lines[0], /^# \S/);
  assert.match(llms, /\n\n> [^\n]+\n/);
  const sections = llms.split(/^##\s*(.*?)$/m);
  assert.ok(sections.some((s) => s === 'Optional'), '## Optional');
  assert.ok(!/^#{3,}/m.test(llms), 'no deeper headings');
  const re = /^-\s*\[(?<title>[^\]]+)\]\((?<url>[^)]+)\)(?::\s*(?<desc>.*))?$/;
  const items = lines.filter((l) => l.startsWith('- ')).map((l) => l.match(re));
  assert.ok(items.every(Boolean), 'every list item parses');
  for (const e of eps) assert.ok(items.some((m) => m.groups.title === e.name), `${e.name} listed`);
  for (const m of items) {
    const r = await fetch(m.groups.url);
    assert.equal(r.status, 200, m.groups.url);
    await r.arrayBuffer();
  }
});

test('GET of an endpoint answers the description openapi.json promises; PUT gets 405 with Allow', async () => {
  for (const e of eps) {
    const r = await fetch(srv.url + e.path);
    assert.equal(r.status, 200, e.name);
    const j = await r.json();
    for (const k of openapi.paths[e.path].get.responses['200'].content['application/json'].schema.required
      ?? openapi.paths[e.path].get.responses['200'].content['application/json'].schema.oneOf[0].required)
      assert.ok(k in j, `${e.name}: ${k}`);
  }
  const put = await fetch(srv.url + '/v1/image-generate', { method: 'PUT', headers: { 'content-type': 'application/json' }, body: '{}' });
  assert.equal(put.status, 405);
  assert.match(put.headers.get('allow'), /POST/);
  assert.equal((await put.json()).error.code, 'method_not_allowed');
  assert.ok(openapi.components.responses['405'].description.includes('method_not_allowed'));
});

// The same generator with the configuration a newcomer's `make run` has:
// no FAL_KEY (testnet).  The video endpoints then refuse every call (501,
// route.c) and what is generated must say so, from the same decision.
test('without FAL_KEY: the video endpoints are unavailable in every output, the rest live', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sf-pages-nokey-'));
  const w = join(dir, 'www'), m = join(dir, 'man');
  mkdirSync(w);
  const { FAL_KEY, ...env } = srv.env;
  assert.ok(FAL_KEY, 'the server under test has FAL_KEY');
  const cfg = join(dir, 'synthforge.conf');
  // A testnet only: offline stand-ins are allowed, video has none.
  writeFileSync(cfg, readFileSync(srv.cfgFile, 'utf8').replace(/^NETWORKS=.*$/m, 'NETWORKS=base-sepolia'));
  execFileSync('sh', [join(TOP, 'registry/pages.sh'), join(BUILD, 'bin/sf-gen'), m, w,
    '-s', join(TOP, 'registry/style.css'), '-t', '1767225600'], { env: { ...env, SYNTHFORGE_CONFIG: cfg }, cwd: TOP });
  const video = eps.filter((e) => e.media === 'video').map((e) => e.name).sort();
  assert.deepEqual(video, ['image-to-video', 'seedance-video', 'text-to-video']);
  const reg = JSON.parse(readFileSync(join(w, 'registry.json'), 'utf8'));
  const oa = JSON.parse(readFileSync(join(w, 'openapi.json'), 'utf8'));
  const txt = readFileSync(join(w, 'llms.txt'), 'utf8');
  assert.deepEqual(reg.unavailable.map((u) => u.name).sort(), video);
  // The discovery manifest says the same, and nothing offers to pay them.
  const wk = JSON.parse(readFileSync(join(w, '.well-known/x402.json'), 'utf8'));
  assert.deepEqual(wk.unavailable.map((u) => u.name).sort(), video);
  for (const u of wk.unavailable) assert.equal(u.reason, 'needs FAL_KEY', u.name);
  assert.deepEqual(wk.items.map((i) => i.resource.url).sort(), reg.items.map((i) => i.resource).sort());
  // Every table that lists a video endpoint marks it (issue 23 item 10).
  const index = readFileSync(join(w, 'index.html'), 'utf8');
  for (const v of video) {
    assert.match(index, new RegExp(`<tr id="ep-${v}">.*unavailable: needs FAL_KEY`), `index: ${v}`);
    const peer = video.find((x) => x !== v);
    assert.match(readFileSync(join(w, `${peer}.html`), 'utf8'), new RegExp(`<tr id="ep-${v}">.*unavailable: needs FAL_KEY`), `${peer} ADJACENT: ${v}`);
    const man7 = readFileSync(join(m, 'synthforge.7'), 'utf8').split(`.It Xr ${v} 1\n`)[1].split('\n.It')[0];
    assert.match(man7, /^Unavailable on this server \(needs FAL_KEY\)/m, `synthforge(7): ${v}`);
    // No form where every call is refused.
    assert.doesNotMatch(readFileSync(join(w, `${v}.html`), 'utf8'), /id="try"/, `${v}: no TRY IT`);
  }
  assert.doesNotMatch(index, /<tr id="ep-image-generate">.*unavailable/);
  for (const u of reg.unavailable) assert.equal(u.reason, 'needs FAL_KEY', u.name);
  assert.deepEqual(reg.items.map((i) => i.metadata.name).sort(), eps.map((e) => e.name).filter((n) => !video.includes(n)).sort());
  assert.equal(reg.pagination.total, reg.items.length);
  for (const e of eps) {
    const md = readFileSync(join(w, `${e.name}.html.md`), 'utf8');
    const line = txt.split('\n').find((l) => l.startsWith(`- [${e.name}](`));
    const op = oa.paths[e.path].post;
    if (video.includes(e.name)) {
      assert.match(md, /status: unavailable: needs FAL_KEY/, e.name);
      assert.doesNotMatch(md, /status: live/, e.name);
      assert.match(line, /: UNAVAILABLE on this server \(needs FAL_KEY\)/, e.name);
      assert.equal(op['x-unavailable'], 'needs FAL_KEY', e.name);
      assert.equal(op['x-payment-info'], undefined, `${e.name}: not payable here`);
      assert.match(readFileSync(join(w, `${e.name}.html`), 'utf8'), /unavailable: needs FAL_KEY/);
      assert.match(readFileSync(join(m, `${e.name}.1`), 'utf8'), /^Unavailable on this server \(needs FAL_KEY\)/m);
    } else {
      assert.match(md, /status: live/, e.name);
      assert.doesNotMatch(line, /UNAVAILABLE/, e.name);
      assert.equal(op['x-unavailable'], undefined, e.name);
      assert.ok(op['x-payment-info'], e.name);
    }
  }
  // Offline speech is WAV whatever format asks: its page says so.
  assert.match(readFileSync(join(w, 'text-to-speech.html.md'), 'utf8'), /16-bit mono WAV whatever format asks for/);
  // The keyed run says nothing of the kind.
  assert.equal(registry.unavailable, undefined);
  assert.doesNotMatch(readFileSync(join(www, 'text-to-speech.html.md'), 'utf8'), /WAV whatever format/);
  // No key value is ever written.
  for (const f of ['registry.json', 'openapi.json', 'llms.txt', 'text-to-video.html.md'])
    assert.doesNotMatch(readFileSync(join(w, f), 'utf8'), /test-[a-z]+-key/);
});

test('the page heading is the man page name, and NAME keeps the summary\'s acronyms', () => {
  const html = readFileSync(join(www, 'image-generate.html'), 'utf8');
  assert.match(html, /<h1>image-generate\(1\)<\/h1>/);
  assert.match(html, /<b>image-generate<\/b> — image generate \(fast\/cheap\) \/ text-to-image \/ AI art<\/p>/);
  assert.match(readFileSync(join(www, 'image-generate.html.md'), 'utf8'), /\*\*image-generate\*\* — .*AI art/);
  assert.match(readFileSync(join(man, 'image-generate.1'), 'utf8'), /^\.Nd .*AI \\&art$/m);
  assert.match(readFileSync(join(www, 'text-to-speech.html'), 'utf8'), /TTS/);
});

test('an endpoint GET from a browser is sent to its page, which exists', async () => {
  for (const e of eps) {
    const r = await fetch(srv.url + e.path, { headers: { accept: 'text/html' }, redirect: 'manual' });
    assert.equal(r.status, 302);
    assert.equal(r.headers.get('location'), `${srv.url}/${e.name}.html`);
    const p = await fetch(r.headers.get('location'));
    assert.equal(p.status, 200);
    assert.match(p.headers.get('content-type'), /text\/html/);
    await p.arrayBuffer();
  }
});

test('headless Chromium: pages load clean, links resolve, every input is shown', async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  const ctx = await chromium.launchPersistentContext(mkdtempSync(join(tmpdir(), 'sf-chromium-')), {
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    viewport: { width: 1200, height: 900 },
  });
  const checked = new Map();
  try {
    const page = await ctx.newPage();
    const errors = [];
    page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
    page.on('pageerror', (e) => errors.push(String(e)));
    page.on('requestfailed', (r) => errors.push(`failed: ${r.url()}`));
    page.on('response', (r) => { if (r.status() >= 400) errors.push(`${r.status()}: ${r.url()}`); });
    const pages = ['index.html', ...eps.map((e) => `${e.name}.html`),
      ...[...new Set(eps.map((e) => byName()[e.name].metadata.cluster))].map((c) => `${c}.html`)];
    for (const p of pages) {
      const resp = await page.goto(`${srv.url}/${p}`);
      assert.equal(resp.status(), 200, p);
      // Every href/src on our host answers 200; every #fragment exists.
      const refs = await page.$$eval('[href], [src]', (els) => els.map((el) => el.href || el.src));
      for (const ref of refs) {
        const u = new URL(ref);
        if (u.protocol === 'data:' || u.host !== new URL(srv.url).host) continue;
        if (u.hash.length > 1 && u.pathname === new URL(page.url()).pathname) {
          const id = decodeURIComponent(u.hash.slice(1));
          assert.ok(await page.$(`[id="${id}"]`), `${p}: anchor ${u.hash}`);
        }
        const key = u.origin + u.pathname;
        if (!checked.has(key)) {
          const r = await fetch(key);
          checked.set(key, r.status);
          await r.arrayBuffer();
        }
        assert.equal(checked.get(key), 200, `${p} links to ${key}`);
      }
      const e = eps.find((x) => `${x.name}.html` === p);
      if (e) {
        assert.equal(await page.title(), `${e.name}(1) \u2014 ${byName()[e.name].metadata.cluster}`);
        for (const id of ['name', 'synopsis', 'description', 'input', 'output', 'examples',
          'metadata', 'adjacent', 'see-also'])
          assert.ok(await page.$(`section#${id}`), `${p}: section ${id}`);
        // The pay-and-run form, shown by the page's script, has a
        // control for every input.
        assert.ok(await page.locator('#try').isVisible(), `${p}: TRY IT shown`);
        for (const name of Object.keys(e.input.properties)) {
          assert.equal(await page.locator(`#try [data-param="${name}"]`).count(), 1, `${p}: form input ${name}`);
          const row = await page.$(`tr#input-${name}`);
          assert.ok(row, `${p}: input row ${name}`);
          assert.match(await row.innerText(), new RegExp(`^${name}\\b`));
        }
      }
    }
    assert.deepEqual(errors, []);
    // Artifacts to look at: one page at desktop and at phone width.
    await page.goto(`${srv.url}/image-generate-pro.html`);
    await page.screenshot({ path: join(ARTIFACTS, 'image-generate-pro.png'), fullPage: true });
    await page.setViewportSize({ width: 390, height: 844 });
    await page.screenshot({ path: join(ARTIFACTS, 'image-generate-pro-phone.png'), fullPage: true });
    // Nothing wider than the phone screen but the scroll boxes.
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth);
    assert.ok(overflow <= 390, `page is ${overflow}px wide on a phone`);
    await page.goto(`${srv.url}/index.html`);
    await page.screenshot({ path: join(ARTIFACTS, 'index-phone.png'), fullPage: true });
  } finally {
    await ctx.close();
  }
  assert.ok(checked.size > eps.length, `checked ${checked.size} links`);
  assert.ok(existsSync(join(ARTIFACTS, 'image-generate-pro.png')));
});

test('the man pages pass mandoc -T lint -W style', () => {
  const pages = execFileSync('sh', ['-c', 'ls *.1 *.7'], { cwd: man }).toString().trim().split('\n');
  assert.equal(pages.length, eps.length + 4, "every endpoint, synthforge(7), x402(7), mcp(7), jobs(7)");
  execFileSync('mandoc', ['-T', 'lint', '-W', 'style', ...pages], { cwd: man });
});
