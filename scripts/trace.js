#!/usr/bin/env node
/*
 * Traceability: which catalog scenarios (../shared/spec/attune-e2e-catalog.md: T1.1…T3.25, README examples 1–8)
 * the features cover, and how their scenarios fared in the last run.
 *
 *   npm run trace              prints the matrix (catalog id → features → scenarios → last verdict), lists the ids
 *                              no scenario covers, writes reports/trace.json and reports/trace.html
 *   npm run trace -- --check   the lint: fails when a Feature names an id the catalog does not have, or names none
 *                              (a Feature that honestly covers no id says "Catalog: no catalog id (why)")
 *
 * The ids are read from each Feature description's "Catalog:" paragraph (up to its first blank line). Only what the
 * paragraph claims counts: text in parentheses is commentary, and so is everything after its first full stop, so
 * "T1.5 (…as T2.10 does…)" claims T1.5 alone. The known ids live in trace/catalog-ids.json; the last verdicts come
 * from reports/cucumber.json when a run left one.
 */
'use strict';

const fs = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const cucumberDir = path.dirname(require.resolve('@cucumber/cucumber/package.json', { paths: [root] }));
const { Parser, AstBuilder, GherkinClassicTokenMatcher } = require(require.resolve('@cucumber/gherkin', { paths: [cucumberDir] }));
const { IdGenerator } = require(require.resolve('@cucumber/messages', { paths: [cucumberDir] }));

const CATALOG_FILE = path.join(root, 'trace', 'catalog-ids.json');
const RESULTS_FILE = path.join(root, 'reports', 'cucumber.json');

function loadCatalog(file = CATALOG_FILE) {
  return JSON.parse(fs.readFileSync(file, 'utf8')).ids;
}

/** The "Catalog:" paragraph of a feature description, whitespace folded; undefined when there is none. */
function catalogParagraph(description) {
  const lines = (description || '').split('\n').map((l) => l.trim());
  const start = lines.findIndex((l) => l.startsWith('Catalog:'));
  if (start < 0) return undefined;
  const taken = [];
  for (let i = start; i < lines.length && lines[i] !== ''; i++) taken.push(lines[i]);
  return taken.join(' ').slice('Catalog:'.length).trim();
}

/** The ids a Catalog paragraph claims: {ids, none} (none: it says "no catalog id"). */
function claimedIds(paragraph) {
  let text = paragraph;
  while (/\([^()]*\)/.test(text)) text = text.replace(/\([^()]*\)/g, ' ');
  const stop = text.search(/\.(\s|$)/);
  if (stop >= 0) text = text.slice(0, stop);
  if (/^\s*no catalog id/i.test(text)) return { ids: [], none: true };
  const ids = [];
  for (const m of text.matchAll(/\bT(\d+)\.(\d+)(′?)/g)) ids.push(`T${m[1]}.${m[2]}${m[3]}`);
  for (const m of text.matchAll(/README examples?\s+((?:\d+)(?:\s*(?:,|and|&)\s*\d+)*)/gi)) {
    for (const n of m[1].match(/\d+/g)) ids.push(`README ${n}`);
  }
  return { ids: [...new Set(ids)], none: false };
}

function featureFiles(dir) {
  const files = [];
  const walk = (p) => {
    if (fs.statSync(p).isDirectory()) fs.readdirSync(p).sort().forEach((n) => walk(path.join(p, n)));
    else if (p.endsWith('.feature')) files.push(p);
  };
  walk(dir);
  return files;
}

/** Every feature: its file, name, tier tag, claimed ids and scenario names (outline examples counted once each). */
function readFeatures(dir = path.join(root, 'features')) {
  const features = [];
  for (const file of featureFiles(dir)) {
    const parser = new Parser(new AstBuilder(IdGenerator.uuid()), new GherkinClassicTokenMatcher());
    const feature = parser.parse(fs.readFileSync(file, 'utf8')).feature;
    if (!feature) continue;
    const scenarios = [];
    const add = (s) => {
      const rows = (s.examples || []).reduce((n, e) => n + (e.tableBody || []).length, 0);
      scenarios.push({ name: s.name.trim(), examples: rows, line: s.location.line });
    };
    for (const child of feature.children) {
      if (child.scenario) add(child.scenario);
      if (child.rule) for (const rc of child.rule.children) if (rc.scenario) add(rc.scenario);
    }
    const paragraph = catalogParagraph(feature.description);
    features.push({
      file: path.relative(root, file),
      name: feature.name,
      tier: ((feature.tags || []).find((t) => /^@(smoke|tier\d)$/.test(t.name)) || {}).name || '',
      line: feature.location.line,
      paragraph,
      ...(paragraph === undefined ? { ids: [], none: false } : claimedIds(paragraph)),
      scenarios,
    });
  }
  return features;
}

