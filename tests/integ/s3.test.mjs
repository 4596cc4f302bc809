// The S3 media store end to end (issue 14 item 4): lighttpd serves the
// free demo of /api/generate with MEDIA_STORE=s3 against a local S3
// stand-in (tests/fakes/s3.mjs) that checks every upload's SigV4 with the
// AWS SDK's signer; the returned URL is fetched back through the stand-in.
// A wrong secret must be refused, so the check is shown to bite.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from '../lib/server.mjs';
import { startS3 } from '../fakes/s3.mjs';

let s3, srv, srvBad;
const S3 = (s, secret) => ({ NETWORKS: 'base-sepolia', MEDIA_STORE: 's3',
  S3_ENDPOINT: s.url, S3_BUCKET: 'media', S3_REGION: 'eu-central-1', S3_PREFIX: 'sf/',
  S3_ACCESS_KEY: 'AKIDS3TEST', S3_SECRET_KEY: secret });

before(async () => {
  s3 = await startS3();
  srv = await startServer({ conf: S3(s3, 'test-s3-secret') });
  srvBad = await startServer({ conf: S3(s3, 'not-the-secret') });
});
after(async () => { await srv?.stop(); await srvBad?.stop(); await s3?.stop(); });

test('an upload signed by us passes the AWS SDK signer, and the URL serves it back', async () => {
  const r = await fetch(`${srv.url}/api/generate?demo=true`);
  const body = await r.json();
  assert.equal(r.status, 200, JSON.stringify(body));
  assert.ok(body.image_url.startsWith(`${s3.url}/media/sf/`), body.image_url);
  const puts = s3.log.filter((l) => l.method === 'PUT');
  assert.equal(puts.length, 1);
  assert.equal(puts[0].ok, true, puts[0].why);
  assert.equal(puts[0].headers.expect, undefined, 'no Expect header sent');
  assert.match(puts[0].headers.authorization, /SignedHeaders=[^,]*host[^,]*x-amz-content-sha256;x-amz-date,/);
  assert.doesNotMatch(puts[0].headers.authorization, /expect/);
  const m = await fetch(body.image_url);
  assert.equal(m.status, 200);
  assert.equal(m.headers.get('content-type'), 'image/png');
  const bytes = Buffer.from(await m.arrayBuffer());
  assert.deepEqual(bytes.subarray(0, 8), Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
  assert.equal(m.headers.get('cache-control'), 'public, max-age=31536000, immutable');
});

test('a wrong secret is refused by the stand-in: the caller gets a 5xx, nothing stored', async () => {
  const n0 = s3.objects.size;
  const r = await fetch(`${srvBad.url}/api/generate?demo=true`);
  const body = await r.json();
  assert.ok(r.status >= 500, `${r.status} ${JSON.stringify(body)}`);
  assert.equal(body.error.code, 'media_store_failed');
  const last = s3.log.filter((l) => l.method === 'PUT').at(-1);
  assert.equal(last.ok, false);
  assert.match(last.why, /signature/i);
  assert.equal(s3.objects.size, n0);
});
