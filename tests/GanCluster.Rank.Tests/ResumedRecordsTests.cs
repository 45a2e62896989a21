using System.Text.Json.Nodes;
using GanCluster.Specs;
using GanCluster.Training.Checkpoints;
using GanCluster.Training.Runtime;

namespace GanCluster.Rank.Tests;

/// <summary>
/// A run that crashed after a checkpoint and was resumed from it leaves the same metrics.jsonl as one that never
/// stopped: each step once, with the health windows carried over in the checkpoint.
/// </summary>
public sealed class ResumedRecordsTests
{
    // Many reports per checkpoint, so the resumed records' windows reach back before the checkpoint.
    private const string Toy = """
        name: resumed-toy
        seed: 5
        steps: 30
        batch_size: 32
        threads: 1
        model: { name: toy, latent_dim: 4, hidden: 16, layers: 2 }
        dataset: { kind: ring8 }
        report_every: 2
        checkpoint_every: 10
        health: { window: 8, eval_every: 10, eval_samples: 200 }
        """;

    /// <summary>Fields a resumed run must reproduce even without the health windows: what the trainer reports.</summary>
    private static readonly string[] ReportFields = ["run", "rank", "step", "d_loss", "g_loss", "d_real", "d_fake", "d_grad_norm", "g_grad_norm", "diversity_ratio", "diverged"];

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private sealed class Quiet : ITrainingObserver;

    private static string NewDirectory() => Path.Combine(Path.GetTempPath(), "gancluster-rank-tests", Guid.NewGuid().ToString("N"));

    private static void Train(string directory, ResumePoint? resume = null, List<string>? said = null)
    {
        var (spec, yaml) = RunSpecLoader.LoadText(Toy, "test.yaml");
        var request = new RankRequest { Spec = spec, SpecYaml = yaml, RunDirectory = directory, RunLabel = "resumed", Resume = resume };
        using var host = RankHost.Open(request, line => said?.Add(line), null, Ct);
        Assert.Equal(LoopOutcome.Completed, host.Train(new Quiet(), Ct).Outcome);
    }

    /// <summary>metrics.jsonl's records without the one field that is wall-clock time.</summary>
    private static List<JsonObject> Records(string directory) =>
        File.ReadAllLines(new RunDirectory(directory).MetricsFile).Select(line =>
        {
            var record = JsonNode.Parse(line)!.AsObject();
            record.Remove("steps_per_second");
            return record;
        }).ToList();

    private static JsonObject Only(JsonObject record, string[] fields) => new(fields.Select(f => KeyValuePair.Create(f, record[f]?.DeepClone())));

    /// <summary>A run that reached step 30, then "crashed" back to its step-10 checkpoint with a torn record at the end of its metrics.</summary>
    private static string CrashedAfterCheckpoint()
    {
        var dir = NewDirectory();
        Train(dir);
        File.AppendAllText(new RunDirectory(dir).MetricsFile, """{"run":"resumed","rank":0,"step":3""");
        return dir;
    }

    [Fact]
    public void A_resumed_run_holds_each_step_once_as_the_uninterrupted_run_does()
    {
        var straight = NewDirectory();
        Train(straight);
        var crashed = CrashedAfterCheckpoint();
        Train(crashed, new ResumePoint(new RunDirectory(crashed).CheckpointFor(10)));

        var steps = Records(crashed).Select(r => (long)r["step"]!).ToList();
        Assert.Equal(Enumerable.Range(1, 15).Select(i => 2L * i), steps);
        Assert.Equal(Records(straight).Select(r => Only(r, ReportFields).ToJsonString()), Records(crashed).Select(r => Only(r, ReportFields).ToJsonString()));
        Assert.Empty(Directory.GetFiles(crashed, "*.tmp"));
    }

    [Fact]
    public void A_resumed_runs_health_records_equal_the_uninterrupted_runs()
    {
        var straight = NewDirectory();
        Train(straight);
        var crashed = CrashedAfterCheckpoint();
        var said = new List<string>();
        Train(crashed, new ResumePoint(new RunDirectory(crashed).CheckpointFor(10)), said);

        // Oscillation windows, collapse medians and the latest evaluation all continue from the checkpoint.
        Assert.Equal(Records(straight).Select(r => r.ToJsonString()), Records(crashed).Select(r => r.ToJsonString()));
        Assert.DoesNotContain(said, line => line.Contains("health", StringComparison.Ordinal));
    }

    [Fact]
    public void A_checkpoint_without_health_windows_still_resumes_with_them_empty_and_says_so()
    {
        var dir = NewDirectory();
        Train(dir);
        var path = new RunDirectory(dir).CheckpointFor(10);
        var old = CheckpointFile.Read(path);
        CheckpointFile.Write(path, old with { Entries = old.Entries.Where(e => e.Network != "health").ToList() });
        var said = new List<string>();
        Train(dir, new ResumePoint(path), said);
        Assert.Contains(said, line => line.Contains("no health windows", StringComparison.Ordinal));
        Assert.Equal(15, Records(dir).Count);
    }
}
