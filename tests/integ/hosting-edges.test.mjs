// Issue 23 on each web server (lighttpd, Apache, nginx, configured by
// sf-hostconf): two payment header lines reach the endpoint as two and get
// the 400 conflicting_payment_headers (lighttpd and Apache join them with
// ", "); media files are immutable and nosniff, and a prefix folder
// answers the same whether it exists or not; the 400s for a GET or HEAD
// with a body name that cause, and the server's own 400 says no list of
// causes it may not have had; the demo budget counts the client a
// trusted proxy names (TRUSTED_PROXIES), and nobody else's naming.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startServer, SERVERS } from '../lib/server.mjs';

// Bytes exactly as written; the answer's status, headers (lower case,
// repeated ones joined), body.
function sock(port, text, localAddress) {
  return new Promise((resolve, reject) => {
    const c = net.connect({ port, host: '127.0.0.1', localAddress }, () => c.write(text));
    const chunks = [];
    c.on('data', (d) => chunks.push(d));
    c.on('error', reject);
    c.on('close', () => {
      const t = Buffer.concat(chunks).toString('utf8');
      const at = t.indexOf('\r\n\r\n');
      const head = t.slice(0, at).split('\r\n');
      const headers = {};
      for (const l of head.slice(1)) {
        const k = l.slice(0, l.indexOf(':')).toLowerCase();
        const v = l.slice(l.indexOf(':') + 1).trim();
        headers[k] = k in headers ? `${headers[k]}, ${v}` : v;
      }
      resolve({ status: Number(head[0].split(' ')[1]), headers, body: t.slice(at + 4) });
    });
    c.setTimeout(20000, () => { c.destroy(); reject(new Error('no answer in 20 s')); });
  });
}
const post = (port, headerLines, body = '{"prompt":"a lighthouse"}', path = '/v1/image-generate') => sock(port,
  `POST ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n${headerLines}`
  + `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
const get = (port, path, extra = '') => sock(port, `GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\n${extra}Connection: close\r\n\r\n`);

// Two well-formed payments (base64 JSON, as a client sends them).
const b64 = (o) => Buffer.from(JSON.stringify(o)).toString('base64');
const P1 = b64({ x402Version: 2, payload: { signature: '0x01' } });
const P2 = b64({ x402Version: 2, payload: { signature: '0x02' } });

for (const server of SERVERS) {
  describe(server, () => {
    let srv;
    // 127.0.0.1 is the trusted proxy; 127.0.0.2 (also this host) is not.
    before(async () => {
      srv = await startServer({ server, conf: { URL_ALLOW: 'localhost', TRUSTED_PROXIES: '127.0.0.1',
        DEMO_PER_CLIENT_PER_MINUTE: '1', DEMO_PER_CLIENT_PER_HOUR: '10' } });
    });
    after(async () => { await srv?.stop(); });

    test('two PAYMENT-SIGNATURE or X-PAYMENT lines: 400 conflicting_payment_headers, no 402', async () => {
      for (const name of ['PAYMENT-SIGNATURE', 'X-PAYMENT', 'payment-signature']) {
        const r = await post(srv.port, `${name}: ${P1}\r\n${name}: ${P2}\r\n`);
        assert.equal(r.status, 400, `${name} twice: ${r.status} ${r.body.slice(0, 200)}`);
        assert.equal(JSON.parse(r.body).error.code, 'conflicting_payment_headers', r.body);
        assert.equal(r.headers['payment-required'], undefined);
      }
      // One line holding a list is two values (RFC 9110 5.3) too.
      const list = await post(srv.port, `PAYMENT-SIGNATURE: ${P1}, ${P2}\r\n`);
      assert.equal(JSON.parse(list.body).error.code, 'conflicting_payment_headers', list.body);
      // One of each name is the v2 and the v1 header: not a conflict of
      // lines (the endpoint judges the payment), and one line is not.
      for (const lines of [`PAYMENT-SIGNATURE: ${P1}\r\n`, `X-PAYMENT: ${P1}\r\n`]) {
        const r = await post(srv.port, lines);
        assert.notEqual(JSON.parse(r.body).error?.code, 'conflicting_payment_headers', `${lines}: ${r.body.slice(0, 200)}`);
      }
    });

    test('media: a stored file is immutable and nosniff; a prefix folder answers as a missing file does', async () => {
      const hash = 'ab'.padEnd(64, '0');
      mkdirSync(join(srv.dir, 'media', 'ab'), { recursive: true });
      writeFileSync(join(srv.dir, 'media', 'ab', `${hash}.png`), Buffer.from('89504e470d0a1a0a', 'hex'));
      const f = await get(srv.port, `/media/ab/${hash}.png`);
      assert.equal(f.status, 200);
      assert.equal(f.headers['content-type'], 'image/png');
      assert.equal(f.headers['x-content-type-options'], 'nosniff');
      assert.equal(f.headers['cache-control'], 'public, max-age=31536000, immutable');
      // ab exists, zz does not: the same answer either way, with or
      // without the slash (no 301 or 403 that maps the folders).
      const missing = await get(srv.port, `/media/zz/${'cd'.padEnd(64, '1')}.png`);
      assert.equal(missing.status, 404);
      for (const path of ['/media/ab', '/media/ab/', '/media/zz', '/media/zz/', '/media/ab?x=1']) {
        const r = await get(srv.port, path);
        assert.equal(r.status, 404, `${path}: ${r.status} ${r.headers.location || ''}`);
        assert.equal(r.headers.location, undefined, path);
        assert.equal(r.headers['content-type'], missing.headers['content-type'], path);
        assert.equal(r.body, missing.body, `${path}: the page of a missing file`);
      }
      assert.match(missing.body, /<h1>404\(7\)<\/h1>/, 'the site\'s man-style 404');
      // The root of /media/ is never listed.
      assert.equal((await get(srv.port, '/media/')).status, 403);
    });

    test('a GET or HEAD with a body: a 400 that says so, on every server', async () => {
      for (const method of ['GET', 'HEAD']) {
        const r = await sock(srv.port, `${method} /v1/image-generate HTTP/1.1\r\nHost: 127.0.0.1\r\n`
          + 'Content-Type: application/json\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}');
        assert.equal(r.status, 400, `${method}: ${r.status} ${r.body.slice(0, 200)}`);
        if (method === 'GET') {
          const e = JSON.parse(r.body).error;
          assert.equal(e.code, 'body_not_allowed');
          assert.match(e.message, /GET request carries no body/);
        }
      }
      // Without a body, GET still describes the endpoint.
      assert.equal((await get(srv.port, '/v1/image-generate')).status, 200);
    });

    test("the server's own 400 (Content-Length: +18) is ours in shape and lists no causes it did not have", async () => {
      const r = await sock(srv.port, 'POST /v1/image-generate HTTP/1.1\r\nHost: 127.0.0.1\r\n'
        + 'Content-Type: application/json\r\nContent-Length: +25\r\nConnection: close\r\n\r\n{"prompt":"a lighthouse"}');
      assert.equal(r.status, 400, r.body.slice(0, 200));
      const e = JSON.parse(r.body).error;
      assert.ok(['bad_request', 'invalid_content_length'].includes(e.code), e.code);
      // Named, or a neutral sentence: never "a, b, or c".
      assert.doesNotMatch(e.message, /conflicting headers|over the server's limit|, or /, e.message);
      assert.equal(r.headers['payment-required'], undefined);
    });

    test('the demo budget counts the client a trusted proxy names, and only a trusted proxy\'s naming', async () => {
      const demo = (xffLines, from) => sock(srv.port, `GET /api/generate?demo=true&prompt=budget HTTP/1.1\r\nHost: 127.0.0.1\r\n`
        + xffLines.map((v) => `X-Forwarded-For: ${v}\r\n`).join('') + 'Connection: close\r\n\r\n', from);
      const code = (r) => (r.status === 200 ? 200 : `${r.status} ${JSON.parse(r.body).error.code}`);
      // Behind the trusted proxy: one budget per client it names.
      assert.equal(code(await demo([`203.0.113.${srv.port % 200}`])), 200);
      assert.equal(code(await demo([`203.0.113.${srv.port % 200}`])), '429 demo_rate_limited', 'the same client again');
      assert.equal(code(await demo([`198.51.100.${srv.port % 200}`])), 200, 'another client: its own budget');
      // What a client writes on the left is not believed; the entry the
      // proxy appended is (two header lines are one list).
      assert.equal(code(await demo([`198.51.100.${srv.port % 200}, 192.0.2.77`])), 200, 'the rightmost entry: a new client');
      assert.equal(code(await demo(['10.1.1.1', `192.0.2.77`])), '429 demo_rate_limited', 'two lines, the same rightmost client');
      // A peer that is no trusted proxy: its X-Forwarded-For means nothing.
      assert.equal(code(await demo(['203.0.113.201'], '127.0.0.2')), 200, 'the untrusted peer itself');
      assert.equal(code(await demo(['203.0.113.202'], '127.0.0.2')), '429 demo_rate_limited', 'its naming another client is ignored');
    });
  });
}
