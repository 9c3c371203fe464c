// Findings, the panel's default view (issue 11 item 1): the claims engine's explanations (src/core
// analysis) kept as a history by the session (core/session/finding-history.ts) — active ones and
// those that stopped applying, with when and why. Grouped by code with counts, newest first; each
// row says severity, time, channel, what happened, the cause in one line and the fix, and links to
// the frame, HTTP call or token that proves it (one click: App switches view and highlights it).
// When there is nothing to list, a state says why — not capturing, no Supabase traffic yet, or
// "2 sockets, 3 channels, no problems found" — instead of a blank panel.
// The session runs the engine (useAnalysis, in App) only while a view that needs it is open, at
// most about once a second, and never blocks a render. A selected finding has Copy / Copy raw
// (copy-text.ts: the finding with the frame and token it names). Captured text is rendered as text only.

import { FINDING_CODES, type AnalysisState, type FindingEntry, type FrameCatalog, type SessionSnapshot } from '../../core/session';
import { capturedText, formatTime } from '../../ui/format';
import { findingCopyText, type CopyMode, type FindingEvidenceForCopy } from '../copy-text';
import { evidenceLinks, resolveEvidence, type EvidenceLink } from '../evidence';
import { CopyActions } from './CopyActions';
import './findings.css';

type Finding = FindingEntry['finding'];
type Severity = Finding['severity'];

const RANK: Record<Severity, number> = { error: 0, warning: 1, info: 2 };

/** When a finding happened: the event it is about, else when the analysis first raised it. */
const whenOf = (e: FindingEntry) => e.finding.time ?? e.raisedAt;

export interface FindingGroup {
  code: Finding['code'];
  entries: FindingEntry[];
  active: number;
  /** The worst severity among the group's active entries (or among all, when none is active). */
  severity: Severity;
  newest: number;
}

/**
 * Groups by code. Groups with an active finding come first; within that, the newest first. In a
 * group, active entries (newest first), then resolved ones (latest resolution first).
 */
export function groupFindings(history: readonly FindingEntry[]): FindingGroup[] {
  const byCode = new Map<Finding['code'], FindingEntry[]>();
  for (const e of history) {
    const list = byCode.get(e.finding.code);
    if (list) list.push(e);
    else byCode.set(e.finding.code, [e]);
  }
  const groups: FindingGroup[] = [];
  for (const [code, list] of byCode) {
    const active = list.filter((e) => e.state === 'active').sort((a, b) => whenOf(b) - whenOf(a));
    const resolved = list.filter((e) => e.state === 'resolved').sort((a, b) => (b.resolvedAt ?? 0) - (a.resolvedAt ?? 0));
    const judged = active.length > 0 ? active : resolved;
    const severity = judged.reduce<Severity>((worst, e) => (RANK[e.finding.severity] < RANK[worst] ? e.finding.severity : worst), 'info');
    groups.push({ code, entries: [...active, ...resolved], active: active.length, severity, newest: Math.max(...list.map(whenOf)) });
  }
  return groups.sort((a, b) => Number(b.active > 0) - Number(a.active > 0) || b.newest - a.newest);
}

function plural(n: number, one: string, many = `${one}s`): string {
  return `${n.toLocaleString()} ${n === 1 ? one : many}`;
}

export interface FindingsViewProps {
  analysis: AnalysisState;
  /** Every finding of the session (snapshot.findings). */
  history: readonly FindingEntry[];
  snapshot: SessionSnapshot;
  /** An imported file is shown: no capture state applies. */
  imported: boolean;
  /** The selected finding's key (panel UI state). */
  selected?: string;
  onSelect: (key: string | undefined) => void;
  /** Show one piece of a finding's evidence in its view. */
  onEvidence: (entry: FindingEntry, link: EvidenceLink) => void;
  onReloadAndCapture: () => void;
  /** Why the last evidence link led nowhere (the frame was evicted, …), shown once. */
  evidenceProblem?: string;
  /** The session's frame decoder, for copying a finding with its evidence frame. */
  catalog: FrameCatalog;
}

export function FindingsView(props: FindingsViewProps) {
  const { analysis: engine, history } = props;
  if (engine.kind === 'failed') {
    return (
      <div class="list-view" data-testid="findings-view">
        <p class="note error">The analysis failed: {engine.message}. The captured traffic is still shown in the other views; please report this.</p>
      </div>
    );
  }
  const groups = groupFindings(history);
  const tokens = engine.kind === 'done' ? new Set(engine.result.tokens.map((t) => t.label)) : undefined;
  const problems = history.filter((e) => e.state === 'active' && e.finding.severity !== 'info').length;
  return (
    <div class="list-view findings-view" data-testid="findings-view">
      <FindingsState {...props} problems={problems} />
      {props.evidenceProblem && (
        <p class="note warn" role="status" data-testid="evidence-missing">
          {props.evidenceProblem}
        </p>
      )}
      {groups.map((g) => (
        <FindingGroupBlock group={g} key={g.code} tokens={tokens} {...props} />
      ))}
    </div>
  );
}

