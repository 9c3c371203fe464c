// Export and Import in the panel's toolbar (issue 13 items 1 and 5). Export writes the session
// file (core/export, redacted by default) through a Blob URL and <a download>: a capture reaches
// the disk only here. Import reads a session file or a HAR into a new Session, analysed at the
// recorded time, which the App shows read-only instead of the live one (ImportedBanner offers the
// way back); a file that cannot be read leaves the panel as it was and says why in one line.

import { useRef, useState } from 'preact/hooks';
import { exportSession, importFile, openImported, type AnalysisSettings } from '../../core/export';
import type { Session } from '../../core/session';

export interface ImportedSession {
  name: string;
  session: Session;
  /** The recorded time the file is analysed at. */
  at: number;
  warnings: string[];
  producer: string;
}

interface Props {
  session: Session;
  imported: ImportedSession | null;
  settings: () => Partial<AnalysisSettings>;
  onImported(imported: ImportedSession): void;
}

export function ExportImport({ session, imported, settings, onImported }: Props) {
  const input = useRef<HTMLInputElement>(null);
  const [status, setStatus] = useState<{ kind: 'ok' | 'error' | 'busy'; text: string } | null>(null);

  const doExport = async () => {
    setStatus({ kind: 'busy', text: 'Exporting…' });
    try {
      // The findings written are those of an analysis of everything held, at the time it is written.
      await session.analyse(imported ? imported.at : Date.now());
      const file = exportSession(session.snapshot(), {
        extensionVersion: extensionVersion(),
        browser: browserName(),
        userAgent: navigator.userAgent,
        settings: settings(),
      });
      const name = `claimscope-${new Date().toISOString().replace(/[:.]/g, '-')}.claimscope.json`;
      download(name, JSON.stringify(file, null, 1));
      const r = file.redaction.removed;
      setStatus({
        kind: 'ok',
        text: `Exported ${name}: ${file.events.length} events; removed ${r.jwtSignatures} JWT signature(s), ${r.secretKeys} secret key(s), ${r.secretValues} secret value(s); ${r.personalData} personal value(s) pseudonymised.`,
      });
    } catch (err) {
      setStatus({ kind: 'error', text: `Export failed: ${err instanceof Error ? err.message : String(err)}. Nothing was written.` });
    }
  };

  const doImport = async (file: File) => {
    setStatus({ kind: 'busy', text: `Reading ${file.name}…` });
    let text: string;
    try {
      text = await file.text();
    } catch (err) {
      setStatus({ kind: 'error', text: `${file.name}: could not be read (${err instanceof Error ? err.message : String(err)}).` });
      return;
    }
    const result = importFile(text);
    if ('error' in result) {
      setStatus({ kind: 'error', text: `${file.name}: ${result.error}. Nothing in the panel changed.` });
      return;
    }
    const opened = await openImported(result);
    setStatus(null);
    onImported({ name: file.name, session: opened, at: result.meta.analyseAt, warnings: result.meta.warnings, producer: result.meta.producer });
  };

  return (
    <span class="export-import">
      <button type="button" data-testid="export-button" title="Save this session as a redacted session file (JWT signatures, secret keys, passwords, refresh tokens and cookies removed; e-mails and user metadata pseudonymised)" onClick={() => void doExport()}>
        Export
      </button>
      <button type="button" data-testid="import-button" title="Open a Claimscope session file or a HAR (read-only)" onClick={() => input.current?.click()}>
        Import
      </button>
      <input
        ref={input}
        type="file"
        accept=".json,.har,application/json"
        data-testid="import-input"
        style={{ display: 'none' }}
        onChange={(e) => {
          const el = e.currentTarget as HTMLInputElement;
          const file = el.files?.[0];
          el.value = '';
          if (file) void doImport(file);
        }}
      />
      {status && (
        <span class={status.kind === 'error' ? 'export-status error' : 'export-status'} role={status.kind === 'error' ? 'alert' : 'status'} data-testid={status.kind === 'error' ? 'import-error' : 'export-status'} data-kind={status.kind}>
          {status.text}
        </span>
      )}
    </span>
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

function download(name: string, text: string): void {
  const url = URL.createObjectURL(new Blob([text], { type: 'application/json' }));
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
