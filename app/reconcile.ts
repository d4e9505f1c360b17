// app/reconcile.ts — a period's reconciliation: the provider's records (its API: listPayments)
// against the ledger's, matched by ledger/reconcile.ts. The provider's records are read an
// hour either side of the period, as its clock and ours stamp one payment a moment apart.
import type pg from 'pg';
import { ledgerPayments, reconcile, type Reconciliation, type SidePayment } from '../ledger/reconcile.ts';
import type { PaymentProvider } from './payments.ts';

const MARGIN_MS = 3_600_000;

export async function reconcilePayments(pool: pg.Pool, provider: PaymentProvider, fromMs: number, toMs: number): Promise<Reconciliation> {
  const theirs: SidePayment[] = (await provider.listPayments(fromMs - MARGIN_MS, toMs + MARGIN_MS)).map((p) => ({ ...p }));
  const named = theirs.filter((p) => p.createdAtMs >= fromMs && p.createdAtMs < toMs).map((p) => p.reference);
  const ours = await ledgerPayments(pool, provider.name, fromMs, toMs, named);
  return reconcile(fromMs, toMs, ours, theirs);
}
