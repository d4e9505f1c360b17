// actors/riskConfig.ts — the risk rules' settings (config/risk.json, or RISK_RULES_FILE),
// stated once as a zod schema: each rule is on or off, has its thresholds, the severity its
// alerts carry and what it does besides alerting. Read and checked at start-up by
// app/config.ts; a wrong file stops the server with the field that is wrong.
import { z } from 'zod';

const severity = z.enum(['info', 'warning', 'critical'], { error: 'must be "info", "warning" or "critical"' });
/** 'freeze': also freeze the player's betting pending review (ledger/risk.ts), through the ledger. */
const playerAction = z.enum(['alert', 'freeze'], { error: 'must be "alert" or "freeze"' });
/** Rules about a draw or many accounts at once name no one player to freeze. */
const alertOnly = z.literal('alert', { error: 'must be "alert": this rule names no one player to freeze' });
const whole = (min: number, max: number) => z.int({ error: 'must be a whole number' }).min(min, `must be ${min}..${max}`).max(max, `must be ${min}..${max}`);

const rule = <T extends z.ZodRawShape>(action: z.ZodType<'alert' | 'freeze'>, shape: T) =>
  z.strictObject({ enabled: z.boolean({ error: 'must be true or false' }), severity, action, ...shape });

export const RiskRulesSchema = z.strictObject({
  /** More than betsMax bets committed for one player within windowSeconds. */
  velocity: rule(playerAction, { betsMax: whole(1, 1_000_000), windowSeconds: whole(1, 86_400) }),
  /** The same selection in the same draw from accountsMin distinct accounts within windowSeconds. */
  selection_burst: rule(alertOnly, {
    accountsMin: whole(2, 10_000),
    windowSeconds: whole(1, 86_400),
    /** Quick picks are random: counted only when true (in pick-3, 1,000 combinations collide by chance). */
    quickPicks: z.boolean({ error: 'must be true or false' }),
    /**
     * Fixed-odds games (pick-3, pick-4) counted only when true: many accounts on one number is
     * the normal shape of their play (1,000 or 10,000 numbers, favourites like 777), their
     * liability cap bounds what one number can cost, and late_surge watches concentration.
     */
    fixedOdds: z.boolean({ error: 'must be true or false' }),
  }),
  /** accountsMin accounts seen from one client address within windowDays. */
  shared_address: rule(playerAction, { accountsMin: whole(2, 10_000), windowDays: whole(1, 365) }),
  /** accountsMin accounts seen with one device fingerprint within windowDays. */
  shared_device: rule(playerAction, { accountsMin: whole(2, 10_000), windowDays: whole(1, 365) }),
  /**
   * In the last lastMinutes before a draw's cutoff, one combination (a line's numbers, or a
   * fixed-odds number) holding sharePercentMin of the stakes, once they total stakeMinMinor.
   */
  late_surge: rule(alertOnly, { lastMinutes: whole(1, 1_440), sharePercentMin: whole(1, 100), stakeMinMinor: whole(1, 1e12) }),
  /** depositsMin completed deposits within windowHours, each within belowPercent under thresholdMinor. */
  structured_deposits: rule(playerAction, {
    thresholdMinor: whole(100, 1e12),
    belowPercent: whole(1, 50),
    depositsMin: whole(2, 1_000),
    windowHours: whole(1, 24 * 90),
  }),
  /**
   * A winner whose winning tickets over windowDays are at least ratioMin times what the game's
   * odds expect, with at least ticketsMin tickets and winsMin winning ones.
   */
  win_rate: rule(playerAction, {
    windowDays: whole(1, 365),
    ticketsMin: whole(1, 1_000_000),
    winsMin: whole(1, 1_000_000),
    ratioMin: z.number({ error: 'must be a number' }).min(1, 'must be at least 1').max(1e9, 'must be at most 1e9'),
  }),
});

export type RiskRules = z.output<typeof RiskRulesSchema>;
export type RiskRuleName = keyof RiskRules;
export const RISK_RULE_NAMES = Object.keys(RiskRulesSchema.shape) as RiskRuleName[];

/** The rules a JSON text holds, or an Error naming the first wrong field. */
export function parseRiskRules(text: string): RiskRules {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new Error(`is not JSON: ${(err as Error).message}`);
  }
  const parsed = RiskRulesSchema.safeParse(raw);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const where = issue.path.map(String).join('.');
  throw new Error(issue.code === 'unrecognized_keys' ? `${where ? where + ': ' : ''}unknown field "${String(issue.keys[0])}"` : `${where} ${issue.message}`);
}
