// Export and Import in the panel's toolbar (issue 13 items 1–5). Export prepares the session file,
// or the same session as a HAR (core/export, redacted by default), in memory and shows what it
// removes (with the option to include personal data); only Save writes it, through a Blob URL and
// <a download>: a capture reaches the disk only there. Copy report puts the Markdown bug report
// (core/export/bug-report.ts, redacted the same way) on the clipboard.
// Import (button, or a file dropped anywhere on the panel) reads the file in chunks with progress,
// checks it, and shows a preview — what the file is, what it holds, whether it is redacted — before
// anything on screen changes; Open replaces the view with a new Session analysed at the recorded
// time, shown read-only (ImportedBanner offers the way back). A file that cannot be read leaves the
// panel as it was and says why in one line.

import { useEffect, useRef, useState } from 'preact/hooks';
import { bugReportMarkdown, exportHar, exportSession, importBytes, openImported, type AnalysisSettings, type ImportMeta, type RedactionReport } from '../../core/export';
import type { CapturedEvent } from '../../core/model';
import type { Session } from '../../core/session';
import { copyText } from '../copy';

export interface ImportedSession {
  name: string;
  session: Session;
  /** The recorded time the file is analysed at. */
  at: number;
  warnings: string[];
  producer: string;
  /** The exporting browser as the file says (session files), for the bug report. */
  browser: string | null;
  userAgent: string | null;
}

interface Props {
  session: Session;
  imported: ImportedSession | null;
  settings: () => Partial<AnalysisSettings>;
  onImported(imported: ImportedSession): void;
}

type Status = { kind: 'ok' | 'error' | 'busy'; text: string; progress?: number; route?: 'clipboard' | 'fallback' };

/** A file read and checked, waiting for the user's Open or Cancel. */
interface Preview {
  name: string;
  size: number;
  events: CapturedEvent[];
  meta: ImportMeta;
  counts: { sockets: number; frames: number; http: number; lifecycle: number };
}

/** Bigger than this is not a capture Claimscope wrote or a browser recorded of one page. */
const MAX_IMPORT_BYTES = 512 * 1024 * 1024;
const READ_CHUNK_BYTES = 4 * 1024 * 1024;

