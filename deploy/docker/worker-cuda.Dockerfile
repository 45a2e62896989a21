# syntax=docker/dockerfile:1
# A GanCluster GPU worker: the CPU worker built against libtorch's CUDA build (-p:GanClusterCuda=true), on
# NVIDIA's CUDA runtime. One GPU per pod (the gpu overlay asks for nvidia.com/gpu: 1).
#   docker build -f deploy/docker/worker-cuda.Dockerfile -t gancluster/worker-cuda:0.1.0 .
# TorchSharp-cuda-linux must be on the NuGet feed the build reaches (it is not on every mirror).
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
RUN dotnet restore src/GanCluster.Worker/GanCluster.Worker.csproj -p:GanClusterCuda=true
COPY src/ src/
RUN dotnet publish src/GanCluster.Worker/GanCluster.Worker.csproj -c Release --no-restore -p:GanClusterCuda=true -o /app

FROM nvidia/cuda:12.8.1-cudnn-runtime-ubuntu24.04 AS runtime
# The ASP.NET Core runtime alone (the CUDA image has no .NET), from the runtime image.
COPY --from=mcr.microsoft.com/dotnet/aspnet:10.0 /usr/share/dotnet /usr/share/dotnet
RUN ln -s /usr/share/dotnet/dotnet /usr/bin/dotnet
# libtorch 2.10 needs GLIBCXX_3.4.32 (Ubuntu 24.04 has it), OpenMP and ICU for .NET.
RUN apt-get update && apt-get install -y --no-install-recommends libgomp1 libicu74 ca-certificates && rm -rf /var/lib/apt/lists/* \
    && (userdel -r ubuntu 2>/dev/null || true) && groupadd --gid 10001 gancluster && useradd --uid 10001 --gid 10001 --no-create-home --shell /usr/sbin/nologin gancluster \
    && mkdir -p /checkpoints /data && chown 10001:10001 /checkpoints
COPY --from=build --chown=root:root /app /app
USER 10001:10001
WORKDIR /app
# ring (all-reduce between the ranks of a gang), metrics and probes
EXPOSE 7000 9100
HEALTHCHECK --interval=10s --timeout=3s --start-period=30s CMD ["dotnet", "/app/GanCluster.Worker.dll", "--probe", "http://127.0.0.1:9100/health/live"]
ENTRYPOINT ["dotnet", "/app/GanCluster.Worker.dll"]
CMD ["--mode=cluster", "--store=/checkpoints", "--data-root=/data", "--host=0.0.0.0", "--ring-port=7000", "--metrics-host=0.0.0.0", "--metrics-port=9100"]
