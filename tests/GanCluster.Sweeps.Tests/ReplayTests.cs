using GanCluster.Specs.Sweeps;
using static GanCluster.Sweeps.Tests.TestSweeps;

namespace GanCluster.Sweeps.Tests;

public sealed class ReplayTests
{
    private abstract record Input;

    private sealed record NextInput : Input;

    private sealed record ObserveInput(int Trial, long Step, double Value) : Input;

    private sealed record EndedInput(int Trial, TrialEnd End) : Input;

    private static readonly SweepParameter[] Space =
    [
        Parameter("optimizers.g.lr", new LogUniformDomain(1e-5, 1e-2)),
        Parameter("loss.kind", new ChoiceDomain(["hinge", "wgan-gp"])),
        Parameter("model.hidden", new IntDomain(32, 512, 32)),
    ];

    public static TheoryData<string> Algorithms => ["grid", "random", "tpe", "asha", "asha+tpe", "pbt"];

    private static SweepSpec SpecFor(string name)
    {
        SearchAlgorithm algorithm = name switch
        {
            "grid" => new GridSearch(),
            "random" => new RandomSearch(),
            "tpe" => new TpeSearch(StartupTrials: 4),
            "asha" => new AshaSearch(GraceSteps: 100, Eta: 3),
            "pbt" => new PbtSearch(IntervalSteps: 200, PopulationSize: 6),
            _ => new AshaSearch(GraceSteps: 100, Eta: 3, MeanOfLast: 2, Sampler: new TpeSearch(StartupTrials: 4)),
        };
        var space = name == "grid"
            ? [Parameter("loss.kind", new ChoiceDomain(["hinge", "wgan-gp", "least-squares"])), Parameter("batch_size", new GridDomain(["64", "128", "256"]))]
            : Space;
        return Spec(algorithm, space, seeds: [1, 2], maxTrials: 18, steps: 1000, seed: 21);
    }

    /// <summary>
    /// Drives an algorithm as the sweep grain would, with up to three trials running at a time, metrics from a
    /// pseudo-random stream (NaN and collapses included), and records every input and every output.
    /// </summary>
    private static (List<Input> Inputs, List<string> Outputs) Drive(ISweepAlgorithm sweep)
    {
        var inputs = new List<Input>();
        var outputs = new List<string>();
        var running = new List<(int Trial, long Step)>();
        var noise = new Random(5);
        for (var round = 0; round < 500 && !sweep.Finished; round++)
        {
            while (running.Count < 3)
            {
                inputs.Add(new NextInput());
                var t = sweep.Next();
                outputs.Add(t is null ? "none" : Describe(t));
                if (t is null)
                    break;
                running.Add((t.Trial, 0));
            }
            if (running.Count == 0)
                break;
            var i = noise.Next(running.Count);
            var (trial, step) = running[i];
            step += 100;
            var value = noise.Next(20) == 0 ? double.NaN : noise.NextDouble() * 10 / (1 + step / 500.0);
            inputs.Add(new ObserveInput(trial, step, value));
            var decision = sweep.Observe(trial, step, value);
            outputs.Add(decision.ToString());
            TrialEnd? end = decision is TrialDecision.Stop ? TrialEnd.Stopped
                : step >= 1000 ? TrialEnd.Completed
                : noise.Next(40) == 0 ? TrialEnd.Collapsed
                : null;
            if (end is { } e)
            {
                inputs.Add(new EndedInput(trial, e));
                sweep.Ended(trial, e);
                running.RemoveAt(i);
            }
            else
                running[i] = (trial, step);
        }
        return (inputs, outputs);
    }

    private static List<string> Replay(ISweepAlgorithm sweep, IEnumerable<Input> inputs)
    {
        var outputs = new List<string>();
        foreach (var input in inputs)
        {
            switch (input)
            {
                case NextInput:
                    outputs.Add(sweep.Next() is { } t ? Describe(t) : "none");
                    break;
                case ObserveInput o:
                    outputs.Add(sweep.Observe(o.Trial, o.Step, o.Value).ToString());
                    break;
                case EndedInput e:
                    sweep.Ended(e.Trial, e.End);
                    break;
            }
        }
        return outputs;
    }

    [Theory]
    [MemberData(nameof(Algorithms))]
    public void Replaying_the_same_inputs_into_a_fresh_instance_gives_identical_decisions(string algorithm)
    {
        var spec = SpecFor(algorithm);
        var original = SweepAlgorithms.Create(spec);
        var (inputs, outputs) = Drive(original);
        Assert.True(original.Finished, "the scripted sweep did not finish");
        Assert.Contains(outputs, o => o.StartsWith('#'));

        var replayed = SweepAlgorithms.Create(spec);
        Assert.Equal(outputs, Replay(replayed, inputs));
        Assert.True(replayed.Finished);
        if (algorithm.StartsWith("asha"))
            Assert.Contains(outputs, o => o.StartsWith("Stop"));
        if (algorithm == "pbt")
            Assert.Contains(outputs, o => o.StartsWith("Exploit"));
    }
}
