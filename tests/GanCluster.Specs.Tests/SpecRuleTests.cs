namespace GanCluster.Specs.Tests;

public sealed class SpecRuleTests
{
    private const string Toy = "steps: 1\nbatch_size: 12\nmodel: { name: toy }\ndataset: { kind: ring8 }\n";

    [Theory]
    [InlineData(ModelKind.Radford28, "radford28")]
    [InlineData(LossKind.NonSaturating, "non-saturating")]
    [InlineData(LossKind.WganGp, "wgan-gp")]
    [InlineData(OptimizerKind.Rmsprop, "rmsprop")]
    [InlineData(DatasetKind.Grid25, "grid25")]
    [InlineData(CollapsePolicy.Stop, "stop")]
    public void Kinds_have_one_yaml_name_each_way<TKind>(TKind kind, string name) where TKind : struct, Enum
    {
        Assert.Equal(name, SpecName.Of(kind));
        Assert.True(SpecName.TryParse<TKind>(name, out var parsed));
        Assert.Equal(kind, parsed);
    }

    [Fact]
    public void An_unknown_kind_lists_every_name()
    {
        var e = Assert.Throws<SpecException>(() => RunSpecLoader.LoadText(Toy, "t.yaml", ["loss.kind=wasserstein"]));
        Assert.Equal("loss.kind", e.FieldPath);
        Assert.Contains("minimax, non-saturating, hinge, wgan-gp", e.Message);
    }

    [Theory]
    [InlineData(1, 1, true)]
    [InlineData(4, 1, true)]
    [InlineData(4, 3, true)]
    [InlineData(5, 1, false)]
    [InlineData(2, 4, false)] // 2 ranks × 4 micro-batches = 8 does not divide 12: the check that ignored micro-batches let this through
    public void The_batch_must_split_over_ranks_and_micro_batches(int worldSize, int microBatches, bool ok)
    {
        Action load = () => RunSpecLoader.LoadText(Toy, "t.yaml", [$"micro_batches={microBatches}"], worldSize);
        if (ok)
        {
            load();
            return;
        }
        var e = Assert.Throws<SpecException>(load);
        Assert.Equal("batch_size", e.FieldPath);
        Assert.Contains($"{worldSize} rank(s) × {microBatches} micro-batch(es)", e.Message);
    }

    [Fact]
    public void A_world_size_times_micro_batches_past_32_bits_is_refused_not_wrapped()
    {
        // 2^20 ranks × 4,096 micro-batches is 2^32: in 32 bits it wraps to 0 and the check divides by zero.
        var e = Assert.Throws<SpecException>(() => RunSpecLoader.LoadText(Toy, "t.yaml", ["micro_batches=4096"], 1 << 20));
        Assert.Equal("batch_size", e.FieldPath);
        Assert.Contains("= 4294967296", e.Message);
    }
}
