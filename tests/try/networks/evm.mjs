// make try on EVM: anvil as chain 84532 (base-sepolia), the EIP-3009 test
// token, the facilitator on the official @x402/core + @x402/evm packages,
// all from tests/lib (the same world the paid test suites use).  The
// driver (../try.mjs) sees only the "world" returned by start(); see
// ../README.md for its shape.
import { getAddress, parseAbi, parseEventLogs } from 'viem';
import { startChain, rpcCall, KEYS } from '../../lib/chain.mjs';
import { startFacilitator } from '../../lib/facilitator.mjs';
import { makeClient } from '../../lib/pay.mjs';

// The one event the driver reads, written here rather than taken from the
// token's build so a wrong contract cannot agree with itself.
const ERC20 = parseAbi(['event Transfer(address indexed from, address indexed to, uint256 value)']);

export async function start() {
  const chain = await startChain();
  let fac;
  try { fac = await startFacilitator({ rpc: chain.rpc }); } catch (e) { await chain.stop(); throw e; }
  const version = await rpcCall(chain.rpc, 'web3_clientVersion').catch(() => 'anvil');
  const token = getAddress(chain.token);
  const transfers = (logs) => parseEventLogs({ abi: ERC20, logs, eventName: 'Transfer' })
    .filter((l) => l.address.toLowerCase() === token.toLowerCase())
    .map((l) => ({ from: l.args.from, to: l.args.to, amount: l.args.value }));
  return {
    network: chain.network,				// what the server offers (CAIP-2)
    networkNote: `base-sepolia's chain id ${chain.chainId}, on the local anvil`,
    unit: { symbol: 'USDC', decimals: 6 },
    assetNote: 'TestUSDC "USD Coin" version 2, EIP-3009',
    payer: { address: chain.accounts.payer.address, note: 'anvil account #1, a public test key; 1000 USDC minted' },
    payTo: { address: chain.accounts.payTo.address, note: 'anvil account #2, the seller' },
    stack: [
      ['chain', `${version.replace('/', ' ')}, chain id ${chain.chainId}, RPC ${chain.rpc}`],
      ['token', `${token}  (TestUSDC "USD Coin" v2, 6 decimals, EIP-3009)`],
      ['facilitator', `${fac.url}  (official @x402/core + @x402/evm; pays gas from ${fac.signer})`],
    ],
    // The synthforge configuration for this network (keys of etc/synthforge.conf).
    serverConf: {
      NETWORKS: 'base-sepolia', ASSET: token, ASSET_NAME: 'USD Coin', ASSET_VERSION: '2',
      PAY_TO: chain.accounts.payTo.address, FACILITATOR_URL: fac.url, RPC_URL: chain.rpc,
    },
    client: () => makeClient(KEYS.payer),
    signedWith: 'EIP-3009 transferWithAuthorization, EIP-712 signature (no gas, no transaction by the payer)',
    /** The signed authorization of a decoded PAYMENT-SIGNATURE, in common terms. */
    authorization(payment) {
      const a = payment.payload.authorization;
      return { payer: a.from, payTo: a.to, amount: BigInt(a.value), validAfter: Number(a.validAfter),
        validBefore: Number(a.validBefore), nonce: a.nonce, signature: payment.payload.signature };
    },
    balanceOf: (address) => chain.balanceOf(address),
    /** One transaction: its block, status, who sent it, and the token transfers in it. */
    async transaction(hash) {
      const r = await chain.pub.getTransactionReceipt({ hash });
      return { hash, block: r.blockNumber, status: r.status, sender: r.from, fee: `${r.gasUsed} gas`, transfers: transfers(r.logs) };
    },
    /** Every token transfer from an address since the chain started. */
    async transfersFrom(address) {
      const logs = await chain.pub.getLogs({ address: token, event: ERC20[0], args: { from: address }, fromBlock: 0n, toBlock: 'latest' });
      return transfers(logs);
    },
    summary: { rpc: chain.rpc, chainId: chain.chainId, asset: token, facilitator: fac.url },
    async stop() { await fac.stop(); await chain.stop(); },
  };
}
