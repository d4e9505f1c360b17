// app/wsTransport.ts — Colyseus' default WebSocket transport (the `ws` package), for
// bench:day's comparison with uWebSockets.js (SOCKET_TRANSPORT=ws, app/config.ts). It serves
// players' WebSockets only, on a port of its own: the HTTP routes stay on the uWS app on
// PORT, and seat reservations name this port through PUBLIC_ADDRESS.
import http from 'node:http';
import { WebSocketTransport, type TransportOptions } from '@colyseus/ws-transport';

export class ComparisonWsTransport extends WebSocketTransport {
  /** Answers nothing but WebSocket upgrades: Colyseus' router is not bound here. */
  private readonly own: http.Server;

  constructor(options: Omit<TransportOptions, 'server' | 'noServer'>) {
    super({ ...options, noServer: true });
    this.own = http.createServer((_req, res) => res.writeHead(404).end());
    this.listenForUpgrade(this.own);
  }

  /** Colyseus binds its HTTP router here when the transport has no server: ours are on PORT. */
  bindRouter(): void {}

  override listen(port: number, _hostname?: string, _backlog?: number, listening?: (err?: Error) => void): this {
    const failed = (err: Error) => listening?.(err);
    this.own.once('error', failed);
    this.own.listen(port, '0.0.0.0', () => {
      this.own.off('error', failed);
      if (this.pingIntervalMS > 0 && this.pingMaxRetries > 0) this.autoTerminateUnresponsiveClients(this.pingIntervalMS, this.pingMaxRetries);
      listening?.();
    });
    return this;
  }

  override shutdown(): void {
    clearInterval(this.pingInterval);
    this.wss.close();
    for (const socket of this.wss.clients) socket.terminate();
    this.own.close();
  }
}
