using GanCluster.Specs;

namespace GanCluster.Specs.Tests;

public sealed class RunSpecTests
{
    private static RunSpec Load(string yaml, params string[] overrides) => RunSpecLoader.LoadText(yaml, "test.yaml", overrides).Spec;

    private static string ExamplesFolder()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (Directory.Exists(Path.Combine(dir.FullName, "examples")) && File.Exists(Path.Combine(dir.FullName, "GanCluster.sln")))
                return Path.Combine(dir.FullName, "examples");
        throw new InvalidOperationException("examples/ not found above " + AppContext.BaseDirectory);
    }

    [Theory]
    [InlineData("ring8.yaml", "toy", "ring8")]
    [InlineData("grid25.yaml", "toy", "grid25")]
    [InlineData("mlp-mnist.yaml", "mlp", "idx")]
    [InlineData("vanilla-mnist.yaml", "vanilla", "idx")]
    [InlineData("dcgan28-fashion.yaml", "dcgan28", "idx")]
    [InlineData("dcgan64-faces.yaml", "dcgan64", "images")]
    public void Every_example_spec_is_valid(string file, string model, string dataset)
    {
        var (spec, _) = RunSpecLoader.LoadFile(Path.Combine(ExamplesFolder(), file));
        Assert.Equal(model, SpecName.Of(spec.Model.Name));
        Assert.Equal(dataset, SpecName.Of(spec.Dataset.Kind));
    }

    [Fact]
    public void Every_run_keeps_its_best_checkpoint_by_its_datasets_quality_metric_unless_told_not_to()
    {
        Assert.Equal(new BestCheckpointSpec("balanced_quality_fraction", Specs.Sweeps.MetricGoal.Max, 1), Load("steps: 5\nmodel: { name: toy }\ndataset: { kind: ring8 }\n").KeepBest);
        Assert.Equal(new BestCheckpointSpec("fd", Specs.Sweeps.MetricGoal.Min, 1), Load("steps: 5\nmodel: { name: mlp }\ndataset: { kind: idx, path: x }\n").KeepBest);
        Assert.Null(Load("steps: 5\nmodel: { name: toy }\ndataset: { kind: ring8 }\nkeep_best: none\n").KeepBest);
        Assert.Null(Load("steps: 5\nmodel: { name: toy }\ndataset: { kind: ring8 }\n", "keep_best=none").KeepBest);
        Assert.Equal(3, Load("steps: 5\nmodel: { name: toy }\ndataset: { kind: ring8 }\n", "keep_best={ metric: reverse_kl, goal: min, count: 3 }").KeepBest!.Count);
    }

    [Fact]
    public void The_anti_collapse_options_bind_under_model()
    {
        var anti = Load("steps: 5\nbatch_size: 64\nmodel: { name: toy, pack: 2, minibatch_stddev: 4, minibatch_discrimination: { kernels: 20, dims: 3 }, spectral_norm: true }\ndataset: { kind: ring8 }\n").Model.AntiCollapse;
        Assert.Equal(new AntiCollapseSpec(2, 4, 20, 3, true), anti);
        Assert.Equal(AntiCollapseSpec.None, Load("steps: 5\nmodel: { name: toy }\ndataset: { kind: ring8 }\n").Model.AntiCollapse);
        var e = Assert.Throws<SpecException>(() => Load("steps: 5\nmodel: { name: toy, minibatch_discrimination: { kernel: 20 } }\ndataset: { kind: ring8 }\n"));
        Assert.Contains("kernel", e.Message);
    }

    [Fact]
    public void Gradient_compression_binds_under_data_parallel()
    {
        const string Base = "steps: 5\nmodel: { name: toy }\ndataset: { kind: ring8 }\n";
        Assert.Equal(GradientCompression.None, Load(Base).DataParallel.Compression);
        Assert.Equal(GradientCompression.Bf16, Load(Base + "data_parallel: { compression: bf16 }\n").DataParallel.Compression);
        Assert.Equal(GradientCompression.Bf16, Load(Base, "data_parallel.compression=bf16").DataParallel.Compression);
        var e = Assert.Throws<SpecException>(() => Load(Base + "data_parallel: { compression: fp8 }\n"));
        Assert.Equal("data_parallel.compression", e.FieldPath);
        Assert.Contains("none, bf16", e.Message);
    }

    [Fact]
    public void Gradient_buckets_bind_under_data_parallel()
    {
        const string Base = "steps: 5\nmodel: { name: toy }\ndataset: { kind: ring8 }\n";
        var defaults = Load(Base).DataParallel;
        Assert.True(defaults.Overlap);
        Assert.Equal(DataParallelSpec.DefaultBucketMegabytes, defaults.BucketMegabytes);
        var set = Load(Base + "data_parallel: { overlap: false, bucket_mb: 0.25 }\n").DataParallel;
        Assert.False(set.Overlap);
        Assert.Equal(0.25, set.BucketMegabytes);
        var e = Assert.Throws<SpecException>(() => Load(Base, "data_parallel.bucket_mb=0"));
        Assert.Equal("data_parallel.bucket_mb", e.FieldPath);
    }

    [Fact]
    public void Unknown_field_is_rejected_with_its_path_and_line()
    {
        var e = Assert.Throws<SpecException>(() => RunSpecLoader.LoadText("steps: 5\nmodel:\n  name: toy\n  hiden: 3\ndataset: { kind: ring8 }\n", "my.yaml"));
        Assert.Equal("model.hiden", e.FieldPath);
        Assert.Equal(4, e.Line);
        Assert.StartsWith("my.yaml:4: field 'model.hiden'", e.Message);
        Assert.Contains("unknown field 'hiden'", e.Message);
    }

    [Theory]
    [InlineData("steps: ten", "steps", "an integer", "'ten'")]
    [InlineData("steps: 0", "steps", "[1, 100000000]", "0")]
    [InlineData("steps: 5\nloss: { kind: wasserstein }", "loss.kind", "one of minimax, non-saturating, hinge, wgan-gp", "'wasserstein'")]
    [InlineData("steps: 5\noptimizers: { g: { betas: [0.5] } }", "optimizers.g.betas", "two numbers", "a list")]
    [InlineData("steps: 5\ndevice: gpu", "device", "'cpu', 'cuda' or 'cuda:N'", "'gpu'")]
    [InlineData("steps: 5\nmodel: { name: mlp }", "model.name", "'toy'", "'mlp'")]
    [InlineData("steps: 5\nbatch_size: 64\nmicro_batches: 3", "batch_size", "a multiple of 1 rank(s) × 3 micro-batch(es) = 3", "64")]
    public void Invalid_values_name_field_expectation_and_finding(string fields, string path, string expected, string found)
    {
        var yaml = fields + (fields.Contains("model:") ? "" : "\nmodel: { name: toy }") + "\ndataset: { kind: ring8 }\n";
        var e = Assert.Throws<SpecException>(() => RunSpecLoader.LoadText(yaml, "bad.yaml"));
        Assert.Equal(path, e.FieldPath);
        Assert.Contains(expected, e.Expected);
        Assert.Contains(found, e.Found);
    }

    [Fact]
    public void Missing_required_field_and_malformed_yaml_are_clear()
    {
        var missing = Assert.Throws<SpecException>(() => RunSpecLoader.LoadText("model: { name: toy }\ndataset: { kind: ring8 }\n"));
        Assert.Equal("steps", missing.FieldPath);
        Assert.Contains("required", missing.Found);
        var malformed = Assert.Throws<SpecException>(() => RunSpecLoader.LoadText("steps: [1, 2\nmodel: x\n", "broken.yaml"));
        Assert.Equal("(document)", malformed.FieldPath);
        Assert.StartsWith("broken.yaml", malformed.Message);
    }

    [Fact]
    public void Overrides_set_nested_fields_lists_and_new_sections()
    {
        var (spec, yaml) = RunSpecLoader.LoadText(
            "steps: 5\nmodel: { name: mlp }\ndataset: { kind: idx, path: /data/mnist }\n", "s.yaml",
            ["steps=500", "dataset.path=rel/mnist", "optimizers.g.betas=[0.1, 0.2]", "ema.decay=0.99"]);
        Assert.Equal(500, spec.Steps);
        Assert.Equal(Path.GetFullPath("rel/mnist"), spec.Dataset.Path);
        Assert.Equal((0.1, 0.2), (spec.GeneratorOptimizer.Beta1, spec.GeneratorOptimizer.Beta2));
        Assert.Equal(0.99, spec.Ema!.Decay);
        Assert.Contains("steps: 500", yaml);
        var bad = Assert.Throws<SpecException>(() => RunSpecLoader.LoadText("steps: 5\nmodel: { name: toy }\ndataset: { kind: ring8 }\n", "s.yaml", ["no-equals-sign"]));
        Assert.Equal("--set", bad.FieldPath);
    }

    [Fact]
    public void Model_defaults_follow_the_published_recipes()
    {
        var dcgan28 = Load("steps: 1\nmodel: { name: dcgan28 }\ndataset: { kind: idx, path: x }\n");
        Assert.Equal(32, dcgan28.Model.LatentDim);
        Assert.Equal(OptimizerKind.Rmsprop, dcgan28.GeneratorOptimizer.Kind);
        var dcgan64 = Load("steps: 1\nmodel: { name: dcgan64 }\ndataset: { kind: images, path: x }\n");
        Assert.Equal((OptimizerKind.Adam, 2e-4, 0.5), (dcgan64.DiscriminatorOptimizer.Kind, dcgan64.DiscriminatorOptimizer.LearningRate, dcgan64.DiscriminatorOptimizer.Beta1));
    }
}
