// decideBets (ledger/betDecisions.ts) on its own: pure, no database. What a batch accepts,
// refuses and answers as a duplicate follows from the data read in its transaction alone,
// so its properties can be checked over thousands of generated batches in a second.
import { drumLineMask } from '../games/lineMask.ts';
import { lotto649 } from '../games/lotto649.ts';
import t from 'tap';
import fc from 'fast-check';
import {
  advanceRequestId,
  betResults,
  decideBets,
  liabilityKey,
  requestKey,
  sameBet,
  type BatchState,
  type BetToWrite,
  type LockedDraw,
  type PriorTicket,
} from '../ledger/betDecisions.ts';

const OPEN_AT_MS = 1_000_000;
const CUTOFF_AT_MS = 2_000_000;
const openDraw: LockedDraw = { id: 1, status: 'open', openAtMs: OPEN_AT_MS, cutoffAtMs: CUTOFF_AT_MS, poolAccountId: 901, withinGrace: true };
const closedDraw: LockedDraw = { ...openDraw, id: 2, status: 'closed', poolAccountId: 902 };
const scheduledDraw: LockedDraw = { ...openDraw, id: 3, status: 'scheduled', poolAccountId: 903 };

function bet(over: Partial<BetToWrite> = {}): BetToWrite {
  return {
    playerId: 1,
    walletAccountId: 101,
    drawId: 1,
    requestId: 'r',
    betType: 'standard',
    stakeMinor: 200,
    lines: [[1, 2, 3, 4, 5, 6]],
    lineMasks: [drumLineMask(lotto649.drums, [[1, 2, 3, 4, 5, 6]])],
    quickPick: false,
    costMinor: 200,
    receivedAtMs: OPEN_AT_MS + 10,
    ...over,
  };
}

function state(balances: [number, number][], existing: PriorTicket[] = [], priorKeys: string[] = []): BatchState {
  return {
    draws: new Map([openDraw, closedDraw, scheduledDraw].map((d) => [d.id, d])),
    balances: new Map(balances),
    existing: new Map(existing.map((p, i) => [priorKeys[i], p])),
  };
}

t.test('a bet is accepted against its running balance, then refused once the wallet is spent', async (t) => {
  const bets = [bet({ requestId: 'a' }), bet({ requestId: 'b' }), bet({ requestId: 'c' })];
  const batch = decideBets(bets, state([[101, 450]]));
  t.same(
    batch.decisions.map((d) => d.outcome),
    ['accepted', 'accepted', 'refused'],
  );
  t.match(batch.decisions[2], { code: 'INSUFFICIENT_FUNDS' });
  t.same([...batch.walletDebits], [[101, 400]]);
  t.same([...batch.poolCredits], [[901, 400]]);
  t.same(batch.accepted, [0, 1]);
});

t.test('the fence refuses by the receive stamp and the draw as locked', async (t) => {
  const bets = [
    bet({ requestId: 'late', receivedAtMs: CUTOFF_AT_MS }),
    bet({ requestId: 'early', receivedAtMs: OPEN_AT_MS - 1 }),
    bet({ requestId: 'closed', drawId: 2 }),
    bet({ requestId: 'scheduled', drawId: 3 }),
    bet({ requestId: 'unknown', drawId: 99 }),
    bet({ requestId: 'last ms', receivedAtMs: CUTOFF_AT_MS - 1 }),
  ];
  const batch = decideBets(bets, state([[101, 10_000]]));
  t.same(
    batch.decisions.map((d) => (d.outcome === 'refused' ? d.code : d.outcome)),
    ['DRAW_CLOSED', 'DRAW_NOT_OPEN', 'DRAW_CLOSED', 'DRAW_NOT_OPEN', 'DRAW_CLOSED', 'accepted'],
  );
  const graceOver = { ...state([[101, 10_000]]), draws: new Map([[1, { ...openDraw, withinGrace: false }]]) };
  t.match(decideBets([bet()], graceOver).decisions[0], { outcome: 'refused', code: 'DRAW_CLOSED' });
});

