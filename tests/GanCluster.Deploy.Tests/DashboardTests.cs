using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Json.Schema;

namespace GanCluster.Deploy.Tests;

/// <summary>
/// deploy/grafana/*.json: valid Grafana dashboard models, with a data-source variable, the variables their queries
/// use, and unique panel ids; shipped as ConfigMaps for the Grafana sidecar. That every query returns data from a
/// real Prometheus scraping a real cluster is tested in GanCluster.Cli.Tests (DashboardQueryTests).
/// </summary>
public sealed partial class DashboardTests
{
    public static TheoryData<string> Dashboards => [.. Names()];

    [Theory]
    [MemberData(nameof(Dashboards))]
    public void The_dashboard_validates_against_the_Grafana_schema(string name)
    {
        var schema = Repository.Schema(Repository.Schemas("grafana", "dashboard.jsonschema.json"));
        var result = schema.Evaluate(System.Text.Json.JsonSerializer.SerializeToElement(Dashboard(name)), new EvaluationOptions { OutputFormat = OutputFormat.List });
        Assert.True(result.IsValid, $"{name}.json: " + string.Join("; ", Errors(result).Take(10)));
    }

    [Theory]
    [MemberData(nameof(Dashboards))]
    public void Panel_ids_are_unique_and_every_variable_a_query_names_is_defined(string name)
    {
        var dashboard = Dashboard(name);
        var ids = Panels(dashboard).Select(p => p["id"]!.GetValue<int>()).ToList();
        Assert.Equal(ids.Count, ids.Distinct().Count());
        var variables = dashboard["templating"]!["list"]!.AsArray().Select(v => v!["name"]!.GetValue<string>()).ToHashSet();
        Assert.Contains("datasource", variables);
        Assert.All(Panels(dashboard).Where(p => p["type"]!.GetValue<string>() != "row"), p => Assert.Equal("${datasource}", p["datasource"]!["uid"]!.GetValue<string>()));
        foreach (var expr in Queries(dashboard))
        {
            foreach (Match used in Variable().Matches(expr))
                Assert.True(used.Groups[1].Value.StartsWith("__", StringComparison.Ordinal) || variables.Contains(used.Groups[1].Value), $"{name}: '{expr}' uses ${used.Groups[1].Value}, which the dashboard does not define");
        }
        var expected = name switch { "run-health" => "run", "sweep" => "sweep", "data-plane" => "run", _ => null };
        if (expected is not null)
            Assert.Contains(expected, variables);
    }

    [Fact]
    public void The_dashboards_cover_what_the_operations_issue_names()
    {
        var titles = Names().ToDictionary(n => n, n => string.Join(" | ", Panels(Dashboard(n)).Select(p => p["title"]!.GetValue<string>())));
        foreach (var panel in new[] { "Workers by device and state", "Queue and pending ranks", "Runs by state", "API latency", "API errors", "Grain activations", "Messages per second" })
            Assert.Contains(panel, titles["cluster"]);
        foreach (var panel in new[] { "D and G losses", "D(x) and D(G(z))", "Gradient norms", "Diversity ratio", "Loss oscillation", "Oscillation period", "Modes or classes covered", "Fréchet distance", "Precision and recall", "Verdict over time", "Verdict dimensions", "Best quality so far", "Steps per second" })
            Assert.Contains(panel, titles["run-health"]);
        foreach (var panel in new[] { "Score of every trial against steps", "Best so far", "Trials by state" })
            Assert.Contains(panel, titles["sweep"]);
        foreach (var panel in new[] { "Step time", "All-reduce bandwidth", "All-reduce latency", "Exposed communication time", "Checkpoint writes" })
            Assert.Contains(panel, titles["data-plane"]);
        // ASHA stops and PBT exploits are the sweep dashboard's annotations.
        Assert.Contains(Dashboard("sweep")["annotations"]!["list"]!.AsArray(), a => a!["expr"]?.GetValue<string>().Contains("gancluster_sweep_decisions_total") == true);
    }

    [Fact]
    public void The_dashboards_ship_as_ConfigMaps_for_the_Grafana_sidecar()
    {
        var expected = "# Generated from deploy/grafana/*.json by tests/GanCluster.Deploy.Tests (GANCLUSTER_UPDATE_DEPLOY=1 rewrites it).\n" +
            "# The Grafana sidecar (grafana_dashboard: \"1\") loads every dashboard in them.\n" +
            string.Join("---\n", Names().Select(n =>
                $"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: gancluster-dashboard-{n}\n  labels:\n    grafana_dashboard: \"1\"\n  annotations:\n    grafana_folder: GanCluster\ndata:\n  {n}.json: |-\n" +
                string.Join("\n", File.ReadAllText(Repository.Deploy("grafana", $"{n}.json")).TrimEnd('\n').Split('\n').Select(l => "    " + l)) + "\n"));
        var path = Repository.Deploy("k8s", "base", "grafana-dashboards.yaml");
        if (Repository.Updating)
            File.WriteAllText(path, expected);
        Assert.True(File.ReadAllText(path) == expected, $"{path} is not deploy/grafana/*.json: run the deploy tests with GANCLUSTER_UPDATE_DEPLOY=1");
        var maps = Repository.YamlDocuments(File.ReadAllText(path));
        Assert.Equal(Names().Count(), maps.Count);
        foreach (var (map, name) in maps.Zip(Names()))
            Assert.True(JsonNode.DeepEquals(Dashboard(name), JsonNode.Parse(map["data"]![$"{name}.json"]!.GetValue<string>())));
    }

    internal static IEnumerable<string> Names() => Directory.GetFiles(Repository.Deploy("grafana"), "*.json").Select(f => Path.GetFileNameWithoutExtension(f)!).Order(StringComparer.Ordinal);

    internal static JsonNode Dashboard(string name) => JsonNode.Parse(File.ReadAllText(Repository.Deploy("grafana", $"{name}.json")))!;

    internal static IEnumerable<JsonNode> Panels(JsonNode dashboard) =>
        dashboard["panels"]!.AsArray().SelectMany(p => new[] { p! }.Concat(p!["panels"]?.AsArray().Select(x => x!) ?? []));

    /// <summary>Every PromQL expression: panel targets, variable queries and annotations.</summary>
    internal static IEnumerable<string> Queries(JsonNode dashboard) =>
        Panels(dashboard).SelectMany(p => p["targets"]?.AsArray().Select(t => t!["expr"]!.GetValue<string>()) ?? [])
            .Concat(dashboard["annotations"]!["list"]!.AsArray().Where(a => a!["expr"] is not null).Select(a => a!["expr"]!.GetValue<string>()))
            .Concat(dashboard["templating"]!["list"]!.AsArray().Where(v => v!["type"]!.GetValue<string>() == "query").Select(v => v!["query"]!.GetValue<string>()));

    internal static IEnumerable<string> Errors(EvaluationResults result) =>
        (result.Details ?? []).Where(d => d.Errors is { Count: > 0 }).SelectMany(d => d.Errors!.Select(e => $"{d.InstanceLocation}: {e.Value}"));

    [GeneratedRegex(@"\$\{?([A-Za-z_][A-Za-z0-9_]*)")]
    private static partial Regex Variable();
}
