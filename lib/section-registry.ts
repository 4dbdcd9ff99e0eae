/**
 * The section registry: every section of the report, in report order (Level 0, then Level 1 from two half maps), with
 * what the CLI, the report, the sweep, the site loaders, the worker and the pages need to know about it. Adding a
 * section is one entry here, its section file (lib/level0/section-*.ts, lib/level1/*: numbers, verdict, explanation)
 * and its page cell (docs/package.md).
 *
 * Data only, with no imports, so the pages can take the list and the titles without bundling the kernel.
 */

export interface SectionSpec {
  /** "0.a"…; Level 1 sections are "1.a"…. */
  id: string;
  level: 0 | 1;
  /** VRS's row label, e.g. "0.a Mass analysis". */
  title: string;
  /**
   * Its numbers change with the threshold (a slider recomputes it). At Level 1: it uses Level 0's hard or soft mask,
   * made from the primary map at the threshold (1.a's masked and corrected FSC, 1.b, 1.c, 1.e, 1.g, 1.h; VRS's 1.d and
   * 1.f use the hard mask too).
   */
  dependsOnThreshold: boolean;
  /** Works in Fourier space (0.d–0.h, 1.a–1.c, 1.e, 1.g, 1.h): seconds on large maps, needs the reported resolution. */
  spectral: boolean;
  /**
   * Transforms the map (0.d–0.g; at Level 1 the halves: 1.a–1.c, 1.e, 1.g, 1.h): its grids are checked against the
   * memory budget before anything runs.
   */
  fourier: boolean;
  /** Gives a local map (0.e–0.g, 1.c, 1.e); 0.e–0.g and 1.e are computed in bands (lib/local/bands.ts) on worker threads. */
  local: boolean;
}

export const sectionRegistry = [
  {
    id: "0.a", level: 0, title: "0.a Mass analysis",
    dependsOnThreshold: true, spectral: false, fourier: false, local: false,
  },
  {
    id: "0.b", level: 0, title: "0.b Mask analysis",
    dependsOnThreshold: true, spectral: false, fourier: false, local: false,
  },
  {
    id: "0.c", level: 0, title: "0.c Background analysis",
    dependsOnThreshold: true, spectral: false, fourier: false, local: false,
  },
  {
    id: "0.d", level: 0, title: "0.d B-factor analysis",
    dependsOnThreshold: false, spectral: true, fourier: true, local: false,
  },
  {
    id: "0.e", level: 0, title: "0.e Local resolution (MonoRes-style; VRS uses DeepRes)",
    dependsOnThreshold: true, spectral: true, fourier: true, local: true,
  },
  {
    id: "0.f", level: 0, title: "0.f LocBfactor",
    dependsOnThreshold: true, spectral: true, fourier: true, local: true,
  },
  {
    id: "0.g", level: 0, title: "0.g LocOccupancy",
    dependsOnThreshold: true, spectral: true, fourier: true, local: true,
  },
  {
    id: "0.h", level: 0, title: "0.h Deep hand",
    dependsOnThreshold: false, spectral: true, fourier: false, local: false,
  },
  // Level 1: titles from the section files (lib/level1/*); 1.d and 1.f are not computed (level1-sections.ts), so they
  // transform nothing.
  {
    id: "1.a", level: 1, title: "1.a Global resolution",
    dependsOnThreshold: true, spectral: true, fourier: true, local: false,
  },
  {
    id: "1.b", level: 1, title: "1.b FSC permutation",
    dependsOnThreshold: true, spectral: true, fourier: true, local: false,
  },
  {
    id: "1.c", level: 1, title: "1.c Local resolution (BlocRes-style local FSC)",
    dependsOnThreshold: true, spectral: true, fourier: true, local: true,
  },
  {
    id: "1.d", level: 1, title: "1.d ResMap",
    dependsOnThreshold: true, spectral: false, fourier: false, local: false,
  },
  {
    id: "1.e", level: 1, title: "1.e Local resolution (MonoRes)",
    dependsOnThreshold: true, spectral: true, fourier: true, local: true,
  },
  {
    id: "1.f", level: 1, title: "1.f MonoDir",
    dependsOnThreshold: true, spectral: false, fourier: false, local: false,
  },
  {
    id: "1.g", level: 1, title: "1.g FSO",
    dependsOnThreshold: true, spectral: true, fourier: true, local: false,
  },
  {
    id: "1.h", level: 1, title: "1.h FSC3D",
    dependsOnThreshold: true, spectral: true, fourier: true, local: false,
  },
] as const satisfies readonly SectionSpec[];

type Registered = (typeof sectionRegistry)[number];

/** Any section's id. */
export type SectionId = Registered["id"];
/** The sections of one level. */
export type SectionIdOfLevel<L extends SectionSpec["level"]> = Extract<Registered, { level: L }>["id"];
export type Level0SectionId = SectionIdOfLevel<0>;
/** The sections computed from two half maps. */
export type Level1SectionId = SectionIdOfLevel<1>;
/** The Level 0 sections computed in bands, with a local map. */
export type LocalSectionId = Extract<Registered, { level: 0; local: true }>["id"];
/** The Level 0 sections in Fourier space (0.d–0.h). */
export type SpectralSectionId = Extract<Registered, { level: 0; spectral: true }>["id"];

type Level0Spec = Extract<Registered, { level: 0 }>;
/** Level 0's entries in report order. */
export const level0Sections: readonly Level0Spec[] = sectionRegistry.filter((s): s is Level0Spec => s.level === 0);

/** Level 0's sections in report order (Level 1's: level1SectionIds). */
export const sectionIds: readonly Level0SectionId[] = level0Sections.map((s) => s.id);
export const spectralSectionIds: readonly SpectralSectionId[] = level0Sections
  .filter((s): s is Extract<Registered, { level: 0; spectral: true }> => s.spectral)
  .map((s) => s.id);
export const localSectionIds: readonly LocalSectionId[] = level0Sections
  .filter((s): s is Extract<Registered, { level: 0; local: true }> => s.local)
  .map((s) => s.id);

type Level1Spec = Extract<Registered, { level: 1 }>;
/** Level 1's entries in report order. */
export const level1Sections: readonly Level1Spec[] = sectionRegistry.filter((s): s is Level1Spec => s.level === 1);
/** Level 1's sections in report order. */
export const level1SectionIds: readonly Level1SectionId[] = level1Sections.map((s) => s.id);

/** The registered ids that are keys of `sections` (a report's), in report order. */
export function sectionIdsIn(sections: object): SectionId[] {
  return sectionRegistry.map((s) => s.id).filter((id) => Object.hasOwn(sections, id));
}

const byId = new Map<string, Registered>(sectionRegistry.map((s) => [s.id, s]));

/** The registry entry of `id`. */
export function sectionSpec(id: SectionId): SectionSpec {
  return byId.get(id)!;
}

export function sectionTitle(id: SectionId): string {
  return sectionSpec(id).title;
}
