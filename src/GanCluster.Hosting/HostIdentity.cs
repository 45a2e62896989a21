namespace GanCluster.Hosting;

/// <summary>Which host this is: every log event carries <see cref="Name"/> under the property <see cref="Role"/> (e.g. <c>worker</c>=<c>w-3</c>).</summary>
public sealed record HostIdentity(string Role, string Name);
