// The buyer's EVM wallet: an EIP-1193 provider (announced by EIP-6963, or
// window.ethereum), connected and switched to the offer's chain, signing
// the official @x402/evm scheme's EIP-712 TransferWithAuthorization
// through viem (eth_signTypedData_v4).  Nothing here builds or checks a
// payment: the scheme does.
import { createWalletClient, custom } from 'viem';
import { ExactEvmScheme } from '@x402/evm/exact/client';
import { WalletError } from './errors.js';

// EIP-6963: wallets announce themselves when asked.
const announced = [];
if (typeof window !== 'undefined') {
  window.addEventListener('eip6963:announceProvider', (e) => {
    if (e.detail?.provider && !announced.some((a) => a.provider === e.detail.provider)) announced.push(e.detail);
  });
}

async function findProvider() {
  window.dispatchEvent(new Event('eip6963:requestProvider'));
  // Announcements are synchronous answers to the request; give slow ones a tick.
  await new Promise((r) => setTimeout(r, 50));
  if (announced.length > 0) return { provider: announced[0].provider, name: announced[0].info?.name || 'wallet' };
  if (window.ethereum?.request) return { provider: window.ethereum, name: 'wallet' };
  return null;
}

// EIP-1193 errors in words (4001: the user said no).
function walletError(e, doing) {
  const code = e?.code ?? e?.cause?.code;
  if (code === 4001 || code === 'ACTION_REJECTED')
    return new WalletError('rejected', `You refused to ${doing} in your wallet.`);
  if (code === 4902)
    return new WalletError('unknown_chain', `Your wallet does not know this network: add it to the wallet and try again.`);
  if (code === -32002)
    return new WalletError('busy', 'Your wallet is already showing a request: answer it there first.');
  return new WalletError('wallet_failed', `Your wallet could not ${doing}: ${e?.shortMessage || e?.message || String(e)}`);
}

/**
 * Connect an EIP-1193 wallet on chainId.  Returns { address, scheme,
 * wallet } where scheme is the official ExactEvmScheme over the wallet.
 * Throws WalletError.
 */
export async function connectEvm(chainId, onSignRequest) {
  const found = await findProvider();
  if (!found)
    throw new WalletError('no_wallet', 'No browser wallet found.  Install a wallet that speaks EIP-1193 (MetaMask, Coinbase Wallet, Rabby) and reload the page.');
  const { provider } = found;
  let accounts;
  try { accounts = await provider.request({ method: 'eth_requestAccounts' }); } catch (e) { throw walletError(e, 'connect'); }
  const address = accounts?.[0];
  if (!address) throw new WalletError('no_account', 'Your wallet gave no account: unlock it and try again.');
  let current;
  try { current = Number.parseInt(await provider.request({ method: 'eth_chainId' }), 16); } catch (e) { throw walletError(e, 'tell its network'); }
  if (current !== chainId) {
    try {
      await provider.request({ method: 'wallet_switchEthereumChain', params: [{ chainId: `0x${chainId.toString(16)}` }] });
    } catch (e) { throw walletError(e, `switch to chain ${chainId}`); }
  }
  const wallet = createWalletClient({ account: address, transport: custom(provider) });
  const signer = {
    address,
    async signTypedData(message) {
      onSignRequest?.();
      try { return await wallet.signTypedData({ account: address, ...message }); } catch (e) { throw walletError(e, 'sign the payment'); }
    },
  };
  return { address, scheme: new ExactEvmScheme(signer), wallet: found.name };
}
