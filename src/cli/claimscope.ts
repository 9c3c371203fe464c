#!/usr/bin/env node
// `claimscope` command line: decode a token, run the rules, predict Realtime's verdicts — printed
// from the same token view model the panel's Tokens view shows (src/core/session/token-view.ts).
// `main(argv, io)` is the whole program (testable in-process); the bottom of the file wires it to
// the real process. Exit status: 0 no error finding, 1 at least one, 2 bad usage / unreadable input.
//
// Options are parsed by Node's `util.parseArgs` from one command table (COMMANDS): a new command
// or option is one entry there, and its help text comes from the same entry.

import { realpathSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { GATEWAY_TOKEN_NOTE, hasError, parseClaimValidators, parseJwks, secretFromBase64, secretFromText, type ProjectKnowledge } from '../core/analysis/index';
import { isoOf } from '../core/session/index';
import { judgePastedToken, type PastedToken, type Verdicts } from '../core/session';
import { bugReportMarkdown, importBytes, importFile, openImported } from '../core/export';
import { version as CLI_VERSION } from '../../package.json';
import { SEVERITY_RANK, type Finding } from '../core/rules/catalogue';
import { safeJson, safeJsonText, visibleText, type SafeJsonOptions } from '../core/safe-json';
import { claimText } from '../ui/format';

export interface CliIo {
  stdout(text: string): void;
  stderr(text: string): void;
  readStdin(): Promise<string>;
  readFile(path: string): Promise<string>;
  /** A file's bytes (analyze reads Playwright's .zip HARs); without it, analyze reads text. */
  readBytes?(path: string): Promise<Uint8Array>;
  now(): number;
  /** An environment variable (CLAIMSCOPE_SECRET…); absent: none is read. */
  env?(name: string): string | undefined;
}

/** Environment variables that carry the project's JWT secret (never the command line: `ps` shows it). */
export const SECRET_ENV = 'CLAIMSCOPE_SECRET';
export const SECRET_BASE64_ENV = 'CLAIMSCOPE_SECRET_BASE64';

/** Bad usage or unreadable input (exit 2); `helpFor` names the command whose help says more. */
class UsageError extends Error {
  constructor(message: string, readonly helpFor?: string) {
    super(message);
  }
}

/** A file named on the command line that could not be read: its name and the system's code (ENOENT, EACCES…). */
function cannotRead(path: string, err: unknown): UsageError {
  return new UsageError(`cannot read ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
}

async function readNamedFile(io: CliIo, path: string): Promise<string> {
  try {
    return await io.readFile(path);
  } catch (err) {
    throw cannotRead(path, err);
  }
}

// ---------------------------------------------------------------------------------------------
// The command table

interface OptionSpec {
  type: 'string' | 'boolean';
  short?: string;
  /** What the value is, as the help shows it (string options). */
  value?: string;
  help: string;
}

type OptionValues = Record<string, string | boolean | undefined>;

interface Command {
  /** Positional arguments, as the usage line shows them. */
  args: string;
  summary: string;
  /** More about the command, for its --help. */
  description: string;
  options: Record<string, OptionSpec>;
  run(values: OptionValues, positionals: string[], io: CliIo): Promise<number>;
}

/** Every command takes --help. */
const HELP_OPTION: Record<string, OptionSpec> = { help: { type: 'boolean', short: 'h', help: 'print this help' } };

const EXIT_STATUS = 'Exit status: 0 no error finding, 1 at least one, 2 bad usage or unreadable input.';

/** Shared by the commands that judge tokens (decode, analyze). */
const VALIDATORS_OPTION: OptionSpec = { type: 'string', value: 'JSON', help: 'the claim validators Realtime is configured with, e.g. \'{"aud":"authenticated"}\'' };

const COMMANDS: Record<string, Command> = {
  decode: {
    args: '<token | ->',
    summary: "decode one token, run the rules and predict Realtime's connect and join verdicts",
    description:
      'Decodes one token (- reads it from stdin), runs the token rules and predicts the connect and join verdicts\n' +
      "Realtime would give at --at, as the panel's Tokens view shows them. The signature is never printed.",
    options: {
      'secret-file': { type: 'string', value: 'F', help: `a file holding the project's JWT secret as text (or set ${SECRET_ENV}, or ${SECRET_BASE64_ENV})` },
      secret: { type: 'string', value: 'S', help: "the project's JWT secret, as text (shown to every user by ps: prefer --secret-file)" },
      'secret-base64': { type: 'string', value: 'S', help: "the project's JWT secret, base64-encoded (shown by ps, like --secret)" },
      jwks: { type: 'string', value: 'FILE', help: "a JWKS file with the project's public keys" },
      validators: VALIDATORS_OPTION,
      'project-url': { type: 'string', value: 'URL', help: 'the project URL the page uses (for the iss and project checks)' },
      at: { type: 'string', value: 'ISO-8601', help: 'judge the token at this time (default: now)' },
      json: { type: 'boolean', help: 'print one JSON object (schema claimscope.decode/1, see docs/findings.md)' },
    },
    run: (values, positionals, io) => decodeCommand(decodeArgs(values, positionals), io),
  },
  analyze: {
    args: '<file | ->',
    summary: 'run the session core on a Claimscope session file or any HAR and list its findings by severity',
    description:
      "Reads a Claimscope session file (the panel's Export) or a HAR with WebSocket frames (_webSocketMessages:\n" +
      "Chrome DevTools' \"Save all as HAR\", Playwright's recordHar, its .zip mode too), replays it into the session core and analyses it\n" +
      'at the recorded time (--at overrides), as the panel would. - reads the file from stdin.',
    options: {
      validators: VALIDATORS_OPTION,
      'secret-file': { type: 'string', value: 'F', help: `a file holding the project's JWT secret (or set ${SECRET_ENV}; verifies signatures; useless on a redacted export)` },
      at: { type: 'string', value: 'ISO-8601', help: 'analyse at this time (default: the time recorded in the file)' },
      json: { type: 'boolean', help: 'print one JSON object (schema claimscope.analyze/1, see docs/session-format.md); same as --format json' },
      format: { type: 'string', value: 'F', help: 'text (default), json, or markdown: the bug report the panel copies (redacted, for pasting into an issue)' },
    },
    run: (values, positionals, io) => analyzeCommand(values, positionals, io),
  },
};

