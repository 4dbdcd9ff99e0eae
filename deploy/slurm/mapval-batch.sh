#!/bin/bash
# mapval batch as a Slurm job array: each array element runs one shard of the entries (docs/batch.md).
#   MAPVAL_ENTRIES=entries.txt MAPVAL_OUT=/shared/mapval-out sbatch --array=0-99%25 deploy/slurm/mapval-batch.sh
# mapval reads the shard from SLURM_ARRAY_TASK_ID (less SLURM_ARRAY_TASK_MIN) and SLURM_ARRAY_TASK_COUNT, so --array
# must be a contiguous range with step 1 (0-99, or 1-100); "%25" only limits how many run at once. After the array,
# `mapval batch --entries … --out … --summary-only` writes the summary of every shard (each shard writes one when it
# ends, and the last to end may not see the others' last entries).
# Arguments after the script go to mapval batch, e.g. `sbatch … deploy/slurm/mapval-batch.sh --levels 0,1` for Level 1
# from the entries' half maps (three volumes per entry: allow more --mem, docs/batch.md "Limits per entry").
#SBATCH --job-name=mapval-batch
#SBATCH --cpus-per-task=4
#SBATCH --mem=8G
#SBATCH --time=12:00:00
#SBATCH --output=mapval-batch-%A_%a.log
set -euo pipefail

entries=${MAPVAL_ENTRIES:?set MAPVAL_ENTRIES to the entries file (accessions one a line, or an entries configuration)}
out=${MAPVAL_OUT:?set MAPVAL_OUT to the output directory (on a filesystem every node sees)}
# Maps are downloaded to node-local scratch and removed after each entry.
scratch=${MAPVAL_SCRATCH:-${TMPDIR:-/tmp}/mapval-scratch-${SLURM_ARRAY_JOB_ID:-local}-${SLURM_ARRAY_TASK_ID:-0}}
# The command to run, split into words ("mapval", or "node /path/to/bin/mapval.js").
read -r -a mapval <<< "${MAPVAL:-mapval}"
# One entry per allocated core: each entry runs in its own single-threaded process.
workers=${SLURM_CPUS_PER_TASK:-1}

trap 'rm -rf "$scratch"' EXIT
"${mapval[@]}" batch --entries "$entries" --out "$out" --scratch "$scratch" --workers "$workers" "$@"
