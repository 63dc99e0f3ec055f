import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { create as createTar } from 'tar';
import { ApiError } from '../../stack/api/http';
import {
  archiveEntryProblem,
  extractPackArchive,
  findPackRoot,
  normalizeEntryPath,
} from '../../stack/api/pack-archive';
import {
  labelFromRef,
  normalizeWorkflowDefinition,
  ownComponentRef,
  parsePack,
  parsePackManifest,
  qualifyRef,
  readPackFiles,
  resolveRunnerType,
  workflowFilePath,
} from '../../stack/api/pack-files';

const CORE_DIR = path.join(__dirname, '..', '..', 'stack', 'packs', 'core');

const MANIFEST = 'ref: demo\nlabel: Demo\nversion: 1.2.3\n';

function pack(files: Record<string, string>): Map<string, string> {
  return new Map(Object.entries({ 'pack.yaml': MANIFEST, ...files }));
}

/** Asserts fn throws an ApiError with the given status whose message contains every fragment. */
function throwsApi(fn: () => unknown, status: number, ...fragments: string[]) {
  assert.throws(fn, (err: unknown) => {
    assert.ok(err instanceof ApiError, `expected ApiError, got ${String(err)}`);
    assert.equal(err.status, status);
    for (const f of fragments) assert.ok(err.message.includes(f), `'${err.message}' should mention '${f}'`);
    return true;
  });
}

describe('pack.yaml', () => {
  it('maps Attune pack keys to pack columns', () => {
    const p = parsePackManifest(
      'ref: my_pack\nversion: 2.0.0-rc.1\nsystem: true\nconf_schema:\n  n: {type: integer, default: 3}\nmeta: {category: x}\ntags: [a, b]\nruntime_deps: [shell]\n',
    );
    assert.equal(p.ref, 'my_pack');
    assert.equal(p.label, 'my_pack', 'label defaults to the ref');
    assert.equal(p.system, true);
    assert.deepEqual(p.conf_schema, { n: { type: 'integer', default: 3 } });
    assert.deepEqual(p.meta, { category: 'x' });
    assert.deepEqual(p.tags, ['a', 'b']);
    assert.deepEqual(p.runtime_deps, ['shell']);
    assert.deepEqual(p.dependencies, []);
    assert.deepEqual(p.config, {});
  });

  it('accepts the API-path spellings name / config_schema / metadata / keywords', () => {
    const p = parsePackManifest('ref: x1\nname: Named\nversion: 1.0.0\nconfig_schema: {a: {type: string}}\nmetadata: {m: 1}\nkeywords: [k]\n');
    assert.equal(p.label, 'Named');
    assert.deepEqual(p.conf_schema, { a: { type: 'string' } });
    assert.deepEqual(p.meta, { m: 1 });
    assert.deepEqual(p.tags, ['k']);
  });

  it('refuses bad refs, versions and YAML with a 400 naming pack.yaml', () => {
    throwsApi(() => parsePackManifest('ref: Bad.Ref\nversion: 1.0.0\n'), 400, 'pack.yaml', 'Bad.Ref');
    throwsApi(() => parsePackManifest('ref: good\nversion: 1.0\n'), 400, 'pack.yaml', 'semantic version');
    throwsApi(() => parsePackManifest('version: 1.0.0\n'), 400, 'pack.yaml', "'ref' is required");
    throwsApi(() => parsePackManifest('ref: [unclosed\n'), 400, 'pack.yaml', 'invalid YAML');
    throwsApi(() => parsePackManifest('- a\n- b\n'), 400, 'pack.yaml', 'mapping');
  });
});

describe('refs and labels', () => {
  it('qualifies unqualified refs with the pack ref', () => {
    assert.equal(qualifyRef('demo', 'echo'), 'demo.echo');
    assert.equal(qualifyRef('demo', 'core.echo'), 'core.echo');
  });

  it('derives title-cased labels from the name part', () => {
    assert.equal(labelFromRef('demo.http_request'), 'Http Request');
    assert.equal(labelFromRef('demo.fan-out'), 'Fan Out');
  });

  it('keeps components inside their own pack namespace', () => {
    assert.equal(ownComponentRef('demo', 'thing', 'actions/thing.yaml', 'action'), 'demo.thing');
    throwsApi(() => ownComponentRef('demo', 'core.echo', 'actions/x.yaml', 'action'), 400, 'actions/x.yaml', "pack 'demo'");
    throwsApi(() => ownComponentRef('demo', 'demo.Echo', 'actions/x.yaml', 'action'), 400, 'lower-case');
    throwsApi(() => ownComponentRef('demo', 'demo.a.b', 'actions/x.yaml', 'action'), 400, 'exactly one dot');
  });
});

