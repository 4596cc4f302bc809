// The documents' checks (tests/integ/docs.test.mjs), each a function of a
// tree's root that returns the problems it found (empty: fine), so the
// suite runs them on the checkout and, to show that they bite, on small
// scratch trees with a fault planted.  Built-ins only: no build needed.
import { readFileSync, readdirSync, statSync, existsSync } from 'node:fs';
import { join, dirname, relative, resolve } from 'node:path';
import { spawnSync } from 'node:child_process';

// Folders that are made at run time or hold data, never documents.
const SKIP = new Set(['.git', 'node_modules', 'var', 'www', 'manpages', 'artifacts', '.cache']);
const skipDir = (name) => SKIP.has(name) || name.startsWith('build');

function walk(root, dir = '', out = []) {
  for (const e of readdirSync(join(root, dir), { withFileTypes: true })) {
    const rel = dir ? `${dir}/${e.name}` : e.name;
    if (e.isDirectory()) {
      if (!skipDir(e.name) && rel !== 'tests/golden/expected' && rel !== 'tests/fuzz/corpus') walk(root, rel, out);
    } else if (e.isFile()) out.push(rel);
  }
  return out;
}

/** The files of the tree: git's list when it is a checkout, else a walk. */
export function treeFiles(root) {
  // Tracked files and new ones not ignored: a document being written counts.
  const g = spawnSync('git', ['-C', root, 'ls-files', '--cached', '--others', '--exclude-standard'],
    { encoding: 'utf8' });
  if (g.status === 0 && g.stdout.trim() !== '') {
    return g.stdout.split('\n').filter((f) => f && existsSync(join(root, f))
      && !f.startsWith('tests/golden/expected/') && !f.startsWith('tests/fuzz/corpus/'));
  }
  return walk(root);
}

/** README.md at the top, docs/*.md, and every folder's README.md. */
export function docFiles(root) {
  return treeFiles(root).filter((f) => f === 'README.md' || /(^|\/)README\.md$/.test(f)
    || /^docs\/[^/]+\.md$/.test(f)).sort();
}

// --- markdown ------------------------------------------------------------

