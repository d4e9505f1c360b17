// app/schemas.ts — what every HTTP route accepts, stated once as zod schemas: the routes
// parse with them (app/routeSpec.ts) and the OpenAPI document is generated from them
// (app/openapi.ts). Messages are short predicates; the field's name is put in front of
// them when a request is refused ("email must be 3..254 characters").
import { z } from 'zod';
import type { StatementCursor } from '../ledger/statement.ts';
import { ErrorCode } from '../core/errors.ts';
import {
  DEPOSIT_AMOUNT_MINOR_MAX,
  DEPOSIT_AMOUNT_MINOR_MIN,
  STATEMENT_PAGE_DEFAULT,
  STATEMENT_PAGE_MAX,
  WITHDRAWAL_AMOUNT_MINOR_MAX,
  WITHDRAWAL_AMOUNT_MINOR_MIN,
  DRAWS_LISTED_MAX,
  EMAIL_LENGTH_MAX,
  GAME_ID_LENGTH_MAX,
  IDEMPOTENCY_KEY_LENGTH_MAX,
  PASSWORD_LENGTH_MAX,
  PASSWORD_LENGTH_MIN,
  REGION_LENGTH_MAX,
  TICKET_HISTORY_PAGE_DEFAULT,
  TICKET_HISTORY_PAGE_MAX,
  TICKET_HISTORY_PERIOD_MS_MAX,
  TICKET_HISTORY_PERIOD_MS_MIN,
} from '../core/limits.ts';
import { DRAW_ID_PATTERN, HEX_32_PATTERN } from '../core/patterns.ts';
import { LARGE_WIN_THRESHOLD_MINOR_DEFAULT, REPORT_PERIOD_DAYS_MAX, REPORT_PERIOD_MS_MAX } from '../ledger/reports.ts';
import { decodeExportCursor } from '../ledger/regulatorExport.ts';
import { ticketRowId } from '../ledger/tickets.ts';
import { OPERATOR_ROLES } from '../core/operatorRoles.ts';
import { isCalendarDate, textProblem, type TextKind } from './validate.ts';

const EMAIL_PATTERN = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const IDEMPOTENCY_KEY_PATTERN = /^[A-Za-z0-9_.:-]+$/;
const COUNTRY_PATTERN = /^[A-Za-z]{2}$/;
const DATE_PATTERN = /^\d{4}-\d{2}-\d{2}$/;
const GAME_ID_PATTERN = new RegExp(`^[A-Za-z0-9_.:-]{1,${GAME_ID_LENGTH_MAX}}$`);
export const AUDITOR_NAME_PATTERN = /^[a-z0-9][a-z0-9_.-]{0,31}$/;
export const EXPOSED_MATCHMAKE_METHODS = ['joinOrCreate', 'join', 'joinById', 'reconnect'] as const;

/**
 * A string of min..max UTF-16 units that is acceptable text of its kind (app/validate.ts:
 * never NUL or a lone surrogate; a line has no control characters either), then matches
 * `pattern` if given.
 */
export function text(min: number, max: number, pattern?: RegExp, kind: TextKind = 'line') {
  const length = z
    .string({ error: 'must be a string' })
    .min(min, `must be ${min}..${max} characters`)
    .max(max, `must be ${min}..${max} characters`)
    .superRefine((value, ctx) => {
      const problem = textProblem(value, kind);
      if (problem) ctx.addIssue({ code: 'custom', message: problem });
    });
  return pattern ? length.regex(pattern, 'has an invalid format') : length;
}

/** Every answer that is not a success: a stable machine-readable code and words for people. */
export const ErrorBody = z
  .object({
    code: z.string().regex(/^[A-Z_]+$/).describe('Stable, machine-readable (core/errors.ts)'),
    message: z.string().describe('For people; may change'),
  });

/** A body must be a JSON object with only the fields named: an unknown field is refused by name. */
function body<T extends z.ZodRawShape>(shape: T) {
  return z.strictObject(shape, { error: 'body must be a JSON object' });
}

const DrawId = z.string().regex(DRAW_ID_PATTERN, 'is malformed').describe('A draw\'s public id, e.g. lotto649-2026-05-01');

