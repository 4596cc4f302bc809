// Differential test: our Standard Webhooks signer (shared/http/webhook_sig.c
// through build/tests/webhook_diff_driver) against the reference
// `standardwebhooks` 1.3.0 npm package.
//
// For N random deliveries (our secrets and ids or random ones of the
// spec's sizes, JSON bodies with non-ASCII text, raw binary bodies, the
// empty body):
//   - the reference Webhook.verify() accepts the headers we produce, and
//     returns the body parsed;
//   - it refuses them when the body, the id, the timestamp or the secret
//     differ by one unit;
//   - our verifier accepts the reference Webhook.sign() output, also among
//     several space-separated signatures, and refuses the same tampering
//     and a timestamp outside the 5-minute tolerance, as the reference
//     does.
//
// Usage (from tests/): node diff/webhook_diff.mjs [N] [seed]
import { spawn } from 'node:child_process';
import readline from 'node:readline';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Webhook } from 'standardwebhooks';

const N = Number(process.argv[2] || 1000);
let seed = Number(process.argv[3] || 25) >>> 0;
const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const driver = process.env.WEBHOOK_DIFF_DRIVER || join(root, 'build/tests/webhook_diff_driver');

function rnd() {
  seed = (seed + 0x6D2B79F5) >>> 0;
  let t = seed;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}
const int = (n) => Math.floor(rnd() * n);
const pick = (a) => a[int(a.length)];
const bytes = (n) => Buffer.from(Uint8Array.from({ length: n }, () => int(256)));

const child = spawn(driver, [], { stdio: ['pipe', 'pipe', 'inherit'] });
const exited = new Promise((res) => child.on('exit', (code, signal) => res({ code, signal })));
const lines = readline.createInterface({ input: child.stdout })[Symbol.asyncIterator]();
async function ask(o) {
  child.stdin.write(JSON.stringify(o) + '\n');
  const { value, done } = await lines.next();
  if (done) throw new Error('driver exited');
  return JSON.parse(value);
}

const failures = [];
let checks = 0;
function check(cond, what) {
  checks++;
  if (!cond) failures.push(what);
}
function refVerifies(secret, body, headers, jsonParse) {
  try {
    return { ok: true, out: new Webhook(secret).verify(body, headers, { jsonParse }) };
  } catch (e) {
    return { ok: false, err: e.message };
  }
}

const ID_CHARS = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-';
const randId = () => pick(['msg_', 'evt_', 'job_', '']) + Array.from({ length: 1 + int(40) }, () => pick([...ID_CHARS])).join('');
const TEXTS = ['succeeded', 'caf\u00e9 \u65e5\u672c \u{1F600}', 'line\nbreak', 'quote " and \\', ''];
function randBody() {
  switch (int(4)) {
    case 0: return { bytes: Buffer.alloc(0), json: false };
    case 1: return { bytes: bytes(1 + int(300)), json: false };
    default: {
      const o = { type: pick(['job.succeeded', 'job.failed', 'job.cancelled']), timestamp: new Date().toISOString(),
        data: { id: randId(), status: pick(TEXTS), progress: int(101) / 100, n: int(1e9) } };
      return { bytes: Buffer.from(JSON.stringify(o), 'utf8'), json: true, obj: o };
    }
  }
}

