// games/jurisdictions.ts — where play is permitted and on what terms: the table an operator
// ships as a data file (config/jurisdictions.json, or JURISDICTIONS_FILE), read and checked
// whole at start. Pure: app/jurisdictionFile.ts reads the file and hands the text here.
//
// A territory is a country (ISO 3166-1 alpha-2) or one of its regions (the subdivision part
// of ISO 3166-2: "NJ" of US-NJ, "ON" of CA-ON). A region's entry wins over its country's; a
// country with region entries and no entry of its own is open only in the regions listed; a
// country not listed is closed. Closed is the answer whenever the table says nothing.
import { z } from 'zod';
import { checkTimeZone } from './zonedTime.ts';

/** What a limit governs: money paid in, money staked, and stakes less prizes. */
export const LIMIT_KINDS = ['deposit', 'stake', 'loss'] as const;
export type LimitKind = (typeof LIMIT_KINDS)[number];
/** Rolling 24 hours, rolling 7 days, and the calendar month in the player's time zone. */
export const LIMIT_PERIODS = ['day', 'week', 'month'] as const;
export type LimitPeriod = (typeof LIMIT_PERIODS)[number];

/** Amounts in minor units per kind and period; an absent one is no limit. */
export type LimitTable = Partial<Record<LimitKind, Partial<Record<LimitPeriod, number>>>>;

export interface Jurisdiction {
  /** "US-NJ", "GB": the country, and the region where the entry has one. */
  id: string;
  country: string;
  region?: string;
  name: string;
  permitted: boolean;
  /** The youngest age at which a player may open an account here. */
  minimumAge: number;
  /** Game ids sold here; the catalogue's ids, checked at start. */
  games: readonly string[];
  /** The zone a calendar-month limit and a player's statements are counted in. */
  timeZone: string;
  /** A single prize at or above this is reported for tax (minor units); null: none is. */
  taxReportThresholdMinor: number | null;
  /**
   * A single prize at or above this is held for an operator's review before it reaches the
   * wallet (minor units; null: none is). Absent in the file: the tax report threshold.
   */
  prizeReviewThresholdMinor: number | null;
  /** Tax withheld from a released prize at or above the threshold, in basis points of the prize; null: none. */
  taxWithholding: { thresholdMinor: number; basisPoints: number } | null;
  limits: {
    /** Set on every new account here; the player may lower them at once or raise them after 24 hours. */
    default: LimitTable;
    /** No limit of the player's may exceed these; where one is set, that limit cannot be removed. */
    maximum: LimitTable;
  };
}

export interface JurisdictionTable {
  jurisdictions: readonly Jurisdiction[];
  /** The territory loopback and private client addresses are taken to be in (tests, local runs). */
  privateAddressTerritory: { country: string; region?: string };
}

const COUNTRY = /^[A-Z]{2}$/;
const REGION = /^[A-Z0-9]{1,3}$/;
const MINOR_MAX = 1_000_000_000_00; // a billion in major units: any larger limit is a typo

const amounts = z.strictObject({
  day: z.int().min(1).max(MINOR_MAX).optional(),
  week: z.int().min(1).max(MINOR_MAX).optional(),
  month: z.int().min(1).max(MINOR_MAX).optional(),
});
const limitTable = z.strictObject({ deposit: amounts.optional(), stake: amounts.optional(), loss: amounts.optional() });

const entry = z.strictObject({
  country: z.string().regex(COUNTRY, 'must be an ISO 3166-1 alpha-2 code in capitals'),
  region: z.string().regex(REGION, 'must be 1-3 capitals or digits (the ISO 3166-2 subdivision code)').optional(),
  name: z.string().min(1).max(80),
  permitted: z.boolean(),
  minimumAge: z.int().min(16).max(25).optional(),
  games: z.array(z.string().min(1).max(32)).max(64).optional(),
  timeZone: z.string().min(1).max(64).optional(),
  taxReportThresholdMinor: z.int().min(0).max(MINOR_MAX).nullable().optional(),
  prizeReviewThresholdMinor: z.int().min(1).max(MINOR_MAX).nullable().optional(),
  taxWithholding: z.strictObject({ thresholdMinor: z.int().min(1).max(MINOR_MAX), basisPoints: z.int().min(1).max(9_999) }).nullable().optional(),
  limits: z.strictObject({ default: limitTable, maximum: limitTable }).optional(),
});

const file = z.strictObject({
  version: z.literal(1),
  privateAddressTerritory: z.strictObject({ country: z.string().regex(COUNTRY), region: z.string().regex(REGION).optional() }),
  jurisdictions: z.array(z.unknown()).min(1).max(2_000),
});

export class JurisdictionFileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'JurisdictionFileError';
  }
}

/**
 * The table from the file's text, or a JurisdictionFileError naming the entry (by position
 * and territory) and the field that is wrong. `gameIds` are the catalogue's: an entry may
 * offer only those. A permitted territory states every term; a closed one needs only its name.
 */
