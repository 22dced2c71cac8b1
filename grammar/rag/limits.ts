/**
 * Front-end limits (`language.md` §1). Each fails closed with `E-rag-limit-exceeded`:
 * never a crash or a hang. All are configurable per call.
 */
export interface FrontEndLimits {
  /** Maximum source size, in UTF-16 code units (≈ bytes for ASCII). Default 1 MiB. */
  readonly sourceSize: number;
  /** Maximum nesting of `{ [ (`. Default 64. */
  readonly nestingDepth: number;
  /** Maximum length of one string literal, in UTF-16 code units. Default 256 KiB. */
  readonly stringLength: number;
  /** Maximum nodes per graph. Default 10,000. */
  readonly nodesPerGraph: number;
}

export const DEFAULT_LIMITS: FrontEndLimits = {
  sourceSize: 1024 * 1024,
  nestingDepth: 64,
  stringLength: 256 * 1024,
  nodesPerGraph: 10_000,
};

export function resolveLimits(partial?: Partial<FrontEndLimits>): FrontEndLimits {
  return { ...DEFAULT_LIMITS, ...partial };
}
