/**
 * Shrunk counterexamples the fuzz found, kept as fixed cases (each once failed; each names its
 * fix). Every one must answer 4xx with a JSON error body, within `withinMs` when the failure was a
 * hang or a blocked event loop.
 */
import type { Fixtures } from './fixtures';

export interface Regression {
  name: string;
  method: string;
  path: string;
  /** A JS value is sent as JSON; a string or Buffer as is. */
  body?: unknown;
  headers?: Record<string, string>;
  withinMs?: number;
}

const BOUNDARY = 'fuzzregression';

function multipart(parts: Array<{ name: string; filename?: string; content: Buffer }>, close: boolean): Buffer {
  const chunks: Buffer[] = [];
  for (const p of parts) {
    chunks.push(Buffer.from(`--${BOUNDARY}\r\nContent-Disposition: form-data; name="${p.name}"${p.filename ? `; filename="${p.filename}"` : ''}\r\n\r\n`), p.content, Buffer.from('\r\n'));
  }
  if (close) chunks.push(Buffer.from(`--${BOUNDARY}--\r\n`));
  return Buffer.concat(chunks);
}

export function REGRESSIONS(fx: Fixtures): Regression[] {
  return [
    {
      // 500 "Multipart: Boundary not found" (the parser's error carried no status) → 400
      name: 'upload: multipart/form-data without a boundary parameter',
      method: 'POST', path: '/api/v1/packs/upload',
      headers: { 'content-type': 'multipart/form-data' },
      body: multipart([{ name: 'pack', filename: 'p.tgz', content: fx.archives.ok }], true),
    },
    {
      // the handler piped a stream the parser had already torn down: no answer ever, and a scratch
      // folder left in the packs folder → 400 at once
      name: 'upload: the body ends inside the pack part (no closing boundary)',
      method: 'POST', path: '/api/v1/packs/upload',
      headers: { 'content-type': `multipart/form-data; boundary=${BOUNDARY}` },
      body: multipart([{ name: 'pack', filename: 'p.tgz', content: fx.archives.ok }], false),
      withinMs: 10_000,
    },
    {
      // ajv compiled a 100,000-entry tuple schema on the api's only thread (~45 s with every other
      // request waiting) → 422 before compiling anything larger than 16 KB
      name: 'inquiry: a ~590 KB response_schema',
      method: 'POST', path: '/api/v1/inquiries',
      body: { execution: fx.sacExecution, prompt: 'big schema', response_schema: { type: 'array', items: Array.from({ length: 100_000 }, (_, i) => i), minItems: 1 } },
      withinMs: 10_000,
    },
  ];
}
