// The buyer's Solana wallet: a Wallet Standard wallet with standard:connect
// and solana:signTransaction, seen by the official @x402/svm scheme as a
// @solana/kit transaction partial signer.  The scheme builds the transfer
// (fee payer: the facilitator named in the offer); the wallet only adds
// the buyer's signature, and a wallet that changes the message is refused.
import { getWallets } from '@wallet-standard/app';
import { address as toAddress, getTransactionDecoder, getTransactionEncoder } from '@solana/kit';
import { ExactSvmScheme } from '@x402/svm/exact/client';
import { WalletError } from './errors.js';

// CAIP-2 network -> the Wallet Standard chain name.
const CHAINS = {
  'solana:5eykt4UsFv8P8NJdTREpY1vzqKqZKvdp': 'solana:mainnet',
  'solana:EtWTRABZaYq6iMfeYKouRu166VU2xqa1': 'solana:devnet',
  'solana:4uhcVJyU9pJkvQyS88uRDiswHXSCkY3z': 'solana:testnet',
};

// Wallets register as soon as this module loads (app-ready handshake).
const registry = typeof window !== 'undefined' ? getWallets() : null;

function walletError(e, doing) {
  const m = e?.message || String(e);
  if (e?.code === 4001 || /reject|denied|declined|cancel/i.test(m))
    return new WalletError('rejected', `You refused to ${doing} in your wallet.`);
  return new WalletError('wallet_failed', `Your wallet could not ${doing}: ${m}`);
}

const same = (a, b) => a.length === b.length && a.every((x, i) => x === b[i]);

/**
 * Connect a Wallet Standard wallet for network (CAIP-2).  rpcUrl: the
 * public RPC the scheme reads the mint and a blockhash from (its own
 * default per cluster when empty).  Returns { address, scheme, wallet }.
 */
export async function connectSvm(network, rpcUrl, onSignRequest) {
  const chain = CHAINS[network];
  const wallets = (registry?.get() ?? []).filter((w) => w.features['standard:connect']
    && w.features['solana:signTransaction'] && (!chain || w.chains.includes(chain)));
  if (wallets.length === 0)
    throw new WalletError('no_wallet', `No Solana wallet for ${chain || network} found.  Install a wallet that supports the Wallet Standard (Phantom, Solflare) and reload the page.`);
  const w = wallets[0];
  let accounts;
  try { ({ accounts } = await w.features['standard:connect'].connect()); } catch (e) { throw walletError(e, 'connect'); }
  const account = accounts?.find((a) => !chain || a.chains.includes(chain)) ?? accounts?.[0];
  if (!account) throw new WalletError('no_account', 'Your wallet gave no account: unlock it and try again.');
  const signer = {
    address: toAddress(account.address),
    async signTransactions(txs) {
      onSignRequest?.();
      const out = [];
      for (const tx of txs) {
        const bytes = new Uint8Array(getTransactionEncoder().encode(tx));
        let res;
        try {
          [res] = await w.features['solana:signTransaction'].signTransaction({ account, transaction: bytes, chain });
        } catch (e) { throw walletError(e, 'sign the payment'); }
        const signed = getTransactionDecoder().decode(res.signedTransaction);
        if (!same([...signed.messageBytes], [...tx.messageBytes]))
          throw new WalletError('wallet_failed', 'Your wallet changed the payment transaction instead of only signing it; nothing was sent.');
        const sig = signed.signatures[account.address];
        if (!sig) throw new WalletError('wallet_failed', 'Your wallet returned the transaction without its signature; nothing was sent.');
        out.push(Object.freeze({ [account.address]: sig }));
      }
      return out;
    },
  };
  return { address: account.address, scheme: new ExactSvmScheme(signer, rpcUrl ? { rpcUrl } : undefined), wallet: w.name };
}
