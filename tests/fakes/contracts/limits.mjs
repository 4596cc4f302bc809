// Limits the providers state only in words: a field's description (or a
// model validator, for BFL's client) says "Max 500 characters" while the
// published type says string.  Each is written here beside the generated
// schema, with the source line quoted; validate.mjs checks that every
// quote still appears in the description of its field, so a limit whose
// source changed or vanished is noticed, not silently kept.
//
// Rules:  maxLength/minLength (characters), min/max (numbers), maxItems,
// pixels {min, max} (an image_size object's width x height; adjust: the
// provider rescales instead of refusing), gptImage2 (OpenAI's size rule on
// fal's image_size or OpenAI's "WxH"), requiredUnless (the field is
// required unless one of these is true), onlyWith (this value only with
// that field's value), oneOf (string values the description lists).
//
// REVIEWED: phrases that look like limits on fields the adapters send, read
// and judged to need no rule (the reason says why).  validate.mjs reports a
// field we send whose description reads like a limit and is in neither
// list, so a new model's limits cannot be missed.

const gpt2 = 'Concrete sizes must have both dimensions as multiples of 16, ' +
    'max edge 3840px, aspect ratio <= 3:1, total pixels between 655,360 ' +
    'and 8,294,400.';

export const LIMITS = {
	fal: [
		{ ids: ['fal-ai/minimax-music/v2.5'], field: 'prompt',
		  maxLength: 2000, quote: 'Max 2000 characters.' },
		{ ids: ['fal-ai/minimax-music/v2.5'], field: 'lyrics',
		  maxLength: 3500, quote: 'Max 3500 characters.' },
		{ ids: ['fal-ai/minimax-music/v2.5'], field: 'lyrics',
		  requiredUnless: ['is_instrumental', 'lyrics_optimizer'],
		  quote: 'Required when is_instrumental is false and ' +
		  'lyrics_optimizer is false.' },
		{ ids: ['fal-ai/qwen-image-2/pro/text-to-image',
		  'fal-ai/qwen-image-2/text-to-image',
		  'fal-ai/wan/v2.7/text-to-image'], field: 'negative_prompt',
		  maxLength: 500, quote: 'Max 500 characters.' },
		{ ids: ['fal-ai/qwen-image-2/pro/text-to-image',
		  'fal-ai/qwen-image-2/text-to-image'], field: 'image_size',
		  pixels: { min: 512 * 512, max: 2048 * 2048 },
		  quote: 'Total number of pixels must be between 512x512 and ' +
		  '2048x2048.' },
		{ ids: ['fal-ai/bytedance/seedream/v4/text-to-image'],
		  field: 'image_size', pixels: { min: 960 * 960,
		  max: 4096 * 4096 }, quote: 'Total pixels must be between ' +
		  '960x960 and 4096x4096.' },
		{ ids: ['bytedance/seedream/v5/lite/text-to-image',
		  'bytedance/seedream/v5/lite/edit'], field: 'image_size',
		  pixels: { min: 2560 * 1440, max: 4096 * 4096, adjust: true },
		  quote: 'Total pixels must be between 2560x1440 and 4096x4096. ' +
		  'In case the image size does not fall within these ' +
		  'parameters, the image size will be adjusted to by scaling.' },
		{ ids: ['openai/gpt-image-2'], field: 'image_size',
		  gptImage2: true, quote: gpt2 },
		{ ids: ['fal-ai/bria/expand'], field: 'canvas_size',
		  maxArea: 5000 * 5000, quote: 'should have an area of less ' +
		  'than 5000x5000 pixels.' },
		{ ids: ['fal-ai/flux-2/klein/9b/edit'], field: 'image_urls',
		  maxItems: 4, quote: 'A maximum of 4 images are allowed.' },
		{ ids: ['openai/gpt-image-2/edit'], field: 'image_urls',
		  maxItems: 16, quote: 'A maximum of 16 images are allowed.' },
		{ ids: ['fal-ai/elevenlabs/sound-effects/v2'],
		  field: 'duration_seconds', min: 0.5, max: 22,
		  quote: 'Duration in seconds (0.5-22).' },
		{ ids: ['fal-ai/elevenlabs/music'], field: 'music_length_ms',
		  min: 3000, max: 600000, quote: 'Must be between 3000ms and ' +
		  '600000ms.' },
		{ ids: ['fal-ai/wan/v2.7/text-to-image'], field: 'max_images',
		  min: 1, max: 5, quote: 'Maximum number of images to generate ' +
		  '(1-5).' },
		{ ids: ['fal-ai/birefnet/v2'], field: 'operating_resolution',
		  onlyWith: { value: '2304x2304', field: 'model',
		  is: 'General Use (Dynamic)' }, quote: 'The \'2304x2304\' ' +
		  'option is only available for the \'General Use (Dynamic)\' ' +
		  'model.' },
	],
	openai: [
		{ ids: ['/images/generations'], field: 'prompt', maxLength: 32000,
		  quote: 'The maximum length is 32000 characters.' },
		{ ids: ['/images/generations'], field: 'n', min: 1, max: 10,
		  quote: 'Must be between 1 and 10.' },
		{ ids: ['/images/generations'], field: 'output_compression',
		  min: 0, max: 100, quote: 'The compression level (0-100%)' },
		{ ids: ['/images/generations'], field: 'size', gptImage2: true,
		  when: { model: /^gpt-image-2/ }, quote: 'Width and height must ' +
		  'both be divisible by 16 and the requested aspect ratio must ' +
		  'be between 1:3 and 3:1.' },
	],
	google: [
		{ ids: ['generateContent'],
		  field: 'generationConfig.imageConfig.aspectRatio',
		  oneOf: ['1:1', '2:3', '3:2', '3:4', '4:3', '9:16', '16:9',
		  '21:9'], quote: 'Supported values are\n     "1:1", "2:3", "3:2", ' +
		  '"3:4", "4:3", "9:16", "16:9", and "21:9".' },
		{ ids: ['generateContent'],
		  field: 'generationConfig.imageConfig.imageSize',
		  oneOf: ['1K', '2K', '4K'], quote: 'Supported\n     values are ' +
		  '`1K`, `2K`, `4K`.' },
	],
	elevenlabs: [
		{ ids: ['/v1/text-to-speech/{voice_id}'], field: 'seed', min: 0,
		  max: 4294967295, doc: true, quote: 'Must be integer between 0 ' +
		  'and 4294967295.' },
	],
};

