/**
 * Running dispatched executions on this worker.
 *
 * One dispatch = one claim statement (scheduled → running, started_at, returning the execution
 * with its action, runtime, enforcement refs and candidate secrets), preparation (invocation,
 * parameters, environment, token, temp files), the process (runProcess), one conditional final
 * UPDATE, then ExecutionStatusChanged + ExecutionCompleted. Nothing escapes `run`: preparation
 * errors become `failed` with `{succeeded:false, error}`.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { config } from '../common/config';
import type { Pool } from '../common/db';
import { throughOutage } from '../common/outages';
import { fault } from '../common/faults';
import type { Logger } from '../common/log';
import type { Mq } from '../common/mq';
import { fromRoot } from '../common/paths';
import { signToken } from '../common/tokens';
import { apiUrl, buildActionEnv } from './action-env';
import { withActionHelpers } from './environments/action-helpers';
import { ensureEnvironment } from './environments/ensure';
import { inlineShellScript } from './inline-shell';
import { runFolderPrefix } from './temp-dirs';
import { OUTPUT_FORMATS, type OutputFormat } from './output';
import { formatParameters, isParameterFormat, type ParameterFormat } from './parameters';
import { buildResult, runProcess, type ProcessSpec } from './process-runner';
import { planInvocation, runtimeEnvVars, type RuntimeRow } from './runtimes';
import { containerSettingsOf, requireSandbox, sandboxBaseEnv, sandboxedIf } from './sandbox';
import { mergeParameters, mergeSecrets, withSecretScopeFaults, type SecretRow } from './secrets';
import { stringifyExact } from '../common/exact-json';

export interface WorkerContext {
  pool: Pool;
  mq: Mq;
  log: Logger;
  workerId: number;
  workerName: string;
}

export interface ClaimedExecution {
  id: number;
  action: number | null;
  action_ref: string;
  config: unknown;
  env_vars: unknown;
  executor: number | null;
  enforcement: number | null;
  timeout_seconds: number | null;
  started_at: Date;
  action_id: number | null;
  pack_ref: string | null;
  entrypoint: string | null;
  parameter_delivery: string | null;
  parameter_format: string | null;
  output_format: string | null;
  action_timeout_seconds: number | null;
  runtime_ref: string | null;
  runtime_name: string | null;
  runtime_execution_config: unknown;
  rule_ref: string | null;
  trigger_ref: string | null;
  secrets: SecretRow[] | null;
}

/** scheduled → running, and everything the run needs, in one round trip. */
export const CLAIM_EXECUTION_SQL = `
  WITH upd AS (
    UPDATE execution SET status = 'running', started_at = now()
     WHERE id = $1 AND status = 'scheduled'
     RETURNING id, action, action_ref, config, env_vars, executor, enforcement, timeout_seconds, started_at
  )
  SELECT upd.*,
         a.id AS action_id, a.pack_ref, a.entrypoint, a.parameter_delivery, a.parameter_format, a.output_format,
         a.timeout_seconds AS action_timeout_seconds,
         r.ref AS runtime_ref, r.name AS runtime_name, r.execution_config AS runtime_execution_config,
         en.rule_ref, en.trigger_ref,
         (SELECT coalesce(jsonb_agg(jsonb_build_object(
                    'ref', k.ref, 'owner_type', k.owner_type, 'name', k.name, 'value', k.value,
                    'encrypted', k.encrypted, 'encryption_key_hash', k.encryption_key_hash, 'expires_at', k.expires_at)
                  ORDER BY k.id), '[]'::jsonb)
            FROM key k
           WHERE (k.expires_at IS NULL OR k.expires_at > now())
             AND (k.owner_type = 'system'
                  OR (k.owner_type = 'pack' AND k.owner_pack = a.pack)
                  OR (k.owner_type = 'action' AND k.owner_action = a.id))) AS secrets
    FROM upd
    LEFT JOIN action a ON a.id = upd.action
    LEFT JOIN runtime r ON r.id = a.runtime
    LEFT JOIN enforcement en ON en.id = upd.enforcement`;

