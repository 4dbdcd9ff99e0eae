// The batch index's rows (data-loaders/batch/batch-output.ts batchIndexTable) from MAPVAL_BATCH_DIR's summary.arrow, after
// checking every row against its entry's report.json or error.json. Without a batch: a table with no rows.
import { batchDirFromEnv, batchIndexTable, checkBatchEntries, readBatchSummary } from "../../../data-loaders/batch/batch-output.js";

const dir = batchDirFromEnv();
const rows = dir ? readBatchSummary(dir) : [];
if (dir) checkBatchEntries(dir, rows);
process.stdout.write(batchIndexTable(rows));
