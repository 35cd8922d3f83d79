import { createOwnerKey, ownerLink } from '@parley/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ownerLinkOf } from './deployed-stack';
import { type FakeAws, fakeAwsClient, startFakeAws } from './fake-aws';

// `pnpm owner-link` against a CloudFormation + Secrets Manager stand-in on loopback (their real wire protocols).

const SECRET_ARN = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:OwnerKeySecret-AbCdEf';
const SITE = 'https://d1234abcd.cloudfront.net/';
const key = createOwnerKey();
let aws: FakeAws;

beforeAll(async () => {
  aws = await startFakeAws({
    stacks: {
      Parley: { SiteUrl: SITE, SignalingUrl: 'wss://abc.example/v1', OwnerKeySecretArn: SECRET_ARN },
      Demo: { SiteUrl: SITE, SignalingUrl: 'wss://abc.example/v1' },
    },
    secrets: { [SECRET_ARN]: key },
  });
});
afterAll(() => aws?.stop());

describe('When the owner asks for their link', () => {
  it('should print the site with the owner key in its fragment', async () => {
    const { link, note } = await ownerLinkOf('Parley', { client: fakeAwsClient(aws.endpoint) });
    expect(link).toBe(ownerLink(SITE, key));
    expect(link).toBe(`${SITE}#owner=${key}`);
    expect(note).toContain('Keep this link to yourself');
  });

  it('should replace the key when asked to rotate, so that the old link no longer matches', async () => {
    const { link, note } = await ownerLinkOf('Parley', { rotate: true, client: fakeAwsClient(aws.endpoint) });
    const stored = aws.secrets[SECRET_ARN] ?? '';
    expect(stored).not.toBe(key);
    expect(link).toBe(ownerLink(SITE, stored));
    expect(note).toMatch(/stops working/);
  });

  it('should explain an open deployment, and a stack that does not exist', async () => {
    await expect(ownerLinkOf('Demo', { client: fakeAwsClient(aws.endpoint) })).rejects.toThrow(/open to anyone/);
    await expect(ownerLinkOf('Nope', { client: fakeAwsClient(aws.endpoint) })).rejects.toThrow(
      /cannot read the stack "Nope"/,
    );
  });
});
