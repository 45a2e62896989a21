using GanCluster.Bench;

// dotnet run -c Release --project bench/GanCluster.Bench -- trainer-overhead [--rounds N] [--threads 1,2] [--models mlp,dcgan28,dcgan64] [--steps N] [--json]
//                                                        -- health-overhead [--rounds N] [--threads N] [--evaluator FILE]
//                                                        -- health-calibrate [--corpus DIR] [--held-out CONFIG,...]
//                                                        -- quality-summary [--dir DIR]
//                                                        -- sweep-search [--sweep bench/sweeps/grid25-search.yaml] [--seeds 3]
//                                                        -- sweep-scale [--cluster DIR] [--trials 10000] [--workers 16] [--trial-ms 1000]   (up --workers 0)
//                                                        -- control-plane [--cluster DIR] [--workers 20] [--runs 1000] [--seconds 10]
//                                                        -- first-step [--cluster DIR] [--samples 20]     (a cluster with ≥ 1 worker)
//                                                        -- exporter-overhead [--rounds 5] [--steps 3000] [--scrape 0.1] [--model toy|mlp]
//                                                        -- allreduce-processes [--world-size 2] [--sizes 1M,16M] [--iterations 50] [--gap-ms 100] [--gap idle|busy] [--transport tcp|auto|unixsocket] [--encoding float32|bf16] [--channels auto|N] [--chunk-bytes 1048576] [--json]
//                                                        -- generator-norm --checkpoint CKPT --evaluator FILE [--samples 5000]
//                                                        -- allreduce [--world-sizes 2,3] [--sizes 4K,...,64M] [--channels 1,4] [--chunk-bytes 1048576]
//                                                        -- allreduce-tls [--world-size 2] [--sizes 64K,1M,16M] [--channels 4] [--rounds 6]
//                                                        -- grpc-stream [--size 64M] [--chunk-bytes 1048576] [--streams 2] [--rounds 5]
//                                                        -- minibatch-distances [--rounds 5] [--rows 256] [--kernels 50] [--dims 5]
string Option(string name, string fallback)
{
    var i = Array.IndexOf(args, name);
    return i >= 0 && i + 1 < args.Length ? args[i + 1] : fallback;
}

