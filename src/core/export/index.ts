// Exports and imports (issue 13): the redacted session file, full redaction, reading files back.
// Pure: used by the panel (Export / Import buttons) and the CLI (`claimscope analyze`).

export { exportSession, evidenceRefs, SESSION_FORMAT, SESSION_VERSION, type AnalysisSettings, type EventRef, type ExportOptions, type SessionFileV1 } from './session-file';
export { exportHar, HAR_CLAIMSCOPE_VERSION, type Har, type HarEntry, type HarExportOptions } from './har';
export { importBytes, importFile, openImported, type ImportMeta, type ImportResult } from './import';
export { bugReportMarkdown, type BugReportOptions } from './bug-report';
export { Redactor, PERSONAL_CONTAINERS, PERSONAL_KEY_NAMES, SECRET_KEY_NAMES, type RedactionOptions, type RedactionReport } from './redact';
export { SESSION_SCHEMA, validateAgainst } from './schema';