/** The line above the list: what was captured, or why nothing is listed. */
function FindingsState(props: FindingsViewProps & { problems: number }) {
  const { snapshot, analysis } = props;
  const status = snapshot.capture.status;
  if (!props.imported && status === 'not-capturing') {
    return (
      <div class="findings-state warn" data-testid="findings-state" data-state="not-capturing">
        Not capturing on this page: it was opened before Claimscope was installed or updated, so there is nothing to analyse.{' '}
        <button type="button" class="primary" data-testid="findings-reload-and-capture" onClick={props.onReloadAndCapture}>
          Reload and capture
        </button>
      </div>
    );
  }
  if (!props.imported && status === 'restricted') {
    return (
      <div class="findings-state" data-testid="findings-state" data-state="restricted">
        Nothing to analyse: browsers do not let extensions capture on this page. Open your app in this tab.
      </div>
    );
  }
  if (!props.imported && status === 'connecting') {
    return (
      <div class="findings-state" data-testid="findings-state" data-state="connecting">
        Connecting to Claimscope’s background…
      </div>
    );
  }
  if (snapshot.eventCount === 0 && snapshot.connections.length === 0) {
    return (
      <div class="findings-state" data-testid="findings-state" data-state="no-traffic">
        No Supabase traffic yet. Findings appear here as soon as the page opens a Realtime socket or calls Supabase over HTTP.
      </div>
    );
  }
  const counts = `${plural(snapshot.connections.length, 'socket')}, ${plural(snapshot.channels.length, 'channel')}`;
  if (analysis.kind === 'pending') {
    return (
      <div class="findings-state" data-testid="findings-state" data-state="analysing">
        {counts}: analysing the captured session…
      </div>
    );
  }
  const notes = props.history.filter((e) => e.state === 'active' && e.finding.severity === 'info').length;
  const resolved = props.history.filter((e) => e.state === 'resolved').length;
  if (props.problems === 0) {
    return (
      <div class="findings-state ok" data-testid="findings-state" data-state="healthy">
        {counts}, no problems found
        {notes > 0 ? ` (${plural(notes, 'note')} below)` : ''}
        {resolved > 0 ? ` · ${plural(resolved, 'earlier finding')} resolved` : ''}.
      </div>
    );
  }
  return (
    <div class="findings-state" data-testid="findings-state" data-state="problems" data-problems={props.problems}>
      {counts} · {plural(props.problems, 'problem')}
      {resolved > 0 ? ` · ${resolved.toLocaleString()} resolved` : ''}
    </div>
  );
}

function FindingGroupBlock(props: FindingsViewProps & { group: FindingGroup; tokens?: ReadonlySet<string> }) {
  const { group } = props;
  const resolved = group.entries.length - group.active;
  const codeOf = new Map(props.history.map((e) => [e.key, e.finding.code]));
  return (
    <section class="finding-group" data-testid="finding-group" data-code={group.code} data-count={group.entries.length} data-active={group.active} aria-label={FINDING_CODES[group.code].title}>
      <h3 class="finding-group-title">
        <span class={`badge sev-${group.severity}`}>{group.severity}</span>
        <span class="code">{group.code}</span>
        <span class="title">{FINDING_CODES[group.code].title}</span>
        <span class="count" data-testid="finding-group-count">
          {group.entries.length}
          {resolved > 0 ? ` (${group.active} active, ${resolved} resolved)` : ''}
        </span>
      </h3>
      {group.entries.map((e) => (
        <FindingRow
          entry={e}
          key={e.key}
          selected={props.selected === e.key}
          resolvedByCode={e.resolvedBy ? codeOf.get(e.resolvedBy) : undefined}
          tokens={props.tokens}
          onSelect={() => props.onSelect(props.selected === e.key ? undefined : e.key)}
          onEvidence={(link) => props.onEvidence(e, link)}
          copyText={(mode) => findingCopyText(e, mode, copyEvidence(e, props))}
        />
      ))}
    </section>
  );
}

