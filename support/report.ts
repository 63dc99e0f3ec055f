/**
 * The release report: `reports/acceptance.html`, one self-contained page (support/report-page.ts) built from
 * `reports/cucumber.json`, with a metadata block (target, target version, git commit, Node, workers, start, duration),
 * the capability table the run probed (`reports/capabilities.json`), and the one-line verdict
 * `N passed, N failed[, N skipped]`.
 *
 * Loaded by scripts/report.js after a run. (It also sits under support/, so cucumber loads it: no side effects here.)
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { createApiClient } from './api/client';
import { targetVersion } from './questions/platform';
import { renderReportPage, type CapabilityRow, type PageFeature } from './report-page';
import { projectRoot, target } from './target';

export interface ScenarioCounts {
  passed: number;
  failed: number;
  skipped: number;
}

interface JsonStep {
  keyword?: string;
  hidden?: boolean;
  result?: { status?: string; duration?: number };
}

interface JsonElement {
  type?: string;
  steps?: JsonStep[];
  before?: JsonStep[];
  after?: JsonStep[];
}

interface JsonFeature {
  elements?: JsonElement[];
}

/** passed: every step and hook passed; skipped: nothing failed and something was skipped; failed: anything else. */
export function scenarioStatus(element: JsonElement): keyof ScenarioCounts {
  const results = [...(element.before ?? []), ...(element.steps ?? []), ...(element.after ?? [])].map(
    (s) => s.result?.status ?? 'undefined',
  );
  if (results.some((s) => s === 'failed' || s === 'undefined' || s === 'ambiguous' || s === 'pending')) return 'failed';
  if (results.some((s) => s === 'skipped')) return 'skipped';
  return 'passed';
}

export function countScenarios(features: JsonFeature[]): ScenarioCounts {
  const counts: ScenarioCounts = { passed: 0, failed: 0, skipped: 0 };
  for (const feature of features) {
    for (const element of feature.elements ?? []) {
      if (element.type && element.type !== 'scenario') continue;
      counts[scenarioStatus(element)] += 1;
    }
  }
  return counts;
}

export function verdictLine(counts: ScenarioCounts): string {
  return `${counts.passed} passed, ${counts.failed} failed${counts.skipped > 0 ? `, ${counts.skipped} skipped` : ''}`;
}

interface RunFacts {
  start?: Date;
  durationMs?: number;
  workers?: number;
}

function timestampMs(stamp: { seconds?: number | string; nanos?: number } | undefined): number | undefined {
  if (!stamp || stamp.seconds === undefined) return undefined;
  return Number(stamp.seconds) * 1000 + Math.round((stamp.nanos ?? 0) / 1e6);
}

/** Start, duration and worker count from the Cucumber Messages stream, when the run wrote one. */
export function runFacts(messagesFile: string): RunFacts {
  if (!fs.existsSync(messagesFile)) return {};
  let started: number | undefined;
  let finished: number | undefined;
  const workers = new Set<string>();
  for (const line of fs.readFileSync(messagesFile, 'utf8').split('\n')) {
    if (!line.trim()) continue;
    let envelope: Record<string, { timestamp?: { seconds?: number; nanos?: number }; workerId?: string }>;
    try {
      envelope = JSON.parse(line);
    } catch {
      continue;
    }
    if (envelope.testRunStarted) started = timestampMs(envelope.testRunStarted.timestamp);
    if (envelope.testRunFinished) finished = timestampMs(envelope.testRunFinished.timestamp);
    if (envelope.testCaseStarted?.workerId) workers.add(envelope.testCaseStarted.workerId);
  }
  return {
    start: started !== undefined ? new Date(started) : undefined,
    durationMs: started !== undefined && finished !== undefined ? finished - started : undefined,
    workers: workers.size > 0 ? workers.size : undefined,
  };
}

function gitCommit(): string {
  try {
    return execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: projectRoot, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return 'unknown';
  }
}

function formatDuration(ms: number | undefined): string {
  if (ms === undefined) return 'unknown';
  const seconds = Math.round(ms / 100) / 10;
  return seconds >= 60 ? `${Math.floor(seconds / 60)} min ${Math.round(seconds % 60)} s` : `${seconds} s`;
}

export interface ReportOptions {
  jsonFile?: string;
  messagesFile?: string;
  output?: string;
}

export interface ReportOutcome {
  counts: ScenarioCounts;
  output?: string;
  note?: string;
}

export async function buildAcceptanceReport(options: ReportOptions = {}): Promise<ReportOutcome> {
  const jsonFile = options.jsonFile ?? path.join(projectRoot, 'reports', 'cucumber.json');
  const messagesFile = options.messagesFile ?? path.join(projectRoot, 'reports', 'messages.ndjson');
  const output = options.output ?? path.join(projectRoot, 'reports', 'acceptance.html');

  if (!fs.existsSync(jsonFile) || fs.statSync(jsonFile).size === 0) {
    return { counts: { passed: 0, failed: 0, skipped: 0 }, note: `no results at ${jsonFile}; run the suite first` };
  }
  const features = JSON.parse(fs.readFileSync(jsonFile, 'utf8')) as JsonFeature[];
  const counts = countScenarios(features);

  const settings = target();
  const facts = runFacts(messagesFile);
  const version = await targetVersion(createApiClient(settings.apiUrl, () => undefined, [], 'report'));
  const metadata: Record<string, string> = {
    'Target URL': settings.apiUrl,
    'Target version': version,
    'Git commit': gitCommit(),
    'Node version': process.version,
    'Parallel workers': facts.workers !== undefined ? String(facts.workers) : 'unknown',
    'Start time': facts.start ? facts.start.toISOString() : 'unknown',
    Duration: formatDuration(facts.durationMs),
    Result: verdictLine(counts),
  };

  const capabilitiesFile = path.join(path.dirname(output), 'capabilities.json');
  let capabilities: CapabilityRow[] | undefined;
  try {
    capabilities = (JSON.parse(fs.readFileSync(capabilitiesFile, 'utf8')) as { capabilities: CapabilityRow[] }).capabilities;
  } catch {
    capabilities = undefined; // a run that never reached its first worker's setup has no table
  }
  const links = [
    { href: 'suite-power.html', text: 'Suite power: traceability, contract coverage, stability, fault catalog' },
    { href: 'bench.html', text: 'Benchmarks (npm run bench)' },
    { href: 'junit.xml', text: 'JUnit XML' },
  ];
  try {
    fs.mkdirSync(path.dirname(output), { recursive: true });
    fs.writeFileSync(output, renderReportPage({ title: 'Attune acceptance', metadata, features: features as PageFeature[], capabilities, links }));
  } catch (error) {
    return { counts, note: `the HTML report could not be written: ${String(error)}` };
  }
  return { counts, output };
}
