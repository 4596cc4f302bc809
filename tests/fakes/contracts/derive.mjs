// The upstream contracts, derived at test time from what each provider
// publishes (SOURCES.md lists every artefact with its version or commit):
//
//   fal         @fal-ai/client (npm, pinned in tests/package.json):
//               src/types/endpoints.d.ts; ids the release lacks from
//               fal-js-381105e.ts (the client's repository, pinned commit)
//   OpenAI      openai (npm): ImageGenerateParamsNonStreaming, ImagesResponse
//   Google      @google/genai (npm): Content, GenerationConfig, ImageConfig,
//               GenerateContentResponse
//   ElevenLabs  @elevenlabs/elevenlabs-js (npm): the wire ("Raw") types of
//               its serialization layer
//   Venice      venice-api-docs-601b7bb.json (its OpenAPI document)
//   BFL         bfl-blackforest.json (its API client's request models)
//
// TypeScript types become JSON Schema through ts-json-schema-generator;
// OpenAPI schemas are turned into JSON Schema draft-07 (nullable,
// boolean exclusive bounds, component $refs).  The result is cached under
// tests/node_modules/.cache/ keyed by a hash of every input, so a change
// to any artefact (or to this file) derives again.
//
//   import { contracts } from './derive.mjs';
//   const c = await contracts({ falIds });	// {fal:{id:{input,output}},...}
//   node derive.mjs [--ids]                    // print (or list the fal ids)
import fs from 'node:fs';
import path from 'node:path';
import os from 'node:os';
import crypto from 'node:crypto';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const tests = path.resolve(here, '../..');
const root = path.resolve(tests, '..');
const nm = path.join(tests, 'node_modules');
const require = createRequire(path.join(tests, 'package.json'));

export const FAL_GIT = {
	file: path.join(here, 'fal-js-381105e.ts'),
	repo: 'fal-ai/fal-js', commit: '381105e138b85502b528fb8f6c16d909e30e462a',
	date: '2026-08-02', path: 'libs/client/src/types/endpoints.ts',
};
export const FAL_CORRECTIONS = path.join(here, 'fal-corrections.json');
export const VENICE_DOC = path.join(here, 'venice-api-docs-601b7bb.json');
export const BFL_DOC = path.join(here, 'bfl-blackforest.json');

function pkgVersion(name) {
	return JSON.parse(fs.readFileSync(path.join(nm, name, 'package.json'),
	    'utf8')).version;
}
export function versions() {
	return {
		'@fal-ai/client': pkgVersion('@fal-ai/client'),
		openai: pkgVersion('openai'),
		'@google/genai': pkgVersion('@google/genai'),
		'@elevenlabs/elevenlabs-js': pkgVersion('@elevenlabs/elevenlabs-js'),
		'ts-json-schema-generator': pkgVersion('ts-json-schema-generator'),
		typescript: require('ts-json-schema-generator/package.json') &&
		    pkgVersion('typescript'),
	};
}

// Every (provider, upstream) the definitions route to, read from the
// definition files: each model initializer { .id = ..., .provider = ...,
// .upstream = ... }.  Adding a model adds its contract.
export function routes(dir = path.join(root, 'endpoints')) {
	const out = [];
	for (const f of fs.readdirSync(dir).filter((x) => x.endsWith('.c')).sort()) {
		const src = fs.readFileSync(path.join(dir, f), 'utf8');
		const re = /\{\s*\.id\s*=\s*"([^"]+)"([^{}]*)\}/g;
		let m;
		while ((m = re.exec(src)) !== null) {
			const p = /\.provider\s*=\s*"([^"]+)"/.exec(m[2]);
			const u = /\.upstream\s*=\s*"([^"]+)"/.exec(m[2]);
			if (p && u)
				out.push({ file: f, model: m[1], provider: p[1],
				    upstream: u[1] });
		}
	}
	return out;
}

