import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { TURN_DEFAULT_REALM, TURN_LISTENING_PORT, TURN_RELAY_MAX_PORT, TURN_RELAY_MIN_PORT } from './turn-limits';
import { renderTurnserverConf, TurnConfigError, type TurnProfile } from './turnserver-conf';

/**
 * `pnpm --silent turn-config --profile production --public-ip A --private-ip B --secret-file F` prints the exact
 * turnserver.conf a host with those addresses and that secret runs, so it can be inspected and tested.
 */

const USAGE = `usage: turn-config --profile production|local --secret-file FILE [options]

  --profile P          production (the EC2 host) or local (loopback, for pnpm dev and tests)
  --secret-file FILE   file holding the TURN REST shared secret (surrounding whitespace is ignored)
  --public-ip A        production: the Elastic IP
  --private-ip B       production: the instance's private address
  --realm R            default ${TURN_DEFAULT_REALM}
  --port N             listening port, default ${TURN_LISTENING_PORT}
  --min-port N         relay range start, default ${TURN_RELAY_MIN_PORT}
  --max-port N         relay range end, default ${TURN_RELAY_MAX_PORT}
  --tls-cert FILE      TURN over TLS: certificate chain (with --tls-key and --tls-port)
  --tls-key FILE       TURN over TLS: private key
  --tls-port N         TURN over TLS: port
`;

/** Thrown for a command line that cannot be used; the message is meant for the person who typed it. */
class UsageError extends Error {}

/** Builds the configuration text from command-line arguments; throws on anything unusable. */
export function turnConfigFromArgs(args: readonly string[]): string {
  const { values } = parseArgs({
    args: [...args],
    strict: true,
    allowPositionals: false,
    options: {
      profile: { type: 'string' },
      'secret-file': { type: 'string' },
      'public-ip': { type: 'string' },
      'private-ip': { type: 'string' },
      realm: { type: 'string', default: TURN_DEFAULT_REALM },
      port: { type: 'string', default: String(TURN_LISTENING_PORT) },
      'min-port': { type: 'string', default: String(TURN_RELAY_MIN_PORT) },
      'max-port': { type: 'string', default: String(TURN_RELAY_MAX_PORT) },
      'tls-cert': { type: 'string' },
      'tls-key': { type: 'string' },
      'tls-port': { type: 'string' },
    },
  });
  const profile = values.profile;
  if (profile !== 'production' && profile !== 'local') throw new UsageError('--profile must be production or local');
  const secretFile = values['secret-file'];
  if (!secretFile) throw new UsageError('--secret-file is required');
  const secret = readFileSync(secretFile, 'utf8').trim();

  const publicIp = values['public-ip'];
  const privateIp = values['private-ip'];
  if (profile === 'production' && (!publicIp || !privateIp)) {
    throw new UsageError('the production profile needs --public-ip and --private-ip');
  }
  if (profile === 'local' && (publicIp || privateIp)) {
    throw new UsageError('the local profile runs on loopback and takes no --public-ip or --private-ip');
  }
  const tlsValues = [values['tls-cert'], values['tls-key'], values['tls-port']];
  if (tlsValues.some(Boolean) && !tlsValues.every(Boolean)) {
    throw new UsageError('--tls-cert, --tls-key and --tls-port go together');
  }
  return renderTurnserverConf({
    profile: profile satisfies TurnProfile,
    secret,
    realm: values.realm,
    listeningPort: port('--port', values.port),
    minPort: port('--min-port', values['min-port']),
    maxPort: port('--max-port', values['max-port']),
    ...(publicIp && privateIp ? { externalIp: { public: publicIp, private: privateIp } } : {}),
    ...(values['tls-cert'] && values['tls-key'] && values['tls-port']
      ? {
          tls: {
            certFile: values['tls-cert'],
            keyFile: values['tls-key'],
            port: port('--tls-port', values['tls-port']),
          },
        }
      : {}),
  });
}

function port(name: string, text: string): number {
  if (!/^\d+$/.test(text)) throw new UsageError(`${name} must be a port number, not ${JSON.stringify(text)}`);
  return Number(text);
}

/** Runs the command: prints the configuration, or the problem and the usage (exit status 2). */
export function main(args: readonly string[]): number {
  try {
    process.stdout.write(turnConfigFromArgs(args));
    return 0;
  } catch (error) {
    const known = error instanceof UsageError || error instanceof TurnConfigError || isNodeError(error);
    if (!known) throw error;
    process.stderr.write(`turn-config: ${(error as Error).message}\n\n${USAGE}`);
    return 2;
  }
}

function isNodeError(error: unknown): boolean {
  // parseArgs and readFileSync report unknown options and missing files with a code.
  return error instanceof Error && typeof (error as NodeJS.ErrnoException).code === 'string';
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  process.exitCode = main(process.argv.slice(2));
}
