// Findings as a history (issue 9 item 1). Each analysis run says what is wrong now; the session
// keeps every finding ever raised, marked active while the analysis still raises it and resolved —
// with when and why — once it does not. The story of a failure then survives its end: a
// `token-expires-soon` raised a minute before the server closed the channel stays listed after the
// close, resolved by it and linked to the `server-channel-closed` finding that proved it.
// Pure; the Session feeds it each analysis and publishes `entries()` in its snapshots.

import { SEVERITY_RANK, type Finding } from '../rules/catalogue';
import type { ChannelAnalysis } from '../analysis';

export type FindingState = 'active' | 'resolved';

export interface FindingEntry {
  /** Stable identity across analysis runs (code and what it is about). */
  key: string;
  /** The finding as last raised. */
  finding: Finding;
  state: FindingState;
  /** Browser time of the analysis that first raised it. */
  raisedAt: number;
  /** Browser time of the analysis that no longer raised it. */
  resolvedAt?: number;
  /** Why it stopped applying, in words. */
  resolvedWhy?: string;
  /** The finding that resolved it, when one did (e.g. the server's close that a warning predicted). */
  resolvedBy?: string;
}

/** What the analysis run knew, for saying why a finding stopped applying. */
export interface RunContext {
  now: number;
  channels: readonly ChannelAnalysis[];
}

/** The identity of a finding: its code and the token, socket, channel, frame or request it is about. */
export function findingKey(f: Finding): string {
  const e = f.evidence;
  return [f.code, e.token ?? '', e.conn ?? '', e.topic ?? '', e.frameSeq ?? '', e.requestId ?? ''].join('\u0000');
}

export class FindingHistory {
  private readonly byKey = new Map<string, FindingEntry>();

  /** Records one analysis run's findings: new ones are raised, missing active ones resolved. */
  update(findings: readonly Finding[], run: RunContext): void {
    const now = new Map(findings.map((f) => [findingKey(f), f]));
    for (const [key, f] of now) {
      const held = this.byKey.get(key);
      // A finding that comes back after it was resolved is active again, raised anew.
      if (!held || held.state === 'resolved') this.byKey.set(key, { key, finding: f, state: 'active', raisedAt: run.now });
      else held.finding = f;
    }
    for (const entry of this.byKey.values()) {
      if (entry.state !== 'active' || now.has(entry.key)) continue;
      const why = resolution(entry.finding, findings, run);
      entry.state = 'resolved';
      entry.resolvedAt = run.now;
      entry.resolvedWhy = why.text;
      if (why.by) entry.resolvedBy = why.by;
    }
  }

  clear(): void {
    this.byKey.clear();
  }

  /** Copies, active first (most severe, then oldest), then resolved (latest first). */
  entries(): FindingEntry[] {
    const all = [...this.byKey.values()].map((e) => ({ ...e }));
    const active = all.filter((e) => e.state === 'active').sort((a, b) => SEVERITY_RANK[a.finding.severity] - SEVERITY_RANK[b.finding.severity] || a.raisedAt - b.raisedAt);
    const resolved = all.filter((e) => e.state === 'resolved').sort((a, b) => (b.resolvedAt ?? 0) - (a.resolvedAt ?? 0));
    return [...active, ...resolved];
  }
}

/** Why a finding the analysis no longer raises stopped applying. */
function resolution(f: Finding, current: readonly Finding[], run: RunContext): { text: string; by?: string } {
  const { conn, topic } = f.evidence;
  if (f.code === 'token-expires-soon' && topic !== undefined) {
    // realtime-facts §3.3: at exp the server pushes `system` "Token has expired…" and closes the channel.
    const closed = current.find((c) => c.code === 'server-channel-closed' && c.evidence.topic === topic && (conn === undefined || c.evidence.conn === conn));
    if (closed) return { text: 'the server closed the channel when the token expired, as predicted', by: findingKey(closed) };
    const channel = run.channels.find((c) => c.key.topic === topic && (conn === undefined || c.key.conn === conn));
    if (channel && channel.current?.token && channel.current.token.label !== f.evidence.token) {
      return { text: `a newer token (${channel.current.token.label}) reached the channel before exp` };
    }
    if (channel && !channel.live) return { text: 'the channel ended before the token expired' };
  }
  return { text: 'the analysis no longer finds it in what is captured (newer events changed the picture, or its evidence was cleared)' };
}