// Keys of an EndpointTypeMap in a .ts / .d.ts file.
function mapKeys(file) {
	const t = fs.readFileSync(file, 'utf8');
	const i = t.indexOf('export type EndpointTypeMap = {');
	if (i < 0)
		throw new Error(`no EndpointTypeMap in ${file}`);
	const keys = new Set();
	const re = /^\s+"([^"]+)": \{$/gm;
	re.lastIndex = i;
	let m;
	while ((m = re.exec(t)) !== null)
		keys.add(m[1]);
	return keys;
}

export function falSources() {
	return {
		npm: path.join(nm, '@fal-ai/client/src/types/endpoints.d.ts'),
		git: FAL_GIT.file,
	};
}

// ---- TypeScript -> JSON Schema ---------------------------------------

function tsSchemas(entrySource, typeName) {
	const { createGenerator } = require('ts-json-schema-generator');
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sf-contracts-'));
	try {
		const entry = path.join(dir, 'entry.ts');
		fs.writeFileSync(entry, entrySource);
		fs.writeFileSync(path.join(dir, 'tsconfig.json'), JSON.stringify({
		    compilerOptions: { strict: true, skipLibCheck: true,
		    target: 'es2022', module: 'es2022', moduleResolution: 'node',
		    lib: ['es2022', 'dom'], noEmit: true } }));
		const g = createGenerator({ path: entry, tsconfig:
		    path.join(dir, 'tsconfig.json'), type: typeName,
		    skipTypeCheck: true, expose: 'none', topRef: false,
		    jsDoc: 'extended', additionalProperties: true });
		return g.createSchema(typeName);
	} finally {
		fs.rmSync(dir, { recursive: true, force: true });
	}
}

// fal-js widens every URL input to `string | Blob | File` for its upload
// helper (it uploads a Blob or takes a File's url and sends a string):
// on the wire the field is a string.  Blob comes out of the generator as
// {size, type}; File is fal's own {url, content_type?, ...}.
function isBlobOrFile(s) {
	const p = s && s.type === 'object' && s.properties;
	return p && ((p.size && p.type && Object.keys(p).length === 2) ||
	    (p.url && p.file_data !== undefined));
}
export function wireStrings(s) {
	if (Array.isArray(s))
		return s.map(wireStrings);
	if (!s || typeof s !== 'object')
		return s;
	if (Array.isArray(s.anyOf) && s.anyOf.some((x) => x && x.type ===
	    'string') && s.anyOf.some(isBlobOrFile)) {
		const rest = s.anyOf.filter((x) => !isBlobOrFile(x));
		const o = { ...s };
		delete o.anyOf;
		return rest.length === 1 ? { ...o, ...wireStrings(rest[0]) } :
		    { ...o, anyOf: wireStrings(rest) };
	}
	const o = {};
	for (const [k, v] of Object.entries(s))
		o[k] = wireStrings(v);
	return o;
}

