/**
 * The release report's page: one self-contained HTML file built from cucumber's JSON results. Nothing is fetched when
 * it is opened (styles inline, charts as inline SVG, no script from anywhere), so an archived report reads the same
 * offline, behind a proxy, or years later.
 *
 * Layout, for the people who read it: the run's facts and verdict with a chart; what the target offered (the
 * capability table); then the features grouped by tier, each with its description (the rule in MUST language) and
 * the catalog ids it covers; each scenario with its steps, and — opened when it failed — the error and the
 * attachments (transcripts, diagnostics).
 */

export interface PageStep {
  keyword?: string;
  name?: string;
  hidden?: boolean;
  result?: { status?: string; duration?: number; error_message?: string };
  embeddings?: { data: string; mime_type: string }[];
  doc_string?: { value?: string };
  rows?: { cells: string[] }[];
  arguments?: ({ content?: string } | { rows?: { cells: string[] }[] })[];
}

export interface PageElement {
  name?: string;
  line?: number;
  type?: string;
  tags?: { name: string }[];
  steps?: PageStep[];
  before?: PageStep[];
  after?: PageStep[];
}

export interface PageFeature {
  uri?: string;
  name?: string;
  description?: string;
  tags?: { name: string }[];
  elements?: PageElement[];
}

export interface CapabilityRow {
  name: string;
  available: boolean;
  reason: string;
}

export interface PageInput {
  title: string;
  metadata: Record<string, string>;
  features: PageFeature[];
  capabilities?: CapabilityRow[];
  links?: { href: string; text: string }[];
}

type Verdict = 'passed' | 'failed' | 'skipped';

const TIERS: [string, string][] = [
  ['@smoke', 'Smoke'],
  ['@tier1', 'Tier 1: core automation flows'],
  ['@tier2', 'Tier 2: orchestration and data flow'],
  ['@tier3', 'Tier 3: advanced features and edge cases'],
];

function esc(text: unknown): string {
  return String(text ?? '').replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string);
}

function allSteps(e: PageElement): PageStep[] {
  return [...(e.before ?? []), ...(e.steps ?? []), ...(e.after ?? [])];
}

export function verdictOf(e: PageElement): Verdict {
  const statuses = allSteps(e).map((s) => s.result?.status ?? 'undefined');
  if (statuses.some((s) => ['failed', 'undefined', 'ambiguous', 'pending'].includes(s))) return 'failed';
  if (statuses.some((s) => s === 'skipped')) return 'skipped';
  return 'passed';
}

/** The ids a feature description's "Catalog:" paragraph names (parenthesised commentary left out). */
export function catalogIds(description: string | undefined): string[] {
  const lines = (description ?? '').split('\n').map((l) => l.trim());
  const start = lines.findIndex((l) => l.startsWith('Catalog:'));
  if (start < 0) return [];
  let text = '';
  for (let i = start; i < lines.length && lines[i] !== ''; i++) text += ` ${lines[i]}`;
  text = text.replace('Catalog:', '');
  while (/\([^()]*\)/.test(text)) text = text.replace(/\([^()]*\)/g, ' ');
  const stop = text.search(/\.(\s|$)/);
  if (stop >= 0) text = text.slice(0, stop);
  if (/^\s*no catalog id/i.test(text)) return [];
  const ids = [...text.matchAll(/\bT\d+\.\d+′?/g)].map((m) => m[0]);
  for (const m of text.matchAll(/README examples?\s+((?:\d+)(?:\s*(?:,|and|&)\s*\d+)*)/gi)) for (const n of m[1].match(/\d+/g) ?? []) ids.push(`README ${n}`);
  return [...new Set(ids)];
}

function durationMs(e: PageElement): number {
  return allSteps(e).reduce((n, s) => n + (s.result?.duration ?? 0), 0) / 1e6;
}

function fmtMs(ms: number): string {
  return ms >= 1000 ? `${(ms / 1000).toFixed(1)} s` : `${Math.round(ms)} ms`;
}

