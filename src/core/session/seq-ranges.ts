// The set of `seq` numbers the panel has already received from one document, kept as sorted
// disjoint intervals. Seqs arrive almost always in order, so the set stays a handful of intervals
// even after hundreds of thousands of events — and it keeps remembering events the panel has since
// evicted, so a re-snapshot after a service-worker restart cannot bring them back as duplicates.

export class SeqRanges {
  /** Flat [start0, end0, start1, end1, ...], inclusive ends, sorted, non-overlapping, non-adjacent. */
  private bounds: number[] = [];

  /** Adds `seq`; returns false when it was already present. */
  add(seq: number): boolean {
    const b = this.bounds;
    const n = b.length;
    // Fast path: the next seq after the last interval, or beyond it.
    if (n === 0 || seq > b[n - 1] + 1) {
      b.push(seq, seq);
      return true;
    }
    if (seq === b[n - 1] + 1) {
      b[n - 1] = seq;
      return true;
    }
    // Binary search the last interval whose start <= seq.
    let lo = 0;
    let hi = n / 2 - 1;
    let found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (b[mid * 2] <= seq) {
        found = mid;
        lo = mid + 1;
      } else {
        hi = mid - 1;
      }
    }
    if (found >= 0 && seq <= b[found * 2 + 1]) return false;
    const extendsPrev = found >= 0 && b[found * 2 + 1] === seq - 1;
    const nextIndex = found + 1;
    const extendsNext = nextIndex < n / 2 && b[nextIndex * 2] === seq + 1;
    if (extendsPrev && extendsNext) {
      // Bridge: merge the two intervals.
      b[found * 2 + 1] = b[nextIndex * 2 + 1];
      b.splice(nextIndex * 2, 2);
    } else if (extendsPrev) {
      b[found * 2 + 1] = seq;
    } else if (extendsNext) {
      b[nextIndex * 2] = seq;
    } else {
      b.splice(nextIndex * 2, 0, seq, seq);
    }
    return true;
  }

  has(seq: number): boolean {
    const b = this.bounds;
    let lo = 0;
    let hi = b.length / 2 - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (seq < b[mid * 2]) hi = mid - 1;
      else if (seq > b[mid * 2 + 1]) lo = mid + 1;
      else return true;
    }
    return false;
  }

  /** Largest seq present, or -Infinity. */
  max(): number {
    return this.bounds.length === 0 ? -Infinity : this.bounds[this.bounds.length - 1];
  }

  /** How many seqs in (floor, through] are present (O(intervals): a handful). */
  countIn(floor: number, through: number): number {
    let n = 0;
    const b = this.bounds;
    for (let i = 0; i < b.length; i += 2) {
      const start = Math.max(b[i], floor + 1);
      const end = Math.min(b[i + 1], through);
      if (end >= start) n += end - start + 1;
    }
    return n;
  }

  /** Number of intervals (for tests: proves the representation stays compact). */
  get intervalCount(): number {
    return this.bounds.length / 2;
  }
}
