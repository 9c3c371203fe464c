// Session core in Node: runs `npm run bench:session` (scripts/bench-session.ts) as a child process
// and reads its table: `label  value  note` lines. A note "budget ≤ N×" marks the budgeted row.

import { spawn } from 'node:child_process';

export interface SessionRow {
  label: string;
  value: string;
  /** The value as a number (ms, ×, events/s), when it is one. */
  number?: number;
  unit?: string;
  note: string;
  budget?: number;
}

export interface SessionCore {
  header: string;
  rows: SessionRow[];
  exitCode: number | null;
  error?: string;
}

export function parseSessionOutput(text: string): { header: string; rows: SessionRow[] } {
  const lines = text.split('\n').map((l) => l.trimEnd()).filter(Boolean);
  let header = '';
  const rows: SessionRow[] = [];
  for (const line of lines) {
    const m = /^(\S.*?)\s{2,}(\S.*?)(?:\s{2,}(.*))?$/.exec(line);
    if (!m) {
      if (!header) header = line;
      continue;
    }
    const [, label, value, note = ''] = m;
    const num = /^([\d,]+(?:\.\d+)?)\s*(.*)$/.exec(value);
    const budget = /budget\s*≤\s*([\d.]+)/.exec(note);
    rows.push({
      label: label.trim(),
      value,
      ...(num ? { number: Number(num[1].replace(/,/g, '')), unit: num[2] } : {}),
      note: note.trim(),
      ...(budget ? { budget: Number(budget[1]) } : {}),
    });
  }
  return { header, rows };
}

export function runSessionBench(cwd: string, timeoutMs = 15 * 60_000): Promise<SessionCore> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--expose-gc', '--import', 'tsx', 'scripts/bench-session.ts'], { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += String(d)));
    child.stderr.on('data', (d) => (err += String(d)));
    const t = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('close', (code) => {
      clearTimeout(t);
      const parsed = parseSessionOutput(out);
      resolve({ ...parsed, exitCode: code, ...(code !== 0 ? { error: (err || out).trim().slice(-500) || `exit ${code}` } : {}) });
    });
  });
}
