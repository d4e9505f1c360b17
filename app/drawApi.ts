// app/drawApi.ts — the public face of the verifiable draw (draw/README.md): the operator's
// key, each draw's commitments, seal, numbers and signed proof, a ticket's inclusion proof,
// the full ticket list for auditors, and the auditors' commit/reveal. One named route per
// endpoint; the table in registerDrawApi is the whole of it.
import type pg from 'pg';
import { bytesToHex, hexToBytes } from '@noble/hashes/utils.js';
import { sha256 } from '@noble/hashes/sha2.js';
import type { DrawRunner } from '../actors/DrawRunner.ts';
import { AppError, ErrorCode, invariant } from '../core/errors.ts';
import { seedCommitment } from '../draw/commit.ts';
import type { TicketRecord } from '../draw/encoding.ts';
import { inclusionProof } from '../draw/inclusion.ts';
import type { MerkleTree } from '../draw/merkle.ts';
import { drawById, drawByPublicId, type DrawRow } from '../ledger/draws.ts';
import { interventionsOf } from '../ledger/interventions.ts';
import { auditorCommitments, auditorForReveal, drawProof, registerAuditor, saveAuditorSeed } from '../ledger/drawSteps.ts';
import type { SessionPlayer } from '../ledger/players.ts';
import { ticketOwner, ticketRowId } from '../ledger/tickets.ts';
import { accessCheck, operatorOf, type OperatorAccess } from './access.ts';
import { drawView } from './api.ts';
import type { HttpRoutes } from './http.ts';
import { route, type AnyRouteSpec, type Caller } from './routeSpec.ts';
import { schemas } from './schemas.ts';
import { SEALED_TREES_CACHED_MAX } from '../core/limits.ts';

export interface DrawApiDeps {
  pool: pg.Pool;
  runner: DrawRunner;
  publicKey: string;
  operators: OperatorAccess;
  authenticate(token: unknown): Promise<SessionPlayer | null>;
}

interface SealedTree {
  tree: MerkleTree;
  records: TicketRecord[];
  indexByTicket: Map<string, number>;
}

export function registerDrawApi(routes: HttpRoutes, deps: DrawApiDeps): void {
  const trees = new SealedTrees(deps.runner);
  const table: AnyRouteSpec[] = [
    keys(deps),
    draw(deps),
    drawProofRoute(deps),
    drawTickets(deps, trees),
    ticketProof(deps, trees),
    auditorCommit(deps),
    auditorReveal(deps),
  ];
  const access = accessCheck(deps);
  for (const spec of table) routes.define(spec, access);
}

/** The last few sealed trees, for inclusion proofs and ticket lists without re-reading a draw. */
class SealedTrees {
  private readonly trees = new Map<number, Promise<SealedTree>>();

  constructor(private readonly runner: DrawRunner) {}

  of(draw: DrawRow): Promise<SealedTree> {
    let entry = this.trees.get(draw.id);
    if (!entry) {
      entry = this.runner.sealedTree(draw).then(({ tree, records }) => ({
        tree,
        records,
        indexByTicket: new Map(records.map((r, i) => [r.ticketId, i])),
      }));
      entry.catch(() => this.trees.delete(draw.id));
      this.trees.set(draw.id, entry);
      // Oldest first out: Map keeps insertion order.
      while (this.trees.size > SEALED_TREES_CACHED_MAX) this.trees.delete(this.trees.keys().next().value as number);
    }
    return entry;
  }
}

async function drawOr404(pool: pg.Pool, publicId: string): Promise<DrawRow> {
  const draw = await drawByPublicId(pool, publicId);
  if (!draw) throw new AppError(ErrorCode.NOT_FOUND, `no draw ${publicId}`, 404);
  return draw;
}

function requireSealed(draw: DrawRow): void {
  if (!draw.seal) throw new AppError(ErrorCode.DRAW_NOT_SEALED, `draw ${draw.publicId} is ${draw.status}, not sealed yet`, 409);
}

