// Paying on Solana in tests, with the official packages:
//   svmPay(url, opts)        fetch through @x402/fetch + @x402/svm's
//                            ExactSvmScheme (the official client)
//   svmTransfer(chain, o)    a transaction of our own making (for tampered
//                            cases): compute budget, TransferChecked,
//                            memo, whatever `o` changes; signed by the
//                            payer with @solana/kit, fee payer slot empty
//   svmHeader(accepted, tx[, resource])  the PAYMENT-SIGNATURE header carrying tx
import { wrapFetchWithPayment, x402Client, decodePaymentResponseHeader } from '@x402/fetch';
import { ExactSvmScheme } from '@x402/svm/exact/client';
import {
  pipe, createTransactionMessage, setTransactionMessageFeePayer, setTransactionMessageLifetimeUsingBlockhash,
  appendTransactionMessageInstructions, partiallySignTransactionMessageWithSigners, getBase64EncodedWireTransaction,
  AccountRole,
} from '@solana/kit';
import { getTransferCheckedInstruction, TOKEN_PROGRAM_ADDRESS } from '@solana-program/token';

export const COMPUTE_BUDGET = 'ComputeBudget111111111111111111111111111111';
export const MEMO = 'MemoSq4gqABAXKb96qnH8TysNcWxMyWCqXgDLGmfcHr';

export function svmClient(chain, signer = chain.keys.payer) {
  // registerExactSvmScheme cannot take an RPC URL: the scheme is built here.
  return new x402Client().register('solana:*', new ExactSvmScheme(signer, { rpcUrl: chain.rpc }))
    .setSpendControls({ allowedAssets: [{ network: chain.network, asset: chain.mint, maxAmountPerPayment: '100000000' }] });
}

/** Pay url on Solana.  { status, headers, paymentResponse, body, text, sent } */
export async function svmPay(chain, url, { signer, method = 'POST', body, headers = {} } = {}) {
  const sent = [];
  const recording = async (input, init) => { const r = new Request(input, init); sent.push(Object.fromEntries(r.headers)); return fetch(r); };
  const f = wrapFetchWithPayment(recording, svmClient(chain, signer));
  const res = await f(url, { method, headers: { 'content-type': 'application/json', ...headers }, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  let json = null;
  try { json = JSON.parse(text); } catch { /* not JSON */ }
  const pr = res.headers.get('PAYMENT-RESPONSE');
  let paymentResponse = null;
  try { paymentResponse = pr ? decodePaymentResponseHeader(pr) : null; } catch { /* bad header */ }
  return { status: res.status, headers: Object.fromEntries(res.headers), paymentResponse, body: json, text, sent };
}

const u32 = (n) => { const b = Buffer.alloc(4); b.writeUInt32LE(n); return b; };
const u64 = (n) => { const b = Buffer.alloc(8); b.writeBigUInt64LE(BigInt(n)); return b; };

/**
 * A payment transaction as the official client builds it, each part
 * overridable: amount, decimals, mint, destination, source, authority
 * (a signer), program, cuPrice, extra (more instructions), memo.
 */
export async function svmTransfer(chain, accepted, o = {}) {
  const payer = o.authority ?? chain.keys.payer;
  const program = o.program ?? TOKEN_PROGRAM_ADDRESS;
  const mint = o.mint ?? accepted.asset;
  const ixs = [
    { programAddress: COMPUTE_BUDGET, accounts: [], data: new Uint8Array([2, ...u32(20000)]) },
    { programAddress: COMPUTE_BUDGET, accounts: [], data: new Uint8Array([3, ...u64(o.cuPrice ?? 1)]) },
    getTransferCheckedInstruction({
      source: o.source ?? await chain.ata(payer.address), mint,
      destination: o.destination ?? await chain.ata(accepted.payTo), authority: payer,
      amount: BigInt(o.amount ?? accepted.amount), decimals: o.decimals ?? chain.decimals,
    }, { programAddress: program }),
    { programAddress: MEMO, accounts: [], data: new TextEncoder().encode(o.memo ?? Math.random().toString(16).slice(2).padEnd(32, '0')) },
    ...(o.extra ?? []),
  ];
  const msg = pipe(createTransactionMessage({ version: 0 }),
    (m) => setTransactionMessageFeePayer(o.feePayer ?? accepted.extra.feePayer, m),
    (m) => setTransactionMessageLifetimeUsingBlockhash({ blockhash: chain.blockhash(), lastValidBlockHeight: 1000000n }, m),
    (m) => appendTransactionMessageInstructions(ixs, m));
  return getBase64EncodedWireTransaction(await partiallySignTransactionMessageWithSigners(msg));
}

/** A memo instruction that names the fee payer as an account (writable). */
export const memoWith = (address) => ({ programAddress: MEMO, accounts: [{ address, role: AccountRole.READONLY }], data: new TextEncoder().encode('x') });

// resource: the 402's, echoed as clients do; none by default (it is
// optional, and one naming another endpoint is refused).
export function svmHeader(accepted, transaction, resource = undefined) {
  return Buffer.from(JSON.stringify({ x402Version: 2, payload: { transaction }, resource, accepted })).toString('base64');
}
