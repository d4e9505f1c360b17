// app/config.ts — configuration from the environment, validated with clear messages.
import path from 'node:path';
import {
  BET_RATE_BURST_DEFAULT,
  BET_RATE_PER_SECOND_DEFAULT,
  LOGIN_ATTEMPTS_PER_ADDRESS_MAX,
  LOGIN_FAILURES_PER_ADDRESS_MAX,
  REGISTRATIONS_PER_ADDRESS_MAX,
  SALES_ROOM_CLIENTS_MAX_DEFAULT,
} from '../core/limits.ts';
import { DEMO_PERIOD_SECONDS_DEFAULT, DEMO_PERIOD_SECONDS_MAX, DEMO_PERIOD_SECONDS_MIN } from '../games/calendar.ts';
import { trustedProxyProblem } from './clientAddress.ts';
import { isHex32 } from '../core/patterns.ts';

export type BetWriteMode = 'batch' | 'single';

export interface Config {
  port: number;
  /** Address clients use to reach this process (host:port); needed in a cluster. */
  publicAddress?: string;
  databaseUrl?: string;
  redisUrl?: string;
  logLevel: string;
  dataDir: string;
  salesRoomClientsMax: number;
  betRatePerSecond: number;
  betRateBurst: number;
  /** 'single' writes one transaction per bet: the benchmark's baseline, never for production. */
  betWriteMode: BetWriteMode;
  /** Operator credentials for the monitor and operator endpoints ("user:password"). */
  operatorCredentials?: string;
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
}

/** drand's "quicknet" chain (3 s rounds). */
export const DRAND_QUICKNET = '52db9ba70e0cc0f6eaf7803dd07447a1f5477735fd3f661792ba94600c84e971';

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

function integer(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (!/^\d+$/.test(raw)) throw new ConfigError(`${name} must be a whole number, got "${raw}"`);
  const value = Number(raw);
  if (value < min || value > max) throw new ConfigError(`${name} must be between ${min} and ${max}, got ${value}`);
  return value;
}

/** TRUSTED_PROXY: a comma-separated list of IP addresses or CIDR ranges; unset trusts none. */
function trustedProxies(env: NodeJS.ProcessEnv): string[] {
  const entries = (env.TRUSTED_PROXY ?? '').split(',').map((e) => e.trim()).filter(Boolean);
  for (const entry of entries) {
    const problem = trustedProxyProblem(entry);
    if (problem) throw new ConfigError(`TRUSTED_PROXY: ${problem}`);
  }
  return entries;
}

function url(env: NodeJS.ProcessEnv, name: string, protocols: string[]): string | undefined {
  const raw = env[name];
  if (raw === undefined || raw === '') return undefined;
  let parsed: URL;
  try {
    parsed = new URL(raw);
  } catch {
    throw new ConfigError(`${name} is not a valid URL`);
  }
  if (!protocols.includes(parsed.protocol)) {
    throw new ConfigError(`${name} must start with ${protocols.map((p) => p + '//').join(' or ')}, got ${parsed.protocol}//`);
  }
  return raw;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const logLevel = env.LOG_LEVEL || 'info';
  if (!LOG_LEVELS.includes(logLevel)) throw new ConfigError(`LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}, got "${logLevel}"`);
  const betWriteMode = (env.BET_WRITE_MODE || 'batch') as BetWriteMode;
  if (betWriteMode !== 'batch' && betWriteMode !== 'single') {
    throw new ConfigError(`BET_WRITE_MODE must be "batch" or "single", got "${env.BET_WRITE_MODE}"`);
  }
  const operatorCredentials = env.OPERATOR_CREDENTIALS || undefined;
  if (operatorCredentials !== undefined && !/^[^:]+:.{12,}$/.test(operatorCredentials)) {
    throw new ConfigError('OPERATOR_CREDENTIALS must be "user:password" with a password of at least 12 characters');
  }
  const publicAddress = env.PUBLIC_ADDRESS || undefined;
  if (publicAddress !== undefined && !/^[A-Za-z0-9.\-\[\]:]+(\/[A-Za-z0-9_\-\/]*)?$/.test(publicAddress)) {
    throw new ConfigError(`PUBLIC_ADDRESS must look like host:port, got "${publicAddress}"`);
  }
  for (const name of ['DRAW_SEED_KEY', 'DRAW_SIGNING_KEY']) {
    const v = env[name];
    if (v && !isHex32(v)) throw new ConfigError(`${name} must be 64 lowercase hex characters (32 bytes)`);
  }
  const schedule = (env.SCHEDULE || 'daily') as Config['schedule'];
  if (schedule !== 'daily' && schedule !== 'demo') throw new ConfigError(`SCHEDULE must be "daily" or "demo", got "${env.SCHEDULE}"`);
  const beacon = (env.DRAW_BEACON || 'none') as Config['beacon'];
  if (beacon !== 'none' && beacon !== 'drand') throw new ConfigError(`DRAW_BEACON must be "none" or "drand", got "${env.DRAW_BEACON}"`);
  const beaconChain = env.DRAW_BEACON_CHAIN || DRAND_QUICKNET;
  if (!isHex32(beaconChain)) throw new ConfigError('DRAW_BEACON_CHAIN must be a drand chain hash (64 hex characters)');
  return {
    port: integer(env, 'PORT', 2567, 0, 65535),
    publicAddress,
    databaseUrl: url(env, 'DATABASE_URL', ['postgres:', 'postgresql:']),
    redisUrl: url(env, 'REDIS_URL', ['redis:', 'rediss:']),
    logLevel,
    dataDir: path.resolve(env.DATA_DIR || './data'),
    salesRoomClientsMax: integer(env, 'SALES_ROOM_CLIENTS_MAX', SALES_ROOM_CLIENTS_MAX_DEFAULT, 1, 100_000),
    betRatePerSecond: integer(env, 'BET_RATE_PER_SECOND', BET_RATE_PER_SECOND_DEFAULT, 1, 100_000),
    betRateBurst: integer(env, 'BET_RATE_BURST', BET_RATE_BURST_DEFAULT, 1, 100_000),
    betWriteMode,
    operatorCredentials,
    drawSeedKey: env.DRAW_SEED_KEY || undefined,
    drawSigningKey: env.DRAW_SIGNING_KEY || undefined,
    beacon,
    beaconUrl: (url(env, 'DRAW_BEACON_URL', ['http:', 'https:']) ?? 'https://api.drand.sh').replace(/\/$/, ''),
    beaconChain,
    revealWaitSeconds: integer(env, 'DRAW_REVEAL_WAIT_SECONDS', 300, 0, 86_400),
    schedule,
    demoPeriodSeconds: integer(env, 'DEMO_PERIOD_SECONDS', DEMO_PERIOD_SECONDS_DEFAULT, DEMO_PERIOD_SECONDS_MIN, DEMO_PERIOD_SECONDS_MAX),
    trustedProxies: trustedProxies(env),
    authLimits: {
      registrationsPerHour: integer(env, 'AUTH_REGISTRATIONS_PER_ADDRESS_PER_HOUR', REGISTRATIONS_PER_ADDRESS_MAX, 1, 1_000_000),
      loginsPerMinute: integer(env, 'AUTH_LOGINS_PER_ADDRESS_PER_MINUTE', LOGIN_ATTEMPTS_PER_ADDRESS_MAX, 1, 1_000_000),
      loginFailuresPerHour: integer(env, 'AUTH_LOGIN_FAILURES_PER_ADDRESS_PER_HOUR', LOGIN_FAILURES_PER_ADDRESS_MAX, 1, 1_000_000),
    },
  };
}
