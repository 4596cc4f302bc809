// Fake upstream providers for tests: one node:http process serving the
// documented protocols of Venice, fal.ai (queue), Black Forest Labs,
// OpenAI Images, Google (Gemini generateContent + Imagen predict), xAI,
// ElevenLabs and Replicate, plus the media files their results point at.
//
//   node tests/fakes/providers.mjs [port]      (0 or none = a free port)
//   prints one line {"port":N} on stdout once listening.
//
// Base URLs to configure (paths below them are the real APIs'):
//   VENICE_BASE_URL      http://127.0.0.1:N/api/v1
//   FAL_QUEUE_BASE_URL   http://127.0.0.1:N/fal
//   FAL_API_BASE_URL     http://127.0.0.1:N/fal-api/v1  (platform API)
//   FAL_OPENAPI_URL      http://127.0.0.1:N/fal-openapi/openapi.json
//                        (.../recorded/openapi.json: the recorded reply)
//   BFL_BASE_URL         http://127.0.0.1:N/bfl
//   OPENAI_BASE_URL      http://127.0.0.1:N/openai/v1
//   GEMINI_BASE_URL      http://127.0.0.1:N/google/v1beta
//   XAI_BASE_URL         http://127.0.0.1:N/xai/v1
//   ELEVENLABS_BASE_URL  http://127.0.0.1:N/elevenlabs
//   REPLICATE_BASE_URL   http://127.0.0.1:N/replicate/v1
//
// Auth is checked per provider (Venice/OpenAI/xAI/Replicate "Authorization:
// Bearer k", fal "Authorization: Key k", BFL "x-key", Google
// "x-goog-api-key", ElevenLabs "xi-api-key"): missing or wrong format ->
// 401 in the provider's error shape; the key "bad" -> 401 whose message
// echoes the key (to test that we redact it).
//
// Magic words anywhere in the request body (the prompt) pick a behaviour:
//   FAKE:429once     first call 429 with the provider's rate-limit headers
//                    (Venice x-ratelimit-reset-requests unix time, OpenAI
//                    "1s" duration, others Retry-After: 1), then normal
//   FAKE:429always   always 429
//   FAKE:503once     first call 503, then normal
//   FAKE:drop        first call: connection destroyed, then normal
//   FAKE:5xx         500 in the provider's error shape (queue providers:
//                    the job fails)
//   FAKE:422         validation error in the provider's shape
//   FAKE:echokey     422 whose message contains the caller's key
//   FAKE:moderate    the provider's moderation outcome
//   FAKE:hang        sync: never answer; queue: never leave the queue
//   FAKE:slow        answer after 1.5 s
//   FAKE:expired     result URL answers 403 (expired signed URL)
//   FAKE:usertimeout fal: status poll answers 504 + X-Fal-Request-Timeout-
//                    Type: user
//   FAKE:doneerror   fal: COMPLETED carrying an error field
//   FAKE:notfound    BFL: "Task not found"
//   FAKE:blurred     Venice: x-venice-is-blurred: true
//   FAKE:wait        Replicate: answer "starting" despite Prefer: wait
//   FAKE:two         two outputs where the protocol allows several
//   FAKE:takesNs     queue providers: the job stays in progress for N
//                    seconds of wall time after its submit (the kill -9,
//                    cancel-while-running and lease tests of the jobs)
//
// Contracts (issue 24): every request body is checked against a JSON
// Schema derived at start-up from the provider's own published artefact
// (tests/fakes/contracts/: derive.mjs, SOURCES.md) plus the limits its
// docs state only in words (contracts/limits.mjs, each with its source
// line), and a violation is answered as the provider answers it: fal 422
// {"detail":[{loc,msg,type}]}, Venice 400 {"error","details"}, ElevenLabs
// 422 {"detail":[...]}, OpenAI 400 invalid_request_error, Google 400
// INVALID_ARGUMENT, BFL 422 {"detail":[...]}.  Successful replies are
// built from the same artefacts' output types, optional fields included
// (contracts/replies.mjs).  GET /__fake/violations lists every finding
// (also a field whose description states a limit nobody encoded or
// reviewed), for the contract suite to fail on.  fal ids: those the
// definitions in endpoints/ route to, plus SF_FAKE_FAL_IDS (comma-
// separated); another id answers 500 "no contract".
//
// Strict where the real APIs are (issue 14), each rule after the doc or
// SDK named beside it (facts in reference/providers.md §10):
//   Google   ai.google.dev/gemini-api/docs/deprecations, models.list:
//            Imagen ids answer 404 "... is no longer available"; unknown
//            models 404; unknown request fields 400 "Invalid JSON payload
//            received. Unknown name"; GET /models (ListModels) catalogue.
//   OpenAI   platform.openai.com/docs/deprecations, images API reference:
//            dall-e-2/-3 and gpt-image-1 404 model_not_found; gpt-image-2
//            sizes (sides /16, 1:3-3:1, <= 3840x2160) 400 invalid_value;
//            unknown parameters 400 "Unknown parameter"; GET /models.
//   BFL      black-forest-labs client types/inputs/generic.py: FLUX 1.1
//            [pro] width/height multiples of 32 in 256-1440 (422);
//            unknown model paths 404; GET /v1/<model> 405 (the check's
//            probe: the route exists, nothing is created).
//   Venice   veniceai/api-docs api-spec: GET /models?type=all catalogue;
//            private video models (an id containing "private" here) give
//            download_url in the /video/queue answer, never bytes from
//            /video/retrieve.
//   fal      fal-js types/endpoints.ts (tests/fakes/fal_ids.txt, the
//            reference's fal_ids.txt): other ids (imagen4/*) 404; platform
//            API GET /fal-api/v1/models?endpoint_id=... catalogue.
//   ElevenLabs  elevenlabs-python OutputFormat, api reference: pcm_44100
//            needs a Pro plan (this fake account is not: 403), wav_44100
//            is native; GET /v1/models catalogue of TTS model ids.
//   Replicate  replicate.com/docs/reference/http: GET /v1/models/{o}/{n}
//            answers 404 for unknown models.
//
// Test hooks: GET /__fake/requests (every request received: method, path,
// query, headers, parsed body), GET /__fake/violations (contract findings:
// provider, key, body, bad[] of {path, kind, msg}), POST /__fake/reset,
// GET /files/<name>;
// for input-URL tests GET /files/redirect?to=<url> (302),
// /files/big.png?bytes=N (a PNG followed by N bytes), /files/page.txt
// (text/html).
import http from 'node:http';
import fs from 'node:fs';
import zlib from 'node:zlib';
import crypto from 'node:crypto';