/**
 * A query parameter whose refusal has a code of its own instead of BAD_REQUEST: `check`
 * returns what is wrong (a predicate for the field's name to precede) or null, and the
 * issue carries the code (app/routeSpec.ts parseInput reads it).
 */
function coded(code: ErrorCode, check: (value: string) => string | null) {
  return z.string({ error: 'must be a string' }).superRefine((value, ctx) => {
    const problem = check(value);
    if (problem !== null) ctx.addIssue({ code: 'custom', message: problem, params: { code } });
  });
}

/**
 * A history cursor: opaque to clients, base64url of "t1:<ticket row id>" here. It names
 * only a position among the caller's own tickets (ledger/ticketHistory.ts checks that it is
 * one of theirs), so forging one gains nothing; the version lets the form change.
 */
const CURSOR_PATTERN = /^[A-Za-z0-9_-]{1,32}$/;
const CURSOR_TEXT = /^t1:([1-9][0-9]{0,15})$/;

export function encodeHistoryCursor(ticketRowId: number): string {
  return Buffer.from(`t1:${ticketRowId}`, 'utf8').toString('base64url');
}

/** The ticket row id a cursor names, or null if it is not a cursor we made. */
export function decodeHistoryCursor(cursor: string): number | null {
  if (!CURSOR_PATTERN.test(cursor)) return null;
  const m = CURSOR_TEXT.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  const rowId = m ? Number(m[1]) : NaN;
  return Number.isSafeInteger(rowId) ? rowId : null;
}

/**
 * A statement cursor: base64url of "s1:<microseconds>:<source>:<id>", the last movement of the page
 * (app/walletApi.ts). Only ever compared with the caller's own movements.
 */
const STATEMENT_CURSOR_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;
const STATEMENT_CURSOR_TEXT = /^s1:(\d{1,16}):([0-9]):([1-9][0-9]{0,15})$/;

export function encodeStatementCursor(c: StatementCursor): string {
  return Buffer.from(`s1:${c.atUs}:${c.source}:${c.id}`, 'utf8').toString('base64url');
}

export function decodeStatementCursor(cursor: string): StatementCursor | null {
  if (!STATEMENT_CURSOR_PATTERN.test(cursor)) return null;
  const m = STATEMENT_CURSOR_TEXT.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  if (!m) return null;
  const c = { atUs: Number(m[1]), source: Number(m[2]), id: Number(m[3]) };
  return Number.isSafeInteger(c.atUs) && Number.isSafeInteger(c.id) ? c : null;
}

const PERIOD_TEXT = `must be an ISO 8601 instant with its offset, e.g. 2026-05-01T00:00:00Z, from ${new Date(TICKET_HISTORY_PERIOD_MS_MIN).toISOString().slice(0, 10)} to ${new Date(TICKET_HISTORY_PERIOD_MS_MAX).toISOString().slice(0, 10)}`;
const isoInstant = z.iso.datetime({ offset: true });

/** An instant of a history period, in epoch ms: a real calendar instant (zod's ISO check), within bounds. */
const periodInstant = (describe: string) =>
  coded(ErrorCode.INVALID_PERIOD, (v) => {
    const ms = v.length <= 40 && isoInstant.safeParse(v).success ? Date.parse(v) : NaN;
    return ms >= TICKET_HISTORY_PERIOD_MS_MIN && ms <= TICKET_HISTORY_PERIOD_MS_MAX ? null : PERIOD_TEXT;
  })
    .transform((v) => Date.parse(v))
    .optional()
    .meta({ description: describe, format: 'date-time' });

const LIMIT_TEXT = `must be a whole number 1..${TICKET_HISTORY_PAGE_MAX}`;

