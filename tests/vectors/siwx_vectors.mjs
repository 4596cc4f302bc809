// Sign-In-With-X vectors for tests/unit/test_siwx.c, made by the official
// @x402/extensions 2.27.0 (its server extension builds the challenge, its
// client hook signs it with a viem account or an @solana/kit signer, its
// formatters print the messages) and viem (hashMessage).  Everything is
// deterministic (fixed keys, clock and randomness; ECDSA per RFC 6979,
// ed25519), so the file can be checked, not only written:
//
//   node vectors/siwx_vectors.mjs          write unit/siwx_vectors.h
//   node vectors/siwx_vectors.mjs --check  fail if it differs (make siwx-diff)
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

// A fixed clock and fixed randomness for the official server extension
// (it reads Date and crypto.getRandomValues for issuedAt and the nonce).
const NOW = Date.parse('2026-01-15T10:30:00.000Z');
const RealDate = Date;
globalThis.Date = class extends RealDate {
  constructor(...a) { if (a.length === 0) super(NOW); else super(...a); }
  static now() { return NOW; }
};
globalThis.crypto.getRandomValues = (a) => a.fill(0xab);

const S = await import('@x402/extensions/sign-in-with-x');
const { hashMessage } = await import('viem');
const { privateKeyToAccount } = await import('viem/accounts');
const { createKeyPairSignerFromPrivateKeyBytes } = await import('@solana/kit');

const here = dirname(fileURLToPath(import.meta.url));
const out = join(here, '../unit/siwx_vectors.h');
const ORIGIN = 'https://api.example.com';
const RES = ORIGIN + '/v1/jobs/j_123?wait=1';
const EVM = 'eip155:84532';
const SOL = 'solana:EtWTRABZaYq6iMfeYKouRu166VU2xqa1';
const STATEMENT = 'Sign in to read your synthforge jobs';
// anvil's first two keys; fixed Solana seeds.
const evm0 = privateKeyToAccount('0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80');
const evm1 = privateKeyToAccount('0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d');
const sol0 = await createKeyPairSignerFromPrivateKeyBytes(Uint8Array.from({ length: 32 }, (_, i) => i + 1));

const ext = S.createSIWxResourceServerExtension({ origin: ORIGIN, storage: new S.InMemorySIWxStorage() });
const decl = S.declareSIWxExtension({ network: [EVM, SOL], statement: STATEMENT, expirationSeconds: 300 });
const challenge = await ext.enrichPaymentRequiredResponse(decl[S.SIGN_IN_WITH_X],
  { resourceInfo: { url: RES }, requirements: [] });
const pr = { x402Version: 2, accepts: [], resource: { url: RES }, extensions: { [S.SIGN_IN_WITH_X]: challenge } };
const info = challenge.info;

async function viaHook(signer) {
  const r = await S.createSIWxClientHook(signer)({ paymentRequired: pr, requestUrl: RES });
  return r.headers[S.SIGN_IN_WITH_X];
}
// A client signing what it says (fields the challenge did not have).
async function signed(fields, signer, claimed) {
  const sol = fields.chainId.startsWith('solana:');
  const address = claimed ?? signer.address;
  const message = S.createSIWxMessage(fields, address);
  const signature = sol ? await S.signSolanaMessage(message, signer) : await S.signEVMMessage(message, signer);
  return S.encodeSIWxHeader({ ...fields, address, signature });
}

const vecs = [];
async function add(name, header, note) {
  const p = S.parseSIWxHeader(header);
  const message = S.createSIWxMessage(p, p.address);
  const sol = p.chainId.startsWith('solana:');
  const ver = await S.verifySIWxSignature(p);
  vecs.push({ name, note, header, message, address: p.address, chain: p.chainId, nonce: p.nonce,
    digest: sol ? '' : hashMessage(message), valid: ver.isValid });
}

