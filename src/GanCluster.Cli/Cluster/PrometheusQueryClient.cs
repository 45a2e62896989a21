using System.Globalization;
using System.Text.Json;

namespace GanCluster.Cli.Cluster;

/// <summary>
/// The little of Prometheus' HTTP API that the cluster and its tests read: instant queries and the active targets,
/// plus polling until an answer satisfies a condition (a scrape lands only every interval).
/// </summary>
internal sealed class PrometheusQueryClient(string baseUrl) : IDisposable
{
    private static readonly TimeSpan PollEvery = TimeSpan.FromMilliseconds(200);
    private readonly HttpClient _http = new() { BaseAddress = new Uri(baseUrl.TrimEnd('/') + "/"), Timeout = TimeSpan.FromSeconds(10) };

    /// <summary>Evaluates PROMQL now (<c>GET /api/v1/query</c>): a vector gives one sample per series, a scalar one unlabelled sample.</summary>
    public async Task<IReadOnlyList<PrometheusSample>> QueryAsync(string promQl, CancellationToken cancellationToken = default)
    {
        using var answer = await GetAsync($"api/v1/query?query={Uri.EscapeDataString(promQl)}", promQl, cancellationToken);
        var data = answer.RootElement.GetProperty("data");
        var result = data.GetProperty("result");
        return data.GetProperty("resultType").GetString() switch
        {
            "vector" => [.. result.EnumerateArray().Select(s => new PrometheusSample(Labels(s.GetProperty("metric")), Value(s.GetProperty("value"))))],
            "scalar" => [new PrometheusSample(new Dictionary<string, string>(), Value(result))],
            var other => throw new PrometheusQueryException($"query `{promQl}` gave a {other}; only instant vectors and scalars are read"),
        };
    }

    /// <summary>
    /// Evaluates PROMQL over a time range (<c>GET /api/v1/query_range</c>), as a dashboard panel does: the labels of
    /// every series that had a value somewhere in the range, with its number of points.
    /// </summary>
    public async Task<IReadOnlyList<(IReadOnlyDictionary<string, string> Labels, int Points)>> QueryRangeAsync(string promQl, DateTimeOffset start, DateTimeOffset end, TimeSpan step,
        CancellationToken cancellationToken = default)
    {
        var query = $"api/v1/query_range?query={Uri.EscapeDataString(promQl)}&start={start.ToUnixTimeMilliseconds() / 1000.0:F3}&end={end.ToUnixTimeMilliseconds() / 1000.0:F3}&step={step.TotalSeconds:F3}";
        using var answer = await GetAsync(query.Replace(',', '.'), promQl, cancellationToken);
        return [.. answer.RootElement.GetProperty("data").GetProperty("result").EnumerateArray()
            .Select(s => ((IReadOnlyDictionary<string, string>)Labels(s.GetProperty("metric")), s.GetProperty("values").GetArrayLength()))];
    }

    /// <summary>Every metric name Prometheus holds (<c>GET /api/v1/label/__name__/values</c>).</summary>
    public async Task<IReadOnlySet<string>> MetricNamesAsync(CancellationToken cancellationToken = default)
    {
        using var answer = await GetAsync("api/v1/label/__name__/values", "metric names", cancellationToken);
        return answer.RootElement.GetProperty("data").EnumerateArray().Select(n => n.GetString()!).ToHashSet(StringComparer.Ordinal);
    }

    /// <summary>The active targets (<c>GET /api/v1/targets?state=active</c>).</summary>
    public async Task<IReadOnlyList<PrometheusTargetStatus>> TargetsAsync(CancellationToken cancellationToken = default)
    {
        using var answer = await GetAsync("api/v1/targets?state=active", "targets", cancellationToken);
        return [.. answer.RootElement.GetProperty("data").GetProperty("activeTargets").EnumerateArray().Select(t => new PrometheusTargetStatus(
            t.GetProperty("scrapeUrl").GetString() ?? "",
            t.GetProperty("health").GetString() switch { "up" => TargetHealth.Up, "down" => TargetHealth.Down, _ => TargetHealth.Unknown },
            Labels(t.GetProperty("labels")),
            t.TryGetProperty("lastError", out var error) ? error.GetString() ?? "" : ""))];
    }