export function parseJurisdictions(text: string, gameIds: readonly string[]): JurisdictionTable {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new JurisdictionFileError(`not JSON: ${(err as Error).message}`);
  }
  const top = file.safeParse(raw);
  if (!top.success) throw new JurisdictionFileError(firstIssue(top.error, ''));
  const seen = new Set<string>();
  const jurisdictions = top.data.jurisdictions.map((value, i) => {
    const label = `jurisdictions[${i}]${territoryLabel(value)}`;
    const parsed = entry.safeParse(value);
    if (!parsed.success) throw new JurisdictionFileError(firstIssue(parsed.error, label));
    const j = completeEntry(parsed.data, label, gameIds);
    if (seen.has(j.id)) throw new JurisdictionFileError(`${label}: ${j.id} is listed twice`);
    seen.add(j.id);
    return j;
  });
  const table = { jurisdictions, privateAddressTerritory: top.data.privateAddressTerritory };
  const local = findJurisdiction(table, table.privateAddressTerritory.country, table.privateAddressTerritory.region);
  if (!local?.permitted) throw new JurisdictionFileError('privateAddressTerritory: must be a territory where play is permitted');
  return table;
}

function territoryLabel(value: unknown): string {
  const v = value as { country?: unknown; region?: unknown } | null;
  if (typeof v?.country !== 'string') return '';
  return ` (${v.country.slice(0, 2)}${typeof v.region === 'string' ? '-' + v.region.slice(0, 3) : ''})`;
}

function firstIssue(error: z.ZodError, label: string): string {
  const issue = error.issues[0];
  const where = [label, ...issue.path.map(String)].filter(Boolean).join('.');
  return `${where || 'file'}: ${issue.message}`;
}

function completeEntry(e: z.infer<typeof entry>, label: string, gameIds: readonly string[]): Jurisdiction {
  const id = e.region ? `${e.country}-${e.region}` : e.country;
  const closed = { id, country: e.country, region: e.region, name: e.name, permitted: false, minimumAge: 0, games: [], timeZone: 'UTC', taxReportThresholdMinor: null, prizeReviewThresholdMinor: null, taxWithholding: null, limits: { default: {}, maximum: {} } };
  if (!e.permitted) return closed;
  for (const field of ['minimumAge', 'games', 'timeZone', 'taxReportThresholdMinor', 'limits'] as const) {
    if (e[field] === undefined) throw new JurisdictionFileError(`${label}.${field}: required where play is permitted`);
  }
  try {
    checkTimeZone(e.timeZone!);
  } catch {
    throw new JurisdictionFileError(`${label}.timeZone: unknown time zone "${e.timeZone}"`);
  }
  const unknown = e.games!.find((g) => !gameIds.includes(g));
  if (unknown !== undefined) throw new JurisdictionFileError(`${label}.games: no game "${unknown}" in the catalogue (${gameIds.join(', ')})`);
  const limits = e.limits!;
  for (const kind of LIMIT_KINDS) {
    for (const period of LIMIT_PERIODS) {
      const d = limits.default[kind]?.[period];
      const max = limits.maximum[kind]?.[period];
      if (max !== undefined && d === undefined) throw new JurisdictionFileError(`${label}.limits.default.${kind}.${period}: required, as the maximum is set`);
      if (d !== undefined && max !== undefined && d > max) throw new JurisdictionFileError(`${label}.limits.default.${kind}.${period}: ${d} is above the maximum ${max}`);
    }
  }
  const review = e.prizeReviewThresholdMinor === undefined ? e.taxReportThresholdMinor! || null : e.prizeReviewThresholdMinor;
  const taxWithholding = e.taxWithholding ?? null;
  if (taxWithholding && (review === null || taxWithholding.thresholdMinor < review)) {
    throw new JurisdictionFileError(`${label}.taxWithholding.thresholdMinor: tax is withheld from held prizes only; it must be at least the review threshold (${review ?? 'none'})`);
  }
  return {
    ...closed,
    permitted: true,
    minimumAge: e.minimumAge!,
    games: e.games!,
    timeZone: e.timeZone!,
    taxReportThresholdMinor: e.taxReportThresholdMinor!,
    prizeReviewThresholdMinor: review,
    taxWithholding,
    limits,
  };
}

/** The entry that governs a territory: the region's, else the country's; none means closed. */
export function findJurisdiction(table: JurisdictionTable, country: string, region?: string | null): Jurisdiction | undefined {
  const list = table.jurisdictions;
  if (region) {
    const own = list.find((j) => j.country === country && j.region === region);
    if (own) return own;
  }
  return list.find((j) => j.country === country && j.region === undefined);
}

/** The entry with this id ("US-NJ", "DE"), as a player's jurisdiction names it. */
export function jurisdictionById(table: JurisdictionTable, id: string): Jurisdiction | undefined {
  return table.jurisdictions.find((j) => j.id === id);
}

/** Why a territory is closed to play, or undefined when it is open. */
export function closedBecause(table: JurisdictionTable, country: string, region?: string | null): string | undefined {
  const j = findJurisdiction(table, country, region);
  if (j?.permitted) return undefined;
  if (j) return `play is not permitted in ${j.name}`;
  const regions = table.jurisdictions.filter((e) => e.country === country && e.region !== undefined && e.permitted);
  if (regions.length > 0 && !region) return `play in ${country} is permitted only in some regions: give your region (${regions.map((e) => e.region).join(', ')})`;
  return `we are not licensed in ${region ? `${country}-${region}` : country}`;
}