/** Text outside fenced code blocks, and the blocks. */
function splitFences(md) {
  const prose = [], code = [];
  let inFence = false;
  for (const line of md.split('\n')) {
    if (/^\s*```/.test(line)) { inFence = !inFence; prose.push(''); continue; }
    if (inFence) { code.push(line); prose.push(''); } else prose.push(line);
  }
  return { prose: prose.join('\n'), code: code.join('\n') };
}

const stripSpans = (s) => s.replace(/`[^`\n]*`/g, '``');

/** GitHub's anchor of a heading: lower case, punctuation dropped, spaces to -. */
export function slug(heading) {
  return heading.replace(/`/g, '').replace(/\[([^\]]*)\]\([^)]*\)/g, '$1').trim().toLowerCase()
    .replace(/[^\p{L}\p{N} _-]/gu, '').replace(/ /g, '-');
}

export function anchors(md) {
  const seen = new Map(), out = new Set();
  for (const line of splitFences(md).prose.split('\n')) {
    const m = /^#{1,6}\s+(.*?)\s*#*\s*$/.exec(line);
    if (!m) continue;
    const base = slug(m[1]);
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    out.add(n === 0 ? base : `${base}-${n}`);
  }
  return out;
}

/** Every inline link [text](target) outside code. */
function links(md) {
  const text = stripSpans(splitFences(md).prose), out = [];
  const re = /\[[^\]]*\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g;
  let m;
  while ((m = re.exec(text)) !== null) out.push(m[1]);
  return out;
}

/** Every relative link of every document resolves, anchors included. */
export function checkLinks(root, files = docFiles(root)) {
  const problems = [];
  for (const f of files) {
    const md = readFileSync(join(root, f), 'utf8');
    for (const target of links(md)) {
      if (/^[a-z][a-z0-9+.-]*:/i.test(target)) continue;	// http:, mailto:
      const [path, anchor] = target.split('#');
      const dest = path === '' ? join(root, f) : resolve(join(root, dirname(f)), path);
      if (!existsSync(dest)) { problems.push(`${f}: link to ${target}: ${relative(root, dest)} does not exist`); continue; }
      if (anchor === undefined) continue;
      if (!dest.endsWith('.md') || statSync(dest).isDirectory()) {
        problems.push(`${f}: link to ${target}: an anchor into something that is not a Markdown file`);
      } else if (!anchors(readFileSync(dest, 'utf8')).has(anchor)) {
        problems.push(`${f}: link to ${target}: no heading "#${anchor}" in ${relative(root, dest)}`);
      }
    }
  }
  return problems;
}

// --- make targets ----------------------------------------------------------

/** The targets the Makefile and the fragments it includes define. */
export function makeTargets(root) {
  const targets = new Set();
  const files = ['Makefile'];
  const top = readFileSync(join(root, 'Makefile'), 'utf8');
  for (const m of top.matchAll(/^-?include\s+(.*)$/gm)) {
    for (const w of m[1].replace(/\$\(addprefix \$\(TOP\)\/,([^)]*)\)/, '$1').split(/\s+/)) {
      if (w && !w.includes('$')) files.push(w);
    }
  }
  for (const f of files) {
    if (!existsSync(join(root, f))) continue;
    const text = readFileSync(join(root, f), 'utf8').replace(/\\\n/g, ' ');
    for (const line of text.split('\n')) {
      const m = /^([^\s#:=][^:=]*?)\s*::?(?!=)/.exec(line);
      if (!m || line.startsWith('\t')) continue;
      for (const t of m[1].split(/\s+/)) if (t && !/[$%/]/.test(t)) targets.add(t);
    }
  }
  return targets;
}

/** `make X` in code spans and code blocks: the targets named. */
export function makeMentions(md) {
  const { prose, code } = splitFences(md);
  const snippets = [...prose.matchAll(/`([^`\n]*)`/g)].map((m) => m[1]);
  for (const line of code.split('\n')) snippets.push(line.replace(/\s#.*$/, ''));
  const out = [];
  for (const s of snippets) {
    for (const m of s.matchAll(/(?:^|[\s;&|(])make((?:\s+\S+)*)/g)) {
      const words = m[1].trim().split(/\s+/);
      for (let i = 0; i < words.length; i++) {
        const w = words[i];
        if (w === '' || /^[;&|)#]/.test(w)) break;
        if (w === '-C' || w === '-f') { i++; continue; }
        if (w.startsWith('-') || /^[A-Z_][A-Z0-9_]*=/.test(w) || w.startsWith("'") || w.startsWith('"')
          || /^[A-Z_a-z]*['"]$/.test(w) || w.includes('/') || w === '…' || w === '...') continue;
        if (/^[a-z][a-z0-9_.-]*$/.test(w)) out.push(w);
      }
    }
  }
  return out;
}

/** Every `make TARGET` a document names is a target of the Makefile. */
export function checkMakeTargets(root, files = docFiles(root)) {
  const targets = makeTargets(root), problems = [];
  for (const f of files) {
    for (const t of makeMentions(readFileSync(join(root, f), 'utf8'))) {
      if (!targets.has(t)) problems.push(`${f}: "make ${t}": no such target in the Makefile or its fragments`);
    }
  }
  return problems;
}

// --- configuration keys --------------------------------------------------------

// Functions that read one configuration key, and which argument is the key.
const READERS = {
  cfg_get: 1, cfg_get_or: 1, cfg_uint: 1, cfg_check_uint: 1, cfg_check_oneof: 1, cfg_check_set: 1,
  cfg_check_url: 1, cfg_net_get: 1, cfg_net_url: 1, cfg_net_given: 1, cfg_each_prefixed: 1,
  // Wrappers around them (their own reads are in COMPUTED below).
  prov_cfg: 1, demo_num: 1, urlguard_num: 1, ctl_setting: 0,
};
// Readers whose key also exists per network, KEY_<NETWORK> (cfg.c).
const PER_NETWORK = new Set(['cfg_net_get', 'cfg_net_url', 'cfg_net_given']);
// cfg_net_url passes only = 0 to cfg_net_get: the plain KEY is not read.
const PER_NETWORK_ONLY = new Set(['cfg_net_url']);
// cfg_each_prefixed(c, PREFIX, ...): the keys it walks.
const PREFIXES = { ROUTE_: 'ROUTE_<ENDPOINT>_<MODEL>' };

// Reads whose key is not a literal at the call, and what they read.  A new
// such call that is not listed here fails the check: say what it reads.
const COMPUTED = [
  { file: 'shared/basics/cfg.c', args: /./, keys: 'implementation' },
  { file: 'bin/synthforge-ctl.c', args: /^ctl_cfg, k$/, keys: 'wrapper' },
  { file: 'shared/ledger/demo.c', args: /^c, key$/, keys: 'wrapper' },
  { file: 'shared/media/urlguard.c', args: /^c, key$/, keys: 'wrapper' },
  { file: 'shared/providers/prov.c', args: /^j->cfg, key, def$/, keys: 'wrapper' },
  { file: 'shared/providers/prov.c', args: /^c, p->base_key, err$/, keys: 'providers' },
  { file: 'shared/providers/provs.c', args: /^j->cfg, p->(base_key, p->base_def|key)$/, keys: 'providers' },
  { file: 'shared/providers/route.c', args: /^c, p->key$/, keys: 'providers' },
  { file: 'shared/ops/health.c', args: /^c, p->key$/, keys: 'providers' },
  { file: 'shared/providers/route.c', args: /^c, k$/, keys: ['ROUTE_<ENDPOINT>_<MODEL>'] },
  { file: 'shared/providers/upstream/prov_elevenlabs.c', args: /^j, k, NULL$/, keys: ['ELEVENLABS_VOICE_<NAME>'] },
  { file: 'shared/media/media.c', args: /^c, key$/, keys: 'assigned' },
  { file: 'shared/media/media.c', args: /^c, need\[i\], /, keys: 'array:need' },
  { file: 'shared/media/media.c', args: /^c, caps\[i\]$/, keys: 'array:caps' },
  { file: 'shared/flow/flow_job.c', args: /^c, flow_job_keys\[i\]\.key(, flow_job_keys\[i\]\.lo, flow_job_keys\[i\]\.hi, err)?$/,
    keys: ['JOB_RUNNERS', 'JOB_LEASE_SECONDS', 'JOB_SCAN_SECONDS', 'JOB_RETRY_AFTER', 'JOB_POLLS_PER_MINUTE'] },
  { file: 'shared/x402/evm/x402_wallet_cfg.c', args: /^c, (key|X402_WALLET_CFG_KEY|X402_WALLET_CFG_KEY "_", wallet_cfg_check_one, err)$/, keys: ['ERC6492_FACTORIES', 'ERC6492_FACTORIES_<NETWORK>'] },
];

/** C text without comments (strings kept). */
function stripComments(src) {
  let out = '', i = 0;
  while (i < src.length) {
    const c = src[i], d = src[i + 1];
    if (c === '"' || c === "'") {
      let j = i + 1;
      while (j < src.length && src[j] !== c) j += src[j] === '\\' ? 2 : 1;
      out += src.slice(i, j + 1); i = j + 1;
    } else if (c === '/' && d === '*') {
      const j = src.indexOf('*/', i + 2);
      out += src.slice(i, j + 2).replace(/[^\n]/g, ' '); i = j + 2;
    } else if (c === '/' && d === '/') {
      const j = src.indexOf('\n', i);
      i = j === -1 ? src.length : j;
    } else { out += c; i++; }
  }
  return out;
}

/** The argument list of the call whose '(' is at open: top-level pieces. */
function callArgs(src, open) {
  const args = [];
  let depth = 0, cur = '', i = open + 1;
  for (; i < src.length; i++) {
    const c = src[i];
    if (c === '"') {
      let j = i + 1;
      while (src[j] !== '"') j += src[j] === '\\' ? 2 : 1;
      cur += src.slice(i, j + 1); i = j; continue;
    }
    if (c === '(') depth++;
    if (c === ')' && depth-- === 0) break;
    if (c === ',' && depth === 0) { args.push(cur.trim()); cur = ''; continue; }
    cur += c;
  }
  args.push(cur.trim());
  return args.map((a) => a.replace(/\s+/g, ' '));
}

const lineOf = (src, at) => src.slice(0, at).split('\n').length;
const isDecl = (args) => args.some((a) => /^(const|struct|int|unsigned|char|void|size_t|long)\b/.test(a));
const KEY = /^"([A-Z][A-Z0-9_]*)"$/;

/** The keys the code reads: { keys: Set (names and KEY_<X> patterns), problems }. */
export function codeKeys(root) {
  const files = treeFiles(root).filter((f) => /^(shared|bin|registry|endpoints)\/.*\.[ch]$/.test(f));
  const keys = new Set(), problems = [];
  const add = (k, how) => {
    if (!PER_NETWORK_ONLY.has(how)) keys.add(k);
    if (PER_NETWORK.has(how)) keys.add(`${k}_<NETWORK>`);
  };
  for (const f of files) {
    const src = stripComments(readFileSync(join(root, f), 'utf8'));
    for (const [fn, idx] of Object.entries(READERS)) {
      for (const m of src.matchAll(new RegExp(`(^|[^A-Za-z0-9_>.])${fn}\\s*\\(`, 'gm'))) {
        const open = m.index + m[0].length - 1;
        const lineStart = src.lastIndexOf('\n', m.index + m[1].length - 1) + 1;
        if (m.index + m[1].length === lineStart) continue;	// a definition: name at column 0
        const args = callArgs(src, open);
        if (isDecl(args)) continue;			// a prototype
        const k = KEY.exec(args[idx] ?? '');
        if (k) {
          if (fn === 'cfg_each_prefixed') {
            if (PREFIXES[k[1]]) keys.add(PREFIXES[k[1]]);
            else problems.push(`${f}:${lineOf(src, open)}: ${fn} walks ${k[1]}*: add the pattern to PREFIXES in tests/lib/docs.mjs`);
          } else add(k[1], fn);
          continue;
        }
        const joined = args.join(', ');
        const c = COMPUTED.find((e) => e.file === f && e.args.test(joined));
        if (!c) {
          problems.push(`${f}:${lineOf(src, open)}: ${fn}(${joined}) reads a key that is not a literal: `
            + 'say which keys in COMPUTED of tests/lib/docs.mjs');
          continue;
        }
        if (Array.isArray(c.keys)) c.keys.forEach((x) => keys.add(x));
        else if (c.keys === 'providers') providerKeys(root, problems).forEach((x) => keys.add(x));
        else if (c.keys === 'assigned') {
          for (const a of src.matchAll(/\bkey\s*=\s*"([A-Z][A-Z0-9_]*)"/g)) keys.add(a[1]);
        } else if (c.keys.startsWith('array:')) {
          const name = c.keys.slice(6);
          const arr = new RegExp(`\\b${name}\\[\\]\\s*=\\s*\\{([^}]*)\\}`).exec(src);
          if (!arr) problems.push(`${f}: the array ${name}[] named in COMPUTED is gone`);
          else for (const a of arr[1].matchAll(/"([A-Z][A-Z0-9_]*)"/g)) keys.add(a[1]);
        }
      }
    }
  }
  return { keys, problems };
}

/** Each provider's key and base-URL key (providers/provs.c's table). */
function providerKeys(root, problems) {
  const src = readFileSync(join(root, 'shared/providers/provs.c'), 'utf8'), out = [];
  for (const m of src.matchAll(/\{\s*"[a-z0-9]+",\s*"([A-Z0-9_]+)",\s*"([A-Z0-9_]+)"/g)) out.push(m[1], m[2]);
  if (out.length === 0) problems.push('shared/providers/provs.c: no provider rows found in provs_table');
  return out;
}

/** The keys the table under "## Keys" of docs/configuration.md lists. */
export function documentedKeys(root) {
  const md = readFileSync(join(root, 'docs/configuration.md'), 'utf8');
  const section = md.split(/^## /m).find((s) => s.startsWith('Keys'));
  const keys = new Set();
  if (!section) return keys;
  for (const line of section.split('\n')) {
    if (!line.startsWith('| `')) continue;
    const cell = line.split('|')[1];
    for (const m of cell.matchAll(/`([^`]+)`/g)) {
      if (/^[A-Z][A-Z0-9_]*(<[A-Z]+>[A-Z0-9_]*)*$/.test(m[1])) keys.add(m[1]);
    }
  }
  return keys;
}

/** Both ways: every key the code reads is documented, every documented key is read. */
export function checkKeys(root) {
  const { keys: code, problems } = codeKeys(root);
  const doc = documentedKeys(root);
  if (doc.size === 0) problems.push('docs/configuration.md: no "## Keys" table found');
  for (const k of [...code].sort()) if (!doc.has(k)) problems.push(`${k}: read by the code, not in docs/configuration.md's table`);
  for (const k of [...doc].sort()) if (!code.has(k)) problems.push(`${k}: in docs/configuration.md's table, but no code reads it`);
  return problems;
}

// --- the layout, the module table, paragraphs, citations ----------------------

/** Every folder of the tree is in docs/architecture.md's "## Layout" table. */
export function checkLayout(root) {
  const md = readFileSync(join(root, 'docs/architecture.md'), 'utf8');
  const section = md.split(/^## /m).find((s) => s.startsWith('Layout')) ?? '';
  const listed = new Set([...section.matchAll(/`([^`]+\/)`/g)].map((m) => m[1]));
  const dirs = new Set();
  for (const f of treeFiles(root)) {
    const parts = f.split('/');
    for (let i = 1; i < parts.length; i++) dirs.add(`${parts.slice(0, i).join('/')}/`);
  }
  return [...dirs].sort().filter((d) => !listed.has(d))
    .map((d) => `${d}: a folder of the tree, missing from the Layout table of docs/architecture.md`);
}

/** Every shared/ module has a row in tests/README.md; what a row names exists. */
export function checkTestMap(root) {
  const md = readFileSync(join(root, 'tests/README.md'), 'utf8');
  const rows = new Map(), problems = [];
  for (const line of md.split('\n')) {
    const m = /^\|\s*`(shared\/[^`]+\.c)`\s*\|([^|]*)\|([^|]*)\|/.exec(line);
    if (m) rows.set(m[1], { unit: m[2], suites: m[3] });
  }
  const modules = treeFiles(root).filter((f) => /^shared\/.*\.c$/.test(f));
  for (const mod of modules) if (!rows.has(mod)) problems.push(`${mod}: no row in tests/README.md's module table`);
  for (const [mod, r] of rows) {
    if (!existsSync(join(root, mod))) problems.push(`tests/README.md: ${mod} does not exist`);
    for (const u of r.unit.matchAll(/`(test_[a-z0-9_]+)`/g)) {
      if (!existsSync(join(root, 'tests/unit', `${u[1]}.c`))) problems.push(`tests/README.md: ${mod}: tests/unit/${u[1]}.c does not exist`);
    }
    for (const s of r.suites.matchAll(/`([a-z0-9_-]+)`/g)) {
      if (!existsSync(join(root, 'tests/integ', `${s[1]}.test.mjs`))) problems.push(`tests/README.md: ${mod}: tests/integ/${s[1]}.test.mjs does not exist`);
    }
  }
  return problems;
}

/** No prose paragraph of README.md and docs/ runs over `max` words. */
export function checkParagraphs(root, max = 150) {
  const problems = [];
  for (const f of docFiles(root).filter((x) => x === 'README.md' || x.startsWith('docs/'))) {
    const paras = splitFences(readFileSync(join(root, f), 'utf8')).prose.split(/\n\s*\n/);
    for (const p of paras) {
      const lines = p.split('\n').filter((l) => l.trim() && !/^\s*(\||#)/.test(l));
      // A list item is a paragraph of its own.
      const items = lines.join('\n').split(/\n(?=\s*(?:[-*]|\d+\.)\s)/);
      for (const it of items) {
        const words = it.split(/\s+/).filter(Boolean).length;
        if (words > max) problems.push(`${f}: a paragraph of ${words} words ("${it.trim().slice(0, 60)}…")`);
      }
    }
  }
  return problems;
}

/** Citations in code and documents point at documents of this repository. */
export function checkCitations(root) {
  const problems = [];
  const files = treeFiles(root).filter((f) => /\.(c|h|mjs|sh|mk|md|json)$|^Makefile$|^etc\//.test(f)
    && f !== 'tests/lib/docs.mjs' && f !== 'tests/integ/docs.test.mjs');
  const readme = existsSync(join(root, 'README.md')) ? anchors(readFileSync(join(root, 'README.md'), 'utf8')) : new Set();
  for (const f of files) {
    const text = readFileSync(join(root, f), 'utf8');
    text.split('\n').forEach((line, i) => {
      if (/\bDESIGN\.md\b/.test(line)) problems.push(`${f}:${i + 1}: cites DESIGN.md, which is not in the repository (docs/architecture.md is)`);
      for (const m of line.matchAll(/\bREADME(?:\.md)?(?:'s)? "([^"]+)"/g)) {
        if (!readme.has(slug(m[1]))) problems.push(`${f}:${i + 1}: cites README "${m[1]}": README.md keeps no such section; cite the document in docs/`);
      }
      for (const m of line.matchAll(/\bdocs\/([A-Za-z0-9_-]+\.md)/g)) {
        if (!existsSync(join(root, 'docs', m[1]))) problems.push(`${f}:${i + 1}: cites docs/${m[1]}, which does not exist`);
      }
    });
  }
  return problems;
}
