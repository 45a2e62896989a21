# syntax=docker/dockerfile:1
# A GanCluster CPU worker: trains the ranks the scheduler places on it (TorchSharp on libtorch's CPU build).
#   docker build -f deploy/docker/worker-cpu.Dockerfile -t gancluster/worker-cpu:0.1.0 .
FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /src
COPY Directory.Build.props Directory.Packages.props global.json ./
COPY src/GanCluster.Contracts/GanCluster.Contracts.csproj src/GanCluster.Contracts/
COPY src/GanCluster.Specs/GanCluster.Specs.csproj src/GanCluster.Specs/
COPY src/GanCluster.Collective/GanCluster.Collective.csproj src/GanCluster.Collective/
COPY src/GanCluster.Training/GanCluster.Training.csproj src/GanCluster.Training/
COPY src/GanCluster.Rank/GanCluster.Rank.csproj src/GanCluster.Rank/
COPY src/GanCluster.Hosting/GanCluster.Hosting.csproj src/GanCluster.Hosting/
COPY src/GanCluster.Worker/GanCluster.Worker.csproj src/GanCluster.Worker/
# libtorch is the largest layer by far (hundreds of MB): restored on its own, it is rebuilt only when the packages change.
RUN dotnet restore src/GanCluster.Worker/GanCluster.Worker.csproj
COPY src/ src/
RUN dotnet publish src/GanCluster.Worker/GanCluster.Worker.csproj -c Release --no-restore -o /app

FROM mcr.microsoft.com/dotnet/aspnet:10.0 AS runtime
# libtorch 2.10 needs GLIBCXX_3.4.32 and OpenMP: the base image (Debian 13) has both in libstdc++6 and libgomp1.
RUN apt-get update && apt-get install -y --no-install-recommends libgomp1 && rm -rf /var/lib/apt/lists/* \
    && groupadd --gid 10001 gancluster && useradd --uid 10001 --gid 10001 --no-create-home --shell /usr/sbin/nologin gancluster \
    && mkdir -p /checkpoints /data && chown 10001:10001 /checkpoints
COPY --from=build --chown=root:root /app /app
USER 10001:10001
WORKDIR /app
# ring (all-reduce between the ranks of a gang), metrics and probes
EXPOSE 7000 9100
HEALTHCHECK --interval=10s --timeout=3s --start-period=30s CMD ["dotnet", "/app/GanCluster.Worker.dll", "--probe", "http://127.0.0.1:9100/health/live"]
ENTRYPOINT ["dotnet", "/app/GanCluster.Worker.dll"]
CMD ["--mode=cluster", "--store=/checkpoints", "--data-root=/data", "--host=0.0.0.0", "--ring-port=7000", "--metrics-host=0.0.0.0", "--metrics-port=9100"]
