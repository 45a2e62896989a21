using System.Net;
using System.Net.Sockets;

namespace GanCluster.Collective;

/// <summary>
/// Loopback ports that were free a moment ago, for a static ring, a local cluster or a test on one machine.
/// </summary>
/// <remarks>
/// A port the kernel picks for <c>bind(0)</c> comes from the ephemeral range, the same range every outgoing
/// connection on the machine draws its local port from: between "free" and the listener's own bind, any client
/// (a gRPC channel, a database driver, a scrape) may take it. The ports here come from just below that range,
/// which the kernel never hands out on its own, each at most once per process, walking from a random point so
/// that processes taking ports at the same time rarely meet.
/// </remarks>
public static class FreePorts
{
    private const int Span = 12_000;
    private static readonly (int Low, int High) Range = BelowEphemeral();
    private static readonly HashSet<int> Given = [];
    private static int _cursor = Random.Shared.Next(Range.High - Range.Low);

    public static int[] Take(int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        var held = new List<TcpListener>();
        try
        {
            lock (Given)
            {
                for (var tried = 0; held.Count < count; tried++)
                {
                    if (tried >= Range.High - Range.Low)
                        throw new InvalidOperationException($"no free loopback port is left in {Range.Low}-{Range.High - 1}");
                    var port = Range.Low + _cursor;
                    _cursor = (_cursor + 1) % (Range.High - Range.Low);
                    if (Given.Contains(port) || TryHold(port) is not { } listener)
                        continue;
                    held.Add(listener);
                    Given.Add(port);
                }
            }
            return held.Select(l => ((IPEndPoint)l.LocalEndpoint).Port).ToArray();
        }
        finally
        {
            held.ForEach(l => l.Stop());
        }
    }

    private static TcpListener? TryHold(int port)
    {
        var listener = new TcpListener(IPAddress.Loopback, port);
        try
        {
            listener.Start();
            return listener;
        }
        catch (SocketException)
        {
            listener.Stop();
            return null;
        }
    }

    /// <summary>The <see cref="Span"/> ports below the kernel's ephemeral range (Linux), else below 32768.</summary>
    private static (int Low, int High) BelowEphemeral()
    {
        var high = 32_768;
        try
        {
            var fields = File.ReadAllText("/proc/sys/net/ipv4/ip_local_port_range").Split((char[])['\t', ' ', '\n'], StringSplitOptions.RemoveEmptyEntries);
            high = int.Parse(fields[0], System.Globalization.CultureInfo.InvariantCulture);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException)
        {
        }
        high = Math.Clamp(high, 1024 + 1000, 65_536);
        return (Math.Max(1024, high - Span), high);
    }
}
