/**
 * What the verification words cost: the person's browser once per call, and a man in the middle who tries to grind a
 * certificate whose words match (docs/verification.md). Measured on this machine, in this run:
 * - one derivation (PBKDF2-HMAC-SHA-256, VERIFICATION_PBKDF2_ITERATIONS rounds): through WebCrypto as the browser
 *   does it (the person's cost), and through OpenSSL directly, the fastest way on a CPU (the attacker's);
 * - one new certificate: an ECDSA P-256 key pair and a self-signature over a certificate-sized body (what
 *   `RTCPeerConnection.generateCertificate` does), and the cheapest new fingerprint: SHA-256 of a re-serialized body;
 * then prints the attacker's expected work, 2^VERIFICATION_BITS tries, on every core of this machine — beside what
 * the same grind costs without the slow derivation (one hash per try, as the 6-digit code had) as a floor measured
 * in the same run. Exits 1 if grinding here would take less than MIN_GRIND_YEARS, or one derivation more than
 * MAX_DERIVATION_MS.
 *
 * Usage: pnpm bench verification   (or: tsx packages/client/scripts/verification-cost.ts)
 */
import { createHash, generateKeyPairSync, pbkdf2Sync, randomBytes, sign } from 'node:crypto';
import { availableParallelism, loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import {
  VERIFICATION_BITS,
  VERIFICATION_PBKDF2_ITERATIONS,
  VERIFICATION_SALT,
  verificationWords,
} from '../src/verification-code';

/** An attacker with this machine must need at least this long: far beyond any call's setup (which lasts seconds). */
const MIN_GRIND_YEARS = 100;
/**
 * One derivation may take at most this long here (about 25 ms on an idle core; this machine is shared, so more under
 * load): a phone several times slower still shows the words within about a second of connecting.
 */
const MAX_DERIVATION_MS = 300;
/** How long each rate is measured. */
const MEASURE_MS = 2_000;
/** A DTLS certificate's DER size in bytes (Chromium's ECDSA ones are about 300–400). */
const CERTIFICATE_BYTES = 400;
const SECONDS_PER_YEAR = 365.25 * 24 * 3600;

/** Runs `once` for about MEASURE_MS (after a warm-up) and answers how many runs per second. */
async function rate(once: () => unknown | Promise<unknown>): Promise<number> {
  for (let i = 0; i < 3; i++) await once();
  let runs = 0;
  const start = performance.now();
  while (performance.now() - start < MEASURE_MS) {
    await once();
    runs++;
  }
  return runs / ((performance.now() - start) / 1000);
}

const fingerprint = (bytes: Buffer) => `sha-256 ${createHash('sha256').update(bytes).digest('hex').toUpperCase()}`;
const peer = fingerprint(randomBytes(CERTIFICATE_BYTES));
const body = randomBytes(CERTIFICATE_BYTES);
let serial = 0;

const browserDerivationsPerSecond = await rate(() => verificationWords(peer, fingerprint(randomBytes(32))));
// The same derivation (the unit tests check they agree), as an attacker on a CPU would run it: no WebCrypto layer.
const derivationsPerSecond = await rate(() =>
  pbkdf2Sync(
    `${peer}\n${fingerprint(randomBytes(32))}`,
    VERIFICATION_SALT,
    VERIFICATION_PBKDF2_ITERATIONS,
    8,
    'sha256',
  ),
);
const certificatesPerSecond = await rate(() => {
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  return sign('sha256', body, privateKey);
});
const fingerprintsPerSecond = await rate(() => {
  body.writeUInt32BE(serial++ >>> 0); // a new serial number: a new certificate body, a new fingerprint
  return fingerprint(body);
});

const cores = availableParallelism();
const tries = 2 ** VERIFICATION_BITS;
// Each try needs a new fingerprint (the cheapest way: re-serialize, unless browsers check the self-signature) and
// one derivation of the words from it.
const triesPerSecond = cores / (1 / fingerprintsPerSecond + 1 / derivationsPerSecond);
const grindYears = tries / triesPerSecond / SECONDS_PER_YEAR;
const unstretchedYears = tries / (cores * fingerprintsPerSecond) / SECONDS_PER_YEAR;
const certificateYears = tries / (cores * certificatesPerSecond) / SECONDS_PER_YEAR;
const derivationMs = 1000 / browserDerivationsPerSecond;

const fmt = (n: number) => (n >= 100 ? Math.round(n).toLocaleString('en') : n.toPrecision(3));
const rows: [string, string][] = [
  ['cores (load average: other work slows every figure)', `${cores} (${loadavg()[0]?.toFixed(1)})`],
  [
    `person: one derivation (WebCrypto PBKDF2, ${VERIFICATION_PBKDF2_ITERATIONS.toLocaleString('en')} rounds)`,
    `${fmt(derivationMs)} ms`,
  ],
  ['attacker: derivations (OpenSSL PBKDF2) / s / core', fmt(derivationsPerSecond)],
  ['new certificates (P-256 key + signature) / s / core', fmt(certificatesPerSecond)],
  ['new fingerprints (SHA-256 of a re-serialized certificate) / s / core', fmt(fingerprintsPerSecond)],
  [`attacker's tries / s, all cores`, fmt(triesPerSecond)],
  [`expected tries (2^${VERIFICATION_BITS})`, tries.toExponential(2)],
  ['grind time here, all cores', `${fmt(grindYears)} years`],
  ['machines like this to grind within a 60 s call setup', fmt((grindYears * SECONDS_PER_YEAR) / 60)],
  ['floor: the same grind with one hash per try (no PBKDF2)', `${fmt(unstretchedYears)} years`],
  ['for scale: a fresh certificate per try, no PBKDF2', `${fmt(certificateYears)} years`],
];
const width = Math.max(...rows.map(([label]) => label.length));
console.log(`| ${'measure'.padEnd(width)} | value |`);
console.log(`| ${'-'.repeat(width)} | --- |`);
for (const [label, value] of rows) console.log(`| ${label.padEnd(width)} | ${value} |`);
console.log(
  `\nPBKDF2 multiplies the attacker's work by ${fmt(unstretchedYears > 0 ? grindYears / unstretchedYears : 0)}× ` +
    `(measured against the floor above); targets: ≥ ${MIN_GRIND_YEARS} years here, ≤ ${MAX_DERIVATION_MS} ms per derivation.`,
);
let failed = false;
if (grindYears < MIN_GRIND_YEARS) {
  console.error(`FAIL: grinding here takes ${fmt(grindYears)} years, under ${MIN_GRIND_YEARS}`);
  failed = true;
}
if (derivationMs > MAX_DERIVATION_MS) {
  console.error(`FAIL: one derivation takes ${fmt(derivationMs)} ms, over ${MAX_DERIVATION_MS}`);
  failed = true;
}
process.exit(failed ? 1 : 0);
