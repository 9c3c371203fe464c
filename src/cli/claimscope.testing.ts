// Test support: `claimscope` run in-process on an in-memory CliIo (the real files, no process, a
// fixed clock), so a test sees its exit code, stdout and stderr. Imported by *.test.ts only.

import { readFile } from 'node:fs/promises';
import { main, type CliIo } from './claimscope';

/** A runner of the CLI whose clock reads `now` (ms since the epoch). */
export function cliRunner(now: number) {
  return async (argv: string[], stdin = '', env: Record<string, string> = {}): Promise<{ code: number; out: string; err: string }> => {
    let out = '';
    let err = '';
    const io: CliIo = {
      stdout: (t) => {
        out += t;
      },
      stderr: (t) => {
        err += t;
      },
      readStdin: async () => stdin,
      readFile: (p) => readFile(p, 'utf8'),
      now: () => now,
      env: (name) => env[name],
    };
    const code = await main(argv, io);
    return { code, out, err };
  };
}
