using System.Text.Json.Nodes;

namespace GanCluster.Deploy.Tests;

/// <summary>deploy/prometheus/rules.yaml: valid for Prometheus, every alert fires on its failing series and not on its healthy twin, and the PrometheusRule ships the same rules.</summary>
public sealed class RulesTests
{
    private const string Install = "scripts/setup.sh --prometheus installs Debian's prometheus, which has promtool";

    [Fact]
    public void Promtool_accepts_the_rules()
    {
        var (code, output) = Repository.Run("promtool", Install, Repository.Deploy("prometheus"), "check", "rules", "rules.yaml");
        Assert.True(code == 0, output);
        Assert.Contains("SUCCESS: 9 rules found", output);
    }

    [Fact]
    public void Every_alert_fires_on_its_input_series_and_stays_silent_on_the_healthy_ones()
    {
        var (code, output) = Repository.Run("promtool", Install, Repository.Deploy("prometheus"), "test", "rules", "rules.test.yaml");
        Assert.True(code == 0, output);
        // Every alert of the file is tested, firing and not firing.
        var tests = File.ReadAllText(Repository.Deploy("prometheus", "rules.test.yaml"));
        foreach (var alert in Alerts())
        {
            Assert.True(tests.Contains($"alertname: {alert}\n        exp_alerts: []", StringComparison.Ordinal), $"{alert} has no test where it stays silent");
            Assert.True(tests.Contains($"alertname: {alert}\n        exp_alerts:\n          - exp_labels", StringComparison.Ordinal), $"{alert} has no test where it fires");
        }
    }

    [Fact]
    public void Every_alert_has_a_summary_a_description_naming_what_it_is_about_and_a_runbook_in_the_readme()
    {
        var readme = File.ReadAllText(Path.Combine(Repository.Root, "README.md"));
        foreach (var rule in Rules().Where(r => r["alert"] is not null))
        {
            var name = rule["alert"]!.GetValue<string>();
            var annotations = rule["annotations"]!.AsObject();
            Assert.False(string.IsNullOrWhiteSpace(annotations["summary"]?.GetValue<string>()), $"{name}: no summary");
            Assert.Matches(@"\{\{ \$labels\.(run|instance) \}\}|\{\{ \$value \}\}", annotations["description"]!.GetValue<string>());
            var runbook = annotations["runbook"]!.GetValue<string>();
            var anchor = System.Text.RegularExpressions.Regex.Match(runbook, @"README\.md#([a-z0-9-]+)").Groups[1].Value;
            Assert.True(anchor.Length > 0, $"{name}: its runbook names no README section");
            Assert.True(readme.Contains($"<a id=\"{anchor}\"></a>", StringComparison.Ordinal), $"{name}: README.md has no runbook entry #{anchor}");
        }
    }

    [Fact]
    public void The_PrometheusRule_object_ships_exactly_the_rules_file()
    {
        var rules = File.ReadAllText(Repository.Deploy("prometheus", "rules.yaml"));
        var expected = "# Generated from deploy/prometheus/rules.yaml by tests/GanCluster.Deploy.Tests (GANCLUSTER_UPDATE_DEPLOY=1 rewrites it).\n" +
            "apiVersion: monitoring.coreos.com/v1\nkind: PrometheusRule\nmetadata:\n  name: gancluster\n  labels:\n    app.kubernetes.io/name: gancluster-rules\nspec:\n" +
            string.Join("\n", rules.Split('\n').SkipWhile(l => l.StartsWith('#')).Select(l => l.Length == 0 ? l : "  " + l));
        var path = Repository.Deploy("k8s", "base", "prometheus-rule.yaml");
        if (Repository.Updating)
            File.WriteAllText(path, expected);
        Assert.True(File.ReadAllText(path) == expected, $"{path} is not rules.yaml: run the deploy tests with GANCLUSTER_UPDATE_DEPLOY=1");
        var shipped = Repository.YamlDocuments(File.ReadAllText(path)).Single()["spec"]!;
        Assert.True(JsonNode.DeepEquals(Repository.YamlDocuments(rules).Single(), shipped));
    }

    internal static IEnumerable<JsonNode> Rules() =>
        Repository.YamlDocuments(File.ReadAllText(Repository.Deploy("prometheus", "rules.yaml"))).Single()["groups"]!.AsArray()
            .SelectMany(g => g!["rules"]!.AsArray()).Select(r => r!);

    private static IEnumerable<string> Alerts() => Rules().Where(r => r["alert"] is not null).Select(r => r["alert"]!.GetValue<string>());
}