/** Commands announced but not there yet, with why. */
const PLANNED: Record<string, string> = {};

export async function main(argv: string[], io: CliIo): Promise<number> {
  try {
    const [first, ...rest] = argv;
    if (first === undefined) {
      io.stdout(overallHelp());
      return 2;
    }
    if (first === '--version' || first === '-v') {
      io.stdout(`${CLI_VERSION}\n`);
      return 0;
    }
    if (first === '--help' || first === '-h' || first === 'help') {
      const topic = first === 'help' ? rest[0] : undefined;
      io.stdout(topic === undefined ? overallHelp() : commandHelp(topic, commandNamed(topic)));
      return 0;
    }
    if (first.startsWith('-')) throw new UsageError(`unknown option ${first} (options come after the command, e.g. claimscope decode … ${first})`);
    const command = commandNamed(first);
    const { values, positionals } = parseOptions(first, command, rest);
    if (values.help === true) {
      io.stdout(commandHelp(first, command));
      return 0;
    }
    return await command.run(values, positionals, io);
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    const hint = err instanceof UsageError ? ` (see claimscope ${err.helpFor ? `${err.helpFor} ` : ''}--help)` : '';
    // One line, never a stack trace.
    io.stderr(`claimscope: ${printable(message.split('\n')[0])}${hint}\n`);
    return 2;
  }
}

function commandNamed(name: string): Command {
  if (Object.hasOwn(COMMANDS, name)) return COMMANDS[name];
  if (Object.hasOwn(PLANNED, name)) throw new UsageError(PLANNED[name]);
  throw new UsageError(`unknown command "${name}"`);
}

