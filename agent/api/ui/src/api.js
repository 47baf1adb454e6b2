// The only way the UI talks to the server: the public Prometheus HTTP API
// under /api/v1/, the same answers curl gets.

export class ApiError extends Error {
  constructor(message, type, status) {
    super(message);
    this.type = type; // errorType of the API ("bad_data", "timeout", ...) or "network"/"http"
    this.status = status; // HTTP status (0: no answer)
  }
}

// Endpoints that take a form body too: long expressions go by POST.
const POSTABLE = new Set(['query', 'query_range', 'series', 'labels', 'query_exemplars']);

// api('query', {query: 'up'}) -> {data, warnings}; throws ApiError.
export async function api(path, params = {}, {signal} = {}) {
  const qs = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) {
    if (v === undefined || v === null || v === '') continue;
    if (Array.isArray(v)) v.forEach((x) => qs.append(k, String(x)));
    else qs.append(k, String(v));
  }
  const body = qs.toString();
  let url = `/api/v1/${path}`;
  const init = {signal, headers: {Accept: 'application/json'}, cache: 'no-store'};
  if (body.length > 1500 && POSTABLE.has(path)) {
    init.method = 'POST';
    init.body = body;
    init.headers['Content-Type'] = 'application/x-www-form-urlencoded';
  } else if (body) {
    url += `?${body}`;
  }
  let res;
  try {
    res = await fetch(url, init);
  } catch (e) {
    if (e.name === 'AbortError') throw e;
    throw new ApiError(`cannot reach the server (${e.message})`, 'network', 0);
  }
  const text = await res.text();
  let json = null;
  try {
    json = JSON.parse(text);
  } catch {
    // not JSON: reported below
  }
  if (!json || typeof json !== 'object') {
    const what = text.trim().slice(0, 300) || 'empty response';
    throw new ApiError(`${res.status} ${res.statusText || ''} from ${path}: ${what}`.replace(/\s+:/, ':'), 'http', res.status);
  }
  if (json.status !== 'success') {
    throw new ApiError(json.error || `${res.status} ${res.statusText}`, json.errorType || 'error', res.status);
  }
  return {data: json.data, warnings: json.warnings || []};
}

// 'invalid parameter "query": 1:14: parse error: unexpected ...' ->
// {line: 1, col: 14, prefix, message}: the position PromQL errors carry
// (Prometheus' format: line and column from 1, in characters).
export function parseErrorPosition(message) {
  const m = /^(.*?)(\d+):(\d+)(?:-(\d+):(\d+))?:\s*(parse error:.*)$/s.exec(message || '');
  if (!m) return null;
  return {
    prefix: m[1].replace(/:\s*$/, ''),
    line: Number(m[2]),
    col: Number(m[3]),
    endLine: m[4] ? Number(m[4]) : null,
    endCol: m[5] ? Number(m[5]) : null,
    message: m[6],
  };
}
