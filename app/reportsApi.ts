// app/reportsApi.ts — the operators' reports and the regulator's exports over HTTP (issue 15).
//
//   GET /api/operator/reports?from&to[&game][&jurisdiction][&format=csv]   the period report
//       (ledger/reports.ts), JSON or CSV (app/reportCsv.ts): admin, finance, auditor
//   GET /api/operator/exports/draws/:drawId, /exports/players/:playerId   every record about one
//       draw or one player as NDJSON (ledger/regulatorExport.ts): admin, auditor
//
// An answer here is one string (app/http.ts has no streaming body), so an export is served in
// pages of at most EXPORT_HTTP_RECORDS_MAX lines, each read in one snapshot: a page that is not
// the last ends with {"record":"page","cursor":...}, and the next is asked for with
// ?cursor=<that>. The whole export in one snapshot, of any size, is `npm run report -- export`,
// which streams it.
import type pg from 'pg';
import { AppError, ErrorCode } from '../core/errors.ts';
import type { Logger } from '../core/logger.ts';
import type { SessionPlayer } from '../ledger/players.ts';
import { encodeExportCursor, exportPage, exportSectionCount, findDrawSubject, findPlayerSubject, type ExportCursor, type ExportSubject } from '../ledger/regulatorExport.ts';
import { periodReport } from '../ledger/reports.ts';
import { accessCheck, type OperatorAccess } from './access.ts';
import type { HttpResponse, HttpRoutes } from './http.ts';
import { reportCsv } from './reportCsv.ts';
import { route, type AnyRouteSpec } from './routeSpec.ts';
import { schemas } from './schemas.ts';

/** Lines of one export answer: a few megabytes of text at most, read well within the handler's bound. */
export const EXPORT_HTTP_RECORDS_MAX = 20_000;

export interface ReportsApiDeps {
  pool: pg.Pool;
  logger: Logger;
  authenticate(token: unknown): Promise<SessionPlayer | null>;
  operators: OperatorAccess;
}

const PRIVATE = { 'cache-control': 'private, no-store' };

export function registerReportsApi(routes: HttpRoutes, deps: ReportsApiDeps): void {
  const table: AnyRouteSpec[] = [report(deps), drawExport(deps), playerExport(deps)];
  const access = accessCheck(deps);
  for (const spec of table) routes.define(spec, access);
}

const report = (deps: ReportsApiDeps) =>
  route({
    method: 'GET',
    path: '/api/operator/reports',
    summary: 'The period report: sales, prizes and GGR by draw time; payments, responsible gambling and alerts by event time; liabilities and pending withdrawals as of now; large wins. JSON or CSV',
    security: 'operator',
    roles: ['admin', 'finance', 'auditor'],
    query: schemas.reportQuery,
    responses: {
      200: 'The report (application/json), or one CSV table of figures (text/csv: section, basis, game, measure, count, amount_minor, text)',
      400: `INVALID_PERIOD: from or to not a date or ISO instant, to not after from, or the period longer than allowed; BAD_REQUEST: game, jurisdiction, format or largeWinMinor malformed`,
    },
    async handle({ query, operator }) {
      const startMs = Date.now();
      const found = await periodReport(deps.pool, { fromMs: query.from, toMs: query.to, game: query.game ?? null, jurisdiction: query.jurisdiction ?? null, largeWinThresholdMinor: query.largeWinMinor });
      deps.logger.info({ operator: operator?.name, fromMs: query.from, toMs: query.to, game: query.game, jurisdiction: query.jurisdiction, format: query.format ?? 'json', reportMs: Date.now() - startMs }, 'report read');
      if (query.format !== 'csv') return { status: 200, body: found, headers: PRIVATE };
      const name = `report-${found.period.from.slice(0, 10)}-${found.period.to.slice(0, 10)}.csv`;
      return { status: 200, raw: { contentType: 'text/csv; charset=utf-8', text: reportCsv(found) }, headers: { ...PRIVATE, 'content-disposition': `attachment; filename="${name}"` } };
    },
  });

const EXPORT_RESPONSES = {
  200: `NDJSON (application/x-ndjson), one record per line with its "record" type: at most ${EXPORT_HTTP_RECORDS_MAX} lines, the last {"record":"page","cursor":...} when more follow`,
  400: 'INVALID_CURSOR: not a cursor of this export',
  404: 'NOT_FOUND',
};

const drawExport = (deps: ReportsApiDeps) =>
  route({
    method: 'GET',
    path: '/api/operator/exports/draws/:drawId',
    summary: 'Every record about one draw, for a regulator: the draw, its auditors, settlement, tickets, prizes, refunds, held prizes, interventions, alerts and audit log; in pages',
    security: 'operator',
    roles: ['admin', 'auditor'],
    params: schemas.drawParams,
    query: schemas.exportQuery,
    responses: EXPORT_RESPONSES,
    async handle({ params, query, operator }) {
      const subject = await findDrawSubject(deps.pool, params.drawId);
      if (!subject) throw new AppError(ErrorCode.NOT_FOUND, 'no such draw', 404);
      return servePage(deps, subject, query.cursor ?? null, operator?.name);
    },
  });

const playerExport = (deps: ReportsApiDeps) =>
  route({
    method: 'GET',
    path: '/api/operator/exports/players/:playerId',
    summary: 'Every record about one player, for a regulator: profile (no secrets), limits, breaks and exclusions, status changes, identity and location checks, payments, tickets, prizes, wallet movements, alerts and audit log; in pages',
    security: 'operator',
    roles: ['admin', 'auditor'],
    params: schemas.playerParams,
    query: schemas.exportQuery,
    responses: EXPORT_RESPONSES,
    async handle({ params, query, operator }) {
      const subject = await findPlayerSubject(deps.pool, params.playerId);
      if (!subject) throw new AppError(ErrorCode.NOT_FOUND, 'no such player', 404);
      return servePage(deps, subject, query.cursor ?? null, operator?.name);
    },
  });

async function servePage(deps: ReportsApiDeps, subject: ExportSubject, cursor: ExportCursor | null, operator: string | undefined): Promise<HttpResponse> {
  if (cursor !== null && cursor.section >= exportSectionCount(subject)) throw new AppError(ErrorCode.INVALID_CURSOR, 'query parameter cursor is not a cursor this API gave');
  const page = await exportPage(deps.pool, subject, cursor, EXPORT_HTTP_RECORDS_MAX);
  // Who read whose records, into the audit log (migration 022): an export is itself something a regulator asks about.
  if (cursor === null) await deps.pool.query(`select audit_event('export.read', $1, $2, $3)`, [operator ?? 'operator', subject.auditSubject, { kind: subject.kind, id: subject.publicId }]);
  if (page.next !== null) page.lines.push(JSON.stringify({ record: 'page', cursor: encodeExportCursor(page.next) }));
  deps.logger.info({ operator, subject: subject.kind, subjectId: subject.publicId, lines: page.lines.length, first: cursor === null, more: page.next !== null }, 'export page read');
  return { status: 200, raw: { contentType: 'application/x-ndjson; charset=utf-8', text: page.lines.join('\n') + '\n' }, headers: PRIVATE };
}