/** parseArgs, strict, with its errors turned into one line that names the option. */
function parseOptions(name: string, command: Command, args: string[]): { values: OptionValues; positionals: string[] } {
  const specs = { ...command.options, ...HELP_OPTION };
  const options = Object.fromEntries(Object.entries(specs).map(([long, s]) => [long, s.short ? { type: s.type, short: s.short } : { type: s.type }]));
  try {
    const { values, positionals } = parseArgs({ args, options, allowPositionals: true, strict: true });
    return { values: values as OptionValues, positionals };
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const option = /'(--?[^'\s]+)/.exec((err as Error).message)?.[1] ?? '';
    if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') throw new UsageError(`unknown option ${option}`, name);
    if (code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') {
      const long = option.startsWith('--') ? option.slice(2) : Object.keys(specs).find((k) => `-${specs[k].short}` === option);
      if (long !== undefined && specs[long]?.type === 'boolean') throw new UsageError(`${option} takes no value`, name);
      throw new UsageError(`${option} needs a value (write ${option}=VALUE for a value that starts with -)`, name);
    }
    throw new UsageError((err as Error).message, name);
  }
}

function overallHelp(): string {
  const rows = Object.entries(COMMANDS).map(([name, c]) => [`${name} ${c.args}`, c.summary]);
  return [
    'usage: claimscope <command> [options]',
    '',
    'Commands:',
    ...table(rows),
    '',
    'Options:',
    ...table([
      ['-h, --help', 'print this help; claimscope <command> --help prints a command\'s options'],
      ['-v, --version', 'print the version'],
    ]),
    '',
    EXIT_STATUS,
    '',
  ].join('\n');
}

function commandHelp(name: string, command: Command): string {
  const rows = Object.entries({ ...command.options, ...HELP_OPTION }).map(([long, s]) => [
    `${s.short ? `-${s.short}, ` : ''}--${long}${s.value ? ` ${s.value}` : ''}`,
    s.help,
  ]);
  return [`usage: claimscope ${name} ${command.args} [options]`, '', command.description, '', 'Options:', ...table(rows), '', EXIT_STATUS, ''].join('\n');
}

function table(rows: string[][]): string[] {
  const width = Math.max(...rows.map(([left]) => left.length)) + 3;
  return rows.map(([left, right]) => `  ${left.padEnd(width)}${right}`);
}

// ---------------------------------------------------------------------------------------------
// decode

interface DecodeArgs {
  token: string;
  fromStdin: boolean;
  secret?: string;
  secretBase64?: string;
  secretFile?: string;
  jwksFile?: string;
  validators?: string;
  projectUrl?: string;
  at?: string;
  json: boolean;
}

/**
 * The project's JWT secret, from the first source given: --secret-file (text, one trailing newline
 * ignored), --secret / --secret-base64 (a note on stderr: the command line is visible to every
 * user of the machine through ps and /proc, and stays in shell history), else the environment
 * (CLAIMSCOPE_SECRET as text, CLAIMSCOPE_SECRET_BASE64). Undefined when none is given.
 */
async function projectSecret(
  opts: { secret?: string; secretBase64?: string; secretFile?: string },
  io: CliIo,
  command: string,
): Promise<Uint8Array | undefined> {
  if (opts.secretFile !== undefined) {
    const text = (await readNamedFile(io, opts.secretFile)).replace(/\r?\n$/, '');
    if (text.trim() === '') throw new UsageError(`--secret-file ${opts.secretFile} is empty`, command);
    return secretFromText(text);
  }
  const onCommandLine =
    opts.secret !== undefined ? secretFromText(opts.secret) : opts.secretBase64 !== undefined ? base64Secret(opts.secretBase64, '--secret-base64', command) : undefined;
  if (onCommandLine) {
    // Said once the secret was read (a bad one gets its one line of error, not two).
    io.stderr(
      `claimscope: note: ${opts.secret !== undefined ? '--secret' : '--secret-base64'} puts the secret on the command line, where any user of this machine ` +
        `can read it (ps, /proc) and your shell history keeps it; prefer --secret-file FILE or the ${SECRET_ENV} environment variable\n`,
    );
    return onCommandLine;
  }
  const text = io.env?.(SECRET_ENV) || undefined;
  const base64 = io.env?.(SECRET_BASE64_ENV) || undefined;
  if (text !== undefined && base64 !== undefined) throw new UsageError(`set ${SECRET_ENV} or ${SECRET_BASE64_ENV}, not both`, command);
  if (text !== undefined) return secretFromText(text);
  if (base64 !== undefined) return base64Secret(base64, SECRET_BASE64_ENV, command);
  return undefined;
}

