/**
 * For tests of the owner's tools: a stand-in on loopback for the two AWS APIs they call, in the services' own wire
 * protocols — CloudFormation DescribeStacks (query protocol: form-encoded request, XML answer) and Secrets Manager
 * GetSecretValue / PutSecretValue (JSON protocol, `X-Amz-Target`). Nothing here reaches AWS.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

const CLOUDFORMATION_XMLNS = 'http://cloudformation.amazonaws.com/doc/2010-05-15/';

const escapeXml = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

export interface FakeAws {
  endpoint: string;
  /** The secrets as they are now (PutSecretValue changes them). */
  secrets: Record<string, string>;
  stop(): Promise<void>;
}

/** Starts the stand-in with these stacks' outputs (by stack name) and secrets (by ARN). */
export async function startFakeAws(world: {
  stacks: Record<string, Record<string, string>>;
  secrets?: Record<string, string>;
}): Promise<FakeAws> {
  const secrets = { ...world.secrets };
  const server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk) => {
      body += chunk;
    });
    request.on('end', () => {
      const target = request.headers['x-amz-target'];
      if (typeof target === 'string' && target.startsWith('secretsmanager.')) {
        const input = JSON.parse(body || '{}') as { SecretId?: string; SecretString?: string };
        const id = input.SecretId ?? '';
        response.setHeader('content-type', 'application/x-amz-json-1.1');
        if (!(id in secrets)) {
          response.statusCode = 400;
          response.end(
            JSON.stringify({
              __type: 'ResourceNotFoundException',
              message: "Secrets Manager can't find the specified secret.",
            }),
          );
          return;
        }
        if (target === 'secretsmanager.PutSecretValue') secrets[id] = input.SecretString ?? '';
        response.end(JSON.stringify({ ARN: id, Name: id, VersionId: 'v', SecretString: secrets[id] }));
        return;
      }
      const form = new URLSearchParams(body);
      const name = form.get('StackName') ?? '';
      const outputs = world.stacks[name];
      response.setHeader('content-type', 'text/xml');
      if (form.get('Action') !== 'DescribeStacks' || !outputs) {
        response.statusCode = 400;
        response.end(
          `<ErrorResponse xmlns="${CLOUDFORMATION_XMLNS}"><Error><Type>Sender</Type><Code>ValidationError</Code><Message>Stack with id ${escapeXml(name)} does not exist</Message></Error><RequestId>1</RequestId></ErrorResponse>`,
        );
        return;
      }
      const members = Object.entries(outputs)
        .map(
          ([key, value]) =>
            `<member><OutputKey>${key}</OutputKey><OutputValue>${escapeXml(value)}</OutputValue></member>`,
        )
        .join('');
      response.end(
        `<DescribeStacksResponse xmlns="${CLOUDFORMATION_XMLNS}"><DescribeStacksResult><Stacks><member><StackName>${escapeXml(name)}</StackName><StackStatus>CREATE_COMPLETE</StackStatus><CreationTime>2026-12-07T00:00:00Z</CreationTime><Outputs>${members}</Outputs></member></Stacks></DescribeStacksResult><ResponseMetadata><RequestId>1</RequestId></ResponseMetadata></DescribeStacksResponse>`,
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    secrets,
    stop: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/** The stand-in as an SDK client's endpoint, with throwaway credentials. */
export const fakeAwsClient = (endpoint: string) => ({
  endpoint,
  region: 'eu-west-1',
  credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'not-a-secret' },
});