const keys = (deps: DrawApiDeps) =>
  route({
    method: 'GET',
    path: '/api/keys',
    summary: "The operator's public keys: what receipts and draw proofs are signed with",
    responses: { 200: '{ keys: [{ keyId, algorithm, publicKey, signs }] } (draw/README.md)' },
    handle: () => ({
      status: 200,
      body: {
        keys: [
          {
            keyId: bytesToHex(sha256(hexToBytes(deps.publicKey))).slice(0, 16),
            algorithm: 'ed25519',
            publicKey: deps.publicKey,
            signs: ['lottery-receipt/v1', 'lottery-draw-proof/v1', 'lottery/audit-head/v1'],
          },
        ],
      },
    }),
  });

const draw = (deps: DrawApiDeps) =>
  route({
    method: 'GET',
    path: '/api/draws/:drawId',
    summary: 'One draw: its commitments, seal, numbers and settlement',
    params: schemas.drawParams,
    responses: { 200: 'The draw', 404: 'NOT_FOUND' },
    async handle({ params }) {
      const found = await drawOr404(deps.pool, params.drawId);
      const auditors = await auditorCommitments(deps.pool, [found.id]);
      const interventions = await interventionsOf(deps.pool, [found.id]);
      return { status: 200, body: drawView(found, auditors.get(found.id), interventions.get(found.id)) };
    },
  });

const drawProofRoute = (deps: DrawApiDeps) =>
  route({
    method: 'GET',
    path: '/api/draws/:drawId/proof',
    summary: "A drawn draw's signed proof, for the standalone verifier (draw/README.md)",
    params: schemas.drawParams,
    responses: { 200: 'The signed proof', 404: 'NOT_FOUND', 409: 'DRAW_NOT_DRAWN' },
    async handle({ params: { drawId } }) {
      const found = await drawProof(deps.pool, drawId);
      if (!found) throw new AppError(ErrorCode.NOT_FOUND, `no draw ${drawId}`, 404);
      if (!found.proof) throw new AppError(ErrorCode.DRAW_NOT_DRAWN, `draw ${drawId} is ${found.status}, not drawn yet`, 409);
      return { status: 200, body: found.proof };
    },
  });

// Every sealed ticket, in canonical order, for auditors and regulators to recompute the
// root (`npm run verify -- proof.json --tickets tickets.json`).
const drawTickets = (deps: DrawApiDeps, trees: SealedTrees) =>
  route({
    method: 'GET',
    path: '/api/draws/:drawId/tickets',
    summary: "Every ticket sealed into a draw, in canonical order (draw/README.md): for auditors",
    security: 'operator',
    roles: ['admin', 'auditor'],
    params: schemas.drawParams,
    responses: { 200: 'The ticket records', 404: 'NOT_FOUND', 409: 'DRAW_NOT_SEALED' },
    async handle({ params }) {
      const found = await drawOr404(deps.pool, params.drawId);
      requireSealed(found);
      return { status: 200, body: (await trees.of(found)).records };
    },
  });

// For its owner (or an operator) only, since it carries the ticket's contents.
const ticketProof = (deps: DrawApiDeps, trees: SealedTrees) =>
  route({
    method: 'GET',
    path: '/api/tickets/:ticketId/proof',
    summary: "A ticket's Merkle inclusion proof in its draw's seal",
    security: 'sessionOrOperator',
    roles: ['admin', 'auditor', 'support'],
    params: schemas.ticketParams,
    responses: { 200: 'The inclusion proof', 404: 'NOT_FOUND: no such ticket of yours', 409: 'DRAW_NOT_SEALED' },
    async handle({ params: { ticketId }, player, operator }) {
      const rowId = ticketRowId(ticketId);
      invariant(rowId !== null, 'the ticket id passed its schema but has no row id');
      const owner = await ticketOwner(deps.pool, rowId);
      // The same answer for "not yours" and "does not exist": ids are serial numbers.
      if (!owner || (!operator && owner.playerId !== player?.playerId)) throw new AppError(ErrorCode.NOT_FOUND, 'no such ticket', 404);
      const found = await drawById(deps.pool, owner.drawId);
      invariant(found !== null, `ticket ${ticketId} names a missing draw`);
      requireSealed(found);
      const sealed = await trees.of(found);
      const index = sealed.indexByTicket.get(ticketId);
      if (index === undefined) throw new AppError(ErrorCode.INTERNAL_ERROR, 'ticket missing from its sealed draw', 500);
      return { status: 200, body: inclusionProof(sealed.tree, index, sealed.records[index]) };
    },
  });

