import { seededRandom } from './prng';

/**
 * Network misbehaviour the local gateway can inject, to show that clients and handlers survive what the real
 * network and API Gateway may do: late, reordered and duplicated deliveries, and connections that vanish.
 */
export interface ChaosSettings {
  /** Seed of the random generator: the same seed replays the same delays and duplicates. */
  seed: number;
  /** Every delivery waits at least this long. */
  delayMs: number;
  /** Plus a random extra in [0, jitterMs); jitter larger than the gap between two messages reorders them. */
  jitterMs: number;
  /** Chance (0–1) that a delivery happens twice, each copy with its own delay. */
  duplicateProbability: number;
  /** Also apply to client→handler invocations, not only to server→client deliveries (PostToConnection). */
  inbound: boolean;
}

/** No chaos: deliveries happen at once, in order, exactly once. */
export const NO_CHAOS: ChaosSettings = { seed: 1, delayMs: 0, jitterMs: 0, duplicateProbability: 0, inbound: false };

/** What `--chaos` without values turns on: noticeable jitter, some duplicates, both directions. */
export const DEFAULT_CHAOS: ChaosSettings = {
  seed: 1,
  delayMs: 20,
  jitterMs: 200,
  duplicateProbability: 0.1,
  inbound: true,
};

/** Delays (ms) of each copy of one delivery; `undefined` means "deliver now, once". */
export type DeliveryPlan = number[] | undefined;

/** Plans deliveries under the current chaos settings with a seeded random generator. */
export class ChaosPlanner {
  private settings: ChaosSettings = NO_CHAOS;
  private random: () => number = seededRandom(NO_CHAOS.seed);

  constructor(settings?: Partial<ChaosSettings>) {
    if (settings) this.configure(settings);
  }

  /** Replaces the settings (missing fields fall back to no chaos) and restarts the generator from the seed. */
  configure(settings: Partial<ChaosSettings>): ChaosSettings {
    this.settings = validateChaos({ ...NO_CHAOS, ...settings });
    this.random = seededRandom(this.settings.seed);
    return this.settings;
  }

  /** The settings in force. */
  current(): ChaosSettings {
    return { ...this.settings };
  }

  /** Plans one delivery in the given direction. */
  plan(direction: 'outbound' | 'inbound'): DeliveryPlan {
    const { delayMs, jitterMs, duplicateProbability, inbound } = this.settings;
    if (direction === 'inbound' && !inbound) return undefined;
    if (delayMs === 0 && jitterMs === 0 && duplicateProbability === 0) return undefined;
    const copies = this.random() < duplicateProbability ? 2 : 1;
    return Array.from({ length: copies }, () => delayMs + Math.floor(this.random() * jitterMs));
  }
}

function validateChaos(settings: ChaosSettings): ChaosSettings {
  const problems: string[] = [];
  if (!Number.isInteger(settings.seed)) problems.push('seed must be an integer');
  if (!(settings.delayMs >= 0)) problems.push('delayMs must be ≥ 0');
  if (!(settings.jitterMs >= 0)) problems.push('jitterMs must be ≥ 0');
  if (!(settings.duplicateProbability >= 0 && settings.duplicateProbability <= 1)) {
    problems.push('duplicateProbability must be between 0 and 1');
  }
  if (typeof settings.inbound !== 'boolean') problems.push('inbound must be true or false');
  if (problems.length > 0) throw new RangeError(`Invalid chaos settings: ${problems.join('; ')}`);
  return settings;
}

const CHAOS_FLAG_KEYS: Record<string, keyof ChaosSettings> = {
  seed: 'seed',
  delay: 'delayMs',
  jitter: 'jitterMs',
  duplicate: 'duplicateProbability',
  inbound: 'inbound',
};

/**
 * Parses the CLI form `seed=7,delay=20,jitter=200,duplicate=0.1,inbound=false`; an empty spec means
 * DEFAULT_CHAOS. Unknown keys and bad numbers are errors, not silently ignored.
 */
export function parseChaosSpec(spec: string): ChaosSettings {
  const settings: ChaosSettings = { ...DEFAULT_CHAOS };
  for (const part of spec.split(',').filter((p) => p.trim().length > 0)) {
    const [rawKey = '', rawValue] = part.split('=', 2).map((s) => s.trim());
    const key = CHAOS_FLAG_KEYS[rawKey];
    if (!key)
      throw new RangeError(`Unknown chaos setting "${rawKey}" (known: ${Object.keys(CHAOS_FLAG_KEYS).join(', ')})`);
    if (key === 'inbound') {
      if (rawValue !== undefined && rawValue !== 'true' && rawValue !== 'false') {
        throw new RangeError(`chaos inbound must be true or false, got "${rawValue}"`);
      }
      settings.inbound = rawValue !== 'false';
      continue;
    }
    const value = Number(rawValue);
    if (rawValue === undefined || rawValue === '' || !Number.isFinite(value)) {
      throw new RangeError(`chaos ${rawKey} needs a number, got "${rawValue ?? ''}"`);
    }
    settings[key] = value;
  }
  return validateChaos(settings);
}
