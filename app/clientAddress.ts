// app/clientAddress.ts — which address a request comes from, for the per-address limits.
//
// The socket's peer is the client, unless the peer is one of our own reverse proxies
// (config TRUSTED_PROXY): then the client is the nearest address in X-Forwarded-For that is
// not one of them. Anyone else's X-Forwarded-For is ignored, or a client could name any
// address it likes and never be limited.
import net from 'node:net';
import { ipv6Groups, unmapped } from '../core/ipAddress.ts';

/** Reverse proxies whose X-Forwarded-For is believed: addresses or CIDR ranges. */
export class TrustedProxies {
  private readonly blocks = new net.BlockList();
  readonly isEmpty: boolean;

  /** `entries` as checked by parseTrustedProxy (app/config.ts). */
  constructor(entries: readonly string[] = []) {
    for (const entry of entries) {
      const [address, prefix] = entry.split('/');
      const type = net.isIPv6(address) ? 'ipv6' : 'ipv4';
      if (prefix === undefined) this.blocks.addAddress(address, type);
      else this.blocks.addSubnet(address, Number(prefix), type);
    }
    this.isEmpty = entries.length === 0;
  }

  has(address: string): boolean {
    if (this.isEmpty) return false;
    const plain = unmapped(address);
    const type = net.isIP(plain);
    return type !== 0 && this.blocks.check(plain, type === 6 ? 'ipv6' : 'ipv4');
  }
}

/** Why `entry` is not an address or CIDR range, or undefined when it is one. */
export function trustedProxyProblem(entry: string): string | undefined {
  const [address, prefix, extra] = entry.split('/');
  const type = net.isIP(address);
  if (type === 0 || extra !== undefined) return `"${entry}" is not an IP address or CIDR range`;
  if (prefix !== undefined && (!/^\d{1,3}$/.test(prefix) || Number(prefix) > (type === 6 ? 128 : 32))) return `"${entry}" has a bad prefix length`;
  return undefined;
}

/** The client's address: the peer's, or through trusted proxies, the one they were asked by. */
export function clientAddress(peer: string, forwardedFor: string | undefined, trusted: TrustedProxies): string {
  let client = unmapped(peer);
  if (!forwardedFor || !trusted.has(client)) return client;
  // Each proxy appends the address it was asked by: read from the right, past our own.
  const hops = forwardedFor.split(',').map((hop) => hop.trim().replace(/^\[(.*)\]$/, '$1'));
  for (let i = hops.length - 1; i >= 0; i--) {
    // Not an address: our proxy did not write it, so nothing left of it can be believed.
    if (net.isIP(hops[i]) === 0) return client;
    client = unmapped(hops[i]);
    if (!trusted.has(client)) return client;
  }
  return client;
}

/**
 * The key an address is limited under: an IPv4 address as is, an IPv6 one by its /64 (what
 * one subscriber is given: limiting single IPv6 addresses would limit nothing).
 */
export function addressKey(address: string): string {
  const plain = unmapped(address);
  if (!net.isIPv6(plain)) return plain.slice(0, 64);
  const groups = ipv6Groups(plain);
  return `${groups.slice(0, 4).map((g) => g.toString(16)).join(':')}::/64`;
}
