#!/usr/bin/env node
// `claimscope` command line: decode a token, run the rules, predict Realtime's verdicts.
// `main(argv, io)` is the whole program (testable in-process); the bottom of the file wires it to
// the real process. Exit status: 0 no error finding, 1 at least one, 2 bad usage / unreadable input.

import { readFile } from 'node:fs/promises';
import { pathToFileURL } from 'node:url';
import {
  checkToken, decodeToken, hasError, parseClaimValidators, parseJwks, predictConnectVerdict, predictJoinVerdict,
  secretFromBase64, secretFromText, TOKEN_CLASS_LABELS, type Finding, type ProjectKnowledge,
} from '../core/analysis/index';
import { isoOf } from '../core/rules/token-rules';

export interface CliIo {
  stdout(text: string): void;
  stderr(text: string): void;
  readStdin(): Promise<string>;
  readFile(path: string): Promise<string>;
  now(): number;
}

const USAGE = `usage: claimscope decode <token | -> [--secret S | --secret-base64 S] [--jwks FILE] [--validators JSON] [--project-url URL] [--at ISO-8601] [--json]`;

class UsageError extends Error {}

interface DecodeArgs {
  token: string;
  fromStdin: boolean;
  secret?: string;
  secretBase64?: string;
  jwksFile?: string;
  validators?: string;
  projectUrl?: string;
  at?: string;
  json: boolean;
}

function parseDecodeArgs(args: string[]): DecodeArgs {
  const out: Partial<DecodeArgs> & { json: boolean } = { json: false };
  const positional: string[] = [];
  const valueOf = (i: number, flag: string) => {
    const v = args[i + 1];
    if (v === undefined) throw new UsageError(`${flag} needs a value`);
    return v;
  };
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    switch (a) {
      case '--json': out.json = true; break;
      case '--secret': out.secret = valueOf(i++, a); break;
      case '--secret-base64': out.secretBase64 = valueOf(i++, a); break;
      case '--jwks': out.jwksFile = valueOf(i++, a); break;
      case '--validators': out.validators = valueOf(i++, a); break;
      case '--project-url': out.projectUrl = valueOf(i++, a); break;
      case '--at': out.at = valueOf(i++, a); break;
      default:
        if (a.startsWith('--')) throw new UsageError(`unknown option ${a}`);
        positional.push(a);
    }
  }
  if (positional.length !== 1) throw new UsageError(positional.length === 0 ? 'no token given (pass the token, or - to read it from stdin)' : 'give exactly one token');
  if (out.secret !== undefined && out.secretBase64 !== undefined) throw new UsageError('use --secret or --secret-base64, not both');
  return { ...out, token: positional[0], fromStdin: positional[0] === '-' } as DecodeArgs;
}

export async function main(argv: string[], io: CliIo): Promise<number> {
  try {
    const [command, ...rest] = argv;
    if (command === undefined || command === '--help' || command === '-h' || command === 'help') {
      io.stdout(`${USAGE}\n`);
      return command === undefined ? 2 : 0;
    }
    if (command === 'analyze') throw new UsageError('"analyze" is not available yet (the session export format is a later issue)');
    if (command !== 'decode') throw new UsageError(`unknown command "${command}"`);
    return await decodeCommand(parseDecodeArgs(rest), io);
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    // One line, never a stack trace.
    io.stderr(`claimscope: ${message.split('\n')[0]}${err instanceof UsageError ? ' (see claimscope --help)' : ''}\n`);
    return 2;
  }
}

