import { describe, expect, it } from 'vitest';
import { loadSiteConfig } from './site-config';

const answer = (status: number, body: unknown) => async () => new Response(JSON.stringify(body), { status });

describe('when loading /config.json', () => {
  it('should return a valid configuration', async () => {
    const config = await loadSiteConfig(answer(200, { signalingUrl: 'wss://abc.example.com/prod' }));
    expect(config.signalingUrl).toBe('wss://abc.example.com/prod');
  });

  it('should ask for /config.json', async () => {
    const asked: string[] = [];
    await loadSiteConfig(async (path) => {
      asked.push(path);
      return new Response('{"signalingUrl":"ws://127.0.0.1:1"}');
    });
    expect(asked).toEqual(['/config.json']);
  });

  it('should fail when the file is missing', async () => {
    await expect(loadSiteConfig(answer(404, {}))).rejects.toThrow(/404/);
  });

  it('should fail when the signaling URL is not a WebSocket URL', async () => {
    await expect(loadSiteConfig(answer(200, { signalingUrl: 'https://x' }))).rejects.toThrow(/invalid/);
  });

  it('should fail on unknown fields', async () => {
    await expect(loadSiteConfig(answer(200, { signalingUrl: 'wss://x', extra: 1 }))).rejects.toThrow(/invalid/);
  });
});