/** Final status, only from running/canceling; returns the status it replaced. */
export const FINISH_EXECUTION_SQL = `
  WITH prev AS (SELECT id, status FROM execution WHERE id = $1 FOR UPDATE)
  UPDATE execution e SET status = $2, result = $3
    FROM prev
   WHERE e.id = prev.id AND prev.status IN ('running', 'canceling')
   RETURNING prev.status AS previous_status, e.updated`;

export type AbortReason = 'cancel' | 'shutdown';

interface RunningEntry {
  controller: AbortController;
  reason?: AbortReason;
}

export interface PreparedRun {
  spec: ProcessSpec;
  tmpDir?: string;
  outputFormat: OutputFormat;
  timeoutSeconds: number;
}

/**
 * The worker's own environment as a plain object, copied once: every run starts from it, and enumerating
 * `process.env` (a call into the runtime per variable) for each run cost more than the rest of building the
 * action's environment. Nothing in the worker changes its environment after start.
 */
let workerEnvCopy: Record<string, string> | undefined;
function workerEnv(): Record<string, string> {
  if (!workerEnvCopy) {
    workerEnvCopy = {};
    for (const [k, v] of Object.entries(process.env)) if (v !== undefined) workerEnvCopy[k] = v;
  }
  return workerEnvCopy;
}

/**
 * The file's stats, or null when there is none. Synchronous on purpose: a local stat takes microseconds, while the
 * promise form builds an Error with a stack for every missing path (inline scripts have none), which showed as
 * 0.7 ms of the worker's time per run in a profile.
 */
async function statOrNull(p: string): Promise<fs.Stats | null> {
  try {
    return fs.statSync(p, { throwIfNoEntry: false }) ?? null;
  } catch {
    return null;
  }
}

export function effectiveTimeoutSeconds(e: Pick<ClaimedExecution, 'timeout_seconds' | 'action_timeout_seconds'>, fallback: number): number {
  const t = e.timeout_seconds ?? e.action_timeout_seconds ?? fallback;
  return t > 0 ? t : fallback;
}

export class ActionRunner {
  private readonly running = new Map<number, RunningEntry>();
  private readonly tasks = new Set<Promise<void>>();

  constructor(private readonly ctx: WorkerContext) {}

  get activeIds(): number[] {
    return [...this.running.keys()];
  }

  /** Starts a dispatched execution in the background; the returned promise never rejects. */
  start(executionId: number, correlationId?: string): Promise<void> {
    const task = this.run(executionId, correlationId).catch((err) =>
      this.ctx.log.error({ err, execution_id: executionId }, 'unexpected error while running an execution'),
    );
    this.tasks.add(task);
    void task.finally(() => this.tasks.delete(task));
    return task;
  }

  /** Aborts a running execution. Returns false when this worker is not running it. */
  abort(executionId: number, reason: AbortReason): boolean {
    const entry = this.running.get(executionId);
    if (!entry) return false;
    entry.reason ??= reason;
    entry.controller.abort();
    return true;
  }

  abortAll(reason: AbortReason): void {
    for (const id of this.running.keys()) this.abort(id, reason);
  }

  /** Waits up to `ms` for the running executions to finish; true when none is left. */
  async drain(ms: number): Promise<boolean> {
    if (this.tasks.size === 0) return true;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<false>((resolve) => {
      timer = setTimeout(() => resolve(false), ms);
    });
    const all = Promise.all([...this.tasks]).then(() => true);
    const done = await Promise.race([all, timeout]);
    clearTimeout(timer);
    return done;
  }

