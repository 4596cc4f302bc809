// The documents against the tree (issue 22): README.md, docs/*.md and every
// folder's README.md.  Every relative link and anchor resolves; every
// `make TARGET` they name is a target; the configuration table of
// docs/configuration.md lists exactly the keys the code reads (found at
// each call of a reader such as cfg_get, cfg_uint, cfg_check_*, ...); every
// folder is in the Layout of docs/architecture.md; every module of shared/
// has its row in tests/README.md; no prose paragraph of README.md or docs/
// runs over 150 words; citations point at documents in the repository.
// Each check also runs on a scratch tree with a fault planted, and must
// report it.  Needs no build: the checks read sources and documents only.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, writeFileSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  docFiles, checkLinks, checkMakeTargets, checkKeys, checkLayout, checkTestMap,
  checkParagraphs, checkCitations, makeTargets, codeKeys, documentedKeys, slug,
} from '../lib/docs.mjs';

const TOP = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const scratch = [];
after(() => { for (const d of scratch) rmSync(d, { recursive: true, force: true }); });

/** A scratch tree of the given files (no git: the checks walk it). */
function tree(files) {
  const root = mkdtempSync(join(tmpdir(), 'sf-docs-'));
  scratch.push(root);
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(join(root, dirname(path)), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  return root;
}

const none = (problems) => assert.deepEqual(problems, [], problems.join('\n'));

test('the documents are there: README.md, docs/, the folder READMEs', () => {
  const files = docFiles(TOP);
  for (const f of ['README.md', 'docs/README.md', 'docs/architecture.md', 'docs/calling.md',
    'docs/configuration.md', 'docs/money-path.md', 'docs/testing.md', 'tests/README.md', 'shared/README.md']) {
    assert.ok(files.includes(f), `${f} is missing`);
  }
});

test('README.md stays short: at most 160 lines', () => {
  const n = readLines(join(TOP, 'README.md'));
  assert.ok(n <= 160, `README.md has ${n} lines`);
});

test('every relative link and anchor of the documents resolves', () => none(checkLinks(TOP)));

test('every make target the documents name exists', () => {
  assert.ok(makeTargets(TOP).has('try') && makeTargets(TOP).has('registry-test'),
    'the targets of the Makefile and its fragments are read');
  none(checkMakeTargets(TOP));
});

test('the configuration table lists exactly the keys the code reads', () => {
  const { keys } = codeKeys(TOP);
  // What the scan must find, or it is not looking: a key of each reader kind.
  for (const k of ['PUBLIC_URL', 'SETTLE_MARGIN', 'ASSET_<NETWORK>', 'MEDIA_MAX_VIDEO', 'S3_BUCKET',
    'DEMO_PER_HOUR', 'INPUT_MAX_BYTES', 'PROVIDER_POLL_MS', 'FAL_KEY', 'GEMINI_BASE_URL',
    'ROUTE_<ENDPOINT>_<MODEL>', 'ELEVENLABS_VOICE_<NAME>', 'HEALTH_CACHE_SECONDS', 'MCP_ORIGINS']) {
    assert.ok(keys.has(k), `the scan of the code did not find ${k}`);
  }
  assert.ok(documentedKeys(TOP).size > 40, 'the table of docs/configuration.md is read');
  none(checkKeys(TOP));
});

test('every folder is in the Layout of docs/architecture.md (shared/x402/svm/ too)', () => none(checkLayout(TOP)));

test('every module of shared/ is in the table of tests/README.md', () => none(checkTestMap(TOP)));

test('no paragraph of README.md or docs/ is over 150 words', () => none(checkParagraphs(TOP)));

test('citations point at documents of this repository', () => none(checkCitations(TOP)));

function readLines(path) {
  return readFileSync(path, 'utf8').split('\n').length - 1;
}

// --- each check bites ------------------------------------------------------

test('a broken link or anchor is reported', () => {
  const root = tree({
    'README.md': '# Top\n\nSee [a](docs/a.md), [gone](docs/gone.md) and [here](docs/a.md#no-such).\n'
      + 'Also [fine](docs/a.md#the-part-two) and [self](#top).\n',
    'docs/a.md': '# A\n\n## The `part` two\n',
  });
  const p = checkLinks(root);
  assert.equal(p.length, 2, p.join('\n'));
  assert.match(p.join('\n'), /docs\/gone\.md does not exist/);
  assert.match(p.join('\n'), /no heading "#no-such"/);
  assert.equal(slug('The `part` two (x402/svm)'), 'the-part-two-x402svm');
});

test('a make target that was renamed is reported', () => {
  const root = tree({
    'Makefile': 'all: lib\n\ttrue\ninclude $(addprefix $(TOP)/,parts.mk)\n',
    'parts.mk': 'check-docs:\n\ttrue\n.PHONY: check-docs\n',
    'README.md': '# T\n\n`make all`, `make check-docs`, `make -C /x all VAR=1`, `make docs-check`.\n\n'
      + '```sh\nmake all           # make nothing-here is a comment\nmake lint\n```\n',
  });
  const p = checkMakeTargets(root);
  assert.deepEqual(p.map((x) => x.replace(/:.*"make (\S+)".*/, ':$1')).sort(), ['README.md:docs-check', 'README.md:lint']);
});

test('a key the code reads but the table lacks, and the other way, are reported', () => {
  const conf = (rows) => `# Configuration\n\n## Keys\n\n| key | default | meaning |\n|---|---|---|\n${rows}\n`;
  const code = 'static void\nf(const struct cfg *c)\n{\n\tcfg_get(c, "ALPHA");\n'
    + '\tcfg_uint(c,\n\t    "BETA", 1, 0, 9, &u, err);\n\tcfg_net_get(c, "GAMMA", n, 0);\n}\n';
  const provs = 'const struct prov_info provs_table[] = {\n\t{ "x", "X_API_KEY", "X_BASE_URL", "https://x", run },\n};\n';
  const good = tree({
    'shared/a/a.c': code, 'shared/providers/provs.c': provs,
    'docs/configuration.md': conf('| `ALPHA`, `BETA` | – | x |\n| `GAMMA`, `GAMMA_<NETWORK>` | – | x |'),
  });
  assert.deepEqual(checkKeys(good), []);
  const missing = tree({
    'shared/a/a.c': code, 'shared/providers/provs.c': provs,
    'docs/configuration.md': conf('| `ALPHA` | – | x |\n| `GAMMA`, `GAMMA_<NETWORK>`, `DELTA` | – | x |'),
  });
  const p = checkKeys(missing);
  assert.match(p.join('\n'), /BETA: read by the code, not in/);
  assert.match(p.join('\n'), /DELTA: in docs\/configuration\.md's table, but no code reads it/);
  const computed = tree({
    'shared/a/a.c': 'static void\nf(const struct cfg *c, const char *k)\n{\n\tcfg_get(c, k);\n}\n',
    'shared/providers/provs.c': provs, 'docs/configuration.md': conf('| `ALPHA` | – | x |'),
  });
  assert.match(checkKeys(computed).join('\n'), /shared\/a\/a\.c:4: cfg_get\(c, k\) reads a key that is not a literal/);
});

test('a folder missing from the Layout, a module missing from the test map, are reported', () => {
  const root = tree({
    'docs/architecture.md': '# A\n\n## Layout\n\n| folder | holds |\n|---|---|\n| `docs/` | x |\n| `shared/` | x |\n| `tests/` | x |\n| `tests/unit/` | x |\n',
    'shared/a/a.c': '', 'shared/b.c': '',
    'tests/README.md': '| module | unit | suites |\n|---|---|---|\n| `shared/b.c` | `test_b` | `nope` |\n',
    'tests/unit/test_b.c': '',
  });
  assert.deepEqual(checkLayout(root), ['shared/a/: a folder of the tree, missing from the Layout table of docs/architecture.md']);
  const p = checkTestMap(root);
  assert.match(p.join('\n'), /shared\/a\/a\.c: no row/);
  assert.match(p.join('\n'), /tests\/integ\/nope\.test\.mjs does not exist/);
});

test('a long paragraph and a citation of a document outside the repository are reported', () => {
  const root = tree({
    'README.md': `# T\n\n${'word '.repeat(151)}\n\n- ${'item '.repeat(20)}\n`,
    'shared/a.c': `/* See ${'DESIGN'}.md and docs/nope.md and README "Configuration". */\n`,
  });
  assert.match(checkParagraphs(root).join('\n'), /a paragraph of 151 words/);
  const c = checkCitations(root).join('\n');
  assert.match(c, /cites DESIGN\.md/);
  assert.match(c, /docs\/nope\.md, which does not exist/);
  assert.match(c, /README "Configuration"/);
});
