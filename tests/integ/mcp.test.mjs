// The MCP endpoint (PUBLIC_URL/mcp, sf-mcp) through a real lighttpd, with
// the paid-flow bench of paid.test.mjs: anvil + the EIP-3009 test token,
// the official facilitator, fake providers.  The official x402 client signs
// the PaymentRequired a tool call returns, the payment goes back in
// params._meta["x402/payment"], balances are read from the chain and the
// ledger from its SQLite file.  Apache and nginx get a smoke test of the
// /mcp route they are configured with.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startChain } from '../lib/chain.mjs';
import { startFacilitator } from '../lib/facilitator.mjs';
import { startFakes } from '../lib/fakes.mjs';
import { startServer, endpoints, decodeB64Json, localExample, BUILD } from '../lib/server.mjs';
import { makeClient, pay } from '../lib/pay.mjs';
import { scrape, metric } from '../lib/metrics.mjs';
import { expectedPrice } from '../lib/prices.mjs';

let chain, fac, fakes, srv;
const logFile = join(mkdtempSync(join(tmpdir(), 'sf-mcp-log-')), 'requests.log');
const eps = endpoints();
const MCPH = { 'content-type': 'application/json', accept: 'application/json, text/event-stream' };

function conf(extra = {}) {
  return {
    NETWORKS: 'base-sepolia', ASSET: chain.token, ASSET_NAME: 'USD Coin', ASSET_VERSION: '2',
    PAY_TO: chain.accounts.payTo.address, FACILITATOR_URL: fac.url, RPC_URL: chain.rpc, URL_ALLOW: 'localhost', ...extra,
  };
}

before(async () => {
  chain = await startChain();
  fac = await startFacilitator({ rpc: chain.rpc });
  fakes = await startFakes();
  srv = await startServer({ conf: conf({ LOG_FILE: logFile }), env: fakes.env });
});
after(async () => {
  await srv?.stop(); await fakes?.stop(); await fac?.stop(); await chain?.stop();
});

const balance = () => chain.balanceOf(chain.accounts.payTo.address);
const ledger = (sql) => JSON.parse(execFileSync('sqlite3', ['-json', srv.dir + '/ledger.db', sql]).toString() || '[]');

let nextId = 1;
// One JSON-RPC message; returns { status, headers, body }.
async function rpc(s, method, params, { headers = {}, id = nextId++ } = {}) {
  const msg = { jsonrpc: '2.0', method, ...(id === null ? {} : { id }), ...(params === undefined ? {} : { params }) };
  // A header given as '' is left out (initialize may come without one).
  const h = Object.fromEntries(Object.entries({ ...MCPH, 'mcp-protocol-version': '2025-11-25', ...headers }).filter(([, v]) => v !== ''));
  const r = await fetch(s.url + '/mcp', { method: 'POST', headers: h, body: JSON.stringify(msg) });
  const text = await r.text();
  return { status: r.status, headers: r.headers, body: text ? JSON.parse(text) : null, text };
}
const callTool = (s, name, args, meta) => rpc(s, 'tools/call', { name, arguments: args, ...(meta ? { _meta: meta } : {}) });

async function http402(s, path, body) {
  const r = await fetch(s.url + path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  assert.equal(r.status, 402, await r.clone().text());
  return decodeB64Json(r.headers.get('payment-required'));
}

test('initialize answers statelessly: the version, tools capability, no session id', async () => {
  const r = await rpc(srv, 'initialize', { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'mcp.test', version: '1' } }, { headers: { 'mcp-protocol-version': '' } });
  assert.equal(r.status, 200, r.text);
  assert.match(r.headers.get('content-type'), /^application\/json/);
  assert.equal(r.headers.get('mcp-session-id'), null);
  assert.equal(r.body.jsonrpc, '2.0');
  assert.equal(r.body.result.protocolVersion, '2025-11-25');
  assert.deepEqual(r.body.result.capabilities.tools, { listChanged: false });
  assert.equal(r.body.result.serverInfo.name, 'synthforge');
  const n = await rpc(srv, 'notifications/initialized', undefined, { id: null });
  assert.equal(n.status, 202);
  assert.equal(n.text, '');
  const p = await rpc(srv, 'ping');
  assert.deepEqual(p.body.result, {});
});

