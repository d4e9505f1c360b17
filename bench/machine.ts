// bench/machine.ts — what a benchmark reads of the machine it runs on (Linux /proc): CPU of
// a process, of the local PostgreSQL server's processes, of the whole machine, and a
// process's resident memory. Each reads NaN (or nothing) where /proc is not there.
import fs from 'node:fs';

/** CPU seconds of a process so far. */
export function processCpuSeconds(pid: number): number {
  try {
    const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return NaN;
  }
}

/** Resident memory of a process in bytes. */
export function processRssBytes(pid: number): number {
  try {
    const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    return Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? NaN) * 1024;
  } catch {
    return NaN;
  }
}

/** CPU seconds used so far by each process named `postgres` on this machine, by pid. */
export function postgresCpuSeconds(): Map<string, number> {
  const byPid = new Map<string, number>();
  let entries: string[] = [];
  try {
    entries = fs.readdirSync('/proc');
  } catch {
    return byPid;
  }
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
      if (!stat.includes('(postgres)')) continue;
      const fields = stat.split(') ')[1].split(' ');
      byPid.set(entry, (Number(fields[11]) + Number(fields[12])) / 100);
    } catch {
      /* the process ended while we looked */
    }
  }
  return byPid;
}

/** CPU the database used between two readings: processes that ended in between are lost. */
export function postgresCpuBetween(start: Map<string, number>, end: Map<string, number>): number {
  if (end.size === 0) return NaN;
  let total = 0;
  for (const [pid, seconds] of end) total += seconds - (start.get(pid) ?? 0);
  return total;
}

/** Busy, total and stolen jiffies of the whole machine, to tell CPU-bound from waiting. */
export function machineJiffies(): { busy: number; total: number; steal: number } {
  try {
    // user nice system idle iowait irq softirq steal guest guest_nice; guest time is
    // already counted in user, so it is left out of the total.
    const cpu = fs.readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1, 9).map(Number);
    const idle = cpu[3] + (cpu[4] ?? 0);
    const total = cpu.reduce((a, b) => a + b, 0);
    return { busy: total - idle, total, steal: cpu[7] ?? 0 };
  } catch {
    return { busy: NaN, total: NaN, steal: NaN };
  }
}

/** The p-th percentile of ascending `sorted` (nearest rank); NaN when empty. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}
