/*
 * Profiles of the Attune acceptance suite (cucumber-js configuration, CommonJS).
 *
 *   npx cucumber-js                    default: every feature except @wip/@manual, 6 workers, progress bar + report files
 *   npx cucumber-js --tags @tier2      tags from the command line are ANDed with the profile's
 *   npx cucumber-js -p smoke           @smoke only          -p tier1 / -p tier2 / -p tier3: one tier
 *   npx cucumber-js -p ci              6 workers, `summary` on stdout, every report file
 *   npx cucumber-js -p release         everything runnable + report files; then `npm run accept:report`
 *
 * Report files (reports/): cucumber.json (legacy JSON, read by scripts/report.js), cucumber-builtin.html,
 * junit.xml, messages.ndjson (lossless Cucumber Messages; archive it with releases).
 */
'use strict';

const NOT_RUNNABLE = 'not @wip and not @manual';

const reportFiles = [
  'json:reports/cucumber.json',
  'html:reports/cucumber-builtin.html',
  'junit:reports/junit.xml',
  'message:reports/messages.ndjson',
];

// No `paths` here on purpose: cucumber merges configured paths with the command line's, so
// `npx cucumber-js features/tier1/x.feature` would run everything. Its default is features/**.
const base = {
  requireModule: ['ts-node/register/transpile-only'],
  // every support/*.ts except declaration files (support/api/schema.d.ts holds types only and cannot be required)
  require: ['support/**/!(*.d).ts', 'step-definitions/**/*.ts'],
  format: ['progress-bar', ...reportFiles],
  formatOptions: { junit: { suiteName: 'attune-acceptance' } },
  tags: NOT_RUNNABLE,
  // Scenarios mostly wait on the platform (timers, executions), so 6 workers fit a 2-core machine
  // (@tier2: 4 workers 55 s, 6 workers 47 s, 8 no faster: CPU-bound);
  // ATTUNE_E2E_PARALLEL overrides (e.g. 1 to debug, more against a bigger target).
  parallel: Number(process.env.ATTUNE_E2E_PARALLEL ?? 6),
  strict: true,
};

const withTags = (expression) => ({ ...base, tags: `(${expression}) and ${NOT_RUNNABLE}` });

module.exports = {
  default: base,
  smoke: withTags('@smoke'),
  tier1: withTags('@tier1'),
  tier2: withTags('@tier2'),
  tier3: withTags('@tier3'),
  ci: { ...base, format: ['summary', ...reportFiles] },
  release: { ...base, format: ['summary', ...reportFiles] },
};