t.test('a resend of a bought ticket gets that ticket even after cutoff; another bet under its id conflicts', async (t) => {
  const prior: PriorTicket = { rowId: 7, drawId: 1, betType: 'standard', stakeMinor: 200, quickPick: false, lines: [[1, 2, 3, 4, 5, 6]], costMinor: 200, receivedAtMs: OPEN_AT_MS };
  const key = requestKey({ playerId: 1, requestId: 'r' });
  const late = bet({ receivedAtMs: CUTOFF_AT_MS + 5 });
  const other = bet({ lines: [[7, 8, 9, 10, 11, 12]] });
  const batch = decideBets([late, other], state([[101, 0]], [prior], [key]));
  t.match(batch.decisions[0], { outcome: 'duplicate', prior, balanceMinor: 0 });
  t.match(batch.decisions[1], { outcome: 'refused', code: 'REQUEST_ID_CONFLICT' });
  const results = betResults([late, other], batch, [], undefined);
  t.match(results[0], { status: 'accepted', ticketId: 'T7', duplicate: true, costMinor: 200 });
  t.notOk('xid' in results[0], 'a duplicate carries no transaction id');
});

t.test('a repeat within the batch is answered with the first one\'s ticket, charged once', async (t) => {
  const bets = [bet(), bet({ lines: [[1, 2, 3, 4, 5, 6]] }), bet({ lines: [[1, 2, 3, 4, 5, 7]] })];
  const batch = decideBets(bets, state([[101, 1_000]]));
  t.same(
    batch.decisions.map((d) => d.outcome),
    ['accepted', 'repeat', 'refused'],
  );
  t.same([...batch.walletDebits], [[101, 200]]);
  const results = betResults(bets, batch, [41], 'x9');
  t.match(results[0], { status: 'accepted', ticketId: 'T41', duplicate: false, xid: 'x9', balanceMinor: 800 });
  t.match(results[1], { status: 'accepted', ticketId: 'T41', duplicate: true, balanceMinor: 800 });
  t.match(results[2], { status: 'rejected', code: 'REQUEST_ID_CONFLICT' });
});

t.test('the state read stays as read: deciding twice gives the same decisions', async (t) => {
  const s = state([[101, 500]]);
  const bets = [bet({ requestId: 'a' }), bet({ requestId: 'b' })];
  t.same(decideBets(bets, s), decideBets(bets, s));
  t.same([...s.balances], [[101, 500]]);
});

t.test('results are refused for a write that does not match the decisions', async (t) => {
  const batch = decideBets([bet()], state([[101, 500]]));
  t.throws(() => betResults([bet()], batch, [], 'x'), /0 ticket ids for 1 new tickets/);
  t.throws(() => betResults([bet()], batch, [5], undefined), /without the id of their transaction/);
});

// Generated batches: up to 3 players (one wallet each), bets on an open, a closed or an
// unknown draw, request ids from a small set so that repeats and conflicts are common, and
// some request ids already bought.
const arbBet = fc.record({
  player: fc.integer({ min: 1, max: 3 }),
  drawId: fc.constantFrom(1, 1, 1, 2, 99),
  requestId: fc.constantFrom('a', 'b', 'c', 'd'),
  firstNumber: fc.integer({ min: 1, max: 3 }),
  lineCount: fc.integer({ min: 1, max: 3 }),
  late: fc.boolean(),
});
const arbBatch = fc.record({
  bets: fc.array(arbBet, { minLength: 1, maxLength: 60 }),
  balances: fc.tuple(fc.nat(3_000), fc.nat(3_000), fc.nat(3_000)),
  bought: fc.subarray(['1:a', '2:b', '3:c']),
});

type GeneratedBatch = typeof arbBatch extends fc.Arbitrary<infer T> ? T : never;

function generated(input: GeneratedBatch): { bets: BetToWrite[]; s: BatchState } {
  const bets = input.bets.map((b) =>
    bet({
      playerId: b.player,
      walletAccountId: 100 + b.player,
      drawId: b.drawId,
      requestId: b.requestId,
      lines: Array.from({ length: b.lineCount }, () => [b.firstNumber, 10, 11, 12, 13, 14]),
      costMinor: 200 * b.lineCount,
      receivedAtMs: b.late ? CUTOFF_AT_MS + 1 : OPEN_AT_MS + 1,
    }),
  );
  const prior: PriorTicket = { rowId: 5, drawId: 1, betType: 'standard', stakeMinor: 200, quickPick: false, lines: [[1, 10, 11, 12, 13, 14]], costMinor: 200, receivedAtMs: OPEN_AT_MS };
  const s = state(
    input.balances.map((b, i) => [101 + i, b]),
    input.bought.map(() => prior),
    input.bought,
  );
  return { bets, s };
}