/** An auditor commits and reveals under their own operator name only. */
function ownAuditorName(caller: Caller, named: string | undefined): string {
  const self = operatorOf(caller).name;
  if (named !== undefined && named !== self) throw new AppError(ErrorCode.FORBIDDEN, `you are ${self}: an auditor commits and reveals their own seed only`, 403);
  return self;
}

const auditorCommit = (deps: DrawApiDeps) =>
  route({
    method: 'POST',
    path: '/api/operator/draws/:drawId/auditors',
    summary: "Register your seed commitment as an auditor, under your own operator name, before the draw opens",
    security: 'operator',
    roles: ['auditor'],
    params: schemas.drawParams,
    body: schemas.auditorCommit,
    responses: { 201: 'Committed', 404: 'NOT_FOUND', 409: 'TOO_LATE or ALREADY_EXISTS' },
    async handle(caller) {
      const { params, body } = caller;
      const name = ownAuditorName(caller, body.name);
      const commitment = body.commitment;
      const found = await drawOr404(deps.pool, params.drawId);
      const result = await registerAuditor(deps.pool, found.publicId, name, hexToBytes(commitment));
      if (result === 'too_late') throw new AppError(ErrorCode.TOO_LATE, 'auditor commitments are taken only before the draw opens', 409);
      if (result === 'exists') throw new AppError(ErrorCode.ALREADY_EXISTS, `auditor ${name} is already committed to this draw`, 409);
      return { status: 201, body: { drawId: found.publicId, name, commitment } };
    },
  });

const auditorReveal = (deps: DrawApiDeps) =>
  route({
    method: 'POST',
    path: '/api/operator/draws/:drawId/auditors/:name/reveal',
    summary: "Reveal your seed as an auditor, after the seal and before the draw (or while the draw is halted waiting for it)",
    security: 'operator',
    roles: ['auditor'],
    params: schemas.auditorParams,
    body: schemas.auditorReveal,
    responses: { 200: 'Revealed (again, if it was)', 404: 'NOT_FOUND', 409: 'TOO_EARLY or TOO_LATE', 422: 'COMMITMENT_MISMATCH' },
    async handle(caller) {
      const { params: { drawId }, body } = caller;
      const name = ownAuditorName(caller, caller.params.name);
      const found = await drawOr404(deps.pool, drawId);
      const seed = hexToBytes(body.seed);
      const auditor = await auditorForReveal(deps.pool, found.publicId, name);
      if (!auditor) throw new AppError(ErrorCode.NOT_FOUND, `auditor ${name} has no commitment for this draw`, 404);
      if (bytesToHex(seedCommitment(found.publicId, `auditor:${name}`, seed)) !== bytesToHex(auditor.commitment)) {
        throw new AppError(ErrorCode.COMMITMENT_MISMATCH, 'the seed does not match the committed value', 422);
      }
      const revealed = { status: 200, body: { drawId: found.publicId, name, revealed: true } };
      if (auditor.revealed) return revealed;
      if (auditor.status === 'scheduled' || auditor.status === 'open' || auditor.status === 'closed') {
        throw new AppError(ErrorCode.TOO_EARLY, 'auditor seeds are revealed only after the draw is sealed', 409);
      }
      if (!(await saveAuditorSeed(deps.pool, auditor.drawId, name, seed))) {
        throw new AppError(ErrorCode.TOO_LATE, `draw ${found.publicId} is ${found.status}: too late to reveal`, 409);
      }
      return revealed;
    },
  });
