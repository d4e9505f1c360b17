// app/drawApi.ts — the public face of the verifiable draw (draw/README.md): the operator's
// key, each draw's commitments, seal, numbers and signed proof, a ticket's inclusion proof,
// the full ticket list for auditors, and the auditors' commit/reveal.
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
import { auditorCommitments, auditorForReveal, drawProof, registerAuditor, saveAuditorSeed } from '../ledger/drawSteps.ts';
import type { SessionPlayer } from '../ledger/players.ts';
import { ticketOwner, ticketRowId } from '../ledger/tickets.ts';
import { drawView, isOperator, operatorRequired } from './api.ts';
import { bearerToken, type HttpRequest, type HttpRoutes } from './http.ts';
import { bodyObject, stringField } from './validate.ts';
import { DRAW_ID_PATTERN, HEX_32_PATTERN } from '../core/patterns.ts';

export interface DrawApiDeps {
  pool: pg.Pool;
  runner: DrawRunner;
  publicKey: string;
  operatorCredentials?: string;
  authenticate(token: unknown): Promise<SessionPlayer | null>;
}

const AUDITOR_NAME_PATTERN = /^[a-z0-9][a-z0-9_.-]{0,31}$/;
/** Sealed trees kept in memory for inclusion proofs (~64 bytes per ticket each). */
const SEALED_TREES_CACHED_MAX = 2;

interface SealedTree {
  tree: MerkleTree;
  records: TicketRecord[];
  indexByTicket: Map<string, number>;
}

