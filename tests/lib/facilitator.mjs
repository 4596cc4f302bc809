// Local x402 facilitator for tests: the official @x402/core x402Facilitator
// with the @x402/evm exact scheme, settling on the test anvil (gas paid by
// anvil #3), as ../../shared/x402lab/facilitator.mjs.  Fault switch:
//   mode 'ok'       normal
//   mode 'slow'     process normally, answer after `delayMs` (settle lands,
//                   the client times out: the "unknown" case)
//   mode 'down'     drop the connection without an answer
//   mode 'fail'     HTTP 200 {success:false|isValid:false}, nothing settled
//   mode 'error'    HTTP 500 {success:false, errorReason:'unexpected_settle_error'}
//   mode 'redirect' 308 to the same path (?r=1) once, to test re-POSTing
// One-shot faults for the next /settle calls, consumed in order (then the
// mode applies): setSettleFaults(['500', 'pending', 'balance']) where
//   '500'      HTTP 500 {success:false, errorReason:'unexpected_settle_error'}
//   'pending'  HTTP 200 {success:false, errorReason:'settlement_pending'}
//   'balance'  HTTP 200 {success:false, errorReason:'invalid_exact_evm_insufficient_balance'}
// nothing settled in each case; and
//   'hold:N'   hold this /settle N ms, then settle it whether or not the
//              caller is still there (a crash test kills the caller while
//              the transfer is in the facilitator's hands), answering if
//              it is; state.held counts those begun, state.heldDone those
//              carried out, state.heldResults their answers.
// state.settles counts /settle calls.
// In-process: startFacilitator({rpc}).  As a child: startFacilitatorChild({rpc})
// or `RPC_URL=... PORT=... node lib/facilitator.mjs`.  eip6492AllowedFactories
// (default []: counterfactual contract wallets refused, as upstream) is the
// scheme's ERC-6492 factory allow-list (env FAC_6492_FACTORIES, comma list).
import { spawn } from 'node:child_process';
import http from 'node:http';
import { fileURLToPath } from 'node:url';
import express from 'express';
import { createWalletClient, defineChain, http as viemHttp, publicActions } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import { x402Facilitator } from '@x402/core/facilitator';
import { toFacilitatorEvmSigner } from '@x402/evm';
import { registerExactEvmScheme } from '@x402/evm/exact/facilitator';
import { KEYS, rpcCall, track } from './chain.mjs';

// delayMs, or less if the caller hangs up first.
const untilGone = (res, ms) => new Promise((r) => {
  const t = setTimeout(r, ms);
  res.once('close', () => { clearTimeout(t); r(); });
});

export async function createFacilitatorApp({ rpc, key = KEYS.facilitator, quiet = true, eip6492AllowedFactories = [] }) {
  const chainId = Number(await rpcCall(rpc, 'eth_chainId'));
  const chain = defineChain({ id: chainId, name: `anvil-${chainId}`,
    nativeCurrency: { name: 'Ether', symbol: 'ETH', decimals: 18 }, rpcUrls: { default: { http: [rpc] } } });
  const account = privateKeyToAccount(key);
  const vc = createWalletClient({ account, chain, transport: viemHttp(rpc) }).extend(publicActions);
  const signer = toFacilitatorEvmSigner({
    address: account.address,
    getCode: (a) => vc.getCode(a),
    readContract: (a) => vc.readContract({ ...a, args: a.args || [] }),
    verifyTypedData: (a) => vc.verifyTypedData(a),
    writeContract: (a) => vc.writeContract({ ...a, args: a.args || [] }),
    sendTransaction: (a) => vc.sendTransaction(a),
    waitForTransactionReceipt: (a) => vc.waitForTransactionReceipt({ ...a, pollingInterval: 50 }),
  }, { confirmationTimeoutMs: 30_000 });
  const facilitator = registerExactEvmScheme(new x402Facilitator(), { signer, networks: [`eip155:${chainId}`],
    eip6492AllowedFactories });

  const state = { mode: 'ok', delayMs: 3000, calls: [], settleFaults: [], settles: 0, held: 0, heldDone: 0, heldResults: [] };
  const faults = {
    500: [500, 'unexpected_settle_error'],
    pending: [200, 'settlement_pending'],
    balance: [200, 'invalid_exact_evm_insufficient_balance'],
  };
  const app = express();
  app.use(express.json({ limit: '1mb' }));
  app.use((req, res, next) => {
    state.calls.push({ method: req.method, path: req.path, query: req.query, body: req.body, at: Date.now() });
    if (state.mode === 'down') return req.socket.destroy();
    if (state.mode === 'redirect' && !req.query.r) return res.redirect(308, `${req.path}?r=1`);
    next();
  });
  app.get('/supported', (_req, res) => res.json(facilitator.getSupported()));
  for (const op of ['verify', 'settle']) {
    app.post(`/${op}`, async (req, res) => {
      const { paymentPayload, paymentRequirements } = req.body ?? {};
      if (!paymentPayload || !paymentRequirements) return res.status(400).json({ error: 'missing paymentPayload/paymentRequirements' });
      if (op === 'settle') state.settles++;
      if (op === 'settle' && /^hold:\d+$/.test(state.settleFaults[0] ?? '')) {
        const ms = Number(state.settleFaults.shift().slice(5));
        state.held++;
        await new Promise((r) => setTimeout(r, ms));
        let out;
        try { out = await facilitator.settle(paymentPayload, paymentRequirements); } catch (e) {
          out = { success: false, errorReason: 'unexpected_settle_error', errorMessage: String(e?.message ?? e), transaction: '', network: paymentRequirements.network };
        }
        state.heldDone++;
        state.heldResults.push(out);
        if (!res.socket?.destroyed) res.json(out);
        return;
      }
      if (op === 'settle' && state.settleFaults.length) {
        const [status, reason] = faults[state.settleFaults.shift()];
        return res.status(status).json({ success: false, errorReason: reason, errorMessage: 'forced by test',
          transaction: '', network: paymentRequirements.network });
      }
      if (state.mode === 'fail') {
        return res.json(op === 'verify' ? { isValid: false, invalidReason: 'invalid_exact_evm_test_failure', invalidMessage: 'forced by test' }
          : { success: false, errorReason: 'invalid_exact_evm_test_failure', errorMessage: 'forced by test', transaction: '', network: paymentRequirements.network });
      }
      if (state.mode === 'error') {
        return res.status(500).json({ success: false, errorReason: 'unexpected_settle_error', errorMessage: 'forced by test',
          transaction: '', network: paymentRequirements.network });
      }
      // 'stall': hold /settle (and /verify) for delayMs BEFORE acting, and
      // act only if the caller is still there (a crash test kills it).
      // It ends early when the caller hangs up; state.abandoned counts the
      // calls dropped that way, for tests to wait on.
      if (state.mode === 'stall') {
        await untilGone(res, state.delayMs);
        if (req.socket?.destroyed) { state.abandoned = (state.abandoned || 0) + 1; return; }
      }
      let out, status = 200;
      try { out = await facilitator[op](paymentPayload, paymentRequirements); } catch (e) {
        status = 500;
        out = op === 'verify' ? { isValid: false, invalidReason: 'unexpected_verify_error', invalidMessage: String(e?.message ?? e) }
          : { success: false, errorReason: 'unexpected_settle_error', errorMessage: String(e?.message ?? e), transaction: '', network: paymentRequirements.network };
      }
      if (!quiet) console.error(JSON.stringify({ op, out }));
      if (state.mode === 'slow') await untilGone(res, state.delayMs);
      if (!res.socket?.destroyed) res.status(status).json(out);
    });
  }
  return { app, state, signer: account.address, chainId };
}