export const REVIEWED = [
	{ field: 'duration', phrase: 'Supports 4 to 15 seconds',
	  reason: 'the type is the enum "auto" | "4" ... "15": the schema ' +
	  'enforces it' },
	{ field: 'image_url', phrase: 'Max 30 MB', reason: 'a size of the ' +
	  'fetched file; our URL guard caps inputs at 20 MiB' },
	{ field: 'end_image_url', phrase: 'Max 30 MB', reason: 'as image_url' },
	{ field: 'image_urls', phrase: 'up to 10 image inputs are allowed',
	  reason: 'more are not refused ("only the last 10 will be used"); ' +
	  'we send one' },
	{ field: 'max_images', phrase: 'between `num_images` and ' +
	  '`max_images*num_images`', reason: 'describes the output count, ' +
	  'no bound' },
	{ field: 'mask_only', phrase: 'only the mask will be returned',
	  reason: 'a boolean switch, no bound' },
	{ field: 'prompt', phrase: 'supports prompts in English only',
	  reason: 'a language, not a bound the fake can check; the ' +
	  'definition says so' },
	{ field: 'force_instrumental', phrase: 'Can only be used with prompt',
	  reason: 'we always send prompt, never composition_plan' },
	{ field: 'music_length_ms', phrase: 'Used only in conjunction with ' +
	  'prompt', reason: 'we always send prompt' },
	{ field: 'output_format', phrase: 'requires you to be subscribed',
	  reason: 'a plan requirement; we send mp3_44100_128' },
	{ field: 'limit_generations', phrase: 'limit the number of ' +
	  'generations', reason: 'a boolean switch, no bound' },
	{ field: 'thinking_level', phrase: "('minimal' or 'high')",
	  reason: 'the type is the enum minimal | high' },
	{ field: 'expand_prompt', phrase: 'MagicPrompt', reason: 'a boolean ' +
	  'switch' },
	{ field: 'next_text', phrase: 'multiple generations', reason: 'no ' +
	  'bound' },
	{ field: 'previous_text', phrase: 'multiple generations',
	  reason: 'no bound' },
	{ field: 'output_format', phrase: '(non-streaming only)',
	  reason: 'we never stream' },
	{ field: 'prompt', phrase: 'x = 0.01-99.99 seconds', reason: 'the ' +
	  'range of a pause tag inside the text, which we never write' },
	{ field: 'loras', phrase: 'up to 3 LoRAs', reason: 'we send none' },
	{ field: 'n', phrase: 'Must be between 1 and 10', reason: 'encoded ' +
	  'as a limit' },
	{ field: 'model', phrase: 'Specify a model explicitly', reason: 'we ' +
	  'always send model' },
	{ field: 'output_format', phrase: 'only supported for the GPT image ' +
	  'models', reason: 'we call GPT image models only' },
	{ field: 'quality', phrase: 'supported for the GPT image models',
	  reason: 'the type is the enum' },
	{ field: 'background', phrase: 'Must be one of', reason: 'the type ' +
	  'is the enum' },
	{ field: 'moderation', phrase: 'Must be either', reason: 'the type ' +
	  'is the enum' },
	{ field: 'contents[].role', phrase: "Must be either 'user' or 'model'",
	  reason: 'we send role user' },
	{ field: 'contents[].parts[]', phrase: 'Exactly one field within a ' +
	  'Part should be set', reason: 'checked by the fake: each part we ' +
	  'send has one field (text or inlineData)' },
	{ field: 'contents[].parts[].inlineData.data', phrase: 'Required',
	  reason: 'the word, not a bound' },
	{ field: 'contents[].parts[].inlineData.mimeType', phrase: 'Required',
	  reason: 'the word, not a bound' },
	{ field: 'contents[].parts[].text', phrase: 'only', reason: 'no bound' },
	{ field: 'generationConfig.responseModalities', phrase: 'only',
	  reason: 'no bound' },
	{ field: 'language_code', phrase: 'will be ignored', reason: 'an ' +
	  'unsupported language is ignored, not refused' },
	{ field: 'model_id', phrase: 'can_do_text_to_speech', reason: 'the ' +
	  'catalogue check (GET /v1/models) covers it' },
	{ field: 'prompt', phrase: 'Character limit is model specific',
	  reason: 'Venice serves each model\'s promptCharacterLimit from GET ' +
	  '/models at run time only (data/static-models.json carries none); ' +
	  'the schema\'s maxLength 7500 is enforced and our prompts are ' +
	  'shorter' },
	{ field: 'negative_prompt', phrase: 'Character limit is model specific',
	  reason: 'as prompt' },
	{ field: 'voice_settings', phrase: 'applied only on the given request',
	  reason: 'no bound: says the settings last one request' },
];

