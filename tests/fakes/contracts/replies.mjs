// A provider's successful reply built from its published output type
// (derive.mjs): every property the type declares, optional ones included,
// so an adapter that ignores a field the definition advertises (fal
// birefnet's mask_image) is caught.  Values are plausible, not random:
//
//   file objects (a `url` property)   a fetchable file of the fake, of the
//                                     kind the field names (image, video,
//                                     audio), width/height when declared
//   seed                              ctx.seed
//   width / height                    the size asked for (ctx.w, ctx.h)
//   enums and consts                  their first value
//   other strings / numbers / bools   "x" / 1 / false
//
// ctx.special(path, schema) may answer a value for one path first (the
// fake's per-provider cases: base64 images, Gemini's one-field parts), or
// OMIT to leave that property out.
export const OMIT = Symbol('omit');
const KINDS = [[/video/, 'video'], [/audio/, 'audio'],
    [/mask|image|file$/, 'image']];

export function instance(root, ctx, path = '', s = root, depth = 0) {
	const defs = root.definitions || {};
	while (s && s.$ref)
		s = defs[s.$ref.split('/').pop()];
	if (s === undefined || s === null || depth > 12)
		return null;
	if (ctx.special) {
		const v = ctx.special(path, s);
		if (v !== undefined)
			return v;
	}
	if (s.const !== undefined)
		return s.const;
	if (Array.isArray(s.enum))
		return s.enum[0];
	const alts = s.anyOf || s.oneOf;
	if (alts) {
		const pick = alts.find((a) => a && (a.properties?.url ||
		    (a.$ref && defs[a.$ref.split('/').pop()]?.properties?.url))) ||
		    alts.find((a) => a && a.type !== 'null') || alts[0];
		return instance(root, ctx, path, pick, depth + 1);
	}
	if (s.allOf)
		return Object.assign({}, ...s.allOf.map((a) => instance(root, ctx,
		    path, a, depth + 1)));
	const type = Array.isArray(s.type) ? s.type.find((t) => t !== 'null') :
	    s.type;
	const name = path.split('.').pop().replace(/\[\]$/, '');
	if (type === 'object' || s.properties) {
		const o = {};
		for (const [k, v] of Object.entries(s.properties || {})) {
			const x = instance(root, ctx, path ? `${path}.${k}` : k, v,
			    depth + 1);
			if (x !== OMIT)
				o[k] = x;
		}
		if (s.properties?.url && typeof o.url === 'string') {
			const kind = (KINDS.find(([re]) => re.test(name)) ||
			    [null, ctx.kind])[1];
			const f = ctx.file(kind);
			o.url = f.url;
			if ('content_type' in o)
				o.content_type = f.type;
			if ('file_name' in o)
				o.file_name = f.url.split('/').pop().split('?')[0];
			if ('file_size' in o)
				o.file_size = f.size;
			if ('file_data' in o)
				delete o.file_data;	/* inline data only with sync_mode */
		}
		return o;
	}
	if (type === 'array') {
		const one = instance(root, ctx, `${path}[]`, s.items || {},
		    depth + 1);
		return ctx.two && one && typeof one === 'object' && one.url ?
		    [one, instance(root, ctx, `${path}[]`, s.items, depth + 1)] :
		    [one];
	}
	if (type === 'string')
		return name === 'prompt' || name === 'revised_prompt' ?
		    (ctx.prompt ?? 'x') : 'x';
	if (type === 'integer' || type === 'number') {
		if (name === 'seed')
			return ctx.seed;
		if (name === 'width')
			return ctx.w;
		if (name === 'height')
			return ctx.h;
		return 1;
	}
	if (type === 'boolean')
		return false;
	return {};
}
