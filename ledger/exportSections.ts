// ledger/exportSections.ts — what a regulator's export of one draw or one player reads
// (ledger/regulatorExport.ts runs them): one section per kind of record, each a keyset-paged
// query over an index by its subject, so that a draw of a million tickets is read a page at a
// time and never held in memory.
//
// Every section's query returns at most `limit` rows after a key, in key order, each row with
// its key as _k1 and _k2 (int8): a unique id (and 0), or, where the subject's index orders by
// time, the time in microseconds since the epoch and the id. The other columns are the
// record's fields, named as the API names them (units last: amountMinor, requestedAt).
//
// Left out on purpose: the player's password hash and second-factor secrets, a session's
// token hash, and a draw's sealed seed (encrypted under the server's key; the seed itself is
// in the draw's proof once revealed).

export type SubjectKind = 'draw' | 'player';

export interface ExportSubject {
  kind: SubjectKind;
  /** The row id. */
  id: number;
  publicId: string;
  /** audit_log.subject of the records about it: the draw's public id, or player:<row id>. */
  auditSubject: string;
}

export type ExportKey = [k1: number, k2: number];

export interface ExportSection {
  /** The `record` field of its lines. */
  record: string;
  sql: string;
  /** The query's parameters: rows of `subject` after `after`, at most `limit`. */
  args(subject: ExportSubject, after: ExportKey, limit: number): unknown[];
}

/** Keyed by a unique id: $1 subject row id, $2 after id, $3 limit. */
const byId = (record: string, sql: string): ExportSection => ({ record, sql, args: (s, after, limit) => [s.id, after[0], limit] });
/** Keyed by (time, id): $1 subject row id, $2 after time (µs since epoch), $3 after id, $4 limit. */
const byTime = (record: string, sql: string): ExportSection => ({ record, sql, args: (s, after, limit) => [s.id, after[0], after[1], limit] });
/** Keyed by sequence, subject by audit subject text: $1 subject, $2 after seq, $3 limit. */
const audit: ExportSection = {
  record: 'audit',
  sql: `select seq, at, kind, actor, subject, body, encode(prev_hash, 'hex') as "prevHash", encode(hash, 'hex') as hash,
               seq as _k1, 0::int8 as _k2
          from audit_log where subject = $1 and seq > $2 order by seq limit $3`,
  args: (s, after, limit) => [s.auditSubject, after[0], limit],
};
const US = `(extract(epoch from %) * 1000000)::int8`;
const us = (column: string) => US.replace('%', column);
const afterUs = `timestamptz 'epoch' + $2 * interval '1 microsecond'`;

const ALERTS_COLUMNS = `a.id as "alertId", a.rule, a.severity, pl.public_id as "playerId", d.public_id as "drawId", a.details,
  a.dedupe_key as "dedupeKey", a.status, a.raised_at as "raisedAt", a.reviewed_by as "reviewedBy", a.reviewed_at as "reviewedAt",
  a.review_note as "reviewNote", a.id as _k1, 0::int8 as _k2
  from risk_alerts a left join players pl on pl.id = a.player_id left join draws d on d.id = a.draw_id`;

