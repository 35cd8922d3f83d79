import * as v from 'valibot';
import { ACCESS_MODES, DEFAULT_INVITE_VALIDITY_HOURS, MAX_INVITE_VALIDITY_HOURS } from './access';

/**
 * `/config.json`, served beside the client: the client is built once and configured per deployment. The CDK stack
 * writes it at deploy time; the local runtime serves it the same way.
 */
export const SiteConfig = v.strictObject({
  /** The signaling WebSocket URL (`wss://…` on AWS, `ws://127.0.0.1:…` locally). */
  signalingUrl: v.pipe(v.string(), v.regex(/^wss?:\/\/[^\s]+$/, 'signalingUrl must be a ws:// or wss:// URL')),
  /** Who may use the deployment (see access.ts); private unless the deployment says otherwise. */
  access: v.optional(v.picklist(ACCESS_MODES), 'private'),
  /** How long a guest link the owner makes works. */
  inviteValidityHours: v.optional(
    v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(MAX_INVITE_VALIDITY_HOURS)),
    DEFAULT_INVITE_VALIDITY_HOURS,
  ),
});
export type SiteConfig = v.InferOutput<typeof SiteConfig>;

/** Path the client fetches its configuration from. */
export const SITE_CONFIG_PATH = '/config.json';