/** GET /api/tickets: filters, a page size and a cursor; every refusal with its own code. */
const ticketsQuery = z
  .object({
    game: z.string().regex(GAME_ID_PATTERN, 'is malformed').optional().describe('Only tickets of this game (GET /api/games ids)'),
    draw: DrawId.optional().describe("Only tickets of this draw (its public id)"),
    from: periodInstant('Only tickets received at or after this instant (ISO 8601, e.g. 2026-05-01T00:00:00Z)'),
    to: periodInstant('Only tickets received before this instant (ISO 8601)'),
    limit: coded(ErrorCode.INVALID_LIMIT, (v) => (/^\d{1,3}$/.test(v) && Number(v) >= 1 && Number(v) <= TICKET_HISTORY_PAGE_MAX ? null : LIMIT_TEXT))
      .transform(Number)
      .optional()
      .meta({ description: `Tickets per page, 1..${TICKET_HISTORY_PAGE_MAX}; ${TICKET_HISTORY_PAGE_DEFAULT} when absent`, pattern: '^[0-9]{1,3}$' }),
    cursor: coded(ErrorCode.INVALID_CURSOR, (v) => (decodeHistoryCursor(v) === null ? 'is not a cursor this API gave' : null))
      .transform((v) => decodeHistoryCursor(v)!)
      .optional()
      .meta({ description: 'nextCursor of the previous page, as it was; absent for the newest tickets', pattern: CURSOR_PATTERN.source }),
  })
  .superRefine((q, ctx) => {
    if (q.from !== undefined && q.to !== undefined && q.from >= q.to) {
      ctx.addIssue({ code: 'custom', path: ['to'], message: 'must be after from', params: { code: ErrorCode.INVALID_PERIOD } });
    }
  });

/** A limit's amount in minor units: 1 up to a billion major units. */
const LIMIT_AMOUNT_MAX = 100_000_000_000;
const limitAmount = z.int({ error: 'must be a whole number of minor units' }).min(1, `must be 1..${LIMIT_AMOUNT_MAX}`).max(LIMIT_AMOUNT_MAX, `must be 1..${LIMIT_AMOUNT_MAX}`);
const limitPeriods = z.strictObject(
  { day: limitAmount.optional(), week: limitAmount.optional(), month: limitAmount.optional() },
  { error: 'must be an object of day, week and month amounts' },
);
/** Limits chosen at registration: per kind, per period, in minor units. */
const limitTable = z
  .strictObject({ deposit: limitPeriods.optional(), stake: limitPeriods.optional(), loss: limitPeriods.optional() }, { error: 'must be an object of deposit, stake and loss limits' })
  .describe('Limits of your own, replacing your jurisdiction\'s defaults for the periods you name; each at most its maximum');

