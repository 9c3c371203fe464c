// Test support: finds planted canary secrets in exported text, in every form a leak could take —
// raw, base64 and base64url (at each of the three byte alignments, so a canary inside a larger
// encoded blob is found too), URL-encoded (%XX and form +), and JSON-escaped (once and twice).
// Deliberately shares no code with the redactor (redact.ts): it must catch the redactor's mistakes.
// Imported by *.test.ts only.

import { Buffer } from 'node:buffer';

export interface CanaryHit {
  canary: string;
  form: string;
  at: number;
}

export function canaryForms(canary: string): Array<{ form: string; text: string }> {
  const forms: Array<{ form: string; text: string }> = [{ form: 'raw', text: canary }];
  const bytes = Buffer.from(canary, 'utf8');
  for (let shift = 0; shift < 3; shift++) {
    const shifted = Buffer.concat([Buffer.alloc(shift, 0x20), bytes]);
    const std = shifted.toString('base64');
    // Characters fully determined by the canary's bytes: skip the first group when shifted, and
    // the last group (it mixes in padding or whatever follows).
    const start = shift === 0 ? 0 : 4;
    const end = Math.floor(shifted.length / 3) * 4;
    const core = std.slice(start, end);
    if (core.length >= 8) {
      forms.push({ form: `base64@${shift}`, text: core });
      forms.push({ form: `base64url@${shift}`, text: core.replace(/\+/g, '-').replace(/\//g, '_') });
    }
  }
  const uri = encodeURIComponent(canary);
  if (uri !== canary) forms.push({ form: 'url-encoded', text: uri });
  const form = uri.replace(/%20/g, '+');
  if (form !== uri) forms.push({ form: 'form-encoded', text: form });
  const once = JSON.stringify(canary).slice(1, -1);
  if (once !== canary) forms.push({ form: 'json-escaped', text: once });
  const twice = JSON.stringify(once).slice(1, -1);
  if (twice !== once) forms.push({ form: 'json-escaped-twice', text: twice });
  return forms;
}

/** Every occurrence of every canary in `haystack`, in any of its forms (case-sensitive). */
export function scanForCanaries(haystack: string, canaries: readonly string[]): CanaryHit[] {
  const hits: CanaryHit[] = [];
  for (const canary of canaries) {
    for (const { form, text } of canaryForms(canary)) {
      let at = haystack.indexOf(text);
      while (at !== -1) {
        hits.push({ canary, form, at });
        at = haystack.indexOf(text, at + 1);
      }
    }
  }
  return hits;
}
