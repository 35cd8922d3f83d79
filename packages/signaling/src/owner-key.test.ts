import { createOwnerKey, ownerKeyId } from '@parley/protocol';
import { describe, expect, it } from 'vitest';
import { OWNER_KEY_CACHE_MS, OWNER_KEY_RECHECK_MS, OwnerKeyCache } from './owner-key';

/** An owner key source that counts its reads, and a clock the test moves. */
function setup() {
  let key = createOwnerKey();
  let reads = 0;
  let now = 1_000_000;
  const cache = new OwnerKeyCache(
    async () => {
      reads++;
      return key;
    },
    () => now,
  );
  return {
    cache,
    reads: () => reads,
    rotate: () => {
      key = createOwnerKey();
      return key;
    },
    advance: (ms: number) => {
      now += ms;
    },
  };
}

describe('OwnerKeyCache', () => {
  it('should read the key once for many tickets', async () => {
    const { cache, reads } = setup();
    const [a, b] = await Promise.all([cache.get(), cache.get()]);
    await cache.get(a.kid);
    expect(a).toBe(b);
    expect(reads()).toBe(1);
  });

  it('should pick up a rotated key within the cache period, even if nobody shows a new key id', async () => {
    const { cache, reads, rotate, advance } = setup();
    const before = await cache.get();
    const rotated = rotate();
    advance(OWNER_KEY_CACHE_MS - 1);
    expect((await cache.get(before.kid)).kid).toBe(before.kid);
    advance(1);
    expect((await cache.get(before.kid)).kid).toBe(await ownerKeyId(rotated));
    expect(reads()).toBe(2);
  });

  it('should read again for an unknown key id at most once per recheck interval', async () => {
    const { cache, reads, rotate, advance } = setup();
    await cache.get();
    const rotated = await ownerKeyId(rotate());
    advance(OWNER_KEY_RECHECK_MS - 1);
    // A made-up key id this early is answered from the cache: strangers cannot make us read the secret per connect.
    for (let i = 0; i < 20; i++) await cache.get('madeUpId');
    expect(reads()).toBe(1);
    advance(1);
    expect((await cache.get(rotated)).kid).toBe(rotated);
    expect(reads()).toBe(2);
  });
});