/** A name as a document shows it: letters of any script, spaces, apostrophes, hyphens and dots. */
const PERSON_NAME_PATTERN = /^[\p{L}\p{M}][\p{L}\p{M} '.-]*$/u;
/** A document number as printed, letters and digits; the sandbox decides by its last four (app/identity.ts). */
const DOCUMENT_NUMBER_PATTERN = /^[A-Z0-9]{6,20}$/;

const TOTP_CODE_PATTERN = /^\d{6}$/;
export const OPERATOR_NAME_PATTERN = /^[a-z][a-z0-9_.-]{1,31}$/;
/** Operators guard money and draws: a longer password than players need. */
const OPERATOR_PASSWORD_LENGTH_MIN = 12;

/** Reports (app/reportsApi.ts): a day as YYYY-MM-DD (its UTC midnight) or an ISO 8601 instant with its offset, 2000..2200. */
const REPORT_INSTANT_MS_MIN = Date.UTC(2000, 0, 1);
const REPORT_INSTANT_MS_MAX = Date.UTC(2200, 0, 1);
const REPORT_INSTANT_TEXT = 'must be a date YYYY-MM-DD (UTC midnight) or an ISO 8601 instant with its offset, e.g. 2026-12-01T00:00:00Z, from 2000 to 2200';

export function reportInstantMs(v: string): number | null {
  const ms = v.length > 40 ? NaN : DATE_PATTERN.test(v) && isCalendarDate(v) ? Date.parse(`${v}T00:00:00Z`) : isoInstant.safeParse(v).success ? Date.parse(v) : NaN;
  return ms >= REPORT_INSTANT_MS_MIN && ms <= REPORT_INSTANT_MS_MAX ? ms : null;
}

const reportInstant = (describe: string) =>
  coded(ErrorCode.INVALID_PERIOD, (v) => (reportInstantMs(v) === null ? REPORT_INSTANT_TEXT : null))
    .transform((v) => reportInstantMs(v)!)
    .meta({ description: describe });

const JURISDICTION_PATTERN = /^[A-Z]{2}(-[A-Z0-9]{1,16})?$/;

/** GET /api/operator/reports: a period of at most REPORT_PERIOD_DAYS_MAX days, optionally one game or jurisdiction. */
const reportQuery = z
  .object({
    from: reportInstant('Start of the period, included: 2026-12-01 or 2026-12-01T00:00:00Z'),
    to: reportInstant('End of the period, excluded: 2026-12-02 covers all of 2026-12-01'),
    game: z.string().regex(GAME_ID_PATTERN, 'is malformed').optional().describe('Only this game (GET /api/games ids)'),
    jurisdiction: z.string().regex(JURISDICTION_PATTERN, 'is malformed').optional().describe('Only players of this jurisdiction, e.g. DE or US-NJ'),
    format: z.enum(['json', 'csv'], { error: 'must be "json" or "csv"' }).optional().describe('json (default) or csv'),
    largeWinMinor: z
      .string()
      .regex(/^[1-9][0-9]{0,12}$/, 'must be a whole number of minor units, 1..10^13')
      .transform(Number)
      .optional()
      .describe(`A prize at or above this is a large win; ${LARGE_WIN_THRESHOLD_MINOR_DEFAULT} when absent`),
  })
  .superRefine((q, ctx) => {
    if (q.from >= q.to) ctx.addIssue({ code: 'custom', path: ['to'], message: 'must be after from', params: { code: ErrorCode.INVALID_PERIOD } });
    else if (q.to - q.from > REPORT_PERIOD_MS_MAX) ctx.addIssue({ code: 'custom', path: ['to'], message: `must be at most ${REPORT_PERIOD_DAYS_MAX} days after from`, params: { code: ErrorCode.INVALID_PERIOD } });
  });

/** The exports' one parameter: where the previous page stopped. */
const exportQuery = z.object({
  cursor: coded(ErrorCode.INVALID_CURSOR, (v) => (decodeExportCursor(v) === null ? 'is not a cursor this API gave' : null))
    .transform((v) => decodeExportCursor(v)!)
    .optional()
    .meta({ description: 'The cursor of the previous page\'s last line ({"record":"page","cursor":...}); absent for the first page' }),
});

/** Longest device fingerprint a client may send: it is hashed before it is stored (ledger/risk.ts). */
export const DEVICE_FINGERPRINT_LENGTH_MAX = 256;
const device = text(8, DEVICE_FINGERPRINT_LENGTH_MAX)
  .optional()
  .describe('A fingerprint of your device, as your client computes it: only its hash is kept, to spot many accounts on one device');

/** Risk alerts listed per page (GET /api/operator/alerts). */
export const ALERTS_PAGE_MAX = 200;
export const ALERTS_PAGE_DEFAULT = 50;

export const schemas = {
  identityCheck: body({
    givenName: text(1, 80, PERSON_NAME_PATTERN).describe('Given names as on the document'),
    familyName: text(1, 80, PERSON_NAME_PATTERN).describe('Family name as on the document'),
    documentNumber: text(6, 20, DOCUMENT_NUMBER_PATTERN).describe('Passport or identity card number: 6..20 capital letters and digits'),
  }),
  identityProvider: z.strictObject({ provider: z.enum(['sandbox'], { error: 'is not an identity provider of ours' }) }),
  exclusion: body({
    kind: z.enum(['break', 'self_exclusion'], { error: 'must be "break" or "self_exclusion"' }),
    days: z.int({ error: 'must be a whole number of days' }).min(1, 'must be 1..42').max(42, 'must be 1..42').optional().describe('A break: 1..42 days'),
    months: z.union([z.literal(6), z.literal(12), z.literal(60)], { error: 'must be 6, 12 or 60' }).optional().describe('A self-exclusion: 6, 12 or 60 months'),
  }).superRefine((b, ctx) => {
    if (b.kind === 'break' && (b.days === undefined || b.months !== undefined)) ctx.addIssue({ code: 'custom', path: ['days'], message: 'is required for a break, and months is not taken' });
    if (b.kind === 'self_exclusion' && (b.months === undefined || b.days !== undefined)) ctx.addIssue({ code: 'custom', path: ['months'], message: 'is required for a self-exclusion, and days is not taken' });
  }),
  limitChange: body({
    kind: z.enum(['deposit', 'stake', 'loss'], { error: 'must be "deposit", "stake" or "loss"' }),
    period: z.enum(['day', 'week', 'month'], { error: 'must be "day", "week" or "month"' }),
    amountMinor: limitAmount.nullable().describe('The new limit in minor units; null removes it (24 hours later)'),
  }),
  register: body({
    email: text(3, EMAIL_LENGTH_MAX, EMAIL_PATTERN),
    password: text(PASSWORD_LENGTH_MIN, PASSWORD_LENGTH_MAX, undefined, 'secret'),
    dateOfBirth: text(10, 10, DATE_PATTERN).refine(isCalendarDate, 'must be a date YYYY-MM-DD'),
    country: text(2, 2, COUNTRY_PATTERN).describe('ISO 3166-1 alpha-2'),
    region: text(1, REGION_LENGTH_MAX).optional(),
    limits: limitTable.optional(),
    device,
  }),
  // No format check on a login's email: a wrong one is just a failed login, counted as such.
  login: body({
    email: text(3, EMAIL_LENGTH_MAX),
    password: text(1, PASSWORD_LENGTH_MAX, undefined, 'secret'),
    totp: text(6, 6, TOTP_CODE_PATTERN).optional().describe('The current 6-digit code of your authenticator app, if you turned a second factor on'),
    purpose: z.enum(['withdraw'], { error: 'must be "withdraw"' }).optional().describe('"withdraw": on a break or self-excluded, a session to take your balance out, and nothing else'),
    device,
  }),
  sessionTime: body({
    realityCheckMinutes: z.int({ error: 'must be a whole number of minutes or null' }).min(10, 'must be 10..240').max(240, 'must be 10..240').nullable().optional().describe('A reality check every this many minutes of a session; null for none'),
    sessionLimitMinutes: z.int({ error: 'must be a whole number of minutes or null' }).min(10, 'must be 10..1440').max(1440, 'must be 10..1440').nullable().optional().describe('A session ends this long after login; null for no limit'),
  }),
  playerParams: z.strictObject({ playerId: z.string().regex(/^p_[A-Za-z0-9_-]{16}$/, 'is not a player id').describe('A player\'s public id, as registration answered it') }),
  playerStatus: body({
    status: z.enum(['active', 'suspended', 'closed'], { error: 'must be "active", "suspended" or "closed"' }),
    reason: text(3, 500).describe('Why: kept with the change'),
  }),
  totpCode: body({ code: text(6, 6, TOTP_CODE_PATTERN).describe('The current 6-digit code of your authenticator app') }),
  deposit: body({
    amount: z
      .int({ error: 'must be a whole number' })
      .min(DEPOSIT_AMOUNT_MINOR_MIN, `must be between ${DEPOSIT_AMOUNT_MINOR_MIN} and ${DEPOSIT_AMOUNT_MINOR_MAX}`)
      .max(DEPOSIT_AMOUNT_MINOR_MAX, `must be between ${DEPOSIT_AMOUNT_MINOR_MIN} and ${DEPOSIT_AMOUNT_MINOR_MAX}`)
      .describe('Minor units (cents)'),
    idempotencyKey: text(1, IDEMPOTENCY_KEY_LENGTH_MAX, IDEMPOTENCY_KEY_PATTERN).describe('The same key retries the same deposit'),
  }),
  depositParams: z.strictObject({ depositId: z.string().regex(/^dep_[A-Za-z0-9_-]{16}$/, 'is not a deposit id').describe('A deposit\'s id, as its request answered') }),
  withdrawal: body({
    amount: z
      .int({ error: 'must be a whole number' })
      .min(WITHDRAWAL_AMOUNT_MINOR_MIN, `must be between ${WITHDRAWAL_AMOUNT_MINOR_MIN} and ${WITHDRAWAL_AMOUNT_MINOR_MAX}`)
      .max(WITHDRAWAL_AMOUNT_MINOR_MAX, `must be between ${WITHDRAWAL_AMOUNT_MINOR_MIN} and ${WITHDRAWAL_AMOUNT_MINOR_MAX}`)
      .describe('Minor units (cents)'),
    idempotencyKey: text(1, IDEMPOTENCY_KEY_LENGTH_MAX, IDEMPOTENCY_KEY_PATTERN).describe('The same key retries the same withdrawal'),
  }),
  withdrawalParams: z.strictObject({ withdrawalId: z.string().regex(/^wd_[A-Za-z0-9_-]{16}$/, 'is not a withdrawal id').describe('A withdrawal\'s id, as its request answered') }),
  statementQuery: z.object({
    limit: coded(ErrorCode.INVALID_LIMIT, (v) => (/^\d{1,3}$/.test(v) && Number(v) >= 1 && Number(v) <= STATEMENT_PAGE_MAX ? null : `must be a whole number 1..${STATEMENT_PAGE_MAX}`))
      .transform(Number)
      .optional()
      .meta({ description: `Movements per page, 1..${STATEMENT_PAGE_MAX}; ${STATEMENT_PAGE_DEFAULT} when absent`, pattern: '^[0-9]{1,3}$' }),
    cursor: coded(ErrorCode.INVALID_CURSOR, (v) => (decodeStatementCursor(v) === null ? 'is not a cursor this API gave' : null))
      .transform((v) => decodeStatementCursor(v)!)
      .optional()
      .meta({ description: 'nextCursor of the previous page, as it was; absent for the newest movements', pattern: STATEMENT_CURSOR_PATTERN.source }),
  }),
  paymentProvider: z.strictObject({ provider: z.enum(['sandbox'], { error: 'is not a payment provider of ours' }) }),
  reviewQueueQuery: z.object({
    status: z.string().max(16).optional().describe('The status listed; the review queue when absent'),
  }),
  reviewDecision: body({
    approve: z.boolean({ error: 'must be true or false' }).describe('true: approve; false: reject'),
    reason: text(3, 500).optional().describe('Why: kept with the decision (required to reject)'),
  }),
  alertsQuery: z.object({
    status: z.enum(['open', 'dismissed', 'confirmed'], { error: 'must be "open", "dismissed" or "confirmed"' }).optional().describe('Only alerts in this status'),
    rule: z.string().regex(/^[a-z_]{1,40}$/, 'is not a rule name').optional().describe('Only alerts of this rule (config/risk.json names)'),
    limit: coded(ErrorCode.INVALID_LIMIT, (v) => (/^\d{1,3}$/.test(v) && Number(v) >= 1 && Number(v) <= ALERTS_PAGE_MAX ? null : `must be a whole number 1..${ALERTS_PAGE_MAX}`))
      .transform(Number)
      .optional()
      .meta({ description: `Alerts per page, 1..${ALERTS_PAGE_MAX}; ${ALERTS_PAGE_DEFAULT} when absent`, pattern: '^[0-9]{1,3}$' }),
    before: coded(ErrorCode.INVALID_CURSOR, (v) => (/^[1-9][0-9]{0,15}$/.test(v) && Number.isSafeInteger(Number(v)) ? null : 'must be an alert id'))
      .transform(Number)
      .optional()
      .meta({ description: 'Alerts older than this alert id: the last alertId of the previous page', pattern: '^[1-9][0-9]{0,15}$' }),
  }),
  alertParams: z.strictObject({ alertId: z.string().regex(/^[1-9][0-9]{0,15}$/, 'is not an alert id').transform(Number).describe('An alert\'s id, as listed') }),
  alertReview: body({
    decision: z.enum(['dismiss', 'confirm'], { error: 'must be "dismiss" or "confirm"' }).describe('dismiss: a false alarm, and any freeze it caused is lifted; confirm: it stands, and so does its freeze'),
    note: text(3, 500).describe('Why: kept with the review and in the audit log'),
  }),
  drawsQuery: z.object({
    game: z.string({ error: 'is required' }).min(1, 'is required').max(GAME_ID_LENGTH_MAX, `must be at most ${GAME_ID_LENGTH_MAX} characters`),
    limit: z
      .string()
      .regex(/^\d{1,3}$/, `must be 1..${DRAWS_LISTED_MAX}`)
      .refine((v) => Number(v) >= 1 && Number(v) <= DRAWS_LISTED_MAX, `must be 1..${DRAWS_LISTED_MAX}`)
      .optional()
      .describe(`How many draws, 1..${DRAWS_LISTED_MAX}; 20 when absent`),
  }),
  drawParams: z.object({ drawId: DrawId }),
  reportQuery,
  exportQuery,
  ticketsQuery,
  ticketParams: z.object({
    ticketId: z
      .string()
      .refine((id) => ticketRowId(id) !== null, 'is malformed')
      .describe('T followed by the ticket\'s serial number, as on its receipt'),
  }),
  auditorParams: z.object({ drawId: DrawId, name: z.string().regex(AUDITOR_NAME_PATTERN, 'is malformed') }),
  auditorCommit: body({
    name: text(1, 32, AUDITOR_NAME_PATTERN).optional().describe('Your own operator name, if given: an auditor commits as themselves'),
    commitment: text(64, 64, HEX_32_PATTERN).describe('seedCommitment(drawId, "auditor:<name>", seed), hex (draw/README.md)'),
  }),
  auditorReveal: body({ seed: text(64, 64, HEX_32_PATTERN).describe('The 32-byte seed committed to, hex') }),
  interventionParams: z.strictObject({
    drawId: DrawId,
    interventionId: z.string().regex(/^[1-9][0-9]{0,15}$/, 'is not an intervention id').describe('As the request for it answered'),
  }),
  interventionRequest: body({
    action: z.enum(['resume', 'void']).describe('resume: draw it once the missing input has arrived; void: refund every ticket and never draw it'),
    reason: text(1, 500),
  }),
  operatorBootstrap: body({
    token: text(16, 128, /^[A-Za-z0-9_-]+$/).describe('OPERATOR_BOOTSTRAP_TOKEN, or the one the server logged at start while no operator exists'),
    name: text(2, 32, OPERATOR_NAME_PATTERN),
    password: text(OPERATOR_PASSWORD_LENGTH_MIN, PASSWORD_LENGTH_MAX, undefined, 'secret'),
  }),
  operatorLogin: body({
    name: text(2, 32, OPERATOR_NAME_PATTERN),
    password: text(1, PASSWORD_LENGTH_MAX, undefined, 'secret'),
    code: text(6, 6, TOTP_CODE_PATTERN).describe('The current 6-digit code of the authenticator app (mandatory for operators)'),
  }),
  operatorCreate: body({
    name: text(2, 32, OPERATOR_NAME_PATTERN),
    role: z.enum(OPERATOR_ROLES).describe('admin, finance, auditor or support'),
    password: text(OPERATOR_PASSWORD_LENGTH_MIN, PASSWORD_LENGTH_MAX, undefined, 'secret'),
  }),
  operatorParams: z.strictObject({ name: z.string().regex(OPERATOR_NAME_PATTERN, 'is malformed') }),
  operatorChange: body({
    role: z.enum(OPERATOR_ROLES).optional(),
    status: z.enum(['active', 'disabled']).optional(),
  }).refine((b) => b.role !== undefined || b.status !== undefined, 'body must name a role or a status'),
  // The method is checked by the handler: an unknown one is a 404, as for a path we do not serve.
  matchmakeParams: z.object({
    method: z.string().meta({ enum: [...EXPOSED_MATCHMAKE_METHODS] }),
    roomName: z.string().describe('A room type for joinOrCreate and join; a room id for joinById and reconnect'),
  }),
  // Passed on whole to the room's onAuth/onJoin, after a deep text check (app/validate.ts).
  joinOptions: z
    .record(z.string(), z.unknown(), { error: 'join options must be an object' })
    .optional()
    .describe('The room\'s join options (rooms/), e.g. { "drawId": "lotto649-2026-05-01" }'),
};