/** Last verdict per (feature file, scenario name) from cucumber's JSON report: counts of passed/failed/skipped. */
function lastVerdicts(file = RESULTS_FILE) {
  const verdicts = new Map();
  if (!fs.existsSync(file)) return { verdicts, when: undefined };
  let report;
  try {
    report = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch {
    return { verdicts, when: undefined };
  }
  for (const feature of report) {
    for (const element of feature.elements || []) {
      if (element.type && element.type !== 'scenario') continue;
      const statuses = (element.steps || []).map((s) => (s.result || {}).status);
      const verdict = statuses.includes('failed') || statuses.includes('ambiguous') || statuses.includes('undefined')
        ? 'failed'
        : statuses.length && statuses.every((s) => s === 'passed') ? 'passed' : 'skipped';
      const key = `${feature.uri}\u0000${element.name}`;
      const v = verdicts.get(key) || { passed: 0, failed: 0, skipped: 0 };
      v[verdict] += 1;
      verdicts.set(key, v);
    }
  }
  return { verdicts, when: fs.statSync(file).mtime.toISOString() };
}

/** Outline rows are reported under names with their values substituted: match by the outline's name as a prefix. */
function verdictOf(verdicts, file, scenario) {
  const total = { passed: 0, failed: 0, skipped: 0 };
  const exact = verdicts.get(`${file}\u0000${scenario.name}`);
  const entries = exact ? [exact] : scenario.examples
    ? [...verdicts.entries()].filter(([k]) => k.startsWith(`${file}\u0000`) && sameOutline(k.split('\u0000')[1], scenario.name)).map(([, v]) => v)
    : [];
  for (const v of entries) for (const k of Object.keys(total)) total[k] += v[k];
  return total;
}

function sameOutline(reported, outline) {
  const pattern = outline.split(/<[^>]+>/).map((p) => p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('.*');
  return new RegExp(`^${pattern}$`).test(reported);
}

function buildMatrix(catalog, features, verdicts) {
  const known = new Set(catalog.map((c) => c.id));
  const problems = [];
  for (const f of features) {
    if (f.paragraph === undefined) problems.push(`${f.file}:${f.line}: Feature "${f.name}" has no "Catalog:" paragraph`);
    else if (!f.none && f.ids.length === 0) problems.push(`${f.file}:${f.line}: the Catalog paragraph of "${f.name}" names no id (say "no catalog id (why)" if none applies)`);
    for (const id of f.ids) if (!known.has(id)) problems.push(`${f.file}:${f.line}: Feature "${f.name}" names ${id}, which the catalog does not have`);
  }
  const rows = catalog.map((entry) => {
    const covering = features.filter((f) => f.ids.includes(entry.id)).map((f) => {
      const scenarios = f.scenarios.map((s) => ({ ...s, verdict: verdictOf(verdicts, f.file, s) }));
      return { file: f.file, name: f.name, tier: f.tier, scenarios };
    });
    const count = covering.reduce((n, f) => n + f.scenarios.reduce((m, s) => m + (s.examples || 1), 0), 0);
    const verdict = { passed: 0, failed: 0, skipped: 0 };
    for (const f of covering) for (const s of f.scenarios) for (const k of Object.keys(verdict)) verdict[k] += s.verdict[k];
    return { ...entry, features: covering, scenarios: count, verdict };
  });
  const uncovered = rows.filter((r) => r.scenarios === 0);
  const withoutId = features.filter((f) => f.none).map((f) => ({ file: f.file, name: f.name, why: f.paragraph }));
  return { rows, uncovered, withoutId, problems };
}

function verdictText(v) {
  const parts = [];
  if (v.passed) parts.push(`${v.passed} passed`);
  if (v.failed) parts.push(`${v.failed} failed`);
  if (v.skipped) parts.push(`${v.skipped} skipped`);
  return parts.join(', ') || 'not run';
}

function escapeHtml(s) {
  return String(s).replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]);
}

