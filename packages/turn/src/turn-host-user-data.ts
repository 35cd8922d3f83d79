import { renderTurnHostFirewall, turnTcpFallbackPort } from './turn-host-firewall';
import { formatTurnserverConf, resolveAddresses, TURN_SECRET_PATTERN, TurnConfigError } from './turnserver-conf';

/**
 * The EC2 user-data of the TURN host, as a bash script for Ubuntu 24.04. It learns at boot what CloudFormation
 * cannot put into a template (the instance's addresses, the secret's value) and renders the production profile of
 * the shared coturn configuration around them, so the host runs exactly what `turn-config --profile production`
 * prints for the same addresses and secret. It also writes the host firewall (turn-host-firewall.ts), which coturn's
 * unit loads before coturn starts.
 */

/** EC2 refuses user-data above 16 KB (before base64). */
export const EC2_USER_DATA_MAX_BYTES = 16 * 1024;

/** How long first boot waits for the Elastic IP to show up in the instance metadata before giving up. */
export const ELASTIC_IP_WAIT_SECONDS = 300;

/** How long apt waits for the dpkg lock: unattended-upgrades often holds it during first boot. */
export const APT_LOCK_TIMEOUT_SECONDS = 600;

/** Lifetime of each IMDSv2 session token the script asks for; each request takes a fresh one. */
export const IMDS_TOKEN_TTL_SECONDS = 60;

/** Where the script writes coturn's configuration (not /etc/turnserver.conf, the package's own conffile). */
export const TURN_HOST_CONF_PATH = '/etc/parley/turnserver.conf';

/** Certificate chain followed by the private key, for TURN over TLS (coturn reads both from one PEM file). */
export const TURN_HOST_TLS_PEM_PATH = '/etc/parley/turn-tls.pem';

/** systemd drop-in that points Debian's coturn unit at our configuration and keeps it running. */
export const TURN_HOST_SYSTEMD_DROP_IN_PATH = '/etc/systemd/system/coturn.service.d/parley.conf';

/** coturn's command line under systemd: our configuration, no pid file (systemd tracks the process). */
export const TURN_HOST_EXEC_START = `/usr/bin/turnserver -c ${TURN_HOST_CONF_PATH} --pidfile=`;

/** The system user Debian's and Ubuntu's coturn package runs coturn as. */
export const TURN_HOST_USER = 'turnserver';

/** The host's nftables ruleset (per-client limits, TCP on 443, no metadata service for coturn's user). */
export const TURN_HOST_FIREWALL_PATH = '/etc/parley/turn-host-firewall.nft';

/**
 * Loads the firewall as root (`+`) each time coturn starts, before it starts: coturn never serves without its limits,
 * and a ruleset that fails to load keeps coturn down rather than unprotected.
 */
export const TURN_HOST_FIREWALL_EXEC_START_PRE = `+/usr/sbin/nft -f ${TURN_HOST_FIREWALL_PATH}`;

/** Open files for coturn: every allocation holds sockets, and systemd's default soft limit (1024) is near. */
export const TURN_HOST_OPEN_FILES_LIMIT = 65_536;

/** Seconds systemd waits before restarting a failed coturn. */
export const TURN_HOST_RESTART_SECONDS = 2;

/** The instance metadata service (IMDSv2). */
const IMDS_ENDPOINT = 'http://169.254.169.254';

/**
 * Stand-ins the sandbox test points the script at (environment variables; cloud-init sets none of them). They
 * change where the script talks to and where it writes, never what it does.
 */
export const TURN_HOST_TEST_SEAMS = {
  /** Base URL of the instance metadata service. */
  imdsEndpoint: 'PARLEY_IMDS_ENDPOINT',
  /** Base URL of Secrets Manager. */
  secretsManagerEndpoint: 'PARLEY_SECRETS_MANAGER_ENDPOINT',
  /** Directory every written file is placed under (like DESTDIR). */
  rootDirectory: 'PARLEY_ROOT_DIR',
} as const;

