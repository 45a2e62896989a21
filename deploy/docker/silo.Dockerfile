# syntax=docker/dockerfile:1
# The GanCluster silo: Orleans control plane and the CLI's gRPC API. Build from the repository root:
#   docker build -f deploy/docker/silo.Dockerfile -t gancluster/silo:0.1.0 .
FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /src
# Restore first, from the project files alone, so that a source change does not invalidate the package layer.
COPY Directory.Build.props Directory.Packages.props global.json ./
COPY src/GanCluster.Contracts/GanCluster.Contracts.csproj src/GanCluster.Contracts/
COPY src/GanCluster.Specs/GanCluster.Specs.csproj src/GanCluster.Specs/
COPY src/GanCluster.Sweeps/GanCluster.Sweeps.csproj src/GanCluster.Sweeps/
COPY src/GanCluster.Hosting/GanCluster.Hosting.csproj src/GanCluster.Hosting/
COPY src/GanCluster.Silo/GanCluster.Silo.csproj src/GanCluster.Silo/
RUN dotnet restore src/GanCluster.Silo/GanCluster.Silo.csproj
COPY src/ src/
RUN dotnet publish src/GanCluster.Silo/GanCluster.Silo.csproj -c Release --no-restore -o /app

FROM mcr.microsoft.com/dotnet/aspnet:10.0 AS runtime
# A user of its own (10001, as the manifests' securityContext runs it); no shell tools beyond the base image's.
RUN groupadd --gid 10001 gancluster && useradd --uid 10001 --gid 10001 --no-create-home --shell /usr/sbin/nologin gancluster \
    && mkdir -p /var/lib/gancluster && chown 10001:10001 /var/lib/gancluster
COPY --from=build --chown=root:root /app /app
USER 10001:10001
WORKDIR /app
# api, Orleans silo-to-silo, Orleans gateway, metrics and probes
EXPOSE 50051 11111 30000 9100
HEALTHCHECK --interval=10s --timeout=3s --start-period=30s CMD ["dotnet", "/app/GanCluster.Silo.dll", "--probe", "http://127.0.0.1:9100/health/live"]
ENTRYPOINT ["dotnet", "/app/GanCluster.Silo.dll"]
CMD ["--state-dir=/var/lib/gancluster", "--host=0.0.0.0", "--metrics-host=0.0.0.0", "--metrics-port=9100"]
