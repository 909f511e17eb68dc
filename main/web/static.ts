// The built renderer, read-only, from one folder (the same files Electron's app:// protocol serves).
import { readFile } from 'node:fs/promises';
import type { ServerResponse } from 'node:http';
import { contentType, fileUnder } from '../page/files';

export async function serveStatic(res: ServerResponse, root: string, urlPath: string, headers: Record<string, string>): Promise<void> {
  const file = fileUnder(root, urlPath);
  const body = file ? await readFile(file).catch(() => null) : null;
  if (!file || !body) {
    res.writeHead(404, { ...headers, 'content-type': 'text/plain' });
    res.end('Not found');
    return;
  }
  const cache = file.endsWith('.html') ? 'no-store' : 'no-cache';
  res.writeHead(200, { ...headers, 'content-type': contentType(file), 'cache-control': cache, 'content-length': body.length });
  res.end(body);
}