export function ExportImport({ session, imported, settings, onImported }: Props) {
  const input = useRef<HTMLInputElement>(null);
  const [status, setStatus] = useState<Status | null>(null);
  const [preview, setPreview] = useState<Preview | null>(null);
  const [dropping, setDropping] = useState(false);
  const [exporting, setExporting] = useState<PendingExport | null>(null);
  const busy = useRef(false);

  const analysed = async () => {
    // What is written is an analysis of everything held, at the time it is written (or, for an
    // imported file, at its recorded time).
    await session.analyse(imported ? imported.at : Date.now());
    return session.snapshot();
  };

  /**
   * Prepares an export in memory and shows what it removes; only Save writes it. The text shown
   * is the text saved (pseudonym keys are random per export, so it is not recomputed on Save).
   */
  const prepareExport = async (format: 'session' | 'har', includePersonalData: boolean, redactPayloadValues: boolean) => {
    setStatus({ kind: 'busy', text: 'Preparing the export…' });
    try {
      const snapshot = await analysed();
      const stamp = new Date().toISOString().replace(/[:.]/g, '-');
      let pending: PendingExport;
      if (format === 'session') {
        const file = exportSession(snapshot, { extensionVersion: extensionVersion(), browser: browserName(), userAgent: navigator.userAgent, settings: settings(), includePersonalData, redactPayloadValues });
        pending = { format, includePersonalData, redactPayloadValues, name: `claimscope-${stamp}.claimscope.json`, text: JSON.stringify(file, null, 1), removed: file.redaction.removed, items: `${file.events.length} events` };
      } else {
        const har = exportHar(snapshot, { extensionVersion: extensionVersion(), browser: browserName(), includePersonalData, redactPayloadValues });
        pending = { format, includePersonalData, redactPayloadValues, name: `claimscope-${stamp}.har`, text: JSON.stringify(har, null, 1), removed: har.log._claimscope.redaction.removed, items: `${har.log.entries.length} HAR entries` };
      }
      setStatus(null);
      setExporting(pending);
    } catch (err) {
      setStatus({ kind: 'error', text: `Export failed: ${message(err)}. Nothing was written.` });
    }
  };

  const saveExport = (pending: PendingExport) => {
    setExporting(null);
    download(pending.name, pending.text, 'application/json');
    setStatus({ kind: 'ok', text: `Exported ${pending.name}: ${pending.items}; ${removedText(pending.removed, pending.includePersonalData)}.` });
  };

  const doCopyReport = async () => {
    setStatus({ kind: 'busy', text: 'Writing the report…' });
    try {
      await analysed();
      const markdown = bugReportMarkdown(session, {
        extensionVersion: extensionVersion(),
        browser: imported ? imported.browser : browserName(),
        userAgent: imported ? imported.userAgent : navigator.userAgent,
        ...(imported ? { source: `imported from ${imported.name} (${imported.producer})` } : {}),
      });
      const route = await copyText(markdown);
      setStatus({ kind: 'ok', text: `Bug report copied (${markdown.split('\n').length} lines of Markdown, redacted). Paste it into the issue.`, route });
    } catch (err) {
      setStatus({ kind: 'error', text: `Could not copy the report: ${message(err)}.` });
    }
  };

  const doRead = async (file: File) => {
    if (busy.current) return;
    busy.current = true;
    setPreview(null);
    try {
      if (file.size > MAX_IMPORT_BYTES) {
        setStatus({ kind: 'error', text: `${file.name}: ${mb(file.size)} is more than Claimscope imports (${mb(MAX_IMPORT_BYTES)}). Nothing in the panel changed.` });
        return;
      }
      let bytes: Uint8Array;
      try {
        bytes = await readWithProgress(file, (done) => setStatus({ kind: 'busy', text: `Reading ${file.name}: ${Math.round(done * 100)}% of ${mb(file.size)}`, progress: done }));
      } catch (err) {
        setStatus({ kind: 'error', text: `${file.name}: could not be read (${message(err)}). Nothing in the panel changed.` });
        return;
      }
      setStatus({ kind: 'busy', text: `Checking ${file.name}…`, progress: 1 });
      await nextFrame();
      const result = await importBytes(bytes);
      if ('error' in result) {
        setStatus({ kind: 'error', text: `${file.name}: ${result.error}. Nothing in the panel changed.` });
        return;
      }
      setStatus(null);
      setPreview({ name: file.name, size: file.size, events: result.events, meta: result.meta, counts: countsOf(result.events) });
    } finally {
      busy.current = false;
    }
  };

  const doOpen = async (p: Preview) => {
    setPreview(null);
    setStatus({ kind: 'busy', text: `Analysing ${p.name} at its recorded time…` });
    await nextFrame();
    try {
      const opened = await openImported({ events: p.events, meta: p.meta });
      setStatus(null);
      onImported({
        name: p.name,
        session: opened,
        at: p.meta.analyseAt,
        warnings: p.meta.warnings,
        producer: p.meta.producer,
        browser: p.meta.environment?.browser ?? null,
        userAgent: p.meta.environment?.userAgent ?? null,
      });
    } catch (err) {
      setStatus({ kind: 'error', text: `${p.name}: could not be analysed (${message(err)}). Nothing in the panel changed.` });
    }
  };

  // A file dropped anywhere on the panel is imported like a picked one (the drop target is the
  // whole document: the panel is one page, and a missed drop would make the browser open the file).
  useEffect(() => {
    const hasFiles = (e: DragEvent) => [...(e.dataTransfer?.types ?? [])].includes('Files');
    const over = (e: DragEvent) => {
      if (!hasFiles(e)) return;
      e.preventDefault();
      if (e.dataTransfer) e.dataTransfer.dropEffect = 'copy';
      setDropping(true);
    };
    const leave = (e: DragEvent) => {
      if (e.relatedTarget === null) setDropping(false);
    };
    const drop = (e: DragEvent) => {
      if (!hasFiles(e)) return;
      e.preventDefault();
      setDropping(false);
      const files = e.dataTransfer?.files;
      if (!files || files.length === 0) return;
      if (files.length > 1) setStatus({ kind: 'error', text: `${files.length} files dropped: drop one session file or HAR at a time. Nothing in the panel changed.` });
      else void doRead(files[0]);
    };
    document.addEventListener('dragover', over);
    document.addEventListener('dragleave', leave);
    document.addEventListener('drop', drop);
    return () => {
      document.removeEventListener('dragover', over);
      document.removeEventListener('dragleave', leave);
      document.removeEventListener('drop', drop);
    };
  }, []);

  return (
    <span class="export-import">
      <button type="button" data-testid="export-button" title="Save this session as a redacted session file (JWT signatures, secret keys, passwords, refresh tokens and cookies removed; e-mails and user metadata pseudonymised)" onClick={() => void prepareExport('session', false, false)}>
        Export
      </button>
      <button type="button" data-testid="export-har-button" title="Save this session as a HAR 1.2 file (WebSocket frames as Chrome writes them), redacted like Export" onClick={() => void prepareExport('har', false, false)}>
        Export HAR
      </button>
      <button type="button" data-testid="copy-report-button" title="Copy a Markdown bug report (findings, the tokens' claims, a timeline around the first failure, the environment), redacted like Export" onClick={() => void doCopyReport()}>
        Copy report
      </button>
      <button type="button" data-testid="import-button" title="Open a Claimscope session file or a HAR (read-only); you can also drop the file on the panel" onClick={() => input.current?.click()}>
        Import
      </button>
      <input
        ref={input}
        type="file"
        accept=".json,.har,.zip,application/json,application/zip"
        data-testid="import-input"
        style={{ display: 'none' }}
        onChange={(e) => {
          const el = e.currentTarget as HTMLInputElement;
          const file = el.files?.[0];
          el.value = '';
          if (file) void doRead(file);
        }}
      />
      {dropping && (
        <span class="export-status" data-testid="drop-hint">
          Drop a session file or HAR to import it
        </span>
      )}
      {status && (
        <span class={status.kind === 'error' ? 'export-status error' : 'export-status'} role={status.kind === 'error' ? 'alert' : 'status'} data-testid={status.kind === 'error' ? 'import-error' : 'export-status'} data-kind={status.kind} data-copy-route={status.route}>
          {status.text}
          {status.kind === 'busy' && status.progress !== undefined && <progress data-testid="import-progress" max={1} value={status.progress} />}
        </span>
      )}
      {exporting && (
        <ExportDialog
          pending={exporting}
          onOptions={(include, payloads) => void prepareExport(exporting.format, include, payloads)}
          onSave={() => saveExport(exporting)}
          onCancel={() => setExporting(null)}
        />
      )}
      {preview && <ImportPreview preview={preview} onOpen={() => void doOpen(preview)} onCancel={() => setPreview(null)} />}
    </span>
  );
}

