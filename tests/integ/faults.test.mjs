// Issue 23 (faults, round 3), through lighttpd with the paid stack (anvil +
// the EIP-3009 token, the official facilitator, the strict fakes): bodies
// that are not JSON, blanks in Unicode, a caller's URL on this host's own
// address, bounds printed as defined, and the client address behind
// trusted proxies.  Every refusal is checked as a paid probe too: the
// request carries a valid payment, and the fake counts no upstream call,
// the chain no transfer; the same payment then still pays its own request.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import { execFileSync } from 'node:child_process';
import { x402HTTPClient } from '@x402/fetch';
import { decodePaymentSignatureHeader } from '@x402/core/http';
import { startChain } from '../lib/chain.mjs';
import { startFacilitator } from '../lib/facilitator.mjs';
import { startFakes } from '../lib/fakes.mjs';
import { startServer } from '../lib/server.mjs';
import { makeClient } from '../lib/pay.mjs';

let chain, fac, fakes, srv;
const JSONH = { 'content-type': 'application/json' };

before(async () => {
  chain = await startChain();
  fac = await startFacilitator({ rpc: chain.rpc });
  fakes = await startFakes();
  srv = await startServer({
    conf: {
      NETWORKS: 'base-sepolia', ASSET: chain.token, ASSET_NAME: 'USD Coin', ASSET_VERSION: '2',
      PAY_TO: chain.accounts.payTo.address, FACILITATOR_URL: fac.url, RPC_URL: chain.rpc,
      URL_ALLOW: 'localhost', SETTLE_RETRY: '5',
    },
    env: fakes.env,
  });
});
after(async () => { await srv?.stop(); await fakes?.stop(); await fac?.stop(); await chain?.stop(); });

const balance = () => chain.balanceOf(chain.accounts.payTo.address);
const upstreamCalls = async () => (await fakes.requests()).filter((q) => !q.path?.startsWith('/files/')).length;

// A payment signed by the official client for (path, body).
async function paymentFor(path, body) {
  const r = await fetch(srv.url + path, { method: 'POST', headers: JSONH, body: JSON.stringify(body) });
  assert.equal(r.status, 402, await r.clone().text());
  const core = makeClient();
  const required = new x402HTTPClient(core).getPaymentRequiredResponse((n) => r.headers.get(n), await r.json());
  const payload = await core.createPaymentPayload(required);
  return new x402HTTPClient(core).encodePaymentSignatureHeader(payload);
}

// POST raw bytes (a Buffer or a string), as they are, with lighttpd's
// Content-Length: fetch would re-encode a string.
function rawPost(path, bytes, headers = {}) {
  const body = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes, 'utf8');
  return new Promise((resolve, reject) => {
    const q = http.request(srv.url + path, { method: 'POST', headers: { ...JSONH, 'content-length': body.length, ...headers } }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let json = null;
        try { json = JSON.parse(text); } catch { /* not JSON */ }
        resolve({ status: res.statusCode, headers: res.headers, text, json });
      });
    });
    q.on('error', reject);
    q.end(body);
  });
}

// Refused before any 402, also when paid: no upstream call, no transfer.
async function refusedBeforePayment(path, bytes, status, code, payment) {
  const calls0 = await upstreamCalls();
  const b0 = await balance();
  for (const headers of [{}, payment]) {
    const r = await rawPost(path, bytes, headers);
    assert.equal(r.status, status, `${JSON.stringify(bytes.toString())}: ${r.text}`);
    assert.equal(r.json?.error?.code, code, r.text);
    assert.equal(r.headers['payment-required'], undefined, 'no 402 offer');
    assert.equal(r.headers['payment-response'], undefined, 'nothing settled');
  }
  assert.equal(await upstreamCalls(), calls0, 'no upstream call');
  assert.equal(await balance(), b0, 'no transfer');
  return (await rawPost(path, bytes, payment)).json.error;
}

// ---- item 2: bodies that are not JSON ---------------------------------------------------------

test('bodies JSON.parse refuses are 400 invalid_json before any 402, also with a payment; the payment then still pays', async () => {
  const good = { prompt: 'strict json', seed: 1 };
  const payment = await paymentFor('/v1/image-generate', good);
  // Every one of these got the 402, then a 200, and was settled (issue 23).
  const shapes = [
    ['a number with a leading zero', '{"prompt":"strict json","seed":012}'],
    ['a control byte before {', '\x01{"prompt":"strict json","seed":1}'],
    ['a trailing-dot number', '{"prompt":"strict json","seed":1.}'],
    ['a vertical tab between tokens', '{"prompt":"strict json",\x0b"seed":1}'],
    ['a byte order mark', Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('{"prompt":"strict json","seed":1}')])],
    ['a form feed after the value', '{"prompt":"strict json","seed":1}\x0c'],
    ['a no-break space between tokens', '{"prompt":"strict json",\u00a0"seed":1}'],
    ['+1', '{"prompt":"strict json","seed":+1}'],
    ['a bare word', '{"prompt":"strict json","seed":NaN}'],
  ];
  for (const [what, body] of shapes) {
    assert.throws(() => JSON.parse(Buffer.isBuffer(body) ? new TextDecoder('utf-8', { ignoreBOM: true }).decode(body) : body), SyntaxError, `JSON.parse refuses ${what}`);
    const e = await refusedBeforePayment('/v1/image-generate', Buffer.isBuffer(body) ? body : Buffer.from(body), 400, 'invalid_json', payment);
    assert.match(e.message, /not valid JSON: .* at byte \d+/, `${what}: says where (${e.message})`);
  }
  // Not UTF-8, or a lone surrogate: no character, refused as an encoding.
  for (const body of [Buffer.from('{"prompt":"strict \xff json","seed":1}', 'latin1'), '{"prompt":"strict \\ud800 json","seed":1}'])
    await refusedBeforePayment('/v1/image-generate', Buffer.isBuffer(body) ? body : Buffer.from(body), 400, 'invalid_encoding', payment);
  // The payment was never taken: it pays its own request.
  const b0 = await balance();
  const ok = await rawPost('/v1/image-generate', JSON.stringify(good), payment);
  assert.equal(ok.status, 200, ok.text);
  assert.equal((await balance()) - b0, 10000n, 'exactly one transfer, of the price');
  const nonce = decodePaymentSignatureHeader(payment['PAYMENT-SIGNATURE']).payload.authorization.nonce;
  assert.equal(await chain.authorizationState(chain.accounts.payer.address, nonce), true);
});

