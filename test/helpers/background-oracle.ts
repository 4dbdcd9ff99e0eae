/**
 * 0.c's numbers by their definitions, in plain loops over the voxels outside the constructed mask: the test oracle
 * of lib/level0/level0.ts, which gets them as the map's sums minus the mask's.
 */
export function backgroundByDefinition(data: Float32Array, mask: Uint8Array, outlierSigmas: number) {
  const values: number[] = [];
  for (let i = 0; i < data.length; i++) if (mask[i] === 0) values.push(data[i]);
  const n = values.length;
  const mean = values.reduce((a, b) => a + b, 0) / n;
  const squaredDeviations = values.reduce((a, b) => a + (b - mean) ** 2, 0);
  const std = Math.sqrt(squaredDeviations / n);
  const t = mean / Math.sqrt(squaredDeviations / (n - 1) / n);
  const outliers = values.filter((v) => Math.abs(v) > outlierSigmas * std).length;
  return { voxels: n, mean, std, t, outlierPercent: (100 * outliers) / n };
}