  async run(executionId: number, correlationId?: string): Promise<void> {
    const { pool, log } = this.ctx;
    const entry: RunningEntry = { controller: new AbortController() };
    this.running.set(executionId, entry);
    try {
      let claimed: ClaimedExecution | undefined;
      try {
        // fault skip-running-status: the claim leaves the row `scheduled` (and finish accepts it), so `running` is never written
        const claimSql = fault('skip-running-status') ? CLAIM_EXECUTION_SQL.replace("SET status = 'running', ", 'SET ') : CLAIM_EXECUTION_SQL;
        claimed = (await throughOutage(`claiming execution ${executionId}`, log, () => pool.query<ClaimedExecution>(withSecretScopeFaults(claimSql), [executionId]))).rows[0];
      } catch (err) {
        log.error({ err, execution_id: executionId }, 'could not claim execution');
        await this.failUnclaimed(executionId, `Worker could not start the execution: ${(err as Error).message}`, correlationId);
        return;
      }
      if (!claimed) {
        log.debug({ execution_id: executionId }, 'dispatch ignored: execution is no longer scheduled');
        return;
      }
      const runningAnnounced = this.publishSafe(
        'ExecutionStatusChanged',
        { execution_id: claimed.id, action_ref: claimed.action_ref, previous_status: 'scheduled', new_status: 'running', changed_at: iso(claimed.started_at) },
        correlationId,
      );

      let final: { status: string; result: Record<string, unknown> };
      let prepared: PreparedRun | undefined;
      try {
        prepared = await this.prepare(claimed, entry.controller.signal);
        const outcome = await runProcess(prepared.spec);
        final = buildResult(outcome, { outputFormat: prepared.outputFormat, timeoutSeconds: prepared.timeoutSeconds });
        // fault secret-in-result: the result records the input document the action was given, secrets included
        if (fault('secret-in-result')) final.result.input = prepared.spec.stdin;
      } catch (err) {
        final = { status: 'failed', result: { succeeded: false, error: (err as Error).message || String(err) } };
      } finally {
        if (prepared?.tmpDir) await fs.promises.rm(prepared.tmpDir, { recursive: true, force: true }).catch(() => undefined);
      }
      if (entry.reason === 'shutdown' && final.status === 'cancelled') {
        final = {
          status: 'abandoned',
          result: { ...final.result, cancelled: undefined, error: `Worker ${this.ctx.workerName} stopped while the execution was running` },
        };
      }
      const { announced } = await this.finish(claimed, final, correlationId, entry.reason === 'shutdown');
      // the run is over once its result is written: its slot goes back now, and the status messages (which may wait
      // for a broker that is reconnecting) are finished in the background, still awaited by drain()
      this.background(Promise.all([runningAnnounced, announced]).then(() => undefined));
    } finally {
      this.running.delete(executionId);
    }
  }