async function decodeCommand(args: DecodeArgs, io: CliIo): Promise<number> {
  let raw = args.token;
  if (args.fromStdin) {
    try {
      raw = await io.readStdin();
    } catch (err) {
      throw new UsageError(`cannot read stdin: ${(err as Error).message}`);
    }
  }
  if (raw.trim() === '') throw new UsageError('the token is empty');

  const project: ProjectKnowledge = {};
  if (args.secret !== undefined) project.secret = secretFromText(args.secret);
  if (args.secretBase64 !== undefined) {
    const s = secretFromBase64(args.secretBase64);
    if (!s.ok) throw new UsageError(`--secret-base64: ${s.error}`);
    project.secret = s.value;
  }
  if (args.jwksFile !== undefined) {
    let text: string;
    try {
      text = await io.readFile(args.jwksFile);
    } catch (err) {
      throw new UsageError(`cannot read ${args.jwksFile}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
    }
    const j = parseJwks(text);
    if (!j.ok) throw new UsageError(`--jwks ${args.jwksFile}: ${j.error}`);
    project.jwks = j.value;
  }
  if (args.validators !== undefined) {
    const v = parseClaimValidators(args.validators);
    if (!v.ok) throw new UsageError(`--validators: ${v.error}`);
    project.claimValidators = v.value;
  }
  if (args.projectUrl !== undefined) project.projectUrl = args.projectUrl;
  let at = io.now();
  if (args.at !== undefined) {
    at = Date.parse(args.at);
    if (!Number.isFinite(at)) throw new UsageError(`--at: "${args.at}" is not an ISO-8601 date`);
  }

  const token = decodeToken(raw);
  const use = { at };
  const { findings, judgement } = await checkToken(token, { project, use, sentTo: args.projectUrl });
  const connect = await predictConnectVerdict(token, project, use);
  const join = await predictJoinVerdict(token, project, use);
  const result = {
    schema: 'claimscope.decode/1',
    at: new Date(at).toISOString(),
    token: {
      form: token.form,
      class: token.tokenClass,
      classLabel: TOKEN_CLASS_LABELS[token.tokenClass],
      projectRef: token.projectRef,
      label: token.label,
      notes: token.notes,
      problem: token.problem ?? null,
    },
    header: token.header ?? null,
    claims: token.claims ?? null,
    times: timeClaims(token.claims, at),
    signature: token.form === 'jwt' ? (judgement.signature?.status ?? 'unverified') : 'not-applicable',
    findings: findings.map((f) => ({ code: f.code, severity: f.severity, message: f.message, cause: f.cause, fix: f.fix, evidence: f.evidence })),
    verdict: {
      connect: { status: connect.status, body: connect.body, accepted: connect.accepted, conditional: connect.conditional, conditions: connect.conditions, explanation: connect.explanation },
      join: { accepted: join.accepted, reason: join.reason, conditional: join.conditional, conditions: join.conditions, explanation: join.explanation },
    },
  };
  io.stdout(args.json ? `${JSON.stringify(result, null, 2)}\n` : renderText(result, findings));
  return hasError(findings) ? 1 : 0;
}

function timeClaims(claims: Record<string, unknown> | undefined, at: number): Record<string, { value: unknown; iso: string | null; relative: string | null }> {
  const out: Record<string, { value: unknown; iso: string | null; relative: string | null }> = {};
  for (const k of ['iat', 'nbf', 'exp', 'auth_time']) {
    if (!claims || !(k in claims)) continue;
    const v = claims[k];
    if (typeof v === 'number' && Number.isFinite(v)) {
      const d = Math.round(v - at / 1000);
      out[k] = { value: v, iso: isoOf(v), relative: d >= 0 ? `in ${human(d)}` : `${human(-d)} ago` };
    } else out[k] = { value: v, iso: null, relative: null };
  }
  return out;
}

function human(s: number): string {
  if (s < 120) return `${s} s`;
  if (s < 7200) return `${Math.round(s / 60)} min`;
  if (s < 172800) return `${Math.round(s / 3600)} h`;
  return `${Math.round(s / 86400)} days`;
}

type DecodeResult = {
  at: string;
  token: { classLabel: string; projectRef: string; notes: string[]; problem: { segment: string; reason: string } | null };
  header: Record<string, unknown> | null;
  claims: Record<string, unknown> | null;
  times: ReturnType<typeof timeClaims>;
  signature: string;
  verdict: { connect: { status: number | null; body: { error: string } | null; conditional: boolean; explanation: string }; join: { accepted: boolean | null; reason: string | null; conditional: boolean; explanation: string } };
};

function renderText(r: DecodeResult, findings: Finding[]): string {
  const lines: string[] = [];
  lines.push(`Token:      ${r.token.classLabel}`);
  lines.push(`Project:    ${r.token.projectRef}`);
  for (const n of r.token.notes) lines.push(`Note:       ${n}`);
  if (r.token.problem) lines.push(`Broken:     ${r.token.problem.segment}: ${r.token.problem.reason}`);
  if (r.header) lines.push(`Header:     ${JSON.stringify(r.header)}`);
  if (r.claims) {
    lines.push('Claims:');
    for (const [k, v] of Object.entries(r.claims)) {
      const t = r.times[k];
      lines.push(`  ${k}: ${JSON.stringify(v)}${t?.iso ? `  (${t.iso}, ${t.relative})` : ''}`);
    }
  }
  lines.push(`Signature:  ${r.signature}`);
  lines.push(`Checked at: ${r.at}`);
  lines.push('');
  lines.push(findings.length === 0 ? 'Findings:   none' : 'Findings:');
  for (const f of findings) {
    lines.push(`  [${f.severity}] ${f.code}: ${f.message}`);
    lines.push(`      fix: ${f.fix}`);
  }
  lines.push('');
  const c = r.verdict.connect;
  lines.push(`Connect:    ${c.status === null ? 'unknown' : c.status === 101 ? '101 accepted' : `${c.status} ${JSON.stringify(c.body)}`}${c.conditional ? ' (conditional)' : ''}`);
  const j = r.verdict.join;
  lines.push(`Join:       ${j.accepted === null ? 'unknown' : j.accepted ? 'accepted' : `rejected: ${j.reason}`}${j.conditional ? ' (conditional)' : ''}`);
  lines.push(`            ${j.explanation}`);
  return `${lines.join('\n')}\n`;
}

const nodeIo: CliIo = {
  stdout: (t) => process.stdout.write(t),
  stderr: (t) => process.stderr.write(t),
  readStdin: async () => {
    const chunks: Buffer[] = [];
    for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks).toString('utf8');
  },
  readFile: (path) => readFile(path, 'utf8'),
  now: () => Date.now(),
};

const invokedDirectly = typeof process !== 'undefined' && process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href;
if (invokedDirectly) {
  main(process.argv.slice(2), nodeIo).then(
    (code) => { process.exitCode = code; },
    (err: unknown) => { process.stderr.write(`claimscope: ${err instanceof Error ? err.message : String(err)}\n`); process.exitCode = 2; },
  );
}
