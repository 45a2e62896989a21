#!/usr/bin/env bash
# Builds the CPU images, gancluster/silo and gancluster/worker-cpu, on a machine with buildah and no registry:
# each is the program's Release publish, the .NET runtime this machine has, and a minimal root made of exactly
# the shared libraries they load (the ldd closure of the runtime, the program's native libraries and libtorch,
# plus OpenSSL, which .NET loads by name). The images match deploy/docker/*.Dockerfile: user 10001, the same
# entrypoint, ports and health check. Where a registry is reachable, build those Dockerfiles instead.
#
#   bash deploy/images/build-cpu-images.sh [TAG]        (root; buildah from Debian: apt-get install buildah)
set -euo pipefail
# Docker format: OCI image configs have no HEALTHCHECK.
export BUILDAH_FORMAT=docker
tag=${1:-0.1.0}
repo=$(cd "$(dirname "$0")/../.." && pwd)
work=${GANCLUSTER_IMAGE_WORK:-/tmp/gancluster-images}
dotnet_root=$(dirname "$(readlink -f "$(command -v dotnet)")")
log() { printf '[images] %s\n' "$*"; }
command -v buildah >/dev/null || { echo "buildah is not installed (apt-get install buildah)" >&2; exit 2; }

rm -rf "$work" && mkdir -p "$work"
runtime=$(ls "$dotnet_root/shared/Microsoft.NETCore.App" | sort -V | tail -n 1)
aspnet=$(ls "$dotnet_root/shared/Microsoft.AspNetCore.App" | sort -V | tail -n 1)

# The libraries a file links against, as absolute paths (the loader's own line included).
libraries_of() { ldd "$1" 2>/dev/null | awk '$2 == "=>" && $3 ~ /^\// {print $3} $1 ~ /^\// {print $1}'; }

# Copies files (following links) and every library they link against into root $1, at the same paths.
with_libraries() {
  local root=$1; shift
  for file in "$@"; do
    [ -e "$root$file" ] || { mkdir -p "$root$(dirname "$file")"; cp -L "$file" "$root$file"; }
    for lib in $(libraries_of "$file"); do
      [ -e "$root$lib" ] || { mkdir -p "$root$(dirname "$lib")"; cp -L "$lib" "$root$lib"; }
    done
  done
}

image() {
  local name=$1 project=$2 ports=$3 args=$4
  local root="$work/$name/root"
  log "$name: publishing $project"
  dotnet publish "$repo/src/$project/$project.csproj" -c Release -o "$root/app" -nologo -v quiet >/dev/null
  log "$name: the .NET runtime $runtime and ASP.NET Core $aspnet, and the libraries they load"
  mkdir -p "$root/usr/share/dotnet/shared" "$root/usr/share/dotnet/host"
  cp -a "$dotnet_root/dotnet" "$root/usr/share/dotnet/"
  cp -a "$dotnet_root/host/fxr" "$root/usr/share/dotnet/host/"
  cp -a "$dotnet_root/shared/Microsoft.NETCore.App" "$root/usr/share/dotnet/shared/"
  cp -a "$dotnet_root/shared/Microsoft.AspNetCore.App" "$root/usr/share/dotnet/shared/"
  local natives
  natives=$(find "$root/usr/share/dotnet" "$root/app" -name '*.so*' -type f | sed "s|^$root||")
  # What the runtime's and the program's native libraries load from the system (those beside them come along).
  for f in $natives; do libraries_of "$root$f" | grep -v "^$root" || true; done | sort -u > "$work/$name/libs"
  with_libraries "$root" "$dotnet_root/dotnet" $(cat "$work/$name/libs") \
    $(ldconfig -p | awk '/libssl\.so\.3 |libcrypto\.so\.3 / {print $NF}' | sort -u)
  mkdir -p "$root/tmp" "$root/etc" "$root/var/lib/gancluster" "$root/checkpoints" "$root/data"
  chmod 1777 "$root/tmp"
  printf 'root:x:0:0:root:/root:/sbin/nologin\ngancluster:x:10001:10001::/nonexistent:/sbin/nologin\n' > "$root/etc/passwd"
  printf 'root:x:0:\ngancluster:x:10001:\n' > "$root/etc/group"
  chown 10001:10001 "$root/var/lib/gancluster" "$root/checkpoints"
  log "$name: committing gancluster/$name:$tag"
  local ctr; ctr=$(buildah from scratch)
  buildah copy --quiet "$ctr" "$root" / >/dev/null
  buildah config --user 10001:10001 --workingdir /app \
    --env DOTNET_ROOT=/usr/share/dotnet --env PATH=/usr/share/dotnet:/usr/bin:/bin \
    --env DOTNET_SYSTEM_GLOBALIZATION_INVARIANT=1 --env DOTNET_gcServer=0 \
    $(for p in $ports; do printf -- '--port %s ' "$p"; done) \
    --healthcheck "CMD /usr/share/dotnet/dotnet /app/$project.dll --probe http://127.0.0.1:9100/health/live" \
    --healthcheck-interval 10s --healthcheck-timeout 3s --healthcheck-start-period 30s \
    --entrypoint "[\"/usr/share/dotnet/dotnet\", \"/app/$project.dll\"]" --cmd "$args" "$ctr"
  buildah commit --quiet --format docker "$ctr" "gancluster/$name:$tag" >/dev/null
  buildah rm "$ctr" >/dev/null
  log "$name: $(buildah images --format '{{.Size}}' "gancluster/$name:$tag") (gancluster/$name:$tag)"
}

image silo GanCluster.Silo "50051 11111 30000 9100" "--state-dir=/var/lib/gancluster --host=0.0.0.0 --metrics-host=0.0.0.0 --metrics-port=9100"
image worker-cpu GanCluster.Worker "7000 9100" "--mode=cluster --store=/checkpoints --data-root=/data --host=0.0.0.0 --ring-port=7000 --metrics-host=0.0.0.0 --metrics-port=9100"
