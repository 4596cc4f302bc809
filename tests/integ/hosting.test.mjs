// Hosting: the same site and endpoints behind lighttpd, Apache
// (mod_proxy_fcgi + spawn-fcgi) and nginx (+ spawn-fcgi), configured by
// sf-hostconf.  For each server: 402 in both protocol versions with our own
// Content-Length, exact-path routing, the body cap (just under, just over,
// far over), look-alike payment headers (X_PAYMENT ...) never reaching the
// endpoint, big payment headers, GET / OPTIONS, static site and /media/,
// /metrics and /healthz, one JSON log line per request, metrics counters
// for a refused payment, and no endpoint process left behind.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import net from 'node:net';
import { mkdtempSync, mkdirSync, writeFileSync, readFileSync, existsSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer, decodeB64Json, endpoints, localExample, alive, SERVERS } from '../lib/server.mjs';
import { startFakes } from '../lib/fakes.mjs';
import { scrape, metric } from '../lib/metrics.mjs';

// A facilitator that only answers /supported, so /healthz can pass offline.
// The fakes only serve the input images (no provider key is given, so
// every route runs offline).
let fac, fakes;
before(async () => {
  fakes = await startFakes();
  fac = http.createServer((req, res) => {
    res.setHeader('content-type', 'application/json');
    res.end(req.url === '/supported' ? '{"kinds":[{"x402Version":2,"scheme":"exact","network":"eip155:84532"}]}' : '{}');
  });
  await new Promise((r) => fac.listen(0, '127.0.0.1', r));
});
after(async () => { await fakes?.stop(); await new Promise((r) => fac.close(r)); });

// The site: our own files, the generated site is another part's business.
const www = mkdtempSync(join(tmpdir(), 'sf-www-'));
chmodSync(www, 0o755);
writeFileSync(join(www, 'index.html'), '<!doctype html><title>synthforge</title>\n');
writeFileSync(join(www, 'llms.txt'), '# synthforge\n');

// Raw request (fetch would normalise header names, refuse some, and
// re-frame the body): returns status, headers (lower-case), body text.
function raw(port, { method = 'POST', path = '/v1/image-generate', headers = {}, body = '' } = {}) {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, method, path, headers, insecureHTTPParser: true }, (res) => {
      const chunks = [];
      res.on('data', (d) => chunks.push(d));
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, raw: res.rawHeaders, body: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', reject);
    req.end(body);
  });
}
// Bytes exactly as written (no Content-Length added, none checked).
function sock(port, text) {
  return new Promise((resolve, reject) => {
    // write, not end: nginx drops a client that half-closes first.
    const c = net.connect(port, '127.0.0.1', () => c.write(text));
    const chunks = [];
    c.on('data', (d) => chunks.push(d));
    c.on('error', reject);
    c.on('close', () => {
      const t = Buffer.concat(chunks).toString('utf8');
      const [head, ...rest] = t.split('\r\n\r\n');
      const headers = Object.fromEntries(head.split('\r\n').slice(1).map((l) => [l.slice(0, l.indexOf(':')).toLowerCase(), l.slice(l.indexOf(':') + 1).trim()]));
      resolve({ status: Number(head.split(' ')[1]), headers, body: rest.join('\r\n\r\n') });
    });
  });
}
// Our error shape, with the status and code.
function assertOurs(r, status, code) {
  assert.equal(r.status, status, r.body.slice(0, 200));
  assert.match(r.headers['content-type'], /^application\/json/, `${status}: ${r.headers['content-type']} ${r.body.slice(0, 120)}`);
  const j = JSON.parse(r.body);
  assert.equal(j.error.code, code);
  assert.ok(typeof j.error.message === 'string' && j.error.message.length > 10, r.body);
}
// A JSON-RPC 2.0 error (what /mcp answers).
function assertRpc(r, status) {
  assert.equal(r.status, status, r.body.slice(0, 200));
  assert.match(r.headers['content-type'], /^application\/json/);
  const j = JSON.parse(r.body);
  assert.equal(j.jsonrpc, '2.0');
  assert.equal(j.id, null);
  assert.equal(typeof j.error.code, 'number');
  assert.equal(typeof j.error.message, 'string');
}
// A POST over a plain socket: what the server sent back before it closed,
// whether or not it read the whole body (our write errors are ignored).
function rawStream(port, path, body, headers = json) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    const c = net.connect(port, '127.0.0.1', () => {
      c.write(`POST ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\n`
        + Object.entries(headers).map(([k, v]) => `${k}: ${v}\r\n`).join('')
        + `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n`);
      c.write(body, () => {});
    });
    c.on('data', (d) => chunks.push(d));
    c.on('error', (e) => { if (!['EPIPE', 'ECONNRESET'].includes(e.code)) reject(e); });
    c.on('close', () => {
      const t = Buffer.concat(chunks).toString('utf8');
      const [head, ...rest] = t.split('\r\n\r\n');
      const headers = Object.fromEntries(head.split('\r\n').slice(1).map((l) => [l.slice(0, l.indexOf(':')).toLowerCase(), l.slice(l.indexOf(':') + 1).trim()]));
      let body = rest.join('\r\n\r\n');
      // Chunked (Apache): the one chunk's data.
      if (/chunked/i.test(headers['transfer-encoding'] || '')) body = body.replace(/^[0-9a-f]+\r\n/i, '').replace(/\r\n0\r\n\r\n$/, '');
      resolve({ status: Number(head.split(' ')[1]), headers, body });
    });
    c.setTimeout(30000, () => { c.destroy(); reject(new Error('no answer in 30 s')); });
  });
}
const TOKEN = 'tok-15-secret';
const auth = { authorization: `Bearer ${TOKEN}` };
const json = { 'content-type': 'application/json' };
const prompt = JSON.stringify({ prompt: 'a lighthouse at dusk' });

