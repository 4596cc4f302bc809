// Model availability (issue 14): `synthforge-ctl check --online` asks the
// strict fakes' catalogues (Google ListModels, OpenAI /models, Venice
// /models, fal's platform API, BFL's model routes, ElevenLabs /v1/models,
// Replicate /models/{owner}/{name}) whether every routed upstream model
// exists, names each route that would fail with its endpoint, and /healthz
// reports the last result.  With the definitions as shipped every route is
// found; one route pointed at a retired id (Imagen) is reported.
// It also compares, per fal endpoint, the input schema fal serves
// (https://fal.ai/api/openapi/queue/openapi.json?endpoint_id=<id>) with
// etc/fal-contracts.json, the contract the tests were built from (issue
// 24): against a recorded reply, the differences are named; and that
// snapshot is the one the artefacts give today.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { mkdtempSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { startFakes } from '../lib/fakes.mjs';
import { startServer, BUILD } from '../lib/server.mjs';
import { snapshot } from '../fakes/contracts/derive.mjs';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

let fakes, srv, srvRetired, srvSchema;
const contractsFile = fileURLToPath(new URL('../../etc/fal-contracts.json', import.meta.url));
const ctl = (s) => new Promise((resolve) => execFile(join(BUILD, 'bin', 'synthforge-ctl'),
  ['check', '--online', s.cfgFile], { env: s.env, timeout: 120000 },
  (e, stdout, stderr) => resolve({ code: e ? e.code : 0, out: stdout, err: stderr })));
const healthz = async (s) => (await fetch(`${s.url}/healthz`)).json();
const modelLines = (out) => out.split('\n').filter((l) => /^MISSING\tmodel\t/.test(l));

before(async () => {
  fakes = await startFakes();
  const dir = mkdtempSync(join(tmpdir(), 'sf-models-'));
  chmodSync(dir, 0o777);
  const conf = (name, extra = {}) => ({ NETWORKS: 'base-sepolia',
    FAL_API_BASE_URL: `${fakes.base}/fal-api/v1`,
    FAL_OPENAPI_URL: `${fakes.base}/fal-openapi/openapi.json`,
    FAL_CONTRACTS_FILE: contractsFile,
    MODEL_CHECK_FILE: join(dir, `${name}.json`), ...extra });
  srv = await startServer({ conf: conf('ok'), env: fakes.env });
  srvRetired = await startServer({ conf: conf('retired', {
    ROUTE_IMAGE_GENERATE_ULTRA_NANO_BANANA_2: 'google:imagen-4.0-generate-001' }), env: fakes.env });
  srvSchema = await startServer({ conf: conf('schema', {
    FAL_OPENAPI_URL: `${fakes.base}/fal-openapi/recorded/openapi.json` }), env: fakes.env });
});
after(async () => { await srv?.stop(); await srvRetired?.stop(); await srvSchema?.stop(); await fakes?.stop(); });

test('every route of every endpoint is in its provider\'s catalogue', async () => {
  const h0 = await healthz(srv);
  assert.match(h0.checks.models.detail, /never checked/);
  await fakes.reset();
  const { out } = await ctl(srv);
  assert.deepEqual(modelLines(out), [], out);
  assert.match(out, /^ok\t\tevery routed model is in its provider's catalogue/m);
  assert.match(out, /^ok\t\tfal serves no input schema that breaks the contract/m);
  assert.deepEqual(out.split('\n').filter((l) => /\tschema\t/.test(l)), [], out);
  const asked = (await fakes.requests()).map((q) => `${q.method} ${q.path}`);
  for (const want of ['GET /api/v1/models', 'GET /fal-api/v1/models',
    'GET /bfl/v1/flux-2-pro', 'GET /elevenlabs/v1/models'])
    assert.ok(asked.includes(want), `${want} asked: ${asked.join(', ')}`);
  assert.equal(asked.filter((a) => a.startsWith('POST')).length, 0, 'the check creates no job');
});

test('a route to a retired model is listed with its endpoint, and /healthz reports it', async () => {
  await fakes.reset();
  const { code, out } = await ctl(srvRetired);
  assert.ok((await fakes.requests()).some((q) => q.method === 'GET' && q.path === '/google/v1beta/models'),
    'Google ListModels asked');
  const lines = modelLines(out);
  assert.equal(lines.length, 1, out);
  assert.match(lines[0], /\/v1\/image-generate-ultra nano-banana-2 \(google:imagen-4\.0-generate-001\): google does not list imagen-4\.0-generate-001/);
  assert.notEqual(code, 0, 'NOT READY');
  const h = await healthz(srvRetired);
  assert.equal(h.checks.models.ok, false);
  assert.equal(h.checks.models.missing.length, 1);
  assert.deepEqual([h.checks.models.missing[0].endpoint, h.checks.models.missing[0].model,
    h.checks.models.missing[0].upstream], ['image-generate-ultra', 'nano-banana-2', 'imagen-4.0-generate-001']);
  assert.ok(h.checks.models.checked_at > 0);
});

test('the retired Imagen ids are refused before payment on /api/v1/image/generate', async () => {
  const r = await fetch(`${srv.url}/api/v1/image/generate`, { method: 'POST',
    headers: { 'content-type': 'application/json' }, body: JSON.stringify({ prompt: 'x', model: 'imagen-4-ultra' }) });
  assert.equal(r.status, 400);
  assert.equal(r.headers.get('payment-required'), null);
  assert.equal((await r.json()).error.code, 'model_retired');
});

test('etc/fal-contracts.json is the contract the artefacts give today', async () => {
  const want = await snapshot();
  const have = JSON.parse(readFileSync(contractsFile, 'utf8'));
  assert.deepEqual(have.endpoints, want.endpoints,
    'etc/fal-contracts.json is stale: node tests/fakes/contracts/derive.mjs --snapshot > etc/fal-contracts.json');
  assert.ok(Object.keys(have.endpoints).length >= 60);
});

test('check --online names each difference between the schema fal serves and the contract', async () => {
  await fakes.reset();
  const { code, out } = await ctl(srvSchema);
  const asked = (await fakes.requests()).filter((q) => q.path.startsWith('/fal-openapi/'));
  assert.ok(asked.some((q) => q.query.endpoint_id === 'fal-ai/z-image/turbo/inpaint'), 'fal\'s OpenAPI asked per endpoint id');
  assert.equal(new Set(asked.map((q) => q.query.endpoint_id)).size, asked.length, 'each id asked once');
  const lines = out.split('\n').filter((l) => /\tschema\t/.test(l) || /^schema\t/.test(l));
  const z = lines.filter((l) => l.includes('(fal:fal-ai/z-image/turbo/inpaint)'));
  assert.equal(z.length, lines.length, `only the recorded endpoint differs: ${out}`);
  assert.ok(z.some((l) => /^MISSING\tschema\t\/v1\/image-inpaint z-image-turbo-inpaint .*fal now takes mask_blur \(required\)/.test(l)), out);
  assert.ok(z.some((l) => /^schema\t\t.*output_format: values added avif/.test(l)), out);
  assert.ok(z.some((l) => /^schema\t\t.*fal no longer takes control_start/.test(l)), out);
  assert.ok(!z.some((l) => /num_images/.test(l)), 'integer is number: no difference');
  assert.equal(z.length, 3, out);
  assert.notEqual(code, 0, 'a breaking difference: NOT READY');
});
