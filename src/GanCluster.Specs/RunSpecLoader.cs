using System.Globalization;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace GanCluster.Specs;

/// <summary>Reads a YAML run spec, applies <c>--set path=value</c> overrides, and validates every field.</summary>
public static class RunSpecLoader
{
    /// <summary>Loads and validates a spec file; the returned text is the effective YAML after overrides.</summary>
    /// <param name="worldSize">The ranks the run will be sharded over: its batch must split evenly over them.</param>
    public static (RunSpec Spec, string EffectiveYaml) LoadFile(string path, IEnumerable<string>? overrides = null, int worldSize = 1)
    {
        if (!File.Exists(path))
            throw new SpecException(path, "(file)", null, "an existing YAML run spec", "no such file");
        return LoadText(File.ReadAllText(path), path, overrides, worldSize);
    }

    /// <param name="resolvePaths">
    /// Whether a relative <c>dataset.path</c> is made absolute against the working directory (a spec read where it
    /// trains), or kept relative (a spec submitted to a cluster, whose workers resolve it against their data roots).
    /// </param>
    public static (RunSpec Spec, string EffectiveYaml) LoadText(string yaml, string file = "<spec>", IEnumerable<string>? overrides = null, int worldSize = 1, bool resolvePaths = true)
    {
        var root = Parse(yaml, file);
        var origins = new Dictionary<YamlNode, string>(ReferenceEqualityComparer.Instance);
        foreach (var assignment in overrides ?? [])
            ApplyOverride(root, assignment, file, origins);
        var spec = Bind(new YamlFields(file, "", root, origins), resolvePaths);
        spec.RequireShardable(worldSize, file);
        if (spec.Dataset.Path is { } resolved && root.Children.TryGetValue(new YamlScalarNode("dataset"), out var section) && section is YamlMappingNode dataset)
            dataset.Children[new YamlScalarNode("path")] = new YamlScalarNode(resolved);
        return (spec, Render(root));
    }

