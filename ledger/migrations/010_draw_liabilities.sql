-- 010_draw_liabilities: the house's exposure per number combination per draw, for fixed-odds
-- games (pick-3, pick-4: games/types.ts liability), and the cap that sells a combination out.
--
-- One row per (draw, combination) sold: payout_minor is the sum, over the draw's tickets, of
-- what each would be paid if that combination were drawn. The bet batch (ledger/bets.ts)
-- creates the rows it needs, locks them in key order after the wallets, decides every bet
-- against them (ledger/betDecisions.ts: a bet that would pass the cap is refused SOLD_OUT)
-- and adds the accepted bets' payouts before it commits. The check below is the backstop:
-- a batch that decided wrongly fails whole, nothing is sold past a cap.
--
-- cap_minor is the cap in force when the combination was first sold in the draw: a changed
-- cap applies to combinations not yet sold and to later draws, never retroactively.
create table draw_liabilities (
  draw_id      bigint not null references draws (id),
  combination  text not null check (combination ~ '^[0-9A-Za-z]{1,16}$'),
  payout_minor bigint not null default 0 check (payout_minor >= 0),
  cap_minor    bigint not null check (cap_minor > 0),
  primary key (draw_id, combination),
  constraint draw_liability_capped check (payout_minor <= cap_minor)
);
