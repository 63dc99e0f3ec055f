/**
 * Acts on action parameters: an action that declares a parameter schema and prints the parameter document it was
 * given, and run requests whose parameters may break that schema (the raw answer is kept: the request itself is part
 * of what a scenario asserts).
 */
import type { DataTable } from '@cucumber/cucumber';
import type { RawResponse } from '../api/client';
import type { AttuneWorld } from '../world';
import { createAction, type Action } from './actions';

/** Prints its input document (one JSON line on stdin) unchanged; `output_format: json` puts it in `result.data`. */
const PRINT_INPUT = 'cat\n';

const TRUTHY = new Set(['yes', 'true']);

/** A default written in a table cell, typed as its parameter declares (`30` for an integer is the number 30). */
export function typedDefault(type: string, text: string): unknown {
  switch (type) {
    case 'integer':
    case 'number': {
      const n = Number(text);
      if (!Number.isFinite(n)) throw new Error(`the default "${text}" is not a ${type}`);
      return n;
    }
    case 'boolean':
      if (text !== 'true' && text !== 'false') throw new Error(`the default "${text}" is not a boolean`);
      return text === 'true';
    default:
      return text;
  }
}

/**
 * A flat parameter schema from a table with the columns parameter, type, required (yes/no), default (empty: none)
 * and enum (comma-separated, empty: none).
 */
export function schemaFromTable(table: DataTable): Record<string, Record<string, unknown>> {
  const schema: Record<string, Record<string, unknown>> = {};
  for (const row of table.hashes()) {
    const type = row.type;
    const spec: Record<string, unknown> = { type, description: `the ${row.parameter} parameter` };
    if (TRUTHY.has((row.required ?? '').trim())) spec.required = true;
    if ((row.default ?? '') !== '') spec.default = typedDefault(type, row.default);
    if ((row.enum ?? '') !== '') spec.enum = row.enum.split(',').map((v) => typedDefault(type, v.trim()));
    schema[row.parameter] = spec;
  }
  return schema;
}

export async function createParameterPrinter(world: AttuneWorld, name: string, table: DataTable): Promise<Action> {
  return createAction(world, { name, script: PRINT_INPUT, paramSchema: schemaFromTable(table), outputFormat: 'json' });
}

/**
 * POST /api/v1/executions/execute with exactly these parameters; returns the raw answer. An execution it created is
 * tracked and remembered as the last one, like any run.
 */
export async function requestRun(world: AttuneWorld, actionRef: string, parameters: unknown): Promise<RawResponse> {
  const response = await world.api.raw('POST', '/api/v1/executions/execute', { action_ref: actionRef, parameters, env_vars: {} });
  const created = (response.body as { data?: { id?: unknown } } | undefined)?.data;
  if (response.status === 201 && created && typeof created.id === 'number') {
    world.trackExecution(created.id);
    world.remember('execution', 'last', created);
  }
  world.remember('run request', 'last', { parameters, response });
  return response;
}
