using System.Runtime.InteropServices;

namespace GanCluster.Training.Checkpoints;

/// <summary>The largest absolute and relative difference between two checkpoints' parameters, per network.</summary>
public sealed record NetworkDifference(string Network, long Elements, double MaxAbsolute, double MaxRelative, bool BitwiseIdentical, IReadOnlyList<string> Mismatches);

/// <summary>Compares the float parameters and buffers of G, D and EMA in two checkpoints.</summary>
public static class CheckpointComparison
{
    public static readonly string[] Networks = ["g", "d", "ema"];

    public static IReadOnlyList<NetworkDifference> Compare(Checkpoint a, Checkpoint b)
    {
        var result = new List<NetworkDifference>();
        foreach (var network in Networks)
        {
            var left = a.Entries.Where(e => e.IsTensor && e.Network == network).ToDictionary(e => e.Name);
            var right = b.Entries.Where(e => e.IsTensor && e.Network == network).ToDictionary(e => e.Name);
            if (left.Count == 0 && right.Count == 0)
                continue;
            var mismatches = left.Keys.Except(right.Keys).Select(k => $"{k} only in the first")
                .Concat(right.Keys.Except(left.Keys).Select(k => $"{k} only in the second")).ToList();
            double maxAbs = 0, maxRel = 0;
            long elements = 0;
            var identical = mismatches.Count == 0;
            foreach (var (name, l) in left)
            {
                if (!right.TryGetValue(name, out var r))
                    continue;
                if (l.DType != r.DType || !l.Shape!.SequenceEqual(r.Shape!))
                {
                    mismatches.Add($"{name}: {l.DType}[{string.Join(',', l.Shape!)}] vs {r.DType}[{string.Join(',', r.Shape!)}]");
                    identical = false;
                    continue;
                }
                identical &= l.Data.AsSpan().SequenceEqual(r.Data);
                if (l.DType != "Float32")
                    continue;
                var x = MemoryMarshal.Cast<byte, float>(l.Data);
                var y = MemoryMarshal.Cast<byte, float>(r.Data);
                elements += x.Length;
                for (var i = 0; i < x.Length; i++)
                {
                    var diff = Math.Abs((double)x[i] - y[i]);
                    if (double.IsNaN(diff))
                        diff = float.IsNaN(x[i]) && float.IsNaN(y[i]) ? 0 : double.PositiveInfinity;
                    if (diff == 0)
                        continue;
                    maxAbs = Math.Max(maxAbs, diff);
                    maxRel = Math.Max(maxRel, diff / Math.Max(Math.Abs(x[i]), Math.Abs(y[i])));
                }
            }
            result.Add(new NetworkDifference(network, elements, maxAbs, maxRel, identical, mismatches));
        }
        return result;
    }
}