test('the same bodies over MCP: a JSON-RPC parse error (-32700), no tool runs', async () => {
  for (const body of ['{"jsonrpc":"2.0","id":1,"method":"ping","x":012}', '\x0b{"jsonrpc":"2.0","id":1,"method":"ping"}']) {
    const r = await rawPost('/mcp', body, { accept: 'application/json, text/event-stream' });
    assert.equal(r.status, 400, r.text);
    assert.equal(r.json.error.code, -32700, r.text);
    assert.match(r.json.error.message, /not valid JSON/);
  }
});

// ---- item 9: blank in Unicode ----------------------------------------------------------------------

test('a prompt of Unicode blanks only (no-break, ideographic, zero-width spaces) is 400 empty_field before any 402', async () => {
  const payment = await paymentFor('/v1/image-generate', { prompt: 'blank test' });
  for (const prompt of ['\u00a0\u00a0', '\u3000', '\u200b', '\u200b\u200d\u2060\ufeff', ' \u2003\u202f\t'])
    await refusedBeforePayment('/v1/image-generate', Buffer.from(JSON.stringify({ prompt })), 400, 'empty_field', payment);
  // Text with one visible character between blanks is a prompt.
  const r = await rawPost('/v1/image-generate', JSON.stringify({ prompt: '\u3000a\u3000' }));
  assert.equal(r.status, 402, r.text);
});

// ---- item 12: bounds as defined ---------------------------------------------------------------

test('out of range: bounds and value printed as the definition and the caller hold them', async () => {
  const r = await rawPost('/v1/image-generate', '{"prompt":"x","seed":1e9}');
  assert.equal(r.status, 400);
  assert.equal(r.json.error.code, 'out_of_range');
  assert.equal(r.json.error.message, 'seed must be between 0 and 999999999 (got 1000000000)');
  const v = await rawPost('/v1/voice', '{"text":"x","seed":4294967296}');
  assert.equal(v.json.error.message, 'seed must be between 0 and 4294967295 (got 4294967296)');
});

// ---- item 4: this host's own addresses --------------------------------------------------------------

// The machine's own non-loopback addresses (IPv6 link-local needs a zone,
// which the guard refuses as such).  None here: a dummy interface gets one.
function ownAddresses() {
  const out = [];
  for (const [name, list] of Object.entries(os.networkInterfaces()))
    for (const a of list) if (!a.internal && !/^fe80:/i.test(a.address)) out.push({ name, address: a.address, family: a.family });
  return out;
}

test("image_url on one of this host's own non-loopback addresses (a server bound to 0.0.0.0) is 400 before the 402, nothing fetched", async () => {
  let own = ownAddresses();
  let dummy = null;
  if (own.length === 0) {
    // No interface but loopback: give the host one (root, as make test runs).
    dummy = `sf23own${process.pid % 1000}`;
    execFileSync('ip', ['link', 'add', dummy, 'type', 'dummy']);
    execFileSync('ip', ['addr', 'add', '192.31.196.77/32', 'dev', dummy]);
    execFileSync('ip', ['link', 'set', dummy, 'up']);
    own = ownAddresses();
  }
  assert.ok(own.length > 0, 'a non-loopback address of this host');
  let hits = 0;
  const png = await (await fetch(`http://127.0.0.1:${fakes.port}/files/input.png?w=64&h=48`)).arrayBuffer();
  const server = http.createServer((q, res) => { hits++; res.writeHead(200, { 'content-type': 'image/png' }); res.end(Buffer.from(png)); });
  // '::' takes IPv4 too (dual stack): every address of the host answers.
  await new Promise((r) => server.listen(0, '::', r));
  const { port } = server.address();
  try {
    const payment = await paymentFor('/v1/image-edit', { prompt: 'own', image_url: `http://localhost:${fakes.port}/files/input.png?w=64&h=48` });
    for (const a of own) {
      const host = a.family === 'IPv6' || a.family === 6 ? `[${a.address}]` : a.address;
      const url = `http://${host}:${port}/img.png`;
      // The server does answer there: the guard, not the network, refuses.
      const direct = await new Promise((resolve) => {
        const c = net.connect(port, a.address, () => { c.end(); resolve(true); });
        c.on('error', () => resolve(false));
      });
      assert.ok(direct, `${url} answers from this host`);
      const e = await refusedBeforePayment('/v1/image-edit', Buffer.from(JSON.stringify({ prompt: 'own', image_url: url })), 400, 'url_refused', payment);
      assert.equal(e.field, 'image_url');
      assert.match(e.message, /this host itself/, `${a.name} ${a.address}: ${e.message}`);
    }
    assert.equal(hits, 0, 'nothing was fetched from our own address');
  } finally {
    await new Promise((r) => server.close(r));
    if (dummy) execFileSync('ip', ['link', 'del', dummy]);
  }
});