const t0 = Date.now();
let ours = 0;
for (let i = 0; i < N; i++) {
  let secret, id;
  if (int(2)) {
    const n = await ask({ op: 'new' });
    check(/^whsec_[A-Za-z0-9+/]{43}=$/.test(n.secret), `our secret's form: ${n.secret}`);
    check(/^msg_[A-Za-z0-9_-]{22}$/.test(n.id), `our id's form: ${n.id}`);
    secret = n.secret; id = n.id; ours++;
  } else {
    secret = (int(2) ? 'whsec_' : '') + bytes(pick([24, 32, 48, 64])).toString('base64');
    id = randId();
  }
  const body = randBody();
  const now = Math.floor(Date.now() / 1000);
  const ts = now - int(200) + 100;
  const s = await ask({ op: 'sign', secret, id, ts, body: body.bytes.toString('base64') });
  check(!s.error, `we refused to sign (${s.error}) id ${id} secret ${secret}`);
  if (s.error) continue;
  const headers = { 'webhook-id': s.id, 'webhook-timestamp': s.timestamp, 'webhook-signature': s.signature };
  check(s.signature === new Webhook(secret).sign(id, new Date(ts * 1000), body.bytes),
    `signature differs from Webhook.sign for id ${id}`);
  const r = refVerifies(secret, body.bytes, headers, body.json);
  check(r.ok, `Webhook.verify refused ours: ${r.err} (id ${id})`);
  if (r.ok && body.json) check(JSON.stringify(r.out) === JSON.stringify(body.obj), 'verify did not return the body');
  // One unit off, each way: the reference must refuse.
  const flipped = Buffer.from(body.bytes.length ? body.bytes : Buffer.from(' '));
  if (body.bytes.length) flipped[int(flipped.length)] ^= 1 << int(8);
  check(!refVerifies(secret, flipped, headers, false).ok, 'reference took a changed body');
  check(!refVerifies(secret, body.bytes, { ...headers, 'webhook-id': id + 'x' }, false).ok, 'reference took another id');
  check(!refVerifies(secret, body.bytes, { ...headers, 'webhook-timestamp': String(ts + 1) }, false).ok, 'reference took another timestamp');
  check(!refVerifies('whsec_' + bytes(32).toString('base64'), body.bytes, headers, false).ok, 'reference took another secret');

  // The other way: the reference signs, we verify.
  const ref = new Webhook(secret).sign(id, new Date(ts * 1000), body.bytes);
  const v = async (o) => (await ask({ op: 'verify', secret, id, ts: String(ts), sigs: ref,
    body: body.bytes.toString('base64'), now, ...o })).ok;
  check(await v({}), 'we refused Webhook.sign output');
  check(await v({ sigs: 'v1a,' + bytes(64).toString('base64') + ' v1,' + bytes(32).toString('base64') + ' ' + ref }),
    'we refused it among other signatures');
  check(!(await v({ sigs: 'v1,' + bytes(32).toString('base64') })), 'we took a wrong signature');
  check(!(await v({ body: flipped.toString('base64') })), 'we took a changed body');
  check(!(await v({ id: id + 'x' })), 'we took another id');
  check(!(await v({ ts: String(ts + 1) })), 'we took another timestamp');
  check(!(await v({ sigs: ref.slice(0, -2) })), 'we took a truncated signature');
  const at = 3 + int(ref.length - 3);
  const one = ref.slice(0, at) + (ref[at] === 'A' ? 'B' : 'A') + ref.slice(at + 1);
  check(!(await v({ sigs: one })), `we took a signature with character ${at} changed`);
  check(!(await v({ sigs: ref.slice(0, -1) + 'A' })), 'we took a signature with its padding changed');
  check(!(await v({ sigs: 'v2' + ref.slice(2) })), 'we took a signature of another version');
  const far = now + pick([-1, 1]) * (301 + int(1000));
  const sFar = new Webhook(secret).sign(id, new Date(far * 1000), body.bytes);
  const refFar = refVerifies(secret, body.bytes, { 'webhook-id': id, 'webhook-timestamp': String(far), 'webhook-signature': sFar }, false).ok;
  const oursFar = await v({ ts: String(far), sigs: sFar });
  check(!refFar && !oursFar, `timestamp ${far - now} s away: reference ${refFar}, ours ${oursFar}`);
}
// What we refuse to sign: ids the spec warns about, secrets out of range.
for (const [secret, id, what] of [
  ['whsec_' + bytes(32).toString('base64'), 'msg.1', 'an id with "."'],
  ['whsec_' + bytes(32).toString('base64'), 'msg 1', 'an id with a space'],
  ['whsec_' + bytes(32).toString('base64'), '', 'an empty id'],
  ['whsec_' + bytes(16).toString('base64'), 'msg_1', 'a 16-byte secret'],
  ['whsec_' + bytes(65).toString('base64'), 'msg_1', 'a 65-byte secret'],
  ['whsec_not base64!', 'msg_1', 'a secret that is not base64'],
]) {
  const s = await ask({ op: 'sign', secret, id, ts: 1700000000, body: '' });
  check(typeof s.error === 'string', `we signed with ${what}`);
}
child.stdin.end();
// The driver frees everything and exits 0 (under ASan a leak would not).
const ex = await exited;
check(ex.code === 0, `driver exited with ${ex.code ?? ex.signal}`);
console.log(`# webhook-diff: ${N} deliveries (${ours} with our secret and id), ${checks} checks, ` +
  `${failures.length} failed; seed ${process.argv[3] || 25}; ${((Date.now() - t0) / 1000).toFixed(1)} s`);
for (const f of failures.slice(0, 30)) console.log('not ok - ' + f);
process.exit(failures.length ? 1 : 0);
