// TRY IT on an endpoint page: check the form as the server would, ask the
// server for the price (the unpaid request: a 400 is shown as it comes,
// before any wallet is asked anything), show what will be paid, and only
// on "Sign and pay" connect the wallet and have it sign; then show the
// result and the settlement.  The payment is made by the official client:
// @x402/fetch's wrapFetchWithPayment with @x402/evm or @x402/svm, whose
// onBeforePaymentCreation hook is where the buyer says yes or no.
//
// Answers are handled by status in ANSWERS below: 200 the result; 202 a
// job (long work, jobs(7)), whose status URL is polled, as its
// retry_after says, until it succeeded (the result and the settlement),
// failed or was cancelled (not charged).
import { wrapFetchWithPayment, x402Client, decodePaymentResponseHeader } from '@x402/fetch';
import { collect, check } from './check.js';
import { connectEvm } from './evm.js';
import { connectSvm } from './svm.js';
import { WalletError } from './errors.js';

const $ = (id) => document.getElementById(id);

function el(tag, attrs = {}, ...kids) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === 'class') e.className = v;
    else e.setAttribute(k, v);
  }
  for (const k of kids) e.append(k);
  return e;
}

// Atomic units -> "0.010000 USDC" style, exact (no floating point).
export function usdc(amount, decimals = 6) {
  const s = String(amount).padStart(decimals + 1, '0');
  const whole = s.slice(0, -decimals), frac = s.slice(-decimals).replace(/0+$/, '');
  return `${whole}.${frac.padEnd(2, '0')}`;
}

const ui = {
  status(text) { $('try-status').textContent = text; },
  reset(form) {
    this.status('');
    for (const id of ['try-error', 'try-result', 'try-quote']) { $(id).hidden = true; $(id).replaceChildren(); }
    for (const p of form.querySelectorAll('.field-error')) { p.hidden = true; p.textContent = ''; }
    for (const f of form.querySelectorAll('[aria-invalid]')) f.removeAttribute('aria-invalid');
  },
  // An error in our shape: what happened, the code, and what follows.
  error(form, { code, message, field }, after) {
    const box = $('try-error');
    box.replaceChildren(el('p', {}, el('strong', {}, message)),
      el('p', { class: 'code' }, `error.code: ${code}${field ? ` \u00b7 field: ${field}` : ''}`));
    if (after) box.append(el('p', {}, after));
    box.hidden = false;
    const input = field && form.querySelector(`[data-param="${CSS.escape(field)}"]`);
    if (input) {
      input.setAttribute('aria-invalid', 'true');
      const p = $(`try-${field}-error`);
      if (p) { p.textContent = message; p.hidden = false; }
    }
    this.status('');
  },
  // What will be paid; resolves true on "Sign and pay", false on "Cancel".
  quote(req, required, net) {
    const box = $('try-quote');
    const secs = Number(req.maxTimeoutSeconds);
    const sign = el('button', { type: 'button', id: 'try-sign' }, 'Sign and pay');
    const cancel = el('button', { type: 'button', id: 'try-cancel', class: 'secondary' }, 'Cancel');
    box.replaceChildren(
      el('h3', {}, 'You are about to pay'),
      el('dl', { class: 'meta' },
        el('dt', {}, 'amount'), el('dd', { id: 'try-amount' }, `${usdc(req.amount)} USDC`, el('small', {}, ` (${req.amount} atomic units)`)),
        el('dt', {}, 'network'), el('dd', { id: 'try-network-quoted' }, `${net.label} (${req.network})`),
        el('dt', {}, 'payee'), el('dd', {}, el('code', { id: 'try-payee' }, req.payTo)),
        el('dt', {}, 'asset'), el('dd', {}, el('code', {}, req.asset)),
        el('dt', {}, 'valid for'), el('dd', { id: 'try-validity' }, `${secs} seconds after you sign (it covers the work and its settlement)`),
        el('dt', {}, 'for'), el('dd', {}, el('code', {}, required.resource?.url ?? ''))),
      el('p', { class: 'note' }, 'Your wallet will ask you to sign this exact payment.  It is settled only when the work is done; if it fails you pay nothing.'),
      el('p', { class: 'actions' }, sign, ' ', cancel));
    box.hidden = false;
    this.status('The server quoted this price.  Nothing has been signed yet.');
    return new Promise((resolve) => {
      sign.addEventListener('click', () => { sign.disabled = cancel.disabled = true; resolve(true); }, { once: true });
      cancel.addEventListener('click', () => { sign.disabled = cancel.disabled = true; resolve(false); }, { once: true });
      sign.focus();
    });
  },
};

