namespace GanCluster.Training.Runtime;

/// <summary>The run spec asks for a device this machine or build does not have.</summary>
public sealed class DeviceUnavailableException(string message) : Exception(message);
