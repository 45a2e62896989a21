using System.Collections;
using System.Runtime.InteropServices;

namespace GanCluster.Cli.Cluster;

/// <summary>
/// A child process known by its pid, started with posix_spawn so that its output goes straight to a log file and it
/// may lead its own session: <see cref="System.Diagnostics.Process"/> can do neither without a shell, and a process that
/// outlives us must not write into our pipes (a Go program dies of SIGPIPE once the reader has gone).
/// </summary>
internal static class PosixProcess
{
    private const int SigKill = 9;
    private const int SigTerm = 15;
    private const short SpawnSetSigDefault = 0x04;
    private const short SpawnSetSigMask = 0x08;
    private const short SpawnSetSid = 0x80;
    private const int ReadOnly = 0x0;
    private const int AppendOrCreate = 0x1 | 0x40 | 0x400; // O_WRONLY | O_CREAT | O_APPEND
    private const int WaitNoHang = 1;

    /// <summary>
    /// Starts PROGRAM (an absolute path) with ARGUMENTS, stdin from /dev/null and stdout+stderr appended to LOG, in this
    /// process's environment with ENVIRONMENT's variables set over it; returns its pid.
    /// </summary>
    public static int Start(string program, IReadOnlyList<string> arguments, string log, bool ownSession, IReadOnlyDictionary<string, string>? environment = null)
    {
        // Opaque glibc structs (80 and 336 bytes on x86-64, 128 for sigset_t): generous buffers.
        var actions = Marshal.AllocHGlobal(1024);
        var attributes = Marshal.AllocHGlobal(1024);
        var signals = Marshal.AllocHGlobal(256);
        try
        {
            Check(posix_spawn_file_actions_init(actions), "posix_spawn_file_actions_init");
            Check(posix_spawnattr_init(attributes), "posix_spawnattr_init");
            try
            {
                Check(posix_spawn_file_actions_addopen(actions, 0, "/dev/null", ReadOnly, 0), "addopen stdin");
                Check(posix_spawn_file_actions_addopen(actions, 1, log, AppendOrCreate, Convert.ToInt32("644", 8)), "addopen log");
                Check(posix_spawn_file_actions_adddup2(actions, 1, 2), "adddup2 stderr");
                // .NET ignores SIGPIPE and may block signals on this thread; the child starts with the defaults.
                Check(sigfillset(signals), "sigfillset");
                Check(posix_spawnattr_setsigdefault(attributes, signals), "setsigdefault");
                Check(sigemptyset(signals), "sigemptyset");
                Check(posix_spawnattr_setsigmask(attributes, signals), "setsigmask");
                Check(posix_spawnattr_setflags(attributes, (short)(SpawnSetSigDefault | SpawnSetSigMask | (ownSession ? SpawnSetSid : 0))), "setflags");
                string?[] argv = [program, .. arguments, null];
                var variables = Environment.GetEnvironmentVariables().Cast<DictionaryEntry>().ToDictionary(e => (string)e.Key, e => (string?)e.Value ?? "");
                foreach (var (name, value) in environment ?? new Dictionary<string, string>())
                    variables[name] = value;
                string?[] envp = [.. variables.Select(e => $"{e.Key}={e.Value}"), null];
                var error = posix_spawn(out var pid, program, actions, attributes, argv, envp);
                if (error != 0)
                    throw new InvalidOperationException($"could not start {program}: {Marshal.GetPInvokeErrorMessage(error)}");
                return pid;
            }
            finally
            {
                posix_spawn_file_actions_destroy(actions);
                posix_spawnattr_destroy(attributes);
            }
        }
        finally
        {
            Marshal.FreeHGlobal(actions);
            Marshal.FreeHGlobal(attributes);
            Marshal.FreeHGlobal(signals);
        }
    }

    /// <summary>The name the kernel gives the process (<c>/proc/PID/comm</c>), or null once it is gone or a zombie.</summary>
    public static string? Name(int pid)
    {
        if (!ProcessIds.Alive(pid))
            return null;
        try
        {
            return File.ReadAllText($"/proc/{pid}/comm").Trim();
        }
        catch (IOException)
        {
            return null;
        }
    }

    /// <summary>
    /// SIGTERM, then SIGKILL if it is still running after GRACE; returns once it has gone (true) or after 5 s more (false).
    /// Given the START TIME it had, a pid that meanwhile names another process counts as gone and is not signalled again.
    /// </summary>
    public static bool Terminate(int pid, TimeSpan grace, long? startTime = null)
    {
        if (kill(pid, SigTerm) != 0)
        {
            Reap(pid);
            return !ProcessIds.Alive(pid, startTime);
        }
        if (WaitForExit(pid, startTime, grace))
            return true;
        kill(pid, SigKill);
        return WaitForExit(pid, startTime, TimeSpan.FromSeconds(5));
    }

    /// <summary>Collects the exit status of our own exited child (otherwise it stays a zombie until we exit); a no-op for anyone else's.</summary>
    public static void Reap(int pid) => waitpid(pid, IntPtr.Zero, WaitNoHang);

    private static bool WaitForExit(int pid, long? startTime, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            if (!ProcessIds.Alive(pid, startTime))
            {
                Reap(pid); // a zombie now, if it is our child
                return true;
            }
            if (DateTime.UtcNow > deadline)
                return false;
            Thread.Sleep(50);
        }
    }

    private static void Check(int error, string what)
    {
        if (error != 0)
            throw new InvalidOperationException($"{what} failed: {Marshal.GetPInvokeErrorMessage(error)}");
    }

    // DllImport rather than LibraryImport: this project does not allow unsafe code, and nothing here needs it.
    [DllImport("libc", SetLastError = true)]
    private static extern int kill(int pid, int signal);

    [DllImport("libc")]
    private static extern int waitpid(int pid, IntPtr status, int options);

    // LPStr is UTF-8 on Unix; the array marshaller takes no LPUTF8Str.
    [DllImport("libc")]
    private static extern int posix_spawn(out int pid, [MarshalAs(UnmanagedType.LPUTF8Str)] string path, IntPtr fileActions, IntPtr attributes,
        [MarshalAs(UnmanagedType.LPArray, ArraySubType = UnmanagedType.LPStr)] string?[] argv,
        [MarshalAs(UnmanagedType.LPArray, ArraySubType = UnmanagedType.LPStr)] string?[] envp);

    [DllImport("libc")]
    private static extern int posix_spawn_file_actions_init(IntPtr fileActions);

    [DllImport("libc")]
    private static extern int posix_spawn_file_actions_destroy(IntPtr fileActions);

    [DllImport("libc")]
    private static extern int posix_spawn_file_actions_addopen(IntPtr fileActions, int fd, [MarshalAs(UnmanagedType.LPUTF8Str)] string path, int flags, int mode);

    [DllImport("libc")]
    private static extern int posix_spawn_file_actions_adddup2(IntPtr fileActions, int fd, int newFd);

    [DllImport("libc")]
    private static extern int posix_spawnattr_init(IntPtr attributes);

    [DllImport("libc")]
    private static extern int posix_spawnattr_destroy(IntPtr attributes);

    [DllImport("libc")]
    private static extern int posix_spawnattr_setflags(IntPtr attributes, short flags);

    [DllImport("libc")]
    private static extern int posix_spawnattr_setsigdefault(IntPtr attributes, IntPtr signals);

    [DllImport("libc")]
    private static extern int posix_spawnattr_setsigmask(IntPtr attributes, IntPtr signals);

    [DllImport("libc")]
    private static extern int sigfillset(IntPtr signals);

    [DllImport("libc")]
    private static extern int sigemptyset(IntPtr signals);
}
