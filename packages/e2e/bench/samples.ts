/** What the call-setup benchmarks measure per run, in ms from their start (the click, or the floor's offer). */
export interface Sample {
  connectedMs: number;
  firstFrameMs: number;
}

/** The median of some numbers (the mean of the middle two for an even count). */
export function median(values: number[]): number {
  const sorted = [...values].sort((x, y) => x - y);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2
    ? (sorted[middle] as number)
    : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}
