using System.Diagnostics;
using GanCluster.Training.Models.AntiCollapse;
using static TorchSharp.torch;

namespace GanCluster.Bench;

/// <summary>
/// Minibatch discrimination's two ways to its L1 distances, alternating round by round on one thread: <c>cdist</c> (D
/// differentiated once) against the written-out differences (a gradient penalty differentiates D twice). Forward and
/// backward of one layer on a [rows, features] batch, as D's last layer sees it.
/// </summary>
internal static class MinibatchDistances
{
    public static int Run(int rounds, int rows, int kernels, int dims)
    {
        set_num_threads(1);
        manual_seed(1);
        const int Features = 256;
        using var once = new MinibatchDiscrimination(Features, kernels, dims, differentiatedTwice: false);
        using var twice = new MinibatchDiscrimination(Features, kernels, dims, differentiatedTwice: true);
        twice.load_state_dict(once.state_dict());
        var input = randn(rows, Features);
        Console.WriteLine($"minibatch discrimination, {rows} rows, {kernels} kernels × {dims} dims, 1 thread, {rounds} rounds of 5 passes");
        Console.WriteLine("| round | cdist fwd ms | cdist fwd+bwd ms | written-out fwd ms | written-out fwd+bwd ms | fwd+bwd ratio |");
        Console.WriteLine("|---|---|---|---|---|---|");
        Time(once, input, 1);
        Time(twice, input, 1);
        var ratios = new List<double>();
        for (var r = 1; r <= rounds; r++)
        {
            var (f1, b1) = Time(once, input, 5);
            var (f2, b2) = Time(twice, input, 5);
            ratios.Add(b2 / b1);
            Console.WriteLine($"| {r} | {f1:F1} | {b1:F1} | {f2:F1} | {b2:F1} | {b2 / b1:F2}× |");
        }
        ratios.Sort();
        Console.WriteLine($"median: cdist is {ratios[ratios.Count / 2]:F2}× faster forward and backward");
        return 0;
    }

    /// <summary>Mean milliseconds of the forward pass, and of forward and backward together.</summary>
    private static (double Forward, double Both) Time(MinibatchDiscrimination layer, Tensor rows, int passes)
    {
        var (forward, both) = (0.0, 0.0);
        for (var i = 0; i < passes; i++)
        {
            using var scope = NewDisposeScope();
            var x = rows.clone().requires_grad_(true);
            var clock = Stopwatch.StartNew();
            var y = layer.forward(x);
            forward += clock.Elapsed.TotalMilliseconds;
            y.pow(2).sum().backward();
            both += clock.Elapsed.TotalMilliseconds;
            layer.zero_grad();
        }
        return (forward / passes, both / passes);
    }
}
