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
        // Anything but a named base is left to the loader, which reports it with its line.
        if (baseYaml is null || Document(sweepYaml) is not { } stream || NamedBase(stream) is null)
            return SweepSpecLoader.LoadText(sweepYaml, file, baseDirectory: null);
        var baseStream = Document(baseYaml) ?? throw new SpecException(file, "base", null, "a run spec", "text that is not one YAML document");
        ((YamlMappingNode)stream.Documents[0].RootNode).Children[new YamlScalarNode("base")] = baseStream.Documents[0].RootNode;
        var inlined = new StringWriter();
        stream.Save(inlined, assignAnchors: false);
        return SweepSpecLoader.LoadText(inlined.ToString(), file, baseDirectory: null);
    }

    /// <summary>The text of the run spec that a sweep file's <c>base:</c> names by path (relative to the sweep file), or null for an inline base.</summary>
    public static string? ReadBaseFile(string sweepFile)
    {
        if (Document(File.ReadAllText(sweepFile)) is not { } stream || NamedBase(stream) is not { } relative)
            return null;
        var path = Path.GetFullPath(relative, Path.GetDirectoryName(Path.GetFullPath(sweepFile))!);
        return File.Exists(path) ? File.ReadAllText(path) : null;
    }

    /// <summary>The text as one YAML document, or null when it is not.</summary>
    private static YamlStream? Document(string yaml)
    {
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(yaml));
        }
        catch (YamlDotNet.Core.YamlException)
        {
            return null;
        }
        return stream.Documents.Count == 1 ? stream : null;
    }

    /// <summary>The file name a sweep's <c>base:</c> gives, or null when the base is inline (or absent).</summary>
    private static string? NamedBase(YamlStream sweep) =>
        sweep.Documents[0].RootNode is YamlMappingNode root && root.Children.TryGetValue(new YamlScalarNode("base"), out var node)
            && node is YamlScalarNode { Value: { Length: > 0 } name } ? name : null;

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
