// app/payments.ts — the payment provider port and its sandbox adapter.
//
// A live provider plugs in behind the same interface. The sandbox completes at once and
// keeps one deterministic failure rule so that declines can be exercised end to end.
import crypto from 'node:crypto';

export interface ChargeRequest {
  /** Our deposit id: the provider's idempotency key, so a retried charge is charged once. */
  depositId: string;
  amountMinor: number;
  currency: string;
  playerRef: string;
}

export type ChargeResult = { status: 'completed'; providerRef: string } | { status: 'declined'; reason: string };

export interface PaymentProvider {
  /** Name of its clearing account: `provider_clearing:<name>`. */
  readonly name: string;
  charge(request: ChargeRequest): Promise<ChargeResult>;
}

/** Sandbox test rule: an amount whose last two digits are 13 is declined like a refused card. */
export const SANDBOX_DECLINED_SUFFIX = 13;

export class SandboxPaymentProvider implements PaymentProvider {
  readonly name = 'sandbox';
  private readonly charges = new Map<string, ChargeResult>();
  private static readonly CHARGES_REMEMBERED_MAX = 100_000;

  async charge(request: ChargeRequest): Promise<ChargeResult> {
    const known = this.charges.get(request.depositId);
    if (known) return known;
    const result: ChargeResult =
      request.amountMinor % 100 === SANDBOX_DECLINED_SUFFIX
        ? { status: 'declined', reason: 'card_declined' }
        : { status: 'completed', providerRef: `sbx_${crypto.randomBytes(12).toString('hex')}` };
    if (this.charges.size >= SandboxPaymentProvider.CHARGES_REMEMBERED_MAX) {
      this.charges.delete(this.charges.keys().next().value as string);
    }
    this.charges.set(request.depositId, result);
    return result;
  }
}
