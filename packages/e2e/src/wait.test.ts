import { describe, expect, it } from 'vitest';
import { waitUntil } from './wait';

describe('when a condition never comes true', () => {
  it('should time out with the last value the probe gave, not with a probe started after the deadline', async () => {
    let probes = 0;
    // Like a page.evaluate: it answers a few milliseconds later.
    const probe = async () => {
      probes++;
      await new Promise((resolve) => setTimeout(resolve, 5));
      return false;
    };
    // The pause between probes is longer than the deadline: another probe would start with no time left.
    const waiting = waitUntil(probe, { description: 'the path on UDP', timeoutMs: 30, intervalMs: 60 });
    await expect(waiting).rejects.toThrow('Timed out after 30 ms waiting for the path on UDP (last value: false)');
    expect(probes).toBe(1);
  });

  it('should still end, with a readable error, when the probe itself never answers', async () => {
    const waiting = waitUntil(() => new Promise<never>(() => undefined), { description: 'a hung page', timeoutMs: 30 });
    await expect(waiting).rejects.toThrow(/waiting for a hung page \(last error: the probe itself did not answer/);
  });
});

describe('when a condition comes true', () => {
  it('should answer what the probe found', async () => {
    let probes = 0;
    const found = await waitUntil(() => (++probes === 3 ? 'there' : undefined), {
      description: 'three probes',
      intervalMs: 1,
    });
    expect(found).toBe('there');
  });
});
