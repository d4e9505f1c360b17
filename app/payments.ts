// app/payments.ts — the payment provider port and its sandbox adapter (issue 14).
//
// A provider is asked to take a deposit or make a payout and answers later, by calling our
// webhook route with a body signed as core/webhook.ts says (HMAC-SHA256 over
// `timestamp.rawBody`). A live provider plugs in behind the same interface: startDeposit and
// startPayout send the request to its API (our payment id as its idempotency key, so a retry
// is one payment), readWebhook checks its signature and turns its event into PaymentEvents,
// and listPayments reads its records for reconciliation (npm run reconcile).
//
// The sandbox decides by the amount's last two digits (SANDBOX_PAYMENT_RULES, in the README)
// after `delayMs`, keeps its own books (schema sandbox_provider, migration 020: what its API
// would list) and calls back over HTTP like a real provider: signed, retried on any failure,
// and late, twice or out of order where its rules say.
import crypto from 'node:crypto';
import type pg from 'pg';
import { z } from 'zod';
import type { Clock } from '../core/clock.ts';
import type { Logger } from '../core/logger.ts';
import { readSignedBody } from '../core/webhook.ts';
import type { PaymentEvent, PaymentEventType } from '../ledger/payments.ts';
import { WebhookSender } from './webhookSender.ts';

export interface PaymentRequest {
  /** Our payment id (a deposit's or withdrawal's public id): the provider's idempotency key. */
  reference: string;
  amountMinor: number;
  currency: string;
  playerRef: string;
}

/** One payment as the provider's records have it. */
export interface ProviderPayment {
  kind: 'deposit' | 'payout';
  reference: string;
  providerRef: string;
  amountMinor: number;
  status: 'processing' | 'succeeded' | 'declined' | 'failed';
  createdAtMs: number;
}

export type WebhookReading = { ok: true; events: PaymentEvent[] } | { ok: false; status: 400 | 401; why: string };

export interface PaymentProvider {
  /** Its clearing account is `provider_clearing:<name>`; its webhooks come to /api/payments/webhooks/<name>. */
  readonly name: string;
  /** Asks for a deposit; throws if the provider cannot be reached. The outcome comes by webhook. */
  startDeposit(request: PaymentRequest): Promise<{ providerRef: string }>;
  /** Asks for a payout to the player; throws if the provider cannot be reached. The outcome comes by webhook. */
  startPayout(request: PaymentRequest): Promise<{ providerRef: string }>;
  /** A webhook's events, once its signature over the raw body is checked. */
  readWebhook(headers: Record<string, string>, rawBody: Buffer, nowMs: number): WebhookReading;
  /** The provider's records of the payments asked for in [fromMs, toMs). */
  listPayments(fromMs: number, toMs: number): Promise<ProviderPayment[]>;
  /** Stops any callback not yet made. */
  close(): void;
}

export const PAYMENT_SIGNATURE_HEADER = 'x-payment-signature';

/** The sandbox's decisions by the amount's last two digits (minor units); any other: succeeded. */
export const SANDBOX_PAYMENT_RULES = {
  '13': 'declined (card_declined; a payout: account_closed)',
  '14': 'failed (processing_error)',
  '21': 'succeeded, the webhook delivered twice',
  '22': 'succeeded, the webhook delivered late (SANDBOX_LATE_MS after the others)',
  '23': 'succeeded, delivered out of order: the success first, then an earlier "processing" event',
  '44': 'succeeded in the provider\'s books, but the webhook is never delivered (reconciliation finds it)',
  '66': 'the provider cannot be reached: the request fails at once (503) and nothing changes',
} as const;

export const SANDBOX_LATE_MS = 1_500;

const SandboxEvent = z.strictObject({
  eventId: z.string().regex(/^sbxpe_[0-9a-f]{24}$/),
  type: z.enum(['deposit.processing', 'deposit.succeeded', 'deposit.declined', 'deposit.failed', 'payout.processing', 'payout.paid', 'payout.failed']),
  reference: z.string().regex(/^(dep|wd)_[A-Za-z0-9_-]{16}$/),
  providerRef: z.string().regex(/^sbxpay_[0-9a-f]{24}$/),
  amountMinor: z.int().positive().max(Number.MAX_SAFE_INTEGER),
  currency: z.string().regex(/^[A-Z]{3}$/),
  reason: z.string().max(64).nullable(),
  occurredAt: z.iso.datetime(),
});
type SandboxEvent = z.infer<typeof SandboxEvent>;

export interface SandboxPaymentOptions {
  /** Where the sandbox keeps its books (its schema in our database: the sandbox has no other). */
  pool: pg.Pool;
  secret: Buffer;
  delayMs: number;
  /** Our base URL, read when a webhook is sent (after the server listens). */
  callbackBaseUrl: () => string;
  logger: Logger;
  clock: Clock;
}

type Outcome = 'succeeded' | 'declined' | 'failed';

export class SandboxPaymentProvider implements PaymentProvider {
  readonly name = 'sandbox';
  private readonly sender: WebhookSender;

  constructor(private readonly options: SandboxPaymentOptions) {
    this.sender = new WebhookSender({
      secret: options.secret,
      header: PAYMENT_SIGNATURE_HEADER,
      url: () => `${options.callbackBaseUrl()}/api/payments/webhooks/${this.name}`,
      logger: options.logger,
      clock: options.clock,
    });
  }

