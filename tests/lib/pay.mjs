// Paying clients for tests, all on the official @x402 packages.
//   pay(url, opts)          fetch a URL through @x402/fetch (v2, and v1 via
//                           @x402/evm/v1 for base-sepolia), return status,
//                           headers, decoded PAYMENT-RESPONSE, body
//   makePayment(req, opts)  a PaymentPayload for one requirement, signed by
//                           the official scheme client (no server needed)
import { wrapFetchWithPayment, x402Client, decodePaymentResponseHeader } from '@x402/fetch';
import { ExactEvmScheme } from '@x402/evm';
import { ExactEvmSchemeV1 } from '@x402/evm/v1';
import { privateKeyToAccount } from 'viem/accounts';
import { KEYS } from './chain.mjs';

export function makeClient(privateKey = KEYS.payer) {
  const account = privateKeyToAccount(privateKey);
  return new x402Client()
    .register('eip155:*', new ExactEvmScheme(account))
    .registerV1('base-sepolia', new ExactEvmSchemeV1(account))
    // A test token is no default asset: allow any (x402.md §12 #14).
    .setSpendControls({ allowedAssets: true });
}

const decode = (s) => { try { return decodePaymentResponseHeader(s); } catch { return null; } };

/** Pay url.  Returns { status, headers, paymentResponse, body, text, sent } */
export async function pay(url, { privateKey = KEYS.payer, method = 'GET', body, headers = {} } = {}) {
  const sent = [];
  const recording = async (input, init) => {
    const r = new Request(input, init);
    sent.push(Object.fromEntries(r.headers));
    return fetch(r);
  };
  const f = wrapFetchWithPayment(recording, makeClient(privateKey));
  const res = await f(url, { method, headers, body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body) });
  const text = await res.text();
  let json = null;
  try { json = JSON.parse(text); } catch { /* not JSON */ }
  const pr = res.headers.get('PAYMENT-RESPONSE') || res.headers.get('X-PAYMENT-RESPONSE');
  return { status: res.status, headers: Object.fromEntries(res.headers), paymentResponse: pr ? decode(pr) : null,
    body: json, text, sent };
}

/** Requirement in the v2 shape for the test chain. */
export function requirementsV2(chain, { amount = '10000', payTo = chain.accounts.payTo.address, maxTimeoutSeconds = 300 } = {}) {
  return { scheme: 'exact', network: chain.network, amount, asset: chain.token, payTo, maxTimeoutSeconds,
    extra: { name: 'USD Coin', version: '2' } };
}

/** The same as a v1 requirement (chain must run as 84532). */
export function requirementsV1(chain, opts = {}) {
  const r = requirementsV2(chain, opts);
  return { scheme: 'exact', network: chain.v1network, maxAmountRequired: r.amount, resource: 'http://127.0.0.1/test',
    description: 'test', mimeType: 'application/json', payTo: r.payTo, maxTimeoutSeconds: r.maxTimeoutSeconds,
    asset: r.asset, extra: r.extra };
}

/** Signed PaymentPayload for one requirement (version from its shape). */
export async function makePayment(requirements, { privateKey = KEYS.payer } = {}) {
  const v1 = 'maxAmountRequired' in requirements;
  const paymentRequired = v1 ? { x402Version: 1, error: 'X-PAYMENT header is required', accepts: [requirements] }
    : { x402Version: 2, resource: { url: 'http://127.0.0.1/test', description: 'test', mimeType: 'application/json' }, accepts: [requirements] };
  return makeClient(privateKey).createPaymentPayload(paymentRequired);
}