for (const server of SERVERS) {
  describe(`${server}`, () => {
    let srv, logFile, pids = [];
    before(async () => {
      const logDir = mkdtempSync(join(tmpdir(), 'sf-log-'));
      chmodSync(logDir, 0o755);
      logFile = join(logDir, 'requests.log');
      srv = await startServer({ server, www, conf: { BODY_MAX: '65536', LOG_FILE: logFile, METRICS_TOKEN: TOKEN,
        FACILITATOR_URL: `http://127.0.0.1:${fac.address().port}`, URL_ALLOW: 'localhost' } });
      pids = srv.pids();
    });
    after(async () => {
      const running = pids.filter(alive);
      await srv?.stop();
      // Every endpoint had a process (lighttpd's children, or spawn-fcgi's).
      assert.ok(pids.length >= endpoints().length, `${pids.length} endpoint processes found`);
      assert.deepEqual(running, pids, 'all running before stop');
      // Nothing left behind: every endpoint process we started is gone.
      for (const pid of pids) assert.equal(alive(pid), false, `endpoint process ${pid} still running after stop`);
    });

    test('402 in v2 (header) and v1 (body), our Content-Length, exposed headers', async () => {
      const r = await raw(srv.port, { headers: json, body: prompt });
      assert.equal(r.status, 402, r.body);
      assert.equal(r.headers['content-type'], 'application/json');
      // The length of our body, not chunked: as sent under lighttpd and
      // nginx; under Apache mod_proxy_fcgi drops it and mod_buffer (in the
      // generated config) lets Apache state it again.
      assert.equal(r.headers['content-length'], String(Buffer.byteLength(r.body)));
      assert.equal(r.headers['transfer-encoding'], undefined);
      const v2 = decodeB64Json(r.headers['payment-required']);
      assert.equal(v2.x402Version, 2);
      assert.equal(v2.accepts[0].amount, '10000');
      assert.equal(v2.resource.url, `${srv.url}/v1/image-generate`);
      const v1 = JSON.parse(r.body);
      assert.equal(v1.x402Version, 1);
      assert.equal(v1.accepts[0].maxAmountRequired, '10000');
      assert.match(r.headers['access-control-expose-headers'], /PAYMENT-REQUIRED.*PAYMENT-RESPONSE.*X-PAYMENT-RESPONSE/);
    });

    test('every endpoint answers its example with a 402 (large PAYMENT-REQUIRED headers pass); video without a key is refused before it', async () => {
      // Apache's CGI header parser caps a header line at 8 KB (500 above).
      let biggest = 0;
      const refused = [];
      // Input URLs point at an image the fakes serve (no DNS in CI).
      const withUrls = [];
      for (const ep of endpoints()) {
        if (ep.url_inputs.some((k) => k in ep.example)) withUrls.push(ep.name);
        const r = await raw(srv.port, { path: ep.path, headers: json, body: JSON.stringify(localExample(ep, fakes.port)) });
        if (ep.media === 'video') {
          // No FAL_KEY here, and video has no offline stand-in: nothing
          // to sign for (issue 15).
          assert.equal(r.status, 501, `${ep.path}: ${r.status} ${r.body.slice(0, 200)}`);
          assert.equal(JSON.parse(r.body).error.code, 'offline_unsupported');
          assert.equal(r.headers['payment-required'], undefined);
          refused.push(ep.name);
          continue;
        }
        assert.equal(r.status, 402, `${ep.path}: ${r.status} ${r.body.slice(0, 200)}`);
        biggest = Math.max(biggest, r.headers['payment-required'].length);
      }
      assert.ok(biggest > 1000, `largest PAYMENT-REQUIRED ${biggest} bytes`);
      assert.ok(refused.includes('text-to-video') && refused.includes('seedance-video'), refused.join());
      for (const n of ['image-edit', 'image-inpaint', 'remove-bg', 'image-expand', 'image-upscale', 'image-to-video', 'api-v1-image-edit'])
        assert.ok(withUrls.includes(n), `${n}: checked with its input URL`);
    });

    test('exact paths: -pro is its own endpoint, neighbours are not endpoints', async () => {
      const r = await raw(srv.port, { path: '/v1/image-generate-pro', headers: json, body: prompt });
      assert.equal(r.status, 402);
      assert.equal(decodeB64Json(r.headers['payment-required']).accepts[0].amount, '100000');
      for (const p of ['/v1/image-generatex', '/v1/image-generate/x']) {
        const n = await raw(srv.port, { path: p, headers: json, body: prompt });
        assert.equal(n.status, 404, `${p}: ${n.status}`);
        assertOurs(n, 404, 'not_found');
        assert.equal(n.headers['payment-required'], undefined);
      }
    });

    test('body cap: just under is ours to judge, just over is our JSON 413, far over is refused', async () => {
      const pad = 65536 - JSON.stringify({ prompt: 'x', negative_prompt: '' }).length;
      const under = JSON.stringify({ prompt: 'x', negative_prompt: 'y'.repeat(pad) });
      assert.equal(under.length, 65536);
      const a = await raw(srv.port, { headers: json, body: under });
      assert.equal(a.status, 400, a.body);
      assert.equal(JSON.parse(a.body).error.code, 'too_long');
      const over = JSON.stringify({ prompt: 'x', negative_prompt: 'y'.repeat(pad + 1) });
      const b = await raw(srv.port, { headers: json, body: over });
      assert.equal(b.status, 413);
      assert.equal(JSON.parse(b.body).error.code, 'body_too_large');
      // Far over: the server refuses it itself, in the same words.
      // The server may stop reading (our write then fails); its answer arrives.
      const far = await rawStream(srv.port, '/v1/image-generate', 'x'.repeat(4 << 20));
      assert.equal(far.status, 413, `far over the cap: ${JSON.stringify(far).slice(0, 300)}`);
      assert.deepEqual(JSON.parse(far.body), JSON.parse(b.body));
    });

    // Issue 15: what scanners, browsers and careless clients send.
    test('discovery probes ({} and no body) get the 402 with the offers and the bazaar extension; invalid values still a 400', async () => {
      const probes = [
        await raw(srv.port, { headers: json, body: '{}' }),
        await sock(srv.port, `POST /v1/image-generate HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\nConnection: close\r\n\r\n`),
        await raw(srv.port, { path: '/v1/image-generate-pro', headers: json, body: ' { } ' }),
      ];
      for (const [i, r] of probes.entries()) {
        assert.equal(r.status, 402, `probe ${i}: ${r.body.slice(0, 200)}`);
        const v2 = decodeB64Json(r.headers['payment-required']);
        assert.equal(v2.accepts[0].amount, i === 2 ? '100000' : '10000', `probe ${i}: the default request's price`);
        const bz = v2.extensions.bazaar;
        assert.equal(bz.info.input.method, 'POST');
        assert.equal(typeof bz.info.input.body.prompt, 'string', 'the example input');
        assert.ok(bz.schema.properties.input.properties.body.required.includes('prompt'), 'the schema says prompt is required');
        assert.equal(JSON.parse(r.body).accepts[0].maxAmountRequired, v2.accepts[0].amount);
      }
      // No Content-Length at all: lighttpd insists on one (a JSON 411),
      // Apache and nginx hand it on (the 402).
      const bare = await sock(srv.port, `POST /v1/image-generate HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`);
      if (server === 'lighttpd') assertOurs(bare, 411, 'length_required');
      else assert.equal(bare.status, 402, bare.body.slice(0, 200));
      // Present but invalid: a 400 naming the field, no payment asked.
      for (const [body, field, code] of [['{"prompt":""}', 'prompt', 'empty_field'], ['{"width":5}', 'width', 'out_of_range'], ['{"prompt":"x","tier":"turbo"}', 'tier', 'invalid_value']]) {
        const r = await raw(srv.port, { headers: json, body });
        assertOurs(r, 400, code);
        assert.equal(JSON.parse(r.body).error.field, field);
        assert.equal(r.headers['payment-required'], undefined);
      }
    });

    test('U+0000 in a JSON string: a 400 naming the field, before any payment', async () => {
      for (const [body, field] of [['{"prompt":"a\\u0000b"}', 'prompt'], ['{"prompt":"x","negative_prompt":"\\u0000"}', 'negative_prompt']]) {
        const r = await raw(srv.port, { headers: json, body });
        assertOurs(r, 400, 'invalid_character');
        assert.equal(JSON.parse(r.body).error.field, field, body);
        assert.equal(r.headers['payment-required'], undefined);
      }
      // An escaped backslash followed by "u0000" is text, not U+0000.
      const ok = await raw(srv.port, { headers: json, body: '{"prompt":"a\\\\u0000b"}' });
      assert.equal(ok.status, 402, ok.body.slice(0, 200));
    });

    // Issue 23 item 11 / issue 27: a strict policy on every page, the
    // server's own 404 page included; scripts only from our origin.
    test('pages carry a strict Content-Security-Policy, frame-ancestors and Referrer-Policy', async () => {
      for (const path of ['/index.html', '/', '/llms.txt', '/no-such-page.html']) {
        const r = await raw(srv.port, { method: 'GET', path });
        assert.ok([200, 404].includes(r.status), `${path}: ${r.status}`);
        const csp = r.headers['content-security-policy'];
        assert.ok(csp, `${path}: Content-Security-Policy`);
        const dir = Object.fromEntries(csp.split(';').map((d) => d.trim().split(/\s+/)).map(([k, ...v]) => [k, v]));
        assert.deepEqual(dir['script-src'], ["'self'"], `${path}: script-src`);
        assert.deepEqual(dir['default-src'], ["'self'"], `${path}: default-src`);
        assert.deepEqual(dir['style-src'], ["'self'"], `${path}: style-src`);
        assert.deepEqual(dir['frame-ancestors'], ["'none'"], `${path}: frame-ancestors`);
        assert.deepEqual(dir['object-src'], ["'none'"], `${path}: object-src`);
        assert.ok(!/unsafe-inline|unsafe-eval/.test(csp), `${path}: nothing unsafe`);
        assert.equal(r.headers['referrer-policy'], 'strict-origin-when-cross-origin', `${path}: Referrer-Policy`);
        assert.equal(r.headers['x-frame-options'], 'DENY', `${path}: X-Frame-Options`);
      }
    });

    test('the server\'s own answers under /v1/, /api/ and /mcp are JSON; the site keeps an HTML 404', async () => {
      for (const path of ['/v1/nope', '/v1/image-generate/x', '/api/nope', '/api/v1/image/nope'])
        assertOurs(await raw(srv.port, { method: 'GET', path }), 404, 'not_found');
      assertOurs(await raw(srv.port, { path: '/v1/nope', headers: json, body: '{}' }), 404, 'not_found');
      assertRpc(await raw(srv.port, { path: '/mcp/x', headers: json, body: '{}' }), 404);
      const site = await raw(srv.port, { method: 'GET', path: '/no-such-page.html' });
      assert.equal(site.status, 404);
      assert.match(site.headers['content-type'], /^text\/html/);
      assert.match(site.body, /<h1>404\(7\)<\/h1>/, 'a man-style page');
      // Over the body limit: the same JSON 413 whoever answers; /mcp's is JSON-RPC.
      // The server may stop reading (our write then fails); its answer
      // arrives all the same, and both are checked.
      const big = await rawStream(srv.port, '/api/v1/image/generate', 'x'.repeat(300000));
      assertOurs(big, 413, 'body_too_large');
      const mcpBig = await rawStream(srv.port, '/mcp', 'x'.repeat(300000), { ...json, accept: 'application/json' });
      assertRpc(mcpBig, 413);
      // A 70 KiB header: refused before the path is read, so in our shape
      // even under /mcp; Apache can only say 400.
      const hdr = { ...json, 'x-filler': 'a'.repeat(70 * 1024) };
      for (const path of ['/v1/image-generate', '/mcp']) {
        const r = await raw(srv.port, { path, headers: hdr, body: prompt });
        if (server === 'apache') assertOurs(r, 400, 'bad_request');
        else assertOurs(r, 431, 'header_too_large');
      }
      // Two different Content-Type headers: lighttpd refuses them before
      // its per-path settings apply; /mcp still answers in JSON-RPC.
      const twoTypes = (path) => sock(srv.port, `POST ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\n` +
        'Content-Type: application/json\r\nContent-Type: text/plain\r\nAccept: application/json, text/event-stream\r\n' +
        'Content-Length: 2\r\nConnection: close\r\n\r\n{}');
      const m2 = await twoTypes('/mcp');
      if (server === 'lighttpd') assertRpc(m2, 400);
      else if (m2.status >= 400) assertRpc(m2, m2.status);
      if (server === 'lighttpd') assertOurs(await twoTypes('/v1/image-generate'), 400, 'bad_request');
    });

    // Issue 23 (1): the server's own 5xx cannot know what became of a
    // payment (the endpoint process vanished, maybe while settling).
    test('the server\'s own 5xx documents never say "nothing was charged": send the same payment again', async () => {
      const ext = server === 'lighttpd' ? 'html' : 'json';
      for (const kind of ['api', 'mcp'])
        for (const status of [500, 502, 503, 504]) {
          const doc = readFileSync(join(srv.run, 'errors', `${kind}-${status}.${ext}`), 'utf8');
          const msg = JSON.parse(doc).error.message;
          assert.doesNotMatch(msg, /nothing (was|will be) charged|not charged/i, `${kind}-${status}: ${msg}`);
          assert.match(msg, /same payment/, `${kind}-${status}: ${msg}`);
          assert.match(msg, /never charged twice/, `${kind}-${status}: ${msg}`);
        }
    });

    test('METRICS_TOKEN: the Bearer scheme name in any case, the token exactly', async () => {
      const get = (h) => raw(srv.port, { method: 'GET', path: '/metrics', headers: h });
      for (const scheme of ['Bearer', 'bearer', 'BEARER', 'bEARer']) {
        const r = await get({ authorization: `${scheme} ${TOKEN}` });
        assert.equal(r.status, 200, `${scheme}: ${r.body.slice(0, 200)}`);
        assert.match(r.body, /^# TYPE synthforge_requests_total counter$/m);
      }
      for (const h of [{}, { authorization: `Bearer ${TOKEN.toUpperCase()}` }, { authorization: `Basic ${TOKEN}` }, { authorization: TOKEN }]) {
        const r = await get(h);
        assertOurs(r, 401, 'unauthorized');
        assert.match(r.headers['www-authenticate'], /^Bearer/);
      }
    });

    test('look-alike payment headers never reach the endpoint', async () => {
      // Baseline: a garbage X-PAYMENT is seen and refused by the endpoint.
      const plain = await raw(srv.port, { headers: json, body: prompt });
      const seen = await raw(srv.port, { headers: { ...json, 'X-PAYMENT': 'Z2FyYmFnZQ==' }, body: prompt });
      assert.notEqual(seen.body, plain.body, 'garbage X-PAYMENT is answered differently from no payment');
      for (const name of ['X_PAYMENT', 'x_payment', 'X.PAYMENT', 'X~Payment', 'PAYMENT_SIGNATURE', 'Payment.Signature']) {
        const r = await raw(srv.port, { headers: { ...json, [name]: 'Z2FyYmFnZQ==' }, body: prompt });
        if (server === 'lighttpd') assert.equal(r.status, 403, `${name} refused`);
        else assert.equal(r.body, plain.body, `${name} dropped by ${server}`);
      }
      // Both spellings: lighttpd would hand the endpoint whichever came first.
      const both = await raw(srv.port, { headers: { ...json, X_PAYMENT: 'c3Bvb2Y=', 'X-PAYMENT': 'Z2FyYmFnZQ==' }, body: prompt });
      if (server === 'lighttpd') assert.equal(both.status, 403);
      else assert.equal(both.body, seen.body);
    });

    test('a 24 KB PAYMENT-SIGNATURE reaches the endpoint (no server 4xx/5xx)', async () => {
      const big = Buffer.from(JSON.stringify({ x402Version: 2, pad: 'a'.repeat(18000) })).toString('base64');
      assert.ok(big.length > 24000);
      const r = await raw(srv.port, { headers: { ...json, 'PAYMENT-SIGNATURE': big }, body: prompt });
      assert.equal(r.headers['content-type'], 'application/json', `${r.status} ${r.body.slice(0, 200)}`);
      assert.ok(JSON.parse(r.body), 'our JSON answer');
      assert.ok([400, 402].includes(r.status), String(r.status));
    });

    test('GET describes, OPTIONS answers the preflight', async () => {
      const g = await raw(srv.port, { method: 'GET' });
      assert.equal(g.status, 200);
      assert.equal(JSON.parse(g.body).name, 'image-generate');
      const o = await raw(srv.port, { method: 'OPTIONS', headers: { origin: 'https://example.org', 'access-control-request-method': 'POST' } });
      assert.equal(o.status, 204);
      assert.match(o.headers['access-control-allow-headers'], /PAYMENT-SIGNATURE/);
    });

    test('static site and /media/ are served as files', async () => {
      const i = await raw(srv.port, { method: 'GET', path: '/' });
      assert.equal(i.status, 200);
      assert.match(i.headers['content-type'], /^text\/html/);
      assert.match(i.body, /synthforge/);
      const l = await raw(srv.port, { method: 'GET', path: '/llms.txt' });
      assert.equal(l.status, 200);
      const png = Buffer.from('89504e470d0a1a0a', 'hex');
      writeFileSync(join(srv.dir, 'media', 'probe.png'), png);
      const m = await raw(srv.port, { method: 'GET', path: '/media/probe.png' });
      assert.equal(m.status, 200);
      assert.equal(m.headers['content-type'], 'image/png');
      assert.equal(m.headers['content-length'], String(png.length));
      // /media/ is never listed: the site's own page.  (A prefix folder
      // such as /media/ab/ answers the 404 of a missing file, whether it
      // exists or not: hosting-edges.test.mjs.)
      mkdirSync(join(srv.dir, 'media', 'ab'), { recursive: true });
      for (const path of ['/media/']) {
        const d = await raw(srv.port, { method: 'GET', path });
        assert.equal(d.status, 403, `${path}: ${d.body.slice(0, 200)}`);
        assert.match(d.headers['content-type'], /^text\/html/, path);
        assert.match(d.body, /<h1>403\(7\)<\/h1>/, `${path}: a man-style page`);
        assert.doesNotMatch(d.body, /probe\.png/, `${path}: no listing`);
      }
    });

    test('/healthz reports ledger, settlement backend, providers', async () => {
      const r = await raw(srv.port, { method: 'GET', path: '/healthz' });
      const j = JSON.parse(r.body);
      assert.equal(r.status, 200, r.body);
      assert.equal(j.status, 'ok');
      assert.equal(j.checks.ledger.ok, true);
      assert.equal(j.checks.settlement.ok, true);
      assert.equal(j.checks.providers.ok, true);
      assert.ok(j.checks.providers.routes_offline > 0, 'no keys: offline routes');
    });

    test('a refused payment moves the counters and writes one log line', async () => {
      const before = await scrape(srv.url, auth);
      const r = await raw(srv.port, { headers: { ...json, 'PAYMENT-SIGNATURE': 'Z2FyYmFnZQ==' }, body: prompt });
      const after = await scrape(srv.url, auth);
      const d = (name, labels) => metric(after, name, labels) - metric(before, name, labels);
      assert.equal(d('synthforge_requests_total', { endpoint: 'image-generate', status: String(r.status) }), 1);
      const reqd = d('synthforge_payments_total', { endpoint: 'image-generate', result: 'refused' })
        + d('synthforge_payments_total', { endpoint: 'image-generate', result: 'required' });
      assert.equal(reqd, 1, 'counted as refused (or asked again)');
      assert.match(after.text, /^# TYPE synthforge_upstream_duration_seconds histogram$/m);
      assert.match(after.text, /^synthforge_requests_in_flight\{endpoint="image-generate"\} 0$/m);
      assert.ok(existsSync(logFile), 'LOG_FILE written');
      const lines = readFileSync(logFile, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
      const last = lines.filter((l) => l.endpoint === 'image-generate').at(-1);
      assert.equal(last.status, r.status);
      assert.match(last.time, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
      assert.equal(typeof last.latency_ms, 'number');
      assert.ok(!JSON.stringify(lines).includes('lighthouse'), 'no prompt in the log');
      assert.ok(!JSON.stringify(lines).includes('Z2FyYmFnZQ'), 'no payment header in the log');
    });
  });
}
