// actors/DrawRunner.ts — the verifiable steps of a draw's life (draw/README.md):
//
//   create  a fresh seed from the OS CSPRNG, its public commitment, the seed sealed at rest,
//           the beacon round named in advance — all before the draw can open;
//   seal    once closed, the Merkle root, count and stake total of the accepted tickets,
//           checked against the ledger;
//   draw    at draw time, reveal every committed input, derive the numbers, sign the proof,
//           check the proof with the verifier, record it;
//   settle  once drawn, pay every winning ticket (the game's rules, ledger/settleSets.ts),
//           move the rollover and house flows, leaving the pool at exactly zero.
//
// Every step locks its draw row and moves the status forward in one transaction, so it
// runs once however many processes attempt it, and a crash mid-step leaves the draw as it
// was: the retry derives the identical numbers from the identical inputs, never a re-roll.
// A committed input that cannot be revealed halts the draw (an alarm); nothing weaker is
// ever substituted.
import type pg from 'pg';
import { bytesToHex, hexToBytes } from '@noble/hashes/utils.js';
import type { BeaconSource } from '../core/beacon.ts';
import type { Logger } from '../core/logger.ts';
import type { Metrics } from '../core/metrics.ts';
import type { Clock } from '../core/clock.ts';
import { invariant } from '../core/errors.ts';
import { seedCommitment } from '../draw/commit.ts';
import { ALGORITHM, type DrawInputs } from '../draw/drbg.ts';
import { merkleRoot, MerkleTree } from '../draw/merkle.ts';
import { LEAF_VERSION_CURRENT, ticketLeaves, ticketRecordOf, type LeafVersion, type TicketRecord } from '../draw/encoding.ts';
import { nobleSha256, type Sha256 } from '../draw/sha256.ts';
import { PROOF_VERSION, signProof, type DrawProof, type RaffleResult, type UnsignedDrawProof } from '../draw/proof.ts';
import { raffleDrum, raffleWinners } from '../draw/raffle.ts';
import { numbersFor } from '../draw/select.ts';
import { allPassed, verifyDrawProof } from '../draw/verify.ts';
import type { SeedVault } from '../draw/vault.ts';
import { gameById, liabilityOfGame, type CatalogueGame } from '../games/index.ts';
import { refundVoidedDraw } from '../ledger/refunds.ts';
import { ensureDraw, type DrawRow } from '../ledger/draws.ts';
import type { PlannedDrawTimes } from '../games/calendar.ts';
import {
  drawAuditors,
  drawTimeReached,
  forEachTicketPage,
  lockDrawInStatus,
  markDrawn,
  markHalted,
  markSealed,
  saveBeaconValue,
  ticketIdsAtPositions,
  ticketPage,
  type TicketRow,
  type LockedDrawStep,
} from '../ledger/drawSteps.ts';
import {
  closeSettlement,
  countLineClasses,
  lockRolloverAccount,
  nextTicketRange,
  payTicketRange,
  recordDecision,
  settlementOf,
  type ClassPlan,
  type Decision,
  type SettlementRecord,
} from '../ledger/settleSets.ts';
import { settleRaffle } from '../games/raffle.ts';
import { withTransaction, type TransactionOptions } from '../ledger/transaction.ts';
import { DRAW_LATE_ALARM_MS, DRAW_TICKETS_PER_PAGE_MAX, LEDGER_LONG_STATEMENT_MS_MAX, SETTLE_PAY_STATEMENT_MS_MAX, SETTLE_TICKETS_PER_RANGE_MAX } from '../core/limits.ts';
import { ticketPublicId } from '../ledger/tickets.ts';

/**
 * Each step is one transaction (ledger/transaction.ts). Sealing and settling read and write
 * every ticket of the draw in statements that may outlast the pool's statement bound.
 */
const LONG_STEP: TransactionOptions = { statementTimeoutMs: LEDGER_LONG_STATEMENT_MS_MAX };
/** A settlement pay range: bounded work, and statements not worth JIT-compiling (ledger/transaction.ts). */
const PAY_STEP: TransactionOptions = { statementTimeoutMs: SETTLE_PAY_STATEMENT_MS_MAX, jit: false };

