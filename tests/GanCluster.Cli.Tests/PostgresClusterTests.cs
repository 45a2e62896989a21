using System.Text.Json;
using System.Text.RegularExpressions;
using static GanCluster.Cli.Tests.LocalClusterTests;

namespace GanCluster.Cli.Tests;

/// <summary>
/// The production layout on loopback: two silos sharing a real PostgreSQL server (membership, grain state and
/// reminders through the Orleans ADO.NET providers), three workers, and the silo that holds a running run killed.
/// </summary>
public sealed class PostgresClusterTests
{
    private const string ToyYaml = """
        name: pg-toy
        seed: 6
        steps: 3000
        batch_size: 64
        threads: 1
        model: { name: toy, hidden: 32 }
        dataset: { kind: ring8 }
        report_every: 50
        checkpoint_every: 500
        health: { eval_every: 0 }
        """;

    [Fact]
    public void With_two_silos_on_postgres_killing_the_silo_that_holds_a_run_loses_no_run()
    {
        using var postgres = PostgresServer.Start();
        var dir = CliProcess.NewDirectory();
        var cluster = Path.Combine(dir, "cluster");
        var connection = postgres.WriteConnectionFile(dir);
        var spec = CliProcess.WriteSpec(dir, ToyYaml);
        var queued = CliProcess.WriteSpec(dir, ToyYaml.Replace("name: pg-toy", "name: pg-queued").Replace("steps: 3000", "steps: 300"), "queued.yaml");
        var up = CliProcess.Run(dir, "up", "--silos", "2", "--workers", "3", "--threads", "1", "--postgres-file", connection, "--cluster", cluster);
        Assert.True(up.ExitCode == 0, up.ToString());
        try
        {
            JsonElement Show(string id) => Json(CliProcess.Run(dir, "run", "show", id, "--cluster", cluster, "--output", "json"));
            var running = Json(CliProcess.Run(dir, "run", "submit", spec, "--world-size", "2", "--cluster", cluster, "--output", "json")).GetProperty("id").GetString()!;
            // Two of the three workers are busy, so this one waits in the queue across the failover.
            var waiting = Json(CliProcess.Run(dir, "run", "submit", queued, "--world-size", "2", "--cluster", cluster, "--output", "json")).GetProperty("id").GetString()!;
            WaitUntil(() => Show(running) is var s && s.GetProperty("state").GetString() == "RUN_STATE_RUNNING" && long.Parse(s.GetProperty("step").GetString()!) > 0, "the run to make progress");
            Assert.Equal("RUN_STATE_PENDING", Show(waiting).GetProperty("state").GetString());
            var before = Show(running);
            var eventsBefore = before.GetProperty("events").GetArrayLength();

            // Kill the silo whose activation holds the running run (the silo address names its silo port).
            var holder = before.GetProperty("silo").GetString()!;
            var processes = ClusterProcesses.Read(cluster);
            Assert.Equal(2, processes.Silos.Count);
            var victim = processes.Silos.Single(s => Regex.IsMatch(holder, $@":{s.SiloPort}\b"));
            var survivor = processes.Silos.Single(s => s != victim);
            ClusterProcesses.Kill(victim);

            // The CLI now talks to the surviving silo; the run's grain reactivates there from PostgreSQL.
            WaitUntil(() => Show(running).GetProperty("state").GetString() is "RUN_STATE_COMPLETED" or "RUN_STATE_FAILED" or "RUN_STATE_CANCELLED", "the run to end after the failover", TimeSpan.FromMinutes(3));
            var after = Show(running);
            Assert.Equal("RUN_STATE_COMPLETED", after.GetProperty("state").GetString());
            Assert.Matches($@":{survivor.SiloPort}\b", after.GetProperty("silo").GetString()!);
            var texts = after.GetProperty("events").EnumerateArray().Select(e => e.GetProperty("text").GetString()!).ToList();
            Assert.True(texts.Count >= eventsBefore, $"history lost: {eventsBefore} events before the kill, {texts.Count} after");
            Assert.StartsWith("submitted", texts[0]);
            Assert.EndsWith("step-00003000.gck", after.GetProperty("checkpoint").GetProperty("path").GetString());

            // The queued run was not lost either: it is scheduled once the workers are free, and completes.
            WaitUntil(() => Show(waiting).GetProperty("state").GetString() is "RUN_STATE_COMPLETED" or "RUN_STATE_FAILED" or "RUN_STATE_CANCELLED", "the queued run to end", TimeSpan.FromMinutes(2));
            Assert.Equal("RUN_STATE_COMPLETED", Show(waiting).GetProperty("state").GetString());
            var list = Json(CliProcess.Run(dir, "run", "list", "--cluster", cluster, "--output", "json"));
            Assert.Equal([running, waiting], list.GetProperty("runs").EnumerateArray().Select(r => r.GetProperty("id").GetString()));
        }
        finally
        {
            var down = CliProcess.Run(dir, "down", "--cluster", cluster);
            Assert.True(down.ExitCode == 0, down.ToString());
        }
    }
}
