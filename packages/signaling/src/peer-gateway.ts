import {
  type ApiGatewayManagementApiClient,
  DeleteConnectionCommand,
  GetConnectionCommand,
  GoneException,
  PostToConnectionCommand,
} from '@aws-sdk/client-apigatewaymanagementapi';
import type { ServerMessage } from '@parley/protocol';

function isGone(error: unknown): boolean {
  return error instanceof GoneException || (error as Error)?.name === 'GoneException';
}

/** Talks to connected sockets through API Gateway's `@connections` management API. */
export class PeerGateway {
  constructor(private readonly client: ApiGatewayManagementApiClient) {}

  /** Sends one message. `gone` means the socket no longer exists (its owner vanished without `$disconnect`). */
  async send(connectionId: string, message: ServerMessage): Promise<'sent' | 'gone'> {
    try {
      await this.client.send(
        new PostToConnectionCommand({
          ConnectionId: connectionId,
          Data: new TextEncoder().encode(JSON.stringify(message)),
        }),
      );
      return 'sent';
    } catch (error) {
      if (isGone(error)) return 'gone';
      throw error;
    }
  }

  /** True while the socket exists. */
  async isConnected(connectionId: string): Promise<boolean> {
    try {
      await this.client.send(new GetConnectionCommand({ ConnectionId: connectionId }));
      return true;
    } catch (error) {
      if (isGone(error)) return false;
      throw error;
    }
  }

  /** Closes a socket that has been superseded (best effort: it may already be gone). */
  async close(connectionId: string): Promise<void> {
    try {
      await this.client.send(new DeleteConnectionCommand({ ConnectionId: connectionId }));
    } catch (error) {
      if (!isGone(error)) throw error;
    }
  }
}