describe('component mapping', () => {
  it('maps an action with Attune defaults and key names', () => {
    const parsed = parsePack(
      pack({
        'actions/hello.yaml':
          'ref: hello\nentry_point: hello.py\nrunner_type: python\nparameters:\n  name: {type: string, required: true}\noutput:\n  greeting: {type: string}\noutput_schema:\n  ignored: {type: string}\ntimeout_seconds: 30\n',
        'actions/plain.yaml': 'ref: demo.plain\nentry_point: plain.sh\n',
      }),
    );
    const [hello, plain] = parsed.actions;
    assert.equal(hello.ref, 'demo.hello');
    assert.equal(hello.label, 'Hello');
    assert.equal(hello.runner_type, 'python');
    assert.equal(hello.entrypoint, 'hello.py');
    assert.deepEqual(hello.param_schema, { name: { type: 'string', required: true } });
    assert.deepEqual(hello.out_schema, { greeting: { type: 'string' } }, '`output` is read, `output_schema` is not');
    assert.equal(hello.timeout_seconds, 30);
    assert.equal(plain.runner_type, 'shell');
    assert.equal(plain.parameter_delivery, 'stdin');
    assert.equal(plain.parameter_format, 'json');
    assert.equal(plain.output_format, 'text');
    assert.equal(plain.enabled, true);
    assert.equal(plain.param_schema, null);
    assert.equal(plain.workflow, null);
  });

  it('refuses unknown parameter/output formats naming the file', () => {
    throwsApi(() => parsePack(pack({ 'actions/a.yaml': 'ref: a\nparameter_format: xml\n' })), 400, 'actions/a.yaml', 'parameter_format');
    throwsApi(() => parsePack(pack({ 'actions/a.yaml': 'ref: a\noutput_format: csv\n' })), 400, 'actions/a.yaml', 'output_format');
    throwsApi(() => parsePack(pack({ 'actions/a.yaml': 'ref: a\nparameters: [x]\n' })), 400, 'actions/a.yaml', "'parameters'");
  });

  it('maps triggers (parameters → param_schema, output → out_schema)', () => {
    const parsed = parsePack(pack({ 'triggers/tick.yaml': 'ref: tick\nparameters:\n  every: {type: integer}\noutput:\n  at: {type: string}\n' }));
    assert.deepEqual(parsed.triggers[0], {
      file: 'triggers/tick.yaml',
      ref: 'demo.tick',
      label: 'Tick',
      description: null,
      enabled: true,
      param_schema: { every: { type: 'integer' } },
      out_schema: { at: { type: 'string' } },
    });
  });

  it('qualifies rule trigger/action refs and keeps foreign ones', () => {
    const parsed = parsePack(
      pack({
        'rules/r.yaml':
          'ref: r\ntrigger_ref: core.intervaltimer\naction_ref: hello\ntrigger_params: {unit: seconds, interval: 5}\naction_params: {message: "{{ event.payload.fired_at }}"}\n',
      }),
    );
    const r = parsed.rules[0];
    assert.equal(r.ref, 'demo.r');
    assert.equal(r.trigger_ref, 'core.intervaltimer');
    assert.equal(r.action_ref, 'demo.hello');
    assert.deepEqual(r.trigger_params, { unit: 'seconds', interval: 5 });
    assert.deepEqual(r.conditions, []);
    assert.equal(r.enabled, true);
    throwsApi(() => parsePack(pack({ 'rules/bad.yaml': 'ref: bad\naction_ref: x\n' })), 400, 'rules/bad.yaml', 'trigger_ref');
  });

  it('maps sensors with native default runner and qualified trigger types', () => {
    const parsed = parsePack(pack({ 'sensors/s.yaml': 'ref: s\nentry_point: s.py\ntrigger_types: [tick, core.webhook]\n' }));
    assert.equal(parsed.sensors[0].runner_type, 'native');
    assert.deepEqual(parsed.sensors[0].trigger_types, ['demo.tick', 'core.webhook']);
  });

  it('validates permission-set grants and keeps them exactly as written', () => {
    const parsed = parsePack(
      pack({ 'permission_sets/p.yaml': 'ref: p\ngrants:\n  - resource: packs\n    actions: [read]\n    constraints: {owner: self}\n' }),
    );
    assert.deepEqual(parsed.permissionSets[0].grants, [{ resource: 'packs', actions: ['read'], constraints: { owner: 'self' } }]);
    throwsApi(() => parsePack(pack({ 'permission_sets/p.yaml': 'ref: p\ngrants:\n  - resource: packs\n' })), 400, 'grants[0].actions');
  });

  it('maps runtimes with lower-case aliases and versions', () => {
    const parsed = parsePack(
      pack({ 'runtimes/py.yaml': 'ref: py\nname: MyPy\naliases: [MyPy3]\nexecution_config: {interpreter: {binary: python3}}\nversions:\n  - {version: "3.12.1", is_default: true}\n' }),
    );
    const rt = parsed.runtimes[0];
    assert.equal(rt.ref, 'demo.py');
    assert.deepEqual(rt.aliases, ['mypy3']);
    assert.equal(rt.versions[0].version_major, 3);
    assert.equal(rt.versions[0].version_minor, 12);
    assert.equal(rt.versions[0].is_default, true);
  });

  it('requires a policy to limit something', () => {
    const parsed = parsePack(pack({ 'policies/one.yaml': 'ref: one\naction_ref: hello\nconcurrency: {limit: 1, method: enqueue}\n' }));
    assert.equal(parsed.policies[0].scope, 'action');
    assert.equal(parsed.policies[0].action_ref, 'demo.hello');
    assert.equal(parsed.policies[0].threshold, 1);
    assert.equal(parsed.policies[0].method, 'enqueue');
    throwsApi(() => parsePack(pack({ 'policies/none.yaml': 'ref: none\n' })), 400, 'policies/none.yaml');
  });

  it('skips files without ref (warning) and refuses duplicates', () => {
    const parsed = parsePack(pack({ 'actions/noref.yaml': 'label: nothing\n' }));
    assert.equal(parsed.actions.length, 0);
    assert.match(parsed.warnings[0], /actions\/noref\.yaml/);
    throwsApi(
      () => parsePack(pack({ 'actions/a.yaml': 'ref: same\n', 'actions/b.yaml': 'ref: demo.same\n' })),
      400,
      'actions/b.yaml',
      'already declared in actions/a.yaml',
    );
  });

  it('names the file on invalid YAML', () => {
    throwsApi(() => parsePack(pack({ 'triggers/broken.yaml': 'ref: x\nparameters: {a: [\n' })), 400, 'triggers/broken.yaml', 'invalid YAML');
  });
});

