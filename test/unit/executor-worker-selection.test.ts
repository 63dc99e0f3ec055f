import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  canonicalRuntimeName, candidateWorkers, noWorkerError, RoundRobin, workerSupportsRuntime, type WorkerRow,
} from '../../stack/executor/worker-selection';

const w = (id: number, over: Partial<WorkerRow> = {}): WorkerRow => ({
  id,
  worker_role: 'action',
  status: 'active',
  cordoned: false,
  capabilities: { runtimes: ['shell', 'python', 'node', 'native'] },
  heartbeat_age_seconds: 1,
  ...over,
});

test('runtime names fold aliases case-insensitively', () => {
  assert.equal(canonicalRuntimeName('Shell'), 'shell');
  assert.equal(canonicalRuntimeName('BASH'), 'shell');
  assert.equal(canonicalRuntimeName('python3'), 'python');
  assert.equal(canonicalRuntimeName('Node.js'), 'node');
  assert.equal(canonicalRuntimeName('nodejs'), 'node');
  assert.equal(canonicalRuntimeName('builtin'), 'native');
  assert.equal(canonicalRuntimeName('Ruby'), 'ruby');
});

test('worker runtime capability matching', () => {
  assert.ok(workerSupportsRuntime({ runtimes: ['sh'] }, { name: 'Shell' }));
  assert.ok(workerSupportsRuntime({ runtimes: ['python3'] }, { name: 'Python' }));
  assert.ok(!workerSupportsRuntime({ runtimes: ['shell'] }, { name: 'Python' }));
  assert.ok(workerSupportsRuntime({ runtimes: ['ruby'] }, { name: 'Ruby runtime', aliases: ['ruby'] }));
  assert.ok(workerSupportsRuntime(null, null), 'no runtime: any worker');
  assert.ok(!workerSupportsRuntime({}, { name: 'Shell' }));
  assert.ok(!workerSupportsRuntime({ runtimes: 'shell' }, { name: 'Shell' }));
});

test('candidates: role, status, cordon, heartbeat freshness (3 intervals), runtime', () => {
  const rows = [
    w(5),
    w(1, { worker_role: 'sensor' }),
    w(2, { status: 'inactive' }),
    w(3, { heartbeat_age_seconds: 91 }),
    w(4, { heartbeat_age_seconds: null }),
    w(6, { cordoned: true }),
    w(7, { capabilities: { runtimes: ['shell'] } }),
    w(8, { heartbeat_age_seconds: 90 }),
  ];
  assert.deepEqual(candidateWorkers(rows, { name: 'Python' }, 30).map((x) => x.id), [5, 8]);
  assert.deepEqual(candidateWorkers(rows, { name: 'Shell' }, 30).map((x) => x.id), [5, 7, 8]);
  assert.deepEqual(candidateWorkers(rows, null, 30).map((x) => x.id), [5, 7, 8]);
  assert.deepEqual(candidateWorkers(rows, null, 5).map((x) => x.id), [5, 7], 'heartbeat 5 s: 15 s limit');
});

test('round-robin cycles per key', () => {
  const rr = new RoundRobin();
  const c = [w(1), w(2), w(3)];
  assert.deepEqual([1, 2, 3, 4].map(() => rr.pick('shell', c)!.id), [1, 2, 3, 1]);
  assert.equal(rr.pick('python', c)!.id, 1);
  assert.equal(rr.pick('shell', []), undefined);
});

test('no-worker error text', () => {
  assert.equal(noWorkerError('p.a', 'Python'), "No worker available to run action 'p.a' (runtime Python)");
});