/** In-process facilitator on a free port.  { url, port, state, setMode(mode, delayMs), stop() } */
export async function startFacilitator({ rpc, port = 0, key, quiet = true, eip6492AllowedFactories } = {}) {
  const { app, state, signer } = await createFacilitatorApp({ rpc, key, quiet, eip6492AllowedFactories });
  const server = http.createServer(app);
  await new Promise((resolve, reject) => { server.once('error', reject); server.listen(port, '127.0.0.1', resolve); });
  const p = server.address().port;
  return {
    url: `http://127.0.0.1:${p}`, port: p, state, signer,
    setMode(mode, delayMs) { state.mode = mode; if (delayMs !== undefined) state.delayMs = delayMs; },
    setSettleFaults(list) { state.settleFaults = [...list]; },
    stop: () => new Promise((r) => { server.closeAllConnections?.(); server.close(() => r()); }),
  };
}

/** The same as a child process (for tests where the facilitator must die hard). */
export async function startFacilitatorChild({ rpc, port = 0, mode = 'ok', delayMs = 3000, eip6492AllowedFactories = [] } = {}) {
  const child = track(spawn(process.execPath, [fileURLToPath(import.meta.url)], {
    env: { ...process.env, RPC_URL: rpc, PORT: String(port), FAC_MODE: mode, FAC_DELAY_MS: String(delayMs),
      FAC_6492_FACTORIES: eip6492AllowedFactories.join(',') },
    stdio: ['ignore', 'pipe', 'inherit'] }));
  const url = await new Promise((resolve, reject) => {
    let buf = '';
    child.stdout.on('data', (d) => { buf += d; const m = buf.match(/^listening (\d+)$/m); if (m) resolve(`http://127.0.0.1:${m[1]}`); });
    child.once('exit', (code) => reject(new Error(`facilitator exited ${code}`)));
    setTimeout(() => reject(new Error('facilitator start timeout')), 15000).unref();
  });
  return {
    url, port: Number(new URL(url).port), child,
    stop: () => new Promise((r) => { if (child.exitCode !== null) return r(); child.once('exit', () => r()); child.kill('SIGTERM'); }),
  };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const f = await startFacilitator({ rpc: process.env.RPC_URL || 'http://127.0.0.1:8545', port: +(process.env.PORT || 0), quiet: !!process.env.QUIET,
    eip6492AllowedFactories: (process.env.FAC_6492_FACTORIES || '').split(',').filter(Boolean) });
  f.setMode(process.env.FAC_MODE || 'ok', +(process.env.FAC_DELAY_MS || 3000));
  console.log(`listening ${f.port}`);
  for (const sig of ['SIGINT', 'SIGTERM']) process.once(sig, async () => { await f.stop(); process.exit(0); });
}
