// Read /metrics (Prometheus text format) in tests.
//   scrape(url)                       { text, samples: [{ name, labels, value }] }
//   metric(scrape, name, labels)      sum of the samples of name whose labels
//                                     include all of labels (0 if none)
export async function scrape(base, headers = {}) {
  const r = await fetch(`${base}/metrics`, { headers });
  const text = await r.text();
  if (r.status !== 200) throw new Error(`/metrics: ${r.status} ${text.slice(0, 200)}`);
  const samples = [];
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const m = line.match(/^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/);
    if (!m) throw new Error(`bad exposition line: ${line}`);
    const labels = {};
    for (const [, k, v] of (m[2] || '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g))
      labels[k] = v.replace(/\\n/g, '\n').replace(/\\(.)/g, '$1');
    samples.push({ name: m[1], labels, value: Number(m[3]) });
  }
  return { text, samples };
}

export function metric(s, name, labels = {}) {
  return s.samples.filter((x) => x.name === name && Object.entries(labels).every(([k, v]) => x.labels[k] === v))
    .reduce((a, x) => a + x.value, 0);
}
