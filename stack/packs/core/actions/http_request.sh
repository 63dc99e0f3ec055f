#!/bin/sh
# core.http_request - one HTTP request through curl.
# Input: one JSON document on stdin (parameter_format json). One Node program (the stack runs on
# Node) validates it, writes a curl config file (so no value is ever interpolated by a shell), runs
# curl, and turns curl's output into one JSON line on stdout:
#   {status_code, headers, body, json, elapsed_ms, url, success, error}
# Exit 0 whenever a response arrived (whatever its status; `success` is true for 2xx),
# exit 1 on invalid input or a transport failure (the JSON line is still printed). A transport
# failure's `error` uses Attune's words ("Failed to connect to host", "Request timeout", ...);
# curl's own message goes to stderr, so it becomes the failed execution's `error`.
#
# Fault switches (stack/common/faults.ts; ATTUNE_FAULTS reaches this script through the worker's
# environment, read by `fault` in the Node program): http-request-body-dropped,
# http-auth-header-dropped, http-timeout-ignored, http-error-status-fails.

NODE=${ATTUNE_NODE_BINARY:-node}

fail_plain() {
    # $1: message without quotes or backslashes
    printf '{"status_code":0,"headers":{},"body":"","json":null,"elapsed_ms":0,"url":null,"success":false,"error":"%s"}\n' "$1"
    echo "core.http_request: $1" >&2
    exit 1
}

command -v "$NODE" >/dev/null 2>&1 || fail_plain "node is required to run this action but was not found on PATH"
command -v curl >/dev/null 2>&1 || fail_plain "curl is required to run this action but was not found on PATH"

WORK=$(mktemp -d "${TMPDIR:-/tmp}/attune-http.XXXXXX") || fail_plain "cannot create a temporary directory"
trap 'rm -rf "$WORK"' EXIT
trap 'rm -rf "$WORK"; exit 143' TERM
trap 'rm -rf "$WORK"; exit 130' INT

cat > "$WORK/params.json"

PROGRAM=$(cat <<'JS'
const fs = require('fs');
const path = require('path');
const { spawnSync } = require('child_process');
const work = process.argv[1];
const fault = (name) => String(process.env.ATTUNE_FAULTS || '').split(',').map((s) => s.trim()).includes(name);
function fail(message) {
  process.stdout.write(JSON.stringify({ status_code: 0, headers: {}, body: '', json: null, elapsed_ms: 0, url: null, success: false, error: message }) + '\n');
  process.stderr.write('core.http_request: ' + message + '\n');
  process.exit(1);
}
let p;
try {
  const text = fs.readFileSync(path.join(work, 'params.json'), 'utf8').trim();
  p = text === '' ? {} : JSON.parse(text);
} catch (e) {
  fail('parameters are not valid JSON: ' + e.message);
}
if (p === null || typeof p !== 'object' || Array.isArray(p)) fail('parameters must be a JSON object');
const given = (v) => v !== undefined && v !== null && v !== '';
const bool = (v, dflt) => {
  if (!given(v)) return dflt;
  if (typeof v === 'boolean') return v;
  const s = String(v).toLowerCase();
  if (['true', '1', 'yes', 'on'].includes(s)) return true;
  if (['false', '0', 'no', 'off'].includes(s)) return false;
  fail('expected a boolean, got ' + JSON.stringify(v));
};
const int = (name, v, dflt, min, max) => {
  if (!given(v)) return dflt;
  const n = Number(v);
  if (!Number.isInteger(n) || n < min || n > max) fail(name + ' must be an integer between ' + min + ' and ' + max + ', got ' + JSON.stringify(v));
  return n;
};
const obj = (name, v) => {
  if (!given(v)) return {};
  if (typeof v === 'string') { try { v = JSON.parse(v); } catch { fail(name + ' must be an object'); } }
  if (v === null || typeof v !== 'object' || Array.isArray(v)) fail(name + ' must be an object');
  return v;
};
if (!given(p.url) || typeof p.url !== 'string') fail('url is required');
let url;
try { url = new URL(p.url); } catch { fail('url is not a valid absolute URL: ' + p.url); }
if (url.protocol !== 'http:' && url.protocol !== 'https:') fail('url must use http or https, got ' + url.protocol);
for (const [k, v] of Object.entries(obj('query_params', p.query_params))) {
  for (const item of Array.isArray(v) ? v : [v]) url.searchParams.append(k, item === null || item === undefined ? '' : typeof item === 'object' ? JSON.stringify(item) : String(item));
}
const method = given(p.method) ? String(p.method).toUpperCase() : 'GET';
if (!['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS'].includes(method)) fail('unsupported method ' + JSON.stringify(p.method));
const timeout = int('timeout', p.timeout, 30, 1, 300);
const verify = bool(p.verify_ssl, true);
const follow = bool(p.follow_redirects, true);
const maxRedirects = int('max_redirects', p.max_redirects, 10, 0, 100);
const headers = {};
for (const [k, v] of Object.entries(obj('headers', p.headers))) headers[k] = v === null || v === undefined ? '' : String(v);
const hasHeader = (name) => Object.keys(headers).some((k) => k.toLowerCase() === name.toLowerCase());
let body = null;
// fault http-request-body-dropped: neither body nor json_body is sent
if (fault('http-request-body-dropped')) { delete p.json_body; delete p.body; }
if (given(p.json_body)) {
  let jb = p.json_body;
  if (typeof jb === 'string') { try { jb = JSON.parse(jb); } catch { /* send the text as it is */ } }
  body = typeof jb === 'string' ? jb : JSON.stringify(jb);
  if (!hasHeader('Content-Type')) headers['Content-Type'] = 'application/json';
} else if (given(p.body)) {
  body = typeof p.body === 'string' ? p.body : JSON.stringify(p.body);
}
const authType = given(p.auth_type) ? String(p.auth_type).toLowerCase() : 'none';
if (!['none', 'basic', 'bearer'].includes(authType)) fail('auth_type must be none, basic or bearer, got ' + JSON.stringify(p.auth_type));
if (authType === 'bearer' && !given(p.auth_token)) fail('auth_token is required when auth_type is bearer');
// fault http-auth-header-dropped: auth_type basic/bearer is accepted but no Authorization header is sent
const sendAuth = !fault('http-auth-header-dropped');
let user = null;
if (sendAuth && authType === 'basic') user = (p.auth_username ?? '') + ':' + (p.auth_password ?? '');
if (sendAuth && authType === 'bearer' && !hasHeader('Authorization')) headers['Authorization'] = 'Bearer ' + p.auth_token;
// curl config syntax: option = "value" with backslash escapes
const q = (s) => '"' + String(s).replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\t/g, '\\t').replace(/\r/g, '\\r').replace(/\n/g, '\\n') + '"';
const lines = ['silent', 'show-error', 'globoff', 'proto = "=http,https"', 'proto-redir = "=http,https"'];
lines.push('url = ' + q(url.toString()));
if (method === 'HEAD') lines.push('head'); else lines.push('request = ' + q(method));
for (const [k, v] of Object.entries(headers)) {
  if (/[\r\n:]/.test(k) || k.trim() === '') fail('invalid header name ' + JSON.stringify(k));
  if (/[\r\n]/.test(v)) fail('header ' + k + ' contains a line break');
  lines.push('header = ' + q(v === '' ? k + ';' : k + ': ' + v));
}
if (body !== null) {
  fs.writeFileSync(path.join(work, 'request-body'), body);
  lines.push('data-binary = ' + q('@' + path.join(work, 'request-body')));
}
if (user !== null) lines.push('user = ' + q(user));
// fault http-timeout-ignored: the request may take as long as the server likes
if (!fault('http-timeout-ignored')) lines.push('max-time = ' + q(timeout));
if (!verify) lines.push('insecure');
if (follow) { lines.push('location'); lines.push('max-redirs = ' + q(maxRedirects)); }
lines.push('dump-header = ' + q(path.join(work, 'response-headers')));
lines.push('output = ' + q(path.join(work, 'response-body')));
lines.push('write-out = ' + q('%{http_code} %{time_total} %{url_effective}'));
fs.writeFileSync(path.join(work, 'curl.cfg'), lines.join('\n') + '\n', { mode: 0o600 });