import { contracts as deriveContracts, routes as defRoutes, openapiOf } from
    './contracts/derive.mjs';
import { validator } from './contracts/validate.mjs';
import { instance, OMIT } from './contracts/replies.mjs';
import { adjustedSize, FAL_PRESETS } from './contracts/limits.mjs';

const requests = [];
const violations = [];
let C = null;		// the contracts (derive.mjs), loaded before listening
let V = null;		// their validator
const falIds = new Set(fs.readFileSync(new URL('./fal_ids.txt',
    import.meta.url), 'utf8').split('\n').filter(Boolean));

// The catalogues the fakes serve (and accept): what each provider offers
// of what our definitions route, plus a few it does not.
const catalog = {
	google: ['gemini-3-pro-image-preview', 'gemini-3-pro-image',
	    'gemini-3.1-flash-image', 'gemini-nano-banana-2.1',
	    'gemini-2.5-flash-image', 'gemini-2.5-flash'],
	googleRetired: /^imagen-/,
	openai: ['gpt-image-2', 'gpt-image-1.5', 'gpt-image-1-mini'],
	openaiRetired: ['dall-e-2', 'dall-e-3', 'gpt-image-1'],
	venice: ['z-image-turbo', 'chroma', 'wai-Illustrious', 'venice-sd35',
	    'tts-kokoro', 'gpt-image-2', 'nano-banana-pro', 'nano-banana-2',
	    'qwen-image-2', 'flux-2-pro', 'wan-2.5-preview-text-to-video',
	    'wan-2.5-preview-text-to-video-private', 'ace-step-music',
	    'mmaudio-v2-sfx', 'elevenlabs-sound-effects-v2'],
	bfl: ['flux-2-pro', 'flux-2-max', 'flux-2-flex', 'flux-2-klein-4b',
	    'flux-2-klein-9b', 'flux-pro-1.1', 'flux-pro-1.1-ultra',
	    'flux-kontext-pro', 'flux-kontext-max', 'flux-pro-1.0-fill',
	    'flux-pro-1.0-expand'],
	elevenlabs: ['eleven_v3', 'eleven_multilingual_v2', 'eleven_flash_v2_5',
	    'eleven_turbo_v2_5', 'eleven_flash_v2', 'eleven_turbo_v2'],
	replicate: ['black-forest-labs/flux-schnell',
	    'black-forest-labs/flux-1.1-pro', 'black-forest-labs/flux-dev'],
};
const seen = new Map();		// "word|body-key" -> count, for *once
const jobs = new Map();		// queue jobs: id -> {provider, body, polls, ...}
let port = 0;

// ---- media bytes -------------------------------------------------------

const crcTable = (() => {
	const t = new Uint32Array(256);
	for (let n = 0; n < 256; n++) {
		let c = n;
		for (let k = 0; k < 8; k++)
			c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
		t[n] = c >>> 0;
	}
	return t;
})();
function crc32(buf) {
	let c = 0xffffffff;
	for (const b of buf)
		c = crcTable[(c ^ b) & 0xff] ^ (c >>> 8);
	return (c ^ 0xffffffff) >>> 0;
}
function chunk(type, data) {
	const len = Buffer.alloc(4);
	len.writeUInt32BE(data.length);
	const td = Buffer.concat([Buffer.from(type, 'ascii'), data]);
	const crc = Buffer.alloc(4);
	crc.writeUInt32BE(crc32(td));
	return Buffer.concat([len, td, crc]);
}
const pngCache = new Map();
export function png(w = 64, h = 64) {
	w = Math.max(1, Math.min(4096, w | 0));
	h = Math.max(1, Math.min(4096, h | 0));
	const k = `${w}x${h}`;
	if (pngCache.has(k))
		return pngCache.get(k);
	const ihdr = Buffer.alloc(13);
	ihdr.writeUInt32BE(w, 0);
	ihdr.writeUInt32BE(h, 4);
	ihdr[8] = 8; ihdr[9] = 2;	// 8-bit RGB
	// One gradient row repeated: large sizes (a model's 4096x4096) stay
	// cheap to make and to compress.
	const row = Buffer.alloc(1 + w * 3);
	for (let x = 0; x < w; x++) {
		row[1 + x * 3] = (x * 255 / w) | 0;
		row[2 + x * 3] = 96;
		row[3 + x * 3] = 128;
	}
	const raw = Buffer.concat(Array(h).fill(row));
	const out = Buffer.concat([
		Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
		chunk('IHDR', ihdr), chunk('IDAT', zlib.deflateSync(raw,
		    { level: 1 })), chunk('IEND', Buffer.alloc(0))]);
	pngCache.set(k, out);
	return out;
}
// MPEG-1 Layer III, 128 kbit/s, 44.1 kHz: 417-byte frames, silent.
export function mp3(frames = 8) {
	const f = Buffer.alloc(417);
	f[0] = 0xff; f[1] = 0xfb; f[2] = 0x90; f[3] = 0x64;
	return Buffer.concat(Array(frames).fill(f));
}
// A WebP container (RIFF/WEBP, a VP8X chunk with the canvas size): what
// a sniffer and a size reader see of a real one.
export function webp(w = 64, h = 64) {
	const x = Buffer.alloc(18);
	x.write('VP8X', 0);
	x.writeUInt32LE(10, 4);
	x.writeUIntLE(w - 1, 12, 3);
	x.writeUIntLE(h - 1, 15, 3);
	const r = Buffer.alloc(12);
	r.write('RIFF', 0);
	r.writeUInt32LE(4 + x.length, 4);
	r.write('WEBP', 8);
	return Buffer.concat([r, x]);
}
export function pcm(ms = 500) {
	return Buffer.alloc(Math.round(44.1 * ms) * 2);
}
function box(type, ...parts) {
	const body = Buffer.concat(parts);
	const h = Buffer.alloc(8);
	h.writeUInt32BE(8 + body.length);
	h.write(type, 4, 'ascii');
	return Buffer.concat([h, body]);
}
// An MP4 whose moov says its length (mvhd) and frame size (tkhd), as a
// real clip's does (ISO/IEC 14496-12, version 0 boxes).
export function mp4(w = 1280, h = 720, seconds = 5) {
	const ftyp = Buffer.concat([Buffer.from([0, 0, 0, 0x18]),
	    Buffer.from('ftypisom'), Buffer.from([0, 0, 2, 0]),
	    Buffer.from('isommp41')]);
	const mvhd = Buffer.alloc(100);
	mvhd.writeUInt32BE(1000, 12);			/* timescale */
	mvhd.writeUInt32BE(Math.round(seconds * 1000), 16);
	const tkhd = Buffer.alloc(84);
	tkhd.writeUInt32BE(1, 12);			/* track id */
	tkhd.writeUInt32BE(w << 16 >>> 0, 76);
	tkhd.writeUInt32BE(h << 16 >>> 0, 80);
	const moov = box('moov', box('mvhd', mvhd), box('trak',
	    box('tkhd', tkhd)));
	const mdat = box('mdat', Buffer.alloc(8));
	return Buffer.concat([ftyp, moov, mdat]);
}

