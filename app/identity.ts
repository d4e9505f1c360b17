// app/identity.ts — the identity verification (KYC) provider port and its sandbox adapter.
//
// A provider is asked to check a player (submit) and answers later, by calling our
// callback route with a body signed as core/webhook.ts says. A live provider plugs in
// behind the same interface: it sends the request to its API in submit(), and readCallback()
// checks its signature and turns its event into ProviderDecisions.
//
// The sandbox decides by the document number's last four characters (SANDBOX_IDENTITY_RULES,
// documented in the README), after `delayMs`, and calls back over HTTP like a real provider:
// signed, retried on any failure, sometimes twice or out of order, as its rules say.
import crypto from 'node:crypto';
import { z } from 'zod';
import type { Clock } from '../core/clock.ts';
import type { Logger } from '../core/logger.ts';
import { readSignedBody } from '../core/webhook.ts';
import type { IdentityDecision, ProviderDecision } from '../ledger/identity.ts';
import { WebhookSender } from './webhookSender.ts';

export interface IdentityRequest {
  /** Our check id: the provider's idempotency key and what its callbacks name. */
  checkId: string;
  playerRef: string;
  givenName: string;
  familyName: string;
  dateOfBirth: string;
  country: string;
  documentNumber: string;
}

export type CallbackReading = { ok: true; decisions: ProviderDecision[] } | { ok: false; status: 400 | 401; why: string };

export interface IdentityProvider {
  readonly name: string;
  /** Starts a check; throws if the provider cannot be reached. The decision comes by callback. */
  submit(request: IdentityRequest): Promise<{ providerRef: string }>;
  /** A callback's decisions, once its signature over the raw body is checked. */
  readCallback(headers: Record<string, string>, rawBody: Buffer, nowMs: number): CallbackReading;
  /** Stops any callback not yet made. */
  close(): void;
}

export const IDENTITY_SIGNATURE_HEADER = 'x-identity-signature';

/** The sandbox's decisions by the document number's last four characters; any other: verified. */
export const SANDBOX_IDENTITY_RULES = {
  '0000': 'refused (document_invalid)',
  '1111': 'refused (identity_mismatch)',
  '2222': 'verified, then withdrawn (document_revoked) SANDBOX_WITHDRAW_AFTER_MS later',
  '3333': 'never answers: the check stays pending (a new one may be asked after 15 minutes)',
  '4444': 'verified, the callback delivered twice',
  '5555': 'verified and then withdrawn, the withdrawal delivered first (out of order): withdrawn',
  '6666': 'the provider cannot be reached: the request fails at once (503) and nothing changes',
} as const;

export const SANDBOX_WITHDRAW_AFTER_MS = 300;

const SandboxEvent = z.strictObject({
  eventId: z.string().regex(/^sbxevt_[0-9a-f]{24}$/),
  checkId: z.string().regex(/^idc_[0-9a-f]{24}$/),
  providerRef: z.string().regex(/^sbxid_[0-9a-f]{24}$/),
  decision: z.enum(['verified', 'refused', 'withdrawn']),
  reason: z.string().max(64).nullable(),
  occurredAt: z.iso.datetime(),
});
type SandboxEvent = z.infer<typeof SandboxEvent>;

export interface SandboxIdentityOptions {
  secret: Buffer;
  delayMs: number;
  /** Where the callback goes (our base URL): read when a callback is made, after the server listens. */
  callbackBaseUrl: () => string;
  logger: Logger;
  /** The provider's clock, for its signatures and decision times (ours, in the sandbox). */
  clock: Clock;
}

export class SandboxIdentityProvider implements IdentityProvider {
  readonly name = 'sandbox';
  private readonly sender: WebhookSender;

  constructor(private readonly options: SandboxIdentityOptions) {
    this.sender = new WebhookSender({
      secret: options.secret,
      header: IDENTITY_SIGNATURE_HEADER,
      url: () => `${options.callbackBaseUrl()}/api/identity/callbacks/${this.name}`,
      logger: options.logger,
      clock: options.clock,
    });
  }

  private deliver(event: SandboxEvent, afterMs: number): void {
    this.sender.send(event, afterMs, { checkId: event.checkId, eventId: event.eventId });
  }

  async submit(request: IdentityRequest): Promise<{ providerRef: string }> {
    const rule = request.documentNumber.slice(-4);
    if (rule === '6666' || this.sender.isClosed) throw new Error('identity provider unreachable');
    const providerRef = `sbxid_${crypto.randomBytes(12).toString('hex')}`;
    const startMs = this.options.clock.nowMs();
    const event = (decision: IdentityDecision, reason: string | null, afterMs: number): SandboxEvent => ({
      eventId: `sbxevt_${crypto.randomBytes(12).toString('hex')}`,
      checkId: request.checkId,
      providerRef,
      decision,
      reason,
      occurredAt: new Date(startMs + afterMs).toISOString(),
    });
    const d = this.options.delayMs;
    const withdraw = d + SANDBOX_WITHDRAW_AFTER_MS;
    switch (rule) {
      case '0000': this.deliver(event('refused', 'document_invalid', d), d); break;
      case '1111': this.deliver(event('refused', 'identity_mismatch', d), d); break;
      case '2222': this.deliver(event('verified', null, d), d); this.deliver(event('withdrawn', 'document_revoked', withdraw), withdraw); break;
      case '3333': break;
      case '4444': { const e = event('verified', null, d); this.deliver(e, d); this.deliver(e, d + 20); break; }
      case '5555': this.deliver(event('withdrawn', 'document_revoked', d + 1), d); this.deliver(event('verified', null, d), d + 50); break;
      default: this.deliver(event('verified', null, d), d);
    }
    return { providerRef };
  }

  readCallback(headers: Record<string, string>, rawBody: Buffer, nowMs: number): CallbackReading {
    const body = readSignedBody(this.options.secret, headers[IDENTITY_SIGNATURE_HEADER], rawBody, nowMs);
    if (!body.ok) return body;
    const parsed = SandboxEvent.safeParse(body.json);
    if (!parsed.success) return { ok: false, status: 400, why: `not a sandbox identity event: ${parsed.error.issues[0].path.join('.')} ${parsed.error.issues[0].message}` };
    const e = parsed.data;
    return {
      ok: true,
      decisions: [{ provider: this.name, eventId: e.eventId, checkId: e.checkId, providerRef: e.providerRef, decision: e.decision, reason: e.reason, occurredAtMs: Date.parse(e.occurredAt) }],
    };
  }

  close(): void {
    this.sender.close();
  }
}
