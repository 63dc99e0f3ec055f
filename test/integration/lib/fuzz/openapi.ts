/** The write operations (POST/PUT/PATCH/DELETE) the running stack documents in its OpenAPI document. */
import type { JsonSchema } from './values';

export interface PathParam {
  name: string;
  schema: JsonSchema;
}

export interface Operation {
  /** "POST /api/v1/packs/{ref}" */
  key: string;
  method: string;
  template: string;
  pathParams: PathParam[];
  bodySchema?: JsonSchema;
  secured: boolean;
  multipart: boolean;
}

interface OpenApiOperation {
  parameters?: Array<{ in: string; name: string; schema?: JsonSchema }>;
  requestBody?: { content?: Record<string, { schema?: JsonSchema }> };
  security?: unknown[];
  consumes?: string[];
}

const WRITE_METHODS = ['post', 'put', 'patch', 'delete'];

export function writeOperations(doc: { paths?: Record<string, Record<string, OpenApiOperation>> }): Operation[] {
  const out: Operation[] = [];
  for (const [template, ops] of Object.entries(doc.paths ?? {})) {
    for (const [method, op] of Object.entries(ops)) {
      if (!WRITE_METHODS.includes(method)) continue;
      const content = op.requestBody?.content ?? {};
      out.push({
        key: `${method.toUpperCase()} ${template}`,
        method: method.toUpperCase(),
        template,
        pathParams: (op.parameters ?? []).filter((p) => p.in === 'path').map((p) => ({ name: p.name, schema: p.schema ?? {} })),
        bodySchema: content['application/json']?.schema,
        secured: Array.isArray(op.security) && op.security.length > 0,
        multipart: 'multipart/form-data' in content || /upload/.test(template),
      });
    }
  }
  return out;
}