const base = { ...info };
await add('evm_hook', await viaHook(evm0), 'the official client hook, EVM (first eip191 chain)');
await add('svm_hook', await viaHook(sol0), 'the official client hook, Solana');
await add('evm_bare', await signed({ ...base, chainId: EVM, type: 'eip191', statement: undefined,
  expirationTime: undefined, requestId: '', resources: [], nonce: 'cdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcd' }, evm0),
'no statement or expiry, empty requestId, empty resources (SIWE prints both)');
await add('svm_bare', await signed({ ...base, chainId: SOL, type: 'ed25519', statement: '',
  requestId: '', resources: [], notBefore: '2026-01-15T10:29:00.000Z', nonce: 'efefefefefefefefefefefefefefefef' }, sol0),
'empty statement and requestId, empty resources (SIWS prints none), notBefore');
await add('evm_empty_stmt', await signed({ ...base, chainId: EVM, type: 'eip191', statement: '',
  issuedAt: '2026-01-15T11:30:00+01:00', nonce: '01010101010101010101010101010101' }, evm0),
'empty statement (four line feeds), issuedAt with an offset');
await add('evm_other_signer', await signed({ ...base, chainId: EVM, type: 'eip191',
  nonce: '02020202020202020202020202020202' }, evm1, evm0.address),
'signed by anvil key 1, claiming key 0 (what a contract wallet of key 0 might send)');

function cstr(s) {
  let o = '"';
  for (const ch of s) {
    const c = ch.codePointAt(0);
    if (ch === '"' || ch === '\\') o += '\\' + ch;
    else if (ch === '\n') o += '\\n"\n\t    "';
    else if (c < 0x20 || c === 0x7f) o += '\\x' + c.toString(16).padStart(2, '0') + '""';
    else o += ch;
  }
  return o + '"';
}

let h = `/*
 * Generated by tests/vectors/siwx_vectors.mjs from @x402/extensions 2.27.0
 * and viem; do not edit (make siwx-diff checks it is still what they make).
 * Clock ${new RealDate(NOW).toISOString()}, origin ${ORIGIN}, resource ${RES}.
 */
#ifndef SIWX_VECTORS_H
#define SIWX_VECTORS_H

#define SIWX_VEC_NOW_MS\t${NOW}LL
#define SIWX_VEC_ORIGIN\t${cstr(ORIGIN)}
#define SIWX_VEC_RESOURCE\t${cstr(RES)}
#define SIWX_VEC_STATEMENT\t${cstr(STATEMENT)}
#define SIWX_VEC_EVM\t${cstr(EVM)}
#define SIWX_VEC_SOL\t${cstr(SOL)}
#define SIWX_VEC_EVM0\t${cstr(evm0.address)}
#define SIWX_VEC_EVM1\t${cstr(evm1.address)}

/* createSIWxResourceServerExtension(...).enrichPaymentRequiredResponse()
 * for networks [EVM, SOL], that statement, expirationSeconds 300; its
 * nonce is ab * 16 (fixed randomness). */
static const char siwx_vec_extension[] =
\t    ${cstr(JSON.stringify(challenge))};

struct siwx_vec {
\tconst char\t*name;
\tconst char\t*header;\t/* SIGN-IN-WITH-X */
\tconst char\t*message;\t/* createSIWxMessage() */
\tconst char\t*address;
\tconst char\t*chain;
\tconst char\t*nonce;
\tconst char\t*digest;\t/* viem hashMessage(message), EVM */
\tint\t\t valid;\t\t/* verifySIWxSignature() */
};

static const struct siwx_vec siwx_vecs[] = {
`;
for (const v of vecs) {
  h += `\t/* ${v.name}: ${v.note} */\n\t{ ${cstr(v.name)},\n\t    ${cstr(v.header)},\n\t    ${cstr(v.message)},\n` +
    `\t    ${cstr(v.address)}, ${cstr(v.chain)},\n\t    ${cstr(v.nonce)},\n\t    ${cstr(v.digest)}, ${v.valid ? 1 : 0} },\n`;
}
h += `};

#endif
`;

if (process.argv[2] === '--check') {
  let cur = '';
  try { cur = readFileSync(out, 'utf8'); } catch { /* missing */ }
  if (cur !== h) {
    console.error(`siwx_vectors: ${out} is not what @x402/extensions makes now; run node vectors/siwx_vectors.mjs`);
    process.exit(1);
  }
  console.log(`# siwx vectors: ${vecs.length} cases still match @x402/extensions`);
} else {
  writeFileSync(out, h);
  console.log(`wrote ${out} (${vecs.length} cases)`);
}
