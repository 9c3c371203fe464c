// Judges what is in the paste box with the session core's token view model (judgePastedToken, as
// the CLI's `decode` does), a moment after the user stops typing. Only the latest input's answer
// is kept; a failure is a value with a message, never an exception.

import { useEffect, useRef, useState } from 'preact/hooks';
import { judgePastedToken, type PastedToken } from '../../core/session';

export type Judged =
  | { kind: 'empty'; whitespace: boolean }
  | { kind: 'judging' }
  | { kind: 'done'; pasted: PastedToken; at: number }
  | { kind: 'failed'; message: string };

const SETTLE_MS = 120;

export function useJudgedToken(raw: string): Judged {
  // The answer and the input it answers: a stale answer is never shown for new input.
  const [state, setState] = useState<{ raw: string; judged: Judged }>({ raw: '', judged: { kind: 'empty', whitespace: false } });
  const setJudged = (judged: Judged) => setState({ raw, judged });
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
      judgePastedToken(raw, { at }).then(
        (pasted) => run === latest.current && setJudged({ kind: 'done', pasted, at }),
        (err: unknown) => run === latest.current && setJudged({ kind: 'failed', message: err instanceof Error ? err.message : String(err) }),
      );
    }, SETTLE_MS);
    return () => clearTimeout(timer);
  }, [raw]);
  if (raw.trim() === '') return { kind: 'empty', whitespace: raw !== '' };
  return state.raw === raw ? state.judged : { kind: 'judging' };
}
