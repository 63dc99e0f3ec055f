'use strict';
/**
 * Helpers for Node.js actions run by the Attune reference worker. The worker puts the folder holding this
 * package on NODE_PATH (after the pack's own entries), so an action can write
 *
 *   const { getSecret, parameters } = require('attune-action');
 *   const password = getSecret('db_password');
 *
 * Attune delivers an action's input as ONE document: the execution's parameters with the secrets merged in as
 * top-level keys (a secret wins a clash with a parameter of the same name). It arrives on stdin, or in the file named
 * by ATTUNE_PARAMETER_FILE when the action's parameter_delivery is `file`; ATTUNE_PARAMETER_FORMAT says how it is
 * written (json, yaml, dotenv). The document is read once, on first use, and kept: stdin can only be read once, so an
 * action using these helpers should not read stdin itself (use parameters() instead).
 */
const fs = require('node:fs');

let documentCache;

function sleepBriefly() {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 10);
}

function readStdin() {
  const chunks = [];
  const buffer = Buffer.alloc(65536);
  for (;;) {
    let n;
    try {
      n = fs.readSync(0, buffer, 0, buffer.length, null);
    } catch (error) {
      if (error.code === 'EAGAIN') {
        sleepBriefly();
        continue;
      }
      if (error.code === 'EOF' || error.code === 'EBADF' || error.code === 'ENXIO') break;
      throw error;
    }
    if (n === 0) break;
    chunks.push(Buffer.from(buffer.subarray(0, n)));
  }
  return Buffer.concat(chunks).toString('utf8');
}

function readRaw() {
  if (process.env.ATTUNE_PARAMETER_DELIVERY === 'file') {
    const file = process.env.ATTUNE_PARAMETER_FILE;
    return file ? fs.readFileSync(file, 'utf8') : '';
  }
  if (process.stdin.isTTY) return '';
  return readStdin();
}

function unquoteDotenv(value) {
  if (value.length >= 2 && value.startsWith("'") && value.endsWith("'")) return value.slice(1, -1).split("'\\''").join("'");
  if (value.length >= 2 && value.startsWith('"') && value.endsWith('"')) return value.slice(1, -1);
  return value;
}

function closesSingleQuote(value) {
  const body = value.split("'\\''").join('');
  return body.length >= 2 && body.endsWith("'");
}

function parseDotenv(text) {
  const out = {};
  let key;
  let pending;
  for (const line of text.split(/\r?\n/)) {
    if (pending !== undefined) {
      pending += `\n${line}`;
      if (closesSingleQuote(pending)) {
        out[key] = unquoteDotenv(pending);
        pending = undefined;
      }
      continue;
    }
    const at = line.indexOf('=');
    if (line.trim() === '' || line.trimStart().startsWith('#') || at < 0) continue;
    const name = line.slice(0, at).trim();
    const value = line.slice(at + 1);
    if (value.startsWith("'") && !closesSingleQuote(value)) {
      key = name;
      pending = value;
      continue;
    }
    out[name] = unquoteDotenv(value);
  }
  if (pending !== undefined) out[key] = unquoteDotenv(pending);
  return out;
}

function yamlScalar(raw) {
  const text = raw.trim();
  if (text === '' || text === '~' || text === 'null') return null;
  if (text === 'true') return true;
  if (text === 'false') return false;
  if (text.startsWith('"')) {
    try {
      return JSON.parse(text);
    } catch {
      return text.slice(1, -1);
    }
  }
  if (text.startsWith("'")) return text.slice(1, -1).split("''").join("'");
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** A block scalar (`|`, `|-`, `>`, …) from its indented lines. */
function yamlBlock(indicator, lines) {
  const indent = Math.min(...lines.filter((l) => l.trim() !== '').map((l) => l.length - l.trimStart().length));
  const body = lines.map((l) => l.slice(Number.isFinite(indent) ? indent : 0));
  while (body.length && body[body.length - 1].trim() === '') body.pop();
  let text = indicator.startsWith('>') ? body.join(' ') : body.join('\n');
  if (!indicator.includes('-')) text += '\n';
  return text;
}

/** Top-level `key: scalar` and `key: |` block entries of a YAML mapping (nested mappings and lists are not read). */
function parseYaml(text) {
  const out = {};
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    if (line === '' || ' \t#-'.includes(line[0])) continue;
    const at = line.indexOf(':');
    const value = at < 0 ? '' : line.slice(at + 1).trim();
    if (value === '') continue;
    const key = yamlScalar(line.slice(0, at));
    if (/^[|>][-+]?$/.test(value)) {
      const block = [];
      while (i + 1 < lines.length && (lines[i + 1] === '' || ' \t'.includes(lines[i + 1][0]))) block.push(lines[++i]);
      out[key] = yamlBlock(value, block);
    } else {
      out[key] = yamlScalar(value);
    }
  }
  return out;
}

function parse(text, format) {
  if (text.trim() === '') return {};
  if (format === 'dotenv') return parseDotenv(text);
  if (format === 'yaml') return parseYaml(text);
  const loaded = JSON.parse(text);
  return loaded !== null && typeof loaded === 'object' && !Array.isArray(loaded) ? loaded : {};
}

/** The whole input document (parameters and secrets) as an object; read once, then cached. */
function parameters() {
  if (documentCache === undefined) {
    const format = (process.env.ATTUNE_PARAMETER_FORMAT || 'json').trim().toLowerCase();
    documentCache = parse(readRaw(), format);
  }
  return documentCache;
}

/** The secret (or parameter) called `name` from the input document; `fallback` (default undefined) when absent. */
function getSecret(name, fallback) {
  const doc = parameters();
  return Object.prototype.hasOwnProperty.call(doc, name) ? doc[name] : fallback;
}

module.exports = { getSecret, parameters };
