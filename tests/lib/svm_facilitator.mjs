// Local x402 facilitator for Solana tests: the official @x402/core
// x402Facilitator with @x402/svm's exact scheme, co-signing as fee payer and
// settling on the LiteSVM chain of svm_chain.mjs (as
// ../../shared/x402lab-svm/facilitator.mjs).  Every call is recorded in
// state.calls; mode 'down' drops every connection, 'settle-down' only
// those to /settle (a settlement whose answer never comes).  One-shot
// faults for the next /settle calls, consumed in order (then the mode
// applies): setSettleFaults(['500']) answers HTTP 500 {success:false,
// errorReason:'unexpected_settle_error'} with nothing settled (a transient
// failure the seller retries).
import http from 'node:http';
import { x402Facilitator } from '@x402/core/facilitator';
import { toFacilitatorSvmSigner } from '@x402/svm';
import { registerExactSvmScheme } from '@x402/svm/exact/facilitator';
import { DEVNET } from './svm_chain.mjs';

/** { url, feePayer, state:{calls, mode}, setMode(m), setSettleFaults(list), stop() } */
export async function startSvmFacilitator({ chain, network = DEVNET, port = 0 }) {
  const signer = toFacilitatorSvmSigner(chain.keys.facilitator, { defaultRpcUrl: chain.rpc });
  const facilitator = registerExactSvmScheme(new x402Facilitator(), { signer, networks: network });
  const state = { mode: 'ok', calls: [], settleFaults: [] };
  const send = (res, status, obj) => res.writeHead(status, { 'content-type': 'application/json' })
    .end(JSON.stringify(obj, (_, v) => (typeof v === 'bigint' ? v.toString() : v)));
  const server = http.createServer((req, res) => {
    if (state.mode === 'down' || (state.mode === 'settle-down' && req.url === '/settle')) return req.socket.destroy();
    let body = '';
    req.on('data', (c) => { body += c; });
    req.on('end', async () => {
      const op = { '/verify': 'verify', '/settle': 'settle' }[req.url];
      state.calls.push({ method: req.method, path: req.url, body });
      if (req.method === 'GET' && req.url === '/supported') return send(res, 200, facilitator.getSupported());
      if (req.method !== 'POST' || !op) return send(res, 404, { error: 'not found' });
      let parsed;
      try { parsed = JSON.parse(body); } catch { return send(res, 400, { error: 'bad json' }); }
      const { paymentPayload, paymentRequirements } = parsed ?? {};
      if (!paymentPayload || !paymentRequirements) return send(res, 400, { error: 'missing paymentPayload/paymentRequirements' });
      if (op === 'settle' && state.settleFaults.length) {
        const fault = state.settleFaults.shift();
        if (fault !== '500') throw new Error(`unknown fault ${fault}`);
        return send(res, 500, { success: false, errorReason: 'unexpected_settle_error', errorMessage: 'forced by test',
          transaction: '', network: paymentRequirements.network });
      }
      try { send(res, 200, await facilitator[op](paymentPayload, paymentRequirements)); } catch (e) {
        send(res, 500, op === 'verify' ? { isValid: false, invalidReason: 'unexpected_verify_error', invalidMessage: String(e?.message ?? e) }
          : { success: false, errorReason: 'unexpected_settle_error', errorMessage: String(e?.message ?? e), transaction: '', network: paymentRequirements.network });
      }
    });
  });
  await new Promise((resolve, reject) => { server.once('error', reject); server.listen(port, '127.0.0.1', resolve); });
  return {
    url: `http://127.0.0.1:${server.address().port}`, feePayer: chain.keys.facilitator.address, state,
    setMode(m) { state.mode = m; },
    setSettleFaults(list) { state.settleFaults = [...list]; },
    calls: (path) => state.calls.filter((c) => c.path === path).length,
    stop: () => new Promise((r) => { server.closeAllConnections?.(); server.close(() => r()); }),
  };
}