export interface DrawRunnerOptions {
  pool: pg.Pool;
  clock: Clock;
  logger: Logger;
  metrics?: Metrics;
  vault: SeedVault;
  signingKey: Uint8Array;
  publicKey: string;
  beacon: BeaconSource | null;
  /** How long past draw time to wait for auditors' seeds and the beacon before halting. */
  revealWaitMs: number;
  /** SHA-256 for the ticket tree (default @noble; the server passes OpenSSL's, see draw/sha256.ts). */
  sha256?: Sha256;
  /** Tickets per settlement pay transaction (default SETTLE_TICKETS_PER_RANGE_MAX; tests make it small). */
  settleTicketsPerRange?: number;
}

/** How a draw of `game` with these numbers classes its lines: the mask layout and each bet type's drawn mask. */
export function classPlan(game: CatalogueGame, numbers: readonly (readonly number[])[]): ClassPlan {
  const segments = game.maskSegments(game.betTypes[0].id);
  for (const type of game.betTypes) {
    invariant(JSON.stringify(game.maskSegments(type.id)) === JSON.stringify(segments), `${game.id}: bet types with different mask layouts`);
  }
  return { segments, drawn: new Map(game.betTypes.map((t) => [t.id, game.drawnMask(t.id, numbers)])) };
}

/** A line game's decision (ledger/settleSets.ts): its lines classed in SQL, then the game's pure settle(). */
async function decideLineGame(client: pg.PoolClient, draw: LockedDrawStep, game: CatalogueGame, stakeTotalMinor: number, numbers: number[][], rollover: { id: number; balanceMinor: number } | null): Promise<Decision> {
  const plan = classPlan(game, numbers);
  const counted = await countLineClasses(client, draw.id, plan);
  // Pair assertions: the lines classed are every line sealed, of bet types the game sells.
  invariant(counted.unknownLines === 0, `draw ${draw.publicId}: ${counted.unknownLines} lines of bet types ${game.id} does not sell`);
  invariant(counted.stakeTotalMinor === stakeTotalMinor, `draw ${draw.publicId}: lines stake ${counted.stakeTotalMinor}, sealed ${stakeTotalMinor}`);
  const settlement = game.settle({ stakeTotalMinor, rolloverInMinor: rollover?.balanceMinor ?? 0, classes: counted.classes });
  return { plan, stakeTotalMinor, settlement, rolloverAccountId: rollover?.id ?? null };
}

/** A raffle's: the drawn positions (one drum, draw/README.md) name the winning tickets of the sealed order. */
async function decideRaffle(client: pg.PoolClient, draw: LockedDrawStep, seal: NonNullable<LockedDrawStep['seal']>, numbers: number[][]): Promise<Decision> {
  invariant(numbers.length === 1, `raffle draw ${draw.publicId} has ${numbers.length} drums of numbers`);
  const { winners, ...result } = settleRaffle(seal.stakeTotalMinor, seal.ticketCount, numbers[0]);
  const ids = await ticketIdsAtPositions(client, draw.id, winners.map((w) => w.position));
  const raffleWinners = winners.map((w) => {
    const ticketId = ids.get(w.position);
    invariant(ticketId !== undefined, `draw ${draw.publicId}: no ticket at sealed position ${w.position}`);
    return { ticketId, amountMinor: w.amountMinor, tier: w.tier };
  });
  return { plan: { segments: [], drawn: new Map() }, stakeTotalMinor: seal.stakeTotalMinor, settlement: { ...result, prizes: [] }, rolloverAccountId: null, raffleWinners };
}

/** The drums a draw of `game` draws from: the game's own, or for a raffle the sealed ticket list. */
export function drumsOf(game: CatalogueGame, ticketCount: number): CatalogueGame['drums'] {
  return game.prizeModel === 'raffle' ? [raffleDrum(ticketCount, rafflePrizeCount(game))] : game.drums;
}

function rafflePrizeCount(game: CatalogueGame): number {
  invariant(game.raffle !== undefined, `raffle ${game.id} has no prizes`);
  return game.raffle.prizesMinor.length;
}

export class DrawRunner {
  private readonly settledListeners: ((drawId: number) => void)[] = [];

  constructor(private readonly o: DrawRunnerOptions) {}

