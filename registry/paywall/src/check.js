// The form's request and the checks the server makes before any 402
// (shared/validate/val.c), in the same words and error codes, read from
// the data-* attributes the generator writes from the definition
// (registry/gen_try.c).  The server stays the judge: what passes here
// may still get its 400, which the page shows as it comes.

// Blank means blank in Unicode: White_Space and the zero-width formats.
const BLANK = /^[\s\u200b\u200c\u200d\u2060\ufeff]*$/u;

const TYPE_NAME = {
  integer: 'an integer', number: 'a number', boolean: 'true or false',
  url: 'an http(s) URL string', string: 'a string',
};

const err = (code, field, message) => ({ code, field, message });

// %g as C prints it, for the numbers in range messages.
function g(v) {
  if (Number.isInteger(v) && Math.abs(v) < 1e6) return String(v);
  let s = v.toPrecision(6);
  if (s.includes('e')) {
    let [m, e] = s.split('e');
    if (m.includes('.')) m = m.replace(/0+$/, '').replace(/\.$/, '');
    const n = Number(e);
    return `${m}e${n < 0 ? '-' : '+'}${String(Math.abs(n)).padStart(2, '0')}`;
  }
  if (s.includes('.')) s = s.replace(/0+$/, '').replace(/\.$/, '');
  return s;
}

/** Inputs of the form, in definition order: [{ name, el, type, ... }]. */
export function fields(form) {
  return [...form.querySelectorAll('[data-param]')].map((el) => ({
    name: el.dataset.param,
    el,
    type: el.dataset.type,
    required: el.dataset.required === '1',
    maxLen: el.dataset.maxLen ? Number(el.dataset.maxLen) : 0,
    min: el.min !== undefined && el.min !== '' ? Number(el.min) : null,
    max: el.max !== undefined && el.max !== '' ? Number(el.max) : null,
    models: el.dataset.models ? el.dataset.models.split(' ') : null,
  }));
}

/**
 * The JSON body the form describes: each input that is set, typed.
 * Returns { body } or { error } (a value that is not of its type).
 */
export function collect(form) {
  const body = {};
  for (const f of fields(form)) {
    const raw = f.el.value;
    if (raw === '') continue;		// not set: the server's default
    switch (f.type) {
      case 'integer':
      case 'number': {
        const v = Number(raw);
        if (raw.trim() === '' || !Number.isFinite(v) || (f.type === 'integer' && !Number.isInteger(v)))
          return { error: err('invalid_type', f.name, `${f.name} must be ${TYPE_NAME[f.type]}`) };
        body[f.name] = v;
        break;
      }
      case 'boolean':
        body[f.name] = raw === 'true';
        break;
      default:
        body[f.name] = raw;
    }
  }
  return { body };
}

// The model the server will run for this body: the explicit model, else
// the tier's, else the endpoint's default (val.c's choice).
function modelOf(section, form, body) {
  const mp = section.dataset.modelParam, tp = section.dataset.tierParam;
  if (mp && body[mp] !== undefined) return body[mp];
  if (tp && body[tp] !== undefined) {
    const opt = form.querySelector(`[data-param="${tp}"] option[value="${CSS.escape(body[tp])}"]`);
    if (opt?.dataset.model) return opt.dataset.model;
  }
  return section.dataset.defaultModel || null;
}

function modelOption(section, form, id) {
  const mp = section.dataset.modelParam;
  if (!mp || !id) return null;
  return form.querySelector(`[data-param="${mp}"] option[value="${CSS.escape(id)}"]`);
}

// A model's size rule (def_size): "min max step max_ratio max_long max_short".
function sizeError(id, opt, body) {
  if (!opt?.dataset.size) return null;
  const [min, max, step, ratio, maxLong, maxShort] = opt.dataset.size.split(' ').map(Number);
  const desc = opt.dataset.sizeDesc || "see the model's size rule";
  const v = [];
  if (typeof body.width === 'number') v.push(['width', body.width]);
  if (typeof body.height === 'number') v.push(['height', body.height]);
  let bad = null;
  for (const [k, x] of v) {
    if ((min > 0 && x < min) || (max > 0 && x > max) || (step > 0 && Math.trunc(x) % step !== 0)) { bad = k; break; }
  }
  if (!bad && v.length === 2) {
    const sh = Math.min(body.width, body.height), lg = Math.max(body.width, body.height);
    if ((ratio > 0 && lg > sh * ratio) || (maxLong > 0 && lg > maxLong) || (maxShort > 0 && sh > maxShort)) bad = 'width';
  }
  return bad ? err('invalid_size', bad, `${id} does not take this size: ${desc}`) : null;
}

/** The first rule the body breaks, as the server would say it, or null. */
export function check(section, form, body) {
  const fs = fields(form);
  for (const f of fs) {
    const v = body[f.name];
    if (v === undefined) continue;
    if (f.type === 'string' || f.type === 'url') {
      if (v.includes('\u0000'))
        return err('invalid_character', f.name, `${f.name} contains U+0000 (\\u0000), which no input accepts: remove it`);
      if (f.required && BLANK.test(v)) return err('empty_field', f.name, `${f.name} must not be empty or blank`);
      const n = [...v].length;
      if (f.maxLen > 0 && n > f.maxLen) return err('too_long', f.name, `${f.name} is ${n} characters long; the limit is ${f.maxLen}`);
      if (f.type === 'url' && !/^https?:\/\//i.test(v)) return err('invalid_url', f.name, `${f.name} must be an http:// or https:// URL`);
    }
    if ((f.type === 'integer' || f.type === 'number') && f.min !== null && f.max !== null && (v < f.min || v > f.max))
      return err('out_of_range', f.name, `${f.name} must be between ${g(f.min)} and ${g(f.max)} (got ${g(v)})`);
  }
  const id = modelOf(section, form, body);
  const opt = modelOption(section, form, id);
  if (opt?.dataset.retired) {
    const r = opt.dataset.replacement;
    return err('model_retired', 'model', `model ${id} is retired (${opt.dataset.retired})${r ? `: use ${r} instead` : ''}`);
  }
  for (const f of fs)
    if (body[f.name] !== undefined && f.models && id && !f.models.includes(id))
      return err('unsupported_parameter', f.name, `model ${id} does not take ${f.name}`);
  for (const f of fs)
    if (f.required && body[f.name] === undefined) return err('missing_field', f.name, `${f.name} is required`);
  return sizeError(id, opt, body);
}
