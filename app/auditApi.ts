// app/auditApi.ts — the audit log for auditors and admins: its records in order (optionally
// about one subject or of one kind), and the whole chain verified on demand, as
// `npm run audit:verify` does (ledger/audit.ts).
import type pg from 'pg';
import { z } from 'zod';
import type { Clock } from '../core/clock.ts';
import { auditRecords, verifyChain } from '../ledger/audit.ts';
import { accessCheck, type AccessDeps } from './access.ts';
import type { HttpRoutes } from './http.ts';
import { route } from './routeSpec.ts';

export interface AuditApiDeps extends AccessDeps {
  pool: pg.Pool;
  clock: Clock;
  /** The operator's public key (hex): signed heads must verify with it. */
  publicKey: string;
}

const AUDIT_PAGE_MAX = 1_000;
const READERS = ['admin', 'auditor'] as const;

const auditQuery = z.strictObject({
  after: z.string().regex(/^\d{1,15}$/, 'is not a record number').optional().describe('Records after this seq (0: from the first)'),
  subject: z.string().regex(/^[A-Za-z0-9_.:-]{1,80}$/, 'is not a subject').optional().describe('A draw id, player:<id>, operator:<name>, alert:<id>'),
  kind: z.string().regex(/^[a-z_.]{1,60}$/, 'is not a kind').optional().describe('A kind or its prefix: draw., operator.request'),
  limit: z.string().regex(/^\d{1,4}$/, 'is not a number').optional().describe(`At most ${AUDIT_PAGE_MAX}; 100 by default`),
});

export function registerAuditApi(routes: HttpRoutes, deps: AuditApiDeps): void {
  const access = accessCheck(deps);
  routes.define(
    route({
      method: 'GET',
      path: '/api/operator/audit',
      summary: 'Audit records in order, each with its hash: { records: [{ seq, at, kind, actor, subject, details, hash }], next }',
      security: 'operator',
      roles: READERS,
      query: auditQuery,
      responses: { 200: '{ records, next }: pass next as after for the following page (null at the end)' },
      async handle({ query }) {
        const limit = Math.min(AUDIT_PAGE_MAX, Math.max(1, Number(query.limit ?? 100)));
        const records = await auditRecords(deps.pool, { afterSeq: Number(query.after ?? 0), subject: query.subject, kindPrefix: query.kind, limit });
        return { status: 200, body: { records, next: records.length === limit ? String(records[records.length - 1].seq) : null } };
      },
    }),
    access,
  );
  routes.define(
    route({
      method: 'GET',
      path: '/api/operator/audit/verification',
      summary: 'The whole audit chain checked now: every record\'s hash and link, every signed head; the first record altered or missing',
      security: 'operator',
      roles: READERS,
      responses: { 200: '{ ok, records, signedHeads, lastSignedSeq, pending, oldestPendingAgeMs, problems: [{ seq, problem }] }' },
      handle: async () => ({ status: 200, body: await verifyChain(deps.pool, deps.publicKey, deps.clock.nowMs()) }),
    }),
    access,
  );
}
