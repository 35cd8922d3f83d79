/**
 * `pnpm owner-link`: prints the owner link of a private deployment — the site with the owner key in its fragment —
 * read with your AWS credentials. Open it once in your browser: it keeps the key and the site is yours from then on.
 * `--rotate` replaces the key first: every owner link and invitation made before stops working (within the few
 * minutes the signaling functions keep a key, OWNER_KEY_CACHE_MS).
 *
 * Usage: pnpm owner-link [--stack NAME] [--region REGION] [--rotate]
 */
import { parseArgs } from 'node:util';
import { DEFAULT_STACK_NAME } from '../lib/config';
import { ownerLinkOf } from './deployed-stack';

const USAGE = `Usage: pnpm owner-link [--stack NAME] [--region REGION] [--rotate]

  --stack NAME     the deployed stack (default ${DEFAULT_STACK_NAME}, or the parley:stackName you deployed with)
  --region REGION  its region (default: your AWS configuration's)
  --rotate         make a new owner key first: every earlier owner link and invitation stops working
`;

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      stack: { type: 'string', default: DEFAULT_STACK_NAME },
      region: { type: 'string' },
      rotate: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    process.stdout.write(USAGE);
    return;
  }
  const { link, note } = await ownerLinkOf(values.stack, {
    rotate: values.rotate,
    ...(values.region ? { client: { region: values.region } } : {}),
  });
  // The link alone on stdout (for a script or the clipboard); the explanation on stderr.
  console.log(link);
  console.error(note);
}

main().catch((error: Error) => {
  console.error(`owner-link: ${error.message}`);
  process.exit(1);
});
