using System.ComponentModel.DataAnnotations;
using System.Net;

namespace GanCluster.Hosting;

/// <summary>Settings shared by every host (section <c>Hosting</c>): where health and metrics are served.</summary>
public sealed class HostingOptions : IValidatableObject
{
    public const string Section = "Hosting";

    /// <summary>Listen address of the metrics port; loopback by default so nothing is exposed off the machine unasked.</summary>
    public string Host { get; set; } = "127.0.0.1";

    /// <summary>HTTP/1 port for <c>/metrics</c> and <c>/health/*</c>; 0 lets the OS pick one (see <see cref="Endpoints.MetricsEndpoint"/>).</summary>
    [Range(0, 65535)]
    public int MetricsPort { get; set; }

    /// <summary>False removes the Prometheus exporter entirely, to measure what it costs.</summary>
    public bool Metrics { get; set; } = true;

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (!IPAddress.TryParse(Host, out _))
            yield return new ValidationResult("must be an IP address such as 127.0.0.1 or 0.0.0.0", [nameof(Host)]);
    }
}
