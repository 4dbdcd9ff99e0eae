import { describe, expect, it } from "vitest";
import { browserGate } from "./helpers/browser-gate.js";

describe("npm test without Chromium", () => {
  const none = () => false;
  it("skips the browser tests on a developer's machine, with one line saying what to install", () => {
    const gate = browserGate({}, none);
    expect(gate.run).toBe(false);
    expect(gate.notice).toMatch(/^browser tests skipped: no Chromium at \/usr\/bin\/chromium \(install it with apt-get install -y chromium/);
    expect(gate.notice).not.toContain("\n");
    expect(browserGate({ CI: "false" }, none).run).toBe(false);
  });
  it("always runs them in CI, where a missing browser must fail", () => {
    expect(browserGate({ CI: "true" }, none)).toEqual({ run: true, notice: null });
    expect(browserGate({ CI: "1" }, none).run).toBe(true);
  });
  it("runs them when Chromium is there, at MAPVAL_CHROMIUM if set", () => {
    expect(browserGate({}, (p) => p === "/usr/bin/chromium").run).toBe(true);
    expect(browserGate({ MAPVAL_CHROMIUM: "/opt/c" }, (p) => p === "/opt/c").run).toBe(true);
    expect(browserGate({ MAPVAL_CHROMIUM: "/opt/c" }, (p) => p === "/usr/bin/chromium").notice).toContain("/opt/c");
  });
});
