// The prices pinned by hand in tests/expect/prices.json (from the product
// pages and the prices we chose, never from the definitions), and the
// price a given request body must be quoted and charged.
import { readFileSync } from 'node:fs';

const table = JSON.parse(readFileSync(new URL('../expect/prices.json', import.meta.url), 'utf8'));
export const PRICES = Object.fromEntries(Object.entries(table).filter(([k]) => !k.startsWith('_')));

/** "$0.075" -> 75000n (USDC has 6 decimals). */
export function atomic(usd) {
  const m = /^\$(\d+)(?:\.(\d{1,6}))?$/.exec(usd);
  if (!m) throw new Error(`bad price ${usd} in tests/expect/prices.json`);
  return BigInt(m[1]) * 1000000n + BigInt((m[2] || '').padEnd(6, '0'));
}

/** The model a request body selects: model, else tier's model, else the default. */
export function modelOf(name, body = {}) {
  const p = PRICES[name];
  if (!p) throw new Error(`${name}: no pinned price in tests/expect/prices.json`);
  if (body.model) return body.model;
  if (body.tier) {
    const m = p.tiers?.[body.tier];
    if (!m) throw new Error(`${name}: tier ${body.tier} not in tests/expect/prices.json`);
    return m;
  }
  return p.default;
}

/** Atomic USDC (BigInt) that this exact request must cost. */
export function expectedPrice(name, body = {}) {
  const p = PRICES[name];
  const model = modelOf(name, body);
  const usd = p.models[model];
  if (!usd) throw new Error(`${name}: model ${model} not in tests/expect/prices.json`);
  const units = p.per && body[p.per] !== undefined ? BigInt(body[p.per]) : 1n;
  return atomic(usd) * units;
}

/** "$0.02" style as the pages print it: at least two decimals. */
export function usdText(usd) {
  const [i, f = ''] = usd.slice(1).split('.');
  return `$${i}.${f.padEnd(2, '0')}`;
}

/** Endpoint name of a request path ("/v1/image-edit" -> "image-edit"). */
export function nameOfPath(path) {
  const hit = Object.entries(PRICES).find(([, p]) => p.path === path.split('?')[0]);
  if (!hit) throw new Error(`${path}: no endpoint with this path in tests/expect/prices.json`);
  return hit[0];
}

/** Atomic USDC a POST of body to path must cost. */
export const expectedPriceAt = (path, body) => expectedPrice(nameOfPath(path), body);
