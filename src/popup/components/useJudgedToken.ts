// Judges what is in the paste box with the session core's token view model (judgePastedToken, as
// the CLI's `decode` does), a moment after the user stops typing. Only the latest input's answer
// is kept; a failure is a value with a message, never an exception.

import { useEffect, useRef, useState } from 'preact/hooks';
import { judgePastedToken, type PastedToken, type ProjectKnowledge } from '../../core/session';

export type Judged =
  | { kind: 'empty'; whitespace: boolean }
  | { kind: 'judging' }
  | { kind: 'done'; pasted: PastedToken; at: number }
  | { kind: 'failed'; message: string };

const SETTLE_MS = 120;

/** `project`: the keys the user supplied (the shared key store); `projectKey` changes with them. */
export function useJudgedToken(raw: string, project: ProjectKnowledge = {}, projectKey = 'none'): Judged {
  // The answer and the input it answers: a stale answer is never shown for new input.
  const input = `${projectKey}\n${raw}`;
  const [state, setState] = useState<{ input: string; judged: Judged }>({ input: '', judged: { kind: 'empty', whitespace: false } });
  const setJudged = (judged: Judged) => setState({ input, judged });
  const latest = useRef(0);
  useEffect(() => {
    const run = ++latest.current;
    if (raw.trim() === '') {
      setJudged({ kind: 'empty', whitespace: raw !== '' });
      return;
    }
    setJudged({ kind: 'judging' });
    const timer = setTimeout(() => {
      const at = Date.now();
      judgePastedToken(raw, { at, project }).then(
        (pasted) => run === latest.current && setJudged({ kind: 'done', pasted, at }),
        (err: unknown) => run === latest.current && setJudged({ kind: 'failed', message: err instanceof Error ? err.message : String(err) }),
      );
    }, SETTLE_MS);
    return () => clearTimeout(timer);
  }, [input]);
  if (raw.trim() === '') return { kind: 'empty', whitespace: raw !== '' };
  return state.input === input ? state.judged : { kind: 'judging' };
}
