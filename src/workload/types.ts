/** How a user describes the inputs of a model (CLI flags or study file), before validation. */
export type ShapeDim = number | 'B';

export interface InputOptions {
  /** Values for dynamic dimensions, per input name; 'B' marks the batch dimension. */
  shapes: Record<string, ShapeDim[]>;
  /** Fixed scalar values for inputs that need one (e.g. a sample rate). */
  values: Record<string, number>;
  /** A sample-input file to load instead of synthesizing; null to synthesize. */
  sampleFile: string | null;
}