  /** Called with a draw's id once its settlement has committed (actors/ResultNotifier.ts). */
  onSettled(listener: (drawId: number) => void): void {
    this.settledListeners.push(listener);
  }

  /** Creates the draw with its commitment (or returns the existing one, untouched). */
  async createDraw(times: PlannedDrawTimes): Promise<{ draw: DrawRow; created: boolean }> {
    const seed = this.o.vault.newSeed();
    // Published only after the draw is sealed (see app/beacon.ts).
    const beacon = this.o.beacon ? { source: this.o.beacon.name, round: await this.o.beacon.roundAt(times.drawAtMs) } : null;
    return ensureDraw(this.o.pool, {
      ...times,
      seedCommitment: seedCommitment(times.publicId, 'operator', seed),
      seedSealed: this.o.vault.seal(times.publicId, seed),
      seedKeyId: this.o.vault.keyId,
      beacon,
      // Fixed for the draw's life: its receipts are signed under it from the first sale.
      leafVersion: LEAF_VERSION_CURRENT,
    });
  }

  /** The ticket records of a draw in canonical (ledger) order, of its leaf version, as its leaves encode them. */
  async ticketRecords(client: pg.Pool | pg.ClientBase, draw: { id: number; publicId: string; leafVersion: LeafVersion }): Promise<TicketRecord[]> {
    const records: TicketRecord[] = [];
    await this.eachTicketPage(client, draw, (page) => void records.push(...page));
    return records;
  }

  /**
   * The draw's ticket records a page at a time, in canonical order, each player's pseudonym
   * computed once per call (one HMAC per player, not per ticket).
   */
  private async eachTicketPage(client: pg.Pool | pg.ClientBase, draw: { id: number; publicId: string; leafVersion: LeafVersion }, take: (page: TicketRecord[]) => void): Promise<void> {
    const pseudonyms = new Map<string, string>();
    for (let afterId = 0; ; ) {
      const page = await ticketPage(client, draw.id, afterId, DRAW_TICKETS_PER_PAGE_MAX);
      take(page.map((t) => this.recordOf(draw.publicId, draw.leafVersion, t, pseudonyms)));
      if (page.length < DRAW_TICKETS_PER_PAGE_MAX) return;
      afterId = page[page.length - 1].id;
    }
  }

  /**
   * What the bet writer signed for this ticket (actors/BetWriter.ts, withReceipts): the same
   * fields, the same version. Pseudonyms cached per call (one HMAC per player, not per ticket).
   */
  private recordOf(drawPublicId: string, leafVersion: LeafVersion, t: TicketRow, pseudonyms?: Map<string, string>): TicketRecord {
    let player = pseudonyms?.get(t.playerPublicId);
    if (player === undefined) {
      player = this.o.vault.pseudonym(drawPublicId, t.playerPublicId);
      pseudonyms?.set(t.playerPublicId, player);
    }
    return ticketRecordOf(leafVersion, {
      ticketId: ticketPublicId(t.id),
      drawId: drawPublicId,
      player,
      betType: t.betType,
      stakeMinor: t.stakeMinor,
      lines: t.lines,
      costMinor: t.costMinor,
      receivedAtMs: t.receivedAtMs,
    });
  }

  /** The leaves of a draw's tickets, hashed page by page (a million records never held at once), with count and stake. */
  private async sealLeaves(client: pg.PoolClient, draw: { id: number; publicId: string; leafVersion: LeafVersion }, hash: Sha256): Promise<{ leaves: Uint8Array; count: number; stake: number }> {
    const chunks: Uint8Array[] = [];
    const pseudonyms = new Map<string, string>();
    let count = 0;
    let stake = 0;
    // One cursor over the draw's tickets (the seal's transaction holds it).
    await forEachTicketPage(client, draw.id, DRAW_TICKETS_PER_PAGE_MAX, (rows) => {
      const page = rows.map((t) => this.recordOf(draw.publicId, draw.leafVersion, t, pseudonyms));
      chunks.push(ticketLeaves(page, hash));
      count += page.length;
      for (const r of page) stake += r.costMinor;
    });
    const leaves = new Uint8Array(count * 32);
    let at = 0;
    for (const c of chunks) {
      leaves.set(c, at);
      at += c.length;
    }
    return { leaves, count, stake };
  }

