using System.Text;
using System.Text.Json;

namespace GanCluster.Cli.Cluster;

/// <summary>
/// The file that Prometheus' <c>file_sd_configs</c> watches: one group per process, with its <c>job</c> and
/// <c>instance_name</c> labels. Rewriting it is how the cluster adds and removes scrape targets while Prometheus runs.
/// </summary>
internal static class PrometheusTargets
{
    /// <summary>The JSON that file-based discovery reads: <c>[{"targets":["host:port"],"labels":{...}}, ...]</c>.</summary>
    public static string Render(IEnumerable<ScrapeTarget> targets)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            json.WriteStartArray();
            foreach (var target in targets)
            {
                json.WriteStartObject();
                json.WriteStartArray("targets");
                json.WriteStringValue(target.Address);
                json.WriteEndArray();
                json.WriteStartObject("labels");
                json.WriteString("job", target.JobLabel);
                json.WriteString("instance_name", target.Name);
                json.WriteEndObject();
                json.WriteEndObject();
            }
            json.WriteEndArray();
        }
        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    /// <summary>Replaces the file by rename, so Prometheus (which re-reads on every inotify event) never sees half of it.</summary>
    public static void Write(string path, IEnumerable<ScrapeTarget> targets)
    {
        var full = Path.GetFullPath(path);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        // Same directory, so the rename stays on one file system; the suffix keeps it outside discovery's *.json match.
        var temporary = $"{full}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp";
        try
        {
            using (var stream = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write))
            {
                stream.Write(Encoding.UTF8.GetBytes(Render(targets)));
                stream.Flush(flushToDisk: true);
            }
            File.Move(temporary, full, overwrite: true);
        }
        finally
        {
            File.Delete(temporary);
        }
    }
}