// The result: the media (image, audio or video player), the settlement
// and the whole answer.
function showResult(section, net, json, settlement) {
  const box = $('try-result');
  const media = section.dataset.media;
  let src = json?.[section.dataset.mediaOutput];
  if (!src && json?.base64 && json?.mimeType) src = `data:${json.mimeType};base64,${json.base64}`;
  const kids = [el('h3', {}, 'Result')];
  if (typeof src === 'string' && /^(https?:|data:)/.test(src)) {
    if (media === 'image') kids.push(el('img', { id: 'try-media', src, alt: 'the generated image' }));
    else if (media === 'audio') kids.push(el('audio', { id: 'try-media', src, controls: '' }));
    else if (media === 'video') kids.push(el('video', { id: 'try-media', src, controls: '' }));
    kids.push(el('p', {}, el('a', { href: src.startsWith('data:') ? '#try-result' : src, id: 'try-media-link' }, src.startsWith('data:') ? 'inline result' : src)));
  }
  if (settlement) {
    const tx = settlement.transaction || '';
    const dd = el('dd', {}, el('code', { id: 'try-tx' }, tx || '(none)'));
    if (tx && net.explorer) {
      dd.append(' ', el('a', { id: 'try-explorer', href: `${net.explorer}${tx}${net.explorerSuffix}`, rel: 'noopener noreferrer', target: '_blank' }, 'view on the explorer'));
    }
    kids.push(el('h3', {}, 'Settlement'), el('dl', { class: 'meta', id: 'try-settlement' },
      el('dt', {}, 'network'), el('dd', { id: 'try-settled-network' }, settlement.network || net.value),
      el('dt', {}, 'transaction'), dd,
      el('dt', {}, 'payer'), el('dd', {}, el('code', {}, settlement.payer || ''))));
  }
  kids.push(el('details', {}, el('summary', {}, 'the whole answer (JSON)'), el('pre', { class: 'code' }, el('code', { id: 'try-json' }, JSON.stringify(json, null, 2)))));
  box.replaceChildren(...kids);
  box.hidden = false;
}

async function errorOf(res) {
  const text = await res.text();
  try {
    const j = JSON.parse(text);
    if (j?.error?.code) return j.error;
    if (j?.error && typeof j.error === 'string') return { code: j.error, message: j.message || j.error };
  } catch { /* not JSON */ }
  return { code: `http_${res.status}`, message: `The server answered ${res.status} ${res.statusText}: ${text.slice(0, 300)}` };
}

// What to do with the answer to the paid request, by status.
const ANSWERS = {
  async 200(ctx, res) {
    const json = await res.json();
    const h = res.headers.get('PAYMENT-RESPONSE') || res.headers.get('X-PAYMENT-RESPONSE');
    let settlement = null;
    try { settlement = h ? decodePaymentResponseHeader(h) : null; } catch { /* shown without */ }
    showResult(ctx.section, ctx.net, json, settlement);
    ui.status(ctx.paid ? 'Done: paid and delivered.' : 'Done.');
  },
  async 202(ctx, res) {
    let job = await res.json();
    const h = res.headers.get('PAYMENT-RESPONSE');
    let first = null;
    try { first = h ? decodePaymentResponseHeader(h) : null; } catch { /* shown without */ }
    while (job?.status === 'queued' || job?.status === 'running') {
      ui.status(`Paid and accepted: the job is ${job.status}${job.progress ? ` (${job.progress})` : ''}; ` +
        `nothing is charged unless it succeeds${first ? ' (this payment was settled at the submit)' : ''}.`);
      await new Promise((r) => setTimeout(r, 1000 * Math.min(30, Math.max(1, Number(job.retry_after) || 5))));
      const r = await globalThis.fetch(job.status_url, { headers: { accept: 'application/json' } });
      if (r.status === 429) continue;
      if (r.status !== 200) return ui.error(null, await errorOf(r), 'The job could not be read; its status link is ' + job.status_url);
      job = await r.json();
    }
    if (job?.status === 'succeeded') {
      showResult(ctx.section, ctx.net, job.result, job.settlement);
      return ui.status('Done: paid and delivered.');
    }
    return ui.error(null, job?.error ?? { code: 'job_failed', message: `The job ${job?.status}.` },
      `The job ${job?.status}: the message above says what was charged.`);
  },
};

