// app/config.ts — configuration from the environment: one zod schema of every variable
// we read, and a ConfigError that names the variable and what is wrong with it.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { allGames } from '../games/index.ts';
import { JurisdictionFileError, parseJurisdictions, type JurisdictionTable } from '../games/jurisdictions.ts';
import {
  BET_RATE_BURST_DEFAULT,
  BET_RATE_PER_SECOND_DEFAULT,
  LOGIN_ATTEMPTS_PER_ADDRESS_MAX,
  LOGIN_FAILURES_PER_ADDRESS_MAX,
  REGISTRATIONS_PER_ADDRESS_MAX,
  SALES_ROOM_CLIENTS_MAX_DEFAULT,
  BET_FLUSH_DELAY_MS_MAX,
  BET_FLUSH_DELAY_MS_LIMIT,
  STAGE_ROOM_CLIENTS_MAX_DEFAULT,
  WITHDRAWAL_REVIEW_ABOVE_MINOR_DEFAULT,
  AUDIT_SIGN_EVERY_MS_DEFAULT,
} from '../core/limits.ts';
import { DEMO_PERIOD_SECONDS_DEFAULT, DEMO_PERIOD_SECONDS_MAX, DEMO_PERIOD_SECONDS_MIN } from '../games/calendar.ts';
import { trustedProxyProblem } from './clientAddress.ts';
import { parseRiskRules, type RiskRules } from '../actors/riskConfig.ts';
import { HEX_32_PATTERN } from '../core/patterns.ts';

/**
 * 'batch': group commit. 'single': one transaction per bet (the benchmark's baseline).
 * 'ceiling': bets answered without the database (the benchmark's ceiling: nothing is
 * recorded, so it starts only beside BENCHMARK_CEILING_NOTHING_IS_RECORDED=yes).
 */
export type BetWriteMode = 'batch' | 'single' | 'ceiling';

/**
 * How players' WebSockets are served. 'uws' (the platform): uWebSockets.js on PORT beside the
 * HTTP routes. 'ws': Colyseus' default transport (the `ws` package) on its own SOCKET_PORT,
 * for bench:day's comparison; it does not close a slow client at a backpressure bound, so
 * it starts only beside BENCHMARK_WS_TRANSPORT=yes.
 */
export type SocketTransport = 'uws' | 'ws';

export interface Config {
  port: number;
  /** Address clients use to reach this process (host:port); needed in a cluster. */
  publicAddress?: string;
  databaseUrl?: string;
  redisUrl?: string;
  logLevel: string;
  dataDir: string;
  salesRoomClientsMax: number;
  /** Viewers per live draw stage room (rooms/StageRoom.ts) before another shard opens. */
  stageRoomClientsMax: number;
  betRatePerSecond: number;
  betRateBurst: number;
  /** 'single' writes one transaction per bet: the benchmark's baseline, never for production. */
  betWriteMode: BetWriteMode;
  socketTransport: SocketTransport;
  /** The 'ws' transport's own port (players' WebSockets only; HTTP stays on PORT). */
  socketPort: number;
  /** Longest a bet waits for its batch to fill (core/limits.ts BET_FLUSH_DELAY_MS_MAX). */
  betFlushDelayMs: number;
  /** Operators (app/operatorsApi.ts): the first admin's bootstrap token, and the bearer token Prometheus scrapes /metrics with. */
  operatorBootstrapToken?: string;
  metricsToken?: string;
  /** The audit chain's head is signed at most this often while it moves (actors/AuditChainer.ts). */
  auditSignEverySeconds: number;
  /** How often one process of the cluster runs the ledger's invariant check for the metrics (0: never). */
  ledgerCheckEverySeconds: number;
  /** Hex keys of the verifiable draw (app/keys.ts); generated under dataDir when absent. */
  drawSeedKey?: string;
  drawSigningKey?: string;
  /** External randomness mixed into every draw: none, or drand over HTTP. */
  beacon: 'none' | 'drand';
  beaconUrl: string;
  beaconChain: string;
  /** How long past draw time a draw waits for auditors' seeds and the beacon before it halts. */
  revealWaitSeconds: number;
  /** 'daily': each game's own schedule. 'demo': every game draws every demoPeriodSeconds (games/calendar.ts). */
  schedule: 'daily' | 'demo';
  demoPeriodSeconds: number;
  /**
   * Our reverse proxies (addresses or CIDR ranges): only from these is X-Forwarded-For
   * believed when limits count requests per client address (app/clientAddress.ts).
   */
  trustedProxies: string[];
  /** Per client address, across the cluster (app/rateLimits.ts). */
  authLimits: { registrationsPerHour: number; loginsPerMinute: number; loginFailuresPerHour: number };
  /** Where play is permitted and on what terms (games/jurisdictions.ts), from JURISDICTIONS_FILE. */
  jurisdictions: JurisdictionTable;
  /** How often each open sales socket's location is checked again (actors/GeoGate.ts). */
  geoRecheckSeconds: number;
  /** Identity verification (app/identity.ts): the provider, the secret its callbacks are signed with, and where they come to. */
  identity: {
    provider: 'sandbox';
    /** Shared with the provider; when unset, a random one per process (enough for the sandbox, which calls back the process it was asked by). */
    callbackSecret?: string;
    /** Our base URL as the provider reaches it; this process's own address when unset. */
    callbackUrl?: string;
    /** How long the sandbox takes to decide. */
    sandboxDelayMs: number;
  };
  /** Payments (app/payments.ts): the provider, the secret its webhooks are signed with, where they come to, and the review threshold. */
  payments: {
    provider: 'sandbox';
    /** Shared with the provider; when unset, a random one per process (enough for the sandbox, which calls back the process it was asked by). */
    webhookSecret?: string;
    /** Our base URL as the provider reaches it; this process's own address when unset. */
    callbackUrl?: string;
    /** How long the sandbox takes to decide. */
    sandboxDelayMs: number;
    /** Withdrawals above this (minor units) wait for an operator's approval. */
    withdrawalReviewAboveMinor: number;
  };
  /**
   * Fraud and anomaly detection (actors/RiskMonitor.ts): RISK_MONITOR=off turns it off (the
   * benchmark's comparison); the rules from RISK_RULES_FILE (config/risk.json by default).
   */
  risk: { enabled: boolean; rules: RiskRules };
}

