/**
 * The one error type the kernel throws for bad input. `code` is stable (tests and the CLI key on it); `message`
 * names the field, the value found and what was expected.
 */
export class MapFormatError extends Error {
  readonly code: string;
  constructor(code: string, message: string) {
    super(message);
    this.name = "MapFormatError";
    this.code = code;
  }
}

/** Bad arguments to an analysis (threshold above the map maximum, missing voxel size…). */
export class AnalysisInputError extends Error {
  readonly code: string;
  constructor(code: string, message: string) {
    super(message);
    this.name = "AnalysisInputError";
    this.code = code;
  }
}