  /** Builds the process spec: invocation, parameters (+ secrets), environment, token, temp files. */
  async prepare(e: ClaimedExecution, signal: AbortSignal): Promise<PreparedRun> {
    const cfg = config();
    if (e.action_id === null || e.pack_ref === null || e.entrypoint === null) throw new Error(`Action '${e.action_ref}' not found`);
    const timeoutSeconds = effectiveTimeoutSeconds(e, cfg.default_execution_timeout_seconds);
    const packDir = path.join(fromRoot(cfg.packs_base_dir), e.pack_ref);
    const scriptPath = path.join(packDir, 'actions', e.entrypoint);
    const runtime: RuntimeRow | null = e.runtime_ref || e.runtime_name ? { ref: e.runtime_ref, name: e.runtime_name, execution_config: e.runtime_execution_config } : null;
    // container runtimes run in the worker's sandbox or not at all (stack/worker/sandbox, docs/runtimes.md)
    const container = containerSettingsOf(runtime);
    const sandbox = container ? await requireSandbox() : undefined;
    // the pack's dependency environment (Python venv, Node modules), built or reused before anything runs (§4.10)
    const { envDir } = await ensureEnvironment({
      runtime, packRef: e.pack_ref, packDir, envRoot: fromRoot(cfg.runtime_envs_dir), offline: cfg.worker.offline_dependencies,
      buildTimeoutMs: cfg.worker.dependency_build_timeout * 1000, log: this.ctx.log,
    });

    const [scriptStat, packStat, token] = await Promise.all([
      e.entrypoint.length < 4096 && !e.entrypoint.includes('\n') ? statOrNull(scriptPath) : Promise.resolve(null),
      statOrNull(packDir),
      // The token acts as the identity that caused the execution; with nobody behind it there is no token
      // (an empty ATTUNE_API_TOKEN, as early Attune had) rather than a fallback to a privileged identity.
      e.executor == null
        ? Promise.resolve('')
        : signToken({ sub: e.executor, login: `execution:${e.id}`, token_type: 'execution', scope: `execution:${e.id}` }, timeoutSeconds + 60),
    ]);
    const invocation = planInvocation({
      runtime,
      entrypoint: e.entrypoint,
      packDir,
      scriptPath,
      scriptExists: !!scriptStat?.isFile(),
      envDir,
      fileExists: (p) => fs.existsSync(p),
    });

    const { secrets, skipped } = mergeSecrets(e.secrets ?? [], cfg.security.encryption_key);
    if (skipped.length) this.ctx.log.warn({ execution_id: e.id, skipped: skipped.map((s) => ({ ref: s.ref, reason: s.reason })) }, 'some secrets were not delivered');
    const params = mergeParameters(e.config, secrets);
    // fault secret-logged-by-worker: the worker logs the input document it delivers, secrets included
    if (fault('secret-logged-by-worker')) this.ctx.log.info({ execution_id: e.id, input: params }, 'delivering the input document');
    // fault secret-in-execution-config: the delivered document, secrets included, is written back as the execution's config
    if (fault('secret-in-execution-config')) await this.ctx.pool.query('UPDATE execution SET config = $2 WHERE id = $1', [e.id, stringifyExact(params)]);
    const format: ParameterFormat = isParameterFormat(e.parameter_format) ? e.parameter_format : 'json';
    const delivery = e.parameter_delivery === 'file' ? 'file' : 'stdin';
    const hasParams = Object.keys(params).length > 0;
    const document = hasParams ? `${formatParameters(params, format)}\n` : '';
    const packDirExists = !!packStat?.isDirectory();

    let tmpDir: string | undefined;
    if (invocation.mode === 'inline' || delivery === 'file' || !packDirExists) {
      tmpDir = await fs.promises.mkdtemp(runFolderPrefix(e.id));
    }
    const args = [...invocation.args];
    let actionFile = invocation.scriptPath ?? '';
    // the inline shell prelude (parameter values, secrets included) travels on descriptor 3, never through a file
    let descriptor3: string | undefined;
    if (invocation.mode === 'inline') {
      actionFile = path.join(tmpDir!, 'action.sh');
      const inline = inlineShellScript(e.entrypoint, params);
      await fs.promises.writeFile(actionFile, inline.script, { mode: 0o700 });
      descriptor3 = inline.prelude;
      args.push(actionFile);
    } else if (invocation.command !== invocation.scriptPath) {
      args.push(actionFile);
    }
    // fault secret-in-argv: each secret is also passed on the command line as `--<name>=<value>`
    if (fault('secret-in-argv')) for (const [k, v] of Object.entries(secrets)) args.push(`--${k}=${typeof v === 'string' ? v : stringifyExact(v)}`);
    let parameterFile: string | undefined;
    if (delivery === 'file') {
      parameterFile = path.join(tmpDir!, `parameters.${format === 'dotenv' ? 'env' : format}`);
      await fs.promises.writeFile(parameterFile, document, { mode: 0o400 });
    }

    const baseEnv = container ? sandboxBaseEnv() : workerEnv();
    const tokens = { pack_dir: packDir, env_dir: envDir, interpreter: invocation.command, action_file: actionFile };
    const env = withActionHelpers(buildActionEnv({
      baseEnv,
      executionId: e.id,
      actionRef: e.action_ref,
      packRef: e.pack_ref,
      apiUrl: apiUrl(cfg),
      apiToken: token,
      ruleRef: e.rule_ref,
      triggerRef: e.trigger_ref,
      parameterDelivery: delivery,
      parameterFormat: format,
      parameterFile,
      runtimeEnv: runtimeEnvVars(e.runtime_execution_config, baseEnv as Record<string, string>, tokens),
      executionEnvVars: e.env_vars,
      secrets,
    }), invocation.kind);
    const outputFormat = (OUTPUT_FORMATS as readonly string[]).includes(e.output_format ?? '') ? (e.output_format as OutputFormat) : 'text';
    return {
      spec: await sandboxedIf(container, sandbox, { packDir: packDirExists ? packDir : undefined, tmpDir }, {
        command: invocation.command,
        args,
        cwd: packDirExists ? packDir : tmpDir,
        env,
        stdin: delivery === 'stdin' ? document : undefined,
        descriptor3,
        timeoutMs: timeoutSeconds * 1000,
        signal,
        maxStdoutBytes: cfg.worker.max_stdout_bytes,
        maxStderrBytes: cfg.worker.max_stderr_bytes,
      }),
      tmpDir,
      outputFormat,
      timeoutSeconds,
    };
  }