// Seedance's frame for a resolution and aspect ratio: the short side is
// the resolution's lines (ByteDance's table: 480p 854x480, 720p 1280x720,
// 1080p 1920x1080 at 16:9).
function videoFrame(resolution = '720p', ratio = '16:9') {
	const lines = parseInt(resolution, 10) || 720;
	const [a, b] = (ratio === 'auto' ? '16:9' : ratio).split(':').map(Number);
	const r = a / b;
	const even = (x) => Math.round(x / 2) * 2;
	return r >= 1 ? [even(lines * r), lines] : [lines, even(lines / r)];
}

// ---- helpers -----------------------------------------------------------

const base = () => `http://127.0.0.1:${port}`;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const rid = () => crypto.randomUUID();

function send(res, status, body, headers = {}) {
	const isBuf = Buffer.isBuffer(body);
	const data = isBuf ? body : Buffer.from(JSON.stringify(body));
	res.writeHead(status, {
		'content-type': isBuf ? (headers['content-type'] ||
		    'application/octet-stream') : 'application/json',
		'content-length': data.length, ...headers,
	});
	res.end(data);
}

function magic(raw, word) {
	return raw.includes(`FAKE:${word}`);
}
// True the first time (word, body) is seen.
// FAKE:takesNs: milliseconds the job must still run, 0 when done.
function busyFor(j) {
	const m = /FAKE:takes(\d+)s/.exec(j.raw || '');
	return m ? Math.max(0, j.t0 + Number(m[1]) * 1000 - Date.now()) : 0;
}
function once(raw, word, path) {
	if (!magic(raw, word))
		return false;
	const k = `${word}|${path}|${raw}`;
	const n = seen.get(k) || 0;
	seen.set(k, n + 1);
	return n === 0;
}

function fileFor(kind, q) {
	const w = q.w || 64, h = q.h || 64;
	if (kind === 'audio')
		return `/files/${rid()}.${q.ext || 'mp3'}`;
	if (kind === 'image' && q.ext === 'webp')
		return `/files/${rid()}.webp?w=${w}&h=${h}`;
	if (kind === 'video')
		return `/files/${rid()}.mp4?w=${w}&h=${h}&s=${q.s || 5}`;
	return `/files/${rid()}.png?w=${w}&h=${h}`;
}

// ---- error shapes per provider ----------------------------------------

const shapes = {
	venice: (s, m, code) => ({ error: m, ...(code ? { code } : {}) }),
	fal: (s, m, type) => ({ detail: [{ loc: ['body', 'prompt'], msg: m,
	    type: type || 'value_error' }] }),
	bfl: (s, m) => s === 429 ? { error: 'rate_limit_exceeded', message: m,
	    retry_after: 1 } : { detail: [{ loc: ['body', 'prompt'], msg: m,
	    type: 'value_error' }] },
	openai: (s, m, code) => ({ error: { message: m, type:
	    'invalid_request_error', param: null, code: code || null } }),
	xai: (s, m, code) => ({ error: { message: m, code: code || 'error' } }),
	google: (s, m, status) => ({ error: { code: s, message: m, status:
	    status || (s === 429 ? 'RESOURCE_EXHAUSTED' : s === 400 ?
	    'INVALID_ARGUMENT' : 'INTERNAL') } }),
	elevenlabs: (s, m, status) => s === 422 ? { detail: [{ loc:
	    ['body', 'text'], msg: m, type: 'value_error' }] } :
	    { detail: { status: status || 'error', message: m } },
	replicate: (s, m) => ({ title: 'Error', detail: m, status: s }),
};

function err(res, provider, status, msg, code, headers = {}) {
	send(res, status, shapes[provider](status, msg, code), headers);
}

// Check body against the contract of (provider, key).  Every finding is
// recorded; a schema or limit violation is answered as the provider does
// and true returned.
function refuse(res, provider, key, body, part = 'input') {
	const bad = V.check(provider, key, body, part);
	if (bad.length > 0)
		violations.push({ provider, key, part, body, bad });
	const hard = bad.filter((b) => b.kind === 'schema' || b.kind === 'limit');
	if (hard.length === 0)
		return false;
	const text = hard.map((b) => `${b.path || '(body)'}: ${b.msg}`)
	    .join('; ');
	const detail = hard.map((b) => ({ loc: ['body', ...b.path.split('.')
	    .filter(Boolean)], msg: b.msg, type: b.kind === 'limit' ?
	    'value_error' : 'type_error' }));
	if (provider === 'fal' || provider === 'bfl' || provider === 'elevenlabs')
		send(res, 422, { detail });
	else if (provider === 'venice') {
		const details = { _errors: [] };
		for (const b of hard)
			(details[b.path || '_body'] ??= { _errors: [] })._errors
			    .push(b.msg);
		send(res, 400, { error: `Invalid request: ${text}`, details });
	} else if (provider === 'openai')
		send(res, 400, { error: { message: `Invalid request: ${text}`,
		    type: 'invalid_request_error', param: hard[0].path || null,
		    code: 'invalid_value' } });
	else
		send(res, 400, { error: { code: 400, message: `Invalid value ` +
		    `at ${text}`, status: 'INVALID_ARGUMENT' } });
	return true;
}

// Fields a provider that refuses unknown ones does not declare (OpenAI,
// Google), from the contract's own property list.
function unknownKeys(provider, key, body) {
	const props = C[provider]?.[key]?.input?.properties || {};
	return Object.keys(body).filter((k) => !(k in props));
}

function rateHeaders(provider) {
	if (provider === 'venice')
		return { 'x-ratelimit-reset-requests':
		    String(Math.ceil(Date.now() / 1000) + 1),
		    'x-ratelimit-remaining-requests': '0' };
	if (provider === 'openai')
		return { 'x-ratelimit-reset-requests': '1s',
		    'x-ratelimit-remaining-requests': '0' };
	if (provider === 'bfl')
		return { 'retry-after': '1', 'x-ratelimit-limit': '24',
		    'x-ratelimit-remaining': '0', 'x-ratelimit-reset': '1' };
	return { 'retry-after': '1' };
}