function base64Secret(text: string, from: string, command: string): Uint8Array {
  const s = secretFromBase64(text);
  if (!s.ok) throw new UsageError(`${from}: ${s.error}`, command);
  return s.value;
}

function decodeArgs(values: OptionValues, positionals: string[]): DecodeArgs {
  const text = (k: string) => (typeof values[k] === 'string' ? (values[k] as string) : undefined);
  if (positionals.length !== 1) {
    throw new UsageError(positionals.length === 0 ? 'no token given (pass the token, or - to read it from stdin)' : 'give exactly one token', 'decode');
  }
  const given = ['secret', 'secret-base64', 'secret-file'].filter((k) => values[k] !== undefined);
  if (given.length > 1) throw new UsageError(`use one of --secret-file, --secret, --secret-base64, not both ${given.map((k) => `--${k}`).join(' and ')}`, 'decode');
  return {
    token: positionals[0],
    fromStdin: positionals[0] === '-',
    secret: text('secret'),
    secretBase64: text('secret-base64'),
    secretFile: text('secret-file'),
    jwksFile: text('jwks'),
    validators: text('validators'),
    projectUrl: text('project-url'),
    at: text('at'),
    json: values.json === true,
  };
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
  if (raw.trim() === '') throw new UsageError('the token is empty', 'decode');

  const project: ProjectKnowledge = {};
  const secret = await projectSecret(args, io, 'decode');
  if (secret) project.secret = secret;
  if (args.jwksFile !== undefined) {
    const text = await readNamedFile(io, args.jwksFile);
    const j = parseJwks(text);
    if (!j.ok) throw new UsageError(`--jwks ${args.jwksFile}: ${j.error}`, 'decode');
    project.jwks = j.value;
  }
  if (args.validators !== undefined) {
    const v = parseClaimValidators(args.validators);
    if (!v.ok) throw new UsageError(`--validators: ${v.error}`, 'decode');
    project.claimValidators = v.value;
  }
  if (args.projectUrl !== undefined) project.projectUrl = args.projectUrl;
  let at = io.now();
  if (args.at !== undefined) {
    at = Date.parse(args.at);
    if (!Number.isFinite(at)) throw new UsageError(`--at: "${args.at}" is not an ISO-8601 date`, 'decode');
  }

  const pasted = await judgePastedToken(raw, { project, at, sentTo: args.projectUrl });
  const result = decodeResult(pasted, at);
  io.stdout(args.json ? `${jsonPrintable(safeJsonText(result, JSON_OUTPUT))}\n` : renderText(result, pasted));
  return hasError(pasted.view.findings) ? 1 : 0;
}

type TimeClaims = Record<string, { value: unknown; iso: string | null; relative: string | null }>;

/**
 * The `--json` object (schema claimscope.decode/1, documented at the end of docs/findings.md): the
 * token view's class, label, masked token, findings and verdicts, with the full decoded header and
 * claims a paste is for.
 */
function decodeResult({ token, view, judgement }: PastedToken, at: number) {
  return {
    schema: 'claimscope.decode/1',
    at: new Date(at).toISOString(),
    token: {
      form: view.form,
      class: view.tokenClass,
      classLabel: view.classLabel,
      projectRef: view.projectRef,
      label: view.label,
      masked: view.masked,
      notes: token.notes,
      problem: token.problem ?? null,
    },
    header: token.header ?? null,
    claims: token.claims ?? null,
    times: timeClaims(token.claims, at),
    signature: token.form === 'jwt' ? (judgement.signature?.status ?? 'unverified') : 'not-applicable',
    findings: view.findings.map((f) => ({ code: f.code, severity: f.severity, message: f.message, cause: f.cause, fix: f.fix, evidence: f.evidence })),
    verdict: verdictJson(view.verdicts),
  };
}

type DecodeResult = ReturnType<typeof decodeResult>;

/**
 * The view's predicted verdicts; for an `sb_` key the view has none (the gateway swaps it for a
 * JWT the browser never sees), and both say so with null answers.
 */
