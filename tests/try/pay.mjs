#!/usr/bin/env node
// Pay one more call on a running `make try` stack with the official client
// (@x402/fetch) and the local payer (anvil #1, a public test key; the client
// needs no RPC: it only signs).  Usage:
//   node tests/try/pay.mjs URL [JSON-BODY]
//   node tests/try/pay.mjs http://127.0.0.1:PORT/v1/image-generate '{"prompt":"a red fox"}'
import { pay } from '../lib/pay.mjs';

const [url, body] = process.argv.slice(2);
if (!url || !/^https?:\/\//.test(url)) {
  console.error('usage: node tests/try/pay.mjs URL [JSON-BODY]   (a URL printed by make try)');
  process.exit(2);
}
let json;
try { json = body === undefined ? undefined : JSON.parse(body); } catch (e) {
  console.error(`pay: the body is not JSON: ${e.message}`);
  process.exit(2);
}
const r = await pay(url, json === undefined ? {} : { method: 'POST', headers: { 'content-type': 'application/json' }, body: json });
console.log(`${r.status}  ${r.body ? JSON.stringify(r.body) : r.text.slice(0, 500)}`);
if (r.paymentResponse) console.log(`PAYMENT-RESPONSE  ${JSON.stringify(r.paymentResponse)}`);
process.exit(r.status === 200 ? 0 : 1);
