using System.Collections;
using GanCluster.Training.Checkpoints;

namespace GanCluster.Training.Tests;

public sealed class CheckpointTests
{
    private static Checkpoint Sample(float value) => new()
    {
        Step = 12,
        DataCursor = 24,
        SpecYaml = "steps: 100\n",
        Producer = "test",
        CreatedUtc = DateTimeOffset.UnixEpoch,
        Entries =
        [
            new CheckpointEntry("g/w", "Float32", [2], BitConverter.GetBytes(1f).Concat(BitConverter.GetBytes(value)).ToArray()),
            new CheckpointEntry("d/w", "Float32", [1], BitConverter.GetBytes(-2f)),
            new CheckpointEntry("opt/g", null, null, [1, 2, 3]),
        ],
    };

    [Fact]
    public void Round_trip_keeps_every_entry_and_records_the_sha256()
    {
        var path = Path.Combine(TestData.NewDirectory(), "a.gck");
        var written = CheckpointFile.Write(path, Sample(3f));
        var read = CheckpointFile.Read(path);
        Assert.Equal(written, read.Sha256);
        Assert.Equal(Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(path).AsSpan(0, (int)new FileInfo(path).Length - 32))), read.Sha256);
        Assert.Equal((12L, 24L, "steps: 100\n"), (read.Step, read.DataCursor, read.SpecYaml));
        Assert.Equal(Sample(3f).Entries.Select(e => (e.Name, e.DType, Convert.ToBase64String(e.Data))), read.Entries.Select(e => (e.Name, e.DType, Convert.ToBase64String(e.Data))));
    }

    [Fact]
    public void Flipped_byte_and_truncation_are_reported_clearly()
    {
        var path = Path.Combine(TestData.NewDirectory(), "a.gck");
        CheckpointFile.Write(path, Sample(3f));
        var bytes = File.ReadAllBytes(path);
        bytes[bytes.Length / 2] ^= 0x40;
        File.WriteAllBytes(path, bytes);
        Assert.Contains("checksum mismatch", Assert.Throws<CheckpointException>(() => CheckpointFile.Read(path)).Message);
        File.WriteAllBytes(path, bytes[..(bytes.Length - 50)]);
        Assert.Contains("corrupted or truncated", Assert.Throws<CheckpointException>(() => CheckpointFile.Read(path)).Message);
        File.WriteAllBytes(path, bytes[..20]);
        Assert.Contains("truncated", Assert.Throws<CheckpointException>(() => CheckpointFile.Read(path)).Message);
        File.WriteAllText(path, "this is not a checkpoint but is long enough to have a trailer of hash bytes");
        Assert.Contains("not a GanCluster checkpoint", Assert.Throws<CheckpointException>(() => CheckpointFile.Read(path)).Message);
        Assert.Contains("no such checkpoint", Assert.Throws<CheckpointException>(() => CheckpointFile.Read(path + ".missing")).Message);
    }

    [Fact]
    public void A_failed_write_leaves_the_previous_file_intact_and_no_temporary_behind()
    {
        var directory = TestData.NewDirectory();
        var path = Path.Combine(directory, "a.gck");
        CheckpointFile.Write(path, Sample(3f));
        var good = File.ReadAllBytes(path);
        var failing = Sample(4f) with { Entries = new FailingEntries(Sample(4f).Entries) };
        Assert.Throws<IOException>(() => CheckpointFile.Write(path, failing));
        Assert.Equal(good, File.ReadAllBytes(path));
        Assert.Single(Directory.GetFiles(directory));
        Assert.Equal(3f, BitConverter.ToSingle(CheckpointFile.Read(path).Find("g/w")!.Data, 4));
    }

    [Fact]
    public void Comparison_reports_max_absolute_and_relative_difference_per_network()
    {
        var same = CheckpointComparison.Compare(Sample(3f), Sample(3f));
        Assert.All(same, d => Assert.True(d.BitwiseIdentical));
        var diff = CheckpointComparison.Compare(Sample(3f), Sample(3.5f));
        var g = diff.Single(d => d.Network == "g");
        Assert.False(g.BitwiseIdentical);
        Assert.Equal(0.5, g.MaxAbsolute, 6);
        Assert.Equal(0.5 / 3.5, g.MaxRelative, 6);
        Assert.True(diff.Single(d => d.Network == "d").BitwiseIdentical);
    }

    /// <summary>Entries whose payload cannot be produced after the first one, like a disk error mid-write.</summary>
    private sealed class FailingEntries(IReadOnlyList<CheckpointEntry> inner) : IReadOnlyList<CheckpointEntry>
    {
        public CheckpointEntry this[int index] => inner[index];
        public int Count => inner.Count;

        public IEnumerator<CheckpointEntry> GetEnumerator()
        {
            yield return inner[0];
            throw new IOException("simulated disk failure");
        }

        IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
    }
}
