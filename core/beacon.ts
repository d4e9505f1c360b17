// core/beacon.ts — external public randomness named before sales and mixed into the draw.
//
// A draw names its beacon round when it is created: the first round published at or after
// its draw time. The tickets are sealed at close, long before, and the draw refuses to use
// a round published before its seal: whoever runs the server could otherwise learn the
// value while it can still choose tickets (in the cutoff grace) and grind the outcome.
// At draw time the value is fetched and becomes one of the DRBG's committed inputs. A
// source that cannot deliver the named round halts the draw; it is never skipped.
import type { Logger } from './logger.ts';
import { isHex32 } from './patterns.ts';

export interface BeaconSource {
  /** Stable name written into the draw and its proof, e.g. "drand:52db9b…". */
  readonly name: string;
  /** The first round whose value is published at or after `timeMs`. */
  roundAt(timeMs: number): Promise<number>;
  /** When a round's value is (or was) first published. */
  publishedAtMs(round: number): Promise<number>;
  /** The round's value, or null if it is not published yet. Throws on a bad answer. */
  fetchRound(round: number): Promise<Uint8Array | null>;
}

const FETCH_TIMEOUT_MS = 5_000;
const RESPONSE_BYTES_MAX = 64 * 1024;

async function getJson(url: string): Promise<{ status: number; body: any }> {
  const res = await fetch(url, { signal: AbortSignal.timeout(FETCH_TIMEOUT_MS), headers: { accept: 'application/json' } });
  const text = await res.text();
  if (text.length > RESPONSE_BYTES_MAX) throw new Error(`beacon answer from ${url} is too large`);
  let body: any = null;
  try {
    body = JSON.parse(text);
  } catch {
    if (res.ok) throw new Error(`beacon answer from ${url} is not JSON`);
  }
  return { status: res.status, body };
}

/**
 * drand over its HTTP API (`/{chain}/info`, `/{chain}/public/{round}`). The value used is
 * the round's `randomness` (SHA-256 of the round's BLS signature), which anyone can check
 * against the drand network. Verifying the BLS signature here is not done yet: the proof
 * names the chain and round, so a verifier can fetch and check them independently.
 */
export class DrandBeacon implements BeaconSource {
  readonly name: string;
  private info: Promise<{ genesisMs: number; periodMs: number }> | undefined;

  constructor(
    private readonly baseUrl: string,
    private readonly chainHash: string,
  ) {
    if (!isHex32(chainHash)) throw new Error('drand chain hash must be 64 hex characters');
    this.name = `drand:${chainHash}`;
  }

  private chainInfo(): Promise<{ genesisMs: number; periodMs: number }> {
    this.info ??= (async () => {
      const { status, body } = await getJson(`${this.baseUrl}/${this.chainHash}/info`);
      if (status !== 200) throw new Error(`drand info answered ${status}`);
      const genesis = body?.genesis_time;
      const period = body?.period;
      if (!Number.isSafeInteger(genesis) || !Number.isSafeInteger(period) || period < 1 || body?.hash !== this.chainHash) {
        throw new Error('drand info is malformed or names another chain');
      }
      return { genesisMs: genesis * 1000, periodMs: period * 1000 };
    })().catch((err) => {
      this.info = undefined; // try again next time
      throw err;
    });
    return this.info;
  }

  async roundAt(timeMs: number): Promise<number> {
    const { genesisMs, periodMs } = await this.chainInfo();
    // Round r is published at genesis + (r - 1) * period.
    return Math.max(1, Math.ceil((timeMs - genesisMs) / periodMs) + 1);
  }

  async publishedAtMs(round: number): Promise<number> {
    const { genesisMs, periodMs } = await this.chainInfo();
    return genesisMs + (round - 1) * periodMs;
  }

  async fetchRound(round: number): Promise<Uint8Array | null> {
    const { status, body } = await getJson(`${this.baseUrl}/${this.chainHash}/public/${round}`);
    if (status === 404 || status === 425) return null;
    if (status !== 200) throw new Error(`drand round ${round} answered ${status}`);
    if (body?.round !== round || typeof body?.randomness !== 'string' || !isHex32(body.randomness)) {
      throw new Error(`drand round ${round} answer is malformed`);
    }
    return new Uint8Array(Buffer.from(body.randomness, 'hex'));
  }
}

export function beaconFromConfig(config: { beacon: 'none' | 'drand'; beaconUrl: string; beaconChain: string }, logger: Logger): BeaconSource | null {
  if (config.beacon === 'none') return null;
  const source = new DrandBeacon(config.beaconUrl, config.beaconChain);
  logger.info({ beacon: source.name, url: config.beaconUrl }, 'draw beacon configured');
  return source;
}