describe('workflows', () => {
  const graph = [
    'version: "1.0"',
    'vars: [{counter: 0}]',
    'tasks:',
    '  - name: first',
    '    action: core.echo',
    '    on_success: second',
    '    on_failure: [cleanup]',
    '  - name: second',
    '    action: core.noop',
    '    next:',
    '      - when: "{{ succeeded() }}"',
    '        do: cleanup',
    '  - name: cleanup',
    '    action: core.noop',
  ].join('\n');

  it('turns workflow_file actions into a workflow definition + companion action', () => {
    const parsed = parsePack(
      pack({
        'actions/flow.yaml': 'ref: flow\nworkflow_file: workflows/flow.workflow.yaml\nparameters: {n: {type: integer}}\n',
        'actions/workflows/flow.workflow.yaml': graph,
      }),
    );
    const a = parsed.actions[0];
    assert.equal(a.runner_type, null);
    assert.equal(a.entrypoint, 'workflows/flow.workflow.yaml');
    assert.ok(a.workflow);
    assert.equal(a.workflow.ref, 'demo.flow');
    assert.equal(a.workflow.version, '1.0');
    assert.deepEqual(a.workflow.param_schema, { n: { type: 'integer' } });
    const tasks = a.workflow.definition.tasks as Array<Record<string, unknown>>;
    assert.deepEqual(tasks[0].next, [
      { do: ['second'], when: '{{ succeeded() }}' },
      { do: ['cleanup'], when: '{{ failed() }}' },
    ]);
    assert.equal(tasks[0].on_success, undefined);
    assert.deepEqual(tasks[1].next, [{ when: '{{ succeeded() }}', do: ['cleanup'] }]);
    assert.deepEqual(a.workflow.definition.vars, { counter: 0 });
  });

  it('refuses unknown targets, missing files and paths leaving the pack', () => {
    throwsApi(
      () => normalizeWorkflowDefinition('w.yaml', { version: '1', tasks: [{ name: 'a', next: [{ do: ['nope'] }] }] }),
      400,
      'w.yaml',
      "unknown task 'nope'",
    );
    throwsApi(() => normalizeWorkflowDefinition('w.yaml', { version: '1', tasks: [] }), 400, 'tasks');
    throwsApi(() => parsePack(pack({ 'actions/f.yaml': 'ref: f\nworkflow_file: workflows/missing.yaml\n' })), 400, 'actions/f.yaml', 'not found');
    throwsApi(() => workflowFilePath('../../etc/passwd', 'actions/f.yaml'), 400, 'inside the pack');
    throwsApi(() => workflowFilePath('/etc/passwd', 'actions/f.yaml'), 400);
    assert.equal(workflowFilePath('../workflows/x.yaml', 'actions/f.yaml'), 'workflows/x.yaml');
  });

  it('loads legacy standalone workflows/*.yaml as workflow actions', () => {
    const parsed = parsePack(pack({ 'workflows/legacy.yaml': `ref: legacy\nlabel: Legacy\n${graph}\n` }));
    assert.equal(parsed.actions[0].ref, 'demo.legacy');
    assert.equal(parsed.actions[0].workflow?.label, 'Legacy');
  });

  it('loads an action-linked workflow and a legacy one side by side (actions of other packs are not looked up)', () => {
    const parsed = parsePack(
      pack({
        'actions/flow.yaml': 'ref: flow\nworkflow_file: workflows/flow.workflow.yaml\n',
        'actions/workflows/flow.workflow.yaml': graph.replace('core.noop', 'elsewhere.not_loaded_yet'),
        'workflows/legacy.yaml': `ref: legacy\n${graph}\n`,
      }),
    );
    assert.deepEqual(parsed.actions.map((a) => a.ref).sort(), ['demo.flow', 'demo.legacy']);
    assert.ok(parsed.actions.every((a) => a.workflow !== null));
  });

  it('refuses (400, naming the file) workflows the engine could never run', () => {
    const file = (body: string) => ({ 'actions/f.yaml': 'ref: f\nworkflow_file: workflows/f.workflow.yaml\n', 'actions/workflows/f.workflow.yaml': body });
    const two = (extra: string) => `version: "1"\ntasks:\n  - name: a\n    action: core.echo\n${extra}`;
    throwsApi(
      () => parsePack(pack(file(two('    input: {msg: "{{ 1 + }}"}\n')))),
      400, 'actions/workflows/f.workflow.yaml', "task 'a': input.msg: invalid expression",
    );
    throwsApi(() => parsePack(pack(file(two('    join: 2\n')))), 400, 'actions/workflows/f.workflow.yaml', "task 'a': join 2");
    throwsApi(
      () => parsePack(pack({ 'workflows/loop.yaml': 'ref: loop\nversion: "1"\ntasks:\n  - {name: a, action: core.echo, on_complete: b}\n  - {name: b, action: core.echo, on_complete: a}\n' })),
      400, 'workflows/loop.yaml', "tasks 'a' → 'b' → 'a' form a cycle with no way out",
    );
    throwsApi(
      () => parsePack(pack(file(`version: "1"\ntasks:\n  - {name: a, action: core.echo}\n  - {name: x, action: core.echo, on_complete: y}\n  - {name: y, action: core.echo, next: [{do: [x, z]}]}\n  - {name: z, action: core.echo}\n`))),
      400, "task 'x' can never run",
    );
  });
});

