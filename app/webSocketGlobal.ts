// app/webSocketGlobal.ts — the global WebSocket Colyseus' reconnection needs, on Node 20.
//
// When a client reconnects to its seat, @colyseus/core 0.18 (Room._onJoin) checks
// `client.readyState !== WebSocket.OPEN`, reading the global `WebSocket`, which Node 20
// does not have (Node 22 does): every reconnection failed with 4003 "WebSocket is not
// defined". Where there is none we provide the `ws` package's class, the one the SDK
// itself falls back to in Node (`globalThis.WebSocket || ws`), so an SDK loaded into the
// same process (tests, the benchmark) talks through the same class either way.
import { EventEmitter } from 'node:events';
import { createRequire } from 'node:module';
import { uWebSocketClient } from '@colyseus/uwebsockets-transport';
import { invariant } from '../core/errors.ts';

interface WebSocketClass {
  readonly OPEN: number;
}

/**
 * Sets `globalThis.WebSocket` to ws's WebSocket unless one exists, then asserts that the
 * number Colyseus compares with (`WebSocket.OPEN`) is what an open uWS client reports.
 * Returns where the global came from.
 */
export function provideWebSocketGlobal(): 'platform' | 'ws' {
  const scope = globalThis as { WebSocket?: WebSocketClass };
  let source: 'platform' | 'ws' = 'platform';
  if (scope.WebSocket === undefined) {
    scope.WebSocket = (createRequire(import.meta.url)('ws') as { WebSocket: WebSocketClass }).WebSocket;
    source = 'ws';
  }
  const open = new uWebSocketClient('readyState-probe', new EventEmitter() as never).readyState;
  invariant(scope.WebSocket.OPEN === open, `WebSocket.OPEN is ${scope.WebSocket.OPEN} but an open uWS client reads ${open}`);
  return source;
}