  /** Seals a closed draw. Returns false if it was not closed or another process holds it. */
  async seal(drawId: number): Promise<boolean> {
    const startedMs = performance.now();
    return withTransaction(this.o.pool, async (client) => {
      const draw = await lockDrawInStatus(client, drawId, 'closed');
      if (!draw) return false;
      const hash = this.o.sha256 ?? nobleSha256;
      const { leaves, count, stake } = await this.sealLeaves(client, draw, hash);
      const root = merkleRoot(leaves, hash);
      await markSealed(client, draw, root, count, stake);
      this.o.metrics?.drawSteps.inc({ step: 'sealed' });
      this.o.metrics?.drawStepSeconds.observe({ step: 'seal' }, (performance.now() - startedMs) / 1000);
      this.o.logger.info({ drawId: draw.publicId, tickets: count, stakeMinor: stake, root: bytesToHex(root) }, 'draw sealed');
      return true;
    }, LONG_STEP);
  }

  /**
   * Draws a sealed draw whose time has come. Returns 'waiting' while a committed input is
   * not revealed yet and the reveal window is still open.
   */
  async draw(drawId: number): Promise<'drawn' | 'waiting' | 'halted' | 'skipped'> {
    const startedMs = performance.now();
    return withTransaction(this.o.pool, async (client) => {
      const draw = await lockDrawInStatus(client, drawId, 'sealed');
      if (!draw) return 'skipped';
      // Never before draw time by the database's clock, whatever this process's clock says.
      if (!(await drawTimeReached(client, draw.drawAtMs))) return 'skipped';
      const inputs = await this.revealedInputs(client, draw);
      if (typeof inputs === 'string') {
        if (this.o.clock.nowMs() < draw.drawAtMs + this.o.revealWaitMs) {
          this.o.logger.warn({ drawId: draw.publicId, waitingFor: inputs }, 'draw waiting for a committed input');
          return 'waiting';
        }
        await markHalted(client, draw.id, inputs);
        this.o.metrics?.drawsHalted.inc();
        this.o.logger.error({ drawId: draw.publicId, reason: inputs, alarm: true }, 'draw halted: a committed input could not be revealed');
        return 'halted';
      }
      const numbers = numbersFor(inputs.inputs);
      const raffle = await this.raffleResult(client, draw, numbers);
      const proof = this.proofOf(draw, inputs.inputs, inputs.commitments, numbers, raffle);
      // Pair assertion: the proof we publish passes the verifier players will run.
      const checks = verifyDrawProof(proof, { publicKey: this.o.publicKey });
      invariant(allPassed(checks), `draw ${draw.publicId}: proof fails its own verifier: ${checks.filter((c) => !c.ok).map((c) => c.name).join(', ')}`);
      await markDrawn(client, draw.id, proof.numbers, proof);
      this.o.metrics?.drawSteps.inc({ step: 'drawn' });
      this.o.metrics?.drawStepSeconds.observe({ step: 'draw' }, (performance.now() - startedMs) / 1000);
      this.o.logger.info({ drawId: draw.publicId, numbers: proof.numbers }, 'draw drawn');
      const lateMs = this.o.clock.nowMs() - draw.drawAtMs;
      if (lateMs > DRAW_LATE_ALARM_MS) {
        this.o.metrics?.drawsLate.inc();
        this.o.logger.error({ drawId: draw.publicId, lateMs, alarm: true }, 'draw drawn late: the database was away at draw time');
      }
      return 'drawn';
    });
  }

  /**
   * Refunds a voided draw's tickets, a step (one transaction, VOID_REFUND_TICKETS_PER_STEP_MAX
   * tickets) at a time, until none is left or `stepsMax` steps are done. Every step is
   * idempotent (a refunded ticket is never selected again), so a new leader resumes it.
   */
  async refundVoided(drawId: number, stepsMax = 20): Promise<'refunded' | 'more'> {
    let tickets = 0;
    let amountMinor = 0;
    for (let step = 0; step < stepsMax; step++) {
      const done = await refundVoidedDraw(this.o.pool, drawId, this.o.clock.nowMs(), liabilityOfGame);
      tickets += done.tickets;
      amountMinor += done.amountMinor;
      if (done.done) {
        this.o.logger.info({ drawId, tickets, amountMinor }, 'voided draw: every ticket refunded');
        return 'refunded';
      }
    }
    this.o.logger.info({ drawId, tickets, amountMinor }, 'voided draw: refunds under way');
    return 'more';
  }