function deriveFal(ids) {
	const src = falSources();
	const npmKeys = mapKeys(src.npm), gitKeys = mapKeys(src.git);
	const lines = [
	    `import type { EndpointTypeMap as Npm } from ${JSON.stringify(
	    src.npm.replace(/\.d\.ts$/, ''))};`,
	    `import type { EndpointTypeMap as Git } from ${JSON.stringify(
	    src.git.replace(/\.ts$/, ''))};`, 'export type All = {'];
	const origin = {};
	const fix = JSON.parse(fs.readFileSync(FAL_CORRECTIONS, 'utf8'));
	for (const id of ids) {
		// A visibly wrong npm type (another model's) yields to the
		// repository's, which matches fal's documentation of the id.
		const from = fix[id] && gitKeys.has(id) ? 'Git' :
		    npmKeys.has(id) ? 'Npm' : gitKeys.has(id) ? 'Git' : null;
		if (from === null)
			throw new Error(`fal id ${id}: in neither @fal-ai/client ` +
			    `${pkgVersion('@fal-ai/client')} nor ${path.basename(
			    src.git)}; add its types from fal-js ` +
			    '(extract-fal-js.mjs)');
		origin[id] = from === 'Npm' ? `npm @fal-ai/client@${pkgVersion(
		    '@fal-ai/client')} src/types/endpoints.d.ts` :
		    `github ${FAL_GIT.repo}@${FAL_GIT.commit.slice(0, 7)} ` +
		    `${FAL_GIT.path}` + (fix[id] ? ` (corrected: ${fix[id].why})` :
		    '');
		lines.push(`  ${JSON.stringify(id)}: ${from}[${JSON.stringify(
		    id)}];`);
	}
	lines.push('};');
	const all = tsSchemas(lines.join('\n') + '\n', 'All');
	const defs = all.definitions && Object.keys(all.definitions).length ?
	    { definitions: wireStrings(all.definitions) } : {};
	const out = {};
	for (const id of ids) {
		const e = all.properties[id];
		out[id] = { source: origin[id],
		    input: { ...wireStrings(e.properties.input), ...defs },
		    output: { ...e.properties.output, ...defs } };
	}
	return out;
}

function deriveTs(imports, types) {
	const lines = [...imports, 'export type All = {'];
	for (const [k, t] of Object.entries(types))
		lines.push(`  ${JSON.stringify(k)}: ${t};`);
	lines.push('};');
	// Recursive types stay as $refs into the root's definitions: each
	// schema carries them.
	const all = tsSchemas(lines.join('\n') + '\n', 'All');
	const out = {};
	for (const [k, v] of Object.entries(all.properties))
		out[k] = all.definitions && Object.keys(all.definitions).length ?
		    { ...v, definitions: all.definitions } : v;
	return out;
}

function deriveOpenai() {
	const p = JSON.stringify(path.join(nm, 'openai/resources/images'));
	const s = deriveTs([`import type { ImageGenerateParamsNonStreaming, ` +
	    `ImagesResponse } from ${p};`], {
	    generate: 'ImageGenerateParamsNonStreaming',
	    response: 'ImagesResponse' });
	return { '/images/generations': { source: `npm openai@${pkgVersion(
	    'openai')} resources/images.d.ts ImageGenerateParamsNonStreaming`,
	    input: s.generate, output: s.response } };
}

function deriveGoogle() {
	const p = JSON.stringify(path.join(nm, '@google/genai/dist/genai'));
	// The REST body of models.generateContent.  The SDK's own converter
	// (generateContentParametersToMldev) sends config.imageConfig as
	// generationConfig.imageConfig, so the wire GenerationConfig is the
	// SDK's GenerationConfig plus imageConfig.
	const s = deriveTs([`import type { Content, GenerationConfig, ` +
	    `ImageConfig, SafetySetting, Tool, ToolConfig, Candidate, ` +
	    `GenerateContentResponsePromptFeedback, ` +
	    `GenerateContentResponseUsageMetadata } from ${p};`], {
	    request: '{ contents: Content[]; generationConfig?: ' +
	    'GenerationConfig & { imageConfig?: ImageConfig }; ' +
	    'safetySettings?: SafetySetting[]; systemInstruction?: Content; ' +
	    'tools?: Tool[]; toolConfig?: ToolConfig; cachedContent?: string }',
	    // GenerateContentResponse is a class with getters; its wire
	    // fields are these (sdkHttpResponse is the SDK's own).
	    response: '{ candidates?: Candidate[]; createTime?: string; ' +
	    'responseId?: string; modelVersion?: string; promptFeedback?: ' +
	    'GenerateContentResponsePromptFeedback; usageMetadata?: ' +
	    'GenerateContentResponseUsageMetadata }' });
	return { generateContent: { source: `npm @google/genai@${pkgVersion(
	    '@google/genai')} dist/genai.d.ts`, input: s.request,
	    output: s.response } };
}