describe('runner_type resolution', () => {
  const runtimes = [
    { id: 1, ref: 'core.shell', name: 'Shell', aliases: ['shell', 'bash', 'sh'], pack_ref: 'core' },
    { id: 2, ref: 'core.python', name: 'Python', aliases: ['python', 'python3'], pack_ref: 'core' },
    { id: 3, ref: 'core.nodejs', name: 'Node.js', aliases: ['node', 'nodejs', 'node.js'], pack_ref: 'core' },
    { id: 4, ref: 'core.native', name: 'Native', aliases: ['native', 'builtin', 'standalone'], pack_ref: 'core' },
    { id: 9, ref: 'demo.python', name: 'Python', aliases: ['python'], pack_ref: 'demo' },
  ];

  it('matches name (case-insensitive), alias, ref and ref name', () => {
    assert.equal(resolveRunnerType('shell', runtimes, 'other')?.ref, 'core.shell');
    assert.equal(resolveRunnerType('BASH', runtimes, 'other')?.ref, 'core.shell');
    assert.equal(resolveRunnerType('node', runtimes, 'other')?.ref, 'core.nodejs');
    assert.equal(resolveRunnerType('Node.js', runtimes, 'other')?.ref, 'core.nodejs');
    assert.equal(resolveRunnerType('core.native', runtimes, 'other')?.ref, 'core.native');
    assert.equal(resolveRunnerType('standalone', runtimes, 'other')?.ref, 'core.native');
    assert.equal(resolveRunnerType('perl', runtimes, 'other'), undefined);
  });

  it("prefers the declaring pack's runtime, then core's", () => {
    assert.equal(resolveRunnerType('python', runtimes, 'demo')?.ref, 'demo.python');
    assert.equal(resolveRunnerType('python', runtimes, 'other')?.ref, 'core.python');
  });
});