test('transport: GET 405, wrong Content-Type 415, unknown protocol version 400, foreign Origin 403, unknown method -32601', async () => {
  const g = await fetch(srv.url + '/mcp', { headers: { accept: 'text/event-stream' } });
  assert.equal(g.status, 405);
  assert.match(g.headers.get('allow'), /POST/);
  const ct = await fetch(srv.url + '/mcp', { method: 'POST', headers: { 'content-type': 'text/plain' }, body: '{}' });
  assert.equal(ct.status, 415);
  const v = await rpc(srv, 'ping', undefined, { headers: { 'mcp-protocol-version': '1999-01-01' } });
  assert.equal(v.status, 400);
  assert.equal(v.body.error.code, -32000);
  const o = await rpc(srv, 'ping', undefined, { headers: { origin: 'https://evil.example' } });
  assert.equal(o.status, 403);
  const own = await rpc(srv, 'ping', undefined, { headers: { origin: srv.url } });
  assert.equal(own.status, 200);
  const parse = await fetch(srv.url + '/mcp', { method: 'POST', headers: MCPH, body: '{"jsonrpc":' });
  assert.equal(parse.status, 400);
  assert.equal((await parse.json()).error.code, -32700);
  const m = await rpc(srv, 'resources/list', {});
  assert.equal(m.status, 200);
  assert.equal(m.body.error.code, -32601);
  const foreign = await fetch(srv.url + '/mcp/x', { method: 'POST', headers: MCPH, body: '{}' });
  assert.equal(foreign.status, 404);
});

const JOB_TOOLS = ['cancel_job', 'get_job'];

test('tools/list: one tool per endpoint, with its input schema and price, and the free job tools', async () => {
  const r = await rpc(srv, 'tools/list', {});
  assert.equal(r.status, 200, r.text);
  const tools = r.body.result.tools;
  assert.deepEqual(tools.map((t) => t.name).sort(), [...eps.map((e) => e.name), ...JOB_TOOLS].sort());
  for (const n of JOB_TOOLS) {
    const t = tools.find((x) => x.name === n);
    assert.match(t.description, /^Free\./);
    assert.deepEqual(Object.keys(t.inputSchema.properties).sort(), ['job_id', 'status_url', 'token']);
  }
  for (const ep of eps) {
    const t = tools.find((x) => x.name === ep.name);
    const { $schema, ...want } = ep.input;
    assert.ok($schema, 'the HTTP schema names its dialect');
    assert.deepEqual(t.inputSchema, want, `${ep.name} inputSchema`);
    assert.match(t.description, /\$\d+\.\d\d/, `${ep.name} description has the price`);
    assert.ok(t.title);
  }
});

// Without FAL_KEY (a newcomer's make run) the video endpoints refuse every
// call (501, route.c): tools/list must not offer a tool that cannot work,
// and must keep every tool whose endpoint answers its 402.  Decided here by
// the live HTTP answers, not by the code's own list.
test('tools/list leaves out exactly the tools whose endpoint cannot work here (no FAL_KEY)', async () => {
  const { FAL_KEY, ...env } = fakes.env;
  assert.ok(FAL_KEY);
  const s = await startServer({ conf: conf({ LOG_FILE: join(logFile, '..', 'nokey.log') }), env });
  try {
    const refused = [];
    for (const ep of eps) {
      const r = await fetch(s.url + ep.path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(localExample(ep, fakes.port)) });
      const text = await r.text();
      if (r.status === 501) refused.push(ep.name);
      else assert.equal(r.status, 402, `${ep.name}: ${text}`);
    }
    assert.deepEqual(refused.sort(), eps.filter((e) => e.media === 'video').map((e) => e.name).sort(), 'video has no offline stand-in');
    const r = await rpc(s, 'tools/list', {});
    assert.equal(r.status, 200, r.text);
    assert.deepEqual(r.body.result.tools.map((t) => t.name).sort(), [...eps.map((e) => e.name).filter((n) => !refused.includes(n)), ...JOB_TOOLS].sort());
    // Called anyway by name: the flow's own refusal, before any payment.
    const c = await callTool(s, refused[0], localExample(eps.find((e) => e.name === refused[0]), fakes.port));
    assert.equal(c.body.result.isError, true, c.text);
    assert.equal(c.body.result.structuredContent.error.code, 'offline_unsupported');
  } finally { await s.stop(); }
});

