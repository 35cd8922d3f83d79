import { importOwnerKey, type OwnerKey } from '@parley/protocol';

/**
 * After a rotation (`pnpm owner-link --rotate`), warm Lambda containers still hold the old key this long at most:
 * old owner links and guest links stop working within these minutes, without a Secrets Manager read per connect.
 */
export const OWNER_KEY_CACHE_MS = 5 * 60_000;

/**
 * A ticket naming a key id we do not hold may come from a freshly rotated key: the secret is read again, but at most
 * this often, so a stranger sending made-up key ids cannot turn each connect into a Secrets Manager call.
 */
export const OWNER_KEY_RECHECK_MS = 10_000;

/** The owner key, read through `load` and kept per container (see the two intervals above). */
export class OwnerKeyCache {
  #current: { owner: OwnerKey; loadedAt: number } | undefined;
  #pending: Promise<OwnerKey> | undefined;

  constructor(
    private readonly load: () => Promise<string>,
    private readonly now: () => number = Date.now,
  ) {}

  /** The current key; re-read when the cached one is old, or names another id than `wantedKid` (rate-limited). */
  async get(wantedKid?: string): Promise<OwnerKey> {
    const cached = this.#current;
    const age = cached ? this.now() - cached.loadedAt : Number.POSITIVE_INFINITY;
    const stale = age >= OWNER_KEY_CACHE_MS;
    const unknownKid = wantedKid !== undefined && cached !== undefined && cached.owner.kid !== wantedKid;
    if (cached && !stale && !(unknownKid && age >= OWNER_KEY_RECHECK_MS)) return cached.owner;
    this.#pending ??= this.#reload().finally(() => {
      this.#pending = undefined;
    });
    return this.#pending;
  }

  async #reload(): Promise<OwnerKey> {
    const owner = await importOwnerKey((await this.load()).trim());
    this.#current = { owner, loadedAt: this.now() };
    return owner;
  }
}
