// Contract wallets on the test chain (issue 26), as ../../shared/x402lab-
// smartwallet does it: MiniWallet (one owner EOA, ERC-1271 over a replay-safe
// hash, like Coinbase Smart Wallet) and its CREATE2 factory, on a chain from
// startChain() (TestUSDC checks ERC-1271 like USDC v2.2; Multicall3 is at
// 0xcA11…CA11).  And payments signed with viem in every shape the lab
// captured.
//
//   const ws = await setupWallets(chain)
//     ws.factory       allow-listed factory     ws.factory2   never allow-listed
//     ws.owner         the owner EOA (anvil #6, no ETH or tokens needed)
//     ws.wallets       { deployed, cf, cfBad, cfOther, poor }: { address,
//                      factory, salt } -- deployed and poor have code; poor
//                      holds 5000 atomic units, the others 100 USDC each
//     ws.wallet({ salt, factory, deploy, fund })   one more wallet
//   const p = await walletPayment(chain, ws, requirements, { wallet, shape })
//     shape: 'sig65' (owner's 65-byte signature over the replay-safe hash),
//     'wrapped' (abi.encode(uint256 0, bytes sig65)), '6492' (ERC-6492
//     wrapper around 'wrapped': factory.createAccount(owner, salt)),
//     'raw-digest' (owner signed the bare EIP-3009 digest), 'garbage-6492'
//     (a valid wrapper around 65 bytes of 0xab); signer: another account;
//     authorization overrides: value, validAfter, validBefore, nonce.
//     Returns a v2 PaymentPayload with .meta { digest, sig65 } (not sent).
import crypto from 'node:crypto';
import { encodeAbiParameters, encodeFunctionData, getAddress, hashTypedData, serializeErc6492Signature } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import { ACCOUNTS, compileContracts } from './chain.mjs';

// anvil #6 (mnemonic "test test ... junk"): a public test key.
export const OWNER_KEY = '0x92db14e403b83dfe3df233f83dfa3a0d7096f21ca9b0d6d6b8d88b2b4ec1564e';
export const FUND = 100_000_000n;

const authTypes = { TransferWithAuthorization: [
  { name: 'from', type: 'address' }, { name: 'to', type: 'address' }, { name: 'value', type: 'uint256' },
  { name: 'validAfter', type: 'uint256' }, { name: 'validBefore', type: 'uint256' }, { name: 'nonce', type: 'bytes32' }] };

export async function setupWallets(chain) {
  const { MiniWalletFactory: F } = await compileContracts();
  const w = chain.wallet(ACCOUNTS.deployer);
  const wait = (hash) => chain.pub.waitForTransactionReceipt({ hash, pollingInterval: 50 });
  const deploy = async () => (await wait(await w.deployContract({ abi: F.abi, bytecode: F.bytecode }))).contractAddress;
  const factory = await deploy(), factory2 = await deploy();
  const owner = privateKeyToAccount(OWNER_KEY);

  async function wallet({ salt, factory: f = factory, deploy: dep = false, fund = FUND } = {}) {
    const address = await chain.pub.readContract({ address: f, abi: F.abi, functionName: 'getAddress', args: [owner.address, BigInt(salt)] });
    if (dep) await wait(await w.writeContract({ address: f, abi: F.abi, functionName: 'createAccount', args: [owner.address, BigInt(salt)] }));
    if (fund > 0n) await wait(await w.writeContract({ address: chain.token, abi: chain.abi, functionName: 'mint', args: [address, fund] }));
    return { address: getAddress(address), factory: f, salt: BigInt(salt) };
  }
  const wallets = {
    deployed: await wallet({ salt: 0, deploy: true }),
    cf: await wallet({ salt: 1 }),
    cfBad: await wallet({ salt: 2 }),
    cfOther: await wallet({ salt: 0, factory: factory2 }),
    poor: await wallet({ salt: 3, deploy: true, fund: 5000n }),
  };
  const code = async (a) => (await chain.pub.getCode({ address: a })) ?? '0x';
  return { factory, factory2, owner, wallets, wallet, factoryAbi: F.abi, code,
    createAccountData: (salt, o = owner.address) => encodeFunctionData({ abi: F.abi, functionName: 'createAccount', args: [o, BigInt(salt)] }) };
}

/** The authorization for `from`, its EIP-3009 digest and the owner's signature over the wallet's replay-safe hash. */
export async function ownerSign(chain, requirements, from, { signer, value, validAfter, validBefore, nonce } = {}) {
  const now = Math.floor(Date.now() / 1000);
  const message = { from: getAddress(from), to: getAddress(requirements.payTo), value: BigInt(value ?? requirements.amount),
    validAfter: BigInt(validAfter ?? now - 600), validBefore: BigInt(validBefore ?? now + requirements.maxTimeoutSeconds),
    nonce: nonce ?? `0x${crypto.randomBytes(32).toString('hex')}` };
  const domain = { name: requirements.extra.name, version: requirements.extra.version, chainId: chain.chainId,
    verifyingContract: getAddress(requirements.asset) };
  const digest = hashTypedData({ domain, types: authTypes, primaryType: 'TransferWithAuthorization', message });
  const sig65 = await signer.signTypedData({
    domain: { name: 'MiniWallet', version: '1', chainId: chain.chainId, verifyingContract: getAddress(from) },
    types: { MiniWalletMessage: [{ name: 'hash', type: 'bytes32' }] }, primaryType: 'MiniWalletMessage', message: { hash: digest } });
  const authorization = Object.fromEntries(Object.entries(message).map(([k, v]) => [k, typeof v === 'bigint' ? v.toString() : v]));
  return { authorization, digest, sig65 };
}

export const wrapOwner = (sig65) => encodeAbiParameters([{ type: 'uint256' }, { type: 'bytes' }], [0n, sig65]);

export async function walletPayment(chain, ws, requirements, { wallet, shape = 'wrapped', signer = ws.owner, ...auth } = {}) {
  const s = await ownerSign(chain, requirements, wallet.address, { signer, ...auth });
  const wrap6492 = (inner) => serializeErc6492Signature({ address: wallet.factory, data: ws.createAccountData(wallet.salt), signature: inner });
  const signature = {
    sig65: () => s.sig65,
    wrapped: () => wrapOwner(s.sig65),
    6492: () => wrap6492(wrapOwner(s.sig65)),
    'raw-digest': () => signer.sign({ hash: s.digest }),
    'garbage-6492': () => wrap6492(wrapOwner(`0x${'ab'.repeat(65)}`)),
  }[shape];
  if (!signature) throw new Error(`walletPayment: unknown shape ${shape}`);
  const payload = { x402Version: 2, resource: { url: 'http://127.0.0.1/test', description: 'test', mimeType: 'application/json' },
    accepted: requirements, payload: { authorization: s.authorization, signature: await signature() } };
  Object.defineProperty(payload, 'meta', { value: { digest: s.digest, sig65: s.sig65 }, enumerable: false });
  return payload;
}
