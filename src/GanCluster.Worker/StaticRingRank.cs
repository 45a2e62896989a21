using GanCluster.Rank;
using GanCluster.Rank.Launch;
using GanCluster.Specs;
using GanCluster.Training.Health;
using GanCluster.Training.Runtime;
using GanCluster.Training.Telemetry;

namespace GanCluster.Worker;

/// <summary>
/// The worker's static-ring mode (<c>gancluster train --world-size N</c> starts N of these): one rank of a loopback
/// ring whose place comes from the launcher's environment, trained by the same rank host as on a cluster.
/// </summary>
internal static class StaticRingRank
{
    public static int Run(StaticRingOptions options, RankMeter meter)
    {
        try
        {
            var ring = WorkerEnvironment.Read();
            var (spec, yaml) = RunSpecLoader.LoadFile(options.Spec, worldSize: ring.WorldSize);
            using var signals = new RankSignals();
            var request = new RankRequest
            {
                Spec = spec, SpecYaml = yaml, RunDirectory = options.Out, Ring = ring, RunLabel = spec.Name,
                Resume = options.Resume is { } resume ? new ResumePoint(resume) : null,
            };
            using var host = RankHost.Open(request, Console.WriteLine, meter);
            Console.WriteLine($"{spec.Name}: {SpecName.Of(spec.Model.Name)} on {SpecName.Of(spec.Dataset.Kind)}, batch {spec.BatchSize}, {spec.Steps} steps, device {host.Device}, {TorchSharp.torch.get_num_threads()} thread(s), rank {host.Rank} of {host.WorldSize} → {options.Out}");
            var result = host.Train(new Lines(), signals.Token);
            foreach (var line in result.SummaryLines())
                Console.WriteLine(line);
            return result.Outcome switch
            {
                LoopOutcome.Completed => ExitCodes.Success,
                LoopOutcome.Cancelled => ExitCodes.Cancelled,
                _ => Fail("diverged", $"training diverged at step {result.Step} (a loss, D output or parameter became NaN or infinite)", ExitCodes.Diverged),
            };
        }
        catch (Exception e) when (RankFailure.Classify(e) is { } failure)
        {
            return Fail(failure.Category, e.Message, failure.ExitCode);
        }
    }

    private static int Fail(string category, string message, int code)
    {
        Console.WriteLine($"error ({category}): {message}");
        return code;
    }

    /// <summary>One line per report and checkpoint: the launcher shows rank 0's and keeps every rank's in its log.</summary>
    private sealed class Lines : ITrainingObserver
    {
        private long _total;

        public void OnStarted(long fromStep, long totalSteps)
        {
            _total = totalSteps;
            if (fromStep > 0)
                Console.WriteLine($"resuming at step {fromStep}");
        }

        public void OnReport(HealthRecord record, long totalSteps) => Console.WriteLine(ReportLine.Format(record, _total));

        public void OnCheckpoint(CheckpointWritten checkpoint) => Console.WriteLine($"checkpoint {checkpoint.Path} (sha256 {checkpoint.Sha256[..12]}…)");

        public void OnSamples(long step, string path) => Console.WriteLine($"samples {path}");
    }
}