// ---- the request ----
const curl = spawnSync(process.env.ATTUNE_CURL_BINARY || 'curl', ['-K', path.join(work, 'curl.cfg')], {
  stdio: ['ignore', fs.openSync(path.join(work, 'meta'), 'w'), fs.openSync(path.join(work, 'curl.err'), 'w')],
});
if (curl.error) fail('curl could not be started: ' + curl.error.message);
const curlCode = curl.status === null ? 128 : curl.status;

// ---- the report ----
// Attune's words for the transport failures it names; curl's own message is kept for stderr
const ATTUNE_WORDS = { 6: 'Could not resolve host', 7: 'Failed to connect to host', 28: 'Request timeout', 35: 'SSL/TLS connection error', 52: 'Empty reply from server', 56: 'Failure receiving network data' };
const read = (name) => { try { return fs.readFileSync(path.join(work, name), 'utf8'); } catch { return ''; } };
const meta = read('meta').trim();
const m = /^(\d{3})\s+([0-9.]+)\s+(.*)$/.exec(meta);
const status = m ? Number(m[1]) : 0;
const elapsed = m ? Math.round(Number(m[2]) * 1000) : 0;
const finalUrl = m && m[3] ? m[3] : url.toString();
// dump-header holds one block per response (redirects, 100-continue); keep the last one
const blocks = read('response-headers').split(/\r?\n\r?\n/).filter((b) => /^HTTP\//.test(b.trim()));
const responseHeaders = {};
if (blocks.length) {
  for (const line of blocks[blocks.length - 1].trim().split(/\r?\n/).slice(1)) {
    const i = line.indexOf(':');
    if (i <= 0) continue;
    const name = line.slice(0, i).trim();
    const value = line.slice(i + 1).trim();
    responseHeaders[name] = name in responseHeaders ? responseHeaders[name] + ', ' + value : value;
  }
}
// with `head` curl writes the header block to the output file: a HEAD response has no body
const responseBody = method === 'HEAD' ? '' : read('response-body');
let json = null;
if (responseBody.trim() !== '') { try { json = JSON.parse(responseBody); } catch { json = null; } }
let error = null;
let detail = null;
if (curlCode !== 0) {
  detail = (read('curl.err').trim().split(/\r?\n/).filter(Boolean).pop() || '').replace(/^curl: \(\d+\)\s*/, '');
  error = ATTUNE_WORDS[curlCode] || 'curl error code ' + curlCode;
}
const ok = curlCode === 0 && status >= 200 && status < 300;
process.stdout.write(JSON.stringify({ status_code: status, headers: responseHeaders, body: responseBody, json, elapsed_ms: elapsed, url: finalUrl, success: ok, error }) + '\n');
if (curlCode !== 0) {
  process.stderr.write('core.http_request: request failed: ' + error + (detail ? ' (' + detail + ')' : '') + '\n');
  process.exit(1);
}
// fault http-error-status-fails: an answer outside 2xx fails the run (exit 1) instead of completing it
if (!ok && fault('http-error-status-fails')) process.exit(1);
JS
)

"$NODE" -e "$PROGRAM" "$WORK"