  /**
   * Settles a drawn draw in phases, each its own transaction under the draw's lock
   * (ledger/settleSets.ts): decide (lines classed in SQL, the game's pure settle(), the
   * rollover and house flows moved, the decision recorded), pay (the winners of at most
   * SETTLE_TICKETS_PER_RANGE_MAX tickets per transaction, in id order), close (the pool
   * checked empty, the draw marked settled). A crash between or inside phases loses only the
   * phase in progress: this call, or any process's later one, goes on from the recorded
   * cursor. Returns 'skipped' when the draw is not drawn (not yet, already settled, halted)
   * or another process holds it at the moment.
   */
  async settle(drawId: number): Promise<'settled' | 'skipped'> {
    const outcome = await this.settleInPhases(drawId);
    if (outcome === 'settled') for (const listener of this.settledListeners) listener(drawId);
    return outcome;
  }

  private async settleInPhases(drawId: number): Promise<'settled' | 'skipped'> {
    const startedAtMs = this.o.clock.nowMs();
    const decided = await withTransaction(this.o.pool, (client) => this.decideSettlement(client, drawId), LONG_STEP);
    if (decided === null) return 'skipped';
    const decidedAtMs = this.o.clock.nowMs();
    const rangeMax = this.o.settleTicketsPerRange ?? SETTLE_TICKETS_PER_RANGE_MAX;
    // One more than the ranges the sealed tickets make: the close. Past it the cursor is not moving.
    const stepsMax = Math.ceil(decided.ticketCount / rangeMax) + 1;
    for (let steps = 1; ; steps++) {
      invariant(steps <= stepsMax, `draw ${drawId}: ${steps} pay steps for ${decided.ticketCount} tickets`);
      const step = await withTransaction(this.o.pool, (client) => this.payNextRange(client, drawId, rangeMax), PAY_STEP);
      if (step === null) return 'skipped';
      if (step.closed) {
        this.o.metrics?.drawSteps.inc({ step: 'settled' });
        this.o.metrics?.drawStepSeconds.observe({ step: 'settle' }, (this.o.clock.nowMs() - startedAtMs) / 1000);
        this.o.logger.info(
          {
            drawId: step.publicId,
            tickets: decided.ticketCount,
            resumed: decided.resumed,
            winningTickets: step.record.paidTickets,
            prizeTotalMinor: step.record.paidMinor,
            payRanges: step.record.payRanges,
            phasesMs: { decide: decidedAtMs - startedAtMs, payAndClose: this.o.clock.nowMs() - decidedAtMs },
            settleMs: this.o.clock.nowMs() - startedAtMs,
          },
          'draw settled',
        );
        return 'settled';
      }
    }
  }

  /**
   * Decide: the draw's settlement as recorded, deciding it now if nobody has. Null when the
   * draw is not drawn or is held by another process.
   */
  private async decideSettlement(client: pg.PoolClient, drawId: number): Promise<{ ticketCount: number; resumed: boolean } | null> {
    const draw = await lockDrawInStatus(client, drawId, 'drawn');
    if (!draw) return null;
    const { seal, numbers } = draw;
    invariant(seal !== null, `draw ${draw.publicId} is drawn without a seal`);
    invariant(numbers !== null, `draw ${draw.publicId} is drawn without numbers`);
    if (await settlementOf(client, draw.id)) return { ticketCount: seal.ticketCount, resumed: true };
    const game = gameById(draw.gameId);
    // Not a halt: the winners are owed. Fail (logged, retried) until a process that knows the game decides it.
    if (!game) throw new Error(`draw ${draw.publicId}: game ${draw.gameId} is not known to this process`);
    const rolls = game.prizeModel === 'pari-mutuel' || game.prizeModel === 'mixed';
    const rollover = rolls ? await lockRolloverAccount(client, game.id) : null;
    const decision =
      game.prizeModel === 'raffle' ? await decideRaffle(client, draw, seal, numbers) : await decideLineGame(client, draw, game, seal.stakeTotalMinor, numbers, rollover);
    const { settlement } = decision;
    await recordDecision(client, draw, decision);
    this.o.logger.info(
      {
        drawId: draw.publicId,
        tickets: seal.ticketCount,
        stakeTotalMinor: seal.stakeTotalMinor,
        winningLines: Object.fromEntries(settlement.tiers.map((t) => [t.name, t.winningLines])),
        prizeTotalMinor: settlement.playersMinor,
        rolloverInMinor: settlement.rolloverInMinor,
        rolloverOutMinor: settlement.rolloverOutMinor,
        houseInMinor: settlement.houseInMinor,
        houseShareMinor: settlement.houseOutMinor,
      },
      'draw settlement decided',
    );
    return { ticketCount: seal.ticketCount, resumed: false };
  }

