// make try on Solana: LiteSVM (the real SPL Token and Associated-Token
// programs) behind a local JSON-RPC posing as devnet, the devnet-USDC mint
// address with a local authority, the facilitator on the official
// @x402/core + @x402/svm packages co-signing as fee payer, and @x402/svm's
// client, all from tests/lib (the world the Solana suite uses).  The
// driver (../try.mjs) sees only the "world" returned by start().
import { startSvmChain } from '../../lib/svm_chain.mjs';
import { startSvmFacilitator } from '../../lib/svm_facilitator.mjs';
import { svmClient } from '../../lib/svm_pay.mjs';

export async function start() {
  const chain = await startSvmChain();
  let fac;
  try { fac = await startSvmFacilitator({ chain }); } catch (e) { await chain.stop(); throw e; }
  const k = chain.keys;
  return {
    network: chain.network,
    networkNote: 'solana-devnet\'s CAIP-2 id, on a local LiteSVM',
    unit: { symbol: 'USDC', decimals: chain.decimals },
    assetNote: 'an SPL token at the devnet-USDC mint address, 6 decimals, local mint authority',
    payer: { address: k.payer.address, note: 'a deterministic test key; 1000 USDC in its associated token account' },
    payTo: { address: k.payTo.address, note: 'the seller; its associated token account exists' },
    stack: [
      ['chain', `LiteSVM (SPL Token, Token-2022, Associated-Token, Memo), JSON-RPC ${chain.rpc}`],
      ['token', `${chain.mint}  (SPL token, 6 decimals)`],
      ['facilitator', `${fac.url}  (official @x402/core + @x402/svm; fee payer ${fac.feePayer})`],
    ],
    serverConf: {
      NETWORKS: 'solana-devnet', PAY_TO_SOLANA_DEVNET: k.payTo.address, ASSET_SOLANA_DEVNET: chain.mint,
      FACILITATOR_URL_SOLANA_DEVNET: fac.url, RPC_URL_SOLANA_DEVNET: chain.rpc,
    },
    client: () => svmClient(chain),
    signedWith: 'a Solana transaction (compute budget, SPL TransferChecked, memo) partially signed: the fee payer\'s slot is left to the facilitator',
    offerRows: (accepted) => [['feePayer', `${accepted.extra?.feePayer}  (the facilitator's signer, from its /supported)`]],
    authorization(payment) {
      const a = payment.accepted;
      const tx = Buffer.from(payment.payload.transaction, 'base64');
      return { payer: k.payer.address, payTo: a.payTo, amount: BigInt(a.amount),
        rows: [['transaction', `${tx.length} bytes, ${tx[0]} signature slots (slot 0 empty: the fee payer's)`]] };
    },
    balanceOf: (address) => chain.tokenBalance(address),
    async transaction(signature) {
      const t = chain.transaction(signature);
      if (!t) return { hash: signature, block: '-', blockLabel: 'slot', status: 'not found', sender: '-', fee: '-', transfers: [] };
      return { hash: signature, block: t.slot, blockLabel: 'slot', status: t.err ? 'failed' : 'success', sender: t.feePayer,
        fee: `${t.fee} lamports`, transfers: t.transfers };
    },
    transfersFrom: async (address) => chain.transfersFrom(address),
    summary: { rpc: chain.rpc, asset: chain.mint, facilitator: fac.url, feePayer: fac.feePayer },
    async stop() { await fac.stop(); await chain.stop(); },
  };
}
