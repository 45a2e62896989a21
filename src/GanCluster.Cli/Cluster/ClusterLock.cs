using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;

namespace GanCluster.Cli.Cluster;

/// <summary>
/// An exclusive flock on a cluster folder's <c>cluster.lock</c>, held by `up` and `down` for as long as they work on
/// the folder, so that two of them never start processes over one SQLite file. The file holds the holder's pid, for
/// the message the other one fails with. The kernel drops the lock when the holder exits, however it ends.
/// </summary>
/// <remarks>
/// libc rather than <see cref="FileStream"/>: .NET takes a shared flock of its own on every file it opens for reading,
/// so the loser could not read the holder's pid.
/// </remarks>
internal sealed class ClusterLock : IDisposable
{
    // O_RDWR | O_CREAT | O_CLOEXEC: the silos and workers `up` starts outlive it, and must not inherit the lock.
    private const int ReadWriteCreate = 0x2 | 0x40 | 0x80000;
    private const int LockExclusive = 2;
    private const int LockNonBlocking = 4;
    private const int WouldBlock = 11;
    private int _fd;

    private ClusterLock(int fd) => _fd = fd;

    /// <summary>Takes the lock at once, or fails with a usage error naming the folder and the pid that holds it.</summary>
    public static ClusterLock Take(ClusterDirectory cluster)
    {
        Directory.CreateDirectory(cluster.Root);
        var pid = Encoding.ASCII.GetBytes(Environment.ProcessId.ToString(CultureInfo.InvariantCulture));
        var fd = open(cluster.LockFile, ReadWriteCreate, Convert.ToInt32("644", 8));
        if (fd < 0)
            throw new UsageException($"cannot open {cluster.LockFile}: {Marshal.GetPInvokeErrorMessage(Marshal.GetLastPInvokeError())}");
        if (flock(fd, LockExclusive | LockNonBlocking) != 0)
        {
            var error = Marshal.GetLastPInvokeError();
            var holder = error == WouldBlock ? Holder(fd) : null;
            close(fd);
            if (error != WouldBlock)
                throw new UsageException($"cannot lock {cluster.LockFile}: {Marshal.GetPInvokeErrorMessage(error)}");
            throw new UsageException($"the cluster in {cluster.Root} is busy: another `gancluster up` or `down` (pid {holder?.ToString(CultureInfo.InvariantCulture) ?? "unknown"}) holds {cluster.LockFile}; try again once it has finished");
        }
        if (ftruncate(fd, 0) != 0 || pwrite(fd, pid, (nuint)pid.Length, 0) != pid.Length)
        {
            close(fd);
            throw new UsageException($"cannot write {cluster.LockFile}: {Marshal.GetPInvokeErrorMessage(Marshal.GetLastPInvokeError())}");
        }
        return new ClusterLock(fd);
    }

    public void Dispose()
    {
        if (_fd < 0)
            return;
        // Left in place (another process may already have it open, waiting): emptied, then unlocked by closing.
        ftruncate(_fd, 0);
        close(_fd);
        _fd = -1;
    }

    /// <summary>
    /// The pid the holder wrote. A holder that has only just taken the lock may not have written it yet (the file is
    /// empty, or names a holder that was killed), so this waits a moment for a live pid; null if none appears.
    /// </summary>
    private static int? Holder(int fd)
    {
        var buffer = new byte[32];
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(2);
        do
        {
            var read = pread(fd, buffer, (nuint)buffer.Length, 0);
            var text = read > 0 ? Encoding.ASCII.GetString(buffer, 0, (int)read).Trim() : "";
            if (int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var pid) && ProcessIds.Alive(pid))
                return pid;
            Thread.Sleep(20);
        }
        while (DateTime.UtcNow < deadline);
        return null;
    }

    [DllImport("libc", SetLastError = true)]
    private static extern int open([MarshalAs(UnmanagedType.LPUTF8Str)] string path, int flags, int mode);

    [DllImport("libc", SetLastError = true)]
    private static extern int flock(int fd, int operation);

    [DllImport("libc", SetLastError = true)]
    private static extern int ftruncate(int fd, long length);

    [DllImport("libc", SetLastError = true)]
    private static extern nint pwrite(int fd, byte[] buffer, nuint count, long offset);

    [DllImport("libc", SetLastError = true)]
    private static extern nint pread(int fd, [Out] byte[] buffer, nuint count, long offset);

    [DllImport("libc")]
    private static extern int close(int fd);
}
