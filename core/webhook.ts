// core/webhook.ts — signatures of a provider's callbacks: HMAC-SHA256 over
// `timestamp.rawBody` with a secret shared with the provider, sent as
// `t=<unix seconds>,v1=<hex>`. Checked over the bytes received (never a re-serialised
// body), in constant time, and only within WEBHOOK_TOLERANCE_SECONDS of our clock either
// way, so a captured callback cannot be replayed later.
import crypto from 'node:crypto';

export const WEBHOOK_TOLERANCE_SECONDS = 300;
const HEADER = /^t=(\d{1,12}),v1=([0-9a-f]{64})$/;

export function webhookSignature(secret: Buffer, timestampSeconds: number, rawBody: Buffer): string {
  const mac = crypto.createHmac('sha256', secret).update(`${timestampSeconds}.`).update(rawBody).digest('hex');
  return `t=${timestampSeconds},v1=${mac}`;
}

export type WebhookCheck = { ok: true } | { ok: false; why: string };

export function checkWebhookSignature(secret: Buffer, header: string | undefined, rawBody: Buffer, nowMs: number): WebhookCheck {
  const m = header === undefined ? null : HEADER.exec(header);
  if (!m) return { ok: false, why: 'the signature header is missing or not t=<seconds>,v1=<64 hex digits>' };
  const timestampSeconds = Number(m[1]);
  if (Math.abs(nowMs / 1000 - timestampSeconds) > WEBHOOK_TOLERANCE_SECONDS) {
    return { ok: false, why: `the signature's timestamp is more than ${WEBHOOK_TOLERANCE_SECONDS} s from now` };
  }
  const expected = Buffer.from(webhookSignature(secret, timestampSeconds, rawBody).slice(-64), 'hex');
  if (!crypto.timingSafeEqual(expected, Buffer.from(m[2], 'hex'))) return { ok: false, why: 'the signature does not match the body' };
  return { ok: true };
}

export type SignedBody = { ok: true; json: unknown } | { ok: false; status: 400 | 401; why: string };

/** A callback's body as JSON, once its signature is checked: 401 for the signature, 400 for a body that is not JSON. */
export function readSignedBody(secret: Buffer, header: string | undefined, rawBody: Buffer, nowMs: number): SignedBody {
  const signed = checkWebhookSignature(secret, header, rawBody, nowMs);
  if (!signed.ok) return { ok: false, status: 401, why: signed.why };
  try {
    return { ok: true, json: JSON.parse(rawBody.toString('utf8')) };
  } catch {
    return { ok: false, status: 400, why: 'the body is not JSON' };
  }
}
