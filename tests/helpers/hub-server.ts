// A local stand-in for the Hugging Face Hub for tests: node:http on 127.0.0.1 (port 0) serving
// `/<org>/<name>/resolve/<revision>/<file>` from folders, with HEAD and single-range requests (206 + Content-Range,
// 416 when unsatisfiable), the subset of HTTP the loaders rely on. Every request is logged for assertions.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { readFile } from 'node:fs/promises';
import { join, normalize } from 'node:path';
import type { AddressInfo } from 'node:net';

export interface LoggedRequest {
  method: string;
  path: string;
  range?: string;
}

export interface HubServer {
  endpoint: string; // http://127.0.0.1:<port>
  requests: LoggedRequest[];
  close(): Promise<void>;
}

export interface HubServerOptions {
  repos: Record<string, string>; // 'org/name' → folder holding the repository's files
  /** Answer range requests with the whole file (200), like a server without Range support. */
  ignoreRange?: boolean;
}

export async function startHubServer(opts: HubServerOptions): Promise<HubServer> {
  const requests: LoggedRequest[] = [];
  const server = createServer((req, res) => {
    handle(opts, requests, req, res).catch((e) => {
      res.statusCode = 500;
      res.end(String(e));
    });
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    requests,
    close: () => new Promise<void>((ok, fail) => server.close((e) => (e ? fail(e) : ok()))),
  };
}

async function handle(opts: HubServerOptions, log: LoggedRequest[], req: IncomingMessage, res: ServerResponse) {
  const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
  const range = req.headers.range;
  log.push({ method: req.method ?? 'GET', path, ...(range ? { range } : {}) });
  const m = /^\/([^/]+\/[^/]+)\/resolve\/([^/]+)\/(.+)$/.exec(path);
  const dir = m ? opts.repos[m[1]] : undefined;
  const file = m ? normalize(m[3]) : '';
  if (!m || !dir || file.startsWith('..')) return notFound(res);
  let body: Buffer;
  try {
    body = await readFile(join(dir, file));
  } catch {
    return notFound(res);
  }
  res.setHeader('Accept-Ranges', 'bytes');
  let status = 200;
  let start = 0;
  let end = body.length; // exclusive
  if (range && !opts.ignoreRange) {
    const r = /^bytes=(\d*)-(\d*)$/.exec(range);
    if (r && r[1] !== '') {
      start = Number(r[1]);
      end = r[2] === '' ? body.length : Math.min(Number(r[2]) + 1, body.length);
    } else if (r && r[2] !== '') {
      start = Math.max(0, body.length - Number(r[2]));
    }
    if (!r || start >= body.length || end <= start) {
      res.writeHead(416, { 'Content-Range': `bytes */${body.length}` });
      return res.end();
    }
    status = 206;
    res.setHeader('Content-Range', `bytes ${start}-${end - 1}/${body.length}`);
  }
  res.writeHead(status, { 'Content-Length': String(end - start), 'Content-Type': 'application/octet-stream' });
  res.end(req.method === 'HEAD' ? undefined : body.subarray(start, end));
}

function notFound(res: ServerResponse) {
  res.writeHead(404, { 'Content-Type': 'text/plain', 'X-Error-Code': 'EntryNotFound' });
  res.end('Entry not found');
}