function decode(embedding: { data: string; mime_type: string }): string {
  try {
    return Buffer.from(embedding.data, 'base64').toString('utf8');
  } catch {
    return embedding.data;
  }
}

function attachment(embedding: { data: string; mime_type: string }): string {
  const type = embedding.mime_type || 'application/octet-stream';
  if (type.startsWith('image/')) return `<figure class="att"><img alt="attachment" src="data:${esc(type)};base64,${esc(embedding.data)}"></figure>`;
  let text = decode(embedding);
  if (type.includes('json')) {
    try {
      text = JSON.stringify(JSON.parse(text), null, 2);
    } catch {
      /* shown as it came */
    }
  }
  return `<div class="att"><div class="att-type">${esc(type)}</div><pre>${esc(text)}</pre></div>`;
}

function stepArgument(step: PageStep): string {
  const parts: string[] = [];
  for (const a of step.arguments ?? []) {
    if ('content' in a && a.content !== undefined) parts.push(`<pre class="doc">${esc(a.content)}</pre>`);
    if ('rows' in a && a.rows) parts.push(`<table class="data">${a.rows.map((r) => `<tr>${r.cells.map((c) => `<td>${esc(c)}</td>`).join('')}</tr>`).join('')}</table>`);
  }
  return parts.join('');
}

function stepHtml(step: PageStep): string {
  const status = step.result?.status ?? 'undefined';
  const label = step.hidden ? `<span class="hook">${esc((step.keyword ?? 'Hook').trim())} hook</span>` : `<b>${esc((step.keyword ?? '').trim())}</b> ${esc(step.name)}`;
  const error = step.result?.error_message ? `<pre class="error">${esc(step.result.error_message)}</pre>` : '';
  const atts = (step.embeddings ?? []).map(attachment).join('');
  if (step.hidden && status === 'passed' && !atts) return '';
  return `<li class="step ${esc(status)}"><span class="dot"></span>${label} <span class="dur">${step.result?.duration ? fmtMs(step.result.duration / 1e6) : ''}</span>${stepArgument(step)}${error}${atts}</li>`;
}

function scenarioHtml(e: PageElement): string {
  const v = verdictOf(e);
  const tags = (e.tags ?? []).map((t) => `<span class="tag">${esc(t.name)}</span>`).join(' ');
  return `<details class="scenario ${v}"${v === 'failed' ? ' open' : ''}><summary><span class="badge ${v}">${v}</span> ${esc(e.name)} <span class="dur">${fmtMs(durationMs(e))}</span> ${tags}</summary><ol class="steps">${allSteps(e).map(stepHtml).join('')}</ol></details>`;
}

function counts(elements: PageElement[]): Record<Verdict, number> {
  const c: Record<Verdict, number> = { passed: 0, failed: 0, skipped: 0 };
  for (const e of elements) c[verdictOf(e)] += 1;
  return c;
}

function scenarios(f: PageFeature): PageElement[] {
  return (f.elements ?? []).filter((e) => !e.type || e.type === 'scenario');
}

function pie(c: Record<Verdict, number>): string {
  const total = c.passed + c.failed + c.skipped;
  if (total === 0) return '';
  const colors: Record<Verdict, string> = { passed: '#2e9d4f', failed: '#d93a3a', skipped: '#c9a227' };
  let angle = -Math.PI / 2;
  const r = 60;
  const slices = (Object.keys(c) as Verdict[]).filter((k) => c[k] > 0).map((k) => {
    const share = c[k] / total;
    if (share === 1) return `<circle cx="70" cy="70" r="${r}" fill="${colors[k]}"><title>${k}: ${c[k]}</title></circle>`;
    const a2 = angle + share * 2 * Math.PI;
    const large = share > 0.5 ? 1 : 0;
    const p = (a: number) => `${(70 + r * Math.cos(a)).toFixed(2)} ${(70 + r * Math.sin(a)).toFixed(2)}`;
    const d = `M70 70 L${p(angle)} A${r} ${r} 0 ${large} 1 ${p(a2)} Z`;
    angle = a2;
    return `<path d="${d}" fill="${colors[k]}"><title>${k}: ${c[k]}</title></path>`;
  });
  const legend = (Object.keys(c) as Verdict[]).map((k, i) => `<rect x="150" y="${30 + i * 22}" width="14" height="14" fill="${colors[k]}"/><text x="170" y="${42 + i * 22}" font-size="13">${k} ${c[k]}</text>`).join('');
  return `<svg class="chart" width="260" height="140" role="img" aria-label="scenarios by verdict">${slices.join('')}${legend}</svg>`;
}