// Paths look like "a.b[].c": the value(s) at that path of obj.
export function pick(obj, p) {
	let cur = [obj];
	for (const seg of p.split('.')) {
		const arr = seg.endsWith('[]');
		const k = arr ? seg.slice(0, -2) : seg;
		const next = [];
		for (const o of cur) {
			if (o === null || typeof o !== 'object' || !(k in o))
				continue;
			if (arr && Array.isArray(o[k]))
				next.push(...o[k]);
			else if (!arr)
				next.push(o[k]);
		}
		cur = next;
	}
	return cur;
}

function gptImage2Size(w, h) {
	const lo = Math.min(w, h), hi = Math.max(w, h);
	if (w % 16 !== 0 || h % 16 !== 0)
		return 'both sides must be multiples of 16';
	if (hi > 3840)
		return 'the longer edge must be at most 3840px';
	if (hi > 3 * lo)
		return 'the aspect ratio must be at most 3:1';
	if (w * h < 655360 || w * h > 8294400)
		return 'total pixels must be between 655,360 and 8,294,400';
	return null;
}

// The sizes fal's image_size presets stand for (fal's docs: square_hd
// 1024x1024, square 512x512, portrait_4_3 768x1024, portrait_16_9
// 576x1024, landscape_4_3 1024x768, landscape_16_9 1024x576).
export const FAL_PRESETS = {
	square_hd: [1024, 1024], square: [512, 512],
	portrait_4_3: [768, 1024], portrait_16_9: [576, 1024],
	landscape_4_3: [1024, 768], landscape_16_9: [1024, 576],
};