/** The table shipped with the server (config/jurisdictions.json beside app/, in the source tree and in dist/). */
export const DEFAULT_JURISDICTIONS_FILE = fileURLToPath(new URL('../config/jurisdictions.json', import.meta.url));

/** The risk rules shipped with the server (config/risk.json). */
export const DEFAULT_RISK_RULES_FILE = fileURLToPath(new URL('../config/risk.json', import.meta.url));

/** drand's "quicknet" chain (3 s rounds). */
export const DRAND_QUICKNET = '52db9ba70e0cc0f6eaf7803dd07447a1f5477735fd3f661792ba94600c84e971';

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
const BOOTSTRAP_TOKEN_PATTERN = /^[A-Za-z0-9_-]{16,128}$/;
const METRICS_TOKEN_PATTERN = /^[A-Za-z0-9_.~+\/=-]{24,256}$/;
const PUBLIC_ADDRESS_PATTERN = /^[A-Za-z0-9.\-\[\]:]+(\/[A-Za-z0-9_\-\/]*)?$/;

export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

/** `FOO=` (as a compose file or a shell writes an unset value) means the default. */
const emptyIsUnset = (value: unknown) => (value === '' ? undefined : value);

/** A whole number within min..max, or `fallback` when unset. */
function integer(fallback: number, min: number, max: number) {
  const range = { error: (issue: { input?: unknown }) => `must be between ${min} and ${max}, got ${issue.input}` };
  return z.preprocess(
    emptyIsUnset,
    z
      .string()
      .regex(/^\d+$/, { error: (issue) => `must be a whole number, got "${issue.input}"` })
      .transform(Number)
      .pipe(z.number().min(min, range).max(max, range))
      .default(fallback),
  );
}

/** One of `values` (quoted in the message), or the first when unset. */
function oneOf<const T extends readonly [string, ...string[]]>(values: T, fallback: T[number], listed = values.map((v) => `"${v}"`).join(' or ')) {
  return z.preprocess(emptyIsUnset, z.enum(values, { error: (issue) => `must be ${listed}, got "${issue.input}"` }).default(fallback));
}

/** A URL with one of `protocols` ("postgres:"), or undefined when unset. */
function url(protocols: string[]) {
  const problem = (raw: string) => {
    if (!URL.canParse(raw)) return 'is not a valid URL';
    const { protocol } = new URL(raw);
    if (!protocols.includes(protocol)) return `must start with ${protocols.map((p) => p + '//').join(' or ')}, got ${protocol}//`;
    return undefined;
  };
  return z.preprocess(emptyIsUnset, z.string().superRefine(refuse(problem)).optional());
}

