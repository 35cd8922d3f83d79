import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const cdkJson = JSON.parse(readFileSync(fileURLToPath(new URL('../cdk.json', import.meta.url)), 'utf8')) as {
  app: string;
  context: Record<string, unknown>;
};
/** The flags `cdk init` writes for a new app of the installed aws-cdk-lib (aws-cdk-lib ships the list). */
const recommended = createRequire(import.meta.url)('aws-cdk-lib/recommended-feature-flags.json') as Record<
  string,
  unknown
>;

describe('cdk.json', () => {
  it('should carry every feature flag a new app of this aws-cdk-lib gets, so synth prints no flag notice', () => {
    const ours = Object.fromEntries(Object.keys(recommended).map((flag) => [flag, cdkJson.context[flag]]));
    expect(ours).toEqual(recommended);
  });

  it('should run the app without a global tsx: node loads tsx from this project', () => {
    expect(cdkJson.app).toBe('node --import tsx bin/app.ts');
  });
});
