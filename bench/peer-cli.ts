// The CLI run from its TypeScript sources (node --import tsx bench/peer-cli.ts …): what bin/mapval.js does without a
// build, for bench/peer.bench.ts to time against the compiled CLI.
import { main } from "../data-loaders/cli/cli.js";

process.exitCode = await main(process.argv.slice(2));