function deriveElevenlabs() {
	const base = path.join(nm, '@elevenlabs/elevenlabs-js/serialization/' +
	    'resources');
	const api = path.join(nm, '@elevenlabs/elevenlabs-js/api/resources');
	const s = deriveTs([
	    `import type { BodyTextToSpeechFull } from ${JSON.stringify(
	    path.join(base, 'textToSpeech/client/requests/' +
	    'BodyTextToSpeechFull'))};`,
	    `import type { CreateSoundEffectRequest } from ${JSON.stringify(
	    path.join(base, 'textToSoundEffects/client/requests/' +
	    'CreateSoundEffectRequest'))};`,
	    `import type { BodyComposeMusicV1MusicPost } from ${JSON.stringify(
	    path.join(base, 'music/client/requests/' +
	    'BodyComposeMusicV1MusicPost'))};`,
	    `import type { TextToSpeechConvertRequestOutputFormat } from ` +
	    `${JSON.stringify(path.join(api, 'textToSpeech/types/' +
	    'TextToSpeechConvertRequestOutputFormat'))};`,
	    `import type * as Api from ${JSON.stringify(path.join(nm,
	    '@elevenlabs/elevenlabs-js/api'))};`], {
	    tts: 'BodyTextToSpeechFull.Raw',
	    sfx: 'CreateSoundEffectRequest.Raw',
	    music: 'BodyComposeMusicV1MusicPost.Raw',
	    format: 'TextToSpeechConvertRequestOutputFormat',
	    ttsDoc: 'Api.BodyTextToSpeechFull',
	    sfxDoc: 'Api.CreateSoundEffectRequest',
	    musicDoc: 'Api.BodyComposeMusicV1MusicPost' });
	// The wire ("Raw") types carry no comments: each field takes the
	// description of its camelCase twin in the SDK's API type.
	const camel = (k) => k.replace(/_([a-z])/g, (_, c) => c.toUpperCase());
	for (const [raw, doc] of [['tts', 'ttsDoc'], ['sfx', 'sfxDoc'],
	    ['music', 'musicDoc']])
		for (const [k, v] of Object.entries(s[raw].properties || {})) {
			const d = s[doc].properties?.[camel(k)]?.description;
			if (d && !v.description)
				v.description = d;
		}
	const src = `npm @elevenlabs/elevenlabs-js@${pkgVersion(
	    '@elevenlabs/elevenlabs-js')} serialization/`;
	const q = { type: 'object', properties: { output_format: s.format } };
	return {
		'/v1/text-to-speech/{voice_id}': { source: src + 'resources/' +
		    'textToSpeech/client/requests/BodyTextToSpeechFull.d.ts Raw',
		    input: s.tts, query: q },
		'/v1/sound-generation': { source: src + 'resources/' +
		    'textToSoundEffects/client/requests/CreateSoundEffectRequest' +
		    '.d.ts Raw', input: s.sfx, query: q },
		'/v1/music': { source: src + 'resources/music/client/requests/' +
		    'BodyComposeMusicV1MusicPost.d.ts Raw', input: s.music,
		    query: q },
	};
}

// ---- OpenAPI 3.0 -> JSON Schema draft-07 -----------------------------

export function oasToJsonSchema(s) {
	if (Array.isArray(s))
		return s.map(oasToJsonSchema);
	if (!s || typeof s !== 'object')
		return s;
	const o = {};
	for (const [k, v] of Object.entries(s)) {
		if (k === '$ref' && typeof v === 'string')
			o.$ref = v.replace('#/components/schemas/', '#/definitions/');
		else if (k === 'nullable' || k === 'example' || k === 'examples' ||
		    k.startsWith('x-'))
			continue;
		else
			o[k] = oasToJsonSchema(v);
	}
	if (s.nullable === true && o.type !== undefined)
		o.type = [].concat(o.type, 'null');
	else if (s.nullable === true && o.type === undefined && !o.$ref &&
	    !o.anyOf && !o.oneOf && !o.allOf)
		;	/* any value already */
	else if (s.nullable === true)
		return { anyOf: [o, { type: 'null' }] };
	for (const [b, e] of [['minimum', 'exclusiveMinimum'],
	    ['maximum', 'exclusiveMaximum']])
		if (o[e] === true) {
			o[e] = o[b] ?? 0;
			delete o[b];
		} else if (o[e] === false)
			delete o[e];
	return o;
}

