using System.Runtime.InteropServices;

namespace GanCluster.Rank;

/// <summary>A dataset path that lies outside every data root the worker was given.</summary>
public sealed class DataRootException(string message) : Exception(message);

/// <summary>
/// The folders a worker lets runs read datasets from. A spec's <c>dataset.path</c> is resolved against the first
/// root when relative, then followed through symbolic links; the real path must lie inside one of the roots
/// (also followed through links), so neither <c>..</c> nor a link can reach outside them.
/// </summary>
public sealed class DataRoots
{
    private readonly IReadOnlyList<string> _roots;

    public DataRoots(IEnumerable<string> roots)
    {
        _roots = roots.Select(r => RealPath(Path.GetFullPath(r))).Distinct(StringComparer.Ordinal).ToList();
        if (_roots.Count == 0)
            throw new ArgumentException("a worker needs at least one data root");
    }

    public IReadOnlyList<string> Roots => _roots;

    public string Describe() => string.Join(", ", _roots);

    /// <summary>The absolute, real path of <paramref name="path"/>, or <see cref="DataRootException"/> when it escapes the roots.</summary>
    public string Resolve(string path)
    {
        if (path.Contains('\0'))
            throw new DataRootException("dataset.path contains a NUL character");
        var full = RealPath(Path.GetFullPath(path, _roots[0]));
        if (!_roots.Any(root => full == root || full.StartsWith(root.EndsWith('/') ? root : root + "/", StringComparison.Ordinal)))
            throw new DataRootException($"dataset.path '{path}' resolves to {full}, outside this worker's data roots ({Describe()}); start the worker with --data-root to allow another folder");
        return full;
    }

    /// <summary>The path with every symbolic link followed; a path that does not exist yet keeps its missing tail as given.</summary>
    private static string RealPath(string full)
    {
        var existing = full;
        var tail = "";
        while (!Path.Exists(existing) && Path.GetDirectoryName(existing) is { } parent)
        {
            tail = tail.Length == 0 ? Path.GetFileName(existing) : Path.Combine(Path.GetFileName(existing), tail);
            existing = parent;
        }
        var pointer = realpath(existing, IntPtr.Zero);
        if (pointer == IntPtr.Zero)
            return full;
        try
        {
            var real = Marshal.PtrToStringUTF8(pointer)!;
            return tail.Length == 0 ? real : Path.Combine(real, tail);
        }
        finally
        {
            free(pointer);
        }
    }

    [DllImport("libc", SetLastError = true)]
    private static extern IntPtr realpath([MarshalAs(UnmanagedType.LPUTF8Str)] string path, IntPtr resolved);

    [DllImport("libc")]
    private static extern void free(IntPtr pointer);
}
