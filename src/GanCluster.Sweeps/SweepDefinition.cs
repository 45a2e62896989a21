using GanCluster.Specs;
using GanCluster.Specs.Sweeps;
using YamlDotNet.RepresentationModel;

namespace GanCluster.Sweeps;

/// <summary>
/// A sweep as it travels from the CLI to the silo: the sweep file's text, and the text of the base run spec when
/// the file names it by path (the silo cannot read the user's files). Both ends read it through here.
/// </summary>
public static class SweepDefinition
{
    /// <summary>The sweep, with a base named by path replaced by <paramref name="baseYaml"/>; a <see cref="SpecException"/> names what is wrong.</summary>
    public static SweepSpec Parse(string sweepYaml, string? baseYaml, string file)
    {
        if (baseYaml is null)
            return SweepSpecLoader.LoadText(sweepYaml, file, baseDirectory: null);
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(sweepYaml));
        }
        catch (YamlDotNet.Core.YamlException)
        {
            return SweepSpecLoader.LoadText(sweepYaml, file, baseDirectory: null);
        }
        if (stream.Documents.Count != 1 || stream.Documents[0].RootNode is not YamlMappingNode root
            || !root.Children.TryGetValue(new YamlScalarNode("base"), out var node) || node is not YamlScalarNode)
            return SweepSpecLoader.LoadText(sweepYaml, file, baseDirectory: null);
        var baseStream = new YamlStream();
        try
        {
            baseStream.Load(new StringReader(baseYaml));
        }
        catch (YamlDotNet.Core.YamlException e)
        {
            throw new SpecException(file, "base", (int)e.Start.Line, "a run spec", e.InnerException?.Message ?? e.Message);
        }
        root.Children[new YamlScalarNode("base")] = baseStream.Documents.Count == 1 ? baseStream.Documents[0].RootNode : new YamlScalarNode("");
        var inlined = new StringWriter();
        stream.Save(inlined, assignAnchors: false);
        return SweepSpecLoader.LoadText(inlined.ToString(), file, baseDirectory: null);
    }

    /// <summary>The text of the run spec that a sweep file's <c>base:</c> names by path (relative to the sweep file), or null for an inline base.</summary>
    public static string? ReadBaseFile(string sweepFile)
    {
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(File.ReadAllText(sweepFile)));
        }
        catch (YamlDotNet.Core.YamlException)
        {
            return null;
        }
        if (stream.Documents.Count != 1 || stream.Documents[0].RootNode is not YamlMappingNode root
            || !root.Children.TryGetValue(new YamlScalarNode("base"), out var node) || node is not YamlScalarNode { Value: { Length: > 0 } relative })
            return null;
        var path = Path.GetFullPath(relative, Path.GetDirectoryName(Path.GetFullPath(sweepFile))!);
        return File.Exists(path) ? File.ReadAllText(path) : null;
    }

    /// <summary>The algorithm's name as the spec writes it.</summary>
    public static string AlgorithmName(SearchAlgorithm algorithm) => algorithm switch
    {
        GridSearch => "grid",
        RandomSearch => "random",
        TpeSearch => "tpe",
        AshaSearch { Sampler: TpeSearch } => "asha (tpe)",
        AshaSearch => "asha",
        PbtSearch { Synchronous: true } => "pbt (synchronous)",
        PbtSearch => "pbt",
        _ => algorithm.GetType().Name,
    };

    /// <summary>The trials a grid or random sweep will create, in order; null when they depend on results (ASHA, TPE, PBT).</summary>
    public static IReadOnlyList<TrialRequest>? Preview(SweepSpec spec)
    {
        if (spec.Algorithm is not (GridSearch or RandomSearch))
            return null;
        var algorithm = SweepAlgorithms.Create(spec);
        var trials = new List<TrialRequest>();
        while (algorithm.Next() is { } next)
            trials.Add(next);
        return trials;
    }
}
