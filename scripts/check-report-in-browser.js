#!/usr/bin/env node
/*
 * The release report in a real browser (`npm run check:report`; `npm test` runs it after building the report):
 * headless Chromium (Debian's, /usr/bin/chromium or $CHROMIUM_PATH) driven by playwright-core opens
 *
 *   1. a report built from a fixed run (test/fixtures/report/cucumber.json: a passed, a failed and a skipped
 *      scenario, with attachments) and checks what a reader must see: the run's facts, every tier present, each
 *      feature's description and catalog ids, the failed scenario opened with its error and its attachment;
 *   2. the last real run's reports/acceptance.html: it renders, shows its metadata and a section per tier it ran.
 *
 * Both are opened with the network cut: every request that is not the file itself (or a data: URL) is refused and
 * counted, and any count above zero fails the check — the report must read the same offline as online. Screenshots
 * go to reports/report-fixture.png and reports/acceptance.png; the render times are printed.
 */
'use strict';

const fs = require('node:fs');
const path = require('node:path');
const { pathToFileURL } = require('node:url');

const ROOT = path.resolve(__dirname, '..');
require('ts-node/register/transpile-only');
const { renderReportPage } = require(path.join(ROOT, 'support', 'report-page.ts'));

const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
const FLAGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

async function open(browser, file) {
  const page = await browser.newPage();
  const blocked = [];
  await page.route('**/*', (route) => {
    const url = route.request().url();
    if (url.startsWith('file:') || url.startsWith('data:')) return route.continue();
    blocked.push(url);
    return route.abort();
  });
  const t0 = Date.now();
  await page.goto(pathToFileURL(file).href, { waitUntil: 'load' });
  return { page, blocked, ms: Date.now() - t0 };
}

function check(problems, ok, what) {
  if (!ok) problems.push(what);
}

async function fixtureReport(browser, problems) {
  const features = JSON.parse(fs.readFileSync(path.join(ROOT, 'test', 'fixtures', 'report', 'cucumber.json'), 'utf8'));
  const file = path.join(ROOT, 'reports', 'report-fixture.html');
  fs.writeFileSync(file, renderReportPage({
    title: 'Attune acceptance (fixture)',
    metadata: { 'Target URL': 'http://fixture.invalid', 'Git commit': 'fixture' },
    features,
    capabilities: [{ name: 'database', available: false, reason: 'no database access (fixture)' }],
    links: [{ href: 'suite-power.html', text: 'Suite power' }],
  }));
  const { page, blocked, ms } = await open(browser, file);
  const text = await page.locator('body').innerText();
  check(problems, blocked.length === 0, `fixture report fetched from the network: ${blocked.join(', ')}`);
  check(problems, text.includes('1 passed, 1 failed, 1 skipped'), 'fixture report: the verdict "1 passed, 1 failed, 1 skipped" is not shown');
  check(problems, text.includes('http://fixture.invalid'), 'fixture report: the run metadata (target URL) is not shown');
  check(problems, /Tier 1/.test(text) && /Tier 3/.test(text), 'fixture report: a tier heading is missing');
  check(problems, text.includes('A timer MUST fire on time.') && text.includes('A stranger MUST NOT read my keys.'), 'fixture report: a feature description is missing');
  const ids = await page.locator('.ids span').allInnerTexts();
  check(problems, JSON.stringify(ids) === JSON.stringify(['T1.1', 'README 1', 'T3.20']), `fixture report: catalog ids shown ${JSON.stringify(ids)}`);
  const failed = page.locator('details.scenario.failed');
  check(problems, (await failed.count()) === 1 && (await failed.getAttribute('open')) !== null, 'fixture report: the failed scenario is not opened');
  check(problems, await failed.getByText('expected 404, got 200').isVisible(), 'fixture report: the failed step\'s error is not visible');
  check(problems, await failed.getByText('HTTP transcript: GET /api/v1/keys/secret_1').isVisible(), 'fixture report: the failed scenario\'s attachment is not visible');
  check(problems, (await page.locator('details.scenario.passed[open]').count()) === 0, 'fixture report: a passed scenario is opened');
  check(problems, (await page.locator('svg.chart').count()) === 2, 'fixture report: the charts are missing');
  check(problems, (await page.locator('table.caps').innerText()).includes('no database access (fixture)'), 'fixture report: the capability table is missing');
  await page.screenshot({ path: path.join(ROOT, 'reports', 'report-fixture.png'), fullPage: true });
  return ms;
}

async function runReport(browser, problems) {
  const file = path.join(ROOT, 'reports', 'acceptance.html');
  const json = path.join(ROOT, 'reports', 'cucumber.json');
  if (!fs.existsSync(file) || !fs.existsSync(json)) return undefined;
  const { page, blocked, ms } = await open(browser, file);
  const text = await page.locator('body').innerText();
  check(problems, blocked.length === 0, `acceptance.html fetched from the network: ${blocked.slice(0, 5).join(', ')}`);
  check(problems, /Target URL/.test(text) && /Git commit/.test(text), 'acceptance.html: the run metadata is not shown');
  const tiers = new Set(JSON.parse(fs.readFileSync(json, 'utf8')).flatMap((f) => (f.tags || []).map((t) => t.name)).filter((t) => /^@(smoke|tier\d)$/.test(t)));
  for (const t of tiers) check(problems, (await page.locator(`#tier-${t.slice(1)}`).count()) === 1, `acceptance.html: no section for ${t}`);
  await page.screenshot({ path: path.join(ROOT, 'reports', 'acceptance.png'), fullPage: false });
  return { ms, tiers: [...tiers].sort(), bytes: fs.statSync(file).size };
}

async function main() {
  if (!fs.existsSync(CHROMIUM)) {
    process.stderr.write(`check:report: no Chromium at ${CHROMIUM} (scripts/ensure-infra.sh installs Debian's chromium; CHROMIUM_PATH names another)\n`);
    return 2;
  }
  fs.mkdirSync(path.join(ROOT, 'reports'), { recursive: true });
  const { chromium } = require('playwright-core');
  const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: FLAGS });
  const problems = [];
  try {
    const fixtureMs = await fixtureReport(browser, problems);
    const run = await runReport(browser, problems);
    process.stdout.write(`check:report: fixture report rendered offline in ${fixtureMs} ms (reports/report-fixture.png)\n`);
    if (run) process.stdout.write(`check:report: reports/acceptance.html (${Math.round(run.bytes / 1024)} KiB, tiers ${run.tiers.join(' ')}) rendered offline in ${run.ms} ms (reports/acceptance.png)\n`);
    else process.stdout.write('check:report: no reports/acceptance.html yet (run the suite first): only the fixture was checked\n');
  } finally {
    await browser.close();
  }
  if (problems.length) {
    process.stderr.write(`check:report: ${problems.length} problem(s):\n${problems.map((p) => `  ${p}`).join('\n')}\n`);
    return 1;
  }
  process.stdout.write('check:report: the report reads offline, with its facts, tiers, descriptions, catalog ids and failures\n');
  return 0;
}

main().then((code) => (process.exitCode = code), (error) => {
  process.stderr.write(`check:report: ${error.stack || error.message}\n`);
  process.exitCode = 2;
});