export const DRAW_SECTIONS: readonly ExportSection[] = [
  byId('draw', `
    select public_id as "drawId", game_id as game, to_char(business_date, 'YYYY-MM-DD') as "businessDate", status, leaf_version as "leafVersion",
           open_at as "openAt", cutoff_at as "cutoffAt", draw_at as "drawAt", created_at as "createdAt", closed_at as "closedAt",
           encode(seed_commitment, 'hex') as "seedCommitment", beacon_source as "beaconSource", beacon_round as "beaconRound",
           encode(beacon_value, 'hex') as "beaconValue", encode(ticket_root, 'hex') as "ticketRoot", ticket_count as "ticketCount",
           stake_total_minor as "stakeTotalMinor", sealed_at as "sealedAt", numbers, proof, drawn_at as "drawnAt",
           halted_at as "haltedAt", halted_reason as "haltedReason", settled_at as "settledAt", prize_total_minor as "prizeTotalMinor",
           house_share_minor as "houseShareMinor", rollover_in_minor as "rolloverInMinor", rollover_out_minor as "rolloverOutMinor",
           house_in_minor as "houseInMinor", prize_tiers as "prizeTiers", voided_at as "voidedAt", id as _k1, 0::int8 as _k2
      from draws where id = $1 and id > $2 limit $3`),
  byId('auditor', `
    select * from (select name, encode(commitment, 'hex') as commitment, encode(seed, 'hex') as seed, registered_at as "registeredAt",
                          revealed_at as "revealedAt", row_number() over (order by name)::int8 as _k1, 0::int8 as _k2
                     from draw_auditors where draw_id = $1) a
     where _k1 > $2 order by _k1 limit $3`),
  byId('settlement', `
    select segments, drawn_masks as "drawnMasks", winning_classes as "winningClasses", tiers, raffle_winners as "raffleWinners",
           stake_total_minor as "stakeTotalMinor", players_minor as "playersMinor", rollover_in_minor as "rolloverInMinor",
           rollover_out_minor as "rolloverOutMinor", house_in_minor as "houseInMinor", house_out_minor as "houseOutMinor",
           paid_tickets as "paidTickets", paid_minor as "paidMinor", pay_ranges as "payRanges", decided_at as "decidedAt", closed_at as "closedAt",
           draw_id as _k1, 0::int8 as _k2
      from draw_settlements where draw_id = $1 and draw_id > $2 limit $3`),
  byId('transfer', `
    select t.id as "transferId", t.kind, da.code as "debitAccount", ca.code as "creditAccount", t.amount_minor as "amountMinor",
           t.created_at as "createdAt", t.id as _k1, 0::int8 as _k2
      from draws d
      join draw_settlements s on s.draw_id = d.id
      join transfers t on t.id in (s.rollover_in_transfer_id, s.rollover_out_transfer_id, s.house_in_transfer_id, s.house_out_transfer_id)
      join accounts da on da.id = t.debit_account_id
      join accounts ca on ca.id = t.credit_account_id
     where d.id = $1 and t.id > $2 order by t.id limit $3`),
  byId('ticket', `
    select 'T' || t.id as "ticketId", p.public_id as "playerId", t.request_id as "requestId", t.bet_type as "betType",
           t.stake_minor as "stakeMinor", t.line_count as "lineCount", t.cost_minor as "costMinor", t.quick_pick as "quickPick",
           t.lines, t.received_at as "receivedAt", t.refunded_at as "refundedAt", t.id as _k1, 0::int8 as _k2
      from tickets t join players p on p.id = t.player_id
     where t.draw_id = $1 and t.id > $2 order by t.id limit $3`),
  byId('prize', `
    select 'T' || p.ticket_id as "ticketId", p.amount_minor as "amountMinor", p.tier_lines as "tierLines", p.transfer_id as "transferId",
           p.created_at as "createdAt", t.id as _k1, 0::int8 as _k2
      from tickets t join ticket_prizes p on p.ticket_id = t.id
     where t.draw_id = $1 and t.id > $2 order by t.id limit $3`),
  byId('refund', `
    select 'T' || r.ticket_id as "ticketId", pl.public_id as "playerId", r.amount_minor as "amountMinor", r.reason,
           r.transfer_id as "transferId", r.refunded_at as "refundedAt", r.ticket_id as _k1, 0::int8 as _k2
      from ticket_refunds r join players pl on pl.id = r.player_id
     where r.draw_id = $1 and r.ticket_id > $2 order by r.ticket_id limit $3`),
  byId('prize_hold', holdsSql('h.draw_id = $1')),
  byId('intervention', `
    select id as "interventionId", action, reason, requested_by as "requestedBy", requested_at as "requestedAt", approved_by as "approvedBy",
           approved_at as "approvedAt", status, id as _k1, 0::int8 as _k2
      from draw_interventions where draw_id = $1 and id > $2 order by id limit $3`),
  byId('alert', `select ${ALERTS_COLUMNS} where a.draw_id = $1 and a.id > $2 order by a.id limit $3`),
  audit,
];

