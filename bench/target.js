/**
 * The target a benchmark drives, reached only over the wire: the REST API (admin login), the notifier WebSocket (every
 * execution status change with its receipt time), optionally PostgreSQL (nothing here needs it) and, for the scale
 * figure, the reference stack's supervisor control endpoint. Settings are the suite's: ATTUNE_API_URL, ATTUNE_WS_URL,
 * ATTUNE_ADMIN_LOGIN / ATTUNE_ADMIN_PASSWORD, ATTUNE_SERVICE_CONTROL (supervisor:http://…).
 */
'use strict';

const fs = require('node:fs');
const path = require('node:path');
const { performance } = require('node:perf_hooks');
const http = require('node:http');
const https = require('node:https');
const WebSocket = require('ws');
const { parseTimestamp } = require('./stats');

const ROOT = path.resolve(__dirname, '..');
const TERMINAL = new Set(['completed', 'failed', 'timeout', 'canceled', 'cancelled', 'abandoned']);

/** Wall-clock milliseconds with sub-millisecond resolution. */
const now = () => performance.timeOrigin + performance.now();

function settings() {
  const api = (process.env.ATTUNE_API_URL || 'http://127.0.0.1:18080').replace(/\/$/, '');
  const stack = stackJsonFor(api);
  return {
    api,
    ws: process.env.ATTUNE_WS_URL || (stack && stack.doc.notifier) || 'ws://127.0.0.1:18081/ws',
    login: process.env.ATTUNE_ADMIN_LOGIN || 'test@attune.local',
    password: process.env.ATTUNE_ADMIN_PASSWORD || 'TestPass123!',
    control: (process.env.ATTUNE_SERVICE_CONTROL || '').replace(/^supervisor:/, '') || (stack ? `http://127.0.0.1:${process.env.ATTUNE_SUPERVISOR_PORT || 18099}` : ''),
    stackJson: stack ? stack.file : undefined,
  };
}

/** logs/stack.json (or logs/<dir>/stack.json) of the reference stack serving `api`, when there is one. */
function stackJsonFor(api) {
  const candidates = [path.join(ROOT, 'logs', 'stack.json')];
  try {
    for (const d of fs.readdirSync(path.join(ROOT, 'logs'))) candidates.push(path.join(ROOT, 'logs', d, 'stack.json'));
  } catch {
    /* no logs folder */
  }
  for (const file of candidates) {
    try {
      const doc = JSON.parse(fs.readFileSync(file, 'utf8'));
      if (String(doc.api).replace(/\/$/, '') === api) return { file, doc };
    } catch {
      /* not there */
    }
  }
  return undefined;
}

// One kept-alive connection pool per protocol. The benchmark's own CPU competes with the target on the same
// machine, so requests go through node:http rather than fetch, which costs a few times more per request.
const agents = { 'http:': new http.Agent({ keepAlive: true, maxSockets: 256 }), 'https:': new https.Agent({ keepAlive: true, maxSockets: 256 }) };

