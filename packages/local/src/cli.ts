/**
 * `pnpm dev`: the whole system on this machine — API Gateway stand-in with the real handlers, dynalite, coturn and
 * the client — and the owner link to open (or, with --open, the URL to open in two tabs).
 *
 * Usage: pnpm dev [--host ADDR] [--port N] [--no-turn] [--turn-tcp-fallback-port N] [--open] [--chaos] [--dynamodb-endpoint URL] [--verbose]
 */
import { isIP } from 'node:net';
import { parseArgs } from 'node:util';
import { DEFAULT_CHAOS } from './chaos';
import { ensureClientBuilt, isClientBuildStale, watchClientSources } from './client-build';
import { startLocalSystem } from './local-system';

/** The site's port when free: a fixed URL survives restarts (bookmarks, open tabs reconnect). */
const DEFAULT_SITE_PORT = 5173;

const USAGE = `Usage: pnpm dev [options]

  --host ADDR   listen on and advertise this IP address instead of 127.0.0.1 (site, signaling and TURN), e.g.
                this machine's LAN address so another device on the LAN can call; browsers there allow the
                camera only on https:// (or localhost), so a phone needs the site behind HTTPS
  --port N      serve the app on port N (default ${DEFAULT_SITE_PORT}, 0 for any free port)
  --no-turn     run without coturn (calls then need a direct path)
  --turn-tcp-fallback-port N
                also hand out TURN over TCP on port N, as a deploy does on 443 for networks that let only web
                ports out; something must redirect N to coturn's port (as root, e.g. the network lab applies
                the deploy's nftables rule)
  --open        anyone with the URL may call (access=open); by default only the owner and people they invite
  --chaos       delay, reorder and duplicate signaling messages (tests the client's resilience)
  --dynamodb-endpoint URL
                use this DynamoDB-API server (e.g. AWS's DynamoDB Local, http://127.0.0.1:8000)
                instead of the embedded dynalite
  --verbose     print the handlers' structured logs
  --help        show this
`;

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      host: { type: 'string' },
      port: { type: 'string' },
      'no-turn': { type: 'boolean', default: false },
      'turn-tcp-fallback-port': { type: 'string' },
      open: { type: 'boolean', default: false },
      chaos: { type: 'boolean', default: false },
      'dynamodb-endpoint': { type: 'string' },
      verbose: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    process.stdout.write(USAGE);
    return;
  }
  const sitePort = values.port === undefined ? DEFAULT_SITE_PORT : Number(values.port);
  if (!Number.isInteger(sitePort) || sitePort < 0 || sitePort > 65535) {
    throw new Error(`--port must be a port number, not "${values.port}"`);
  }

  const fallbackOption = values['turn-tcp-fallback-port'];
  const turnTcpFallbackPort = fallbackOption === undefined ? undefined : Number(fallbackOption);
  if (
    turnTcpFallbackPort !== undefined &&
    !(Number.isInteger(turnTcpFallbackPort) && turnTcpFallbackPort > 0 && turnTcpFallbackPort <= 65535)
  ) {
    throw new Error(`--turn-tcp-fallback-port must be a port number, not "${fallbackOption}"`);
  }

  const host = values.host;
  if (host !== undefined && isIP(host) === 0) throw new Error(`--host must be an IP address, not "${host}"`);

  const log = (line: string) => console.error(`  ${line}`);
  console.error('Starting Parley locally…');
  const start = (port: number) =>
    startLocalSystem({
      sitePort: port,
      ...(host ? { host } : {}),
      turn: values['no-turn'] ? 'off' : 'auto',
      ...(turnTcpFallbackPort === undefined ? {} : { turnTcpFallbackPort }),
      access: values.open ? 'open' : 'private',
      logLevel: values.verbose ? 'INFO' : 'WARN',
      ...(values.chaos ? { chaos: DEFAULT_CHAOS } : {}),
      ...(values['dynamodb-endpoint'] ? { dynamodbEndpoint: values['dynamodb-endpoint'] } : {}),
      log,
    });
  const system = await start(sitePort).catch((error: NodeJS.ErrnoException) => {
    // The default port may be taken (another dev server): any free one is better than failing.
    if (error.code !== 'EADDRINUSE' || values.port !== undefined) throw error;
    log(`port ${sitePort} is in use; picking a free one`);
    return start(0);
  });

  const rows: [string, string][] = [
    ['signaling', `${system.signalingUrl}  (API Gateway WebSocket stand-in, real handlers)`],
    [
      'dynamodb',
      `${system.dynamodbEndpoint}  (${values['dynamodb-endpoint'] ? 'external' : 'dynalite'}, table ${system.tableName})`,
    ],
    ['turn', system.turn ? system.turnUrls.join('  ') : 'off — calls need a direct path'],
    ['chaos', values.chaos ? 'on (delay, reorder, duplicate)' : 'off'],
    [
      'access',
      system.access === 'private' ? 'private: the owner link below, and the guest links it makes' : 'open to anyone',
    ],
  ];
  console.error('');
  for (const [name, value] of rows) console.error(`  ${name.padEnd(10)} ${value}`);
  console.error('');
  // The one line a person (or a script) needs, on stdout.
  const owner = system.ownerLink();
  if (owner) {
    console.log(`Parley is running. Your owner link (keep it to yourself): ${owner}`);
    console.error(
      '  Open it, start a call, and open the invitation link it shows in another browser or private window.',
    );
  } else {
    console.log(system.siteUrl ? `Parley is running: open ${system.siteUrl} in two tabs.` : 'Parley is running.');
  }
  // Edits to the client rebuild it in place; the static site serves the new files on the next reload.
  const stopWatching = system.siteUrl
    ? watchClientSources({
        rebuild: async () => {
          await ensureClientBuilt(log);
          if (!(await isClientBuildStale())) log('client rebuilt: reload the tabs to use it.');
        },
      })
    : () => {};
  if (system.siteUrl) console.error('  Editing packages/client rebuilds it here; reload the tabs after.');
  console.error('Press Ctrl-C to stop.');

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    stopWatching();
    console.error(`\n${signal}: stopping…`);
    await system.stop();
    process.exit(0);
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
}

main().catch((error: Error) => {
  console.error(`parley dev: ${error.message}`);
  process.exit(1);
});
