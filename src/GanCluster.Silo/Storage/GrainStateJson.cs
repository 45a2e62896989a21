using System.Text.Json;
using Orleans.Storage;

namespace GanCluster.Silo.Storage;

/// <summary>
/// Grain state is stored as System.Text.Json documents in both stores (SQLite and PostgreSQL), so a state record
/// reads the same wherever it lives and an operator can inspect it with plain SQL.
/// </summary>
public sealed class GrainStateJson : IGrainStorageSerializer
{
    public static readonly JsonSerializerOptions Options = new()
    {
        IncludeFields = false,
        // Health records keep NaN (a diverged loss, an unmeasured gradient norm) as NaN.
        NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    public BinaryData Serialize<T>(T? input) => BinaryData.FromBytes(JsonSerializer.SerializeToUtf8Bytes(input, Options));

    public T Deserialize<T>(BinaryData input) =>
        JsonSerializer.Deserialize<T>(input.ToMemory().Span, Options) ?? throw new InvalidDataException($"grain state of type {typeof(T).Name} is empty");
}