test('tools/call with bad arguments: a tool error naming the field, before any payment', async () => {
  const r = await callTool(srv, 'image-generate', { prompt: 'x', width: 'wide' });
  assert.equal(r.status, 200);
  assert.equal(r.body.result.isError, true);
  assert.equal(r.body.result.structuredContent.error.field, 'width');
  assert.deepEqual(JSON.parse(r.body.result.content[0].text), r.body.result.structuredContent);
  const u = await callTool(srv, 'image-generate', { prompt: 'x', colour: 'red' });
  assert.equal(u.body.result.isError, true);
  assert.equal(u.body.result.structuredContent.error.field, 'colour');
  const t = await callTool(srv, 'no-such-tool', {});
  assert.equal(t.body.error.code, -32602);
});

test('tools/call with U+0000 in an argument: a tool error naming it, before any payment; a paid call is not charged', async () => {
  // Sent as text: JSON.stringify writes the escape, cJSON would cut there.
  const raw = (args, meta) => fetch(srv.url + '/mcp', { method: 'POST', headers: { ...MCPH, 'mcp-protocol-version': '2025-11-25' },
    body: `{"jsonrpc":"2.0","id":${nextId++},"method":"tools/call","params":{"name":"image-generate","arguments":${args}${meta ? `,"_meta":${JSON.stringify(meta)}` : ''}}}` })
    .then(async (r) => ({ status: r.status, body: await r.json() }));
  for (const [args, field] of [['{"prompt":"a\\u0000b"}', 'prompt'], ['{"prompt":"x","negative_prompt":"\\u0000"}', 'negative_prompt']]) {
    const r = await raw(args);
    assert.equal(r.status, 200);
    assert.equal(r.body.result.isError, true);
    assert.equal(r.body.result.structuredContent.error.code, 'invalid_character');
    assert.equal(r.body.result.structuredContent.error.field, field);
  }
  // Paid for "a": the NUL request is still refused, nothing moves.
  const want = await http402(srv, '/v1/image-generate', { prompt: 'a' });
  const payload = await makeClient().createPaymentPayload(want);
  const bal = await balance();
  const calls = (await fakes.requests()).length;
  const p = await raw('{"prompt":"a\\u0000b"}', { 'x402/payment': payload });
  assert.equal(p.body.result.structuredContent.error.code, 'invalid_character');
  assert.equal(await balance(), bal, 'nothing charged');
  assert.equal((await fakes.requests()).length, calls, 'no upstream call');
  // An escaped backslash before "u0000" is plain text: the 402.
  const ok = await raw('{"prompt":"a\\\\u0000b"}');
  assert.equal(ok.body.result.structuredContent.error, 'payment_required');
});

test('tools/call without payment: the PaymentRequired of the HTTP 402 for the same request, for every endpoint', async () => {
  for (const ep of eps) {
    const args = localExample(ep, fakes.port);
    const want = await http402(srv, ep.path, args);
    const r = await callTool(srv, ep.name, args);
    assert.equal(r.status, 200, r.text);
    const res = r.body.result;
    assert.equal(res.isError, true, ep.name);
    assert.equal(res.structuredContent.x402Version, 2);
    assert.equal(res.structuredContent.error, 'payment_required');
    assert.deepEqual(res.structuredContent.accepts, want.accepts, `${ep.name} accepts`);
    assert.deepEqual(res.structuredContent.resource, want.resource, `${ep.name} resource`);
    assert.deepEqual(JSON.parse(res.content[0].text), res.structuredContent);
  }
});

