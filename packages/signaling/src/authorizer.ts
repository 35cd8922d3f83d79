import { Logger } from '@aws-lambda-powertools/logger';
import {
  ROOM_QUERY_PARAMETER,
  readTicket,
  TICKET_QUERY_PARAMETER,
  type TicketRole,
  ticketValidityLimits,
  verifyTicket,
} from '@parley/protocol';
import type { AccessConfig } from './config';
import { SIGNALING_ENV } from './entry-points';
import type { AuthorizerHandler, AuthorizerResult } from './handlers/types';
import { OwnerKeyCache } from './owner-key';

/** API Gateway answers 401 when an authorizer throws exactly this message (and 500 for any other error). */
export const UNAUTHORIZED = 'Unauthorized';

/** What a checked ticket admits: one room, as owner or guest, under one ticket id. */
export interface Admission {
  room: string;
  role: TicketRole;
  ticketId: string;
}

/**
 * The admission API Gateway passes to every route of a connection (`requestContext.authorizer`), or undefined when
 * the connection was not authorized (an open deployment) or the context is not one we made.
 */
export function admissionOf(context: Record<string, unknown> | null | undefined): Admission | undefined {
  const { room, role, tid } = context ?? {};
  if (typeof room !== 'string' || typeof tid !== 'string' || (role !== 'owner' && role !== 'guest')) return undefined;
  return { room, role, ticketId: tid };
}

function policy(effect: 'Allow' | 'Deny', resource: string, context?: Record<string, string>): AuthorizerResult {
  return {
    principalId: context?.tid ?? 'stranger',
    policyDocument: {
      Version: '2012-10-17',
      Statement: [{ Action: 'execute-api:Invoke', Effect: effect, Resource: resource }],
    },
    ...(context ? { context } : {}),
  };
}

/**
 * The `$connect` authorizer of a private deployment: checks the ticket in the query string against the owner key,
 * and that it is for the room the URL names. No ticket: 401 (API Gateway already refuses that without invoking us; we do the same if it ever does). A bad one:
 * a Deny policy (403). A good one: Allow, with the ticket's room, role and id as context for every route.
 */
export function createAuthorizer(config: AccessConfig): AuthorizerHandler {
  if (!config.ownerKey) {
    throw new Error(
      `The authorizer needs the owner key: set ${SIGNALING_ENV.ownerKeySecretArn} (AWS) or ${SIGNALING_ENV.ownerKey} (local)`,
    );
  }
  const now = config.now ?? Date.now;
  const keys = new OwnerKeyCache(config.ownerKey, now);
  const limits = ticketValidityLimits(config.inviteValidityHours);
  const logger = new Logger({
    serviceName: 'parley-authorizer',
    logLevel: (config.logLevel ?? process.env.POWERTOOLS_LOG_LEVEL ?? 'INFO') as 'INFO',
  });

  return async (event) => {
    const connectionId = event.requestContext.connectionId;
    const ticket = event.queryStringParameters?.[TICKET_QUERY_PARAMETER];
    if (!ticket) {
      logger.info('connect refused', { connectionId, reason: 'no-ticket' });
      throw new Error(UNAUTHORIZED);
    }
    const owner = await keys.get(readTicket(ticket)?.kid);
    const check = await verifyTicket(owner, ticket, Math.floor(now() / 1000), limits);
    if (!check.ok) {
      // The reason and the ticket's length only: a ticket is a credential, and a long one must not flood the log.
      logger.info('connect refused', { connectionId, reason: check.reason, ticketChars: ticket.length });
      return policy('Deny', event.methodArn);
    }
    const { room, role, tid, exp } = check.claims;
    if (event.queryStringParameters?.[ROOM_QUERY_PARAMETER] !== room) {
      logger.info('connect refused', { connectionId, reason: 'other-room' });
      return policy('Deny', event.methodArn);
    }
    logger.info('connect admitted', { connectionId, role, ticket: tid });
    return policy('Allow', event.methodArn, { room, role, tid, exp: String(exp) });
  };
}