/** An export prepared in memory, shown before it is written. */
interface PendingExport {
  format: 'session' | 'har';
  includePersonalData: boolean;
  redactPayloadValues: boolean;
  name: string;
  text: string;
  removed: RedactionReport;
  items: string;
}

/** What the export will remove, before anything is written. */
function ExportDialog({ pending, onOptions, onSave, onCancel }: { pending: PendingExport; onOptions(includePersonalData: boolean, redactPayloadValues: boolean): void; onSave(): void; onCancel(): void }) {
  const r = pending.removed;
  return (
    <div class="import-preview" role="dialog" aria-label={`Export ${pending.name}`} data-testid="export-dialog" data-format={pending.format}>
      <div>
        <strong>{pending.name}</strong>: {pending.items}, {pending.format === 'session' ? 'Claimscope session file' : 'HAR 1.2'}.
      </div>
      <div data-testid="export-dialog-removed" data-jwt-signatures={r.jwtSignatures} data-secret-keys={r.secretKeys} data-secret-values={r.secretValues} data-personal={r.personalData} data-payload-values={r.payloadValues ?? 0}>
        Will be removed: {r.jwtSignatures} JWT signature(s) (header and claims stay), {r.secretKeys} secret key(s) (sb_secret_), {r.secretValues} secret value(s) (passwords,
        refresh and provider tokens, cookies, code verifiers).{' '}
        {pending.includePersonalData
          ? `${r.personalData} personal value(s) kept as captured.`
          : `${r.personalData} personal value(s) (e-mails, phones, user metadata) replaced by pseudonyms that stay the same within this file.`}
        {pending.redactPayloadValues ? ` ${r.payloadValues ?? 0} value(s) of broadcast, presence and Postgres-change payloads replaced by placeholders of their type.` : ''}
      </div>
      <label>
        <input type="checkbox" data-testid="export-include-personal" checked={pending.includePersonalData} onChange={(e) => onOptions((e.currentTarget as HTMLInputElement).checked, pending.redactPayloadValues)} /> Include
        personal data (e-mails, phones, user metadata) as captured
      </label>
      <label>
        <input type="checkbox" data-testid="export-redact-payloads" checked={pending.redactPayloadValues} onChange={(e) => onOptions(pending.includePersonalData, (e.currentTarget as HTMLInputElement).checked)} /> Also
        redact payload values (broadcasts, presence, Postgres changes: keys and types kept)
      </label>
      <button type="button" data-testid="export-save" onClick={onSave}>
        Save
      </button>{' '}
      <button type="button" data-testid="export-cancel" onClick={onCancel}>
        Cancel
      </button>
    </div>
  );
}