const authOk = {
	venice: (h) => /^Bearer \S+$/.test(h.authorization || ''),
	openai: (h) => /^Bearer \S+$/.test(h.authorization || ''),
	xai: (h) => /^Bearer \S+$/.test(h.authorization || ''),
	replicate: (h) => /^Bearer \S+$/.test(h.authorization || ''),
	fal: (h) => /^Key \S+$/.test(h.authorization || ''),
	bfl: (h) => !!h['x-key'],
	google: (h) => !!h['x-goog-api-key'],
	elevenlabs: (h) => !!h['xi-api-key'],
};
function keyOf(provider, h) {
	if (provider === 'bfl') return h['x-key'];
	if (provider === 'google') return h['x-goog-api-key'];
	if (provider === 'elevenlabs') return h['xi-api-key'];
	return (h.authorization || '').replace(/^\S+ /, '');
}

// Common failure magic for a first (submit or sync) call.  Returns true
// when it answered.
async function common(req, res, provider, raw) {
	const h = req.headers;
	if (!authOk[provider](h)) {
		err(res, provider, 401, 'missing or malformed credentials');
		return true;
	}
	const key = keyOf(provider, h);
	if (key === 'bad') {
		err(res, provider, 401, `Invalid API key: ${key}`);
		return true;
	}
	if (magic(raw, 'slow'))
		await sleep(1500);
	if (magic(raw, 'hang') && !['fal', 'bfl', 'replicate'].includes(provider)
	    && !(provider === 'venice' && /queue/.test(req.url)))
		return 'hang';
	if (once(raw, 'drop', req.url)) {
		req.socket.destroy();
		return true;
	}
	if (once(raw, '429once', req.url) || magic(raw, '429always')) {
		err(res, provider, 429, 'Too many requests', provider ===
		    'elevenlabs' ? 'system_busy' : undefined,
		    rateHeaders(provider));
		return true;
	}
	if (once(raw, '503once', req.url)) {
		err(res, provider, 503, 'Service temporarily unavailable');
		return true;
	}
	if (magic(raw, '5xx') && !['fal', 'bfl', 'replicate'].includes(provider)) {
		err(res, provider, 500, 'Inference failed');
		return true;
	}
	if (magic(raw, 'echokey')) {
		err(res, provider, 422, `prompt rejected for key ${key}`);
		return true;
	}
	if (magic(raw, '422')) {
		const msg = 'prompt is too long';
		if (provider === 'openai' || provider === 'xai' ||
		    provider === 'google')
			err(res, provider, 400, msg);
		else
			err(res, provider, provider === 'replicate' ? 422 : 422,
			    msg);
		return true;
	}
	return false;
}

// ---- providers ---------------------------------------------------------

async function venice(req, res, path, body, raw, query) {
	if (req.method === 'GET' && path === '/models') {
		if (!authOk.venice(req.headers))
			return err(res, 'venice', 401, 'Authentication failed');
		return send(res, 200, { object: 'list', type: query.get('type') ||
		    'text', data: catalog.venice.map((id) => ({ id,
		    object: 'model', owned_by: 'venice.ai' })) });
	}
	const c = await common(req, res, 'venice', raw);
	if (c) return c;
	if (body.model !== undefined && !catalog.venice.includes(body.model))
		return err(res, 'venice', 404, `Model ${body.model} not found`,
		    'MODEL_NOT_FOUND');
	const mod = magic(raw, 'moderate');
	if (C.venice[path] && refuse(res, 'venice', path, body))
		return;
	if (path === '/image/generate') {
		if (mod)
			return err(res, 'venice', 422, 'Content policy violation',
			    'CONTENT_POLICY_VIOLATION',
			    { 'x-venice-is-content-violation': 'true' });
		const n = body.variants || 1;
		const img = png(body.width || 64, body.height || 64)
		    .toString('base64');
		// The 200 JSON of the OpenAPI document, every field; images are
		// base64 PNGs (we ask format png).
		const out = instance(C.venice[path].output, { w: body.width,
		    h: body.height, kind: 'image', file: null,
		    special: (p) => p === 'images' ? Array(n).fill(img) :
		    p === 'id' ? `generate-image-${rid()}` : undefined });
		return send(res, 200, out, { 'cf-ray': '8f00cafe-AMS',
		    'x-venice-is-blurred': magic(raw, 'blurred') ? 'true' :
		    'false' });
	}
	if (path === '/audio/speech')
		return body.response_format === 'wav' ?
		    send(res, 200, wav(), { 'content-type': 'audio/wav',
		    'cf-ray': '8f00beef-AMS' }) :
		    send(res, 200, mp3(), { 'content-type': 'audio/mpeg',
		    'cf-ray': '8f00beef-AMS' });
	let m;
	if ((m = /^\/(audio|video)\/queue$/.exec(path))) {
		const id = rid();
		const priv = m[1] === 'video' && /private/.test(body.model);
		jobs.set(id, { provider: 'venice', kind: m[1], raw, polls: 0,
		    priv, t0: Date.now() });
		return send(res, 200, { model: body.model, queue_id: id,
		    status: 'QUEUED', ...(priv ? { download_url:
		    base() + fileFor('video', {}) } : {}) });
	}
	if ((m = /^\/(audio|video)\/retrieve$/.exec(path))) {
		const j = jobs.get(body.queue_id);
		if (!j)
			return err(res, 'venice', 404, 'Media not found',
			    'MEDIA_NOT_FOUND');
		j.polls++;
		if (magic(j.raw, 'hang') || j.polls < 2 || busyFor(j))
			return send(res, 200, { status: 'PROCESSING',
			    average_execution_time: 1000,
			    execution_duration: 10 });
		// A private model's retrieve says COMPLETED, never the bytes:
		// its download_url came with the queue answer.
		if (j.priv)
			return send(res, 200, { status: 'COMPLETED',
			    average_execution_time: 1000,
			    execution_duration: 1200 });
		if (magic(j.raw, '5xx'))
			return err(res, 'venice', 500, 'Inference failed');
		return j.kind === 'audio' ?
		    send(res, 200, mp3(), { 'content-type': 'audio/mpeg' }) :
		    send(res, 200, mp4(), { 'content-type': 'video/mp4' });
	}
	if (/^\/(audio|video)\/complete$/.test(path))
		return send(res, 200, { success: true });
	return err(res, 'venice', 404, 'not found');
}