/** A string matching `pattern` (else `message`), or undefined when unset. */
function matching(pattern: RegExp, message: string | ((raw: unknown) => string)) {
  return z.preprocess(emptyIsUnset, z.string().regex(pattern, { error: (issue) => (typeof message === 'string' ? message : message(issue.input)) }).optional());
}

/** A zod refinement from a function that says what is wrong, or nothing. */
function refuse(problem: (raw: string) => string | undefined) {
  return (raw: string, ctx: z.RefinementCtx) => {
    const found = problem(raw);
    if (found) ctx.addIssue({ code: 'custom', message: found });
  };
}

/** TRUSTED_PROXY: a comma-separated list of IP addresses or CIDR ranges; unset trusts none. */
const trustedProxyList = z
  .string()
  .default('')
  .transform((raw) => raw.split(',').map((e) => e.trim()).filter(Boolean))
  .superRefine((entries, ctx) => {
    const problem = entries.map(trustedProxyProblem).find((p) => p !== undefined);
    if (problem) ctx.addIssue({ code: 'custom', message: `entry ${problem}` });
  });

/** Every variable the server reads, stated once; anything else in the environment is not ours. */
const Environment = z.object({
  PORT: integer(2567, 0, 65535),
  PUBLIC_ADDRESS: matching(PUBLIC_ADDRESS_PATTERN, (raw) => `must look like host:port, got "${raw}"`),
  DATABASE_URL: url(['postgres:', 'postgresql:']),
  REDIS_URL: url(['redis:', 'rediss:']),
  LOG_LEVEL: z.preprocess(emptyIsUnset, z.enum(LOG_LEVELS, { error: (issue) => `must be one of ${LOG_LEVELS.join(', ')}, got "${issue.input}"` }).default('info')),
  DATA_DIR: z.preprocess(emptyIsUnset, z.string().default('./data')),
  SALES_ROOM_CLIENTS_MAX: integer(SALES_ROOM_CLIENTS_MAX_DEFAULT, 1, 100_000),
  STAGE_ROOM_CLIENTS_MAX: integer(STAGE_ROOM_CLIENTS_MAX_DEFAULT, 1, 100_000),
  BET_RATE_PER_SECOND: integer(BET_RATE_PER_SECOND_DEFAULT, 1, 100_000),
  BET_RATE_BURST: integer(BET_RATE_BURST_DEFAULT, 1, 100_000),
  BET_WRITE_MODE: oneOf(['batch', 'single', 'ceiling'], 'batch'),
  BET_FLUSH_DELAY_MS: integer(BET_FLUSH_DELAY_MS_MAX, 0, BET_FLUSH_DELAY_MS_LIMIT),
  BENCHMARK_CEILING_NOTHING_IS_RECORDED: oneOf(['no', 'yes'], 'no'),
  SOCKET_TRANSPORT: oneOf(['uws', 'ws'], 'uws'),
  SOCKET_PORT: integer(0, 0, 65535),
  BENCHMARK_WS_TRANSPORT: oneOf(['no', 'yes'], 'no'),
  OPERATOR_BOOTSTRAP_TOKEN: matching(BOOTSTRAP_TOKEN_PATTERN, 'must be 16..128 characters of A-Z, a-z, 0-9, _ and -'),
  METRICS_TOKEN: matching(METRICS_TOKEN_PATTERN, 'must be 24..256 characters of a bearer token'),
  AUDIT_SIGN_EVERY_SECONDS: integer(AUDIT_SIGN_EVERY_MS_DEFAULT / 1000, 1, 86_400),
  LEDGER_CHECK_EVERY_SECONDS: integer(900, 0, 86_400),
  DRAW_SEED_KEY: matching(HEX_32_PATTERN, 'must be 64 lowercase hex characters (32 bytes)'),
  DRAW_SIGNING_KEY: matching(HEX_32_PATTERN, 'must be 64 lowercase hex characters (32 bytes)'),
  DRAW_BEACON: oneOf(['none', 'drand'], 'none'),
  DRAW_BEACON_URL: url(['http:', 'https:']),
  DRAW_BEACON_CHAIN: z.preprocess(emptyIsUnset, z.string().regex(HEX_32_PATTERN, 'must be a drand chain hash (64 hex characters)').default(DRAND_QUICKNET)),
  DRAW_REVEAL_WAIT_SECONDS: integer(300, 0, 86_400),
  SCHEDULE: oneOf(['daily', 'demo'], 'daily'),
  DEMO_PERIOD_SECONDS: integer(DEMO_PERIOD_SECONDS_DEFAULT, DEMO_PERIOD_SECONDS_MIN, DEMO_PERIOD_SECONDS_MAX),
  TRUSTED_PROXY: trustedProxyList,
  AUTH_REGISTRATIONS_PER_ADDRESS_PER_HOUR: integer(REGISTRATIONS_PER_ADDRESS_MAX, 1, 1_000_000),
  AUTH_LOGINS_PER_ADDRESS_PER_MINUTE: integer(LOGIN_ATTEMPTS_PER_ADDRESS_MAX, 1, 1_000_000),
  AUTH_LOGIN_FAILURES_PER_ADDRESS_PER_HOUR: integer(LOGIN_FAILURES_PER_ADDRESS_MAX, 1, 1_000_000),
  JURISDICTIONS_FILE: z.preprocess(emptyIsUnset, z.string().default(DEFAULT_JURISDICTIONS_FILE)),
  GEO_RECHECK_SECONDS: integer(300, 1, 86_400),
  IDENTITY_PROVIDER: oneOf(['sandbox'], 'sandbox'),
  IDENTITY_CALLBACK_SECRET: matching(HEX_32_PATTERN, 'must be 64 lowercase hex characters (32 bytes)'),
  IDENTITY_CALLBACK_URL: url(['http:', 'https:']),
  IDENTITY_SANDBOX_DELAY_MS: integer(1000, 0, 600_000),
  PAYMENT_PROVIDER: oneOf(['sandbox'], 'sandbox'),
  PAYMENT_WEBHOOK_SECRET: matching(HEX_32_PATTERN, 'must be 64 lowercase hex characters (32 bytes)'),
  PAYMENT_CALLBACK_URL: url(['http:', 'https:']),
  PAYMENT_SANDBOX_DELAY_MS: integer(1000, 0, 600_000),
  WITHDRAWAL_REVIEW_ABOVE_MINOR: integer(WITHDRAWAL_REVIEW_ABOVE_MINOR_DEFAULT, 0, 1_000_000_000_00),
  RISK_MONITOR: oneOf(['on', 'off'], 'on'),
  RISK_RULES_FILE: z.preprocess(emptyIsUnset, z.string().default(DEFAULT_RISK_RULES_FILE)),
});

