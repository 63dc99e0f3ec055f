/**
 * Acts on HTTP requests made through an action (`core.http_request`, docs/runtimes.md "HTTP runner"): the scenario's
 * loopback server (support/loopback-http.ts) and a run of the action against it. Parameters are written as JSON in the
 * feature; `<server>` stands for the scenario's loopback server (`http://127.0.0.1:<port>`) and `<closed port>` for a
 * loopback address where nothing listens.
 */
import { parseJson } from '../json-text';
import { closedLoopbackPort, startLoopbackServer, type LoopbackHttpServer } from '../loopback-http';
import type { AttuneWorld } from '../world';
import { runAction, type Execution } from './executions';

export const SERVER_PLACEHOLDER = '<server>';
export const CLOSED_PORT_PLACEHOLDER = '<closed port>';

const SERVER = 'loopback server';
const CLOSED = 'closed loopback port';

/** The scenario's loopback server, started (and its closing registered) on first need. */
export async function loopbackServer(world: AttuneWorld): Promise<LoopbackHttpServer> {
  const known = world.recallMaybe<LoopbackHttpServer>('http server', SERVER);
  if (known) return known;
  return world.remember('http server', SERVER, await startLoopbackServer(world));
}

/** The scenario's loopback server; an error when no step started one. */
export function startedLoopbackServer(world: AttuneWorld): LoopbackHttpServer {
  return world.recall<LoopbackHttpServer>('http server', SERVER);
}

/** Reserves a loopback address where nothing listens (opened, then closed again). */
export async function reserveClosedPort(world: AttuneWorld): Promise<string> {
  const { baseUrl } = await closedLoopbackPort();
  world.remember('http server', CLOSED, baseUrl);
  return baseUrl;
}

/** The parameters with `<server>` / `<closed port>` filled in; a placeholder without its server is an error. */
export function fillPlaceholders(world: AttuneWorld, text: string): string {
  let filled = text;
  if (filled.includes(SERVER_PLACEHOLDER)) filled = filled.split(SERVER_PLACEHOLDER).join(startedLoopbackServer(world).baseUrl);
  if (filled.includes(CLOSED_PORT_PLACEHOLDER)) {
    const closed = world.recallMaybe<string>('http server', CLOSED);
    if (!closed) throw new Error(`the parameters name ${CLOSED_PORT_PLACEHOLDER}, but no step reserved one ("a loopback port where nothing listens")`);
    filled = filled.split(CLOSED_PORT_PLACEHOLDER).join(closed);
  }
  return filled;
}

/** The parameters of the scenario's last HTTP request run, as sent. */
export function sentHttpParameters(world: AttuneWorld): Record<string, unknown> {
  return world.recall<Record<string, unknown>>('http request parameters', 'last');
}

/** Runs the action with the JSON parameters (placeholders filled in); remembers them for the answers' checks. */
export async function runHttpRequest(world: AttuneWorld, actionRef: string, parametersJson: string): Promise<Execution> {
  const parameters = parseJson(fillPlaceholders(world, parametersJson), `the parameters of ${actionRef}`);
  if (parameters === null || typeof parameters !== 'object' || Array.isArray(parameters)) {
    throw new Error(`the parameters of ${actionRef} must be a JSON object, got ${parametersJson}`);
  }
  world.remember('http request parameters', 'last', parameters as Record<string, unknown>);
  return runAction(world, actionRef, parameters as Record<string, unknown>);
}
