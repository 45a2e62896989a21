using System.ComponentModel.DataAnnotations;

namespace GanCluster.Hosting.Tests;

/// <summary>The shape of the worker's own options: an id and a thread count that must be positive.</summary>
public sealed class TestWorkerOptions
{
    public string Id { get; set; } = "unnamed";

    [Range(1, int.MaxValue)]
    public int Threads { get; set; } = 1;
}
