-- 011_draw_leaf_version: the ticket record (leaf) version of each draw (draw/README.md §3).
--
-- A leaf is what a receipt signs at acceptance and the seal commits to at close. Version 2
-- adds the bet type and the stake of one line (migration 007's bet_type and stake_minor):
-- a pick-3 straight and a box on 1-2-3 have the same lines and are different bets, and a
-- version-1 leaf cannot tell them apart. A draw uses one version from its creation to its
-- proof: every draw that exists now has had, or may have had, version-1 receipts signed for
-- it and keeps version 1; draws created from now on are given their version by the code that
-- creates them (actors/DrawRunner.ts, LEAF_VERSION_CURRENT). No default, so a draw created
-- without saying which version its receipts use fails here instead of guessing.
alter table draws add column leaf_version int2 not null default 1 check (leaf_version in (1, 2));
alter table draws alter column leaf_version drop default;

-- Receipts already signed under a draw's version would stop matching its seal if it changed.
create function draw_leaf_version_is_fixed() returns trigger language plpgsql as $$
begin
  if new.leaf_version is distinct from old.leaf_version then
    raise exception 'draw %: leaf_version is fixed when the draw is created', old.public_id;
  end if;
  return new;
end $$;

-- Fires only for an UPDATE that names leaf_version: the draw's status changes never do.
create trigger draw_leaf_version_fixed before update of leaf_version on draws
  for each row execute function draw_leaf_version_is_fixed();
