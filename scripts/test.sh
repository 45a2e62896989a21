#!/usr/bin/env bash
# The test command: fixes the machine set-up (idempotent; PostgreSQL, Prometheus and container tools included), builds, and runs every test project.
# Tests that need ../shared/data skip with a loud message when it is absent.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
bash scripts/setup.sh --postgres --prometheus --containers
log="$(mktemp)"
trap 'rm -f "$log"' EXIT
set +e
# Build everything first: the cluster tests start the silo and worker programs, which no test project references.
dotnet build GanCluster.sln -c Release -nologo 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
if [ "$status" -eq 0 ]; then
  dotnet test --solution GanCluster.sln -c Release --no-build "$@" 2>&1 | tee -a "$log"
  status=${PIPESTATUS[0]}
fi
set -e
# The failed tests again, each with the first lines of its message, so that the tail of a long run names them.
awk '/^[[:space:]]*failed [^ ]/ && !/failed with/ { n = 16; print "FAILED TEST:" }
     n > 0 { print substr($0, 1, 400); n-- }' "$log" | head -n 400
# One closing line that any CI reads: "tests: N passed, N failed, N skipped".
awk '/^[[:space:]]*succeeded:/ {p+=$2} /^[[:space:]]*failed:/ {f+=$2} /^[[:space:]]*skipped:/ {s+=$2}
     END { if (p + f + s > 0) printf "tests: %d passed, %d failed, %d skipped\n", p, f, s }' "$log"
grep -E 'SKIPPED LOUDLY' "$log" | sort -u || true
exit "$status"
