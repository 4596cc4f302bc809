// The bench's peer: the official @x402/express middleware in front of the
// same work as ours (POST /v1/image-generate: a 256x256 PNG rendered,
// written to disk, a JSON answer with its URL), on base-sepolia USDC at
// $0.01, with the facilitator given; and POST /v1/instant, the same
// middleware in front of no work at all ({"ok":true} at once), for the
// bench's equal-work row.  Prints "listening PORT".
//   node bench/express_peer.mjs FACILITATOR_URL MEDIA_DIR PAY_TO [port]
import { createRequire } from 'node:module';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import crypto from 'node:crypto';
import { png } from './png.mjs';

const require = createRequire(new URL('../tests/package.json', import.meta.url));
const express = require('express');
const { paymentMiddleware, x402ResourceServer } = require('@x402/express');
const { HTTPFacilitatorClient } = require('@x402/core/server');
const { ExactEvmScheme } = require('@x402/evm/exact/server');

const [facUrl, media, payTo, port = '0'] = process.argv.slice(2);
const server = new x402ResourceServer(new HTTPFacilitatorClient({ url: facUrl }))
  .register('eip155:84532', new ExactEvmScheme());
const app = express();
app.use(express.json({ limit: '64kb' }));
app.use(paymentMiddleware({
  'POST /v1/image-generate': {
    accepts: { scheme: 'exact', price: '$0.01', network: 'eip155:84532', payTo },
    description: 'Generate an image from a text prompt', mimeType: 'application/json',
  },
  'POST /v1/instant': {
    accepts: { scheme: 'exact', price: '$0.01', network: 'eip155:84532', payTo },
    description: 'Answer at once', mimeType: 'application/json',
  },
}, server));
app.post('/v1/instant', (req, res) => res.json({ ok: true }));
let n = 0;
app.post('/v1/image-generate', async (req, res) => {
  const w = Math.max(256, Math.min(2048, +req.body?.width || 1024));
  const h = Math.max(256, Math.min(2048, +req.body?.height || 1024));
  const seed = req.body?.seed ?? crypto.randomInt(1e9);
  const name = `peer-${process.pid}-${++n}.png`;
  await writeFile(join(media, name), png(w, h, seed));
  res.json({ image_url: `/media/${name}`, width: String(w), height: String(h), seed, source: 'offline', price: '$0.01' });
});
const srv = app.listen(+port, '127.0.0.1', () => console.log(`listening ${srv.address().port}`));
for (const s of ['SIGTERM', 'SIGINT']) process.once(s, () => process.exit(0));
