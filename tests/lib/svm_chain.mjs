// Local Solana chain for tests: LiteSVM (the real SPL Token, Token-2022,
// Associated-Token and Memo programs) behind a small Solana JSON-RPC server
// on a free port, adapted from ../../shared/x402lab-svm/rpc.mjs.  At start:
// a 6-decimal mint (the devnet-USDC address unless `mint` is given), ATAs
// for payer, payTo and a stranger (the real ATA program), tokens for the
// payer and the stranger, SOL for the fee payer.  Keys are deterministic.
//   const c = await startSvmChain();  c.rpc, c.keys, c.mint, c.ata(owner),
//   c.tokenBalance(owner), c.stop()
// Deviation kept from the lab: sendTransaction fails at once for a
// transaction a cluster would drop (bad signature, replay), instead of
// returning a signature that never confirms.
import http from 'node:http';
import { createHash } from 'node:crypto';
import { LiteSVM } from 'litesvm';
import {
  getBase58Decoder, getBase58Encoder, getTransactionEncoder, getTransactionDecoder, getCompiledTransactionMessageDecoder,
  createKeyPairSignerFromPrivateKeyBytes, pipe,
  createTransactionMessage, setTransactionMessageFeePayerSigner, setTransactionMessageLifetimeUsingBlockhash,
  appendTransactionMessageInstructions, signTransactionMessageWithSigners,
} from '@solana/kit';
import {
  TOKEN_PROGRAM_ADDRESS, getMintEncoder, getMintDecoder, getTokenDecoder, findAssociatedTokenPda,
  getCreateAssociatedTokenIdempotentInstructionAsync, getMintToCheckedInstruction,
} from '@solana-program/token';

export const DEVNET = 'solana:EtWTRABZaYq6iMfeYKouRu166VU2xqa1';
export const DEVNET_USDC = '4zMMC9srt5Ri5X14GAgXhaHii3GnPAEERYPJgZJDncDU';
export const DECIMALS = 6;

const seed = (label) => createHash('sha256').update(`synthforge-svm-test:${label}`).digest();
export const signerFor = (label) => createKeyPairSignerFromPrivateKeyBytes(new Uint8Array(seed(label)));
export async function svmKeys() {
  const out = {};
  for (const k of ['payer', 'payTo', 'facilitator', 'mintAuthority', 'stranger', 'poor']) out[k] = await signerFor(k);
  return out;
}

const b58 = { enc: getBase58Encoder(), dec: getBase58Decoder() };
// litesvm's error enums are TS const enums (absent at runtime): the names, in order.
const TX_ERR = 'AccountInUse AccountLoadedTwice AccountNotFound ProgramAccountNotFound InsufficientFundsForFee InvalidAccountForFee AlreadyProcessed BlockhashNotFound CallChainTooDeep MissingSignatureForFee InvalidAccountIndex SignatureFailure InvalidProgramForExecution SanitizeFailure ClusterMaintenance AccountBorrowOutstanding WouldExceedMaxBlockCostLimit UnsupportedVersion InvalidWritableAccount'.split(' ');
const IX_ERR = 'GenericError InvalidArgument InvalidInstructionData InvalidAccountData AccountDataTooSmall InsufficientFunds IncorrectProgramId MissingRequiredSignature AccountAlreadyInitialized UninitializedAccount UnbalancedInstruction ModifiedProgramId ExternalAccountLamportSpend ExternalAccountDataModified ReadonlyLamportChange ReadonlyDataModified DuplicateAccountIndex ExecutableModified RentEpochModified NotEnoughAccountKeys AccountDataSizeChanged AccountNotExecutable AccountBorrowFailed AccountBorrowOutstanding DuplicateAccountOutOfSync'.split(' ');
function txErr(e) {
  if (typeof e === 'number') return TX_ERR[e] ?? `Unknown(${e})`;
  if (e && typeof e.err === 'function' && 'index' in e) {
    const ie = e.err();
    return { InstructionError: [e.index, typeof ie === 'number' ? (IX_ERR[ie] ?? `Unknown(${ie})`) : ('code' in ie ? { Custom: ie.code } : 'BorshIoError')] };
  }
  return String(e);
}
const lands = (err) => typeof err === 'object' && err !== null && 'InstructionError' in err;
class RpcError extends Error { constructor(code, message) { super(message); this.code = code; } }