  startDeposit(request: PaymentRequest): Promise<{ providerRef: string }> {
    return this.start('deposit', request);
  }

  startPayout(request: PaymentRequest): Promise<{ providerRef: string }> {
    return this.start('payout', request);
  }

  readWebhook(headers: Record<string, string>, rawBody: Buffer, nowMs: number): WebhookReading {
    const body = readSignedBody(this.options.secret, headers[PAYMENT_SIGNATURE_HEADER], rawBody, nowMs);
    if (!body.ok) return body;
    const parsed = SandboxEvent.safeParse(body.json);
    if (!parsed.success) return { ok: false, status: 400, why: `not a sandbox payment event: ${parsed.error.issues[0].path.join('.')} ${parsed.error.issues[0].message}` };
    const e = parsed.data;
    const event: PaymentEvent = {
      provider: this.name,
      eventId: e.eventId,
      type: e.type,
      reference: e.reference,
      providerRef: e.providerRef,
      amountMinor: e.amountMinor,
      reason: e.reason,
      occurredAtMs: Date.parse(e.occurredAt),
    };
    return { ok: true, events: [event] };
  }

  async listPayments(fromMs: number, toMs: number): Promise<ProviderPayment[]> {
    const { rows } = await this.options.pool.query(
      `select kind, reference, provider_ref, amount_minor, status, created_at from sandbox_provider.payments
        where created_at >= $1 and created_at < $2 order by created_at, provider_ref`,
      [new Date(fromMs), new Date(toMs)],
    );
    return rows.map((r) => ({ kind: r.kind, reference: r.reference, providerRef: r.provider_ref, amountMinor: Number(r.amount_minor), status: r.status, createdAtMs: new Date(r.created_at).getTime() }));
  }

  close(): void {
    this.sender.close();
  }

  /**
   * Books the payment once per reference (a retry gets the same providerRef and changes
   * nothing) and schedules its decision and webhooks by the amount's rule.
   */
  private async start(kind: 'deposit' | 'payout', request: PaymentRequest): Promise<{ providerRef: string }> {
    const rule = String(request.amountMinor % 100).padStart(2, '0');
    if (rule === '66' || this.sender.isClosed) throw new Error('payment provider unreachable');
    const providerRef = `sbxpay_${crypto.randomBytes(12).toString('hex')}`;
    const startMs = this.options.clock.nowMs();
    const { rows } = await this.options.pool.query(
      `insert into sandbox_provider.payments (provider_ref, kind, reference, amount_minor, currency, status, created_at)
       values ($1, $2, $3, $4, $5, 'processing', $6)
       on conflict (kind, reference) do update set kind = excluded.kind
       returning provider_ref, (xmax = 0) as created`,
      [providerRef, kind, request.reference, request.amountMinor, request.currency, new Date(startMs)],
    );
    if (!rows[0].created) return { providerRef: rows[0].provider_ref };
    const outcome: Outcome = rule === '13' ? 'declined' : rule === '14' ? 'failed' : 'succeeded';
    const reason = outcome === 'declined' ? (kind === 'deposit' ? 'card_declined' : 'account_closed') : outcome === 'failed' ? 'processing_error' : null;
    const d = this.options.delayMs;
    const event = (type: PaymentEventType, atMs: number): SandboxEvent => ({
      eventId: `sbxpe_${crypto.randomBytes(12).toString('hex')}`,
      type,
      reference: request.reference,
      providerRef,
      amountMinor: request.amountMinor,
      currency: request.currency,
      reason: type.endsWith('.processing') ? null : reason,
      occurredAt: new Date(atMs).toISOString(),
    });
    const final = event(finalType(kind, outcome), startMs + d);
    const about = { reference: request.reference, eventId: final.eventId };
    this.decideLater(providerRef, outcome, reason, d);
    if (rule === '44') return { providerRef };
    const send = (e: SandboxEvent, afterMs: number) => this.sender.send(e, afterMs, about);
    if (rule === '21') {
      send(final, d);
      send(final, d + 20);
    } else if (rule === '22') {
      send(final, d + SANDBOX_LATE_MS);
    } else if (rule === '23') {
      send(final, d);
      send(event(`${kind}.processing`, startMs + Math.floor(d / 2)), d + 50);
    } else {
      send(final, d);
    }
    return { providerRef };
  }

  /** The decision in the provider's books, when it is made (before its webhook is sent). */
  private decideLater(providerRef: string, outcome: Outcome, reason: string | null, afterMs: number): void {
    const decide = () =>
      !this.sender.isClosed &&
      this.options.pool
        .query(`update sandbox_provider.payments set status = $2, reason = $3, decided_at = now() where provider_ref = $1 and status = 'processing'`, [providerRef, outcome, reason])
        .catch((err: Error) => this.options.logger.warn({ err: { message: err.message }, providerRef }, 'sandbox payment: recording its decision failed'));
    if (afterMs <= 0) void decide();
    else setTimeout(() => void decide(), Math.max(0, afterMs - 1)).unref();
  }
}

function finalType(kind: 'deposit' | 'payout', outcome: Outcome): PaymentEventType {
  if (kind === 'deposit') return outcome === 'succeeded' ? 'deposit.succeeded' : outcome === 'declined' ? 'deposit.declined' : 'deposit.failed';
  return outcome === 'succeeded' ? 'payout.paid' : 'payout.failed';
}
