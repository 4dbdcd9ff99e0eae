/** mapval's version, as package.json gives it (a test keeps the two equal); it goes into every report. */
export const MAPVAL_VERSION = "0.1.0";