export function registerDrawApi(routes: HttpRoutes, deps: DrawApiDeps): void {
  const { pool, runner } = deps;
  const trees = new Map<number, Promise<SealedTree>>();

  function sealedTree(draw: DrawRow): Promise<SealedTree> {
    let entry = trees.get(draw.id);
    if (!entry) {
      entry = runner.sealedTree(draw).then(({ tree, records }) => ({
        tree,
        records,
        indexByTicket: new Map(records.map((r, i) => [r.ticketId, i])),
      }));
      entry.catch(() => trees.delete(draw.id));
      trees.set(draw.id, entry);
      // Oldest first out: Map keeps insertion order.
      while (trees.size > SEALED_TREES_CACHED_MAX) trees.delete(trees.keys().next().value as number);
    }
    return entry;
  }

  function drawIdOf(req: HttpRequest): string {
    const id = req.params.drawId;
    if (!DRAW_ID_PATTERN.test(id)) throw new AppError(ErrorCode.BAD_REQUEST, 'malformed draw id');
    return id;
  }

  async function drawOr404(req: HttpRequest): Promise<DrawRow> {
    const id = drawIdOf(req);
    const draw = await drawByPublicId(pool, id);
    if (!draw) throw new AppError(ErrorCode.NOT_FOUND, `no draw ${id}`, 404);
    return draw;
  }

  function requireSealed(draw: DrawRow): void {
    if (!draw.seal) throw new AppError(ErrorCode.DRAW_NOT_SEALED, `draw ${draw.publicId} is ${draw.status}, not sealed yet`, 409);
  }

  routes.get('/api/keys', () => ({
    status: 200,
    body: {
      keys: [
        {
          keyId: bytesToHex(sha256(hexToBytes(deps.publicKey))).slice(0, 16),
          algorithm: 'ed25519',
          publicKey: deps.publicKey,
          signs: ['lottery-receipt/v1', 'lottery-draw-proof/v1'],
        },
      ],
    },
  }));

  routes.get('/api/draws/:drawId', async (req) => {
    const draw = await drawOr404(req);
    const auditors = await auditorCommitments(pool, [draw.id]);
    return { status: 200, body: drawView(draw, auditors.get(draw.id)) };
  });

  routes.get('/api/draws/:drawId/proof', async (req) => {
    const id = drawIdOf(req);
    const found = await drawProof(pool, id);
    if (!found) throw new AppError(ErrorCode.NOT_FOUND, `no draw ${id}`, 404);
    if (!found.proof) throw new AppError(ErrorCode.DRAW_NOT_DRAWN, `draw ${id} is ${found.status}, not drawn yet`, 409);
    return { status: 200, body: found.proof };
  });

  // Every sealed ticket, in canonical order, for auditors and regulators to recompute the
  // root (`npm run verify -- proof.json --tickets tickets.json`).
  routes.get('/api/draws/:drawId/tickets', async (req) => {
    if (!isOperator(req, deps.operatorCredentials)) return operatorRequired();
    const draw = await drawOr404(req);
    requireSealed(draw);
    return { status: 200, body: (await sealedTree(draw)).records };
  });

  // A ticket's inclusion path: for its owner (or an operator) only, since it carries the
  // ticket's contents.
  routes.get('/api/tickets/:ticketId/proof', async (req) => {
    const rowId = ticketRowId(req.params.ticketId);
    if (rowId === null) throw new AppError(ErrorCode.BAD_REQUEST, 'malformed ticket id');
    const operator = isOperator(req, deps.operatorCredentials);
    const player = operator ? null : await deps.authenticate(bearerToken(req));
    if (!operator && !player) throw new AppError(ErrorCode.UNAUTHORIZED, 'missing, expired or revoked session token', 401);
    const owner = await ticketOwner(pool, rowId);
    // The same answer for "not yours" and "does not exist": ids are serial numbers.
    if (!owner || (!operator && owner.playerId !== player!.playerId)) throw new AppError(ErrorCode.NOT_FOUND, 'no such ticket', 404);
    const draw = await drawById(pool, owner.drawId);
    invariant(draw !== null, `ticket ${req.params.ticketId} names a missing draw`);
    requireSealed(draw);
    const sealed = await sealedTree(draw);
    const index = sealed.indexByTicket.get(req.params.ticketId);
    if (index === undefined) throw new AppError(ErrorCode.INTERNAL_ERROR, 'ticket missing from its sealed draw', 500);
    return { status: 200, body: inclusionProof(sealed.tree, index, sealed.records[index]) };
  });

  routes.post('/api/operator/draws/:drawId/auditors', async (req) => {
    if (!isOperator(req, deps.operatorCredentials)) return operatorRequired();
    const draw = await drawOr404(req);
    const body = bodyObject(req.body, ['name', 'commitment']);
    const name = stringField(body, 'name', 1, 32, AUDITOR_NAME_PATTERN);
    const commitment = stringField(body, 'commitment', 64, 64, HEX_32_PATTERN);
    const result = await registerAuditor(pool, draw.publicId, name, hexToBytes(commitment));
    if (result === 'too_late') throw new AppError(ErrorCode.TOO_LATE, 'auditor commitments are taken only before the draw opens', 409);
    if (result === 'exists') throw new AppError(ErrorCode.ALREADY_EXISTS, `auditor ${name} is already committed to this draw`, 409);
    return { status: 201, body: { drawId: draw.publicId, name, commitment } };
  });

  routes.post('/api/operator/draws/:drawId/auditors/:name/reveal', async (req) => {
    if (!isOperator(req, deps.operatorCredentials)) return operatorRequired();
    const draw = await drawOr404(req);
    const name = req.params.name;
    if (!AUDITOR_NAME_PATTERN.test(name)) throw new AppError(ErrorCode.BAD_REQUEST, 'malformed auditor name');
    const body = bodyObject(req.body, ['seed']);
    const seed = hexToBytes(stringField(body, 'seed', 64, 64, HEX_32_PATTERN));
    const auditor = await auditorForReveal(pool, draw.publicId, name);
    if (!auditor) throw new AppError(ErrorCode.NOT_FOUND, `auditor ${name} has no commitment for this draw`, 404);
    if (bytesToHex(seedCommitment(draw.publicId, `auditor:${name}`, seed)) !== bytesToHex(auditor.commitment)) {
      throw new AppError(ErrorCode.COMMITMENT_MISMATCH, 'the seed does not match the committed value', 422);
    }
    if (auditor.revealed) return { status: 200, body: { drawId: draw.publicId, name, revealed: true } };
    if (auditor.status === 'scheduled' || auditor.status === 'open' || auditor.status === 'closed') {
      throw new AppError(ErrorCode.TOO_EARLY, 'auditor seeds are revealed only after the draw is sealed', 409);
    }
    if (!(await saveAuditorSeed(pool, auditor.drawId, name, seed))) {
      throw new AppError(ErrorCode.TOO_LATE, `draw ${draw.publicId} is ${draw.status}: too late to reveal`, 409);
    }
    return { status: 200, body: { drawId: draw.publicId, name, revealed: true } };
  });
}