  /** Pay: the next range of the draw's tickets, or the close once none is left. Null when another process holds the draw. */
  private async payNextRange(client: pg.PoolClient, drawId: number, rangeMax: number): Promise<{ closed: boolean; publicId: string; record: SettlementRecord } | null> {
    const draw = await lockDrawInStatus(client, drawId, 'drawn');
    if (!draw) return null;
    const record = await settlementOf(client, draw.id);
    invariant(record !== null, `draw ${draw.publicId} is being paid without a recorded decision`);
    const range = await nextTicketRange(client, draw.id, record.paidThroughTicketId, rangeMax);
    if (range === null) {
      await closeSettlement(client, draw, record);
      return { closed: true, publicId: draw.publicId, record };
    }
    const startedAtMs = this.o.clock.nowMs();
    const paid = await payTicketRange(client, draw, record, range.throughId);
    this.o.logger.debug(
      { drawId: draw.publicId, tickets: range.tickets, throughTicketId: range.throughId, prizes: paid.prizes, amountMinor: paid.amountMinor, payMs: this.o.clock.nowMs() - startedAtMs },
      'settlement range paid',
    );
    return { closed: false, publicId: draw.publicId, record };
  }

  /** Every committed input of the draw, revealed and checked; or what is still missing. */
  private async revealedInputs(
    client: pg.PoolClient,
    draw: LockedDrawStep,
  ): Promise<string | { inputs: DrawInputs; commitments: UnsignedDrawProof['commitments'] }> {
    const game = gameById(draw.gameId);
    if (!game) return `game ${draw.gameId} is not known to this server`;
    if (draw.seedKeyId !== this.o.vault.keyId) {
      return `operator seed was sealed under key ${draw.seedKeyId}; this process holds key ${this.o.vault.keyId}`;
    }
    let operatorSeed: Uint8Array;
    try {
      operatorSeed = this.o.vault.open(draw.publicId, draw.seedSealed);
    } catch {
      return 'operator seed cannot be unsealed (authentication failed)';
    }
    invariant(
      bytesToHex(seedCommitment(draw.publicId, 'operator', operatorSeed)) === draw.seedCommitment,
      `draw ${draw.publicId}: unsealed seed does not match its commitment`,
    );
    const auditors = await drawAuditors(client, draw.id);
    const unrevealed = auditors.filter((a) => a.seed === null).map((a) => a.name);
    if (unrevealed.length > 0) return `auditor seed not revealed: ${unrevealed.join(', ')}`;

    let beacon: DrawInputs['beacon'] = null;
    if (draw.beacon) {
      let value = draw.beaconValue;
      if (!value) {
        if (!this.o.beacon || this.o.beacon.name !== draw.beacon.source) return `beacon ${draw.beacon.source} is not configured on this process`;
        invariant(draw.seal !== null, `draw ${draw.publicId} is sealed without a seal`);
        const publishedAtMs = await this.o.beacon.publishedAtMs(draw.beacon.round);
        if (publishedAtMs <= draw.seal.sealedAtMs) {
          // Terminal, not worth waiting for: the value was public before the tickets were fixed.
          return `beacon round ${draw.beacon.round} was published before the draw was sealed`;
        }
        try {
          value = await this.o.beacon.fetchRound(draw.beacon.round);
        } catch (err) {
          this.o.logger.warn({ err, drawId: draw.publicId }, 'beacon fetch failed');
          value = null;
        }
        if (!value) return `beacon ${draw.beacon.source} round ${draw.beacon.round} is not available`;
        // Kept so that a retry after a crash uses the very same value.
        await saveBeaconValue(client, draw.id, value);
      }
      beacon = { source: draw.beacon.source, round: draw.beacon.round, value };
    }
    invariant(draw.seal !== null && draw.seedCommitment !== null, `draw ${draw.publicId} is sealed without a seal or commitment`);
    return {
      inputs: {
        drawId: draw.publicId,
        gameId: draw.gameId,
        drums: drumsOf(game, draw.seal!.ticketCount),
        operatorSeed,
        auditors: auditors.map((a) => ({ name: a.name, seed: a.seed! })),
        beacon,
        ticketRoot: hexToBytes(draw.seal.ticketRoot),
        ticketCount: draw.seal.ticketCount,
        stakeTotalMinor: draw.seal.stakeTotalMinor,
      },
      commitments: {
        operator: draw.seedCommitment,
        auditors: auditors.map((a) => ({ name: a.name, commitment: bytesToHex(a.commitment) })),
        beacon: draw.beacon ? { source: draw.beacon.source, round: draw.beacon.round } : null,
      },
    };
  }