async function connect(net, onSign) {
  if (net.family === 'evm') return connectEvm(Number(net.chainId), onSign);
  return connectSvm(net.value, net.rpc, onSign);
}

async function run(section, form) {
  ui.reset(form);
  const c = collect(form);
  const bad = c.error ?? check(section, form, c.body);
  if (bad) return ui.error(form, bad, 'Checked on this page: nothing was sent and nothing was paid.');
  const opt = $('try-network').selectedOptions[0];
  const net = {
    value: opt.value, label: opt.textContent.replace(/ \u2014 .*$/, ''), family: opt.dataset.family,
    chainId: opt.dataset.chainId, rpc: opt.dataset.rpc || '', asset: opt.dataset.asset,
    explorer: opt.dataset.explorer || '', explorerSuffix: opt.dataset.explorerSuffix || '',
  };
  const ctx = { section, net, paid: false, cancelled: false, walletError: null, signAsked: false, session: null };

  // The scheme is the wallet's, connected once the buyer says yes.
  const lazy = {
    scheme: 'exact',
    async createPaymentPayload(version, req, extra) {
      try {
        const p = await ctx.session.scheme.createPaymentPayload(version, req, extra);
        ctx.paid = true;
        return p;
      } catch (e) { ctx.walletError = e; throw e; }
    },
  };
  const client = new x402Client((_v, reqs) => reqs.find((r) => r.network === net.value) ?? reqs[0])
    .register(net.value, lazy)
    .registerPolicy((_v, reqs) => reqs.filter((r) => r.network === net.value))
    // Never more than this endpoint can cost, in this network's asset.
    .setSpendControls({ allowedAssets: [{ network: net.value, asset: net.asset, maxAmountPerPayment: section.dataset.maxAmount }] });
  client.onBeforePaymentCreation(async ({ paymentRequired, selectedRequirements }) => {
    if (!(await ui.quote(selectedRequirements, paymentRequired, net))) {
      ctx.cancelled = true;
      return { abort: true, reason: 'cancelled by the buyer' };
    }
    ui.status('Connecting your wallet\u2026');
    try {
      ctx.session = await connect(net, () => { ctx.signAsked = true; ui.status('Sign the payment in your wallet\u2026'); });
    } catch (e) { ctx.walletError = e; return { abort: true, reason: e.message }; }
    ui.status(`Connected ${ctx.session.address}.`);
    return undefined;
  });

  const pay = wrapFetchWithPayment(globalThis.fetch.bind(globalThis), client);
  ui.status('Asking the server for the price\u2026');
  let res;
  try {
    res = await pay(section.dataset.path, {
      method: section.dataset.method,
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify(c.body),
    });
  } catch (e) {
    const we = ctx.walletError;
    if (ctx.cancelled)
      return ui.error(form, { code: 'cancelled', message: 'Cancelled: nothing was signed and nothing was paid.' });
    if (we instanceof WalletError && we.code === 'rejected')
      return ui.error(form, { code: 'signature_refused', message: `${we.message}  Nothing was paid and the request was not sent.` });
    if (we instanceof WalletError)
      return ui.error(form, { code: we.code, message: `${we.message}  Nothing was paid.` });
    if (e instanceof TypeError)
      return ui.error(form, { code: 'network_error', message: `The server could not be reached (${e.message}).  Nothing was paid.` });
    return ui.error(form, { code: 'payment_failed', message: `The payment could not be made: ${(we ?? e).message}.  Nothing was paid.` });
  }
  $('try-quote').hidden = true;
  const answer = ANSWERS[res.status];
  if (answer) return answer(ctx, res);
  const e = await errorOf(res);
  // Before any payment (a 400, a 503): the server's own words.
  if (!ctx.paid)
    return ui.error(form, e, res.status === 402 ? 'The server asked for a payment this page cannot make.' : 'The server refused the request before asking for any payment: nothing was signed or paid.');
  return ui.error(form, e, `The paid request got ${res.status}: the message above says what happened to the payment.`);
}

function init() {
  const section = $('try');
  const form = $('try-form');
  if (!section || !form) return;
  section.hidden = false;
  const button = $('try-run');
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    if (button.disabled) return;
    button.disabled = true;
    run(section, form).catch((e) => ui.error(form, { code: 'page_error', message: `Something went wrong on this page: ${e?.message ?? e}.  Nothing was paid unless a settlement is shown.` }))
      .finally(() => { button.disabled = false; section.dataset.state = 'idle'; });
    section.dataset.state = 'busy';
  });
  section.dataset.state = 'idle';
}

if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', init);
else init();
