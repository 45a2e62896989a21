using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace GanCluster.Training.Checkpoints;

/// <summary>
/// The on-disk format: magic "GANCKPT\n", a little-endian u32 header length, a JSON header listing the
/// entries in order, the entries' bytes, and a SHA-256 of everything before it. Written to a temporary
/// file in the same folder and renamed into place, so a crash never leaves a half-written checkpoint.
/// </summary>
public static partial class CheckpointFile
{
    private static readonly byte[] Magic = "GANCKPT\n"u8.ToArray();
    private const int HashLength = 32;
    private const int MaxHeaderLength = 64 << 20;

    public static string Write(string path, Checkpoint checkpoint)
    {
        var directory = Path.GetDirectoryName(Path.GetFullPath(path))!;
        Directory.CreateDirectory(directory);
        var temporary = Path.Combine(directory, $".{Path.GetFileName(path)}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp");
        try
        {
            string hash;
            using (var file = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 20))
            using (var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256))
            {
                void Put(ReadOnlySpan<byte> bytes)
                {
                    sha.AppendData(bytes);
                    file.Write(bytes);
                }

                var header = JsonSerializer.SerializeToUtf8Bytes(Header.From(checkpoint), HeaderContext.Default.Header);
                Span<byte> length = stackalloc byte[4];
                BinaryPrimitives.WriteUInt32LittleEndian(length, (uint)header.Length);
                Put(Magic);
                Put(length);
                Put(header);
                foreach (var entry in checkpoint.Entries)
                    Put(entry.Data);
                var digest = sha.GetHashAndReset();
                file.Write(digest);
                file.Flush(flushToDisk: true);
                hash = Convert.ToHexStringLower(digest);
            }
            File.Move(temporary, path, overwrite: true);
            return hash;
        }
        catch
        {
            File.Delete(temporary);
            throw;
        }
    }

    public static Checkpoint Read(string path)
    {
        if (!File.Exists(path))
            throw new CheckpointException(path, "no such checkpoint file");
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
        }
        catch (IOException e)
        {
            throw new CheckpointException(path, $"cannot be read ({e.Message})");
        }
        var minimum = Magic.Length + 4 + HashLength;
        if (bytes.Length < minimum)
            throw new CheckpointException(path, $"truncated: {bytes.Length} bytes, a checkpoint has at least {minimum}");
        if (!bytes.AsSpan(0, Magic.Length).SequenceEqual(Magic))
            throw new CheckpointException(path, "not a GanCluster checkpoint (wrong magic bytes)");
        var body = bytes.AsSpan(0, bytes.Length - HashLength);
        var stored = bytes.AsSpan(bytes.Length - HashLength);
        var actual = SHA256.HashData(body);
        if (!stored.SequenceEqual(actual))
            throw new CheckpointException(path, "checksum mismatch: the file is corrupted or truncated (SHA-256 of its contents differs from the one it records)");

        var headerLength = BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(Magic.Length));
        if (headerLength > MaxHeaderLength || Magic.Length + 4 + headerLength > body.Length)
            throw new CheckpointException(path, $"malformed header length {headerLength}");
        Header header;
        try
        {
            header = JsonSerializer.Deserialize(bytes.AsSpan(Magic.Length + 4, (int)headerLength), HeaderContext.Default.Header)
                ?? throw new JsonException("empty header");
        }
        catch (JsonException e)
        {
            throw new CheckpointException(path, $"malformed header ({e.Message})");
        }
        if (header.FormatVersion > Checkpoint.CurrentFormatVersion)
            throw new CheckpointException(path, $"format version {header.FormatVersion} is newer than this build reads ({Checkpoint.CurrentFormatVersion})");

        var offset = Magic.Length + 4 + (int)headerLength;
        var entries = new List<CheckpointEntry>(header.Entries.Count);
        foreach (var e in header.Entries)
        {
            if (e.Length < 0 || offset + e.Length > body.Length)
                throw new CheckpointException(path, $"entry '{e.Name}' runs past the end of the file");
            entries.Add(new CheckpointEntry(e.Name, e.DType, e.Shape, bytes.AsSpan(offset, (int)e.Length).ToArray()));
            offset += (int)e.Length;
        }
        if (offset != body.Length)
            throw new CheckpointException(path, $"{body.Length - offset} unexpected bytes after the last entry");
        return header.ToCheckpoint(entries, Convert.ToHexStringLower(actual));
    }

    internal sealed record HeaderEntry(string Name, string? DType, long[]? Shape, long Length);

    internal sealed record Header(int FormatVersion, long Step, long DataCursor, string Spec, string Producer, DateTimeOffset CreatedUtc, List<HeaderEntry> Entries)
    {
        public static Header From(Checkpoint c) => new(
            c.FormatVersion, c.Step, c.DataCursor, c.SpecYaml, c.Producer, c.CreatedUtc,
            c.Entries.Select(e => new HeaderEntry(e.Name, e.DType, e.Shape, e.Data.LongLength)).ToList());

        public Checkpoint ToCheckpoint(IReadOnlyList<CheckpointEntry> entries, string sha256) => new()
        {
            FormatVersion = FormatVersion,
            Step = Step,
            DataCursor = DataCursor,
            SpecYaml = Spec,
            Producer = Producer,
            CreatedUtc = CreatedUtc,
            Entries = entries,
            Sha256 = sha256,
        };
    }

    [JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
    [JsonSerializable(typeof(Header))]
    internal sealed partial class HeaderContext : JsonSerializerContext;
}
