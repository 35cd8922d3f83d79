export {
  type CoturnConfig,
  type CoturnProcess,
  findTurnserver,
  isCoturnInstalled,
  type StartCoturnOptions,
  startCoturn,
  waitForStunBinding,
} from './coturn-process';
export { DENIED_PEER_BLOCKS, type DeniedPeerBlock, DOCUMENTATION_BLOCKS, deniedPeerRanges } from './denied-peers';
export { type TurnRestCredentials, turnRestCredentials } from './rest-credentials';
export {
  type RelayedData,
  TURN_FIRST_CHANNEL,
  type TurnAllocation,
  TurnClient,
  TurnRequestError,
} from './turn-client';
export {
  EC2_LINK_LOCAL_SERVICE_BLOCKS,
  plainTurnUrls,
  renderTcpFallbackRedirect,
  renderTurnHostFirewall,
  TURN_HOST_FIREWALL_TABLE,
  type TurnHostFirewallOptions,
  tcpFallbackRedirectChain,
  turnTcpFallbackPort,
} from './turn-host-firewall';
export {
  EC2_USER_DATA_MAX_BYTES,
  renderTurnHostUserData,
  TURN_HOST_CONF_PATH,
  TURN_HOST_EXEC_START,
  TURN_HOST_FIREWALL_EXEC_START_PRE,
  TURN_HOST_FIREWALL_PATH,
  TURN_HOST_SYSTEMD_DROP_IN_PATH,
  TURN_HOST_TEST_SEAMS,
  TURN_HOST_TLS_PEM_PATH,
  TURN_HOST_USER,
  type TurnHostUserDataOptions,
} from './turn-host-user-data';
export * from './turn-limits';
export {
  renderTurnserverConf,
  TURN_SECRET_PATTERN,
  TurnConfigError,
  type TurnProfile,
  type TurnServerConfigOptions,
  type TurnTlsOptions,
} from './turnserver-conf';
