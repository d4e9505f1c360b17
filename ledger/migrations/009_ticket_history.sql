-- 009_ticket_history: a player's tickets, newest first (GET /api/tickets, ledger/ticketHistory.ts).
--
-- The history is read in keyset pages of (received_at, id) descending, within the player's
-- own rows, optionally bounded by a period or by a draw's sales window ([open_at, cutoff_at),
-- which every ticket of the draw was received in: ledger/invariants.ts checks it). This one
-- index serves all of it: player_id by equality, then received_at by range and order, id as
-- the tie-break of tickets received in the same millisecond. A page reads its rows straight
-- from the index in order, whatever the player's number of tickets and however deep the page:
-- no sort, no scan of the rows before the cursor.
--
-- Paid for on every bet: the bet batch inserts one more index entry per ticket (~32 bytes,
-- and no write to the index's hot right edge: entries land in each player's part of the
-- tree). Measured with npm run bench:bets (BENCHMARKS.md, "Issue 12: ticket history").
--
-- `if not exists`: on a large existing tickets table this build holds off bets for as long
-- as it takes (CREATE INDEX blocks inserts). Build it beforehand, outside sales, with
--   create index concurrently if not exists tickets_player_received on tickets (player_id, received_at desc, id desc);
-- and this migration then finds it and does nothing.
create index if not exists tickets_player_received on tickets (player_id, received_at desc, id desc);

-- A ticket's history names its draw, so draws are kept as long as tickets are: for ever
-- (tickets, transfers, accounts and ticket_prizes already refuse DELETE and TRUNCATE,
-- migrations 002 and 004). Nothing deletes draws today; this makes sure nothing will.
-- A statement trigger costs nothing until someone tries.
create trigger draws_permanent before delete or truncate on draws
  for each statement execute function ledger_rows_are_permanent();
