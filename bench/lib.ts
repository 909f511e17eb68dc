// What every bench section shares: figures with their references, statistics, timing child processes
// with their peak memory, and the table.
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

/** One measured figure and the reference it is read against, measured in the same run. */
export interface Figure {
  section: string;
  name: string;
  value: number;
  unit: string;
  /** Spread of the runs behind value (a median), when there were several. */
  spread?: { min: number; max: number; runs: number };
  reference?: { name: string; value: number; unit: string };
  /** value / reference, or reference / value for speed-ups: see ratioLabel. */
  ratio?: number;
  ratioLabel?: string;
  target?: string;
  /** Whether the target is met; absent when there is no target. */
  met?: boolean;
  note?: string;
}

export const median = (xs: readonly number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const n = s.length;
  return n === 0 ? NaN : n % 2 ? s[(n - 1) / 2]! : (s[n / 2 - 1]! + s[n / 2]!) / 2;
};

export const spreadOf = (xs: readonly number[]) => ({ min: Math.min(...xs), max: Math.max(...xs), runs: xs.length });

export async function timeIt<T>(fn: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const t = performance.now();
  const value = await fn();
  return { ms: performance.now() - t, value };
}

/** The load average and what is running: every figure of a run on a busy machine is only good as a ratio. */
export function machineLoad(): { load1: number; load5: number } {
  try {
    const [l1, l5] = readFileSync('/proc/loadavg', 'utf8').split(' ').map(Number);
    return { load1: l1 ?? NaN, load5: l5 ?? NaN };
  } catch {
    return { load1: NaN, load5: NaN };
  }
}

interface ProcStat {
  pid: number;
  ppid: number;
}

function processTable(): ProcStat[] {
  const out: ProcStat[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      out.push({ pid: Number(name), ppid: Number(rest[1]) });
    } catch {
      // gone meanwhile
    }
  }
  return out;
}

function kib(pid: number, field: 'VmHWM' | 'VmRSS'): number {
  try {
    const m = new RegExp(`${field}:\\s+(\\d+) kB`).exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : 0;
  } catch {
    return 0;
  }
}

export interface Measured {
  code: number | null;
  ms: number;
  stdout: string;
  stderr: string;
  /** The largest peak resident set of any process of the tree (the engine worker, in practice), MB. */
  peakProcessMB: number;
  /** The largest sum of resident sets of the tree seen at one time, MB. */
  peakTreeMB: number;
}

/** Runs a command to its end, sampling the resident memory of it and its descendants every 20 ms. */
export function runMeasured(cmd: string, args: string[], options: { cwd?: string; timeoutMs?: number } = {}): Promise<Measured> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(cmd, args, { cwd: options.cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const hwm = new Map<number, number>();
    let peakTree = 0;
    const sample = () => {
      if (child.pid === undefined) return;
      const table = processTable();
      const tree = new Set([child.pid]);
      for (let grew = true; grew; ) {
        grew = false;
        for (const p of table) if (tree.has(p.ppid) && !tree.has(p.pid)) (tree.add(p.pid), (grew = true));
      }
      let sum = 0;
      for (const pid of tree) {
        hwm.set(pid, Math.max(hwm.get(pid) ?? 0, kib(pid, 'VmHWM')));
        sum += kib(pid, 'VmRSS');
      }
      peakTree = Math.max(peakTree, sum);
    };
    const timer = setInterval(sample, 20);
    const killer = options.timeoutMs ? setTimeout(() => child.kill('SIGKILL'), options.timeoutMs) : null;
    child.on('error', (err) => (clearInterval(timer), reject(err)));
    child.on('close', (code) => {
      clearInterval(timer);
      if (killer) clearTimeout(killer);
      resolve({
        code,
        ms: performance.now() - started,
        stdout,
        stderr,
        peakProcessMB: Math.max(0, ...hwm.values()) / 1024,
        peakTreeMB: peakTree / 1024,
      });
    });
  });
}

const fmt = (v: number, unit: string) => {
  if (!Number.isFinite(v)) return String(v);
  const digits = Math.abs(v) >= 100 ? 0 : Math.abs(v) >= 10 ? 1 : 2;
  return `${v.toFixed(digits)} ${unit}`.trim();
};

/** The figures as a plain-text table, one line each, grouped by section. */
export function table(figures: readonly Figure[]): string {
  const rows: string[][] = [['figure', 'value', 'spread', 'reference (same run)', 'ratio', 'target']];
  let section = '';
  const sectionRows: number[] = [];
  for (const f of figures) {
    if (f.section !== section) {
      section = f.section;
      sectionRows.push(rows.length);
      rows.push([`[${section}]`, '', '', '', '', '']);
    }
    rows.push([
      `  ${f.name}`,
      fmt(f.value, f.unit),
      f.spread && f.spread.runs > 1 ? `${fmt(f.spread.min, '')}-${fmt(f.spread.max, '')} (${f.spread.runs})` : '',
      f.reference ? `${f.reference.name}: ${fmt(f.reference.value, f.reference.unit)}` : '',
      f.ratio !== undefined ? `${f.ratio.toFixed(2)}${f.ratioLabel ? ` ${f.ratioLabel}` : ''}` : '',
      f.target ? `${f.target}${f.met === undefined ? '' : f.met ? ' ok' : ' MISSED'}` : '',
    ]);
  }
  const widths = rows[0]!.map((_, i) => Math.max(...rows.filter((_, r) => !sectionRows.includes(r)).map((r) => r[i]!.length)));
  return rows
    .map((r, i) => (sectionRows.includes(i) ? r[0]! : r.map((c, j) => c.padEnd(widths[j]!)).join('  ').trimEnd()))
    .join('\n');
}