return args.FirstOrDefault() switch
{
    "trainer-overhead" => TrainerOverhead.Run(
        int.Parse(Option("--rounds", "7")),
        Option("--threads", "1,2").Split(',').Select(int.Parse).ToList(),
        Option("--models", "mlp,dcgan28,dcgan64").Split(','), args.Contains("--steps") ? int.Parse(Option("--steps", "")) : null, args.Contains("--json")),
    "health-overhead" => HealthOverhead.Run(int.Parse(Option("--rounds", "7")), int.Parse(Option("--threads", "2")), args.Contains("--evaluator") ? Option("--evaluator", "") : null),
    "quality-summary" => QualitySummary.Run(Option("--dir", "runs/quality")),
    "health-calibrate" => HealthCalibration.Run(Option("--corpus", "runs/health-corpus"), Option("--held-out", HealthCorpus.HeldOut).Split(',').ToHashSet()),
    "allreduce" => AllReduceBandwidth.Run(
        Option("--world-sizes", "2,3").Split(',').Select(int.Parse).ToArray(),
        AllReduceBandwidth.ParseSizes(Option("--sizes", "4K,64K,1M,4M,16M,64M")),
        Option("--channels", "4").Split(',').Select(int.Parse).ToArray(),
        int.Parse(Option("--chunk-bytes", "1048576"))),
    "allreduce-tls" => AllReduceTls.Run(int.Parse(Option("--world-size", "2")), AllReduceBandwidth.ParseSizes(Option("--sizes", "64K,1M,16M")),
        int.Parse(Option("--channels", "4")), int.Parse(Option("--rounds", "6"))),
    "allreduce-processes" => AllReduceProcesses.Launch(int.Parse(Option("--world-size", "2")), AllReduceBandwidth.ParseSizes(Option("--sizes", Option("--size", "1M"))),
        int.Parse(Option("--iterations", "50")), int.Parse(Option("--gap-ms", "0")), Option("--gap", "idle"),
        Enum.Parse<GanCluster.Collective.RingTransport>(Option("--transport", "tcp"), ignoreCase: true),
        Option("--encoding", "float32") == "bf16" ? GanCluster.Collective.WireEncoding.BFloat16 : GanCluster.Collective.WireEncoding.Float32, args.Contains("--json"),
        Option("--channels", "auto") is var channels && channels != "auto" ? int.Parse(channels) : null, int.Parse(Option("--chunk-bytes", "1048576"))),
    "allreduce-rank" => AllReduceProcesses.Rank(args[1].Split(',').Select(long.Parse).ToList(), int.Parse(args[2]), int.Parse(args[3]), args[4], args[5] == "json",
        Enum.Parse<GanCluster.Collective.WireEncoding>(args[6])),
    "sweep-search" => SweepSearch.Run(Option("--sweep", "bench/sweeps/grid25-search.yaml"), int.Parse(Option("--seeds", "3"))),
    "sweep-scale" => SweepScale.Run(Option("--cluster", ".gancluster"), int.Parse(Option("--trials", "10000")), int.Parse(Option("--workers", "16")), int.Parse(Option("--trial-ms", "1000"))),
    "control-plane" => ControlPlaneLoad.Run(Option("--cluster", ".gancluster"), int.Parse(Option("--workers", "20")), int.Parse(Option("--runs", "1000")), int.Parse(Option("--seconds", "10"))),
    "generator-norm" => GeneratorNormProbe.Run(Option("--checkpoint", ""), Option("--evaluator", ""), int.Parse(Option("--samples", "5000"))),
    "first-step" => ControlPlaneLoad.FirstStep(Option("--cluster", ".gancluster"), int.Parse(Option("--samples", "20"))),
    "exporter-overhead" => ExporterOverhead.Run(int.Parse(Option("--rounds", "5")), int.Parse(Option("--steps", "3000")), double.Parse(Option("--scrape", "0.1"), System.Globalization.CultureInfo.InvariantCulture), Option("--model", "toy")),
    "grpc-stream" => GrpcStreamCeiling.Run(AllReduceBandwidth.ParseSizes(Option("--size", "64M"))[0], int.Parse(Option("--chunk-bytes", "1048576")),
        int.Parse(Option("--streams", "2")), int.Parse(Option("--rounds", "5"))),
    "minibatch-distances" => MinibatchDistances.Run(int.Parse(Option("--rounds", "5")), int.Parse(Option("--rows", "256")), int.Parse(Option("--kernels", "50")), int.Parse(Option("--dims", "5"))),
    _ => Usage(),
};

static int Usage()
{
    Console.Error.WriteLine("usage: GanCluster.Bench trainer-overhead [--rounds N] [--threads 1,2] [--models mlp,dcgan28,dcgan64] [--steps N] [--json]");
    Console.Error.WriteLine("       GanCluster.Bench health-overhead [--rounds N] [--threads N] [--evaluator FILE]");
    Console.Error.WriteLine("       GanCluster.Bench health-calibrate [--corpus DIR] [--held-out CONFIG,...]");
    Console.Error.WriteLine("       GanCluster.Bench quality-summary [--dir DIR]");
    Console.Error.WriteLine("       GanCluster.Bench control-plane [--cluster DIR] [--workers 20] [--runs 1000] [--seconds 10]");
    Console.Error.WriteLine("       GanCluster.Bench allreduce-processes [--world-size 2] [--sizes 1M,16M] [--iterations 50] [--gap-ms 100] [--gap idle|busy] [--transport tcp|auto|unixsocket] [--encoding float32|bf16] [--channels auto|N] [--chunk-bytes 1048576] [--json]");
    Console.Error.WriteLine("       GanCluster.Bench allreduce [--world-sizes 2,3] [--sizes 4K,64K,1M,4M,16M,64M] [--channels 1,4] [--chunk-bytes 1048576]");
    Console.Error.WriteLine("       GanCluster.Bench allreduce-tls [--world-size 2] [--sizes 64K,1M,16M] [--channels 4] [--rounds 6]");
    Console.Error.WriteLine("       GanCluster.Bench grpc-stream [--size 64M] [--chunk-bytes 1048576] [--streams 2] [--rounds 5]");
    Console.Error.WriteLine("       GanCluster.Bench minibatch-distances [--rounds 5] [--rows 256] [--kernels 50] [--dims 5]");
    return 2;
}
