/**
 * The error types the kernel throws for bad input. `code` is stable (tests, the CLI and the page key on it) and one of
 * the literals below; `message` names the field, the value found and what was expected.
 */

/** Why a file is not a map mapval reads (lib/io/mrc-reader.ts, lib/io/gzip.ts). */
export type MapFormatErrorCode =
  | "bad-axis-order"
  | "bad-dimensions"
  | "bad-nsymbt"
  | "bad-volume-stack"
  | "byte-order"
  | "data-truncated"
  | "gzip-corrupt"
  | "no-finite-voxels"
  | "not-mrc"
  | "too-large"
  | "too-short"
  | "unsupported-mode";

export class MapFormatError extends Error {
  readonly code: MapFormatErrorCode;
  constructor(code: MapFormatErrorCode, message: string) {
    super(message);
    this.name = "MapFormatError";
    this.code = code;
  }
}

/** Why the arguments of an analysis are refused. */
export type AnalysisInputErrorCode =
  | "bad-bfactor"
  | "bad-box"
  | "bad-cone-angle"
  | "bad-cutoff"
  | "bad-direction-count"
  | "bad-lab-parameter"
  | "bad-mask-value"
  | "bad-memory-budget"
  | "bad-mode"
  | "bad-resolution"
  | "bad-seed"
  | "bad-stride"
  | "bad-threshold"
  | "bad-voxel-size"
  | "bad-worker-count"
  | "box-too-large"
  | "empty-mask"
  | "empty-synthetic-particle"
  | "half-map-shape-mismatch"
  | "half-map-too-small"
  | "half-map-voxel-size-mismatch"
  | "implausible-voxel-size"
  | "lab-parameter-out-of-range"
  | "mask-shape-mismatch"
  | "memory-budget"
  | "no-finite-voxels"
  | "resolution-beyond-nyquist"
  | "unknown-lab-parameter"
  | "unknown-lab-preset"
  | "unknown-section"
  | "unknown-voxel-size";

/** Bad arguments to an analysis (threshold above the map maximum, missing voxel size…). */
export class AnalysisInputError extends Error {
  readonly code: AnalysisInputErrorCode;
  constructor(code: AnalysisInputErrorCode, message: string) {
    super(message);
    this.name = "AnalysisInputError";
    this.code = code;
  }
}