t.test('property: one decision per bet, in order, and each result answers its own bet', async (t) => {
  fc.assert(
    fc.property(arbBatch, (input) => {
      const { bets, s } = generated(input);
      const batch = decideBets(bets, s);
      if (batch.decisions.length !== bets.length) return false;
      const ids = batch.accepted.map((_, k) => 1_000 + k);
      const results = betResults(bets, batch, ids, '77');
      return results.length === bets.length && results.every((r, i) => r.status !== 'accepted' || r.duplicate || r.costMinor === bets[i].costMinor);
    }),
  );
  t.pass();
});

t.test('property: never accepts more than a wallet covers, and debits what it credits', async (t) => {
  fc.assert(
    fc.property(arbBatch, (input) => {
      const { bets, s } = generated(input);
      const batch = decideBets(bets, s);
      const spent = new Map<number, number>();
      for (const i of batch.accepted) spent.set(bets[i].walletAccountId, (spent.get(bets[i].walletAccountId) ?? 0) + bets[i].costMinor);
      for (const [wallet, total] of spent) if (total > s.balances.get(wallet)!) return false;
      const debited = [...batch.walletDebits.values()].reduce((a, b) => a + b, 0);
      const credited = [...batch.poolCredits.values()].reduce((a, b) => a + b, 0);
      const acceptedCost = batch.accepted.reduce((a, i) => a + bets[i].costMinor, 0);
      return debited === acceptedCost && credited === acceptedCost && [...spent].every(([w, n]) => batch.walletDebits.get(w) === n);
    }),
  );
  t.pass();
});

t.test('property: duplicates and repeats are never charged, and one request id buys at most one ticket', async (t) => {
  fc.assert(
    fc.property(arbBatch, (input) => {
      const { bets, s } = generated(input);
      const batch = decideBets(bets, s);
      const keys = batch.accepted.map((i) => requestKey(bets[i]));
      if (new Set(keys).size !== keys.length) return false;
      for (const k of keys) if (s.existing.has(k)) return false;
      return batch.decisions.every((d, i) => {
        if (d.outcome === 'repeat') return sameBet(bets[batch.accepted[d.ofAcceptedIndex]], bets[i]) && !batch.accepted.includes(i);
        if (d.outcome === 'duplicate') return sameBet(d.prior, bets[i]) && !batch.accepted.includes(i);
        return true;
      });
    }),
  );
  t.pass();
});

t.test('liability: no batch sells a combination past its cap, and what it adds is what its accepted bets pay', async (t) => {
  const combos = ['123', '124', '125'];
  fc.assert(
    fc.property(
      fc.array(fc.record({ combo: fc.integer({ min: 0, max: 2 }), payout: fc.integer({ min: 1, max: 900 }), twice: fc.boolean() }), { minLength: 1, maxLength: 30 }),
      fc.array(fc.integer({ min: 0, max: 1_000 }), { minLength: 3, maxLength: 3 }),
      (specs, soldBefore) => {
        const CAP = 1_000;
        const bets = specs.map((s, i) => {
          const p = { combination: combos[s.combo], payoutMinor: s.payout };
          return bet({ requestId: `l${i}`, liability: { capMinor: CAP, payouts: s.twice ? [p, { ...p, combination: combos[(s.combo + 1) % 3] }] : [p] } });
        });
        const liabilities = new Map(combos.map((c, i) => [liabilityKey(1, c), { soldMinor: soldBefore[i], capMinor: CAP }]));
        const batch = decideBets(bets, { ...state([[101, 1_000_000]]), liabilities });
        const expected = new Map<string, number>();
        for (const i of batch.accepted) {
          for (const p of bets[i].liability!.payouts) expected.set(p.combination, (expected.get(p.combination) ?? 0) + p.payoutMinor);
        }
        return combos.every((c, i) => {
          const add = batch.liabilityAdds.get(liabilityKey(1, c))?.addMinor ?? 0;
          const refusedOnlyForCap = batch.decisions.every((d) => d.outcome !== 'refused' || d.code === 'SOLD_OUT');
          return add === (expected.get(c) ?? 0) && soldBefore[i] + add <= CAP && refusedOnlyForCap;
        });
      },
    ),
  );
  t.pass();
});

// --- Advance play: one purchase, the same bet for several draws in a row, all or none ---