// The size of the image a request asks for: image_size {width, height}
// or a preset, else 64x64; where the model rescales into its pixel range
// (contracts/limits.mjs adjust), the size it really makes.
function askedSize(provider, key, b) {
	const a = adjustedSize(provider, key, b);
	if (a)
		return a;
	const q = b.image_size;
	if (q && typeof q === 'object')
		return [q.width || 64, q.height || 64];
	if (typeof q === 'string' && FAL_PRESETS[q])
		return FAL_PRESETS[q];
	return [64, 64];
}

function mediaKind(id) {
	return /elevenlabs|audio|music|speech|tts/.test(id) ? 'audio' :
	    /video|seedance/.test(id) ? 'video' : 'image';
}

// A fal result built from the endpoint's output type (every declared
// field, optional ones included), files of the fake behind every url.
function falOutput(id, j) {
	let [w, h] = askedSize('fal', id, j.body);
	let s = 5;
	if (mediaKind(id) === 'video') {
		[w, h] = videoFrame(j.body.resolution, j.body.aspect_ratio);
		s = Number(j.body.duration) || 5;
	}
	const exp = magic(j.raw, 'expired');
	// The container the body asked for, where the model takes one.
	const b = j.body;
	const fmt = b.audio_setting?.format || b.output_format;
	const ext = fmt === 'wav' ? 'wav' : fmt === 'webp' ? 'webp' : undefined;
	const types = { image: ext === 'webp' ? 'image/webp' : 'image/png',
	    video: 'video/mp4', audio: ext === 'wav' ? 'audio/wav' :
	    'audio/mpeg' };
	const ctx = { w, h, seed: 196619188014358660, prompt: j.body.prompt,
	    kind: mediaKind(id), two: magic(j.raw, 'two'),
	    file: (kind) => ({ url: base() + (exp ? '/files/expired/x.png' :
	    fileFor(kind, { w, h, s, ext })), type: types[kind],
	    size: 1024 }) };
	return instance(C.fal[id].output, ctx);
}

async function fal(req, res, path, body, raw) {
	let m;
	if ((m = /^\/([^/]+\/[^/]+)\/requests\/([^/]+)(\/status|\/cancel)?$/
	    .exec(path))) {
		if (!authOk.fal(req.headers))
			return err(res, 'fal', 401, 'missing credentials');
		const j = jobs.get(m[2]);
		if (!j)
			return send(res, 404, { detail: 'Request not found' });
		if (m[3] === '/cancel') {
			j.cancelled = true;
			return send(res, 202, { status: 'CANCELLATION_REQUESTED' });
		}
		if (m[3] === '/status') {
			j.polls++;
			if (magic(j.raw, 'usertimeout'))
				return send(res, 504, { detail: 'Request timed out' },
				    { 'x-fal-request-timeout-type': 'user' });
			const resp = `${base()}/fal/${m[1]}/requests/${m[2]}`;
			if (j.cancelled || magic(j.raw, 'hang') || j.polls < 2)
				return send(res, 202, { status: 'IN_QUEUE',
				    queue_position: 0, response_url: resp });
			if (j.polls < 3 || busyFor(j))
				return send(res, 202, { status: 'IN_PROGRESS',
				    logs: [], response_url: resp });
			const st = { status: 'COMPLETED', logs: [],
			    metrics: { inference_time: 0.5 }, response_url: resp };
			if (magic(j.raw, 'doneerror')) {
				st.error = 'Runner crashed: CUDA out of memory';
				st.error_type = 'runner_error';
			}
			return send(res, 200, st);
		}
		// result
		if (magic(j.raw, 'moderate'))
			return err(res, 'fal', 422, 'The content could not be ' +
			    'processed because it was flagged by a content ' +
			    'checker', 'content_policy_violation');
		if (magic(j.raw, '5xx'))
			return send(res, 500, { detail: 'Internal server error' });
		return send(res, 200, falOutput(j.id, j),
		    { 'x-fal-request-id': m[2] });
	}
	// submit: POST /<endpoint id>
	const c = await common(req, res, 'fal', raw);
	if (c) return c;
	const id = path.slice(1);
	if (!falIds.has(id))
		return send(res, 404, { detail: `Application '${id}' not found` });
	if (!C.fal[id]) {
		violations.push({ provider: 'fal', key: id, body, bad: [{ path: '',
		    kind: 'schema', msg: 'no contract derived for this id: add ' +
		    'it to the definitions or SF_FAKE_FAL_IDS' }] });
		return send(res, 500, { detail: `fake: no contract for ${id}` });
	}
	if (refuse(res, 'fal', id, body))
		return;
	const parts = id.split('/');
	const alias = `${parts[0]}/${parts[1]}`;
	const r = rid();
	jobs.set(r, { provider: 'fal', id, raw, body, polls: 0, t0: Date.now() });
	const q = `${base()}/fal/${alias}/requests/${r}`;
	return send(res, 200, { status: 'IN_QUEUE', request_id: r,
	    response_url: q, status_url: `${q}/status`,
	    cancel_url: `${q}/cancel`, queue_position: 0 },
	    { 'x-fal-request-id': r });
}

