using System.Text.Json;
using Orleans.Storage;

namespace GanCluster.Silo.Storage;

/// <summary>
/// State too large to rewrite whole on every change (a sweep's trials and inputs, the scheduler's run index): a
/// small header and rows in named collections, each row keyed by a number. A write changes the header and the rows
/// it names, all in one transaction, so what it costs is what changed, not what exists. Each write carries the
/// version it read; a stale one (another activation wrote since) is refused with
/// <see cref="InconsistentStateException"/> and changes nothing, as grain storage must.
/// </summary>
public interface IRowStorage
{
    /// <summary>The owner's header and rows, or null when nothing was ever written for it.</summary>
    Task<StoredRows?> Read(string owner);

    /// <summary>Writes the header and upserts the rows, if the stored version is still <paramref name="version"/> (0: none); the new version is one more.</summary>
    Task Write(string owner, long version, string header, IReadOnlyList<StoredRow> rows);
}

/// <summary>What an owner has stored: its version, its header and every row.</summary>
public sealed record StoredRows(long Version, string Header, IReadOnlyList<StoredRow> Rows);

/// <summary>One row: its collection, its key there, and its JSON.</summary>
public sealed record StoredRow(string Collection, long Key, string Payload);

/// <summary>
/// One grain's view of its rows: it reads them once on activation, marks the rows it changed, and writes the
/// header with those rows in one transaction. Rows are serialised when written, so a row marked and changed again
/// before the write is written once, as it is then.
/// </summary>
public sealed class RowJournal(IRowStorage storage, string owner)
{
    private readonly Dictionary<(string Collection, long Key), object> _marked = [];
    private long _version;

    public bool Exists => _version > 0;

    /// <summary>Rows changed since the last write.</summary>
    public int Pending => _marked.Count;

    /// <summary>The stored header and rows (null when none), remembering the version for the next write.</summary>
    public async Task<StoredRows?> Read()
    {
        var stored = await storage.Read(owner);
        _version = stored?.Version ?? 0;
        return stored;
    }

    /// <summary>Row <paramref name="key"/> of <paramref name="collection"/> is to be written with the next <see cref="Write{T}"/>.</summary>
    public void Mark<T>(string collection, long key, T row) where T : notnull => _marked[(collection, key)] = row;

    public async Task Write<THeader>(THeader header)
    {
        var rows = _marked.Select(m => new StoredRow(m.Key.Collection, m.Key.Key, JsonSerializer.Serialize(m.Value, m.Value.GetType(), GrainStateJson.Options))).ToList();
        await storage.Write(owner, _version, JsonSerializer.Serialize(header, GrainStateJson.Options), rows);
        // Only once it committed: a failed write leaves every row marked, for the next one.
        _version++;
        _marked.Clear();
    }

    public static T Parse<T>(string json, string what) =>
        JsonSerializer.Deserialize<T>(json, GrainStateJson.Options) ?? throw new InvalidDataException($"{what} is empty in the store");
}
