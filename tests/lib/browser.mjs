// A real headless Chromium (Debian's, /usr/bin/chromium) driven over the
// DevTools protocol by playwright-core, for the pages' pay-and-run tests:
//   launch()                 a fresh profile; close() ends it
//   watch(page)              console errors, page errors, CSP violations
//   injectEvm(page, o)       an EIP-1193 wallet (EIP-6963 and
//                            window.ethereum) that signs in this process
//                            with a viem account; o.reject() says no
//   injectSolana(page, o)    a Wallet Standard wallet (standard:connect,
//                            solana:signTransaction) signing in this
//                            process with a @solana/kit key pair signer
//   generatePages(srv)       the site generated with the configuration the
//                            server runs (registry/pages.sh), into its www
import { execFileSync } from 'node:child_process';
import { mkdtempSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { getTransactionDecoder, getTransactionEncoder } from '@solana/kit';
import { TOP, BUILD } from './server.mjs';

export const ARTIFACTS = join(TOP, 'build/artifacts/pages');

export async function launch({ javaScriptEnabled = true } = {}) {
  mkdirSync(ARTIFACTS, { recursive: true });
  return chromium.launchPersistentContext(mkdtempSync(join(tmpdir(), 'sf-chromium-')), {
    executablePath: '/usr/bin/chromium',
    headless: true,
    javaScriptEnabled,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    viewport: { width: 1100, height: 900 },
  });
}

/** Problems the page reports: { errors: [...] } filled as they come. */
export async function watch(page) {
  const seen = { errors: [], requests: [] };
  // A 402 or 400 answer is the protocol at work, not a page error
  // (Chromium logs every non-2xx load to the console).
  page.on('console', (m) => {
    if (m.type() === 'error' && !/^Failed to load resource: the server responded with a status of (400|402) /.test(m.text()))
      seen.errors.push(`console: ${m.text()}`);
  });
  page.on('pageerror', (e) => seen.errors.push(`pageerror: ${e}`));
  page.on('request', (r) => seen.requests.push({ method: r.method(), url: r.url(), headers: r.headers() }));
  await page.exposeFunction('__sfCsp', (v) => seen.errors.push(`CSP violation: ${v}`));
  await page.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (e) =>
      window.__sfCsp(`${e.violatedDirective} ${e.blockedURI}`));
  });
  return seen;
}

export function generatePages(srv, www) {
  const man = mkdtempSync(join(tmpdir(), 'sf-man-'));
  execFileSync('sh', [join(TOP, 'registry/pages.sh'), join(BUILD, 'bin/sf-gen'), man, www,
    '-s', join(TOP, 'registry/style.css'), '-t', '1767225600'], { env: srv.env, cwd: TOP });
}

// Typed data as viem's JSON-RPC account sends it (eth_signTypedData_v4):
// integers as decimal strings; back to bigint for the local account.
function typedData(json) {
  const td = JSON.parse(json);
  const { EIP712Domain, ...types } = td.types;
  const message = { ...td.message };
  for (const f of types[td.primaryType] ?? [])
    if (/^u?int\d*$/.test(f.type) && typeof message[f.name] !== 'bigint') message[f.name] = BigInt(message[f.name]);
  const domain = { ...td.domain };
  if (domain.chainId !== undefined) domain.chainId = Number(domain.chainId);
  return { domain, types, primaryType: td.primaryType, message };
}

/**
 * An EIP-1193 wallet of `account` (viem LocalAccount) on chainId, in
 * every page of the context.  Returns { calls, setReject(bool) }: calls
 * lists every method the page asked for.
 */