    /// <summary>Queries until CONDITION holds on the answer and returns that answer; a timeout names the query and its last answer.</summary>
    public Task<IReadOnlyList<PrometheusSample>> WaitForAsync(string promQl, Func<IReadOnlyList<PrometheusSample>, bool> condition, TimeSpan timeout,
        CancellationToken cancellationToken = default) =>
        PollAsync(() => QueryAsync(promQl, cancellationToken), condition, timeout, $"query `{promQl}`",
            samples => string.Join(", ", samples.Select(s => $"{{{string.Join(",", s.Labels.Select(l => $"{l.Key}=\"{l.Value}\""))}}} {s.Value}")), cancellationToken);

    /// <summary>Reads the active targets until CONDITION holds on them (discovery picks up a rewritten targets file within about a second).</summary>
    public Task<IReadOnlyList<PrometheusTargetStatus>> WaitForTargetsAsync(Func<IReadOnlyList<PrometheusTargetStatus>, bool> condition, TimeSpan timeout,
        CancellationToken cancellationToken = default) =>
        PollAsync(() => TargetsAsync(cancellationToken), condition, timeout, "active targets",
            targets => string.Join(", ", targets.Select(t => $"{t.ScrapeUrl} {t.Health}")), cancellationToken);

    public void Dispose() => _http.Dispose();

    private static async Task<T> PollAsync<T>(Func<Task<T>> read, Func<T, bool> condition, TimeSpan timeout, string what, Func<T, string> describe,
        CancellationToken cancellationToken)
        where T : class
    {
        var deadline = DateTime.UtcNow + timeout;
        var last = "no answer yet";
        while (true)
        {
            try
            {
                var answer = await read();
                if (condition(answer))
                    return answer;
                last = $"[{describe(answer)}]";
            }
            catch (HttpRequestException e)
            {
                last = e.Message;
            }
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException($"{what}: condition not met after {timeout.TotalSeconds:0.#} s; last answer {last}");
            await Task.Delay(PollEvery, cancellationToken);
        }
    }

    private async Task<JsonDocument> GetAsync(string relative, string what, CancellationToken cancellationToken)
    {
        // Errors come as JSON with 400/422/503, so the body is read whatever the status code.
        using var response = await _http.GetAsync(relative, cancellationToken);
        var body = await response.Content.ReadAsStringAsync(cancellationToken);
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(body);
        }
        catch (JsonException)
        {
            throw new PrometheusQueryException($"{what}: HTTP {(int)response.StatusCode} from {_http.BaseAddress}, not Prometheus' JSON: {body[..Math.Min(body.Length, 200)]}");
        }
        var root = document.RootElement;
        if (root.TryGetProperty("status", out var status) && status.GetString() == "success")
            return document;
        using (document)
        {
            var type = root.TryGetProperty("errorType", out var t) ? t.GetString() : "unknown";
            var error = root.TryGetProperty("error", out var e) ? e.GetString() : body;
            throw new PrometheusQueryException($"{what}: Prometheus answered {type}: {error}");
        }
    }

    private static Dictionary<string, string> Labels(JsonElement labels) =>
        labels.EnumerateObject().ToDictionary(l => l.Name, l => l.Value.GetString() ?? "");

    /// <summary>A sample is <c>[time, "value"]</c>, with the value as text so that NaN and ±Inf survive JSON.</summary>
    private static double Value(JsonElement pair) => pair[1].GetString() switch
    {
        "+Inf" => double.PositiveInfinity,
        "-Inf" => double.NegativeInfinity,
        "NaN" => double.NaN,
        var text => double.Parse(text!, NumberStyles.Float, CultureInfo.InvariantCulture),
    };
}