    internal static YamlMappingNode Parse(string yaml, string file)
    {
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(yaml));
        }
        catch (YamlException e)
        {
            throw new SpecException(file, "(document)", (int)e.Start.Line, "valid YAML", e.InnerException?.Message ?? e.Message);
        }
        catch (InvalidOperationException)
        {
            // YamlDotNet's scanner throws this, with no position, on some truncated flow collections.
            throw new SpecException(file, "(document)", LastParsedLine(yaml), "valid YAML", "an unclosed [ or { (the text ends inside it)");
        }
        if (stream.Documents.Count != 1)
            throw new SpecException(file, "(document)", null, "exactly one YAML document", $"{stream.Documents.Count} documents");
        return stream.Documents[0].RootNode as YamlMappingNode
            ?? throw new SpecException(file, "(document)", (int)stream.Documents[0].RootNode.Start.Line, "a mapping of fields", stream.Documents[0].RootNode.NodeType.ToString());
    }

    /// <summary>The line of the last YAML event the parser reads before it fails, for errors that come without a position.</summary>
    private static int? LastParsedLine(string yaml)
    {
        var parser = new Parser(new StringReader(yaml));
        int? line = null;
        try
        {
            while (parser.MoveNext())
                line = (int?)parser.Current?.Start.Line;
        }
        catch (Exception e) when (e is YamlException or InvalidOperationException)
        {
        }
        return line;
    }

    /// <summary>Sets <c>a.b.c=value</c> in the tree, creating mappings on the way; the value is parsed as YAML.</summary>
    /// <param name="origins">Records the override behind every node it adds, so that errors in them name it rather than a line of the file.</param>
    private static void ApplyOverride(YamlMappingNode root, string assignment, string file, Dictionary<YamlNode, string> origins)
    {
        var eq = assignment.IndexOf('=');
        if (eq <= 0)
            throw new SpecException(file, "--set", null, "PATH=VALUE (e.g. dataset.path=/data/mnist)", $"'{assignment}'", assignment);
        var keys = assignment[..eq].Trim().Split('.');
        var valueStream = new YamlStream();
        try
        {
            valueStream.Load(new StringReader(assignment[(eq + 1)..]));
        }
        catch (Exception e) when (e is YamlException or InvalidOperationException)
        {
            throw new SpecException(file, "--set " + assignment[..eq], null, "a YAML value", $"'{assignment[(eq + 1)..]}'", assignment);
        }
        YamlNode value = valueStream.Documents.Count == 0 ? new YamlScalarNode("") : valueStream.Documents[0].RootNode;

        var node = root;
        for (var i = 0; i < keys.Length - 1; i++)
        {
            var key = new YamlScalarNode(keys[i]);
            if (node.Children.TryGetValue(key, out var child) && child is YamlMappingNode mapping)
            {
                node = mapping;
                continue;
            }
            if (child is not null && !(child is YamlScalarNode s && string.IsNullOrEmpty(s.Value)))
                throw new SpecException(file, string.Join('.', keys[..(i + 1)]), null, "a mapping to set a field in", "a value", assignment);
            var created = new YamlMappingNode();
            origins[created] = assignment;
            node.Children[key] = created;
            node = created;
        }
        foreach (var added in value.AllNodes)
            origins[added] = assignment;
        node.Children[new YamlScalarNode(keys[^1])] = value;
    }

    /// <summary>
    /// Binds a run spec that is one mapping inside another file (a sweep's inline <c>base:</c>): errors name that
    /// file's lines and the field below <paramref name="path"/>. Dataset paths stay as written, for the cluster's workers.
    /// </summary>
    internal static RunSpec Bind(YamlMappingNode root, string file, string path)
    {
        var f = new YamlFields(file, path, root, YamlFields.NoOrigins);
        var spec = Bind(f, resolvePaths: false);
        try
        {
            spec.RequireShardable(1, file);
        }
        catch (SpecException e)
        {
            throw f.Error("batch_size", e.Expected, e.Found);
        }
        return spec;
    }

    internal static string Render(YamlMappingNode root)
    {
        var writer = new StringWriter(CultureInfo.InvariantCulture);
        new YamlStream(new YamlDocument(root)).Save(writer, assignAnchors: false);
        var text = writer.ToString();
        return text.EndsWith("...\n", StringComparison.Ordinal) ? text[..^4] : text;
    }

    private static RunSpec Bind(YamlFields f, bool resolvePaths)
    {
        var model = BindModel(f.Section("model"));
        var dataset = BindDataset(f.Section("dataset"), resolvePaths);
        CheckCompatible(f, model, dataset);
        var defaults = ModelDefaults.For(model.Name);
        var optimizers = f.Section("optimizers");
        var spec = new RunSpec
        {
            Name = f.String("name", "run"),
            Seed = f.Long("seed", 0, long.MaxValue, 0),
            Steps = f.Int("steps", 1, 100_000_000),
            BatchSize = f.Int("batch_size", 1, 1 << 20, 64),
            Device = ParseDevice(f),
            Threads = f.Int("threads", 0, 1024, 0),
            Model = model,
            Dataset = dataset,
            Loss = BindLoss(f.Section("loss")),
            Labels = BindLabels(f.Section("labels")),
            Augment = f.Has("augment") ? BindAugment(f.Section("augment"), dataset) : AugmentSpec.None,
            GeneratorOptimizer = BindOptimizer(optimizers.Section("g"), defaults.Optimizer),
            DiscriminatorOptimizer = BindOptimizer(optimizers.Section("d"), defaults.Optimizer),
            Ema = f.Has("ema") ? BindEma(f.Section("ema")) : null,
            DiscriminatorStepsPerGeneratorStep = f.Int("d_steps", 1, 100, 1),
            MicroBatches = f.Int("micro_batches", 1, 4096, 1),
            ReportEvery = f.Int("report_every", 1, 1_000_000, 50),
            CheckpointEvery = f.Int("checkpoint_every", 0, 100_000_000, 0),
            KeepCheckpoints = f.Int("keep_checkpoints", 1, 10_000, 3),
            SampleEvery = f.Int("sample_every", 0, 100_000_000, 0),
            SampleCount = f.Int("sample_count", 1, 100_000, 64),
            Health = BindHealth(f.Section("health"), dataset),
            KeepBest = f.Raw("keep_best") is YamlScalarNode { Value: "none" } ? null
                : f.Has("keep_best") ? BindKeepBest(f.Section("keep_best"))
                : BestCheckpointSpec.QualityOf(dataset.Kind),
            DataParallel = f.Has("data_parallel") ? BindDataParallel(f.Section("data_parallel")) : DataParallelSpec.Exact,
        };
        optimizers.RejectUnknown();
        f.RejectUnknown();
        if (model.IsConditional && spec.Loss.GradientPenaltyWeight > 0)
            throw f.Error("loss.gp_weight", "0 for a class-conditional model (WGAN-GP's interpolates between real and fake samples have no single class)", spec.Loss.GradientPenaltyWeight.ToString(CultureInfo.InvariantCulture));
        return spec;
    }

    private static string ParseDevice(YamlFields f)
    {
        var device = f.String("device", "cpu");
        if (device == "cpu" || device == "cuda")
            return device;
        if (device.StartsWith("cuda:", StringComparison.Ordinal) && int.TryParse(device[5..], out var index) && index >= 0)
            return device;
        throw f.Error("device", "'cpu', 'cuda' or 'cuda:N'", $"'{device}'");
    }

    private static ModelSpec BindModel(YamlFields f)
    {
        var name = f.Kind<ModelKind>("name");
        var d = ModelDefaults.For(name);
        var model = new ModelSpec(name, f.Int("latent_dim", 1, 4096, d.LatentDim), f.Int("hidden", 1, 65536, d.Hidden), f.Int("layers", 1, 64, d.Layers),
            f.OptionalInt("d_hidden", 1, 65536), f.Int("classes", 0, 1000, 0))
        {
            AntiCollapse = BindAntiCollapse(f),
        };
        f.RejectUnknown();
        return model;
    }

    private static AntiCollapseSpec BindAntiCollapse(YamlFields f)
    {
        var (kernels, dims) = (0, AntiCollapseSpec.None.MinibatchKernelDims);
        if (f.Has("minibatch_discrimination"))
        {
            var m = f.Section("minibatch_discrimination");
            (kernels, dims) = (m.Int("kernels", 1, 1024, 50), m.Int("dims", 1, 256, 5));
            m.RejectUnknown();
        }
        return new AntiCollapseSpec(f.Int("pack", 1, 64, 1), f.Int("minibatch_stddev", 0, 4096, 0), kernels, dims, f.Bool("spectral_norm", false));
    }

    private static DatasetSpec BindDataset(YamlFields f, bool resolvePaths)
    {
        var kind = f.Kind<DatasetKind>("kind");
        var needsPath = !kind.IsMixture();
        var path = f.OptionalString("path");
        if (needsPath && string.IsNullOrWhiteSpace(path))
            throw f.Error("path", $"a directory holding the '{SpecName.Of(kind)}' dataset", "nothing");
        var dataset = new DatasetSpec(
            kind,
            path is null || !resolvePaths ? path : Path.GetFullPath(path),
            f.Choice("split", ["train", "test"], "train"),
            f.Int("image_size", 4, 1024, kind == DatasetKind.Images ? 64 : 28),
            f.Int("channels", 1, 3, kind == DatasetKind.Images ? 3 : 1),
            f.OptionalInt("limit", 1, int.MaxValue));
        if (dataset.Channels == 2)
            throw f.Error("channels", "1 (grey) or 3 (RGB)", "2");
        f.RejectUnknown();
        return dataset;
    }

    private static void CheckCompatible(YamlFields f, ModelSpec model, DatasetSpec dataset)
    {
        var (modelName, datasetName) = (SpecName.Of(model.Name), SpecName.Of(dataset.Kind));
        var is2D = dataset.Kind.IsMixture();
        if (model.Name == ModelKind.Toy && !is2D)
            throw f.Error("model.name", $"an image model ({string.Join(", ", SpecName.All<ModelKind>().Where(m => m != SpecName.Of(ModelKind.Toy)))}) for image dataset {datasetName}", "'toy', which generates 2D points");
        if (model.Name != ModelKind.Toy && is2D)
            throw f.Error("model.name", $"'toy' for the 2D mixture '{datasetName}'", $"'{modelName}'");
        if (model.Name is ModelKind.Dcgan28 or ModelKind.Radford28 && dataset.ImageSize != 28)
            throw f.Error("dataset.image_size", $"28 for model {modelName}", dataset.ImageSize.ToString(CultureInfo.InvariantCulture));
        if (model.Name == ModelKind.Dcgan64 && dataset.ImageSize != 64)
            throw f.Error("dataset.image_size", "64 for model dcgan64", dataset.ImageSize.ToString(CultureInfo.InvariantCulture));
        if (model.IsConditional && dataset.Kind != DatasetKind.Idx)
            throw f.Error("model.classes", $"0 for dataset {datasetName}, which has no class labels (class-conditional training needs an idx dataset)", model.Classes.ToString(CultureInfo.InvariantCulture));
        if (dataset.Kind == DatasetKind.Idx && dataset.ImageSize != 28)
            throw f.Error("dataset.image_size", "28 for IDX datasets (MNIST, Fashion-MNIST)", dataset.ImageSize.ToString(CultureInfo.InvariantCulture));
    }

    private static LossSpec BindLoss(YamlFields f)
    {
        var kind = f.Kind("kind", LossKind.NonSaturating);
        var loss = new LossSpec(kind, f.Double("gp_weight", 0, 1e6, kind == LossKind.WganGp ? 10 : 0), f.Double("r1_gamma", 0, 1e6, 0));
        f.RejectUnknown();
        return loss;
    }

    private static LabelSpec BindLabels(YamlFields f)
    {
        var labels = new LabelSpec(
            f.Double("real_target", 0.5, 1, 1),
            f.Double("flip_probability", 0, 0.5, 0),
            f.Double("instance_noise", 0, 10, 0),
            f.Int("instance_noise_decay_steps", 0, int.MaxValue, 0));
        f.RejectUnknown();
        return labels;
    }

    private static DataParallelSpec BindDataParallel(YamlFields f)
    {
        var spec = new DataParallelSpec(f.Kind("compression", GradientCompression.None), f.Bool("overlap", true),
            f.Double("bucket_mb", 1.0 / 1024, 1024, DataParallelSpec.DefaultBucketMegabytes));
        f.RejectUnknown();
        return spec;
    }

    private static AugmentSpec BindAugment(YamlFields f, DatasetSpec dataset)
    {
        var augment = new AugmentSpec(f.Double("translation", 0, 0.5, 0), f.Double("cutout", 0, 0.99, 0), f.Bool("color", false));
        f.RejectUnknown();
        if (augment.IsOn && dataset.Kind.IsMixture())
            throw f.Error("translation", $"augmentation of images, and dataset {SpecName.Of(dataset.Kind)} is 2D points", "augment");
        return augment;
    }

    private static OptimizerSpec BindOptimizer(YamlFields f, OptimizerSpec d)
    {
        var kind = f.Kind("kind", d.Kind);
        var (beta1, beta2) = f.Pair("betas", 0, 0.99999, (d.Beta1, d.Beta2));
        var optimizer = new OptimizerSpec(
            kind,
            f.Double("lr", 1e-12, 10, d.LearningRate),
            beta1,
            beta2,
            f.Double("alpha", 0, 0.99999, d.Alpha),
            f.Double("momentum", 0, 0.99999, d.Momentum),
            f.Double("weight_decay", 0, 1, d.WeightDecay),
            f.Has("lr_end") ? f.Double("lr_end", 0, 10, 0) : null);
        f.RejectUnknown();
        return optimizer;
    }

    /// <summary>
    /// Periodic evaluation is on by default at a cadence whose measured cost is under 5% of training time
    /// (bench/README.md): every 500 steps for the 2D mixtures, every 12,500 for images (the image metrics
    /// take seconds; that cadence holds them under 5% even for the fastest model, the MLP).
    /// </summary>
    private static BestCheckpointSpec BindKeepBest(YamlFields f)
    {
        var metric = f.String("metric");
        if (!Sweeps.SweepMetric.IsKnown(metric))
            throw f.Error("metric", $"a value of the health record: {string.Join(", ", Sweeps.SweepMetric.Known)} (or fd_EXTRACTOR)", $"'{metric}'");
        var best = new BestCheckpointSpec(metric, f.Choice("goal", ["min", "max"]) == "min" ? Sweeps.MetricGoal.Min : Sweeps.MetricGoal.Max, f.Int("count", 1, 1000, 1));
        f.RejectUnknown();
        return best;
    }

    private static HealthSpec BindHealth(YamlFields f, DatasetSpec dataset)
    {
        var defaultEvery = dataset.Kind.IsMixture() ? 500 : 12_500;
        var health = new HealthSpec(f.Int("window", 4, 10_000, 32), f.Int("eval_every", 0, 100_000_000, defaultEvery), f.Int("eval_samples", 10, 1_000_000, 2500),
            f.Kind("on_collapse", CollapsePolicy.Flag));
        f.RejectUnknown();
        return health;
    }

    private static EmaSpec BindEma(YamlFields f)
    {
        var ema = new EmaSpec(f.Double("decay", 0, 0.999999, 0.999), f.Int("start_step", 0, int.MaxValue, 0));
        f.RejectUnknown();
        return ema;
    }
}
