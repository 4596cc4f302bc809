// Start the fake upstream providers (tests/fakes/providers.mjs) as a child
// process and return the configuration that points synthforge at them.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { track } from './chain.mjs';

const script = fileURLToPath(new URL('../fakes/providers.mjs', import.meta.url));

export async function startFakes() {
  const child = track(spawn(process.execPath, [script, '0'], { stdio: ['ignore', 'pipe', 'inherit'] }));
  const port = await new Promise((resolve, reject) => {
    let buf = '';
    child.stdout.on('data', (d) => {
      buf += d;
      const m = buf.match(/\{"port":(\d+)\}/);
      if (m) resolve(Number(m[1]));
    });
    child.once('exit', (code) => reject(new Error(`fake providers exited ${code}`)));
    // The first start may derive the upstream contracts (a minute on a busy
    // machine); later ones read them from the cache.
    setTimeout(() => reject(new Error('fake providers did not start')), 240000).unref();
  });
  const base = `http://127.0.0.1:${port}`;
  const env = {
    VENICE_BASE_URL: `${base}/api/v1`, FAL_QUEUE_BASE_URL: `${base}/fal`, BFL_BASE_URL: `${base}/bfl`,
    OPENAI_BASE_URL: `${base}/openai/v1`, GEMINI_BASE_URL: `${base}/google/v1beta`, XAI_BASE_URL: `${base}/xai/v1`,
    ELEVENLABS_BASE_URL: `${base}/elevenlabs`, REPLICATE_BASE_URL: `${base}/replicate/v1`,
    FAL_REST_BASE_URL: `${base}/fal-rest`,
    VENICE_API_KEY: 'test-venice-key', FAL_KEY: 'test-fal-key', BFL_API_KEY: 'test-bfl-key',
    OPENAI_API_KEY: 'test-openai-key', GEMINI_API_KEY: 'test-google-key', XAI_API_KEY: 'test-xai-key',
    ELEVENLABS_API_KEY: 'test-elevenlabs-key', REPLICATE_API_TOKEN: 'test-replicate-key',
    PROVIDER_BACKOFF_MS: '50', PROVIDER_POLL_MS: '50',
  };
  return {
    port, base, env,
    requests: async () => (await fetch(`${base}/__fake/requests`)).json(),
    reset: () => fetch(`${base}/__fake/reset`, { method: 'POST' }),
    stop: () => new Promise((r) => { if (child.exitCode !== null) return r(); child.once('exit', () => r()); child.kill('SIGTERM'); }),
  };
}