const LATER_OPEN_MS = CUTOFF_AT_MS + 1_000;
const later1: LockedDraw = { id: 11, status: 'scheduled', openAtMs: LATER_OPEN_MS, cutoffAtMs: LATER_OPEN_MS + 1_000_000, poolAccountId: 911, withinGrace: true };
const later2: LockedDraw = { ...later1, id: 12, openAtMs: LATER_OPEN_MS + 2_000_000, cutoffAtMs: LATER_OPEN_MS + 3_000_000, poolAccountId: 912 };
const laterClosed: LockedDraw = { ...later1, id: 13, status: 'halted', poolAccountId: 913 };

function purchase(requestId: string, drawIds: number[], over: Partial<BetToWrite> = {}): BetToWrite[] {
  return drawIds.map((drawId, index) =>
    bet({ requestId: advanceRequestId(requestId, index), drawId, advance: { index, count: drawIds.length }, ...over }),
  );
}

function advanceState(balances: [number, number][], existing: [string, PriorTicket][] = []): BatchState {
  return {
    draws: new Map([openDraw, closedDraw, scheduledDraw, later1, later2, laterClosed].map((d) => [d.id, d])),
    balances: new Map(balances),
    existing: new Map(existing),
  };
}

t.test('advance play: a purchase for three draws buys a ticket in each, before the later ones open, debiting all three', async (t) => {
  const bets = purchase('p', [1, 11, 12]);
  const batch = decideBets(bets, advanceState([[101, 1_000]]));
  t.same(batch.decisions.map((d) => d.outcome), ['accepted', 'accepted', 'accepted']);
  t.same([...batch.walletDebits], [[101, 600]]);
  t.same([...batch.poolCredits].sort(), [[901, 200], [911, 200], [912, 200]]);
  t.same(bets.map((b) => b.requestId), ['p', 'p+1', 'p+2'], 'each ticket its own request id, the first the player\'s');
  t.match(batch.decisions[2], { balanceMinor: 400 });
});

t.test('advance play: one ticket refused refuses the whole purchase, and the bets after it see the wallet untouched', async (t) => {
  const short = decideBets([...purchase('p', [1, 11, 12]), bet({ requestId: 'after' })], advanceState([[101, 500]]));
  t.same(short.decisions.map((d) => d.outcome), ['refused', 'refused', 'refused', 'accepted']);
  for (const d of short.decisions.slice(0, 3)) t.match(d, { code: 'INSUFFICIENT_FUNDS', message: /draw 3 of the 3 bought in advance: .*none was bought/ });
  t.same([...short.walletDebits], [[101, 200]], 'only the single bet after it is charged');
  t.equal(short.refusedCount, 3);

  const halted = decideBets(purchase('h', [1, 11, 13]), advanceState([[101, 10_000]]));
  t.same(halted.decisions.map((d) => d.outcome), ['refused', 'refused', 'refused']);
  t.match(halted.decisions[0], { code: 'DRAW_CLOSED', message: /draw 3 of the 3/ });
  t.equal(halted.walletDebits.size, 0);
  t.equal(halted.poolCredits.size, 0);
});

t.test('advance play: each ticket is fenced by its own cutoff, and the first by its own draw being open', async (t) => {
  const late = decideBets(purchase('l', [1, 11], { receivedAtMs: CUTOFF_AT_MS }), advanceState([[101, 10_000]]));
  t.same(late.decisions.map((d) => d.outcome), ['refused', 'refused'], 'received at the first draw\'s cutoff: nothing bought');
  t.match(late.decisions[1], { code: 'DRAW_CLOSED' });
  const notYet = decideBets(purchase('n', [3, 11]), advanceState([[101, 10_000]]));
  t.match(notYet.decisions[0], { outcome: 'refused', code: 'DRAW_NOT_OPEN' }, 'a purchase starts in a draw on sale, never a scheduled one');
  const pastLater = decideBets(purchase('q', [1, 11], { receivedAtMs: OPEN_AT_MS + 10 }), advanceState([[101, 10_000]]));
  t.same(pastLater.decisions.map((d) => d.outcome), ['accepted', 'accepted']);
  const lateForSecond: LockedDraw = { ...later1, cutoffAtMs: OPEN_AT_MS + 5 };
  const second = decideBets(purchase('s', [1, 11]), { ...advanceState([[101, 10_000]]), draws: new Map([openDraw, lateForSecond].map((d) => [d.id, d])) });
  t.same(second.decisions.map((d) => d.outcome), ['refused', 'refused'], 'received after the second draw\'s own cutoff');
});