async function bfl(req, res, path, body, raw, query) {
	if (path === '/v1/get_result') {
		if (!authOk.bfl(req.headers))
			return err(res, 'bfl', 401, 'missing x-key');
		const j = jobs.get(query.get('id'));
		if (!j || magic(j.raw, 'notfound'))
			return send(res, 200, { id: query.get('id'),
			    status: 'Task not found' });
		j.polls++;
		if (magic(j.raw, 'hang') || j.polls < 2 || busyFor(j))
			return send(res, 200, { id: j.id, status: 'Pending',
			    progress: 0.1 });
		if (magic(j.raw, 'moderate'))
			return send(res, 200, { id: j.id, status:
			    'Content Moderated', details: {
			    'Moderation Reasons': ['Derivative Works Filter'] } });
		if (magic(j.raw, '5xx'))
			return send(res, 200, { id: j.id, status: 'Error' });
		const w = j.body.width || 64, h = j.body.height || 64;
		// GenerationResult of BFL's client, every field.
		const result = instance(C.bfl[j.model].output, { w, h,
		    special: (p) => p === 'sample' ? base() + (magic(j.raw,
		    'expired') ? '/files/expired/sample.png' : fileFor('image',
		    { w, h })) : p === 'prompt' ? j.body.prompt : p === 'seed' ?
		    (j.body.seed ?? 1234) : undefined });
		return send(res, 200, { id: j.id, status: 'Ready', result });
	}
	const model = path.replace(/^\/v1\//, '');
	if (!catalog.bfl.includes(model))
		return send(res, 404, { detail: 'Not Found' });
	if (req.method === 'GET') {
		if (!authOk.bfl(req.headers))
			return err(res, 'bfl', 401, 'missing x-key');
		return send(res, 405, { detail: 'Method Not Allowed' });
	}
	const c = await common(req, res, 'bfl', raw);
	if (c) return c;
	// FLUX 1.1 [pro] sides (multiples of 32 in 256-1440) and the rest of
	// the client's models: contracts/bfl-blackforest.json.
	if (refuse(res, 'bfl', model, body))
		return;
	const id = rid();
	jobs.set(id, { provider: 'bfl', id, raw, body, polls: 0, model,
	    t0: Date.now() });
	return send(res, 200, { id, polling_url:
	    `${base()}/bfl/v1/get_result?id=${id}`, cost: 3 });
}

function gptImage2Size(size) {
	if (size === undefined || size === 'auto')
		return true;
	const m = /^(\d+)x(\d+)$/.exec(size);
	if (!m)
		return false;
	const w = Number(m[1]), h = Number(m[2]);
	const lo = Math.min(w, h), hi = Math.max(w, h);
	return w % 16 === 0 && h % 16 === 0 && hi <= 3 * lo && hi <= 3840 &&
	    lo <= 2160 && lo > 0;
}
async function openai(req, res, path, body, raw) {
	if (req.method === 'GET' && path === '/models') {
		if (!authOk.openai(req.headers))
			return err(res, 'openai', 401, 'Missing bearer auth');
		return send(res, 200, { object: 'list', data: catalog.openai.map(
		    (id) => ({ id, object: 'model', owned_by: 'system' })) });
	}
	const c = await common(req, res, 'openai', raw);
	if (c) return c;
	if (catalog.openaiRetired.includes(body.model) ||
	    !catalog.openai.includes(body.model))
		return err(res, 'openai', 404, `The model \`${body.model}\` ` +
		    'does not exist or you do not have access to it.',
		    'model_not_found');
	// Parameters the SDK's ImageGenerateParams does not declare: OpenAI
	// answers "Unknown parameter".
	for (const k of unknownKeys('openai', '/images/generations', body))
		return err(res, 'openai', 400, `Unknown parameter: '${k}'.`,
		    'unknown_parameter');
	if (refuse(res, 'openai', '/images/generations', body))
		return;
	if (body.model === 'gpt-image-2' && !gptImage2Size(body.size))
		return err(res, 'openai', 400, `Invalid size '${body.size}'. ` +
		    'Both sides must be multiples of 16, the aspect ratio ' +
		    'between 1:3 and 3:1, at most 3840x2160.', 'invalid_value');
	if (magic(raw, 'moderate'))
		return err(res, 'openai', 400, 'Your request was rejected by ' +
		    'the safety system.', 'moderation_blocked');
	const [w, h] = /^\d+x\d+$/.test(body.size || '') ?
	    body.size.split('x').map(Number) : [64, 64];
	const n = body.n || 1;
	const img = png(w, h).toString('base64');
	// ImagesResponse, every field; GPT image models answer b64_json only
	// (no url), as the SDK's comment on response_format says.
	const out = instance(C.openai['/images/generations'].output, { w, h,
	    kind: 'image', special: (p) => p === 'data' ? Array(n).fill({
	    b64_json: img, revised_prompt: body.prompt }) : p === 'size' ?
	    (body.size || 'auto') : p === 'output_format' ? (body.output_format
	    || 'png') : undefined });
	return send(res, 200, out, { 'x-request-id': `req_${rid()}` });
}

async function xai(req, res, path, body, raw) {
	const c = await common(req, res, 'xai', raw);
	if (c) return c;
	if (magic(raw, 'moderate'))
		return err(res, 'xai', 400, 'Generated image rejected by ' +
		    'content moderation.', 'content_policy');
	const n = body.n || 1;
	const item = body.response_format === 'b64_json' ?
	    { b64_json: png(64, 64).toString('base64'), mime_type: 'image/png' } :
	    { url: base() + fileFor('image', {}), mime_type: 'image/png' };
	return send(res, 200, { data: Array(n).fill(item),
	    usage: { cost_in_usd_ticks: 1 } }, { 'x-request-id': rid() });
}

async function google(req, res, path, body, raw) {
	if (req.method === 'GET' && path === '/models') {
		if (!authOk.google(req.headers))
			return err(res, 'google', 401, 'API key not valid.');
		return send(res, 200, { models: catalog.google.map((id) => ({
		    name: `models/${id}`, supportedGenerationMethods:
		    ['generateContent'] })) });
	}
	const c = await common(req, res, 'google', raw);
	if (c) return c;
	let m;
	if ((m = /^\/models\/([^:]+):/.exec(path))) {
		if (catalog.googleRetired.test(m[1]))
			return err(res, 'google', 404, `models/${m[1]} is no ` +
			    'longer available. Imagen models were shut down on ' +
			    '2026-08-17; migrate to Gemini image models.',
			    'NOT_FOUND');
		if (!catalog.google.includes(m[1]))
			return err(res, 'google', 404, `models/${m[1]} is not ` +
			    'found for API version v1beta, or is not supported ' +
			    'for generateContent.', 'NOT_FOUND');
		for (const k of unknownKeys('google', 'generateContent', body))
			return err(res, 'google', 400, 'Invalid JSON ' +
			    `payload received. Unknown name "${k}": ` +
			    'Cannot find field.', 'INVALID_ARGUMENT');
		if (/:generateContent$/.test(path) &&
		    refuse(res, 'google', 'generateContent', body))
			return;
	}
	if ((m = /^\/models\/([^:]+):generateContent$/.exec(path))) {
		if (magic(raw, 'moderate'))
			return send(res, 200, { promptFeedback: {
			    blockReason: 'PROHIBITED_CONTENT' },
			    responseId: rid() });
		// The response type's fields; a Part holds exactly one field
		// (the SDK's own comment), so the candidate's parts are a text
		// and an image; a success carries no promptFeedback block.
		return send(res, 200, instance(C.google.generateContent.output,
		    { kind: 'image', special: (p) => p === 'candidates' ? [{
		    content: { role: 'model', parts: [{ text: 'Here is your ' +
		    'image.' }, { inlineData: { mimeType: 'image/png', data:
		    png(64, 64).toString('base64') } }] }, finishReason: 'STOP',
		    index: 0 }] : p === 'promptFeedback' ? OMIT :
		    p === 'modelVersion' ? m[1] : p === 'responseId' ?
		    `resp-${rid()}` : undefined }));
	}
	if ((m = /^\/models\/([^:]+):predict$/.exec(path))) {
		const n = magic(raw, 'moderate') ? 0 :
		    (body.parameters?.sampleCount || 1);
		return send(res, 200, { predictions: Array(n).fill({
		    bytesBase64Encoded: png(64, 64).toString('base64'),
		    mimeType: 'image/png' }) });
	}
	return err(res, 'google', 404, 'model not found', 'NOT_FOUND');
}

// fal's OpenAPI per endpoint (GET https://fal.ai/api/openapi/queue/
// openapi.json?endpoint_id=<id>): under /fal-openapi/openapi.json the
// document built from the contract (no difference); under
// /fal-openapi/recorded/openapi.json the recorded reply of
// contracts/fal-openapi-recorded.json where it has the id.
const falRecorded = JSON.parse(fs.readFileSync(new URL(
    './contracts/fal-openapi-recorded.json', import.meta.url), 'utf8'));
function falOpenapi(req, res, path, body, raw, query) {
	const id = query.get('endpoint_id') || '';
	if (path === '/recorded/openapi.json' && falRecorded[id])
		return send(res, 200, falRecorded[id]);
	if (path !== '/openapi.json' && path !== '/recorded/openapi.json')
		return send(res, 404, { detail: 'Not Found' });
	if (!C.fal[id])
		return send(res, 404, { detail: `Endpoint ${id} not found` });
	return send(res, 200, openapiOf(id, C.fal[id].input));
}

// fal platform API: GET /v1/models?endpoint_id=a&endpoint_id=b.
function falApi(req, res, path, body, raw, query) {
	if (!authOk.fal(req.headers))
		return err(res, 'fal', 401, 'missing credentials');
	if (path !== '/models')
		return send(res, 404, { detail: 'Not Found' });
	const want = query.getAll('endpoint_id');
	return send(res, 200, { models: want.filter((id) => falIds.has(id))
	    .map((id) => ({ endpoint_id: id, metadata: { status: 'active' } })),
	    has_more: false, next_cursor: null });
}

function wav(ms = 500) {
	const data = Buffer.alloc(Math.round(44.1 * ms) * 2);
	const h = Buffer.alloc(44);
	h.write('RIFF', 0); h.writeUInt32LE(36 + data.length, 4);
	h.write('WAVEfmt ', 8); h.writeUInt32LE(16, 16);
	h.writeUInt16LE(1, 20); h.writeUInt16LE(1, 22);
	h.writeUInt32LE(44100, 24); h.writeUInt32LE(88200, 28);
	h.writeUInt16LE(2, 32); h.writeUInt16LE(16, 34);
	h.write('data', 36); h.writeUInt32LE(data.length, 40);
	return Buffer.concat([h, data]);
}

async function elevenlabs(req, res, path, body, raw, query) {
	if (req.method === 'GET' && path === '/v1/models') {
		if (!authOk.elevenlabs(req.headers))
			return err(res, 'elevenlabs', 401, 'Invalid API key',
			    'invalid_api_key');
		return send(res, 200, catalog.elevenlabs.map((model_id) => ({
		    model_id, can_do_text_to_speech: true })));
	}
	const c = await common(req, res, 'elevenlabs', raw);
	if (c) return c;
	if (body.model_id !== undefined &&
	    !catalog.elevenlabs.includes(body.model_id))
		return err(res, 'elevenlabs', 400, `Model ${body.model_id} ` +
		    'does not exist', 'model_not_found');
	if (magic(raw, 'moderate'))
		return err(res, 'elevenlabs', 400, 'This request violates our ' +
		    'content moderation policy', 'content_policy_violation');
	if (!/^\/v1\/(sound-generation|music|text-to-speech\/[A-Za-z0-9]+)$/
	    .test(path))
		return err(res, 'elevenlabs', 404, 'not found', 'not_found');
	const key = path.replace(/^\/v1\/text-to-speech\/.*/,
	    '/v1/text-to-speech/{voice_id}');
	if (refuse(res, 'elevenlabs', key, body) || refuse(res, 'elevenlabs',
	    key, Object.fromEntries(query), 'query'))
		return;
	const fmt = query.get('output_format') || 'mp3_44100_128';
	const hdr = { 'request-id': `el-${rid()}` };
	if (fmt === 'pcm_44100' || fmt === 'mp3_44100_192')
		return err(res, 'elevenlabs', 403, `The output format ${fmt} ` +
		    'requires a Pro subscription or higher.',
		    'output_format_not_allowed');
	if (fmt.startsWith('pcm_'))
		return send(res, 200, pcm(), { ...hdr,
		    'content-type': 'audio/pcm' });
	if (fmt === 'wav_44100')
		return send(res, 200, wav(), { ...hdr,
		    'content-type': 'audio/wav' });
	return send(res, 200, mp3(), { ...hdr, 'content-type': 'audio/mpeg' });
}

function repPrediction(id, j) {
	const p = { id, model: j.model, version: 'v1', input: j.body.input,
	    logs: '', error: null, status: 'starting', output: null,
	    created_at: new Date().toISOString(), urls: {
	    get: `${base()}/replicate/v1/predictions/${id}`,
	    cancel: `${base()}/replicate/v1/predictions/${id}/cancel`,
	    stream: `${base()}/replicate/v1/stream/${id}` } };
	if (j.cancelled) {
		p.status = 'canceled';
		return p;
	}
	if (magic(j.raw, 'hang') || (magic(j.raw, 'wait') && j.polls < 2) ||
	    busyFor(j)) {
		p.status = j.polls ? 'processing' : 'starting';
		return p;
	}
	if (magic(j.raw, 'moderate')) {
		p.status = 'failed';
		p.error = 'NSFW content detected. Try running it again, or ' +
		    'try a different prompt.';
		return p;
	}
	if (magic(j.raw, '5xx')) {
		p.status = 'failed';
		p.error = 'CUDA error: device-side assert triggered';
		return p;
	}
	const w = j.body.input?.width || 64, h = j.body.input?.height || 64;
	const f = () => base() + (magic(j.raw, 'expired') ?
	    '/files/expired/out.png' : fileFor('image', { w, h }));
	p.status = 'succeeded';
	p.output = magic(j.raw, 'two') ? [f(), f()] : [f()];
	p.metrics = { predict_time: 0.5 };
	return p;
}

async function replicate(req, res, path, body, raw) {
	let m;
	if (req.method === 'GET' &&
	    (m = /^\/models\/([^/]+\/[^/]+)$/.exec(path))) {
		if (!authOk.replicate(req.headers))
			return err(res, 'replicate', 401, 'Unauthenticated');
		if (!catalog.replicate.includes(m[1]))
			return err(res, 'replicate', 404, 'Not found');
		return send(res, 200, { owner: m[1].split('/')[0],
		    name: m[1].split('/')[1], latest_version: { id: 'v1' } });
	}
	if ((m = /^\/predictions\/([^/]+)(\/cancel)?$/.exec(path))) {
		if (!authOk.replicate(req.headers))
			return err(res, 'replicate', 401, 'Unauthenticated');
		const j = jobs.get(m[1]);
		if (!j)
			return err(res, 'replicate', 404, 'Not found');
		if (m[2]) {
			j.cancelled = true;
			return send(res, 200, repPrediction(m[1], j));
		}
		j.polls++;
		return send(res, 200, repPrediction(m[1], j));
	}
	const c = await common(req, res, 'replicate', raw);
	if (c) return c;
	let model;
	if ((m = /^\/models\/([^/]+\/[^/]+)\/predictions$/.exec(path)))
		model = m[1];
	else if (path === '/predictions' && body.version)
		model = `version:${body.version}`;
	else
		return err(res, 'replicate', 404, 'Not found');
	if (!body.input || typeof body.input !== 'object')
		return err(res, 'replicate', 422, '- input: Input is required');
	const id = rid().replace(/-/g, '').slice(0, 20);
	const j = { provider: 'replicate', model, raw, body, polls: 0,
	    t0: Date.now() };
	jobs.set(id, j);
	return send(res, 201, repPrediction(id, j));
}

function files(req, res, path, query) {
	// Inputs for the image_url guard tests: a redirect to anywhere, a
	// "PNG" of a chosen size, and a body that is not an image.
	if (path === '/files/redirect')
		return send(res, 302, Buffer.alloc(0),
		    { location: query.get('to') || '/' });
	if (path === '/files/big.png')
		return send(res, 200, Buffer.concat([png(8, 8),
		    Buffer.alloc(Number(query.get('bytes')) || 0)]),
		    { 'content-type': 'image/png' });
	if (path === '/files/page.txt')
		return send(res, 200, Buffer.from('<html>not an image</html>'),
		    { 'content-type': 'text/html' });
	if (path.startsWith('/files/expired/'))
		return send(res, 403, Buffer.from('<?xml version="1.0"?><Error>' +
		    '<Code>AuthenticationFailed</Code><Message>Signed expiry ' +
		    'time has passed</Message></Error>'),
		    { 'content-type': 'application/xml' });
	if (path.endsWith('.png'))
		return send(res, 200, png(Number(query.get('w')) || 64,
		    Number(query.get('h')) || 64), { 'content-type': 'image/png' });
	if (path.endsWith('.mp3'))
		return send(res, 200, mp3(), { 'content-type': 'audio/mpeg' });
	if (path.endsWith('.wav'))
		return send(res, 200, wav(), { 'content-type': 'audio/wav' });
	if (path.endsWith('.webp'))
		return send(res, 200, webp(Number(query.get('w')) || 64,
		    Number(query.get('h')) || 64), { 'content-type': 'image/webp' });
	if (path.endsWith('.mp4'))
		return send(res, 200, mp4(Number(query.get('w')) || 1280,
		    Number(query.get('h')) || 720, Number(query.get('s')) || 5),
		    { 'content-type': 'video/mp4' });
	return send(res, 404, { error: 'no such file' });
}

const routes = [
	['/api/v1', venice], ['/fal', fal], ['/bfl', bfl],
	['/openai/v1', openai], ['/google/v1beta', google], ['/xai/v1', xai],
	['/elevenlabs', elevenlabs], ['/replicate/v1', replicate],
	['/fal-api/v1', falApi], ['/fal-openapi', falOpenapi],
];

const hanging = new Set();
const server = http.createServer((req, res) => {
	const chunks = [];
	req.on('data', (c) => chunks.push(c));
	req.on('end', async () => {
		const u = new URL(req.url, 'http://x');
		const raw = Buffer.concat(chunks).toString('utf8');
		let body = {};
		try { body = raw ? JSON.parse(raw) : {}; } catch { body = null; }
		if (u.pathname === '/__fake/requests')
			return send(res, 200, requests);
		if (u.pathname === '/__fake/violations')
			return send(res, 200, violations);
		if (u.pathname === '/__fake/reset') {
			requests.length = 0;
			violations.length = 0;
			seen.clear();
			jobs.clear();
			return send(res, 200, { ok: true });
		}
		if (u.pathname.startsWith('/files/'))
			return files(req, res, u.pathname, u.searchParams);
		for (const [prefix, fn] of routes) {
			if (!u.pathname.startsWith(prefix + '/'))
				continue;
			const path = u.pathname.slice(prefix.length);
			requests.push({ provider: fn.name, method: req.method,
			    path: u.pathname, query: Object.fromEntries(
			    u.searchParams), headers: req.headers, body });
			if (body === null)
				return send(res, 400, { error: 'malformed JSON' });
			try {
				const r = await fn(req, res, path, body, raw,
				    u.searchParams);
				if (r === 'hang')
					hanging.add(res);
			} catch (e) {
				send(res, 500, { error: String(e) });
			}
			return;
		}
		send(res, 404, { error: 'no fake here' });
	});
});

// The contracts first (derived from the providers' artefacts, or read
// from the cache derive.mjs keeps): no request is answered without them.
const extraFal = (process.env.SF_FAKE_FAL_IDS || '').split(',')
    .filter(Boolean);
C = await deriveContracts({ falIds: [...defRoutes().filter((r) =>
    r.provider === 'fal').map((r) => r.upstream), ...extraFal] });
V = validator(C);

server.listen(Number(process.argv[2] || 0), '127.0.0.1', () => {
	port = server.address().port;
	process.stdout.write(JSON.stringify({ port }) + '\n');
});
for (const s of ['SIGTERM', 'SIGINT'])
	process.on(s, () => {
		for (const r of hanging)
			r.destroy();
		server.close();
		process.exit(0);
	});