/** The jurisdiction table a file holds, or a ConfigError naming the file, the entry and the field. */
export function loadJurisdictions(file: string): JurisdictionTable {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new ConfigError(`JURISDICTIONS_FILE cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  try {
    return parseJurisdictions(text, allGames().map((g) => g.id));
  } catch (err) {
    if (err instanceof JurisdictionFileError) throw new ConfigError(`JURISDICTIONS_FILE ${file}: ${err.message}`);
    throw err;
  }
}

/** The risk rules a file holds, or a ConfigError naming the file and the field. */
export function loadRiskRules(file: string): RiskRules {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new ConfigError(`RISK_RULES_FILE cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  try {
    return parseRiskRules(text);
  } catch (err) {
    throw new ConfigError(`RISK_RULES_FILE ${file}: ${(err as Error).message}`);
  }
}

/** The 'ws' transport is a benchmark's comparison: acknowledged, on a port of its own that clients are told. */
function checkSocketTransport(e: z.infer<typeof Environment>): void {
  if (e.SOCKET_TRANSPORT !== 'ws') return;
  if (e.BENCHMARK_WS_TRANSPORT !== 'yes') {
    throw new ConfigError('SOCKET_TRANSPORT ws is Colyseus\' default transport for a benchmark\'s comparison: it does not close slow clients at a backpressure bound, so it starts only with BENCHMARK_WS_TRANSPORT=yes');
  }
  if (e.SOCKET_PORT === 0 || e.SOCKET_PORT === e.PORT) throw new ConfigError('SOCKET_TRANSPORT ws needs SOCKET_PORT: a port of its own for the WebSockets, other than PORT');
  if (!e.PUBLIC_ADDRESS) throw new ConfigError('SOCKET_TRANSPORT ws needs PUBLIC_ADDRESS (host:SOCKET_PORT): the address players\' WebSockets are sent to');
}

/** Every variable the server reads: what a deployment file (compose.yaml) may set. */
export const CONFIG_VARIABLES: readonly string[] = Object.keys(Environment.shape);

/** The configuration, or a ConfigError naming the first variable that is wrong and why. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  // Gone with operator accounts (issue 15): a deployment still setting it would otherwise
  // believe its shared password still guards something.
  if (env.OPERATOR_CREDENTIALS) throw new ConfigError('OPERATOR_CREDENTIALS is no longer read: operators have their own accounts with a second factor (README, "Operators"); remove it and bootstrap the first admin');
  const parsed = Environment.safeParse(env);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new ConfigError(`${issue.path.map(String).join('.')} ${issue.message}`);
  }
  if (parsed.data.BET_WRITE_MODE === 'ceiling' && parsed.data.BENCHMARK_CEILING_NOTHING_IS_RECORDED !== 'yes') {
    throw new ConfigError('BET_WRITE_MODE ceiling answers bets without recording them (a benchmark\'s ceiling, never a sale): it starts only with BENCHMARK_CEILING_NOTHING_IS_RECORDED=yes');
  }
  checkSocketTransport(parsed.data);
  const e = parsed.data;
  return {
    port: e.PORT,
    publicAddress: e.PUBLIC_ADDRESS,
    databaseUrl: e.DATABASE_URL,
    redisUrl: e.REDIS_URL,
    logLevel: e.LOG_LEVEL,
    dataDir: path.resolve(e.DATA_DIR),
    salesRoomClientsMax: e.SALES_ROOM_CLIENTS_MAX,
    stageRoomClientsMax: e.STAGE_ROOM_CLIENTS_MAX,
    betRatePerSecond: e.BET_RATE_PER_SECOND,
    betRateBurst: e.BET_RATE_BURST,
    betWriteMode: e.BET_WRITE_MODE,
    betFlushDelayMs: e.BET_FLUSH_DELAY_MS,
    socketTransport: e.SOCKET_TRANSPORT,
    socketPort: e.SOCKET_PORT,
    operatorBootstrapToken: e.OPERATOR_BOOTSTRAP_TOKEN,
    metricsToken: e.METRICS_TOKEN,
    auditSignEverySeconds: e.AUDIT_SIGN_EVERY_SECONDS,
    ledgerCheckEverySeconds: e.LEDGER_CHECK_EVERY_SECONDS,
    drawSeedKey: e.DRAW_SEED_KEY,
    drawSigningKey: e.DRAW_SIGNING_KEY,
    beacon: e.DRAW_BEACON,
    beaconUrl: (e.DRAW_BEACON_URL ?? 'https://api.drand.sh').replace(/\/$/, ''),
    beaconChain: e.DRAW_BEACON_CHAIN,
    revealWaitSeconds: e.DRAW_REVEAL_WAIT_SECONDS,
    schedule: e.SCHEDULE,
    demoPeriodSeconds: e.DEMO_PERIOD_SECONDS,
    trustedProxies: e.TRUSTED_PROXY,
    authLimits: {
      registrationsPerHour: e.AUTH_REGISTRATIONS_PER_ADDRESS_PER_HOUR,
      loginsPerMinute: e.AUTH_LOGINS_PER_ADDRESS_PER_MINUTE,
      loginFailuresPerHour: e.AUTH_LOGIN_FAILURES_PER_ADDRESS_PER_HOUR,
    },
    jurisdictions: loadJurisdictions(path.resolve(e.JURISDICTIONS_FILE)),
    geoRecheckSeconds: e.GEO_RECHECK_SECONDS,
    identity: {
      provider: e.IDENTITY_PROVIDER,
      callbackSecret: e.IDENTITY_CALLBACK_SECRET,
      callbackUrl: e.IDENTITY_CALLBACK_URL?.replace(/\/$/, ''),
      sandboxDelayMs: e.IDENTITY_SANDBOX_DELAY_MS,
    },
    payments: {
      provider: e.PAYMENT_PROVIDER,
      webhookSecret: e.PAYMENT_WEBHOOK_SECRET,
      callbackUrl: e.PAYMENT_CALLBACK_URL?.replace(/\/$/, ''),
      sandboxDelayMs: e.PAYMENT_SANDBOX_DELAY_MS,
      withdrawalReviewAboveMinor: e.WITHDRAWAL_REVIEW_ABOVE_MINOR,
    },
    risk: { enabled: e.RISK_MONITOR === 'on', rules: loadRiskRules(path.resolve(e.RISK_RULES_FILE)) },
  };
}