function verdictJson(v: Verdicts | null) {
  if (v === null) {
    return {
      connect: { status: null, body: null, accepted: null, conditional: false, conditions: [] as string[], explanation: GATEWAY_TOKEN_NOTE },
      join: { accepted: null, reason: null, conditional: false, conditions: [] as string[], explanation: GATEWAY_TOKEN_NOTE },
    };
  }
  const { connect: c, join: j } = v;
  return {
    connect: { status: c.status, body: c.body, accepted: c.accepted, conditional: c.conditional, conditions: c.conditions, explanation: c.explanation },
    join: { accepted: j.accepted, reason: j.reason, conditional: j.conditional, conditions: j.conditions, explanation: j.explanation },
  };
}

function timeClaims(claims: Record<string, unknown> | undefined, at: number): TimeClaims {
  const out: TimeClaims = {};
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

/** The panel's token card as text, then the full header and claims. */
function renderText(r: DecodeResult, { view }: PastedToken): string {
  const lines: string[] = [];
  lines.push(`Token:      ${view.label}`);
  lines.push(`Class:      ${view.classLabel} (${view.tokenClass})`);
  lines.push(`Masked:     ${view.masked}`);
  lines.push(`Project:    ${view.projectRef === 'unknown' ? 'unknown (not knowable from this token)' : view.projectRef}`);
  for (const n of r.token.notes) lines.push(`Note:       ${n}`);
  if (r.token.problem) lines.push(`Broken:     ${r.token.problem.segment}: ${r.token.problem.reason}`);
  if (view.form === 'jwt') {
    const h = view.header;
    lines.push(`Algorithm:  ${claimText(h.alg)}${h.kid !== undefined ? ` · kid ${claimText(h.kid)}` : ' · no kid'}${h.typ !== undefined ? ` · typ ${claimText(h.typ)}` : ''}`);
    lines.push(`Role:       ${view.claims.hasRole ? claimText(view.claims.role) : '(absent)'}`);
  }
  if (r.header) lines.push(`Header:     ${safeJsonText(r.header, CLAIM_LINE)}`);
  if (r.claims) {
    lines.push('Claims:');
    for (const [k, v] of Object.entries(r.claims)) {
      const t = r.times[k];
      lines.push(`  ${k}: ${safeJsonText(v, CLAIM_LINE)}${t?.iso ? `  (${t.iso}, ${t.relative})` : ''}`);
    }
  }
  lines.push(`Signature:  ${r.signature}`);
  lines.push(`Checked at: ${r.at}`);
  lines.push('');
  lines.push(view.findings.length === 0 ? 'Findings:   none' : 'Findings:');
  for (const f of view.findings) {
    lines.push(`  [${f.severity}] ${f.code}: ${f.message}`);
    lines.push(`      fix: ${f.fix}`);
  }
  lines.push('');
  const c = r.verdict.connect;
  const j = r.verdict.join;
  const conditional = (v: { conditional: boolean; conditions: string[] }) => (v.conditional ? ` (conditional: ${v.conditions.join('; ')})` : '');
  lines.push(`Connect:    ${c.accepted === null ? 'cannot be predicted' : c.accepted ? '101 accepted' : `${c.status} ${safeJsonText(c.body, CLAIM_LINE)}`}${conditional(c)}`);
  lines.push(`Join:       ${j.accepted === null ? 'cannot be predicted' : j.accepted ? 'accepted' : `rejected: ${j.reason}`}${conditional(j)}`);
  lines.push(`            ${j.explanation}`);
  return `${lines.map(printable).join('\n')}\n`;
}

// ---------------------------------------------------------------------------------------------
// analyze

async function analyzeCommand(values: OptionValues, positionals: string[], io: CliIo): Promise<number> {
  if (positionals.length !== 1) {
    throw new UsageError(positionals.length === 0 ? 'no file given (pass a session file or HAR, or - to read stdin)' : 'give exactly one file', 'analyze');
  }
  const path = positionals[0];
  let input: string | Uint8Array;
  try {
    input = path === '-' ? await io.readStdin() : io.readBytes ? await io.readBytes(path) : await io.readFile(path);
  } catch (err) {
    throw cannotRead(path, err);
  }
  const format = analyzeFormat(values);
  const imported = typeof input === 'string' ? importFile(input) : await importBytes(input);
  if ('error' in imported) throw new UsageError(`${path}: ${imported.error}`);

  const project: ProjectKnowledge = {};
  const notes: string[] = [...imported.meta.warnings];
  let validators = typeof values.validators === 'string' ? values.validators : undefined;
  if (validators === undefined && imported.meta.settings?.claimValidators) {
    const fromFile = safeJson(imported.meta.settings.claimValidators, { maxDepth: 32, maxLength: 64 * 1024 });
    if (fromFile.cut) notes.push(`the file's claim validators ignored: too large to use (${fromFile.cut}); pass --validators`);
    else validators = fromFile.text;
  }
  if (validators !== undefined) {
    const v = parseClaimValidators(validators);
    if (!v.ok) throw new UsageError(`--validators: ${v.error}`, 'analyze');
    project.claimValidators = v.value;
  }
  if (imported.meta.settings?.projectUrl) project.projectUrl = imported.meta.settings.projectUrl;
  const secret = await projectSecret({ secretFile: typeof values['secret-file'] === 'string' ? values['secret-file'] : undefined }, io, 'analyze');
  if (secret) {
    // A redacted export has no signatures left to verify: checking them would call every token forged.
    if (imported.meta.signaturesRedacted) notes.push(`${typeof values['secret-file'] === 'string' ? '--secret-file' : `the secret from ${SECRET_ENV}`} ignored: the file is a redacted export, its JWT signatures were removed`);
    else project.secret = secret;
  }
  let at = imported.meta.analyseAt;
  if (typeof values.at === 'string') {
    at = Date.parse(values.at);
    if (!Number.isFinite(at)) throw new UsageError(`--at: "${values.at}" is not an ISO-8601 date`, 'analyze');
  }

  const session = await openImported({ ...imported, meta: { ...imported.meta, analyseAt: at } });
  session.setProject(project, safeJsonText({ v: project.claimValidators ?? null, s: project.secret !== undefined, u: project.projectUrl ?? null }));
  await session.analyse(at);
  const analysis = session.snapshot().analysis;
  if (analysis.kind !== 'done') throw new UsageError(`${path}: the analysis failed (${analysis.kind === 'failed' ? analysis.message : 'no result'})`);
  const findings = [...analysis.result.analysis.findings].sort((a, b) => SEVERITY_RANK[a.severity] - SEVERITY_RANK[b.severity]);
  const snapshot = session.snapshot();
  const result = {
    schema: 'claimscope.analyze/1',
    file: path,
    format: imported.meta.kind,
    producer: imported.meta.producer,
    at: new Date(at).toISOString(),
    capture: {
      start: imported.meta.captureStart === null ? null : new Date(imported.meta.captureStart).toISOString(),
      end: imported.meta.captureEnd === null ? null : new Date(imported.meta.captureEnd).toISOString(),
      events: snapshot.eventCount,
      connections: snapshot.connections.length,
      channels: snapshot.channels.length,
    },
    notes,
    counts: { error: count(findings, 'error'), warning: count(findings, 'warning'), info: count(findings, 'info') },
    findings: findings.map((f) => ({ code: f.code, severity: f.severity, message: f.message, cause: f.cause, fix: f.fix, evidence: f.evidence })),
  };
  if (format === 'markdown') {
    const env = imported.meta.environment;
    io.stdout(
      bugReportMarkdown(session, {
        extensionVersion: `${CLI_VERSION} (claimscope analyze)`,
        browser: env?.browser ?? null,
        userAgent: env?.userAgent ?? null,
        source: `${path} (${imported.meta.producer})`,
      }),
    );
  } else io.stdout(format === 'json' ? `${jsonPrintable(safeJsonText(result, JSON_OUTPUT))}\n` : renderAnalysis(result, findings));
  return hasError(findings) ? 1 : 0;
}

function analyzeFormat(values: OptionValues): 'text' | 'json' | 'markdown' {
  const format = values.format;
  if (format === undefined) return values.json === true ? 'json' : 'text';
  if (format !== 'text' && format !== 'json' && format !== 'markdown') throw new UsageError(`--format: "${String(format)}" is not one of text, json, markdown`, 'analyze');
  if (values.json === true && format !== 'json') throw new UsageError(`--json and --format ${format} disagree: use one`, 'analyze');
  return format;
}

function count(findings: readonly Finding[], severity: Finding['severity']): number {
  return findings.filter((f) => f.severity === severity).length;
}

function renderAnalysis(r: { file: string; producer: string; at: string; capture: { start: string | null; end: string | null; events: number; connections: number; channels: number }; notes: string[]; counts: Record<string, number> }, findings: readonly Finding[]): string {
  const lines: string[] = [];
  lines.push(`File:       ${r.file} (${r.producer})`);
  lines.push(`Captured:   ${r.capture.start ?? '?'} → ${r.capture.end ?? '?'} · ${r.capture.events} events, ${r.capture.connections} socket(s), ${r.capture.channels} channel(s)`);
  lines.push(`Analysed:   at ${r.at}`);
  for (const n of r.notes) lines.push(`Note:       ${n}`);
  lines.push('');
  if (findings.length === 0) lines.push('Findings:   none');
  for (const severity of ['error', 'warning', 'info'] as const) {
    const group = findings.filter((f) => f.severity === severity);
    if (group.length === 0) continue;
    lines.push(`${severity === 'error' ? 'Errors' : severity === 'warning' ? 'Warnings' : 'Info'} (${group.length}):`);
    for (const f of group) {
      const where = [f.evidence.topic, f.evidence.token].filter((x) => x !== undefined).join(' · ');
      lines.push(`  ${f.code}: ${f.message}${where ? `  [${where}]` : ''}`);
      lines.push(`      fix: ${f.fix}`);
    }
    lines.push('');
  }
  lines.push(`${r.counts.error} error(s), ${r.counts.warning} warning(s), ${r.counts.info} info`);
  return `${lines.map(printable).join('\n')}\n`;
}

// ---------------------------------------------------------------------------------------------
// Terminal safety: a token's claims, header and problem text are the token author's; none of their
// control characters (escape sequences, C1 controls, bidi overrides, lone surrogates) reaches the
// terminal raw, and no value is too deep or too large to write (core/safe-json.ts, the same
// escaping and serializer as the panel).

/** `--json` output: JSON.stringify's, capped in depth and size (cut values are marked in place). */
const JSON_OUTPUT: SafeJsonOptions = { indent: 2, maxDepth: 64, maxLength: 16 * 1024 * 1024 };
/** A header or claim on one line of the text output. */
const CLAIM_LINE: SafeJsonOptions = { maxDepth: 32, maxLength: 64 * 1024 };

/** One line of text with every control character written as an escape (`\x1b`, `\u202e`). */
function printable(line: string): string {
  return visibleText(line, 'line');
}

/** JSON text with the control characters JSON.stringify leaves raw written as \u escapes (still valid JSON). */
function jsonPrintable(json: string): string {
  return visibleText(json, 'json');
}

// ---------------------------------------------------------------------------------------------
// The real process

const nodeIo: CliIo = {
  stdout: (t) => process.stdout.write(t),
  stderr: (t) => process.stderr.write(t),
  readStdin: async () => {
    const chunks: Buffer[] = [];
    for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks).toString('utf8');
  },
  readFile: (path) => readFile(path, 'utf8'),
  readBytes: async (path) => new Uint8Array(await readFile(path)),
  now: () => Date.now(),
  env: (name) => process.env[name],
};

// Installed by npm, the script runs through a symlink (node_modules/.bin/claimscope): compare real paths.
const invokedDirectly = typeof process !== 'undefined' && process.argv[1] !== undefined && import.meta.url === pathToFileURL(realPath(process.argv[1])).href;

function realPath(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    // a path that cannot be resolved is compared as given
    return path;
  }
}
if (invokedDirectly) {
  main(process.argv.slice(2), nodeIo).then(
    (code) => { process.exitCode = code; },
    (err: unknown) => { process.stderr.write(`claimscope: ${printable(err instanceof Error ? err.message : String(err))}\n`); process.exitCode = 2; },
  );
}
