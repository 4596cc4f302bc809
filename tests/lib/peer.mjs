// The peer-compatible endpoints' facts as on their pages (seeds 003, 004),
// shared by tests/integ/peer*.test.mjs.
export const GEN = '/api/v1/image/generate';
export const EDIT = '/api/v1/image/edit';
export const SPARK = '/api/generate';
// The image_url the edit requests carry: a test sets it to one the fakes
// serve, reachable through URL_ALLOW=localhost (the sandbox has no DNS).
export const input = { url: 'https://example.com/photo.jpg' };
export const fakeImage = (fakes) => `http://localhost:${fakes.port}/files/photo.png?w=64&h=48`;

import { expectedPriceAt } from './prices.mjs';

// [path, model, atomic USDC per image (pinned in tests/expect/prices.json,
// which must agree with the figures kept here from the pages), answers
// base64, provider]
const PAGE_MODELS = [
  [GEN, 'flux-2-pro', 50000, false, 'bfl'],
  [GEN, 'flux-2-klein', 20000, false, 'bfl'], [GEN, 'flux-1.1-pro', 40000, false, 'bfl'],
  [GEN, 'recraft-v4', 40000, false, 'fal'], [GEN, 'recraft-v3', 40000, false, 'fal'],
  [GEN, 'ideogram-v3', 60000, false, 'fal'], [GEN, 'sd-3.5', 30000, false, 'fal'],
  [GEN, 'qwen-image', 75000, false, 'fal'],
  [EDIT, 'qwen-image-edit', 75000, false, 'fal'], [EDIT, 'flux-kontext', 50000, false, 'bfl'],
  [EDIT, 'seedream-5', 40000, false, 'fal'],
  [SPARK, 'flux-schnell', 20000, false, 'fal'], [SPARK, 'flux-dev', 30000, false, 'fal'],
  [SPARK, 'flux-pro', 50000, false, 'fal'],
];
export const MODELS = PAGE_MODELS.map(([path, model, price, ...rest]) => {
  const pinned = expectedPriceAt(path, { model });
  if (pinned !== BigInt(price)) throw new Error(`${path} ${model}: page says ${price}, tests/expect/prices.json ${pinned}`);
  return [path, model, pinned, ...rest];
});

// Page 003's Imagen ids: Google shut Imagen down on 2026-08-17, so they are
// refused before payment (400 model_retired).
export const RETIRED = ['imagen-4', 'imagen-4-fast', 'imagen-4-ultra'];

export const bodyFor = (path, model, extra = {}) =>
  ({ prompt: 'a red fox in snow', model, ...(path === EDIT ? { image_url: input.url } : {}), ...extra });
