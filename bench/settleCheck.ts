// bench/settleCheck.ts — what a settled lotto 6/49 draw must have paid, recomputed
// independently of games/ and ledger/settleSets.ts: from each ticket's jsonb lines (not its
// masks) and the drawn numbers, with the rules written out here as the catalogue states
// them (games/lotto649.ts, comment above settleLotto649):
//
//   prize fund   = floor(stakes × 50%);  tier amount = floor(fund × 50/20/15/15%)
//   jackpot      = match6 amount + rollover in; unwon: it rolls, up to the cap, and what is
//                  above the cap is added to match5
//   per line     = floor(tier amount / winning lines of the tier)
//   ticket prize = Σ its winning lines of a tier × that tier's per line
import type pg from 'pg';

const PAYOUT_BP = 5_000n;
const TIER_BP = [5_000n, 2_000n, 1_500n, 1_500n];
/** 10,000,000.00 EUR, as the catalogue documents it. */
export const JACKPOT_CAP_MINOR = 1_000_000_000;
const PAGE = 20_000;

export interface ExpectedSettlement {
  tickets: number;
  stakeTotalMinor: number;
  winningLines: number[];
  perLineMinor: number[];
  rolloverOutMinor: number;
  /** Winning tickets: id -> winning lines per tier. */
  winners: Map<number, number[]>;
}

export interface CheckResult {
  expected: ExpectedSettlement;
  prizeRows: number;
  prizeTotalMinor: number;
  mismatches: string[];
}

/** Each ticket's winning lines per tier, from its jsonb lines, a page at a time. */
async function classifyTickets(pool: pg.Pool, drawId: number, drawn: readonly number[]): Promise<Omit<ExpectedSettlement, 'perLineMinor' | 'rolloverOutMinor'>> {
  const isDrawn = new Array<boolean>(50).fill(false);
  for (const n of drawn) isDrawn[n] = true;
  const winningLines = [0, 0, 0, 0];
  const winners = new Map<number, number[]>();
  let tickets = 0;
  let stakeTotalMinor = 0;
  for (let afterId = 0; ; ) {
    const { rows } = await pool.query(`select id, lines, cost_minor from tickets where draw_id = $1 and id > $2 order by id limit $3`, [drawId, afterId, PAGE]);
    for (const r of rows) {
      tickets++;
      stakeTotalMinor += Number(r.cost_minor);
      let counts: number[] | null = null;
      for (const line of r.lines as number[][]) {
        let matched = 0;
        for (const n of line) if (isDrawn[n]) matched++;
        if (matched < 3) continue;
        counts ??= [0, 0, 0, 0];
        counts[6 - matched]++;
        winningLines[6 - matched]++;
      }
      if (counts) winners.set(Number(r.id), counts);
    }
    if (rows.length < PAGE) break;
    afterId = Number(rows[rows.length - 1].id);
  }
  return { tickets, stakeTotalMinor, winningLines, winners };
}

export async function expectedSettlement(pool: pg.Pool, drawId: number, drawn: readonly number[], rolloverInMinor: number): Promise<ExpectedSettlement> {
  const c = await classifyTickets(pool, drawId, drawn);
  const fund = (BigInt(c.stakeTotalMinor) * PAYOUT_BP) / 10_000n;
  const amounts = TIER_BP.map((bp) => Number((fund * bp) / 10_000n));
  amounts[0] += rolloverInMinor;
  let rolloverOutMinor = 0;
  if (c.winningLines[0] === 0) {
    rolloverOutMinor = Math.min(amounts[0], JACKPOT_CAP_MINOR);
    amounts[1] += amounts[0] - rolloverOutMinor;
    amounts[0] = 0;
  }
  const perLineMinor = amounts.map((a, i) => (c.winningLines[i] === 0 ? 0 : Math.floor(a / c.winningLines[i])));
  return { ...c, perLineMinor, rolloverOutMinor };
}

/** Compares every ticket prize row of the draw with the expectation, and each wallet with deposit − stakes + prizes. */
export async function checkSettlement(pool: pg.Pool, drawId: number, expected: ExpectedSettlement): Promise<CheckResult> {
  const mismatches: string[] = [];
  const { rows } = await pool.query(`select ticket_id, amount_minor, tier_lines from ticket_prizes where draw_id = $1 order by ticket_id`, [drawId]);
  let prizeTotalMinor = 0;
  const seen = new Set<number>();
  for (const r of rows) {
    const id = Number(r.ticket_id);
    seen.add(id);
    prizeTotalMinor += Number(r.amount_minor);
    const lines = expected.winners.get(id);
    const amount = lines ? lines.reduce((s, n, i) => s + n * expected.perLineMinor[i], 0) : 0;
    if (Number(r.amount_minor) !== amount || JSON.stringify(r.tier_lines) !== JSON.stringify(lines)) {
      if (mismatches.length < 10) mismatches.push(`ticket ${id}: paid ${r.amount_minor} for ${JSON.stringify(r.tier_lines)}, expected ${amount} for ${JSON.stringify(lines)}`);
    }
  }
  for (const [id, lines] of expected.winners) {
    const amount = lines.reduce((s, n, i) => s + n * expected.perLineMinor[i], 0);
    if (amount > 0 && !seen.has(id) && mismatches.length < 10) mismatches.push(`ticket ${id} won ${amount} and was not paid`);
  }
  const wallets = await pool.query(
    `select count(*)::int8 as n from accounts w
       join (select player_id, sum(amount_minor)::int8 as deposited from deposits where status = 'completed' group by 1) d on d.player_id = w.player_id
       left join (select player_id, sum(cost_minor)::int8 as staked from tickets group by 1) s on s.player_id = w.player_id
       left join (select t.player_id, sum(p.amount_minor)::int8 as won from ticket_prizes p join tickets t on t.id = p.ticket_id group by 1) p on p.player_id = w.player_id
      where w.kind = 'player_wallet' and w.balance_minor <> d.deposited - coalesce(s.staked, 0) + coalesce(p.won, 0)`,
  );
  if (wallets.rows[0].n !== 0) mismatches.push(`${wallets.rows[0].n} wallets are not deposits − stakes + prizes`);
  return { expected, prizeRows: rows.length, prizeTotalMinor, mismatches };
}
