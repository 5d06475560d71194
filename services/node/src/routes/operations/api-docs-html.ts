/**
 * Renders an OpenAPI document as one self-contained HTML page: operations grouped by tag (method, path,
 * summary, description, parameters, bodies, responses, examples), then the component schemas. It loads
 * nothing (no scripts, fonts or styles from elsewhere), so it works offline. Every string taken from
 * the document goes through `escapeHtml`, in text and in attributes alike.
 */
type Json = Record<string, unknown>;

const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'] as const;

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Escapes a value for HTML text and for double- or single-quoted attribute values. */
export function escapeHtml(value: unknown): string {
  return String(value).replace(/[&<>"']/g, (c) => ESCAPES[c] ?? c);
}

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const asObject = (v: unknown): Json => (isObject(v) ? v : {});
const asArray = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const asString = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

/** Follows a local `$ref` chain; anything unresolvable is returned as it is. */
function deref(doc: Json, node: unknown): Json {
  let current = node;
  for (let i = 0; i < 10 && isObject(current) && typeof current.$ref === 'string' && current.$ref.startsWith('#/'); i++) {
    const pointer = current.$ref.slice(2).split('/').map((key) => key.replace(/~1/g, '/').replace(/~0/g, '~'));
    const target = pointer.reduce<unknown>((acc, key) => (isObject(acc) ? acc[key] : undefined), doc);
    if (!isObject(target)) break;
    current = target;
  }
  return asObject(current);
}

const anchor = (kind: string, name: string) => escapeHtml(`${kind}-${name}`);

/** Multi-line prose, kept as written (line breaks preserved by CSS); Markdown is shown as plain text. */
const prose = (text: unknown) => (typeof text === 'string' && text.trim() ? `<p class="prose">${escapeHtml(text.trim())}</p>` : '');

const code = (value: unknown) => `<pre><code>${escapeHtml(typeof value === 'string' ? value : JSON.stringify(value, null, 2))}</code></pre>`;

/** A schema: a link to its component when it is a `$ref`, otherwise the inline schema itself. */
function schemaHtml(schema: unknown): string {
  if (!isObject(schema)) return '';
  const ref = asString(schema.$ref);
  const name = ref ? /^#\/components\/schemas\/([^/]+)$/.exec(ref)?.[1] : undefined;
  if (name) return `<p>Schema: <a href="#${anchor('schema', name)}"><code>${escapeHtml(name)}</code></a></p>`;
  return `<details><summary>Schema</summary>${code(schema)}</details>`;
}

/** The `example` and every entry of `examples` of a media type or parameter. */
function examplesHtml(doc: Json, holder: Json): string {
  const parts: string[] = [];
  if ('example' in holder) parts.push(`<p>Example:</p>${code(holder.example)}`);
  for (const [name, entry] of Object.entries(asObject(holder.examples))) {
    const example = deref(doc, entry);
    const title = asString(example.summary) ?? name;
    parts.push(`<p>Example <code>${escapeHtml(name)}</code>${title === name ? '' : `: ${escapeHtml(title)}`}</p>${code(example.value)}`);
  }
  return parts.join('');
}

function contentHtml(doc: Json, content: unknown): string {
  return Object.entries(asObject(content))
    .map(([type, media]) => `<div class="media"><h5><code>${escapeHtml(type)}</code></h5>${schemaHtml(asObject(media).schema)}${examplesHtml(doc, asObject(media))}</div>`)
    .join('');
}

function parametersHtml(doc: Json, parameters: unknown[]): string {
  if (parameters.length === 0) return '';
  const rows = parameters.map((p) => {
    const param = deref(doc, p);
    const required = param.required === true ? 'required' : 'optional';
    return `<li><code>${escapeHtml(param.name)}</code> (${escapeHtml(param.in)}, ${required})${prose(param.description)}${schemaHtml(param.schema)}${examplesHtml(doc, param)}</li>`;
  });
  return `<h4>Parameters</h4><ul>${rows.join('')}</ul>`;
}

function securityHtml(doc: Json, op: Json): string {
  const security = asArray(op.security ?? doc.security);
  if (security.length === 0) return '<p>Authentication: none.</p>';
  const schemes = security.map((requirement) => Object.keys(asObject(requirement)).map(escapeHtml).join(' and ')).join(', or ');
  return `<p>Authentication: ${schemes}.</p>`;
}

function operationHtml(doc: Json, path: string, method: string, pathItem: Json, op: Json): string {
  const id = asString(op.operationId) ?? `${method} ${path}`;
  const parameters = [...asArray(pathItem.parameters), ...asArray(op.parameters)];
  const body = op.requestBody === undefined ? undefined : deref(doc, op.requestBody);
  const responses = Object.entries(asObject(op.responses)).map(([status, r]) => {
    const response = deref(doc, r);
    return `<li><strong>${escapeHtml(status)}</strong>${prose(response.description)}${contentHtml(doc, response.content)}</li>`;
  });
  return `<section class="operation" id="${anchor('operation', id)}">
<h3><span class="method ${escapeHtml(method)}">${escapeHtml(method.toUpperCase())}</span> <code>${escapeHtml(path)}</code></h3>
<p><code>${escapeHtml(id)}</code>${op.summary === undefined ? '' : ` — ${escapeHtml(op.summary)}`}${op.deprecated === true ? ' <strong>(deprecated)</strong>' : ''}</p>
${prose(op.description)}${securityHtml(doc, op)}${parametersHtml(doc, parameters)}${
    body ? `<h4>Request body${body.required === true ? '' : ' (optional)'}</h4>${prose(body.description)}${contentHtml(doc, body.content)}` : ''
  }<h4>Responses</h4><ul>${responses.join('')}</ul>
</section>`;
}

interface Entry {
  path: string;
  method: string;
  pathItem: Json;
  op: Json;
}

const STYLE = `body{font:15px/1.5 system-ui,sans-serif;margin:0 auto;max-width:60rem;padding:1rem 2rem;color:#1b1b1b}
code,pre{font-family:ui-monospace,monospace;font-size:13px}pre{background:#f4f4f4;padding:.5rem;overflow:auto;white-space:pre-wrap}
.prose{white-space:pre-wrap}.operation{border-top:1px solid #ccc;padding-top:.5rem;margin-top:1rem}
.method{display:inline-block;min-width:4.5rem;padding:0 .4rem;border-radius:3px;background:#555;color:#fff;font-size:13px;text-align:center}
.get{background:#1d6fa5}.post{background:#2e7d32}.put,.patch{background:#a15c00}.delete{background:#b3261e}
.media{margin-left:1rem}nav ul{columns:2}h5{margin:.5rem 0 0}`;

/** The whole page. */
export function renderApiDocs(doc: Json): string {
  const info = asObject(doc.info);
  const title = `${asString(info.title) ?? 'API'} ${asString(info.version) ?? ''}`.trim();
  const entries: Entry[] = Object.entries(asObject(doc.paths)).flatMap(([path, item]) => {
    const pathItem = deref(doc, item);
    return METHODS.filter((m) => isObject(pathItem[m])).map((method) => ({ path, method, pathItem, op: asObject(pathItem[method]) }));
  });
  const tagOf = (e: Entry) => asString(asArray(e.op.tags)[0]) ?? 'other';
  const declared = asArray(doc.tags).map(asObject);
  const tagNames = [...new Set([...declared.map((t) => asString(t.name)).filter((n): n is string => n !== undefined), ...entries.map(tagOf)])];
  const groups = tagNames
    .map((tag) => ({ tag, description: declared.find((t) => t.name === tag)?.description, ops: entries.filter((e) => tagOf(e) === tag) }))
    .filter((g) => g.ops.length > 0);
  const idOf = (e: Entry) => asString(e.op.operationId) ?? `${e.method} ${e.path}`;
  const servers = asArray(doc.servers).map((s) => {
    const server = asObject(s);
    return `<li><code>${escapeHtml(server.url)}</code>${server.description === undefined ? '' : ` — ${escapeHtml(server.description)}`}</li>`;
  });
  const schemas = Object.entries(asObject(asObject(doc.components).schemas));
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>${STYLE}</style>
</head>
<body>
<header>
<h1>${escapeHtml(title)}</h1>
${info.summary === undefined ? '' : `<p><strong>${escapeHtml(info.summary)}</strong></p>`}${prose(info.description)}
<p>OpenAPI ${escapeHtml(doc.openapi)}. The machine-readable document is at <a href="openapi.json"><code>openapi.json</code></a>.</p>
${servers.length ? `<h2>Servers</h2><ul>${servers.join('')}</ul>` : ''}
</header>
<nav><h2>Operations</h2><ul>${entries
    .map((e) => `<li><a href="#${anchor('operation', idOf(e))}">${escapeHtml(e.method.toUpperCase())} <code>${escapeHtml(e.path)}</code></a> <code>${escapeHtml(idOf(e))}</code></li>`)
    .join('')}</ul></nav>
<main>
${groups
  .map((g) => `<section class="tag" id="${anchor('tag', g.tag)}"><h2>${escapeHtml(g.tag)}</h2>${prose(g.description)}${g.ops.map((e) => operationHtml(doc, e.path, e.method, e.pathItem, e.op)).join('\n')}</section>`)
  .join('\n')}
${schemas.length ? `<section><h2>Schemas</h2>${schemas.map(([name, schema]) => `<section id="${anchor('schema', name)}"><h3><code>${escapeHtml(name)}</code></h3>${prose(asObject(schema).description)}${code(schema)}</section>`).join('\n')}</section>` : ''}
</main>
</body>
</html>
`;
}
