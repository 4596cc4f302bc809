// Checking one upstream request body against its contract (derive.mjs)
// and the limits written beside it (limits.mjs), with ajv.
//
//   const v = validator(contracts);
//   v.check('fal', 'fal-ai/flux-2-pro', body) ->
//       [{ path: 'image_size.width', msg: 'must be number', kind }]
//
// kind: 'schema' (the published type), 'limit' (a limit stated in words),
// 'unreviewed' (a field we send whose description reads like a limit that
// is neither encoded nor reviewed in limits.mjs), 'stale' (a limit whose
// quoted source is no longer in the artefact), 'ignored' (a field the type
// does not declare: the provider drops it; not an error there, but the
// contract suite fails on it too, as an input of ours lost).
import { createRequire } from 'node:module';
import { LIMITS, REVIEWED, checkLimits, pick } from './limits.mjs';

const require = createRequire(import.meta.url);
const Ajv = require('ajv');

const BOUNDS = ['minimum', 'maximum', 'exclusiveMinimum', 'exclusiveMaximum',
    'minLength', 'maxLength', 'multipleOf', 'enum', 'maxItems', 'minItems'];
const LIMITISH = /\b(max(imum)?|min(imum)?|between|up to|at most|at least|must|multiple of|range|limit|characters|only)\b/i;

// The schema of the value at path "a.b[].c" (following $ref, anyOf/oneOf/
// allOf branches that have the property); null when the type has none.
export function schemaAt(root, p) {
	const defs = root.definitions || {};
	const deref = (s) => {
		let n = 0;
		while (s && s.$ref && n++ < 20)
			s = defs[s.$ref.split('/').pop()];
		return s;
	};
	const branches = (s) => {
		s = deref(s);
		if (!s)
			return [];
		const alts = [...(s.anyOf || []), ...(s.oneOf || []),
		    ...(s.allOf || [])].flatMap(branches);
		return [s, ...alts];
	};
	let cur = [root];
	for (const seg of p.split('.')) {
		const arr = seg.endsWith('[]');
		const k = arr ? seg.slice(0, -2) : seg;
		const next = [];
		for (const s of cur.flatMap(branches)) {
			let v = s.properties?.[k];
			if (v === undefined)
				continue;
			if (arr)
				v = branches(v).find((b) => b.items)?.items;
			if (v !== undefined)
				next.push(v);
		}
		if (next.length === 0)
			return null;
		cur = next;
	}
	return cur.flatMap(branches).find((s) => s.description) ||
	    deref(cur[0]);
}

// Leaf paths of a JSON value: "a", "b.c", "d[]".
function leaves(v, p = '', out = []) {
	if (Array.isArray(v)) {
		if (v.length > 0 && v.every((x) => x && typeof x === 'object' &&
		    !Array.isArray(x)))
			for (const x of v)
				leaves(x, `${p}[]`, out);
		else
			out.push(`${p}[]`);
		out.push(p);
	} else if (v && typeof v === 'object') {
		for (const [k, x] of Object.entries(v))
			leaves(x, p ? `${p}.${k}` : k, out);
		if (p)
			out.push(p);
	} else if (p)
		out.push(p);
	return [...new Set(out)];
}

function dotted(instancePath) {
	return instancePath.replace(/^\//, '').replace(/\/(\d+)(?=\/|$)/g,
	    '[]').replace(/\//g, '.');
}

export function validator(contracts) {
	const ajv = new Ajv({ strict: false, allErrors: true,
	    validateFormats: false });
	const compiled = new Map();
	const schemaOf = (provider, key, part = 'input') =>
	    contracts[provider]?.[key]?.[part] ?? null;
	function compile(provider, key, part) {
		const k = `${provider}|${key}|${part}`;
		if (!compiled.has(k)) {
			const s = schemaOf(provider, key, part);
			compiled.set(k, s ? ajv.compile(s) : null);
		}
		return compiled.get(k);
	}
	function check(provider, key, body, part = 'input') {
		const bad = [];
		const fn = compile(provider, key, part);
		if (fn === null)
			return [{ path: '', kind: 'schema', msg: `no contract for ` +
			    `${provider} ${key} (${part}): derive.mjs has none` }];
		if (!fn(body))
			for (const e of fn.errors) {
				let m = e.message;
				if (e.keyword === 'enum')
					m += `: ${e.params.allowedValues.join(', ')}`;
				if (e.keyword === 'additionalProperties')
					m += `: ${e.params.additionalProperty}`;
				bad.push({ path: dotted(e.instancePath), kind: 'schema',
				    msg: m });
			}
		// A value that matches none of anyOf's branches repeats as one
		// error per branch; keep the schema errors few and readable.
		if (part !== 'input')
			return bad;
		for (const e of checkLimits(provider, key, body))
			bad.push({ ...e, kind: 'limit' });
		const root = schemaOf(provider, key, part);
		for (const l of (LIMITS[provider] || []).filter((x) =>
		    x.ids.includes(key))) {
			const s = schemaAt(root, l.field);
			const d = (s?.description || '').replace(/\s+/g, ' ');
			if (!d.includes(l.quote.replace(/\s+/g, ' ')))
				bad.push({ path: l.field, kind: 'stale', msg: 'the ' +
				    `limit quoting "${l.quote}" is no longer in the ` +
				    `description of ${l.field}` });
		}
		// Fields the type does not declare: the provider ignores them
		// (not an error), but an input of ours dropped on the floor is
		// worth knowing: reported as kind 'ignored'.
		let top = root;
		while (top && top.$ref)
			top = root.definitions?.[top.$ref.split('/').pop()];
		const props = top?.properties || {};
		if (top && top.additionalProperties !== false)
			for (const k of Object.keys(body))
				if (!(k in props))
					bad.push({ path: k, kind: 'ignored', msg: 'not ' +
					    'declared by the published type: the ' +
					    'provider ignores it' });
		for (const p of leaves(body)) {
			const s = schemaAt(root, p);
			const d = s?.description;
			if (!d || !LIMITISH.test(d))
				continue;
			const field = p.split('.').pop().replace(/\[\]$/, '');
			// Bounds the schema itself carries are enforced by ajv.
			const covered = BOUNDS.some((k) => s[k] !== undefined) ||
			    (LIMITS[provider] || []).some((l) =>
			    l.ids.includes(key) && (l.field === p ||
			    l.field.split('.').pop() === field)) ||
			    REVIEWED.some((r) => (r.field === p || r.field ===
			    field) && d.replace(/\s+/g, ' ').includes(r.phrase));
			if (!covered)
				bad.push({ path: p, kind: 'unreviewed', msg: 'its ' +
				    `description states a limit that limits.mjs ` +
				    `neither encodes nor reviews: "${d.slice(0, 300)}"` });
		}
		return bad;
	}
	return { check, schemaOf, pick };
}
