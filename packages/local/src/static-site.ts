import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, resolve, sep } from 'node:path';
import { SITE_CONFIG_PATH, SiteConfig, securityHeaders, webSocketOrigin } from '@parley/protocol';
import * as v from 'valibot';

/** Hashed build output under `/assets/` never changes under its name: cache it for a year. */
const IMMUTABLE_CACHE = 'public, max-age=31536000, immutable';
/** Everything else (index.html, config.json, unhashed files) must be revalidated on every load. */
const REVALIDATE = 'no-cache';

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.map': 'application/json',
  '.webmanifest': 'application/manifest+json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.ico': 'image/x-icon',
  '.webp': 'image/webp',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
  '.wasm': 'application/wasm',
};

/** Options of {@link startStaticSite}. */
export interface StaticSiteOptions {
  /** The built client (`packages/client/dist`); undefined when there is none: `/` then explains how to build it. */
  root: string | undefined;
  /** Served at `/config.json`, as the CDK stack writes it beside the client. */
  siteConfig: SiteConfig;
  host?: string;
  port?: number;
}

/** A running static site server. */
export interface StaticSite {
  url: string;
  stop(): Promise<void>;
}

/**
 * Serves the built client the way CloudFront serves it from S3: `index.html` at `/`, files by path, `/config.json`,
 * 404 for anything else (room links are `/#<roomId>`, so no SPA fallback), the same cache policy and the same
 * security headers.
 */
export async function startStaticSite(options: StaticSiteOptions): Promise<StaticSite> {
  const siteConfig = v.parse(SiteConfig, options.siteConfig);
  const configBody = JSON.stringify(siteConfig);
  const headers = securityHeaders({ connectSrc: [webSocketOrigin(siteConfig.signalingUrl)] });
  const root = options.root === undefined ? undefined : resolve(options.root);

  const server: Server = createServer((request, response) => {
    serve(request, response).catch(() => {
      if (!response.headersSent) plain(response, 500, 'Internal error');
      else response.destroy();
    });
  });

  function plain(response: ServerResponse, status: number, text: string): void {
    response.writeHead(status, {
      ...headers,
      'Content-Type': 'text/plain; charset=utf-8',
      'Content-Length': Buffer.byteLength(text),
      'Cache-Control': REVALIDATE,
    });
    response.end(text);
  }

  async function serve(request: IncomingMessage, response: ServerResponse): Promise<void> {
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      response.setHeader('Allow', 'GET, HEAD');
      plain(response, 405, 'Method not allowed');
      return;
    }
    let path: string;
    try {
      path = decodeURIComponent(new URL(request.url ?? '/', 'http://local').pathname);
    } catch {
      plain(response, 400, 'Bad request');
      return;
    }
    if (path === SITE_CONFIG_PATH) {
      send(response, request, 200, { 'Content-Type': 'application/json', 'Cache-Control': REVALIDATE }, configBody);
      return;
    }
    if (path === '/') path = '/index.html';
    if (!root) {
      if (path === '/index.html') {
        plain(response, 503, 'The client is not built. Build it with: pnpm --filter @parley/client exec vite build\n');
      } else plain(response, 404, 'Not found');
      return;
    }
    const file = resolve(root, `.${path}`);
    // Only files inside the root, and no dotfiles: the same objects the bucket would hold.
    if (!file.startsWith(root + sep) || path.includes('\0') || path.split('/').some((part) => part.startsWith('.'))) {
      plain(response, 404, 'Not found');
      return;
    }
    const info = await stat(file).catch(() => undefined);
    if (!info?.isFile()) {
      plain(response, 404, 'Not found');
      return;
    }
    response.writeHead(200, {
      ...headers,
      'Content-Type': CONTENT_TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream',
      'Content-Length': info.size,
      'Cache-Control': path.startsWith('/assets/') ? IMMUTABLE_CACHE : REVALIDATE,
      'Last-Modified': info.mtime.toUTCString(),
    });
    if (request.method === 'HEAD') response.end();
    else createReadStream(file).pipe(response);
  }

  function send(
    response: ServerResponse,
    request: IncomingMessage,
    status: number,
    extra: Record<string, string>,
    body: string,
  ): void {
    response.writeHead(status, { ...headers, ...extra, 'Content-Length': Buffer.byteLength(body) });
    response.end(request.method === 'HEAD' ? undefined : body);
  }

  await new Promise<void>((resolveListen, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolveListen());
  });
  const { port } = server.address() as AddressInfo;
  const host = options.host ?? '127.0.0.1';
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
    stop: async () => {
      server.closeAllConnections();
      await new Promise<void>((done) => server.close(() => done()));
    },
  };
}