describe('the core pack', () => {
  const parsed = parsePack(readPackFiles(CORE_DIR));

  it('is a standard pack with its components', () => {
    assert.equal(parsed.pack.ref, 'core');
    assert.equal(parsed.pack.version, '1.0.0');
    assert.equal(parsed.pack.system, true);
    assert.deepEqual(Object.keys(parsed.pack.conf_schema).sort(), ['enable_debug_logging', 'max_action_timeout']);
    assert.deepEqual(parsed.actions.map((a) => a.ref).sort(), ['core.ask', 'core.echo', 'core.http_request', 'core.noop', 'core.sleep']);
    assert.deepEqual(parsed.triggers.map((t) => t.ref).sort(), ['core.crontimer', 'core.datetimetimer', 'core.intervaltimer']);
    assert.deepEqual(parsed.runtimes.map((r) => r.ref).sort(), ['core.container', 'core.native', 'core.nodejs', 'core.python', 'core.shell']);
    assert.deepEqual(
      parsed.permissionSets.map((p) => p.ref).sort(),
      ['core.admin', 'core.editor', 'core.executor', 'core.key_creator', 'core.viewer'],
    );
    assert.deepEqual(parsed.sensors[0].trigger_types, ['core.intervaltimer', 'core.crontimer', 'core.datetimetimer']);
    assert.deepEqual(parsed.warnings, []);
  });

  it('echo takes a dotenv message with a default', () => {
    const echo = parsed.actions.find((a) => a.ref === 'core.echo')!;
    assert.equal(echo.parameter_format, 'dotenv');
    assert.equal(echo.output_format, 'text');
    assert.equal((echo.param_schema!.message as Record<string, unknown>).default, 'Hello, World!');
    const http = parsed.actions.find((a) => a.ref === 'core.http_request')!;
    assert.equal(http.parameter_format, 'json');
    assert.equal(http.output_format, 'json');
    assert.equal((http.param_schema!.url as Record<string, unknown>).required, true);
  });

  it('admin holds every verb on every resource', () => {
    const admin = parsed.permissionSets.find((p) => p.ref === 'core.admin')!;
    const grants = admin.grants as Array<{ resource: string; actions: string[] }>;
    for (const r of ['packs', 'actions', 'triggers', 'sensors', 'events', 'enforcements', 'inquiries', 'keys', 'identities', 'permissions', 'workflows', 'runtimes']) {
      const g = grants.find((x) => x.resource === r);
      assert.ok(g, `admin grant for ${r}`);
      for (const verb of ['read', 'create', 'update', 'delete', 'execute', 'cancel', 'respond', 'decrypt', 'manage']) assert.ok(g.actions.includes(verb));
    }
  });

  it('ships executable scripts', () => {
    for (const f of ['echo.sh', 'noop.sh', 'sleep.sh', 'http_request.sh']) {
      assert.ok((fs.statSync(path.join(CORE_DIR, 'actions', f)).mode & 0o111) !== 0, `${f} is executable`);
    }
  });
});