function deriveVenice() {
	const doc = JSON.parse(fs.readFileSync(VENICE_DOC, 'utf8'));
	const defs = oasToJsonSchema(doc.components.schemas);
	const src = `github veniceai/api-docs@${doc['x-source'].commit.slice(0,
	    7)} swagger.yaml (${path.basename(VENICE_DOC)})`;
	const out = {};
	for (const [p, item] of Object.entries(doc.paths)) {
		const op = item.post;
		const body = op.requestBody?.content?.['application/json']?.schema;
		const ok = op.responses?.['200']?.content || {};
		out[p] = { source: src, input: body ? { ...oasToJsonSchema(body),
		    definitions: defs } : null, output: ok['application/json'] ?
		    { ...oasToJsonSchema(ok['application/json'].schema),
		    definitions: defs } : null, outputTypes: Object.keys(ok) };
	}
	return out;
}

function deriveBfl() {
	const doc = JSON.parse(fs.readFileSync(BFL_DOC, 'utf8'));
	const defs = doc.definitions;
	const src = `github black-forest-labs/blackforest (${path.basename(
	    BFL_DOC)})`;
	// allOf + extra properties: the parent forbids unknown keys, so the
	// child is the parent's object with the extra properties added.
	const concrete = (name) => {
		const d = defs[name];
		if (!d.allOf)
			return structuredClone(d);
		const base = concrete(d.allOf[0].$ref.split('/').pop());
		Object.assign(base.properties, d['x-extra-properties'] || {});
		return base;
	};
	const out = {};
	for (const [m, spec] of Object.entries(doc.models)) {
		const name = spec.$ref.split('/').pop();
		const input = concrete(name);
		input.definitions = defs;
		if (spec['x-max-reference-images'])
			input['x-max-reference-images'] =
			    spec['x-max-reference-images'];
		out[m] = { source: src, input, output: { definitions: defs,
		    $ref: '#/definitions/GenerationResult' } };
	}
	return out;
}

// ---- the snapshot synthforge-ctl check --online compares with fal ------

// A property's JSON types (integer counted as number, null left out) and
// string values, as providers/fal_schema.c reads fal's OpenAPI.
function collect(root, s, types, vals, depth = 0) {
	const defs = root.definitions || {};
	while (s && s.$ref)
		s = defs[s.$ref.split('/').pop()];
	if (!s || depth > 8)
		return;
	for (const t of [].concat(s.type ?? []))
		if (t !== 'null')
			types.add(t === 'integer' ? 'number' : t);
	for (const v of s.enum ?? [])
		if (typeof v === 'string')
			vals.add(v);
	if (typeof s.const === 'string') {
		vals.add(s.const);
		types.add('string');
	}
	for (const k of ['anyOf', 'oneOf', 'allOf'])
		for (const x of s[k] ?? [])
			collect(root, x, types, vals, depth + 1);
	if (types.size === 0 && vals.size > 0)
		types.add('string');
}

export function summary(input) {
	let top = input;
	while (top && top.$ref)
		top = input.definitions[top.$ref.split('/').pop()];
	const properties = {};
	for (const [k, v] of Object.entries(top.properties ?? {})) {
		const types = new Set(), vals = new Set();
		collect(input, v, types, vals);
		properties[k] = { types: [...types].sort(), enum: [...vals].sort() };
	}
	return { required: [...(top.required ?? [])].sort(), properties };
}

