import { describe, expect, expectTypeOf, it } from "vitest";
import {
  AnalysisInputError, MapFormatError, type AnalysisInputErrorCode, type MapFormatErrorCode,
} from "../lib/errors.js";
import { parseMap } from "../lib/io/mrc-reader.js";

describe("error codes", () => {
  it("are string-literal unions: a code outside them does not typecheck (npx tsc -p . checks this file)", () => {
    expectTypeOf<MapFormatError["code"]>().toEqualTypeOf<MapFormatErrorCode>();
    expectTypeOf<AnalysisInputError["code"]>().toEqualTypeOf<AnalysisInputErrorCode>();
    expectTypeOf<"too-short">().toMatchTypeOf<MapFormatErrorCode>();
    expectTypeOf<"empty-mask">().toMatchTypeOf<AnalysisInputErrorCode>();
    // @ts-expect-error "no-such-code" is not a MapFormatErrorCode
    expect(new MapFormatError("no-such-code", "x").code).toBe("no-such-code");
    // @ts-expect-error a map-format code is not an analysis-input code
    expect(new AnalysisInputError("not-mrc", "x").name).toBe("AnalysisInputError");
  });

  it("a thrown code is one of the union's", () => {
    let caught: unknown;
    try {
      parseMap(new Uint8Array(10));
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(MapFormatError);
    expect((caught as MapFormatError).code).toBe("too-short");
  });
});
