/**
 * `pnpm check-deployment`: after `cdk deploy`, checks from this machine that calls will work — the site and its
 * security headers, `/config.json`, the signaling WebSocket as a member, TURN credentials, and a TURN allocation over
 * UDP, TCP and (when configured) TLS — and says for each step what to do when it fails. Exits 1 when any step fails.
 *
 * Usage: pnpm check-deployment [--stack NAME] [--region REGION]   (reads the stack's outputs from CloudFormation)
 *        pnpm check-deployment --owner-link URL                   (checks a running site by its owner link, e.g. `pnpm dev`'s)
 *        pnpm check-deployment --site URL                         (an open site, e.g. `pnpm dev --open`)
 */
import { parseArgs } from 'node:util';
import { isOwnerKey, OWNER_LINK_FRAGMENT_PREFIX } from '@parley/protocol';
import { DEFAULT_STACK_NAME } from '../lib/config';
import { type CheckResult, checkDeployment, targetFromStack } from './deployment-check';

const USAGE = `Usage: pnpm check-deployment [--stack NAME] [--region REGION]
       pnpm check-deployment --owner-link URL
       pnpm check-deployment --site URL

  --stack NAME     the deployed stack (default ${DEFAULT_STACK_NAME}, or the parley:stackName you deployed with)
  --region REGION  its region (default: your AWS configuration's)
  --owner-link URL check the site of this owner link instead of reading a stack (e.g. the one pnpm dev prints)
  --site URL       check this site instead of reading a stack (an open one: a private one needs --owner-link)
`;

/** The site and owner key of an owner link (\`https://<site>/#owner=<key>\`). */
function fromOwnerLink(link: string): { siteUrl: string; ownerKey: string } {
  const url = new URL(link);
  const key = url.hash.slice(1 + OWNER_LINK_FRAGMENT_PREFIX.length);
  if (!url.hash.startsWith(`#${OWNER_LINK_FRAGMENT_PREFIX}`) || !isOwnerKey(key)) {
    throw new Error('--owner-link must be an owner link: https://<site>/#owner=<key>');
  }
  return { siteUrl: `${url.origin}${url.pathname}`, ownerKey: key };
}

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
      'owner-link': { type: 'string' },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  const target = values['owner-link']
    ? fromOwnerLink(values['owner-link'])
    : values.site
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