test('tools/call paid by the official client: result, the price moved, payment-response; the same payment again: the stored result, no second transfer', async () => {
  const args = { prompt: 'mcp paid fox' };
  const first = await callTool(srv, 'image-generate', args);
  const required = first.body.result.structuredContent;
  const price = expectedPrice('image-generate', args);
  assert.equal(BigInt(required.accepts[0].amount), price, 'offered amount = pinned price');
  const payment = await makeClient().createPaymentPayload(required);
  assert.equal(payment.x402Version, 2);
  const b0 = await balance();
  const r = await callTool(srv, 'image-generate', args, { 'x402/payment': payment });
  assert.equal(r.status, 200, r.text);
  const res = r.body.result;
  assert.equal(res.isError, false, r.text);
  assert.ok(res.structuredContent.image_url.startsWith(`${srv.url}/media/`), res.structuredContent.image_url);
  assert.deepEqual(JSON.parse(res.content[0].text), res.structuredContent);
  const pr = res._meta['x402/payment-response'];
  assert.equal(pr.success, true);
  assert.match(pr.transaction, /^0x[0-9a-f]{64}$/);
  assert.equal(pr.network, 'eip155:84532');
  assert.equal(pr.payer, chain.accounts.payer.address);
  assert.equal((await balance()) - b0, price);
  const m = await fetch(res.structuredContent.image_url);
  assert.equal(m.status, 200);
  assert.match(m.headers.get('content-type'), /^image\//);
  const nonce = payment.payload.authorization.nonce.toLowerCase();
  assert.deepEqual(ledger(`select state, tx, endpoint from payments where nonce='${nonce}'`),
    [{ state: 'settled', tx: pr.transaction, endpoint: 'image-generate' }]);

  const again = await callTool(srv, 'image-generate', args, { 'x402/payment': payment });
  assert.equal(again.body.result.isError, false);
  assert.deepEqual(again.body.result.structuredContent, res.structuredContent);
  assert.equal(again.body.result._meta['x402/payment-response'].transaction, pr.transaction);
  assert.equal((await balance()) - b0, price, 'no second transfer');
  assert.equal((await fakes.requests()).filter((q) => q.body?.prompt === 'mcp paid fox').length, 1, 'work done once');

  // The same payment for other arguments: refused, as over HTTP (409).
  const other = await callTool(srv, 'image-generate', { prompt: 'something else' }, { 'x402/payment': payment });
  assert.equal(other.body.result.isError, true);
  assert.equal(other.body.result.structuredContent.error.code, 'payment_already_used');
  assert.equal((await balance()) - b0, price);
});

test('a tampered payment: PaymentRequired again with the reason, nothing charged', async () => {
  const args = { prompt: 'mcp tampered' };
  const first = await callTool(srv, 'image-generate', args);
  const payment = await makeClient().createPaymentPayload(first.body.result.structuredContent);
  payment.payload.authorization.value = '1';
  const b0 = await balance();
  const r = await callTool(srv, 'image-generate', args, { 'x402/payment': payment });
  const res = r.body.result;
  assert.equal(res.isError, true);
  // The signature no longer recovers to `from`: it may be a contract
  // wallet's, which only the chain can judge, so the local value check
  // (exact amount) is what refuses it, before any chain call.
  assert.equal(res.structuredContent.error, 'invalid_exact_evm_payload_authorization_value_mismatch');
  assert.deepEqual(res.structuredContent.accepts, first.body.result.structuredContent.accepts);
  assert.equal(await balance(), b0);
});

test('settlement fails after the work: only the payment error, with the failed settlement; the same payment later gets the result', async () => {
  const args = { prompt: 'mcp settle fails' };
  const first = await callTool(srv, 'image-generate', args);
  const payment = await makeClient().createPaymentPayload(first.body.result.structuredContent);
  const b0 = await balance();
  fac.setMode('fail');
  let r;
  try { r = await callTool(srv, 'image-generate', args, { 'x402/payment': payment }); } finally { fac.setMode('ok'); }
  const res = r.body.result;
  assert.equal(res.isError, true);
  assert.ok(!r.text.includes(`${srv.url}/media/`), 'no media URL given away');
  assert.equal(res.structuredContent.x402Version, 2);
  assert.equal(res.structuredContent.error, 'invalid_exact_evm_test_failure');
  assert.equal(res.structuredContent['x402/payment-response'].success, false);
  assert.equal(await balance(), b0);
  const again = await callTool(srv, 'image-generate', args, { 'x402/payment': payment });
  assert.equal(again.body.result.isError, false, again.text);
  assert.equal(again.body.result._meta['x402/payment-response'].success, true);
  assert.equal(BigInt(first.body.result.structuredContent.accepts[0].amount), expectedPrice('image-generate', args));
  assert.equal((await balance()) - b0, expectedPrice('image-generate', args));
  assert.equal((await fakes.requests()).filter((q) => q.body?.prompt === 'mcp settle fails').length, 1, 'work done once');
});

test('an upstream failure: a tool error, not charged', async () => {
  const args = { prompt: 'FAKE:5xx mcp' };
  const first = await callTool(srv, 'image-generate', args);
  const payment = await makeClient().createPaymentPayload(first.body.result.structuredContent);
  const b0 = await balance();
  const r = await callTool(srv, 'image-generate', args, { 'x402/payment': payment });
  assert.equal(r.body.result.isError, true);
  assert.equal(r.body.result.structuredContent.error.code, 'upstream_error');
  assert.equal(r.body.result._meta, undefined);
  assert.equal(await balance(), b0);
});

test('one log line per request, tool calls under mcp/<tool> with their payment outcome', async () => {
  const r = await callTool(srv, 'text-to-speech', { text: 'log line' });
  assert.equal(r.body.result.isError, true);
  const lines = readFileSync(logFile, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
  const last = lines.filter((l) => l.endpoint === 'mcp/text-to-speech').at(-1);
  assert.equal(last?.pay, 'required');
  assert.ok(lines.some((l) => l.endpoint === 'mcp/image-generate' && l.pay === 'settled' && /^0x/.test(l.tx)));
  assert.ok(lines.some((l) => l.endpoint === 'mcp'), 'protocol messages as mcp');
});

// Issue 23 (7): the seller's figures in /metrics are the ledger's: a call
// paid over MCP counts under its tool's endpoint, and a payment settled
// later by synthforge-ctl settle-pending counts once it is settled.
test('metrics: settled payments and revenue equal synthforge-ctl revenue after an HTTP, an MCP and a settle-pending payment; nothing under endpoint="mcp"', async () => {
  const ctl = (args) => new Promise((resolve) => execFile(join(BUILD, 'bin/synthforge-ctl'), args, {
    env: { ...process.env, DB: srv.dir + '/ledger.db', SETTLE: 'facilitator', FACILITATOR_URL: fac.url, RPC_URL: chain.rpc } },
  (e, stdout, stderr) => resolve({ code: e ? e.code : 0, stdout, stderr })));
  const price = expectedPrice('image-generate', { prompt: 'metrics http' });
  const m0 = await scrape(srv.url);
  const rev0 = metric(m0, 'synthforge_revenue_atomic_total', { endpoint: 'image-generate' });
  const h = await pay(srv.url + '/v1/image-generate', { method: 'POST', headers: { 'content-type': 'application/json' }, body: { prompt: 'metrics http' } });
  assert.equal(h.status, 200, h.text);
  const viaMcp = async (prompt) => {
    const first = await callTool(srv, 'image-generate', { prompt });
    const payment = await makeClient().createPaymentPayload(first.body.result.structuredContent);
    return callTool(srv, 'image-generate', { prompt }, { 'x402/payment': payment });
  };
  const m = await viaMcp('metrics mcp');
  assert.equal(m.body.result.isError, false, m.text);
  // Refused at settlement: settle_failed, left to synthforge-ctl.
  fac.setMode('fail');
  let later;
  try { later = await viaMcp('metrics settled later'); } finally { fac.setMode('ok'); }
  assert.equal(later.body.result.isError, true, later.text);
  const sp = await ctl(['settle-pending', '--min-age', '0']);
  assert.equal(sp.code, 0, sp.stdout + sp.stderr);
  assert.match(sp.stdout, /^settled\t/m);

  const rev = await ctl(['revenue']);
  assert.equal(rev.code, 0, rev.stderr);
  const want = new Map();
  for (const line of rev.stdout.trim().split('\n').slice(1)) {
    const [endpoint, , network, settledN, settled] = line.split('\t');
    const k = `${endpoint} ${network}`;
    const w = want.get(k) || { endpoint, network, n: 0, sum: 0n };
    w.n += Number(settledN);
    w.sum += BigInt(settled);
    want.set(k, w);
  }
  assert.ok(want.size > 0, rev.stdout);
  const m1 = await scrape(srv.url);
  for (const w of want.values()) {
    const l = { endpoint: w.endpoint, network: w.network };
    assert.equal(BigInt(metric(m1, 'synthforge_revenue_atomic_total', l)), w.sum, `revenue of ${w.endpoint} on ${w.network}`);
    assert.equal(metric(m1, 'synthforge_payments_settled_total', l), w.n, `settled payments of ${w.endpoint} on ${w.network}`);
  }
  assert.equal(metric(m1, 'synthforge_revenue_atomic_total', { endpoint: 'mcp' }), 0, 'no revenue under endpoint="mcp"');
  assert.equal(metric(m1, 'synthforge_revenue_atomic_total', { endpoint: 'image-generate' }) - rev0, Number(price) * 3,
    'the HTTP, the MCP and the later-settled call');
  assert.equal(metric(m1, 'synthforge_ledger_up'), 1);
});

const have = (bin) => spawnSync('sh', ['-c', `command -v ${bin}`]).status === 0;
for (const server of ['apache', 'nginx']) {
  const bin = server === 'apache' ? 'apache2' : 'nginx';
  test(`${server} routes /mcp to sf-mcp`, async () => {
    // make deps-test installs both: missing is a failure, never a skip.
    assert.ok(have(bin), `${bin} is not installed (make deps-test)`);
    assert.ok(have('spawn-fcgi'), 'spawn-fcgi is not installed (make deps-test)');
    const s = await startServer({ server, conf: conf({ LOG_FILE: join(logFile, '..', `${server}.log`) }), env: fakes.env });
    try {
      const i = await rpc(s, 'initialize', { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 't', version: '1' } });
      assert.equal(i.status, 200, i.text);
      assert.equal(i.body.result.protocolVersion, '2025-06-18');
      const args = { prompt: `${server} mcp` };
      const want = await http402(s, '/v1/image-generate', args);
      const r = await callTool(s, 'image-generate', args);
      assert.deepEqual(r.body.result.structuredContent.accepts, want.accepts);
      const n = await rpc(s, 'notifications/initialized', undefined, { id: null });
      assert.equal(n.status, 202);
    } finally { await s.stop(); }
  });
}

// Jobs over MCP (issue 25): a tool whose endpoint runs as a job answers
// at once with the job; get_job reads it (free) by its status link until
// it succeeds with the result; whoever lacks the link gets nothing.
test('a video tool paid by the official client returns the job at once; get_job returns the result; another payer (no link) gets nothing; one transfer', async () => {
  const args = { prompt: 'mcp job fox', duration: 5 };
  const first = await callTool(srv, 'text-to-video', args);
  const required = first.body.result.structuredContent;
  assert.match(required.resource.description, /Runs as a job/);
  const payment = await makeClient().createPaymentPayload(required);
  const b0 = await balance();
  const r = await callTool(srv, 'text-to-video', args, { 'x402/payment': payment });
  assert.equal(r.status, 200, r.text);
  const job = r.body.result.structuredContent;
  assert.equal(r.body.result.isError, false, r.text);
  assert.equal(job.object, 'job');
  assert.ok(['queued', 'running'].includes(job.status), job.status);
  assert.match(job.status_url, /\/v1\/jobs\/job_[0-9a-f]{32}\?token=/);
  let got;
  for (let i = 0; i < 150; i++) {
    got = await callTool(srv, 'get_job', { status_url: job.status_url });
    assert.equal(got.body.result.isError, false, got.text);
    if (got.body.result.structuredContent.status === 'succeeded') break;
    await new Promise((res) => setTimeout(res, 200));
  }
  const done = got.body.result.structuredContent;
  assert.equal(done.status, 'succeeded', got.text);
  assert.ok(done.result.video_url.startsWith(`${srv.url}/media/`));
  assert.match(done.settlement.transaction, /^0x[0-9a-f]{64}$/);
  assert.equal((await balance()) - b0, BigInt(required.accepts[0].amount), 'one transfer');
  // Another payer has no link: the id with another token, or no token.
  const other = await callTool(srv, 'get_job', { job_id: job.id, token: 'A'.repeat(43) });
  assert.equal(other.body.result.isError, true);
  assert.equal(other.body.result.structuredContent.error.code, 'job_not_found');
  assert.equal(JSON.stringify(other.body.result).includes('video_url'), false);
  const none = await callTool(srv, 'get_job', { job_id: job.id });
  assert.equal(none.body.error.code, -32602, none.text);
  const late = await callTool(srv, 'cancel_job', { status_url: job.status_url });
  assert.equal(late.body.result.isError, true, 'too late to cancel a job that succeeded');
  assert.equal(late.body.result.structuredContent.error.code, 'job_finished');
});

