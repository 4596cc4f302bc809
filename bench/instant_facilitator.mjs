// The bench's stand-in facilitator: answers /verify and /settle at once,
// without a chain, so a paid call's cost is the server's own.  Both peers
// (ours and @x402/express) use this one.  /supported lists exact on
// base-sepolia for v1 and v2.  Prints "listening PORT".
//   node bench/instant_facilitator.mjs [port]
import http from 'node:http';
import crypto from 'node:crypto';

const NET = 'eip155:84532';
let verifies = 0, settles = 0;
const supported = JSON.stringify({ kinds: [
  { x402Version: 2, scheme: 'exact', network: NET },
  { x402Version: 1, scheme: 'exact', network: 'base-sepolia' }],
  extensions: [], signers: { 'eip155:*': ['0x90F79bf6EB2c4f870365E785982E1f101E93b906'] } });

function payer(b) {
  return b?.paymentPayload?.payload?.authorization?.from ?? '0x0000000000000000000000000000000000000000';
}

const srv = http.createServer((req, res) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    let out, status = 200;
    if (req.method === 'GET' && req.url.startsWith('/supported')) out = supported;
    else if (req.method === 'GET' && req.url.startsWith('/stats')) out = JSON.stringify({ verifies, settles });
    else {
      let b = null;
      try { b = JSON.parse(Buffer.concat(chunks).toString('utf8')); } catch { /* below */ }
      const net = b?.paymentRequirements?.network ?? NET;
      if (!b?.paymentPayload || !b?.paymentRequirements) { status = 400; out = '{"error":"missing paymentPayload/paymentRequirements"}'; }
      else if (req.url.startsWith('/verify')) { verifies++; out = JSON.stringify({ isValid: true, payer: payer(b) }); }
      else if (req.url.startsWith('/settle')) {
        settles++;
        out = JSON.stringify({ success: true, transaction: '0x' + crypto.randomBytes(32).toString('hex'), network: net, payer: payer(b) });
      } else { status = 404; out = '{"error":"not found"}'; }
    }
    res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(out) });
    res.end(out);
  });
});
srv.keepAliveTimeout = 60000;
srv.listen(+(process.argv[2] || 0), '127.0.0.1', () => console.log(`listening ${srv.address().port}`));
for (const s of ['SIGTERM', 'SIGINT']) process.once(s, () => process.exit(0));
