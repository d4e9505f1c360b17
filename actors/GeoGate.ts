// actors/GeoGate.ts — where a player is, by the address they connect from, and whether play
// is permitted there (config/jurisdictions.json). Checked at login, at every sales room join
// and periodically while a socket is open; every check is recorded (migration 015).
//
// Addresses are located with geoip-lite's database, loaded on the first public address
// (about 150 MB and 0.2 s): a process that only ever sees private addresses (tests, a local
// run) never loads it. Loopback, private, link-local and carrier-grade NAT addresses map to
// the table's privateAddressTerritory. The address is the client's as app/clientAddress.ts
// decides it: X-Forwarded-For is believed only from TRUSTED_PROXY.
//
// An address the database cannot place is not permitted: a lottery must know where it sells.
import net from 'node:net';
import type pg from 'pg';
import { closedBecause, findJurisdiction, type JurisdictionTable } from '../games/jurisdictions.ts';
import type { Clock } from '../core/clock.ts';
import { unmapped } from '../core/ipAddress.ts';

export type LocationSource = 'login' | 'join' | 'periodic';

export interface Located {
  country: string | null;
  region: string | null;
  locatedBy: 'geoip' | 'private_address';
}

export interface LocationVerdict extends Located {
  address: string;
  permitted: boolean;
  /** Why not, for the player. */
  reason: string | null;
}

/** Places an address; the built-in one reads geoip-lite. */
export type AddressLocator = (address: string) => Promise<{ country: string | null; region: string | null }>;

const PRIVATE_RANGES: [string, number, 'ipv4' | 'ipv6'][] = [
  ['127.0.0.0', 8, 'ipv4'],
  ['10.0.0.0', 8, 'ipv4'],
  ['172.16.0.0', 12, 'ipv4'],
  ['192.168.0.0', 16, 'ipv4'],
  ['169.254.0.0', 16, 'ipv4'],
  ['100.64.0.0', 10, 'ipv4'],
  ['::1', 128, 'ipv6'],
  ['fc00::', 7, 'ipv6'],
  ['fe80::', 10, 'ipv6'],
];
const privateBlocks = new net.BlockList();
for (const [address, prefix, type] of PRIVATE_RANGES) privateBlocks.addSubnet(address, prefix, type);

export function isPrivateAddress(address: string): boolean {
  const plain = unmapped(address);
  const type = net.isIP(plain);
  return type !== 0 && privateBlocks.check(plain, type === 6 ? 'ipv6' : 'ipv4');
}

let geoip: Promise<typeof import('geoip-lite')> | undefined;

/** geoip-lite's lookup, its database loaded on first use. */
export const geoipLocator: AddressLocator = async (address) => {
  geoip ??= import('geoip-lite').then((m) => ((m as { default?: typeof import('geoip-lite') }).default ?? m) as typeof import('geoip-lite'));
  const found = (await geoip).lookup(address);
  return { country: found?.country || null, region: found?.region || null };
};

export interface GeoGateOptions {
  pool: pg.Pool;
  clock: Clock;
  jurisdictions: JurisdictionTable;
  locate?: AddressLocator;
}

/** Locates, decides and records. */
export class GeoGate {
  private readonly locate: AddressLocator;

  constructor(private readonly options: GeoGateOptions) {
    this.locate = options.locate ?? geoipLocator;
  }

  /** Where `address` is and whether play is permitted there, recorded against the player. */
  async check(playerId: number, address: string, source: LocationSource): Promise<LocationVerdict> {
    const [verdict] = await this.checkMany([{ playerId, address }], source);
    return verdict;
  }

  /** As check(), for many connections at once, recorded in one statement. */
  async checkMany(entries: readonly { playerId: number; address: string }[], source: LocationSource): Promise<LocationVerdict[]> {
    const verdicts = await Promise.all(entries.map((e) => this.verdict(e.address)));
    if (entries.length === 0) return verdicts;
    await this.options.pool.query(
      `insert into location_checks (player_id, checked_at, source, address, country, region, located_by, permitted, reason)
       select p, $2, $3, a, c, r, l, ok, why
         from unnest($1::int8[], $4::text[], $5::text[], $6::text[], $7::text[], $8::bool[], $9::text[]) as x(p, a, c, r, l, ok, why)`,
      [
        entries.map((e) => e.playerId),
        new Date(this.options.clock.nowMs()),
        source,
        verdicts.map((v) => v.address),
        verdicts.map((v) => v.country),
        verdicts.map((v) => v.region),
        verdicts.map((v) => v.locatedBy),
        verdicts.map((v) => v.permitted),
        verdicts.map((v) => v.reason),
      ],
    );
    return verdicts;
  }

  private async verdict(rawAddress: string): Promise<LocationVerdict> {
    const address = unmapped(rawAddress).slice(0, 64);
    const table = this.options.jurisdictions;
    const located: Located = isPrivateAddress(address)
      ? { country: table.privateAddressTerritory.country, region: table.privateAddressTerritory.region ?? null, locatedBy: 'private_address' }
      : net.isIP(address) === 0
        ? { country: null, region: null, locatedBy: 'geoip' }
        : { ...(await this.locate(address)), locatedBy: 'geoip' };
    if (located.country === null) return { ...located, address, permitted: false, reason: 'we could not tell where you are connecting from' };
    // A country open only in some of its regions, from an address the database places in no region.
    const regionUnknown = located.region === null && findJurisdiction(table, located.country) === undefined && table.jurisdictions.some((j) => j.country === located.country && j.permitted);
    const closed = regionUnknown
      ? `we could not tell which region of ${located.country} you are in, and play there is permitted only in some regions`
      : closedBecause(table, located.country, located.region);
    return { ...located, address, permitted: closed === undefined, reason: closed === undefined ? null : `you are connecting from outside the territories where play is permitted: ${closed}` };
  }
}