t.test('advance play: a resend gets every ticket of the purchase; a resend naming more draws conflicts', async (t) => {
  const bought = purchase('p', [1, 11, 12]);
  const priors: [string, PriorTicket][] = bought.map((b, k) => [
    requestKey(b),
    { rowId: 50 + k, drawId: b.drawId, betType: b.betType, stakeMinor: b.stakeMinor, quickPick: false, lines: b.lines, costMinor: 200, receivedAtMs: b.receivedAtMs },
  ]);
  const resend = decideBets(purchase('p', [1, 11, 12], { receivedAtMs: CUTOFF_AT_MS + 5 }), advanceState([[101, 0]], priors));
  t.same(resend.decisions.map((d) => d.outcome), ['duplicate', 'duplicate', 'duplicate'], 'after cutoff, with the wallet spent: the tickets bought');
  const longer = decideBets(purchase('p', [1, 11, 12, 13]), advanceState([[101, 10_000]], priors));
  t.same(longer.decisions.map((d) => d.outcome), ['refused', 'refused', 'refused', 'refused']);
  for (const d of longer.decisions) t.match(d, { code: 'REQUEST_ID_CONFLICT' });
  t.equal(longer.walletDebits.size, 0);
  const twice = decideBets([...purchase('t', [1, 11]), ...purchase('t', [1, 11])], advanceState([[101, 10_000]]));
  t.same(twice.decisions.map((d) => d.outcome), ['accepted', 'accepted', 'repeat', 'repeat'], 'the same purchase twice in one batch is bought once');
  t.same([...twice.walletDebits], [[101, 400]]);
});

t.test('property: a purchase is bought whole or not at all, and no wallet pays more than it holds', async (t) => {
  const drawIds = [1, 11, 12, 13];
  fc.assert(
    fc.property(
      fc.array(fc.record({ count: fc.integer({ min: 1, max: 4 }), startClosed: fc.boolean(), wallet: fc.integer({ min: 0, max: 2 }) }), { minLength: 1, maxLength: 12 }),
      fc.array(fc.integer({ min: 0, max: 1_500 }), { minLength: 3, maxLength: 3 }),
      (specs, balances) => {
        const groups = specs.map((s, i) => {
          const ids = s.startClosed ? drawIds.slice(1, 1 + s.count) : drawIds.slice(0, s.count);
          const over = { playerId: s.wallet + 1, walletAccountId: 101 + s.wallet };
          return s.count === 1 ? [bet({ requestId: `g${i}`, drawId: ids[0], ...over })] : purchase(`g${i}`, ids, over);
        });
        const bets = groups.flat();
        const batch = decideBets(bets, advanceState(balances.map((b, w) => [101 + w, b])));
        let at = 0;
        for (const g of groups) {
          const kinds = new Set(batch.decisions.slice(at, at + g.length).map((d) => d.outcome));
          at += g.length;
          if (kinds.size !== 1) return false;
        }
        return balances.every((b, w) => (batch.walletDebits.get(101 + w) ?? 0) <= b);
      },
    ),
  );
  t.pass();
});

t.test('advance play: a combination sold out in one later draw refuses the purchase, and adds no liability anywhere', async (t) => {
  const liability = { capMinor: 1_000, payouts: [{ combination: '123', payoutMinor: 500 }] };
  const liabilities = new Map([[liabilityKey(11, '123'), { soldMinor: 800, capMinor: 1_000 }]]);
  const batch = decideBets(purchase('c', [1, 11, 12], { liability }), { ...advanceState([[101, 10_000]]), liabilities });
  t.same(batch.decisions.map((d) => d.outcome), ['refused', 'refused', 'refused']);
  t.match(batch.decisions[0], { code: 'SOLD_OUT', message: /draw 2 of the 3 bought in advance/ });
  t.equal(batch.liabilityAdds.size, 0, 'nothing added to the first or third draw either');
  const fits = decideBets(purchase('d', [1, 11, 12], { liability }), { ...advanceState([[101, 10_000]]), liabilities: new Map() });
  t.same([...fits.liabilityAdds.values()].map((a) => [a.drawId, a.combination, a.addMinor]), [[1, '123', 500], [11, '123', 500], [12, '123', 500]], 'each ticket against its own draw');
});
