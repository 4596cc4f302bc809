// The bench's slow upstream: Venice's POST /api/v1/image/generate answered
// after DELAY ms (default 2000) with a WxH PNG, any Bearer key accepted.
// Prints "listening PORT".   node bench/slow_upstream.mjs [port] [delay_ms]
import http from 'node:http';
import { png } from './png.mjs';

const delay = +(process.argv[3] || 2000);
const cache = new Map();
let calls = 0;
const srv = http.createServer((req, res) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    if (req.method === 'GET' && req.url === '/stats') { res.end(JSON.stringify({ calls })); return; }
    if (req.method !== 'POST' || !req.url.endsWith('/image/generate') || !/^Bearer \S+$/.test(req.headers.authorization || '')) {
      res.writeHead(404, { 'Content-Type': 'application/json' });
      res.end('{"error":"not found"}');
      return;
    }
    calls++;
    let b = {};
    try { b = JSON.parse(Buffer.concat(chunks).toString('utf8')); } catch { /* defaults */ }
    const w = b.width || 256, h = b.height || 256, k = `${w}x${h}`;
    if (!cache.has(k)) cache.set(k, png(w, h).toString('base64'));
    setTimeout(() => {
      const out = JSON.stringify({ id: `generate-image-${calls}`, images: [cache.get(k)], request: null, timing: { total: delay } });
      res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(out), 'x-venice-is-blurred': 'false' });
      res.end(out);
    }, delay);
  });
});
srv.listen(+(process.argv[2] || 0), '127.0.0.1', () => console.log(`listening ${srv.address().port}`));
for (const s of ['SIGTERM', 'SIGINT']) process.once(s, () => process.exit(0));
