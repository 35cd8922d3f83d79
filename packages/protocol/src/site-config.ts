import * as v from 'valibot';

/**
 * `/config.json`, served beside the client: the client is built once and configured per deployment. The CDK stack
 * writes it at deploy time; the local runtime serves it the same way.
 */
export const SiteConfig = v.strictObject({
  /** The signaling WebSocket URL (`wss://…` on AWS, `ws://127.0.0.1:…` locally). */
  signalingUrl: v.pipe(v.string(), v.regex(/^wss?:\/\/[^\s]+$/, 'signalingUrl must be a ws:// or wss:// URL')),
});
export type SiteConfig = v.InferOutput<typeof SiteConfig>;

/** Path the client fetches its configuration from. */
export const SITE_CONFIG_PATH = '/config.json';
