// test/support/tcpProxy.ts — a TCP relay that can be partitioned: no byte moves either way
// and no connection is closed, as when a network drops packets. Bytes and closes wait in
// the sockets (TCP flow control) and move on when the partition heals, as retransmission
// would deliver them.
import net from 'node:net';

interface Pair {
  client: net.Socket;
  upstream: net.Socket | undefined;
  /** A close seen while partitioned, delivered to the other side on heal. */
  closedWhilePartitioned: boolean;
}

export class TcpProxy {
  private readonly pairs = new Set<Pair>();
  private partitioned = false;

  private constructor(
    private readonly server: net.Server,
    private readonly target: { host: string; port: number },
  ) {}

  static async start(targetHost: string, targetPort: number): Promise<TcpProxy> {
    let proxy!: TcpProxy;
    const server = net.createServer((client) => proxy.accept(client));
    proxy = new TcpProxy(server, { host: targetHost, port: targetPort });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return proxy;
  }

  get port(): number {
    return (this.server.address() as net.AddressInfo).port;
  }

  partition(): void {
    this.partitioned = true;
    for (const pair of this.pairs) {
      pair.client.pause();
      pair.upstream?.pause();
    }
  }

  heal(): void {
    this.partitioned = false;
    for (const pair of [...this.pairs]) {
      if (pair.closedWhilePartitioned) {
        this.end(pair);
        continue;
      }
      pair.upstream ??= this.connectUpstream(pair);
      pair.client.resume();
      pair.upstream.resume();
    }
  }

  /** Drops every open connection at once, as a lost network does (new ones still pass, unless partitioned). */
  cut(): void {
    for (const pair of [...this.pairs]) {
      pair.client.destroy();
      pair.upstream?.destroy();
    }
  }

  async close(): Promise<void> {
    for (const pair of [...this.pairs]) this.end(pair);
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private accept(client: net.Socket): void {
    const pair: Pair = { client, upstream: undefined, closedWhilePartitioned: false };
    this.pairs.add(pair);
    client.on('error', () => {});
    client.on('close', () => this.onClose(pair));
    if (this.partitioned) {
      // The handshake happened (it is local), but nothing gets through until the heal.
      client.pause();
      return;
    }
    pair.upstream = this.connectUpstream(pair);
  }

  private connectUpstream(pair: Pair): net.Socket {
    const upstream = net.connect(this.target.port, this.target.host);
    upstream.on('error', () => {});
    upstream.on('close', () => this.onClose(pair));
    pair.client.pipe(upstream);
    upstream.pipe(pair.client);
    return upstream;
  }

  private onClose(pair: Pair): void {
    if (!this.pairs.has(pair)) return;
    if (this.partitioned) {
      pair.closedWhilePartitioned = true;
      return;
    }
    this.end(pair);
  }

  private end(pair: Pair): void {
    this.pairs.delete(pair);
    pair.client.destroy();
    pair.upstream?.destroy();
  }
}
