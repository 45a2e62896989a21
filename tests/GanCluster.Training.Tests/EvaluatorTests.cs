using GanCluster.Training.Checkpoints;
using GanCluster.Training.Data;
using GanCluster.Training.Evaluation;
using static TorchSharp.torch;

namespace GanCluster.Training.Tests;

public sealed class EvaluatorTests
{
    private static Evaluator Fit(LabelledImages data, EvaluatorTrainingOptions options, string path = "/data") =>
        EvaluatorTraining.Train("mnist", "mnist-lenet", "idx", path, data, options);

    [Fact]
    public void Training_is_deterministic_and_the_cached_file_round_trips_with_its_checksum()
    {
        var folder = TestData.WriteIdx(400, gzip: false);
        using var data = LabelledImages.LoadIdx(folder);
        var options = new EvaluatorTrainingOptions(Epochs: 2, Threads: 1, ReferenceCount: 300);
        using var first = Fit(data, options);
        using var second = Fit(data, options);
        Assert.Equal(first.Info.WeightsSha256, second.Info.WeightsSha256);
        Assert.Equal(first.Info.DataFingerprint, second.Info.DataFingerprint);
        using var other = Fit(data, options with { Seed = 2 });
        Assert.NotEqual(first.Info.WeightsSha256, other.Info.WeightsSha256);

        var file = Path.Combine(TestData.NewDirectory(), "mnist.evaluator");
        first.Save(file);
        using var loaded = Evaluator.Load(file);
        Assert.Equal(first.Info.WeightsSha256, loaded.Info.WeightsSha256);
        using var images = TensorDataset.ToUnitRange(data.TestImages.narrow(0, 0, 50), CPU);
        var (f1, l1) = first.Embed(images);
        var (f2, l2) = loaded.Embed(images);
        Assert.True(f1.eq(f2).all().item<bool>() && l1.eq(l2).all().item<bool>(), "a loaded evaluator must embed exactly like the one saved");

        var bytes = File.ReadAllBytes(file);
        bytes[bytes.Length / 3] ^= 0x01;
        File.WriteAllBytes(file, bytes);
        Assert.Throws<CheckpointException>(() => Evaluator.Load(file));
    }

    [Fact]
    public void Folder_datasets_are_labelled_by_sub_folder_and_hold_out_a_fifth_of_each()
    {
        var folder = TestData.WritePgmFolder(subjects: 3, perSubject: 5);
        using var data = LabelledImages.LoadFolders(folder, imageSize: 16, channels: 1);
        Assert.Equal(["s1", "s2", "s3"], data.ClassNames);
        Assert.Equal(12, data.TrainImages.shape[0]);
        Assert.Equal(3, data.TestImages.shape[0]);
        Assert.Equal(new long[] { 0, 1, 2 }, data.TestLabels.data<long>().ToArray());
        var flat = TestData.NewDirectory();
        File.Copy(Path.Combine(folder, "s1", "1.pgm"), Path.Combine(flat, "a.pgm"));
        File.Copy(Path.Combine(folder, "s1", "2.pgm"), Path.Combine(flat, "b.pgm"));
        var error = Assert.Throws<DatasetException>(() => LabelledImages.LoadFolders(flat, 16, 1));
        Assert.Contains("one sub-folder per class", error.Message);
    }

    /// <summary>
    /// The MNIST evaluator on real data (two quick epochs on 20k images): accuracy, then real held-out digits
    /// against the training reference near the ceiling, and known-bad image sets far from it.
    /// </summary>
    [Fact]
    public void Mnist_evaluator_scores_real_test_digits_near_the_ceiling_and_bad_sets_far_below()
    {
        var mnist = TestData.RequireShared("mnist");
        using var data = LabelledImages.LoadIdx(mnist);
        using var evaluator = Fit(data, new EvaluatorTrainingOptions(Epochs: 2, Threads: 2, TrainLimit: 20_000, ReferenceCount: 5_000), mnist);
        Assert.True(evaluator.Info.TestAccuracy >= 0.97, $"test accuracy {evaluator.Info.TestAccuracy:P2}");

        var ceiling = evaluator.Info.Ceiling!;
        Assert.Equal(10, ceiling.Classes.ClassesCovered);
        Assert.True(ceiling.Classes.ClassifierScore >= 9.0, $"classifier score of real test digits {ceiling.Classes.ClassifierScore:F3}");
        Assert.True(ceiling.Classes.LabelEntropy >= 0.99 * Math.Log(10));
        Assert.True(ceiling.Neighbourhood.Precision >= 0.85 && ceiling.Neighbourhood.Recall >= 0.85, $"{ceiling.Neighbourhood}");
        Assert.True(ceiling.Neighbourhood.Coverage >= 0.85, $"{ceiling.Neighbourhood}");

        // Noise images: nothing like a digit.
        using var generator = new Generator(7);
        using var noise = rand([2000, 1, 28, 28], generator: generator).mul_(2).sub_(1);
        var bad = evaluator.Evaluate(noise);
        Assert.True(bad.FrechetDistance > 20 * ceiling.FrechetDistance, $"noise FD {bad.FrechetDistance:F3} vs real {ceiling.FrechetDistance:F3}");
        // Precision is not robust to outliers (Naeem et al.): noise features fall inside the large k-NN balls of
        // atypical real digits. Density, recall and coverage are the measures that reject it.
        Assert.True(bad.Neighbourhood.Density < 0.3 && bad.Neighbourhood.Recall < 0.05 && bad.Neighbourhood.Coverage < 0.05, $"{bad.Neighbourhood}");

        // Real test digits without the 9s: one mode dropped.
        using var keep = data.TestLabels.ne(9).nonzero().squeeze(1);
        using var withoutNines = TensorDataset.ToUnitRange(data.TestImages.index_select(0, keep), CPU);
        var dropped = evaluator.Evaluate(withoutNines);
        Assert.Equal(9, dropped.Classes.ClassesCovered);
        Assert.True(dropped.Neighbourhood.Recall < ceiling.Neighbourhood.Recall - 0.05, $"recall {dropped.Neighbourhood.Recall:F3} vs {ceiling.Neighbourhood.Recall:F3}");
        Assert.True(dropped.FrechetDistance > 2 * ceiling.FrechetDistance, $"FD {dropped.FrechetDistance:F3} vs {ceiling.FrechetDistance:F3}");

        // All samples one real digit: a single class, no diversity.
        using var one = TensorDataset.ToUnitRange(data.TestImages.narrow(0, 0, 1).expand(2000, 1, 28, 28).contiguous(), CPU);
        var collapsed = evaluator.Evaluate(one);
        Assert.Equal(1, collapsed.Classes.ClassesCovered);
        Assert.InRange(collapsed.Classes.ClassifierScore, 0.999999, 1.01);
        Assert.True(collapsed.Neighbourhood.Recall < 0.01);
    }
}