export async function startSvmChain({ mint = DEVNET_USDC, port = 0, quiet = true } = {}) {
  const svm = new LiteSVM();
  const inner = svm.inner;			// takes wire bytes: no kit version coupling
  const statuses = new Map();
  const counts = { sendTransaction: 0, landed: 0 };
  const slot = () => Number(svm.getClock().slot);
  const ctx = () => ({ slot: slot(), apiVersion: '2.2.0' });
  const keys = await svmKeys();
  const ata = async (owner, tokenProgram = TOKEN_PROGRAM_ADDRESS) => (await findAssociatedTokenPda({ mint, owner, tokenProgram }))[0];
  const firstSig = (bytes) => { let i = 0, b; do { b = bytes[i++]; } while (b & 0x80); return b58.dec.decode(bytes.slice(i, i + 64)); };
  const failed = (r) => typeof r?.err === 'function';

  // Every landed transaction, with the token transfers in it (owner to owner).
  const landed = new Map();
  function transfersIn(bytes) {
    const msg = getCompiledTransactionMessageDecoder().decode(getTransactionDecoder().decode(bytes).messageBytes);
    const keys = msg.staticAccounts.map(String);
    const owner = (a) => { const acc = svm.getAccount(a); return acc.exists && acc.data.length >= 165 ? getTokenDecoder().decode(acc.data.slice(0, 165)).owner : a; };
    return { feePayer: keys[0], transfers: (msg.instructions ?? []).filter((ix) => ix.data?.[0] === 12 && ix.data.length === 10
      && ['TokenkegQfeZyiNwAJbNbGKPFXCWuBvf9Ss623VQ5DA', 'TokenzQdBNbLqP5VEhdkAS6EPFLC1PHnBqCXEpPxuEb'].includes(keys[ix.programAddressIndex]))
      .map((ix) => ({ from: keys[ix.accountIndices[3]], to: owner(keys[ix.accountIndices[2]]), amount: Buffer.from(ix.data).readBigUInt64LE(1) })) };
  }
  function execute(bytes) {
    const signature = firstSig(bytes);
    const payerKey = transfersIn(bytes).feePayer, lamports0 = svm.getBalance(payerKey) ?? 0n;
    const r = inner.sendVersionedTransaction(bytes);
    const err = failed(r) ? txErr(r.err()) : null;
    if (!err || lands(err)) {
      landed.set(signature, { slot: slot(), err, fee: lamports0 - (svm.getBalance(payerKey) ?? 0n), ...transfersIn(bytes) });
      statuses.set(signature, { slot: slot(), err }); svm.warpToSlot(BigInt(slot() + 1));
    }
    if (!err) counts.landed++;
    return { signature, err, logs: (failed(r) ? r.meta() : r).logs() };
  }
  function simulate(bytes, sigVerify) {
    const prev = inner.getSigverify();
    inner.setSigverify(!!sigVerify);
    try {
      const r = inner.simulateVersionedTransaction(bytes);
      return { err: failed(r) ? txErr(r.err()) : null, logs: r.meta().logs(), accounts: null, unitsConsumed: Number(r.meta().computeUnitsConsumed()), returnData: null };
    } finally { inner.setSigverify(prev); }
  }
  const txBytes = (s, enc = 'base58') => (enc === 'base64' ? new Uint8Array(Buffer.from(s, 'base64')) : new Uint8Array(b58.enc.encode(s)));
  function account(address) {
    const a = svm.getAccount(address);
    if (!a.exists) return null;
    return { executable: a.executable, lamports: Number(a.lamports), owner: a.programAddress, rentEpoch: 0, space: a.data.length, data: [Buffer.from(a.data).toString('base64'), 'base64'] };
  }
  function tokenAmount(address) {
    const a = svm.getAccount(address);
    if (!a.exists || a.data.length !== 165) return null;
    return getTokenDecoder().decode(a.data).amount;
  }
  const methods = {
    getHealth: () => 'ok',
    getSlot: () => slot(),
    getBlockHeight: () => slot(),
    getLatestBlockhash: () => ({ context: ctx(), value: { blockhash: svm.latestBlockhash(), lastValidBlockHeight: slot() + 150 } }),
    isBlockhashValid: ([bh]) => ({ context: ctx(), value: bh === svm.latestBlockhash() }),
    getBalance: ([a]) => ({ context: ctx(), value: Number(svm.getBalance(a) ?? 0n) }),
    getAccountInfo: ([a]) => ({ context: ctx(), value: account(a) }),
    getMultipleAccounts: ([as]) => ({ context: ctx(), value: as.map(account) }),
    getTokenAccountBalance: ([a]) => {
      const amt = tokenAmount(a);
      if (amt === null) throw new RpcError(-32602, 'Invalid param: could not find account');
      return { context: ctx(), value: { amount: amt.toString(), decimals: DECIMALS, uiAmount: Number(amt) / 10 ** DECIMALS, uiAmountString: String(Number(amt) / 10 ** DECIMALS) } };
    },
    simulateTransaction: ([tx, cfg = {}]) => ({ context: ctx(), value: simulate(txBytes(tx, cfg.encoding), cfg.sigVerify) }),
    sendTransaction: ([tx, cfg = {}]) => {
      counts.sendTransaction++;
      const bytes = txBytes(tx, cfg.encoding);
      if (!cfg.skipPreflight) {
        const sim = simulate(bytes, true);
        if (sim.err) throw new RpcError(-32002, `Transaction simulation failed: ${JSON.stringify(sim.err)}`);
      }
      const r = execute(bytes);
      if (r.err && !lands(r.err)) throw new RpcError(-32002, `Transaction rejected: ${JSON.stringify(r.err)}`);
      return r.signature;
    },
    getSignatureStatuses: ([sigs]) => ({ context: ctx(), value: sigs.map((s) => {
      const st = statuses.get(s);
      return st ? { slot: st.slot, confirmations: null, err: st.err, status: st.err ? { Err: st.err } : { Ok: null }, confirmationStatus: 'finalized' } : null;
    }) }),
  };
  async function handle(req) {
    const { id = null, method, params = [] } = req ?? {};
    const fn = methods[method];
    if (!fn) return { jsonrpc: '2.0', id, error: { code: -32601, message: `Method not found: ${method}` } };
    try { return { jsonrpc: '2.0', id, result: await fn(params) }; } catch (e) {
      if (!quiet) console.error('[svm rpc]', method, e.message);
      return { jsonrpc: '2.0', id, error: { code: e.code ?? -32603, message: e.message } };
    }
  }

  // The chain: mint written directly, then one real transaction for the ATAs and tokens.
  for (const [who, sol] of [['facilitator', 10], ['payer', 1], ['mintAuthority', 10], ['stranger', 1], ['poor', 1]]) svm.airdrop(keys[who].address, BigInt(sol * 1e9));
  const mintData = getMintEncoder().encode({ mintAuthority: keys.mintAuthority.address, supply: 0n, decimals: DECIMALS, isInitialized: true, freezeAuthority: null });
  svm.setAccount({ address: mint, data: new Uint8Array(mintData), executable: false, lamports: svm.minimumBalanceForRentExemption(82n), programAddress: TOKEN_PROGRAM_ADDRESS, space: 82n });
  const ixs = [];
  for (const owner of ['payer', 'payTo', 'stranger', 'poor']) ixs.push(await getCreateAssociatedTokenIdempotentInstructionAsync({ payer: keys.mintAuthority, owner: keys[owner].address, mint }));
  for (const owner of ['payer', 'stranger']) ixs.push(getMintToCheckedInstruction({ mint, token: await ata(keys[owner].address), mintAuthority: keys.mintAuthority, amount: 1000n * 10n ** BigInt(DECIMALS), decimals: DECIMALS }));
  const msg = pipe(createTransactionMessage({ version: 0 }), (m) => setTransactionMessageFeePayerSigner(keys.mintAuthority, m),
    (m) => setTransactionMessageLifetimeUsingBlockhash({ blockhash: svm.latestBlockhash(), lastValidBlockHeight: BigInt(slot() + 150) }, m),
    (m) => appendTransactionMessageInstructions(ixs, m));
  const setup = execute(new Uint8Array(getTransactionEncoder().encode(await signTransactionMessageWithSigners(msg))));
  if (setup.err) throw new Error(`svm chain setup failed: ${JSON.stringify(setup.err)}\n${setup.logs.join('\n')}`);

  // CORS as public Solana RPC nodes answer it: a buyer's browser reads the
  // mint and a blockhash from here (the pages' pay-and-run form).
  const server = http.createServer((req, res) => {
    res.setHeader('access-control-allow-origin', '*');
    if (req.method === 'OPTIONS') {
      return res.writeHead(204, { 'access-control-allow-methods': 'POST, OPTIONS',
        'access-control-allow-headers': req.headers['access-control-request-headers'] || 'content-type',
        'access-control-max-age': '600' }).end();
    }
    let body = '';
    req.on('data', (c) => { body += c; });
    req.on('end', async () => {
      let parsed;
      try { parsed = JSON.parse(body); } catch { parsed = null; }
      const out = parsed === null ? { jsonrpc: '2.0', id: null, error: { code: -32700, message: 'Parse error' } }
        : Array.isArray(parsed) ? await Promise.all(parsed.map(handle)) : await handle(parsed);
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(out, (_, v) => (typeof v === 'bigint' ? Number(v) : v)));
    });
  });
  await new Promise((resolve, reject) => { server.once('error', reject); server.listen(port, '127.0.0.1', resolve); });
  const rpc = `http://127.0.0.1:${server.address().port}`;
  return {
    rpc, keys, mint, network: DEVNET, decimals: DECIMALS, counts, svm,
    ata,
    /** Token balance (bigint) of owner's ATA for the mint. */
    tokenBalance: async (owner) => tokenAmount(await ata(owner)) ?? 0n,
    blockhash: () => svm.latestBlockhash(),
    /** A landed transaction: { slot, err, fee (lamports), feePayer, transfers: [{from, to, amount}] } or null. */
    transaction: (signature) => landed.get(signature) ?? null,
    /** Every token transfer of a landed transaction whose owner-side sender is `owner`. */
    transfersFrom: (owner) => [...landed.values()].filter((t) => !t.err).flatMap((t) => t.transfers).filter((t) => t.from === owner),
    stop: () => new Promise((r) => { server.closeAllConnections?.(); server.close(() => r()); }),
  };
}
