// The networks `make try` can run on, one small adapter each.  This file
// imports nothing but node built-ins, so `try.mjs --preflight` can say
// "not available" before npm packages or a build exist.
//
// An entry:  { id, aliases, what, available() -> null | 'why not', load() }
// load() resolves to the adapter module, whose start() returns a "world"
// (see README.md in this folder): the local chain, its token, the payer and
// the payee, the facilitator, and the few chain-specific readings the
// driver prints (balances, the authorization, the transaction).
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const LIB = path.resolve(here, '../../lib');

function svmWorld() {
  return fs.existsSync(LIB) ? fs.readdirSync(LIB).filter((f) => /^svm.*\.mjs$/.test(f)) : [];
}

export const NETWORKS = [
  {
    id: 'base-sepolia',
    aliases: ['evm', 'base-sepolia', 'eip155:84532'],
    what: 'EVM: local anvil as chain 84532, TestUSDC (EIP-3009), facilitator on @x402/evm',
    available: () => null,
    load: () => import('./evm.mjs'),
  },
  {
    id: 'solana-devnet',
    aliases: ['svm', 'solana', 'solana-devnet', 'solana:EtWTRABZaYq6iMfeYKouRu166VU2xqa1'],
    what: 'Solana: local SVM, SPL token, facilitator on @x402/svm',
    available() {
      if (svmWorld().length === 0) {
        return 'Solana is not available in make try yet: the local Solana test world (tests/lib/svm*.mjs) '
          + 'is not in this checkout.  Run `make try` (base-sepolia, the default) meanwhile.';
      }
      if (!fs.existsSync(path.join(here, 'svm.mjs'))) {
        return `The local Solana test world is here (tests/lib/${svmWorld().join(', tests/lib/')}), but make try `
          + 'does not drive it yet: its adapter tests/try/networks/svm.mjs is missing (see tests/try/README.md).  '
          + 'Run `make try` (base-sepolia, the default) meanwhile.';
      }
      return null;
    },
    load: () => import('./svm.mjs'),
  },
];

/** The entry for a name or alias, or null. */
export function findNetwork(name) {
  const n = String(name || 'base-sepolia').toLowerCase();
  return NETWORKS.find((e) => e.aliases.map((a) => a.toLowerCase()).includes(n)) || null;
}
