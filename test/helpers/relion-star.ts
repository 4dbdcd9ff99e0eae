/** RELION postprocess tables of the bundled simulated pair (data/halfmaps/sim-emd-1997/), for the 1.a tests. */
import { readFileSync } from "node:fs";

export const simulatedPairDir = new URL("../../data/halfmaps/sim-emd-1997/", import.meta.url);

/** RELION's data_fsc rows (columns as in the star file's loop header), indexed by _rlnSpectralIndex. */
export function relionFscTable(file: string, columns: number): number[][] {
  const text = readFileSync(new URL(file, simulatedPairDir), "utf8");
  const block = text.slice(text.indexOf("data_fsc"), text.indexOf("data_guinier"));
  return block
    .split("\n")
    .map((line) => line.trim().split(/\s+/).map(Number))
    .filter((cells) => cells.length === columns && cells.every(Number.isFinite));
}

/** Columns of both tables; the DPR only in the --ampl_corr one. */
export const RELION = { unmasked: 5, masked: 6, randomisedMasked: 7, dprUnmasked: 10, corrected: 3 } as const;
