using System.Diagnostics;
using System.Text.Json.Nodes;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace GanCluster.Deploy.Tests;

/// <summary>The repository these tests ship from, the shared schemas beside it, and the tools they run (promtool, kubectl).</summary>
internal static class Repository
{
    public static readonly string Root = FindRoot();

    public static string Deploy(params string[] parts) => Path.Combine([Root, "deploy", .. parts]);

    /// <summary>../shared/schemas: the tests fail, and say why, when it is missing.</summary>
    public static string Schemas(params string[] parts)
    {
        var folder = Path.GetFullPath(Path.Combine(Root, "..", "shared", "schemas"));
        Assert.True(Directory.Exists(folder), $"the shared schemas are missing: {folder} (see ../shared/DATA.md)");
        return Path.Combine([folder, .. parts]);
    }

    private static readonly Dictionary<string, Json.Schema.JsonSchema> Loaded = [];

    /// <summary>Kubernetes' schemas carry OpenAPI extensions (x-kubernetes-*), which JSON Schema allows as annotations.</summary>
    private static readonly Json.Schema.BuildOptions Build = new()
    {
        Dialect = Json.Schema.DialectExtensions.With(Json.Schema.Dialect.Draft07, [], Json.Schema.Dialect.Draft07.Id, null, allowUnknownKeywords: true),
    };

    /// <summary>A schema file, loaded once (JsonSchema.Net registers every schema it loads by its id).</summary>
    public static Json.Schema.JsonSchema Schema(string path)
    {
        lock (Loaded)
        {
            if (!Loaded.TryGetValue(path, out var schema))
            {
                // Read as draft-07 whatever meta-schema it names (some name the unversioned http://json-schema.org/schema#).
                var text = JsonNode.Parse(File.ReadAllText(path))!.AsObject();
                text.Remove("$schema");
                Loaded[path] = schema = Json.Schema.JsonSchema.FromText(text.ToJsonString(), Build, new Uri(path));
            }
            return schema;
        }
    }

    /// <summary>Whether to rewrite the files that are generated from others (GANCLUSTER_UPDATE_DEPLOY=1), instead of failing when they differ.</summary>
    public static bool Updating => Environment.GetEnvironmentVariable("GANCLUSTER_UPDATE_DEPLOY") == "1";

    /// <summary>Runs a tool to its end; a missing one fails the test with what installs it.</summary>
    public static (int ExitCode, string Output) Run(string tool, string installedBy, string workingDirectory, params string[] arguments) =>
        Run(tool, installedBy, workingDirectory, TimeSpan.FromMinutes(2), arguments);

    public static (int ExitCode, string Output) Run(string tool, string installedBy, string workingDirectory, TimeSpan patience, params string[] arguments)
    {
        var path = Environment.GetEnvironmentVariable("PATH")!.Split(':').Select(d => Path.Combine(d, tool)).FirstOrDefault(File.Exists);
        Assert.True(path is not null, $"{tool} is not installed: {installedBy}");
        var start = new ProcessStartInfo(path!) { WorkingDirectory = workingDirectory, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments)
            start.ArgumentList.Add(argument);
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(patience))
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"{tool} {string.Join(' ', arguments)} did not finish within {patience.TotalMinutes:0.#} minutes");
        }
        return (process.ExitCode, stdout.Result + stderr.Result);
    }

    /// <summary>Every document of a YAML stream as JSON, with plain scalars typed as YAML 1.2's core schema types them.</summary>
    public static IReadOnlyList<JsonNode> YamlDocuments(string yaml)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(yaml));
        return [.. stream.Documents.Select(d => ToJson(d.RootNode)!)];
    }

    private static JsonNode? ToJson(YamlNode node) => node switch
    {
        YamlMappingNode map => new JsonObject(map.Children.Select(c => KeyValuePair.Create(((YamlScalarNode)c.Key).Value!, ToJson(c.Value)))),
        YamlSequenceNode list => new JsonArray([.. list.Children.Select(ToJson)]),
        YamlScalarNode { Style: ScalarStyle.Plain } plain => Plain(plain.Value ?? ""),
        YamlScalarNode scalar => JsonValue.Create(scalar.Value),
        _ => throw new InvalidDataException($"unexpected YAML node {node.NodeType}"),
    };

    private static JsonNode? Plain(string text) => text switch
    {
        "" or "~" or "null" => null,
        "true" => JsonValue.Create(true),
        "false" => JsonValue.Create(false),
        _ when long.TryParse(text, out var integer) => JsonValue.Create(integer),
        _ when text.StartsWith("0o", StringComparison.Ordinal) => JsonValue.Create(Convert.ToInt64(text[2..], 8)),
        _ when double.TryParse(text, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var real) && !text.Contains(':') => JsonValue.Create(real),
        _ => JsonValue.Create(text),
    };

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "GanCluster.sln")))
                return dir.FullName;
        }
        throw new InvalidOperationException("GanCluster.sln not found above " + AppContext.BaseDirectory);
    }
}
