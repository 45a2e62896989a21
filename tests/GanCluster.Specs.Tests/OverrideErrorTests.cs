using GanCluster.Specs;

namespace GanCluster.Specs.Tests;

/// <summary>A bad <c>--set</c> (or <c>--steps</c>, <c>--device</c>) value is blamed on the override, never on a line of the spec it was not in.</summary>
public sealed class OverrideErrorTests
{
    private const string Spec = "name: o\nmodel: { name: mlp }\ndataset: { kind: idx, path: /data/mnist }\nsteps: 5\noptimizers:\n  d: { lr: 0.001 }\n";

    private static SpecException Refused(params string[] overrides) =>
        Assert.Throws<SpecException>(() => RunSpecLoader.LoadText(Spec, "s.yaml", overrides));

    [Theory]
    [InlineData("optimizers.d.lr=abc", "optimizers.d.lr", "expected a number, found 'abc'")]
    [InlineData("optimizers.g.lr=abc", "optimizers.g.lr", "expected a number, found 'abc'")]
    [InlineData("steps=0", "steps", "expected an integer in [1, 100000000], found 0")]
    [InlineData("model.hiden=3", "model.hiden", "unknown field 'hiden'")]
    [InlineData("ema={decay: abc}", "ema.decay", "expected a number, found 'abc'")]
    [InlineData("optimizers.g.betas=[0.5]", "optimizers.g.betas", "expected a list of two numbers")]
    public void The_error_names_the_override_and_no_spec_line(string assignment, string field, string problem)
    {
        var e = Refused("seed=3", assignment);
        Assert.Equal(assignment, e.Override);
        Assert.Null(e.Line);
        Assert.Equal(field, e.FieldPath);
        Assert.StartsWith($"override '{assignment}': field '{field}': ", e.Message);
        Assert.Contains(problem, e.Message);
        Assert.DoesNotContain("s.yaml:", e.Message);
    }

    [Fact]
    public void A_field_the_override_did_not_touch_keeps_its_spec_line()
    {
        var e = Assert.Throws<SpecException>(() => RunSpecLoader.LoadText(Spec.Replace("lr: 0.001", "lr: abc"), "s.yaml", ["optimizers.g.lr=0.1"]));
        Assert.Null(e.Override);
        Assert.StartsWith("s.yaml:6: field 'optimizers.d.lr'", e.Message);
    }

    [Fact]
    public void A_rule_across_fields_names_the_fields_line_or_its_override()
    {
        const string dcgan = "name: d\nsteps: 5\nmodel: { name: dcgan28 }\ndataset:\n  kind: idx\n  path: /data/mnist\n  image_size: 32\n";
        Assert.StartsWith("s.yaml:7: field 'dataset.image_size'", Assert.Throws<SpecException>(() => RunSpecLoader.LoadText(dcgan, "s.yaml")).Message);
        var e = Assert.Throws<SpecException>(() => RunSpecLoader.LoadText(dcgan.Replace("  image_size: 32\n", ""), "s.yaml", ["dataset.image_size=64"]));
        Assert.StartsWith("override 'dataset.image_size=64': field 'dataset.image_size'", e.Message);
    }

    [Fact]
    public void A_malformed_override_is_named_as_given()
    {
        var e = Refused("no-equals-sign");
        Assert.Equal("no-equals-sign", e.Override);
        Assert.StartsWith("override 'no-equals-sign': ", e.Message);
    }
}
