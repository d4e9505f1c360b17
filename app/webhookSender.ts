// app/webhookSender.ts — how the sandbox providers (identity, payments) call us back, as a real
// provider does: the body signed as core/webhook.ts says, POSTed after a delay, and sent again
// with a doubling wait until a 2xx, at most DELIVERY_ATTEMPTS_MAX times.
import type { Clock } from '../core/clock.ts';
import type { Logger } from '../core/logger.ts';
import { webhookSignature } from '../core/webhook.ts';

const DELIVERY_ATTEMPTS_MAX = 6;
const DELIVERY_RETRY_FIRST_MS = 250;
const DELIVERY_TIMEOUT_MS = 5_000;

export interface WebhookSenderOptions {
  secret: Buffer;
  /** The signature header's name. */
  header: string;
  /** The full URL, read when a callback is made (after the server listens). */
  url: () => string;
  logger: Logger;
  /** The provider's clock, for its signatures. */
  clock: Clock;
}

export class WebhookSender {
  private readonly timers = new Set<NodeJS.Timeout>();
  private closed = false;

  constructor(private readonly options: WebhookSenderOptions) {}

  /** POSTs `event` as JSON after `afterMs`, retrying until a 2xx. `about` names it in the log if given up. */
  send(event: object, afterMs: number, about: Record<string, unknown>, attempt = 1): void {
    if (this.closed) return;
    const timer = setTimeout(async () => {
      this.timers.delete(timer);
      const body = Buffer.from(JSON.stringify(event));
      const signature = webhookSignature(this.options.secret, Math.floor(this.options.clock.nowMs() / 1000), body);
      let status = 0;
      try {
        const res = await fetch(this.options.url(), {
          method: 'POST',
          headers: { 'content-type': 'application/json', [this.options.header]: signature },
          body,
          signal: AbortSignal.timeout(DELIVERY_TIMEOUT_MS),
        });
        status = res.status;
        await res.arrayBuffer();
      } catch {
        status = 0;
      }
      if (status >= 200 && status < 300) return;
      if (attempt >= DELIVERY_ATTEMPTS_MAX) {
        this.options.logger.warn({ ...about, status }, 'sandbox callback given up');
        return;
      }
      this.send(event, DELIVERY_RETRY_FIRST_MS * 2 ** (attempt - 1), about, attempt + 1);
    }, afterMs);
    this.timers.add(timer);
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /** Stops every callback not yet made. */
  close(): void {
    this.closed = true;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
  }
}