function html(matrix, when) {
  const body = matrix.rows.map((r) => {
    const cls = r.scenarios === 0 ? (r.out_of_scope ? 'scope' : 'gap') : r.verdict.failed ? 'fail' : r.verdict.passed ? 'pass' : 'norun';
    const features = r.features.length
      ? r.features.map((f) => `<div><code>${escapeHtml(f.file)}</code> (${f.scenarios.length} scenario${f.scenarios.length === 1 ? '' : 's'})<ul>${
        f.scenarios.map((s) => `<li>${escapeHtml(s.name)}${s.examples ? ` ×${s.examples}` : ''}: ${verdictText(s.verdict)}</li>`).join('')}</ul></div>`).join('')
      : escapeHtml(r.out_of_scope ? `out of scope: ${r.out_of_scope}` : 'no scenario');
    return `<tr class="${cls}"><td>${escapeHtml(r.id)}</td><td>${escapeHtml(r.title)}</td><td>${features}</td><td>${verdictText(r.verdict)}</td></tr>`;
  }).join('\n');
  return `<!doctype html><html><head><meta charset="utf-8"><title>Attune acceptance: traceability</title><style>
body{font-family:system-ui,sans-serif;margin:2em}table{border-collapse:collapse;width:100%}td,th{border:1px solid #ccc;padding:4px 8px;vertical-align:top;text-align:left}
tr.pass td:first-child{background:#d4f7d4}tr.fail td:first-child{background:#f7d4d4}tr.gap td:first-child{background:#f7ecc4}tr.scope td:first-child{background:#e4e4e4}ul{margin:2px 0}
</style></head><body><h1>Traceability: catalog id → features → scenarios → last verdict</h1>
<p>Catalog: <code>../shared/spec/attune-e2e-catalog.md</code>. Last run: ${escapeHtml(when || 'none found (reports/cucumber.json)')}.
${matrix.rows.length - matrix.uncovered.length} of ${matrix.rows.length} ids covered; without a scenario: ${escapeHtml(matrix.uncovered.map((r) => r.id).join(', ') || 'none')}.</p>
<table><tr><th>Id</th><th>Title</th><th>Features and scenarios</th><th>Last verdict</th></tr>
${body}
</table>
<h2>Features that cover no catalog id</h2><ul>${matrix.withoutId.map((f) => `<li><code>${escapeHtml(f.file)}</code>: ${escapeHtml(f.why)}</li>`).join('')}</ul>
</body></html>
`;
}

function main() {
  const check = process.argv.includes('--check');
  const catalog = loadCatalog();
  const features = readFeatures();
  const { verdicts, when } = lastVerdicts();
  const matrix = buildMatrix(catalog, features, verdicts);
  if (check) {
    if (matrix.problems.length) {
      process.stderr.write(`trace: ${matrix.problems.length} problem(s):\n${matrix.problems.map((p) => `  ${p}`).join('\n')}\n`);
      process.exit(1);
    }
    process.stdout.write(`trace: ${features.length} feature file(s) name ${new Set(features.flatMap((f) => f.ids)).size} known catalog id(s); no unknown id\n`);
    return;
  }
  const out = [];
  for (const r of matrix.rows) {
    const where = r.features.map((f) => `${path.basename(f.file)} (${f.scenarios.length})`).join(', ');
    out.push(`${r.id.padEnd(9)} ${r.title.slice(0, 44).padEnd(44)} ${String(r.scenarios).padStart(3)}  ${verdictText(r.verdict).padEnd(24)} ${where || (r.out_of_scope ? 'out of scope' : '-')}`);
  }
  out.push('');
  out.push(`${matrix.rows.length - matrix.uncovered.length} of ${matrix.rows.length} catalog ids covered; last run: ${when || 'none (reports/cucumber.json)'}`);
  for (const r of matrix.uncovered) out.push(`  no scenario: ${r.id} ${r.title}${r.out_of_scope ? ` (out of scope: ${r.out_of_scope})` : ''}`);
  for (const f of matrix.withoutId) out.push(`  covers no catalog id: ${f.file}`);
  for (const p of matrix.problems) out.push(`  problem: ${p}`);
  process.stdout.write(`${out.join('\n')}\n`);
  fs.mkdirSync(path.join(root, 'reports'), { recursive: true });
  fs.writeFileSync(path.join(root, 'reports', 'trace.json'), `${JSON.stringify({ lastRun: when, ...matrix }, null, 2)}\n`);
  fs.writeFileSync(path.join(root, 'reports', 'trace.html'), html(matrix, when));
  process.stdout.write('trace: reports/trace.json, reports/trace.html\n');
  if (matrix.problems.length) process.exitCode = 1;
}

module.exports = { catalogParagraph, claimedIds, readFeatures, buildMatrix, loadCatalog, sameOutline };

if (require.main === module) main();
