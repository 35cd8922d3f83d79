/**
 * `pnpm check-deployment`: after `cdk deploy`, checks from this machine that calls will work — the site and its
 * security headers, `/config.json`, the signaling WebSocket as a member, TURN credentials, and a TURN allocation over
 * UDP, TCP and (when configured) TLS — and says for each step what to do when it fails. Exits 1 when any step fails.
 *
 * Usage: pnpm check-deployment [--stack NAME] [--region REGION]   (reads the stack's outputs from CloudFormation)
 *        pnpm check-deployment --site URL                         (checks a running site directly, e.g. `pnpm dev`'s)
 */
import { parseArgs } from 'node:util';
import { DEFAULT_STACK_NAME } from '../lib/config';
import { type CheckResult, checkDeployment, targetFromStack } from './deployment-check';

const USAGE = `Usage: pnpm check-deployment [--stack NAME] [--region REGION]
       pnpm check-deployment --site URL

  --stack NAME     the deployed stack (default ${DEFAULT_STACK_NAME}, or the parley:stackName you deployed with)
  --region REGION  its region (default: your AWS configuration's)
  --site URL       check this site instead of reading a stack (e.g. http://127.0.0.1:5173/ from pnpm dev)
`;

function print(result: CheckResult): void {
  console.log(`${result.ok ? '✔' : '✘'} ${result.step}: ${result.detail}`);
  if (!result.ok && result.fix) console.log(`    What to do: ${result.fix}`);
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      stack: { type: 'string', default: DEFAULT_STACK_NAME },
      region: { type: 'string' },
      site: { type: 'string' },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  const target = values.site
    ? { siteUrl: values.site }
    : await targetFromStack(values.stack, values.region ? { region: values.region } : {});
  console.log(`Checking ${target.siteUrl}\n`);
  const results = await checkDeployment(target, print);
  const failed = results.filter((r) => !r.ok).length;
  console.log(
    failed === 0
      ? `\nAll ${results.length} checks passed: calls should work from this network.`
      : `\n${failed} of ${results.length} checks failed.`,
  );
  return failed === 0 ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (error: Error) => {
    console.error(`check-deployment: ${error.message}`);
    process.exit(1);
  },
);
