// Record seed corpora for the provider fuzz targets from the strict fakes
// (tests/fakes/providers.mjs, which answer each request as the provider
// does, after checking it against the provider's published types): each
// target runs every (endpoint, model) route it serves once against the
// fakes (FUZZ_RECORD_DIR) and writes the answers it got as a script
// (tests/fuzz/fuzz_http.h) into tests/fuzz/corpus/provider_<name>/.
// Usage: node fuzz/record.mjs BUILD-FUZZ/fuzz/fuzz_provider_NAME ...
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, rmSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { startFakes } from '../lib/fakes.mjs';

const fakes = await startFakes();
let failed = 0;
try {
  for (const bin of process.argv.slice(2)) {
    const name = basename(bin).replace(/^fuzz_/, '');
    const dir = resolve('fuzz/corpus', name);
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    const r = spawnSync(resolve(bin), [], {
      env: { ...process.env, ...fakes.env, FUZZ_RECORD_DIR: dir, SYNTHFORGE_URL_ALLOW: '127.0.0.1',
        FUZZ_INPUT_URL: `http://127.0.0.1:${fakes.port}/files/input.png?w=64&h=48` },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    if (r.error) throw r.error;
    process.stdout.write(r.stdout);
    if (r.status !== 0) { failed++; console.error(`${name}: exit ${r.status}`); }
    console.log(`${name}: ${readdirSync(dir).length} seeds in ${join('tests/fuzz/corpus', name)}`);
  }
} finally { await fakes.stop(); }
process.exit(failed ? 1 : 0);