export async function injectEvm(ctx, account, chainId) {
  const state = { calls: [], reject: false };
  await ctx.exposeFunction('__sfEvm', async (method, params) => {
    state.calls.push(method);
    switch (method) {
      case 'eth_requestAccounts':
      case 'eth_accounts':
        return { result: [account.address] };
      case 'eth_chainId':
        return { result: `0x${chainId.toString(16)}` };
      case 'wallet_switchEthereumChain':
        return Number.parseInt(params[0].chainId, 16) === chainId ? { result: null }
          : { error: { code: 4902, message: 'Unrecognized chain ID' } };
      case 'eth_signTypedData_v4': {
        if (state.reject) return { error: { code: 4001, message: 'User rejected the request.' } };
        if (params[0].toLowerCase() !== account.address.toLowerCase())
          return { error: { code: 4100, message: 'not this account' } };
        return { result: await account.signTypedData(typedData(params[1])) };
      }
      default:
        return { error: { code: 4200, message: `unsupported method ${method}` } };
    }
  });
  await ctx.addInitScript(() => {
    const provider = {
      isSynthforgeTestWallet: true,
      async request({ method, params }) {
        const r = await window.__sfEvm(method, params ?? []);
        if (r.error) throw Object.assign(new Error(r.error.message), { code: r.error.code });
        return r.result;
      },
      on() {}, removeListener() {},
    };
    window.ethereum = provider;
    const info = { uuid: '00000000-0000-4000-8000-000000000001', name: 'Test Wallet', icon: 'data:,', rdns: 'invalid.synthforge.test' };
    const announce = () => window.dispatchEvent(new CustomEvent('eip6963:announceProvider', { detail: Object.freeze({ info, provider }) }));
    window.addEventListener('eip6963:requestProvider', announce);
    announce();
  });
  return { calls: state.calls, setReject: (v) => { state.reject = v; } };
}

/**
 * A Wallet Standard Solana wallet of `signer` (a @solana/kit key pair
 * signer) for chain ("solana:devnet"), in every page of the context.
 * Returns { calls, setReject(bool) }.
 */
export async function injectSolana(ctx, signer, chain) {
  const state = { calls: [], reject: false };
  await ctx.exposeFunction('__sfSol', async (method, arg) => {
    state.calls.push(method);
    if (method === 'connect') return { result: signer.address };
    if (method === 'signTransaction') {
      if (state.reject) return { error: { code: 4001, message: 'User rejected the request.' } };
      const tx = getTransactionDecoder().decode(Buffer.from(arg, 'base64'));
      const [sigs] = await signer.signTransactions([tx]);
      const signed = { ...tx, signatures: { ...tx.signatures, ...sigs } };
      return { result: Buffer.from(getTransactionEncoder().encode(signed)).toString('base64') };
    }
    return { error: { code: 4200, message: `unsupported ${method}` } };
  });
  await ctx.addInitScript((chainName) => {
    const b64 = (u8) => btoa(String.fromCharCode(...u8));
    const unb64 = (s) => Uint8Array.from(atob(s), (c) => c.charCodeAt(0));
    const call = async (m, a) => {
      const r = await window.__sfSol(m, a);
      if (r.error) throw Object.assign(new Error(r.error.message), { code: r.error.code });
      return r.result;
    };
    let accounts = [];
    const wallet = {
      version: '1.0.0', name: 'Test Solana Wallet', icon: 'data:image/svg+xml;base64,PHN2Zy8+',
      chains: [chainName],
      get accounts() { return accounts; },
      features: {
        'standard:connect': { version: '1.0.0', async connect() {
          const address = await call('connect');
          accounts = [Object.freeze({ address, publicKey: new Uint8Array(32), chains: [chainName], features: ['solana:signTransaction'] })];
          return { accounts };
        } },
        'standard:events': { version: '1.0.0', on() { return () => {}; } },
        'solana:signTransaction': { version: '1.0.0', supportedTransactionVersions: ['legacy', 0],
          async signTransaction(...inputs) {
            const out = [];
            for (const i of inputs) out.push({ signedTransaction: unb64(await call('signTransaction', b64(i.transaction))) });
            return out;
          } },
      },
    };
    const callback = ({ register }) => register(wallet);
    window.addEventListener('wallet-standard:app-ready', ({ detail }) => callback(detail));
    window.dispatchEvent(new CustomEvent('wallet-standard:register-wallet', { detail: callback }));
  }, chain);
  return { calls: state.calls, setReject: (v) => { state.reject = v; } };
}