/** What the file holds, before it replaces anything on screen. */
function ImportPreview({ preview, onOpen, onCancel }: { preview: Preview; onOpen(): void; onCancel(): void }) {
  const { meta, counts } = preview;
  const span = meta.captureStart !== null && meta.captureEnd !== null ? `${new Date(meta.captureStart).toISOString()} → ${new Date(meta.captureEnd).toISOString()}` : 'no times';
  return (
    <div class="import-preview" role="dialog" aria-label={`Import ${preview.name}`} data-testid="import-preview" data-kind={meta.kind} data-redacted={meta.redacted ? 'true' : 'false'}>
      <div>
        <strong>{preview.name}</strong> ({mb(preview.size)}): {meta.kind === 'session' ? 'Claimscope session file' : 'HAR'} from {meta.producer}
      </div>
      <div data-testid="import-preview-counts" data-events={preview.events.length} data-sockets={counts.sockets} data-frames={counts.frames} data-http={counts.http}>
        {preview.events.length.toLocaleString()} events: {counts.sockets} socket(s), {counts.frames.toLocaleString()} frame(s), {counts.http} Supabase HTTP call(s)
        {counts.lifecycle > 0 ? `, ${counts.lifecycle} page lifecycle event(s)` : ''} · captured {span} · analysed at {new Date(meta.analyseAt).toISOString()}
      </div>
      <div data-testid="import-preview-redaction">
        {meta.redacted
          ? `Redacted by Claimscope${meta.signaturesRedacted ? ': JWT signatures removed (signatures cannot be verified)' : ''}.`
          : 'Not redacted: this file may hold live tokens, keys and personal data. Claimscope keeps it in memory only; use Export to share a redacted copy.'}
      </div>
      {meta.warnings.map((w) => (
        <div class="import-warning" data-testid="import-preview-warning">
          {w}
        </div>
      ))}
      <button type="button" data-testid="import-open" onClick={onOpen}>
        Open (read-only)
      </button>{' '}
      <button type="button" data-testid="import-cancel" onClick={onCancel}>
        Cancel
      </button>
    </div>
  );
}

/** Shown instead of the capture banner while an imported file is on screen. */
export function ImportedBanner({ imported, onBack }: { imported: ImportedSession; onBack(): void }) {
  return (
    <div class="banner info" data-testid="imported-banner" data-file={imported.name}>
      Imported: {imported.name} ({imported.producer}, analysed at {new Date(imported.at).toISOString()}). Read-only: the live capture
      continues underneath.{' '}
      <button type="button" data-testid="imported-back" onClick={onBack}>
        Back to live capture
      </button>
      {imported.warnings.map((w) => (
        <div class="import-warning" data-testid="import-warning">
          {w}
        </div>
      ))}
    </div>
  );
}

function countsOf(events: readonly CapturedEvent[]): Preview['counts'] {
  const counts = { sockets: 0, frames: 0, http: 0, lifecycle: 0 };
  for (const e of events) {
    if (e.kind === 'ws-connecting') counts.sockets++;
    else if (e.kind === 'ws-frame') counts.frames++;
    else if (e.kind === 'http-request') counts.http++;
    else if (e.kind === 'lifecycle') counts.lifecycle++;
  }
  return counts;
}

/**
 * The file's text, read in chunks so a big file shows progress and the panel keeps painting
 * between chunks (one `file.text()` of 50 MB would give no sign of life until it is done).
 */
async function readWithProgress(file: File, onProgress: (done: number) => void): Promise<Uint8Array> {
  const bytes = new Uint8Array(file.size);
  for (let at = 0; at < file.size; at += READ_CHUNK_BYTES) {
    const chunk = new Uint8Array(await file.slice(at, at + READ_CHUNK_BYTES).arrayBuffer());
    bytes.set(chunk, at);
    onProgress(Math.min(1, (at + chunk.byteLength) / file.size));
    await nextFrame();
  }
  return bytes;
}

/** Lets the browser paint (the status, the progress bar) before the next piece of work. */
function nextFrame(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 0));
}

function removedText(r: RedactionReport, includePersonalData = false): string {
  return `removed ${r.jwtSignatures} JWT signature(s), ${r.secretKeys} secret key(s), ${r.secretValues} secret value(s); ${includePersonalData ? 'personal data included' : `${r.personalData} personal value(s) pseudonymised`}`;
}

function mb(bytes: number): string {
  return bytes < 1024 * 1024 ? `${Math.max(1, Math.round(bytes / 1024))} KB` : `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

function download(name: string, text: string, type: string): void {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

function extensionVersion(): string {
  const runtime = (globalThis as { chrome?: { runtime?: { getManifest?: () => { version?: string } } } }).chrome?.runtime;
  return runtime?.getManifest?.().version ?? 'unknown';
}

function browserName(): string | null {
  const ua = navigator.userAgent;
  const m = /(Firefox|Edg|Chromium|Chrome)\/(\d+)/.exec(ua);
  return m ? `${m[1] === 'Edg' ? 'Edge' : m[1]} ${m[2]}` : null;
}
