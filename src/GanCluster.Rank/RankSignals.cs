using System.Runtime.InteropServices;

namespace GanCluster.Rank;

/// <summary>
/// Ctrl+C and SIGTERM (kill, Kubernetes) stop a rank the same way: after the current step, which rank 0
/// checkpoints. One registration for every process that runs a rank in the foreground.
/// </summary>
public sealed class RankSignals : IDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly PosixSignalRegistration[] _registrations;

    public RankSignals()
    {
        _registrations = [PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop), PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop)];
    }

    public CancellationToken Token => _stop.Token;

    private void Stop(PosixSignalContext context)
    {
        context.Cancel = true;
        _stop.Cancel();
    }

    public void Dispose()
    {
        foreach (var registration in _registrations)
            registration.Dispose();
        _stop.Dispose();
    }
}
