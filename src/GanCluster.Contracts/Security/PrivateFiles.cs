namespace GanCluster.Contracts.Security;

/// <summary>
/// The cluster's secrets (the silo's state, the API token, the cluster key, keys and certificates): folders 700, files 600, created
/// with those modes (never created readable and narrowed afterwards).
/// </summary>
public static class PrivateFiles
{
    public const UnixFileMode Folder = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
    public const UnixFileMode File = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    /// <summary>Creates the folder 700, or narrows an existing one to 700.</summary>
    public static void EnsureFolder(string path)
    {
        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(path);
            return;
        }
        Directory.CreateDirectory(path, Folder);
        System.IO.File.SetUnixFileMode(path, Folder);
    }

    /// <summary>Creates an empty file with mode 600 if it does not exist; an existing one is narrowed to 600.</summary>
    public static void EnsureFile(string path)
    {
        if (OperatingSystem.IsWindows())
            return;
        try
        {
            using var created = new FileStream(path, new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, UnixCreateMode = File });
        }
        catch (IOException) when (System.IO.File.Exists(path))
        {
            System.IO.File.SetUnixFileMode(path, File);
        }
    }

    /// <summary>Writes a new file whose mode is 600 from its first byte.</summary>
    public static void WriteNew(string path, string text)
    {
        if (OperatingSystem.IsWindows())
        {
            System.IO.File.WriteAllText(path, text);
            return;
        }
        using var stream = new FileStream(path, new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, UnixCreateMode = File });
        using var writer = new StreamWriter(stream);
        writer.Write(text);
    }

    /// <summary>Writes a new binary file (a key, a certificate) whose mode is 600 from its first byte.</summary>
    public static void WriteNew(string path, byte[] bytes)
    {
        if (OperatingSystem.IsWindows())
        {
            System.IO.File.WriteAllBytes(path, bytes);
            return;
        }
        using var stream = new FileStream(path, new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, UnixCreateMode = File });
        stream.Write(bytes);
    }
}