  /** Work that outlives its run (status messages): not holding a slot, but waited for by drain(). */
  private background(work: Promise<void>): void {
    this.tasks.add(work);
    void work.finally(() => this.tasks.delete(work));
  }

  /** Writes the run's result; returns the announcement of it (status changed, completed), still being published. */
  private async finish(e: ClaimedExecution, final: { status: string; result: Record<string, unknown> }, correlationId?: string, shuttingDown = false): Promise<{ announced: Promise<void> }> {
    const { pool, log } = this.ctx;
    let written: { previous_status: string; updated: Date } | undefined;
    try {
      const finishSql = fault('skip-running-status') ? FINISH_EXECUTION_SQL.replace("IN ('running',", "IN ('scheduled', 'running',") : FINISH_EXECUTION_SQL;
      written = (await throughOutage(`recording the result of execution ${e.id}`, log, () => pool.query(finishSql, [e.id, final.status, stringifyExact(final.result)]))).rows[0];
    } catch (err) {
      log.error({ err, execution_id: e.id }, 'could not record the execution result');
      return { announced: Promise.resolve() };
    }
    if (!written) {
      // At shutdown the row was already ended as abandoned (see main.ts); otherwise someone else ended it.
      log[shuttingDown ? 'debug' : 'warn']({ execution_id: e.id, status: final.status }, 'execution left running/canceling meanwhile; result not recorded');
      return { announced: Promise.resolve() };
    }
    log.info({ execution_id: e.id, action_ref: e.action_ref, status: final.status }, 'execution finished');
    const changedAt = iso(written.updated);
    // an async function would wait for a promise it returns: the announcement is handed back inside an object
    const announced = Promise.all([
      this.publishSafe(
        'ExecutionStatusChanged',
        { execution_id: e.id, action_ref: e.action_ref, previous_status: written.previous_status, new_status: final.status, changed_at: changedAt },
        correlationId,
      ),
      this.publishSafe(
        'ExecutionCompleted',
        { execution_id: e.id, action_id: e.action ?? 0, action_ref: e.action_ref, status: final.status, result: final.result, completed_at: changedAt },
        correlationId,
      ),
    ]).then(() => undefined);
    return { announced };
  }

  /** The claim itself failed (e.g. database error): record a failure if the row is still ours to end. */
  private async failUnclaimed(executionId: number, error: string, correlationId?: string): Promise<void> {
    try {
      const { rows } = await this.ctx.pool.query<{ action: number | null; action_ref: string; previous_status: string; updated: Date }>(
        `WITH prev AS (SELECT id, status FROM execution WHERE id = $1 FOR UPDATE)
         UPDATE execution e SET status = 'failed', result = $2 FROM prev
          WHERE e.id = prev.id AND prev.status IN ('scheduled', 'running')
          RETURNING e.action, e.action_ref, prev.status AS previous_status, e.updated`,
        [executionId, stringifyExact({ succeeded: false, error })],
      );
      const row = rows[0];
      if (!row) return;
      const at = iso(row.updated);
      await Promise.all([
        this.publishSafe('ExecutionStatusChanged', { execution_id: executionId, action_ref: row.action_ref, previous_status: row.previous_status, new_status: 'failed', changed_at: at }, correlationId),
        this.publishSafe('ExecutionCompleted', { execution_id: executionId, action_id: row.action ?? 0, action_ref: row.action_ref, status: 'failed', result: { succeeded: false, error }, completed_at: at }, correlationId),
      ]);
    } catch (err) {
      this.ctx.log.error({ err, execution_id: executionId }, 'could not record the failure either');
    }
  }

  async publishSafe(type: 'ExecutionStatusChanged' | 'ExecutionCompleted', payload: Record<string, unknown>, correlationId?: string): Promise<void> {
    try {
      await this.ctx.mq.publish(type, payload, { correlationId });
    } catch (err) {
      this.ctx.log.error({ err, message_type: type, execution_id: payload.execution_id }, 'publish failed');
    }
  }
}

function iso(v: Date | string | null | undefined): string {
  if (v instanceof Date) return v.toISOString();
  return v ? new Date(v).toISOString() : new Date().toISOString();
}
