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
export {
  type RelayedData,
  type TurnAllocation,
  TurnClient,
  TurnRequestError,
  turnRestCredentials,
} from './turn-client';
export * from './turn-limits';
export {
  renderTurnserverConf,
  TURN_SECRET_PATTERN,
  TurnConfigError,
  type TurnProfile,
  type TurnServerConfigOptions,
  type TurnTlsOptions,
} from './turnserver-conf';
