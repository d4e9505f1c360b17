// ledger/reconcile.ts — the provider's records of a period against the ledger's (issue 14;
// npm run reconcile, app/reconcile-cli.ts). Every payment either side has is matched by our
// reference (the deposit's or withdrawal's public id, the provider's idempotency key) and
// every difference is reported: one side lacks it, the amounts differ, or the statuses do
// (a webhook lost or not yet applied, a payment the provider never took).
import type pg from 'pg';

export type PaymentKind = 'deposit' | 'payout';
/** Both sides' statuses, in the provider's words. */
export type CommonStatus = 'processing' | 'succeeded' | 'declined' | 'failed' | 'not_sent';

export interface SidePayment {
  kind: PaymentKind;
  reference: string;
  providerRef: string | null;
  amountMinor: number;
  status: CommonStatus;
  createdAtMs: number;
}

export interface Difference {
  kind: PaymentKind;
  reference: string;
  problem: 'missing_in_ledger' | 'missing_at_provider' | 'amount_differs' | 'status_differs';
  ledger: SidePayment | null;
  provider: SidePayment | null;
}

export interface Reconciliation {
  fromMs: number;
  toMs: number;
  matched: number;
  differences: Difference[];
  /** Per side: deposits succeeded and payouts paid in the period, minor units. */
  totals: { ledger: { deposits: number; payouts: number }; provider: { deposits: number; payouts: number } };
}

const DEPOSIT_STATUS: Record<string, CommonStatus> = { pending: 'processing', completed: 'succeeded', declined: 'declined', failed: 'failed' };
const WITHDRAWAL_STATUS: Record<string, CommonStatus> = { approved: 'processing', pending: 'processing', paid: 'succeeded', failed: 'failed' };

/**
 * The ledger's payments asked for in [fromMs, toMs), or with these references: deposits, and
 * withdrawals that went to the provider (one in review, or rejected there, never did).
 */
export async function ledgerPayments(pool: pg.Pool, provider: string, fromMs: number, toMs: number, references: readonly string[] = []): Promise<SidePayment[]> {
  const { rows } = await pool.query(
    `select 'deposit' as kind, public_id, provider_ref, amount_minor, status, sent_at is not null as sent, created_at as at from deposits
      where provider = $1 and ((created_at >= $2 and created_at < $3) or public_id = any($4::text[]))
     union all
     select 'payout', public_id, provider_ref, amount_minor, status, sent_at is not null or provider_ref is not null, requested_at from withdrawals
      where provider = $1 and status not in ('review', 'rejected') and ((requested_at >= $2 and requested_at < $3) or public_id = any($4::text[]))`,
    [provider, new Date(fromMs), new Date(toMs), [...references]],
  );
  return rows.map((r) => {
    const status = (r.kind === 'deposit' ? DEPOSIT_STATUS : WITHDRAWAL_STATUS)[r.status];
    return {
      kind: r.kind,
      reference: r.public_id,
      providerRef: r.provider_ref,
      amountMinor: Number(r.amount_minor),
      status: status === 'processing' && !r.sent ? 'not_sent' : status,
      createdAtMs: new Date(r.at).getTime(),
    };
  });
}

/**
 * Matches the two sides. `ledger` holds the period's payments plus any the provider's period
 * names; `provider` the provider's records of the period (ours may be stamped a moment apart).
 */
export function reconcile(fromMs: number, toMs: number, ledger: readonly SidePayment[], provider: readonly SidePayment[]): Reconciliation {
  const key = (p: SidePayment) => `${p.kind}/${p.reference}`;
  const theirs = new Map(provider.map((p) => [key(p), p]));
  const ours = new Map(ledger.map((p) => [key(p), p]));
  const inPeriod = (p: SidePayment) => p.createdAtMs >= fromMs && p.createdAtMs < toMs;
  const differences: Difference[] = [];
  let matched = 0;
  for (const l of ledger) {
    const p = theirs.get(key(l));
    if (!p) {
      if (inPeriod(l) && l.status !== 'not_sent') differences.push({ kind: l.kind, reference: l.reference, problem: 'missing_at_provider', ledger: l, provider: null });
      continue;
    }
    if (!inPeriod(l) && !inPeriod(p)) continue;
    if (p.amountMinor !== l.amountMinor) differences.push({ kind: l.kind, reference: l.reference, problem: 'amount_differs', ledger: l, provider: p });
    else if (p.status !== l.status) differences.push({ kind: l.kind, reference: l.reference, problem: 'status_differs', ledger: l, provider: p });
    else matched++;
  }
  for (const p of provider) {
    if (inPeriod(p) && !ours.has(key(p))) differences.push({ kind: p.kind, reference: p.reference, problem: 'missing_in_ledger', ledger: null, provider: p });
  }
  const sum = (list: readonly SidePayment[], kind: PaymentKind) => list.filter((p) => p.kind === kind && p.status === 'succeeded' && inPeriod(p)).reduce((n, p) => n + p.amountMinor, 0);
  return {
    fromMs,
    toMs,
    matched,
    differences,
    totals: {
      ledger: { deposits: sum(ledger, 'deposit'), payouts: sum(ledger, 'payout') },
      provider: { deposits: sum(provider, 'deposit'), payouts: sum(provider, 'payout') },
    },
  };
}
