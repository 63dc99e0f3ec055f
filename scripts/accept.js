#!/usr/bin/env node
/*
 * `npm run accept -- [--target NAME] [--shard K/N] [cucumber-js arguments …]`
 *
 *   --target NAME   run against the target profile targets/NAME.yaml (or ATTUNE_TARGET=NAME): its URLs and what it
 *                   offers become the suite's ATTUNE_* variables (docs/targets.md). Credentials never live in a
 *                   profile: it names the environment variables that hold them.
 *   --shard K/N     run only shard K of N (1-based). The scenarios the tag expression selects are sorted by
 *                   file and line and dealt round-robin; every @serial scenario goes to shard 1, so serial ones stay
 *                   together and every scenario lands in exactly one shard. Each shard writes
 *                   reports/shards/shard-K-of-N.json; `npm run accept:merge` joins them into one release report.
 *   --list-shard    with --shard: print the shard's scenarios (file:line) and exit
 * Everything else goes to cucumber-js unchanged (e.g. `--tags @tier1`, `-p ci`, feature paths).
 */
'use strict';

const fs = require('node:fs');
const path = require('node:path');
const { spawnSync } = require('node:child_process');
const { parse: parseYaml } = require('yaml');

const ROOT = path.resolve(__dirname, '..');
const cucumberDir = path.dirname(require.resolve('@cucumber/cucumber/package.json', { paths: [ROOT] }));
const { Parser, AstBuilder, GherkinClassicTokenMatcher } = require(require.resolve('@cucumber/gherkin', { paths: [cucumberDir] }));
const { IdGenerator } = require(require.resolve('@cucumber/messages', { paths: [cucumberDir] }));
const parseTagExpression = require(require.resolve('@cucumber/tag-expressions', { paths: [cucumberDir] })).default;

/** target profile field → suite variable */
const TARGET_VARS = {
  api_url: 'ATTUNE_API_URL',
  ws_url: 'ATTUNE_WS_URL',
  database_url: 'ATTUNE_DB_URL',
  amqp_url: 'ATTUNE_AMQP_URL',
  service_control: 'ATTUNE_SERVICE_CONTROL',
  container_runtime: 'ATTUNE_E2E_CONTAINER_RUNTIME',
  callback_host: 'ATTUNE_E2E_CALLBACK_HOST',
  log_dir: 'ATTUNE_E2E_LOG_DIR',
  config: 'ATTUNE_E2E_CONFIG',
  single_sign_on: 'ATTUNE_E2E_SINGLE_SIGN_ON',
};

function parseArgs(argv) {
  const o = { target: process.env.ATTUNE_TARGET || '', shard: undefined, listShard: false, rest: [] };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--target') o.target = argv[++i] || '';
    else if (a.startsWith('--target=')) o.target = a.slice('--target='.length);
    else if (a === '--shard') o.shard = argv[++i];
    else if (a.startsWith('--shard=')) o.shard = a.slice('--shard='.length);
    else if (a === '--list-shard') o.listShard = true;
    else o.rest.push(a);
  }
  if (o.shard !== undefined) {
    const m = /^(\d+)\/(\d+)$/.exec(o.shard);
    if (!m || Number(m[1]) < 1 || Number(m[1]) > Number(m[2])) throw new Error(`--shard wants K/N with 1 ≤ K ≤ N, got "${o.shard}"`);
    o.shard = { k: Number(m[1]), n: Number(m[2]) };
  }
  return o;
}

/** The environment a target profile gives the suite; refuses a profile that holds a secret. */
function targetEnv(name) {
  const file = path.join(ROOT, 'targets', `${name}.yaml`);
  if (!fs.existsSync(file)) {
    const known = fs.existsSync(path.join(ROOT, 'targets')) ? fs.readdirSync(path.join(ROOT, 'targets')).filter((f) => f.endsWith('.yaml')).map((f) => f.replace(/\.yaml$/, '')) : [];
    throw new Error(`no target profile targets/${name}.yaml (known: ${known.join(', ') || 'none'})`);
  }
  const doc = parseYaml(fs.readFileSync(file, 'utf8')) || {};
  const env = {};
  for (const [field, variable] of Object.entries(TARGET_VARS)) {
    if (doc[field] === undefined || doc[field] === null) continue;
    if (typeof doc[field] === 'string' && /\/\/[^/@\s]+:[^/@\s]+@/.test(doc[field]) && !/\/\/guest:guest@/.test(doc[field])) {
      throw new Error(`targets/${name}.yaml: ${field} carries a password; name an environment variable instead (docs/targets.md)`);
    }
    env[variable] = String(doc[field]);
  }
  // what the target does not offer is switched off explicitly, so the suite never falls back to a local default
  const offers = doc.offers || {};
  if (offers.database === false) env.ATTUNE_DB_URL = 'off';
  if (offers.queue === false) env.ATTUNE_AMQP_URL = 'off';
  if (offers.service_control === false) env.ATTUNE_SERVICE_CONTROL = '';
  const creds = doc.credentials || {};
  for (const [key, variable] of [['login_env', 'ATTUNE_ADMIN_LOGIN'], ['password_env', 'ATTUNE_ADMIN_PASSWORD']]) {
    if (!creds[key]) continue;
    const value = process.env[creds[key]];
    if (!value) throw new Error(`targets/${name}.yaml wants the admin ${key.replace('_env', '')} in $${creds[key]}, which is not set`);
    env[variable] = value;
  }
  if (doc.admin_password !== undefined || doc.password !== undefined) throw new Error(`targets/${name}.yaml holds a password: use credentials.password_env`);
  return { env, doc, file };
}