// etc/fal-contracts.json: every routed fal id's input, summarised.
export async function snapshot() {
	const c = await contracts();
	const endpoints = {};
	for (const id of Object.keys(c.fal).sort())
		endpoints[id] = { source: c.fal[id].source.replace(/ \(corrected:.*/,
		    ' (corrected, see tests/fakes/contracts/fal-corrections.json)'),
		    ...summary(c.fal[id].input) };
	return { 'x-source': { note: 'The input contract of every fal ' +
	    'endpoint the definitions route to, summarised (property names, ' +
	    'required, JSON types, string values) from the artefacts the ' +
	    'contract tests derive their schemas from.  Written by node ' +
	    'tests/fakes/contracts/derive.mjs --snapshot; the test suite ' +
	    '(integ/models.test.mjs) fails when it differs from what those ' +
	    'artefacts give.  synthforge-ctl check --online compares it with ' +
	    'the schema fal serves.', versions: c.versions, fal_js: {
	    repo: FAL_GIT.repo, commit: FAL_GIT.commit, date: FAL_GIT.date,
	    path: FAL_GIT.path, test_data: 'tests/fakes/contracts/' +
	    path.basename(FAL_GIT.file) } },
	    endpoints };
}

// fal's OpenAPI document for one endpoint, in the shape fal serves it
// (paths./<id>.post.requestBody -> components.schemas), built from the
// derived input: what the fake serves when nothing else is recorded.
export function openapiOf(id, input) {
	const fix = (s) => JSON.parse(JSON.stringify(s).replaceAll(
	    '"#/definitions/', '"#/components/schemas/'));
	const { definitions, ...rest } = input;
	const name = 'Input';
	return { openapi: '3.0.4', info: { title: id, version: '1.0.0',
	    'x-fal-metadata': { endpointId: id } },
	    components: { schemas: { ...fix(definitions ?? {}),
	    [name]: fix(rest) } },
	    paths: { [`/${id}`]: { post: { requestBody: { required: true,
	    content: { 'application/json': { schema: { $ref:
	    `#/components/schemas/${name}` } } } } } } } };
}

// ---- all, cached -------------------------------------------------------

function hashInputs(falIds) {
	const h = crypto.createHash('sha256');
	for (const f of [fileURLToPath(import.meta.url), FAL_GIT.file,
	    FAL_CORRECTIONS,
	    VENICE_DOC, BFL_DOC, path.join(tests, 'package-lock.json')])
		h.update(fs.readFileSync(f));
	h.update(JSON.stringify(falIds));
	return h.digest('hex').slice(0, 24);
}

export async function contracts({ falIds, cache = true } = {}) {
	falIds = [...new Set(falIds ?? routes().filter((r) => r.provider ===
	    'fal').map((r) => r.upstream))].sort();
	const dir = path.join(nm, '.cache', 'sf-contracts');
	const file = path.join(dir, `${hashInputs(falIds)}.json`);
	if (cache && fs.existsSync(file))
		return JSON.parse(fs.readFileSync(file, 'utf8'));
	const c = { versions: versions(), fal: deriveFal(falIds),
	    openai: deriveOpenai(), google: deriveGoogle(),
	    elevenlabs: deriveElevenlabs(), venice: deriveVenice(),
	    bfl: deriveBfl() };
	if (cache) {
		fs.mkdirSync(dir, { recursive: true });
		const tmp = `${file}.${process.pid}.tmp`;
		fs.writeFileSync(tmp, JSON.stringify(c));
		fs.renameSync(tmp, file);
	}
	return c;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
	if (process.argv[2] === '--snapshot')
		process.stdout.write(JSON.stringify(await snapshot(), null, 1) +
		    '\n');
	else if (process.argv[2] === '--ids')
		for (const r of routes())
			console.log(`${r.provider}\t${r.upstream}\t${r.file}\t${r.model}`);
	else
		process.stdout.write(JSON.stringify(await contracts({ cache:
		    false }), null, 1) + '\n');
}