/** The frame and token a finding names, as the panel holds them now (looked up when Copy is clicked). */
function copyEvidence(entry: FindingEntry, props: FindingsViewProps): FindingEvidenceForCopy {
  const out: FindingEvidenceForCopy = {};
  const label = entry.finding.evidence.token;
  if (label !== undefined && props.analysis.kind === 'done') out.token = props.analysis.result.analysis.tokens.find((s) => s.token.label === label)?.token;
  if (entry.finding.evidence.frameSeq !== undefined) {
    const found = resolveEvidence(entry.finding, 'frame', props.snapshot.rows);
    if ('target' in found && found.target.kind === 'frame') out.frame = { event: found.target.frame, decoded: props.catalog.decoded(found.target.frame) };
  }
  return out;
}

function FindingRow(props: {
  entry: FindingEntry;
  selected: boolean;
  resolvedByCode?: string;
  tokens?: ReadonlySet<string>;
  onSelect: () => void;
  onEvidence: (link: EvidenceLink) => void;
  copyText: (mode: CopyMode) => string;
}) {
  const { entry, selected } = props;
  const f = entry.finding;
  const e = f.evidence;
  const resolved = entry.state === 'resolved';
  const links = evidenceLinks(f, props.tokens);
  return (
    <div
      class={`card finding ${f.severity}${resolved ? ' resolved' : ''}${selected ? ' selected' : ''}`}
      data-testid="finding-row"
      data-code={f.code}
      data-severity={f.severity}
      data-state={entry.state}
      aria-selected={selected}
      aria-expanded={selected}
    >
      {/* The row's head is the control: the evidence buttons below stay separate buttons. */}
      <button type="button" class="finding-head" data-testid="finding-select" onClick={props.onSelect} aria-label={`${f.severity} ${f.code}: ${FINDING_CODES[f.code].title}`}>
        <span class={`badge sev-${f.severity}`}>{f.severity}</span>
        <span class="time" data-testid="finding-time">{formatTime(whenOf(entry))}</span>
        {e.topic !== undefined && (
          <span class="channel captured" data-testid="finding-channel">
            {capturedText(e.topic, 200)}
          </span>
        )}
        {resolved && <span class="badge" data-testid="finding-resolved">resolved</span>}
        {f.confirmedByServer && <span class="badge">confirmed by the server</span>}
        {/* Messages quote captured values (topics, reasons, claims): capped and escaped. */}
        <span class="finding-message captured">{capturedText(f.message, 2_000)}</span>
      </button>
      {resolved && (
        <p class="muted" data-testid="finding-resolution" data-resolved-by={props.resolvedByCode ?? ''}>
          Resolved at {formatTime(entry.resolvedAt ?? 0)}: {entry.resolvedWhy}
          {props.resolvedByCode ? ` (see ${props.resolvedByCode})` : ''}
        </p>
      )}
      {/* Evidence first, right under the head: one click, without reading past the cause. */}
      {links.length > 0 && (
        <div class="finding-evidence">
          Evidence:
          {links.map((l) => (
            <button type="button" class="link" data-testid="finding-evidence" data-kind={l.kind} key={l.kind} onClick={() => props.onEvidence(l)}>
              {capturedText(l.text, 200)}
            </button>
          ))}
        </div>
      )}
      {f.cause && (
        <p class={`muted captured${selected ? '' : ' one-line'}`} data-testid="finding-cause" title={selected ? undefined : capturedText(f.cause, 4_000)}>
          Cause: {capturedText(f.cause, 4_000)}
        </p>
      )}
      {f.fix && (
        <p class="captured" data-testid="finding-fix">
          Fix: {capturedText(f.fix, 2_000)}
        </p>
      )}
      {e.serverText && (
        <p class="muted">
          Server said: <code class="captured">{capturedText(e.serverText, 1_100)}</code>
        </p>
      )}
      {selected && (
        <p class="finding-copy">
          <CopyActions what={`finding ${f.code} with its evidence`} text={props.copyText} testid="finding" />
        </p>
      )}
      {selected && (e.conn !== undefined || e.useCount !== undefined) && (
        <p class="muted captured" data-testid="finding-where">
          {e.conn !== undefined ? `socket ${e.conn}` : ''}
          {e.useCount !== undefined ? `${e.conn !== undefined ? ' · ' : ''}token used ${plural(e.useCount, 'time')}` : ''}
          {e.uses && e.uses.length > 0 ? ` (${e.uses.map((u) => `${u.kind}${u.topic ? ` on ${u.topic}` : ''}${u.path ? ` ${u.path}` : ''} ×${u.count}`).join(', ')}${e.usesOmitted ? `, ${e.usesOmitted} more` : ''})` : ''}
        </p>
      )}
    </div>
  );
}