// Every limit of (provider, key) that body breaks: [{path, msg, quote}].
export function checkLimits(provider, key, body) {
	const bad = [];
	for (const l of LIMITS[provider] || []) {
		if (!l.ids.includes(key))
			continue;
		if (l.when && !Object.entries(l.when).every(([f, re]) =>
		    re.test(String(body[f] ?? ''))))
			continue;
		const vals = pick(body, l.field);
		const say = (msg) => bad.push({ path: l.field, msg, quote: l.quote });
		if (l.requiredUnless) {
			if (vals.length === 0 && !l.requiredUnless.some((f) =>
			    body[f] === true))
				say(`${l.field} is required unless ${
				    l.requiredUnless.join(' or ')} is true`);
			continue;
		}
		for (const v of vals) {
			if (l.maxLength !== undefined && typeof v === 'string' &&
			    [...v].length > l.maxLength)
				say(`at most ${l.maxLength} characters`);
			if (l.min !== undefined && typeof v === 'number' && v < l.min)
				say(`at least ${l.min}`);
			if (l.max !== undefined && typeof v === 'number' && v > l.max)
				say(`at most ${l.max}`);
			if (l.maxItems !== undefined && Array.isArray(v) &&
			    v.length > l.maxItems)
				say(`at most ${l.maxItems} items`);
			if (l.oneOf && !l.oneOf.includes(v))
				say(`one of ${l.oneOf.join(', ')}`);
			if (l.onlyWith && v === l.onlyWith.value &&
			    body[l.onlyWith.field] !== l.onlyWith.is)
				say(`${v} only with ${l.onlyWith.field} ` +
				    `${l.onlyWith.is}`);
			let w, h;
			if (v && typeof v === 'object' && 'width' in v)
				[w, h] = [v.width, v.height];
			else if (typeof v === 'string' && /^\d+x\d+$/.test(v))
				[w, h] = v.split('x').map(Number);
			if (w === undefined)
				continue;
			if (l.pixels && !l.pixels.adjust && (w * h < l.pixels.min ||
			    w * h > l.pixels.max))
				say(`width x height must be between ${l.pixels.min} ` +
				    `and ${l.pixels.max} pixels (${w}x${h})`);
			if (l.maxArea !== undefined && w * h >= l.maxArea)
				say(`area must be below ${l.maxArea} pixels`);
			if (l.gptImage2) {
				const e = gptImage2Size(w, h);
				if (e)
					say(`${e} (${w}x${h})`);
			}
		}
	}
	return bad;
}

// The size the provider really produces for a requested image_size
// (limits with adjust: it rescales into its pixel range, keeping the
// ratio); null when it keeps the request.
export function adjustedSize(provider, key, body) {
	for (const l of LIMITS[provider] || []) {
		if (!l.ids.includes(key) || !l.pixels?.adjust)
			continue;
		const v = pick(body, l.field)[0];
		if (!v || typeof v !== 'object' || !('width' in v))
			return null;
		const a = v.width * v.height;
		const f = a < l.pixels.min ? Math.sqrt(l.pixels.min / a) :
		    a > l.pixels.max ? Math.sqrt(l.pixels.max / a) : 1;
		return f === 1 ? null : [Math.round(v.width * f),
		    Math.round(v.height * f)];
	}
	return null;
}
