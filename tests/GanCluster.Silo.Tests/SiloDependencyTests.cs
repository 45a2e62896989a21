namespace GanCluster.Silo.Tests;

public sealed class SiloDependencyTests
{
    /// <summary>The silo validates specs through GanCluster.Specs alone: no libtorch ships with it.</summary>
    [Fact]
    public void The_silo_build_output_holds_no_libtorch()
    {
        var output = Path.GetDirectoryName(typeof(SiloOptions).Assembly.Location)!;
        var torch = Directory.EnumerateFiles(output, "*", SearchOption.AllDirectories)
            .Select(Path.GetFileName)
            .Where(name => name!.Contains("torch", StringComparison.OrdinalIgnoreCase))
            .ToList();
        Assert.True(File.Exists(Path.Combine(output, "GanCluster.Specs.dll")), "the silo ships the spec library");
        Assert.Empty(torch);
    }
}