describe('upload archive safety', () => {
  it('refuses absolute paths, .. segments, links and devices', () => {
    assert.equal(archiveEntryProblem({ path: 'pack/actions/a.sh', type: 'File' }), null);
    assert.equal(archiveEntryProblem({ path: './pack.yaml', type: 'File' }), null);
    assert.equal(archiveEntryProblem({ path: 'actions/', type: 'Directory' }), null);
    assert.match(archiveEntryProblem({ path: '/etc/passwd', type: 'File' })!, /absolute/);
    assert.match(archiveEntryProblem({ path: 'C:/x', type: 'File' })!, /absolute/);
    assert.match(archiveEntryProblem({ path: 'a/../../x', type: 'File' })!, /\.\./);
    assert.match(archiveEntryProblem({ path: '..', type: 'Directory' })!, /\.\./);
    assert.match(archiveEntryProblem({ path: 'link', type: 'SymbolicLink' })!, /unsupported type/);
    assert.match(archiveEntryProblem({ path: 'hard', type: 'Link' })!, /unsupported type/);
    assert.match(archiveEntryProblem({ path: 'dev', type: 'CharacterDevice' })!, /unsupported type/);
  });

  it('finds pack.yaml at the root or in one top-level folder', () => {
    assert.equal(normalizeEntryPath('./a//b/'), 'a/b');
    assert.equal(findPackRoot(['./', './pack.yaml', './actions/a.yaml']), '');
    assert.equal(findPackRoot(['mypack/', 'mypack/pack.yaml', 'mypack/actions/x.yaml']), 'mypack');
    assert.equal(findPackRoot(['mypack/pack.yaml', '__MACOSX/._pack.yaml']), 'mypack');
    assert.equal(findPackRoot(['a/pack.yaml', 'b/pack.yaml']), null);
    assert.equal(findPackRoot(['a/b/pack.yaml']), null);
    assert.equal(findPackRoot(['readme.md']), null);
  });

  it('extracts a good archive and refuses a hostile one', async () => {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'pack-archive-test-'));
    try {
      const src = path.join(tmp, 'src', 'demo');
      fs.mkdirSync(path.join(src, 'actions'), { recursive: true });
      fs.writeFileSync(path.join(src, 'pack.yaml'), MANIFEST);
      fs.writeFileSync(path.join(src, 'actions', 'run.sh'), '#!/bin/sh\necho hi\n', { mode: 0o755 });
      const good = path.join(tmp, 'good.tar.gz');
      await createTar({ gzip: true, file: good, cwd: path.join(tmp, 'src'), portable: true }, ['demo']);
      const out = path.join(tmp, 'out');
      fs.mkdirSync(out);
      const root = await extractPackArchive(good, out);
      assert.equal(root, path.join(out, 'demo'));
      assert.ok((fs.statSync(path.join(root, 'actions', 'run.sh')).mode & 0o100) !== 0, 'modes are kept');

      fs.writeFileSync(path.join(tmp, 'outside.txt'), 'x');
      const evil = path.join(tmp, 'evil.tar.gz');
      await createTar({ gzip: true, file: evil, cwd: path.join(tmp, 'src', 'demo'), preservePaths: true }, ['pack.yaml', '../../outside.txt']);
      const out2 = path.join(tmp, 'out2');
      fs.mkdirSync(out2);
      await assert.rejects(extractPackArchive(evil, out2), (err: unknown) => err instanceof ApiError && err.status === 400 && /\.\./.test(err.message));
      assert.deepEqual(fs.readdirSync(out2), [], 'nothing was extracted');

      const junk = path.join(tmp, 'junk.tar.gz');
      fs.writeFileSync(junk, 'this is not a tarball');
      await assert.rejects(extractPackArchive(junk, out2), (err: unknown) => err instanceof ApiError && err.status === 400);

      const nopack = path.join(tmp, 'nopack.tar.gz');
      await createTar({ gzip: true, file: nopack, cwd: path.join(src, 'actions') }, ['run.sh']);
      await assert.rejects(extractPackArchive(nopack, out2), (err: unknown) => err instanceof ApiError && /no pack\.yaml/.test(err.message));
    } finally {
      fs.rmSync(tmp, { recursive: true, force: true });
    }
  });
});
