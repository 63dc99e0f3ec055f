#!/usr/bin/env node
/*
 * The closed tag taxonomy of the acceptance suite, enforced on every feature file.
 *
 *   node scripts/check-tags.js [dir-or-file ...]      (default: features/)
 *
 * Checks, on every Feature, Rule, Scenario and Examples (gherkin-lint does not look inside `Rule:` blocks, so the
 * scenario checks it would make there are repeated here):
 *   - every tag is in the closed list below;
 *   - each Feature carries exactly one tier tag (@smoke, @tier1, @tier2, @tier3), on the Feature itself, and no tier
 *     tag appears below the Feature;
 *   - every scenario has a name, and scenario names are unique across the suite.
 */
'use strict';

const fs = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
// @cucumber/gherkin and @cucumber/messages come with @cucumber/cucumber; resolve them from there
const cucumberDir = path.dirname(require.resolve('@cucumber/cucumber/package.json', { paths: [root] }));
const { Parser, AstBuilder, GherkinClassicTokenMatcher } = require(require.resolve('@cucumber/gherkin', { paths: [cucumberDir] }));
const { IdGenerator } = require(require.resolve('@cucumber/messages', { paths: [cucumberDir] }));

const TIER_TAGS = ['@smoke', '@tier1', '@tier2', '@tier3'];
const RUN_TAGS = ['@serial', '@disruptive', '@slow', '@manual'];
const AREA_TAGS = [
  '@timers', '@webhooks', '@rules', '@executions', '@datastore', '@isolation', '@failures', '@auth',
  '@notifications', '@workflows', '@inquiries', '@rbac', '@packs', '@policies', '@runtimes', '@secrets',
];
const CAPABILITY_TAGS = [
  '@requires-database', '@requires-queue', '@requires-notifier', '@requires-service-control', '@requires-container-runtime',
  '@requires-key-ttl', '@requires-action-helpers', '@requires-service-logs',
  '@requires-policies', '@requires-integration-tokens', '@requires-managed-sensors', '@requires-infra-control',
  '@requires-token-signing', '@requires-local-sign-in-only', '@requires-pack-registry',
];
const ALLOWED = new Set([...TIER_TAGS, ...RUN_TAGS, ...AREA_TAGS, ...CAPABILITY_TAGS]);

function featureFiles(targets) {
  const files = [];
  const walk = (p) => {
    const stat = fs.statSync(p);
    if (stat.isDirectory()) fs.readdirSync(p).sort().forEach((name) => walk(path.join(p, name)));
    else if (p.endsWith('.feature')) files.push(p);
  };
  targets.forEach((t) => walk(path.resolve(t)));
  return files;
}

function main() {
  const targets = process.argv.slice(2);
  const files = featureFiles(targets.length ? targets : [path.join(root, 'features')]);
  const problems = [];
  const scenarioNames = new Map();
  let tagCount = 0;

  for (const file of files) {
    const where = (location) => `${path.relative(root, file)}:${location.line}`;
    let document;
    try {
      const parser = new Parser(new AstBuilder(IdGenerator.uuid()), new GherkinClassicTokenMatcher());
      document = parser.parse(fs.readFileSync(file, 'utf8'));
    } catch (error) {
      problems.push(`${path.relative(root, file)}: cannot be parsed: ${error.message}`);
      continue;
    }
    const feature = document.feature;
    if (!feature) continue;

    const checkTags = (node, kind, isFeature) => {
      for (const tag of node.tags || []) {
        tagCount += 1;
        if (!ALLOWED.has(tag.name)) {
          problems.push(`${where(tag.location)}: tag ${tag.name} on ${kind} "${node.name}" is not in the closed tag list`);
        }
        if (!isFeature && TIER_TAGS.includes(tag.name)) {
          problems.push(`${where(tag.location)}: tier tag ${tag.name} belongs on the Feature, not on ${kind} "${node.name}"`);
        }
      }
    };

    checkTags(feature, 'Feature', true);
    const tiers = (feature.tags || []).filter((t) => TIER_TAGS.includes(t.name)).map((t) => t.name);
    if (tiers.length !== 1) {
      problems.push(
        `${where(feature.location)}: Feature "${feature.name}" must carry exactly one tier tag (${TIER_TAGS.join(', ')}), found ${tiers.length ? tiers.join(' ') : 'none'}`,
      );
    }

    const checkScenario = (scenario) => {
      checkTags(scenario, 'Scenario', false);
      for (const examples of scenario.examples || []) checkTags(examples, 'Examples', false);
      const name = (scenario.name || '').trim();
      if (!name) {
        problems.push(`${where(scenario.location)}: a scenario without a name`);
        return;
      }
      const seen = scenarioNames.get(name);
      if (seen) problems.push(`${where(scenario.location)}: scenario name "${name}" is already used at ${seen}`);
      else scenarioNames.set(name, where(scenario.location));
    };

    for (const child of feature.children) {
      if (child.scenario) checkScenario(child.scenario);
      if (child.rule) {
        checkTags(child.rule, 'Rule', false);
        for (const ruleChild of child.rule.children) if (ruleChild.scenario) checkScenario(ruleChild.scenario);
      }
    }
  }

  if (problems.length > 0) {
    process.stderr.write(`check-tags: ${problems.length} problem(s):\n${problems.map((p) => `  ${p}`).join('\n')}\n`);
    process.stderr.write(`Allowed tags: ${[...ALLOWED].join(' ')}\n`);
    process.exit(1);
  }
  process.stdout.write(`check-tags: ${files.length} feature file(s), ${tagCount} tag(s), ${scenarioNames.size} scenario(s): all in order\n`);
}

main();
