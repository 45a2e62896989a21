namespace GanCluster.Collective;

/// <summary>A collective could not complete: a peer died, hung, refused us, or another rank gave up first.</summary>
public sealed class CollectiveException(string message, Exception? inner = null) : Exception(message, inner);
