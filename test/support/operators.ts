// test/support/operators.ts — operator accounts for tests, through the public API: the first
// admin from the bootstrap token the harness configures, then one operator per role, each
// logged in with a password and a current TOTP code as a person would.
import { totpAt } from '../../core/totp.ts';

/** The harness starts every server with this bootstrap token (test/support/harness.ts). */
export const TEST_BOOTSTRAP_TOKEN = 'test-bootstrap-token-0123456789';
export const TEST_OPERATOR_PASSWORD = 'operator password 0123';

export type Role = 'admin' | 'finance' | 'auditor' | 'support';

export interface OperatorLogin {
  name: string;
  role: Role;
  secret: Buffer;
  token: string;
  /** Authorization and content type for fetch. */
  headers: Record<string, string>;
}

/** RFC 4648 base32, as authenticator apps read the secret. */
export function base32Decode(text: string): Buffer {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = 0;
  let value = 0;
  const out: number[] = [];
  for (const ch of text) {
    value = (value << 5) | alphabet.indexOf(ch);
    bits += 5;
    if (bits >= 8) {
      out.push((value >>> (bits - 8)) & 255);
      bits -= 8;
    }
  }
  return Buffer.from(out);
}

async function post(base: string, path: string, body: unknown, token?: string) {
  const res = await fetch(base + path, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json().catch(() => null)) as any };
}

/** Each TOTP step logs an operator in once: the next login of the same secret takes the next step. */
const lastStepOf = new Map<string, number>();

/** A login with a fresh code (the next step's while the current one is taken: the window allows one step ahead). */
export async function operatorLogin(base: string, name: string, secret: Buffer, nowMs: () => number = Date.now, password = TEST_OPERATOR_PASSWORD): Promise<OperatorLogin> {
  const key = secret.toString('hex');
  const current = Math.floor(nowMs() / 30_000);
  const step = Math.max(current, (lastStepOf.get(key) ?? -1) + 1);
  if (step > current + 1) throw new Error(`operator ${name} logged in too often for its TOTP window`);
  lastStepOf.set(key, step);
  const res = await post(base, '/api/operator/login', { name, password, code: totpAt(secret, step * 30_000) });
  if (res.status !== 200) throw new Error(`operator login ${name}: ${res.status} ${JSON.stringify(res.body)}`);
  const token = res.body.token as string;
  return { name, role: res.body.operator.role, secret, token, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' } };
}

/** The first admin, through the bootstrap, logged in. */
export async function bootstrapAdmin(base: string, name = 'admin', nowMs: () => number = Date.now): Promise<OperatorLogin> {
  const res = await post(base, '/api/operator/bootstrap', { token: TEST_BOOTSTRAP_TOKEN, name, password: TEST_OPERATOR_PASSWORD });
  if (res.status !== 201) throw new Error(`bootstrap: ${res.status} ${JSON.stringify(res.body)}`);
  return operatorLogin(base, name, base32Decode(res.body.totp.secret), nowMs);
}

/** An operator of `role` created by `admin`, logged in. */
export async function createOperator(base: string, admin: OperatorLogin, name: string, role: Role, nowMs: () => number = Date.now): Promise<OperatorLogin> {
  const res = await post(base, '/api/operator/operators', { name, role, password: TEST_OPERATOR_PASSWORD }, admin.token);
  if (res.status !== 201) throw new Error(`create operator ${name}: ${res.status} ${JSON.stringify(res.body)}`);
  return operatorLogin(base, name, base32Decode(res.body.totp.secret), nowMs);
}

const teams = new Map<string, Promise<Record<Role, OperatorLogin>>>();

/**
 * One logged-in operator per role on the server at `base` (made once per server): admin
 * (the bootstrap's), finance, auditor and support.
 */
export function operators(base: string, nowMs: () => number = Date.now): Promise<Record<Role, OperatorLogin>> {
  let team = teams.get(base);
  if (!team) {
    team = (async () => {
      const admin = await bootstrapAdmin(base, 'admin', nowMs);
      return {
        admin,
        finance: await createOperator(base, admin, 'finance', 'finance', nowMs),
        auditor: await createOperator(base, admin, 'auditor', 'auditor', nowMs),
        support: await createOperator(base, admin, 'support', 'support', nowMs),
      };
    })();
    teams.set(base, team);
  }
  return team;
}
