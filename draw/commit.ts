// draw/commit.ts — commitments to the secret seeds of a draw.
//
// Each seed is 32 bytes from a CSPRNG, so its commitment (a domain-separated SHA-256) hides
// it until the reveal, and binds its owner: no other seed has the same commitment. The
// draw id and role are inside the hash, so a commitment cannot be replayed for another
// draw or passed off as another participant's.
import { sha256 } from '@noble/hashes/sha2.js';
import { assertBytes, ByteWriter } from './bytes.ts';

export const SEED_BYTES = 32;
export const OPERATOR_ROLE = 'operator';
export const AUDITOR_ROLE_PREFIX = 'auditor:';

/** The role of an auditor in commitments: "auditor:<name>". */
export function auditorRole(name: string): string {
  return AUDITOR_ROLE_PREFIX + name;
}

/** SHA-256(str("lottery/seed-commitment/v1") || str(drawId) || str(role) || seed). */
export function seedCommitment(drawId: string, role: string, seed: Uint8Array): Uint8Array {
  if (role !== OPERATOR_ROLE && !(typeof role === 'string' && role.startsWith(AUDITOR_ROLE_PREFIX) && role.length > AUDITOR_ROLE_PREFIX.length)) {
    throw new Error(`role must be "${OPERATOR_ROLE}" or "${AUDITOR_ROLE_PREFIX}<name>"`);
  }
  assertBytes(seed, 'seed', SEED_BYTES);
  const w = new ByteWriter(128);
  w.str('lottery/seed-commitment/v1', 'label').str(drawId, 'drawId').str(role, 'role').bytes(seed);
  return sha256(w.finish());
}
