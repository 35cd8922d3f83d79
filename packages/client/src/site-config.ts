import { SITE_CONFIG_PATH, SiteConfig } from '@parley/protocol';
import * as v from 'valibot';

/*
 * The client is built once and configured per deployment: the signaling URL comes from `/config.json`, which the
 * CDK stack (or the local runtime) writes beside it.
 */

/** Fetches and validates the site configuration; throws when it is missing or malformed. */
export async function loadSiteConfig(fetchConfig: (path: string) => Promise<Response>): Promise<SiteConfig> {
  const response = await fetchConfig(SITE_CONFIG_PATH);
  if (!response.ok) throw new Error(`${SITE_CONFIG_PATH} answered ${response.status}`);
  const result = v.safeParse(SiteConfig, await response.json());
  if (!result.success) throw new Error(`${SITE_CONFIG_PATH} is invalid: ${result.issues[0].message}`);
  return result.output;
}
