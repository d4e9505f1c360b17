// draw/check.ts — one named verification result, as the verifier prints it.
import { errorMessage } from './shape.ts';

export interface Check {
  name: string;
  ok: boolean;
  detail: string;
}

/**
 * Runs one check; whatever it throws becomes a failure of that check, never an exception
 * out of the verifier (a hostile proof must not be able to crash the tool checking it).
 */
export function runCheck(name: string, body: () => { ok: boolean; detail: string }): Check {
  try {
    const { ok, detail } = body();
    return { name, ok: ok === true, detail };
  } catch (err) {
    return { name, ok: false, detail: errorMessage(err) };
  }
}

export function skipped(name: string, reason: string): Check {
  return { name, ok: false, detail: `not checked: ${reason}` };
}

export function allPassed(checks: Check[]): boolean {
  return Array.isArray(checks) && checks.length > 0 && checks.every((c) => c.ok === true);
}
