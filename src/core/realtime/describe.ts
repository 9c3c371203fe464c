// One line per frame for a frame list: topic, an event label and a short summary. Plain text only
// (the panel renders it as text, never as HTML).

import { safeJson } from '../safe-json';
import type { DecodedFrame } from './types';

export interface FrameDescription {
  topic: string;
  /** e.g. "phx_join", "broadcast · user-event", "phx_reply error (InvalidJWTToken: …)". */
  event: string;
  /** A short preview of the payload, or why the frame could not be decoded. */
  summary: string;
}

const REASON_MAX = 120;
const SUMMARY_MAX = 160;

export function describeFrame(decoded: DecodedFrame): FrameDescription {
  if (!decoded || typeof decoded !== 'object') return { topic: '', event: '(undecodable)', summary: 'no decoded frame' };
  if (!decoded.ok) return { topic: '', event: '(undecodable)', summary: clip(String(decoded.reason), SUMMARY_MAX) };
  const { topic, event, payload } = decoded.message;
  const cut = decoded.partial ? '(preview only, payload missing)' : '';

  if (decoded.userEvent !== undefined) {
    const inner = isObject(payload) ? payload.payload : undefined;
    const encoding = decoded.payloadEncoding === 'binary' && inner !== undefined ? 'binary ' : '';
    return { topic, event: `broadcast · ${decoded.userEvent}`, summary: join(`${encoding}${preview(inner)}`, cut) };
  }
  if (event === 'phx_reply' && isObject(payload)) {
    const status = typeof payload.status === 'string' ? payload.status : preview(payload.status);
    if (status === 'ok') return { topic, event: 'phx_reply ok', summary: join(preview(payload.response), cut) };
    const reason = replyReason(payload.response);
    return {
      topic,
      event: `phx_reply ${status}${reason ? ` (${clip(reason, REASON_MAX)})` : ''}`,
      summary: join(preview(payload.response), cut),
    };
  }
  if (event === 'broadcast' && isObject(payload) && typeof payload.event === 'string') {
    return { topic, event: `broadcast · ${payload.event}`, summary: join(preview(payload.payload), cut) };
  }
  if (event === 'system' && isObject(payload) && typeof payload.message === 'string') {
    const status = typeof payload.status === 'string' ? `${payload.status}: ` : '';
    return { topic, event: 'system', summary: clip(status + payload.message, SUMMARY_MAX) };
  }
  if (event === 'presence' && isObject(payload) && typeof payload.event === 'string') {
    return { topic, event: `presence · ${payload.event}`, summary: join(preview(payload.payload), cut) };
  }
  return { topic, event, summary: join(preview(payload), cut) };
}

/** The human reason of an error reply: `response.reason` (§3.2), else a bare string response. */
function replyReason(response: unknown): string | undefined {
  if (typeof response === 'string') return response;
  if (isObject(response)) {
    if (typeof response.reason === 'string') return response.reason;
    if (typeof response.error === 'string') return response.error;
    if (typeof response.message === 'string') return response.message;
  }
  return undefined;
}

function preview(value: unknown): string {
  if (value === undefined) return '';
  if (isObject(value) && value.binary === true && typeof value.byteLength === 'number') {
    return `${value.byteLength} bytes`;
  }
  // Capped while written: a megabyte payload costs what its preview costs, and a payload nested
  // thousands deep shows its first levels instead of overflowing the stack.
  const { text } = safeJson(value, { maxLength: SUMMARY_MAX, maxDepth: 32 });
  return clip(text, SUMMARY_MAX);
}

function join(text: string, note: string): string {
  return text && note ? `${text} ${note}` : text || note;
}

function clip(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