function holdsSql(where: string): string {
  return `
    select 'T' || h.ticket_id as "ticketId", d.public_id as "drawId", pl.public_id as "playerId", h.jurisdiction, h.amount_minor as "amountMinor",
           h.status, h.held_at as "heldAt", h.tax_minor as "taxMinor", h.tax_basis_points as "taxBasisPoints", h.decided_by as "decidedBy",
           h.decided_at as "decidedAt", h.reason, h.ticket_id as _k1, 0::int8 as _k2
      from prize_holds h join players pl on pl.id = h.player_id join draws d on d.id = h.draw_id
     where ${where} and h.ticket_id > $2 order by h.ticket_id limit $3`;
}

/** A player's rows of a table with (player_id, id): every column named, in id order. */
const ownRows = (record: string, columns: string, table: string): ExportSection =>
  byId(record, `select ${columns}, id as _k1, 0::int8 as _k2 from ${table} where player_id = $1 and id > $2 order by id limit $3`);

const CREDIT_KINDS = `('deposit', 'prize', 'refund', 'withdrawal_return', 'prize_release')`;

export const PLAYER_SECTIONS: readonly ExportSection[] = [
  byId('player', `
    select p.public_id as "playerId", p.email, to_char(p.date_of_birth, 'YYYY-MM-DD') as "dateOfBirth", p.country, p.region, p.jurisdiction,
           p.time_zone as "timeZone", p.status, p.kyc_status as "identityStatus", p.excluded_until as "excludedUntil",
           p.totp_enabled_at as "secondFactorEnabledAt", p.reality_check_minutes as "realityCheckMinutes",
           p.session_limit_minutes as "sessionLimitMinutes", p.created_at as "createdAt", a.balance_minor as "balanceMinor", a.currency,
           p.id as _k1, 0::int8 as _k2
      from players p join accounts a on a.player_id = p.id and a.kind = 'player_wallet'
     where p.id = $1 and p.id > $2 limit $3`),
  ownRows('limit_change', `kind, period, amount_minor as "amountMinor", requested_at as "requestedAt", effective_at as "effectiveAt", source, superseded_at as "supersededAt"`, 'player_limit_changes'),
  ownRows('exclusion', `kind, duration, requested_at as "requestedAt", ends_at as "endsAt"`, 'player_exclusions'),
  ownRows('status_change', `from_status as "from", to_status as "to", reason, operator, changed_at as "changedAt"`, 'player_status_changes'),
  ownRows('setting_change', `setting, value, asked_at as "askedAt"`, 'player_setting_changes'),
  ownRows('reality_check', `public_id as "realityCheckId", shown_at as "shownAt", played_ms as "playedMs", staked_minor as "stakedMinor", won_minor as "wonMinor", acknowledged_at as "acknowledgedAt"`, 'reality_checks'),
  ownRows('identity_check', `public_id as "checkId", provider, provider_ref as "providerRef", status, status_before as "statusBefore", reason, given_name as "givenName", family_name as "familyName", document_last4 as "documentLast4", requested_at as "requestedAt", decided_at as "decidedAt"`, 'identity_checks'),
  ownRows('identity_event', `provider, provider_event_id as "providerEventId", kind, decision, applied, ignored_because as "ignoredBecause", player_status_from as "statusFrom", player_status_to as "statusTo", reason, occurred_at as "occurredAt", recorded_at as "recordedAt"`, 'identity_events'),
  ownRows('location_check', `checked_at as "checkedAt", source, address, country, region, located_by as "locatedBy", permitted, reason`, 'location_checks'),
  ownRows('deposit', `public_id as "depositId", amount_minor as "amountMinor", provider, provider_ref as "providerRef", status, decline_reason as "declineReason", created_at as "createdAt", sent_at as "sentAt", completed_at as "completedAt"`, 'deposits'),
  ownRows('withdrawal', `public_id as "withdrawalId", amount_minor as "amountMinor", provider, provider_ref as "providerRef", status, reason, requested_at as "requestedAt", sent_at as "sentAt", decided_by as "decidedBy", decided_at as "decidedAt", completed_at as "completedAt"`, 'withdrawals'),
  byId('payment_event', `
    select e.id as "eventId", e.provider, e.provider_event_id as "providerEventId", e.type, d.public_id as "depositId", w.public_id as "withdrawalId",
           e.applied, e.ignored_because as "ignoredBecause", e.occurred_at as "occurredAt", e.recorded_at as "recordedAt", e.id as _k1, 0::int8 as _k2
      from payment_events e left join deposits d on d.id = e.deposit_id left join withdrawals w on w.id = e.withdrawal_id
     where (e.deposit_id in (select id from deposits where player_id = $1) or e.withdrawal_id in (select id from withdrawals where player_id = $1))
       and e.id > $2 order by e.id limit $3`),
  // The player's tickets and prizes through tickets_player_received, oldest first (a backward scan).
  byTime('ticket', `
    select 'T' || t.id as "ticketId", d.public_id as "drawId", t.request_id as "requestId", t.bet_type as "betType", t.stake_minor as "stakeMinor",
           t.line_count as "lineCount", t.cost_minor as "costMinor", t.quick_pick as "quickPick", t.lines, t.received_at as "receivedAt",
           t.refunded_at as "refundedAt", ${us('t.received_at')} as _k1, t.id as _k2
      from tickets t join draws d on d.id = t.draw_id
     where t.player_id = $1 and (t.received_at, t.id) > (${afterUs}, $3) order by t.received_at, t.id limit $4`),
  byTime('prize', `
    select 'T' || t.id as "ticketId", d.public_id as "drawId", p.amount_minor as "amountMinor", p.tier_lines as "tierLines",
           p.transfer_id as "transferId", p.created_at as "createdAt", ${us('t.received_at')} as _k1, t.id as _k2
      from tickets t join ticket_prizes p on p.ticket_id = t.id join draws d on d.id = t.draw_id
     where t.player_id = $1 and (t.received_at, t.id) > (${afterUs}, $3) order by t.received_at, t.id limit $4`),
  byId('refund', `
    select 'T' || r.ticket_id as "ticketId", d.public_id as "drawId", r.amount_minor as "amountMinor", r.reason, r.transfer_id as "transferId",
           r.refunded_at as "refundedAt", r.ticket_id as _k1, 0::int8 as _k2
      from ticket_refunds r join draws d on d.id = r.draw_id
     where r.player_id = $1 and r.ticket_id > $2 order by r.ticket_id limit $3`),
  byId('prize_hold', holdsSql('h.player_id = $1')),
  // Their wallet's movements other than stakes (each stake is its ticket's costMinor, one
  // transfer per ticket record above), through the statement's two partial indexes.
  byTime('transfer', walletTransfersSql('credit_account_id', `t.kind in ${CREDIT_KINDS}`, 'in')),
  byTime('transfer', walletTransfersSql('debit_account_id', `t.kind = 'withdrawal_hold'`, 'out')),
  byId('alert', `select ${ALERTS_COLUMNS} where a.player_id = $1 and a.id > $2 order by a.id limit $3`),
  audit,
];

function walletTransfersSql(side: 'credit_account_id' | 'debit_account_id', kinds: string, direction: 'in' | 'out'): string {
  return `
    select t.id as "transferId", '${direction}' as direction, t.kind, da.code as "debitAccount", ca.code as "creditAccount",
           t.amount_minor as "amountMinor", t.created_at as "createdAt", ${us('t.created_at')} as _k1, t.id as _k2
      from accounts w
      join transfers t on t.${side} = w.id
      left join accounts da on da.id = t.debit_account_id
      left join accounts ca on ca.id = t.credit_account_id
     where w.player_id = $1 and w.kind = 'player_wallet' and ${kinds}
       and (t.created_at, t.id) > (${afterUs}, $3)
     order by t.created_at, t.id limit $4`;
}