function tierBars(rows: { label: string; c: Record<Verdict, number> }[]): string {
  const max = Math.max(1, ...rows.map((r) => r.c.passed + r.c.failed + r.c.skipped));
  const w = 300;
  const bars = rows.map((r, i) => {
    const y = 8 + i * 26;
    let x = 90;
    const seg = (k: Verdict, color: string) => {
      const width = Math.round((w * r.c[k]) / max);
      const out = width > 0 ? `<rect x="${x}" y="${y}" width="${width}" height="18" fill="${color}"><title>${k}: ${r.c[k]}</title></rect>` : '';
      x += width;
      return out;
    };
    return `<text x="0" y="${y + 14}" font-size="12">${esc(r.label)}</text>${seg('passed', '#2e9d4f')}${seg('failed', '#d93a3a')}${seg('skipped', '#c9a227')}<text x="${x + 6}" y="${y + 14}" font-size="12">${r.c.passed + r.c.failed + r.c.skipped}</text>`;
  }).join('');
  return `<svg class="chart" width="460" height="${16 + rows.length * 26}" role="img" aria-label="scenarios per tier">${bars}</svg>`;
}

const STYLE = `
body{font-family:-apple-system,"Segoe UI",Roboto,Helvetica,Arial,sans-serif;margin:0;color:#1d1d1f;background:#fafafa}
header{background:#1f2a44;color:#fff;padding:16px 24px}header h1{margin:0;font-size:22px}header .verdict{font-size:18px;margin-top:4px}
main{padding:16px 24px;max-width:1200px}
section.summary{display:flex;flex-wrap:wrap;gap:24px;align-items:flex-start}
table.meta td{padding:2px 10px 2px 0;vertical-align:top}table.meta td:first-child{color:#555}
table.caps{border-collapse:collapse}table.caps td,table.caps th{border:1px solid #ddd;padding:3px 8px;text-align:left}
.yes{color:#2e9d4f;font-weight:600}.no{color:#b35c00;font-weight:600}
h2.tier{border-bottom:2px solid #1f2a44;padding-bottom:4px;margin-top:32px}
.feature{background:#fff;border:1px solid #ddd;border-radius:6px;margin:12px 0;padding:10px 14px}
.feature h3{margin:0 0 6px 0;font-size:17px}.feature .desc{white-space:pre-wrap;color:#333;font-size:14px;margin:6px 0}
.ids span{display:inline-block;background:#e8eefc;color:#1f3f8f;border-radius:3px;padding:0 6px;margin-right:4px;font-size:12px}
.tag{display:inline-block;background:#eee;border-radius:3px;padding:0 5px;font-size:11px;color:#555}
details.scenario{border-left:4px solid #ccc;margin:6px 0;padding:2px 8px;background:#fcfcfc}
details.scenario.passed{border-color:#2e9d4f}details.scenario.failed{border-color:#d93a3a;background:#fff5f5}details.scenario.skipped{border-color:#c9a227}
summary{cursor:pointer;font-size:14px}.badge{display:inline-block;min-width:52px;text-align:center;border-radius:3px;color:#fff;font-size:11px;padding:1px 4px}
.badge.passed{background:#2e9d4f}.badge.failed{background:#d93a3a}.badge.skipped{background:#c9a227}
.dur{color:#888;font-size:11px}ol.steps{list-style:none;padding-left:8px;font-size:13px}
li.step{margin:3px 0}.dot{display:inline-block;width:8px;height:8px;border-radius:4px;margin-right:6px;background:#aaa}
li.passed .dot{background:#2e9d4f}li.failed .dot{background:#d93a3a}li.skipped .dot{background:#c9a227}li.undefined .dot,li.pending .dot{background:#7a4fd6}
pre{white-space:pre-wrap;word-break:break-word;background:#f4f4f4;padding:6px;border-radius:4px;font-size:12px;max-height:420px;overflow:auto}
pre.error{background:#fdeaea;color:#7a1010}.att{margin:4px 0 4px 14px}.att-type{font-size:11px;color:#666}.hook{color:#666;font-style:italic}
table.data{border-collapse:collapse;margin:4px 0 4px 14px;font-size:12px}table.data td{border:1px solid #ddd;padding:1px 6px}
nav.links a{margin-right:14px}
`;