  /**
   * A raffle of leaf version 2 names its winners in its proof (draw/README.md §7): the ticket
   * at each position drawn, read from the ledger in the sealed order. Null for other draws.
   */
  private async raffleResult(client: pg.PoolClient, draw: LockedDrawStep, numbers: number[][]): Promise<RaffleResult | null> {
    const game = gameById(draw.gameId);
    if (game?.prizeModel !== 'raffle' || draw.leafVersion !== 2) return null;
    invariant(draw.seal !== null, `draw ${draw.publicId} is sealed without a seal`);
    const positions = numbers[0];
    const ids = await ticketIdsAtPositions(client, draw.id, positions);
    const winners = raffleWinners(positions, draw.seal.ticketCount, (position) => {
      const id = ids.get(position);
      invariant(id !== undefined, `draw ${draw.publicId}: no ticket at sealed position ${position}`);
      return ticketPublicId(id);
    });
    return { prizeCount: rafflePrizeCount(game), winners };
  }

  private proofOf(
    draw: LockedDrawStep,
    inputs: DrawInputs,
    commitments: UnsignedDrawProof['commitments'],
    numbers: number[][],
    raffle: RaffleResult | null,
  ): DrawProof {
    const unsigned: UnsignedDrawProof = {
      version: PROOF_VERSION,
      drawId: draw.publicId,
      gameId: draw.gameId,
      drums: inputs.drums,
      schedule: {
        openAt: new Date(draw.openAtMs).toISOString(),
        cutoffAt: new Date(draw.cutoffAtMs).toISOString(),
        drawAt: new Date(draw.drawAtMs).toISOString(),
      },
      commitments,
      reveals: {
        operatorSeed: bytesToHex(inputs.operatorSeed),
        auditors: inputs.auditors.map((a) => ({ name: a.name, seed: bytesToHex(a.seed) })),
        beacon: inputs.beacon ? { source: inputs.beacon.source, round: inputs.beacon.round, value: bytesToHex(inputs.beacon.value) } : null,
      },
      tickets: { leafVersion: draw.leafVersion, root: bytesToHex(inputs.ticketRoot), count: inputs.ticketCount, stakeTotalMinor: inputs.stakeTotalMinor },
      algorithm: ALGORITHM,
      numbers,
      ...(raffle ? { raffle } : {}),
      publicKey: this.o.publicKey,
    };
    return signProof(unsigned, this.o.signingKey);
  }

  /** The Merkle tree of a sealed draw, rebuilt from the ledger and checked against its seal. */
  async sealedTree(draw: DrawRow): Promise<{ tree: MerkleTree; records: TicketRecord[] }> {
    invariant(draw.seal !== null, `draw ${draw.publicId} is not sealed`);
    const records = await this.ticketRecords(this.o.pool, draw);
    const hash = this.o.sha256 ?? nobleSha256;
    const tree = new MerkleTree(ticketLeaves(records, hash), hash);
    invariant(bytesToHex(tree.root) === draw.seal.ticketRoot, `draw ${draw.publicId}: ledger tickets no longer match the sealed root`);
    return { tree, records };
  }
}
