import type { IncomingMessage, ServerResponse } from 'node:http';

/** Writes a JSON response. */
export function sendJson(
  response: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = JSON.stringify(body);
  response.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
    ...headers,
  });
  response.end(text);
}

/** A request body read up to a limit: `tooLarge` when the client sent more (the excess is discarded, not kept). */
export type BodyReadResult = { tooLarge: false; body: Buffer } | { tooLarge: true; bytes: number };

/** Reads a request body, keeping at most `limit` bytes in memory. */
export function readBody(request: IncomingMessage, limit: number): Promise<BodyReadResult> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let bytes = 0;
    request.on('data', (chunk: Buffer) => {
      bytes += chunk.length;
      if (bytes <= limit) chunks.push(chunk);
    });
    request.on('end', () =>
      resolve(bytes > limit ? { tooLarge: true, bytes } : { tooLarge: false, body: Buffer.concat(chunks) }),
    );
    request.on('error', reject);
  });
}

/** True for addresses on the loopback interface (IPv4, IPv6 and IPv4-mapped IPv6). */
export function isLoopbackAddress(address: string | undefined): boolean {
  if (!address) return false;
  return address === '::1' || address.startsWith('127.') || address.startsWith('::ffff:127.');
}
