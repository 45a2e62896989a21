# Sourced by the peers' benchmark scripts: prepares PyTorch 2.6 (the trixie root) and 1.13 (the host), builds
# GanCluster.Bench, and copies the named Python scripts into the root's /tmp. Sets $trixie and $bench.
#   peers_setup ROOT_OF_REPOSITORY SCRIPT.py...
peers_setup() {
  local repo="$1"; shift
  trixie="${GANCLUSTER_TRIXIE_ROOT:-/var/cache/gancluster/trixie-pytorch}"
  bash "$repo/bench/peers/prepare-pytorch.sh" "$trixie" > /dev/null
  dotnet build "$repo/bench/GanCluster.Bench" -c Release -nologo -v quiet -tl:off "-clp:ErrorsOnly;NoSummary" > /dev/null
  bench="$repo/bench/GanCluster.Bench/bin/Release/net10.0/GanCluster.Bench.dll"
  local script
  for script in "$@"; do
    cp "$repo/bench/peers/$script" "$trixie/tmp/$script"
  done
}
