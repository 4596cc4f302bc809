// A local S3 stand-in for the media store tests: path-style PUT and GET of
// objects, with every PUT's SigV4 signature checked by an independent
// implementation -- the AWS SDK's own signer (@smithy/signature-v4 with
// @aws-crypto/sha256-js) -- the way S3 checks it
// (docs.aws.amazon.com/AmazonS3/latest/API/sig-v4-header-based-auth.html):
// the signature is recomputed over exactly the headers SignedHeaders
// names, as received (a header listed but not sent, as curl < 8.3 does
// with a removed "Expect:" (curl issue 11664), cannot match); every
// x-amz-* header must be signed; x-amz-content-sha256 must be the body's
// SHA-256; x-amz-date within 15 minutes.  Refusals answer 403 with S3's
// error codes.  GET serves a stored object back with its Content-Type.
//
//   node tests/fakes/s3.mjs [port]  -> {"port":N}; or import { startS3 }.
import http from 'node:http';
import crypto from 'node:crypto';
import { SignatureV4 } from '@smithy/signature-v4';
import { Sha256 } from '@aws-crypto/sha256-js';

function s3error(res, status, code, message) {
	const body = `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code>` +
	    `<Message>${message}</Message></Error>`;
	res.writeHead(status, { 'content-type': 'application/xml',
	    'content-length': Buffer.byteLength(body) });
	res.end(body);
}

function amzDate(s) {
	const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(s || '');
	return m ? new Date(Date.UTC(+m[1], m[2] - 1, +m[3], +m[4], +m[5], +m[6])) : null;
}

// Returns null when the request is signed as S3 wants, else [code, why].
async function verify(req, body, keys) {
	const auth = req.headers.authorization || '';
	const m = /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/s3\/aws4_request, ?SignedHeaders=([a-z0-9;-]+), ?Signature=([0-9a-f]{64})$/
	    .exec(auth);
	if (!m)
		return ['AccessDenied', 'no SigV4 Authorization header'];
	const [, ak, day, region, signedList, sig] = m;
	const secret = keys[ak];
	if (secret === undefined)
		return ['InvalidAccessKeyId', `unknown access key ${ak}`];
	const when = amzDate(req.headers['x-amz-date']);
	if (!when || Math.abs(Date.now() - when.getTime()) > 15 * 60 * 1000 ||
	    req.headers['x-amz-date'].slice(0, 8) !== day)
		return ['RequestTimeTooSkewed', 'x-amz-date missing or skewed'];
	const signed = signedList.split(';');
	for (const h of Object.keys(req.headers))
		if (h.startsWith('x-amz-') && !signed.includes(h))
			return ['AccessDenied', `${h} is not signed`];
	if (!signed.includes('host'))
		return ['AccessDenied', 'host is not signed'];
	const digest = crypto.createHash('sha256').update(body).digest('hex');
	if (req.headers['x-amz-content-sha256'] !== digest)
		return ['XAmzContentSHA256Mismatch', 'payload hash mismatch'];
	// Exactly the headers SignedHeaders names, as they arrived.
	const headers = {};
	for (const h of signed)
		if (req.headers[h] !== undefined)
			headers[h] = req.headers[h];
	const u = new URL(req.url, 'http://x');
	const signer = new SignatureV4({ service: 's3', region, sha256: Sha256,
	    uriEscapePath: false, applyChecksum: false,
	    credentials: { accessKeyId: ak, secretAccessKey: secret } });
	const out = await signer.sign({ method: req.method, protocol: 'http:',
	    hostname: (req.headers.host || '').split(':')[0], path: u.pathname,
	    query: Object.fromEntries(u.searchParams), headers, body },
	    { signingDate: when, signableHeaders: new Set(signed) });
	const want = /Signature=([0-9a-f]{64})/.exec(out.headers.authorization)[1];
	const wantList = /SignedHeaders=([^,]+)/.exec(out.headers.authorization)[1];
	if (wantList !== signedList || want !== sig)
		return ['SignatureDoesNotMatch', 'The request signature we ' +
		    'calculated does not match the signature you provided.'];
	return null;
}

export function startS3({ keys = { AKIDS3TEST: 'test-s3-secret' }, port = 0 } = {}) {
	const objects = new Map();
	const log = [];
	const server = http.createServer((req, res) => {
		const chunks = [];
		req.on('data', (c) => chunks.push(c));
		req.on('end', async () => {
			const body = Buffer.concat(chunks);
			const path = new URL(req.url, 'http://x').pathname;
			if (req.method === 'PUT') {
				const bad = await verify(req, body, keys);
				log.push({ method: 'PUT', path, ok: !bad, why: bad?.[1],
				    headers: req.headers });
				if (bad)
					return s3error(res, 403, bad[0], bad[1]);
				objects.set(path, { body, type:
				    req.headers['content-type'] || 'binary/octet-stream',
				    cache: req.headers['cache-control'] });
				res.writeHead(200, { etag: `"${crypto.createHash('md5')
				    .update(body).digest('hex')}"`, 'content-length': 0 });
				return res.end();
			}
			if (req.method === 'GET' || req.method === 'HEAD') {
				log.push({ method: req.method, path });
				const o = objects.get(path);
				if (!o)
					return s3error(res, 404, 'NoSuchKey',
					    'The specified key does not exist.');
				res.writeHead(200, { 'content-type': o.type,
				    'content-length': o.body.length,
				    ...(o.cache ? { 'cache-control': o.cache } : {}) });
				return res.end(req.method === 'HEAD' ? undefined : o.body);
			}
			return s3error(res, 405, 'MethodNotAllowed', req.method);
		});
	});
	return new Promise((resolve) => server.listen(port, '127.0.0.1', () => {
		const p = server.address().port;
		resolve({ port: p, url: `http://127.0.0.1:${p}`, log, objects,
		    stop: () => new Promise((r) => server.close(() => r())) });
	}));
}

if (import.meta.url === `file://${process.argv[1]}`) {
	const s = await startS3({ port: Number(process.argv[2] || 0) });
	process.stdout.write(JSON.stringify({ port: s.port }) + '\n');
	for (const sig of ['SIGTERM', 'SIGINT'])
		process.on(sig, () => s.stop().then(() => process.exit(0)));
}
