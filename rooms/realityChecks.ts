// rooms/realityChecks.ts — reality checks on a player's open sockets (issue 13): at the interval
// the player chose, counted from when their login session began, each socket is told time
// played and the session's net result (ledger/sessionTime.ts records it), and takes no bet
// until the player acknowledges it (`reality_check:ack` with its checkId). The next check is
// armed on acknowledgement, at the next multiple of the interval.
import { TIMER_DELAY_MS_MAX } from '../core/limits.ts';
import { acknowledgeRealityCheck, showRealityCheck, type RealityCheck } from '../ledger/sessionTime.ts';
import type { JoinedPlayer } from './joins.ts';
import type { RoomServices } from './services.ts';

/** A failed check (the ledger away) is tried again this much later. */
const RETRY_MS = 30_000;

export interface RealityState {
  /** The check shown and not yet acknowledged: bets wait for it. */
  pendingCheckId?: string;
  timer?: NodeJS.Timeout;
  stopped?: boolean;
}

/** What a check is for: a socket's player and its reality state (the room's connection data). */
export interface RealityOwner {
  player: JoinedPlayer;
  reality: RealityState;
}

export class RealityChecks<O extends RealityOwner> {
  constructor(
    private readonly services: Pick<RoomServices, 'pool' | 'clock' | 'logger'>,
    private readonly show: (owner: O, check: RealityCheck) => void,
  ) {}

  /** Arms the next check of a socket, if the player asked for them. */
  arm(owner: O): void {
    const { player, reality: state } = owner;
    const minutes = player.realityCheckMinutes;
    if (!minutes || state.stopped || state.timer || state.pendingCheckId) return;
    const periodMs = minutes * 60_000;
    const nowMs = this.services.clock.nowMs();
    const elapsed = Math.max(0, nowMs - player.authSessionStartedAtMs);
    const dueMs = player.authSessionStartedAtMs + (Math.floor(elapsed / periodMs) + 1) * periodMs;
    this.after(state, dueMs - nowMs, () => this.fire(owner));
  }

  /** True if `checkId` was the pending check, now acknowledged (and the next one armed). */
  acknowledge(owner: O, checkId: unknown): boolean {
    const state = owner.reality;
    if (state.pendingCheckId === undefined || checkId !== state.pendingCheckId) return false;
    state.pendingCheckId = undefined;
    acknowledgeRealityCheck(this.services.pool, checkId, this.services.clock.nowMs()).catch((err) =>
      this.services.logger.warn({ err, checkId }, 'recording a reality check acknowledgement failed'),
    );
    this.arm(owner);
    return true;
  }

  stop(state: RealityState): void {
    state.stopped = true;
    if (state.timer) clearTimeout(state.timer);
    state.timer = undefined;
  }

  private async fire(owner: O): Promise<void> {
    const { player, reality: state } = owner;
    state.timer = undefined;
    if (state.stopped) return;
    try {
      const nowMs = this.services.clock.nowMs();
      const check = await showRealityCheck(this.services.pool, player.playerId, player.authSessionId, player.authSessionStartedAtMs, nowMs);
      if (state.stopped) return;
      state.pendingCheckId = check.checkId;
      this.show(owner, check);
    } catch (err) {
      this.services.logger.warn({ err }, 'a reality check could not be read; trying again');
      this.after(state, RETRY_MS, () => this.fire(owner));
    }
  }

  private after(state: RealityState, delayMs: number, fn: () => Promise<void>): void {
    state.timer = setTimeout(() => {
      state.timer = undefined;
      void fn();
    }, Math.min(Math.max(0, delayMs), TIMER_DELAY_MS_MAX));
  }
}
