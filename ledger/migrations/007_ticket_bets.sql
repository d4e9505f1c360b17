-- 007_ticket_bets: what a ticket bet, beyond its lines, for games other than lotto 6/49,
-- and its lines in the form settlement matches with set-based SQL (issue 12).
--
--   bet_type     the game's bet type ('standard' for a game with one: lotto 6/49)
--   stake_minor  the stake of one line, as the player chose it or the game's line price;
--                cost_minor is what the bet type makes of the stakes of line_count lines
--   line_masks   each line as a bit string, one segment per drum in the game's drum order
--                (games/types.ts lineMask): bit i of a segment is 1 when number min + i is
--                chosen for that drum. Settlement counts a line's matches per drum as
--                bit_count(mask & drawn) in SQL, instead of reading jsonb into JavaScript.
--
-- `lines` (jsonb) stays what the sealed ticket list and the receipts are computed from;
-- the masks are a second form of the same lines, written in the same insert, and checked
-- against them by ledger/invariants.ts.
alter table tickets add column bet_type text not null default 'standard';
alter table tickets add column stake_minor bigint;
alter table tickets add column line_masks bit varying[];

-- Every ticket before this migration is a lotto 6/49 ticket: lines of numbers 1..49, one
-- drum, bought at the line price.
update tickets t
   set stake_minor = t.cost_minor / t.line_count,
       line_masks = (
         select array_agg(
                  (select string_agg(case when x.line @> to_jsonb(n) then '1' else '0' end, '' order by n)
                     from generate_series(1, 49) as n)::varbit
                  order by x.ord)
           from jsonb_array_elements(t.lines) with ordinality as x(line, ord))
 where t.line_masks is null;

alter table tickets alter column bet_type drop default;
alter table tickets alter column stake_minor set not null;
alter table tickets alter column line_masks set not null;
alter table tickets add constraint tickets_stake_positive check (stake_minor > 0);
alter table tickets add constraint tickets_masks_per_line check (cardinality(line_masks) = line_count);
