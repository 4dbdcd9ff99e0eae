// Preloaded (node --import) into a child process by tests that bound its memory: at exit, writes the process's peak
// resident set size (KiB, as process.resourceUsage reports it) to $MAPVAL_MAX_RSS_FILE.
import { writeFileSync } from "node:fs";

process.on("exit", () => {
  if (process.env.MAPVAL_MAX_RSS_FILE) writeFileSync(process.env.MAPVAL_MAX_RSS_FILE, String(process.resourceUsage().maxRSS));
});