export function renderReportPage(input: PageInput): string {
  const byTier = new Map<string, PageFeature[]>();
  for (const f of input.features) {
    const tier = (f.tags ?? []).map((t) => t.name).find((t) => TIERS.some(([tag]) => tag === t)) ?? '(no tier)';
    const list = byTier.get(tier) ?? [];
    list.push(f);
    byTier.set(tier, list);
  }
  const all = input.features.flatMap(scenarios);
  const total = counts(all);
  const tierRows = [...TIERS, ['(no tier)', 'Other'] as [string, string]]
    .filter(([tag]) => byTier.has(tag))
    .map(([tag, label]) => ({ tag, label, c: counts((byTier.get(tag) ?? []).flatMap(scenarios)) }));

  const meta = Object.entries(input.metadata).map(([k, v]) => `<tr><td>${esc(k)}</td><td>${esc(v)}</td></tr>`).join('');
  const caps = input.capabilities?.length
    ? `<section><h2>What the target offered</h2><table class="caps"><tr><th>Capability</th><th>Available</th><th>Why</th></tr>${input.capabilities
        .map((c) => `<tr><td>${esc(c.name)}</td><td class="${c.available ? 'yes' : 'no'}">${c.available ? 'yes' : 'no: its scenarios are skipped'}</td><td>${esc(c.reason)}</td></tr>`)
        .join('')}</table></section>`
    : '';
  const links = input.links?.length ? `<nav class="links">${input.links.map((l) => `<a href="${esc(l.href)}">${esc(l.text)}</a>`).join('')}</nav>` : '';
  const tiers = tierRows.map(({ tag, label, c }) => {
    const features = (byTier.get(tag) ?? []).sort((a, b) => String(a.uri).localeCompare(String(b.uri)));
    return `<h2 class="tier" id="tier-${esc(tag.replace('@', ''))}">${esc(label)} <span class="dur">${c.passed} passed, ${c.failed} failed, ${c.skipped} skipped</span></h2>${features
      .map((f) => {
        const ids = catalogIds(f.description);
        const fc = counts(scenarios(f));
        const tags = (f.tags ?? []).map((t) => `<span class="tag">${esc(t.name)}</span>`).join(' ');
        return `<article class="feature" data-uri="${esc(f.uri)}"><h3>${esc(f.name)} <span class="dur">${fc.passed}/${fc.passed + fc.failed + fc.skipped} passed</span></h3><div>${tags} <code class="dur">${esc(f.uri)}</code></div>${
          ids.length ? `<div class="ids">Catalog: ${ids.map((i) => `<span>${esc(i)}</span>`).join('')}</div>` : ''
        }<div class="desc">${esc((f.description ?? '').replace(/^[ \t]+/gm, '').trim())}</div>${scenarios(f).map(scenarioHtml).join('')}</article>`;
      })
      .join('')}`;
  }).join('');

  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<title>${esc(input.title)}</title><style>${STYLE}</style></head>
<body><header><h1>${esc(input.title)}</h1><div class="verdict">${total.passed} passed, ${total.failed} failed${total.skipped ? `, ${total.skipped} skipped` : ''}</div></header>
<main>${links}<section class="summary"><table class="meta">${meta}</table>${pie(total)}${tierBars(tierRows.map((r) => ({ label: r.tag, c: r.c })))}</section>${caps}${tiers}</main>
</body></html>
`;
}