/** The tag expression cucumber will apply: the profile's (default: not @wip and not @manual) and any --tags given. */
function tagFilter(rest) {
  const parts = ['not @wip and not @manual'];
  for (let i = 0; i < rest.length; i++) {
    if (rest[i] === '--tags' || rest[i] === '-t') parts.push(rest[i + 1]);
    else if (rest[i].startsWith('--tags=')) parts.push(rest[i].slice('--tags='.length));
  }
  const profile = rest.indexOf('-p') >= 0 ? rest[rest.indexOf('-p') + 1] : rest.indexOf('--profile') >= 0 ? rest[rest.indexOf('--profile') + 1] : undefined;
  if (profile && /^(smoke|tier\d)$/.test(profile)) parts.push(`@${profile}`);
  const exprs = parts.map((p) => parseTagExpression(p));
  return (tags) => exprs.every((e) => e.evaluate(tags));
}

/** Every scenario (outline = one unit) of the feature files: {where: file:line, tags}. */
function scenarios(paths) {
  const files = [];
  const walk = (p) => {
    if (fs.statSync(p).isDirectory()) fs.readdirSync(p).sort().forEach((n) => walk(path.join(p, n)));
    else if (p.endsWith('.feature')) files.push(p);
  };
  for (const p of paths.length ? paths : [path.join(ROOT, 'features')]) walk(path.resolve(ROOT, p));
  const out = [];
  for (const file of files.sort()) {
    const feature = new Parser(new AstBuilder(IdGenerator.uuid()), new GherkinClassicTokenMatcher()).parse(fs.readFileSync(file, 'utf8')).feature;
    if (!feature) continue;
    const featureTags = (feature.tags || []).map((t) => t.name);
    const add = (s, ruleTags) => {
      const own = [...featureTags, ...ruleTags, ...(s.tags || []).map((t) => t.name)];
      const exampleTags = (s.examples || []).flatMap((e) => (e.tags || []).map((t) => t.name));
      out.push({ where: `${path.relative(ROOT, file)}:${s.location.line}`, tags: [...new Set([...own, ...exampleTags])] });
    };
    for (const c of feature.children) {
      if (c.scenario) add(c.scenario, []);
      if (c.rule) for (const rc of c.rule.children) if (rc.scenario) add(rc.scenario, (c.rule.tags || []).map((t) => t.name));
    }
  }
  return out;
}

/** Shard K of N: @serial scenarios all in shard 1, the rest dealt round-robin in file:line order after them. */
function shardOf(all, k, n) {
  const serial = all.filter((s) => s.tags.includes('@serial'));
  const rest = all.filter((s) => !s.tags.includes('@serial'));
  const mine = k === 1 ? [...serial] : [];
  // start dealing after the serial block so that shard 1 is not also the one with the most parallel scenarios
  const offset = serial.length > 0 ? 1 : 0;
  rest.forEach((s, i) => {
    if (((i + offset) % n) + 1 === k) mine.push(s);
  });
  return mine;
}

function main() {
  const o = parseArgs(process.argv.slice(2));
  const env = { ...process.env };
  if (o.target) {
    const t = targetEnv(o.target);
    Object.assign(env, t.env);
    process.stdout.write(`target ${o.target} (${path.relative(ROOT, t.file)}): ${env.ATTUNE_API_URL || '(api from the config)'}\n`);
  }
  let args = [...o.rest];
  if (o.shard) {
    const paths = args.filter((a) => !a.startsWith('-') && /\.feature(:\d+)*$|^features/.test(a) && !args[args.indexOf(a) - 1]?.match(/^(--tags|-t|-p|--profile|--format|-f)$/));
    args = args.filter((a) => !paths.includes(a));
    const keep = tagFilter(args);
    const selected = scenarios(paths.map((p) => p.replace(/:\d+$/, ''))).filter((s) => keep(s.tags));
    const mine = shardOf(selected, o.shard.k, o.shard.n);
    if (o.listShard) {
      process.stdout.write(`${mine.map((s) => s.where).join('\n')}\n`);
      return 0;
    }
    process.stdout.write(`shard ${o.shard.k}/${o.shard.n}: ${mine.length} of ${selected.length} selected scenario(s)\n`);
    if (mine.length === 0) return 0;
    fs.mkdirSync(path.join(ROOT, 'reports', 'shards'), { recursive: true });
    args.push('--format', `json:reports/shards/shard-${o.shard.k}-of-${o.shard.n}.json`, ...mine.map((s) => s.where));
  }
  if (process.env.ATTUNE_ACCEPT_DEBUG) process.stdout.write(`cucumber-js ${args.join(' ')}\n`);
  const run = spawnSync('npx', ['cucumber-js', ...args], { cwd: ROOT, env, stdio: 'inherit' });
  return run.status === null ? 1 : run.status;
}

module.exports = { shardOf, scenarios, tagFilter, targetEnv, parseArgs };

if (require.main === module) {
  try {
    process.exitCode = main();
  } catch (error) {
    process.stderr.write(`accept: ${error.message}\n`);
    process.exitCode = 2;
  }
}
