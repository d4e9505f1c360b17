// Histogram buckets follow the limits that bound what they observe (core/metrics.ts).
import t from 'tap';
import { BET_BATCH_SIZE_MAX, BET_QUERY_MS_MAX } from '../core/limits.ts';
import { bucketsUpTo, createMetrics } from '../core/metrics.ts';

t.test('buckets run 1-2-5 up to the limit and end exactly at it', async (t) => {
  t.same(bucketsUpTo(1, 1000), [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000]);
  t.same(bucketsUpTo(0.001, 5), [0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5]);
  t.same(bucketsUpTo(1, 750), [1, 2, 5, 10, 20, 50, 100, 200, 500, 750], 'a limit off the series is the top bucket');
  t.throws(() => bucketsUpTo(0, 10), RangeError);
});

t.test('a full batch and a statement at its time limit land in a finite bucket', async (t) => {
  const metrics = createMetrics();
  const batch = (await metrics.betBatchSize.get()).values.filter((v) => v.metricName === 'lottery_bet_batch_size_bucket');
  const commit = (await metrics.betCommitSeconds.get()).values.filter((v) => v.metricName === 'lottery_bet_commit_seconds_bucket');
  const finiteTop = (values: typeof batch) => Math.max(...values.map((v) => Number(v.labels.le)).filter(Number.isFinite));
  t.equal(finiteTop(batch), BET_BATCH_SIZE_MAX);
  t.equal(finiteTop(commit), BET_QUERY_MS_MAX / 1000);
});