/** Placeholders in the rendered configuration that the script replaces with what it learns at boot. */
const MARKERS = {
  publicIp: '__PARLEY_PUBLIC_IPV4__',
  privateIp: '__PARLEY_PRIVATE_IPV4__',
  secret: '__PARLEY_TURN_SECRET__',
} as const;

/** What the TURN host needs to know; strings may be CDK tokens, resolved by CloudFormation. */
export interface TurnHostUserDataOptions {
  /** ARN of the Secrets Manager secret holding the TURN REST shared secret. */
  secretArn: string;
  region: string;
  /** The Elastic IP: coturn must advertise it, so setup waits until it is attached. */
  elasticIp: string;
  realm: string;
  listeningPort: number;
  minPort: number;
  maxPort: number;
  /** TURN over TLS: a secret holding the PEM certificate chain followed by the private key, and the port. */
  tls?: { certificateSecretArn: string; port: number };
}

/** Renders the TURN host's user-data script. Throws {@link TurnConfigError} on a value that cannot work. */
export function renderTurnHostUserData(options: TurnHostUserDataOptions): string {
  for (const [name, value] of [
    ['secretArn', options.secretArn],
    ['region', options.region],
    ['elasticIp', options.elasticIp],
    ['tls.certificateSecretArn', options.tls?.certificateSecretArn ?? ''],
  ] as const) {
    // Each value goes between single quotes in bash; CDK tokens (`${Token[…]}`) are safe there too.
    if (/['\n\\]/.test(value)) throw new TurnConfigError(`${name} must not contain quotes, backslashes or newlines`);
  }
  const confTemplate = formatTurnserverConf({
    ...resolveAddresses(
      {
        profile: 'production',
        secret: MARKERS.secret,
        realm: options.realm,
        listeningPort: options.listeningPort,
        minPort: options.minPort,
        maxPort: options.maxPort,
        externalIp: { public: MARKERS.publicIp, private: MARKERS.privateIp },
        ...(options.tls
          ? { tls: { certFile: TURN_HOST_TLS_PEM_PATH, keyFile: TURN_HOST_TLS_PEM_PATH, port: options.tls.port } }
          : {}),
      },
      false,
    ),
    secret: MARKERS.secret,
  });
  if (confTemplate.includes('PARLEY_CONF')) throw new TurnConfigError('the configuration would end the heredoc');
  const tcpFallbackPort = turnTcpFallbackPort(options.tls);
  const firewall = renderTurnHostFirewall({
    listeningPort: options.listeningPort,
    ...(options.tls ? { tlsPort: options.tls.port } : {}),
    ...(tcpFallbackPort === undefined ? {} : { tcpFallbackPort }),
    turnUser: TURN_HOST_USER,
  });
  const script = [
    HEADER,
    `secret_arn='${options.secretArn}'`,
    `region='${options.region}'`,
    `elastic_ip='${options.elasticIp}'`,
    `tls_certificate_secret_arn='${options.tls?.certificateSecretArn ?? ''}'`,
    `tls_port=${options.tls?.port ?? 0}`,
    '',
    BODY,
    "conf_template=$(cat <<'PARLEY_CONF'",
    confTemplate.trimEnd(),
    'PARLEY_CONF',
    ')',
    WRITE_CONF,
    `cat >"$root${TURN_HOST_FIREWALL_PATH}" <<'PARLEY_NFT'`,
    firewall.trimEnd(),
    'PARLEY_NFT',
    RUN_COTURN,
  ].join('\n');
  const bytes = Buffer.byteLength(script);
  if (bytes > EC2_USER_DATA_MAX_BYTES) {
    throw new TurnConfigError(`the user-data is ${bytes} bytes; EC2 accepts at most ${EC2_USER_DATA_MAX_BYTES}`);
  }
  return script;
}

const HEADER = `#!/bin/bash
# Parley TURN host setup (EC2 user-data), generated by @parley/turn. Change the generator, not this file.
# Installs coturn, learns the addresses (IMDSv2) and the TURN secret (Secrets Manager, instance role), writes
# ${TURN_HOST_CONF_PATH} and ${TURN_HOST_FIREWALL_PATH} and runs coturn under systemd. Safe to run again.
set -euo pipefail
shopt -s inherit_errexit
umask 077
`;

const BODY = `imds=\${${TURN_HOST_TEST_SEAMS.imdsEndpoint}:-${IMDS_ENDPOINT}}
secrets_manager=\${${TURN_HOST_TEST_SEAMS.secretsManagerEndpoint}:-https://secretsmanager.$region.amazonaws.com}
root=\${${TURN_HOST_TEST_SEAMS.rootDirectory}:-}

log() { echo "parley-turn: $*" >&2; }
fail() { log "$*"; exit 1; }

# IMDSv2 only: every read carries a session token (the instance refuses token-less reads anyway).
imds_get() {
  local token
  token=$(curl -fsS --max-time 5 -X PUT "$imds/latest/api/token" \\
    -H 'X-aws-ec2-metadata-token-ttl-seconds: ${IMDS_TOKEN_TTL_SECONDS}') || return 1
  curl -fsS --max-time 5 -H "X-aws-ec2-metadata-token: $token" "$imds/latest/$1"
}

is_ipv4() { [[ $1 =~ ^([0-9]{1,3}\\.){3}[0-9]{1,3}$ ]]; }

# Reads a secret's value with the instance role's temporary credentials (SigV4 signed by curl; no AWS CLI needed).
read_secret() {
  local role credentials response
  local -a keys
  role=$(imds_get meta-data/iam/security-credentials/ | head -n 1) || fail 'no instance role'
  credentials=$(imds_get "meta-data/iam/security-credentials/$role") || fail "no credentials for role $role"
  mapfile -t keys < <(python3 -c 'import json, sys
c = json.load(sys.stdin)
print(c["AccessKeyId"]); print(c["SecretAccessKey"]); print(c["Token"])' <<<"$credentials")
  [ "\${#keys[@]}" -eq 3 ] || fail 'unreadable instance role credentials'
  # The keys go to curl on stdin, not on its command line, where any local user could read them.
  response=$(printf 'user = "%s:%s"\\nheader = "x-amz-security-token: %s"\\n' "\${keys[0]}" "\${keys[1]}" "\${keys[2]}" |
    curl -fsS --max-time 10 --retry 5 --retry-all-errors -K - \\
      --aws-sigv4 "aws:amz:$region:secretsmanager" \\
      -H 'Content-Type: application/x-amz-json-1.1' \\
      -H 'X-Amz-Target: secretsmanager.GetSecretValue' \\
      --data "{\\"SecretId\\":\\"$1\\"}" "$secrets_manager/") || fail "cannot read secret $1"
  python3 -c 'import json, sys; sys.stdout.write(json.load(sys.stdin)["SecretString"])' <<<"$response"
}

# Writes stdin to a file readable by root and coturn's group only, replacing it in one step. The folder must let
# coturn's group through (umask 077 would make it root-only).
write_private() {
  local target=$root$1 temporary
  install -d -m 0750 -o root -g ${TURN_HOST_USER} "$(dirname "$target")"
  temporary=$(mktemp "$target.XXXXXX")
  cat >"$temporary"
  chown root:${TURN_HOST_USER} "$temporary"
  chmod 0640 "$temporary"
  mv -f "$temporary" "$target"
}

# 1. Addresses. CloudFormation attaches the Elastic IP after the instance starts; coturn must advertise that
#    address, and downloads started before the switch would break, so wait for it first.
private_ip=$(imds_get meta-data/local-ipv4) || fail 'no private address in the instance metadata'
is_ipv4 "$private_ip" || fail "bad private address: $private_ip"
deadline=$((SECONDS + ${ELASTIC_IP_WAIT_SECONDS}))
until public_ip=$(imds_get meta-data/public-ipv4) && [ "$public_ip" = "$elastic_ip" ]; do
  [ "$SECONDS" -lt "$deadline" ] || fail "Elastic IP $elastic_ip not attached after ${ELASTIC_IP_WAIT_SECONDS} s"
  sleep 2
done
log "addresses: public $public_ip, private $private_ip"

# 2. coturn from Ubuntu. policy-rc.d keeps the package from starting coturn with its default configuration.
install -d -m 0755 "$root/usr/sbin"
printf '#!/bin/sh\\nexit 101\\n' >"$root/usr/sbin/policy-rc.d"
chmod 0755 "$root/usr/sbin/policy-rc.d"
trap 'rm -f "$root/usr/sbin/policy-rc.d"' EXIT
export DEBIAN_FRONTEND=noninteractive
apt_options=(-q -o DPkg::Lock::Timeout=${APT_LOCK_TIMEOUT_SECONDS} -o Acquire::Retries=5)
apt-get "\${apt_options[@]}" update
apt-get "\${apt_options[@]}" install -y --no-install-recommends coturn curl python3 nftables
rm -f "$root/usr/sbin/policy-rc.d"

# 3. Secrets.
secret_pattern='${TURN_SECRET_PATTERN.source}'
turn_secret=$(read_secret "$secret_arn")
[[ $turn_secret =~ $secret_pattern ]] || fail 'the TURN secret has an unusable form'
if [ "$tls_port" -ne 0 ]; then
  tls_pem=$(read_secret "$tls_certificate_secret_arn")
  [[ $tls_pem == *'-----BEGIN CERTIFICATE-----'* && $tls_pem == *'PRIVATE KEY-----'* ]] ||
    fail 'the TLS secret must hold the PEM certificate chain followed by the private key'
  printf '%s\\n' "$tls_pem" | write_private ${TURN_HOST_TLS_PEM_PATH}
fi
`;

const WRITE_CONF = `conf=\${conf_template//${MARKERS.publicIp}/"$public_ip"}
conf=\${conf//${MARKERS.privateIp}/"$private_ip"}
conf=\${conf//${MARKERS.secret}/"$turn_secret"}
printf '%s\\n' "$conf" | write_private ${TURN_HOST_CONF_PATH}

# 4. The firewall, root-only (umask 077); coturn's unit loads it (next step). Ubuntu's nftables.service stays off:
#    its /etc/nftables.conf flushes every table, ours included.`;

const RUN_COTURN = `
# 5. Run it under systemd: Debian's unit (user ${TURN_HOST_USER}), on our file, with the firewall loaded first,
#    restarted whenever it fails.
install -d -m 0755 "$root$(dirname ${TURN_HOST_SYSTEMD_DROP_IN_PATH})"
{
  echo '[Unit]'
  echo '# Never give up restarting: a TURN server that stopped trying is an outage until someone logs in.'
  echo 'StartLimitIntervalSec=0'
  echo '[Service]'
  echo 'ExecStartPre=${TURN_HOST_FIREWALL_EXEC_START_PRE}'
  echo 'ExecStart='
  echo 'ExecStart=${TURN_HOST_EXEC_START}'
  echo 'Restart=on-failure'
  echo 'RestartSec=${TURN_HOST_RESTART_SECONDS}'
  echo 'LimitNOFILE=${TURN_HOST_OPEN_FILES_LIMIT}'
  if [ "$tls_port" -ne 0 ] && [ "$tls_port" -lt 1024 ]; then
    echo 'AmbientCapabilities=CAP_NET_BIND_SERVICE'
  fi
} >"$root${TURN_HOST_SYSTEMD_DROP_IN_PATH}"
chmod 0644 "$root${TURN_HOST_SYSTEMD_DROP_IN_PATH}"
systemctl daemon-reload
systemctl enable coturn
systemctl restart coturn
log "coturn is running on $private_ip (public $public_ip)"
`;