/** One request: resolves with { status, ok, text }. */
function request(method, url, headers = {}, body) {
  const u = new URL(url);
  const lib = u.protocol === 'https:' ? https : http;
  const payload = body === undefined ? undefined : Buffer.from(body);
  if (payload) headers = { ...headers, 'content-length': String(payload.length) };
  return new Promise((resolve, reject) => {
    const req = lib.request(u, { method, headers, agent: agents[u.protocol] }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => {
        const status = res.statusCode || 0;
        resolve({ status, ok: status >= 200 && status < 300, text: Buffer.concat(chunks).toString('utf8') });
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(payload);
  });
}

class Api {
  constructor(base) {
    this.base = base;
    this.token = undefined;
  }

  async call(method, url, body, { allow = [] } = {}) {
    const headers = {};
    if (this.token) headers.authorization = `Bearer ${this.token}`;
    if (body !== undefined) headers['content-type'] = 'application/json';
    const res = await request(method, `${this.base}${url}`, headers, body === undefined ? undefined : JSON.stringify(body));
    const text = res.text;
    if (!res.ok && !allow.includes(res.status)) throw new Error(`${method} ${url}: HTTP ${res.status} ${text.slice(0, 300)}`);
    const parsed = text ? JSON.parse(text) : undefined;
    return parsed && typeof parsed === 'object' && 'data' in parsed ? parsed.data : parsed;
  }

  async login(login, password) {
    this.token = (await this.call('POST', '/auth/login', { login, password })).access_token;
    return this;
  }
}

/**
 * The notifier: every execution_status_changed frame, stamped on receipt. `terminal(id)` resolves with the first
 * terminal frame of an execution (or rejects after `timeoutMs`); `frames` keeps them all for the delay figures.
 */
async function openNotifier(wsUrl, token) {
  const ws = new WebSocket(wsUrl, { headers: { authorization: `Bearer ${token}` } });
  const frames = [];
  const terminalById = new Map();
  const waiters = new Map();
  const listeners = new Set();
  let errors = 0;
  ws.on('message', (data) => {
    const receivedMs = now();
    let f;
    try {
      f = JSON.parse(data.toString());
    } catch {
      return;
    }
    if (f.type === 'error') errors += 1;
    if (f.type !== 'notification' || f.notification_type !== 'execution_status_changed') return;
    const p = f.payload || {};
    const frame = { id: Number(f.entity_id), status: p.status, ruleRef: p.rule_ref, actionRef: p.action_ref, updatedMs: parseTimestamp(p.updated), receivedMs };
    frames.push(frame);
    for (const l of listeners) l(frame);
    if (TERMINAL.has(frame.status) && !terminalById.has(frame.id)) {
      terminalById.set(frame.id, frame);
      const w = waiters.get(frame.id);
      if (w) {
        waiters.delete(frame.id);
        w.resolve(frame);
      }
    }
  });
  await new Promise((resolve, reject) => {
    ws.once('open', resolve);
    ws.once('error', reject);
    ws.once('unexpected-response', (_q, res) => reject(new Error(`the notifier refused the connection: HTTP ${res.statusCode}`)));
  });
  ws.on('error', () => undefined);
  ws.send(JSON.stringify({ type: 'subscribe', filter: 'entity_type:execution' }));
  // frames are handled in order: the error answering a bogus filter proves the subscription is in place
  ws.send(JSON.stringify({ type: 'subscribe', filter: 'bench-not-a-filter' }));
  const until = Date.now() + 10_000;
  while (errors === 0) {
    if (Date.now() > until) throw new Error('the notifier did not take the subscription within 10 s');
    await new Promise((r) => setTimeout(r, 5));
  }
  return {
    frames,
    terminal(id, timeoutMs = 60_000) {
      const seen = terminalById.get(id);
      if (seen) return Promise.resolve(seen);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          waiters.delete(id);
          reject(new Error(`no terminal status frame for execution ${id} within ${timeoutMs} ms`));
        }, timeoutMs);
        waiters.set(id, { resolve: (f) => (clearTimeout(timer), resolve(f)) });
      });
    },
    terminalSeen: (id) => terminalById.get(id),
    onFrame(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    close: () => ws.close(),
  };
}

/** The supervisor's view of the services (pid, state), or undefined without a control endpoint. */
async function services(control) {
  if (!control) return undefined;
  try {
    const res = await fetch(`${control}/services`, { signal: AbortSignal.timeout(3000) });
    return res.ok ? (await res.json()).services : undefined;
  } catch {
    return undefined;
  }
}

async function controlService(control, name, action) {
  const res = await fetch(`${control}/services/${name}/${action}`, { method: 'POST', signal: AbortSignal.timeout(120_000) });
  if (!res.ok) throw new Error(`supervisor: ${action} ${name} answered ${res.status} ${await res.text()}`);
  return res.json();
}

/** Resident memory of a local process in MB (/proc), or undefined when it cannot be read (remote target). */
function rssMb(pid) {
  try {
    const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = Number((/^VmRSS:\s+(\d+) kB/m.exec(status) || [])[1]);
    return Number.isFinite(kb) ? Math.round(kb / 102.4) / 10 : undefined;
  } catch {
    return undefined;
  }
}

/** RSS of each service the supervisor (or stack.json) names. */
async function serviceRss(target) {
  const list = await services(target.control);
  const out = {};
  if (list) {
    for (const [name, s] of Object.entries(list)) if (s && s.pid) out[name] = rssMb(s.pid);
  } else if (target.stackJson) {
    const doc = JSON.parse(fs.readFileSync(target.stackJson, 'utf8'));
    for (const [name, s] of Object.entries(doc.services || {})) if (s && s.pid) out[name] = rssMb(s.pid);
  }
  return Object.fromEntries(Object.entries(out).filter(([, v]) => v !== undefined));
}

module.exports = { settings, Api, request, openNotifier, services, controlService, serviceRss, now, TERMINAL, ROOT };
