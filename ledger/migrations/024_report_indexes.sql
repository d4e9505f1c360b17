-- 024_report_indexes: what the operators' reports and the regulator's exports read by time or
-- by owner (ledger/reports.ts, ledger/regulatorExport.ts), so that every one of their queries
-- is an index range scan bounded by its period or its subject, never a scan of a table that
-- grows all day.
--
-- None of these is on the bet path: tickets and transfers get no new index (each one would be
-- paid on every bet). The report reads a period's tickets through its draws (tickets_draw),
-- and a player's stakes from their tickets (tickets_player_received), as the statement does.

-- Sales and prizes are reported by draw time, across games (draws_game_draw_at serves one game).
create index if not exists draws_draw_at on draws (draw_at);
-- Held prizes of the period's draws, and of one draw.
create index if not exists prize_holds_draw on prize_holds (draw_id);
-- Money in and out by when it happened: a deposit completed, a withdrawal paid.
create index if not exists deposits_completed on deposits (completed_at) where status = 'completed';
create index if not exists withdrawals_completed on withdrawals (completed_at) where status = 'paid';
-- Responsible gambling by when it was asked for or done.
create index if not exists player_limit_changes_requested on player_limit_changes (requested_at);
create index if not exists player_exclusions_requested on player_exclusions (requested_at);
create index if not exists player_status_changes_changed on player_status_changes (changed_at);
-- The alerts of one draw; a player's refunds; a payment's provider events.
create index if not exists risk_alerts_draw on risk_alerts (draw_id) where draw_id is not null;
create index if not exists ticket_refunds_player on ticket_refunds (player_id);
create index if not exists payment_events_deposit on payment_events (deposit_id) where deposit_id is not null;
create index if not exists payment_events_withdrawal on payment_events (withdrawal_id) where withdrawal_id is not null;
