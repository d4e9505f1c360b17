// app/reportCsv.ts — the period report (ledger/reports.ts) as one CSV table for a spreadsheet.
//
// Long format, one figure per row: `section, basis, game, measure, count, amount_minor, text`.
// One table rather than one per section because a spreadsheet opens one table per file: an
// accountant filters by section and pivots by game and measure without reshaping anything.
// Counts and amounts sit in columns of their own (integers, amounts in minor units), so a
// column sums as it is; `text` carries what is not a number (dates, filters, a large win's
// draw and player). The first rows (section "report") say what the file is.
//
// RFC 4180: CRLF line ends, a field with a comma, a quote or a line break quoted, quotes
// doubled. Text that a spreadsheet would run as a formula (starting with = + - @, a tab or a
// carriage return) is prefixed with an apostrophe; numbers are ours and written as numbers
// (a negative GGR is -500, not text).
import { invariant } from '../core/errors.ts';
import type { Amount, PeriodReport } from '../ledger/reports.ts';

export const REPORT_CSV_HEADER = ['section', 'basis', 'game', 'measure', 'count', 'amount_minor', 'text'] as const;

type Cell = string | number | null;
type Row = [section: string, basis: string, game: string, measure: string, count: number | null, amountMinor: number | null, text: string];

/** The report as CSV text (RFC 4180), header first. */
export function reportCsv(report: PeriodReport): string {
  const rows: Row[] = [...headerRows(report), ...salesRows(report), ...prizeRows(report), ...ggrRows(report), ...moneyRows(report), ...protectionRows(report), ...winAndAlertRows(report)];
  return [REPORT_CSV_HEADER as readonly Cell[], ...rows].map((r) => r.map(csvCell).join(',')).join('\r\n') + '\r\n';
}

/** One field: a number as it is; text neutralized against formulas, then quoted if it must be. */
export function csvCell(value: Cell): string {
  if (value === null) return '';
  if (typeof value === 'number') {
    invariant(Number.isSafeInteger(value), 'report figures are whole numbers');
    return String(value);
  }
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

function headerRows(r: PeriodReport): Row[] {
  const meta = (measure: string, text: string): Row => ['report', '', '', measure, null, null, text];
  return [
    meta('period_from', r.period.from),
    meta('period_to', r.period.to),
    meta('period_note', r.period.note),
    meta('generated_at', r.generatedAt),
    meta('filter_game', r.filters.game ?? 'all'),
    meta('filter_jurisdiction', r.filters.jurisdiction ?? 'all'),
    meta('currency', `${r.currency}; amounts in minor units`),
  ];
}

const amountRow = (section: string, basis: string, game: string, measure: string, a: Amount): Row => [section, basis, game, measure, a.count, a.amountMinor, ''];
const countRow = (section: string, basis: string, game: string, measure: string, count: number): Row => [section, basis, game, measure, count, null, ''];

function salesRows(r: PeriodReport): Row[] {
  const b = r.sales.basis;
  return [...r.sales.games, { game: 'TOTAL', ...r.sales.total }].flatMap((g): Row[] => [
    countRow('sales', b, g.game, 'draws', g.draws),
    countRow('sales', b, g.game, 'draws_settled', g.drawsSettled),
    countRow('sales', b, g.game, 'draws_voided', g.drawsVoided),
    ['sales', b, g.game, 'tickets', g.tickets, g.stakesMinor, ''],
    countRow('sales', b, g.game, 'lines', g.lines),
    amountRow('sales', b, g.game, 'tickets_refunded', g.refunded),
  ]);
}

function prizeRows(r: PeriodReport): Row[] {
  const b = r.prizes.basis;
  return [...r.prizes.games, { game: 'TOTAL', ...r.prizes.total }].flatMap((g): Row[] => [
    amountRow('prizes', b, g.game, 'prizes', g.prizes),
    amountRow('prizes', b, g.game, 'held', g.held),
    amountRow('prizes', b, g.game, 'released', g.released),
    ['prizes', b, g.game, 'released_tax_withheld', null, g.released.taxMinor, ''],
    amountRow('prizes', b, g.game, 'forfeited', g.forfeited),
  ]);
}

function ggrRows(r: PeriodReport): Row[] {
  const b = r.ggr.basis;
  return [...r.ggr.games, { game: 'TOTAL', ...r.ggr.total }].flatMap((g): Row[] => [
    ['ggr', b, g.game, 'stakes', null, g.stakesMinor, ''],
    ['ggr', b, g.game, 'prizes', null, g.prizesMinor, ''],
    ['ggr', b, g.game, 'ggr', null, g.ggrMinor, g.complete ? 'complete' : 'incomplete: a draw of the period is not settled yet'],
  ]);
}

function moneyRows(r: PeriodReport): Row[] {
  const p = r.payments;
  const asOf = `as of ${p.withdrawalsPending.asOf}`;
  const l = r.liabilities;
  const owed = (measure: string, amountMinor: number): Row => ['liabilities', `as of ${l.asOf}`, '', measure, null, amountMinor, ''];
  return [
    amountRow('payments', p.basis, '', 'deposits_completed', p.depositsCompleted),
    amountRow('payments', p.basis, '', 'withdrawals_paid', p.withdrawalsPaid),
    amountRow('payments', asOf, '', 'withdrawals_pending_review', p.withdrawalsPending.review),
    amountRow('payments', asOf, '', 'withdrawals_pending_approved', p.withdrawalsPending.approved),
    amountRow('payments', asOf, '', 'withdrawals_pending_with_provider', p.withdrawalsPending.pending),
    amountRow('payments', asOf, '', 'withdrawals_pending_total', p.withdrawalsPending.total),
    ['liabilities', `as of ${l.asOf}`, '', 'player_wallets', l.players, l.walletsMinor, ''],
    owed('withdrawals_held', l.withdrawalsHeldMinor),
    owed('prizes_held', l.prizesHeldMinor),
    owed('total', l.totalMinor),
  ];
}

function protectionRows(r: PeriodReport): Row[] {
  const g = r.responsibleGambling;
  const row = (measure: string, count: number, text = ''): Row => ['responsible_gambling', g.basis, '', measure, count, null, text];
  return [
    row('limits_set_by_players', g.limitsSetByPlayers),
    ...g.limitChanges.map((c) => row(`limit_changes_${c.source}_${c.kind}_${c.period}`, c.count, `${c.removals} removals`)),
    row('breaks', g.breaks),
    row('self_exclusions', g.selfExclusions),
    ...g.exclusions.map((e) => row(`exclusions_${e.kind}`, e.count, e.duration)),
    ...g.statusChanges.map((s) => row(`status_changes_to_${s.to}`, s.count)),
  ];
}

function winAndAlertRows(r: PeriodReport): Row[] {
  const w = r.largeWins;
  const a = r.alerts;
  return [
    ['large_wins', w.basis, '', 'large_wins', w.count, null, `at or above ${w.thresholdMinor} minor units; at most ${w.listedMax} listed`],
    ...w.wins.map((x): Row => ['large_wins', w.basis, x.game, x.ticketId, 1, x.amountMinor, `draw ${x.drawId} at ${x.drawAt}; player ${x.playerId} (${x.jurisdiction}); review ${x.review ?? 'none'}`]),
    ['alerts', a.basis, '', 'alerts', a.count, null, `${a.open} open`],
    ...a.byRule.map((x): Row => ['alerts', a.basis, '', `${x.rule}:${x.severity}`, x.count, null, `${x.open} open`]),
  ];
}
