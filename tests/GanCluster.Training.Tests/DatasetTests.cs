using GanCluster.Training.Data;
using GanCluster.Specs;
using StbImageWriteSharp;
using static TorchSharp.torch;

namespace GanCluster.Training.Tests;

public sealed class DatasetTests
{
    private static DatasetSpec Idx(string path, string split = "train") => new(DatasetKind.Idx, path, split, 28, 1, null);

    [Fact]
    public void Idx_loads_gzipped_and_raw_files_identically()
    {
        using var gz = (TensorDataset)DatasetFactory.Open(Idx(TestData.WriteIdx(50, gzip: true)), seed: 1);
        using var raw = (TensorDataset)DatasetFactory.Open(Idx(TestData.WriteIdx(50, gzip: false)), seed: 1);
        Assert.Equal(50, gz.Count);
        Assert.Equal([1L, 28, 28], gz.SampleShape);
        Assert.Equal(gz.Images.data<byte>().ToArray(), raw.Images.data<byte>().ToArray());
        Assert.Equal(Enumerable.Range(0, 50).Select(i => (byte)(i % 10)), gz.Labels!.data<byte>().ToArray());
        using var batch = gz.Batch(0, ShardSlice.Single(16), CPU);
        Assert.InRange(batch.min().ToSingle(), -1f, -0.9f);
        Assert.InRange(batch.max().ToSingle(), 0.9f, 1f);
    }

    [Fact]
    public void Truncated_idx_file_is_named_with_what_is_wrong()
    {
        var dir = TestData.WriteIdx(20, gzip: false);
        var images = Path.Combine(dir, "train-images-idx3-ubyte");
        var bytes = File.ReadAllBytes(images);
        File.WriteAllBytes(images, bytes[..^100]);
        var e = Assert.Throws<DatasetException>(() => DatasetFactory.Open(Idx(dir), 1));
        Assert.Equal(images, e.Path);
        Assert.Contains("truncated", e.Message);
    }

    [Fact]
    public void Wrong_magic_corrupt_gzip_and_missing_files_are_named()
    {
        var dir = TestData.WriteIdx(5, gzip: false);
        var images = Path.Combine(dir, "train-images-idx3-ubyte");
        var bytes = File.ReadAllBytes(images);
        bytes[2] = 0x0D;
        File.WriteAllBytes(images, bytes);
        Assert.Contains("magic", Assert.Throws<DatasetException>(() => DatasetFactory.Open(Idx(dir), 1)).Message);

        File.WriteAllBytes(images, [0x1f, 0x8b, 1, 2, 3, 4, 5]);
        Assert.Contains("gzip", Assert.Throws<DatasetException>(() => DatasetFactory.Open(Idx(dir), 1)).Message);

        File.Delete(images);
        var missing = Assert.Throws<DatasetException>(() => DatasetFactory.Open(Idx(dir), 1));
        Assert.Contains("train-images-idx3-ubyte", missing.Message);
        Assert.Contains("missing", missing.Message);
        Assert.Contains("no such directory", Assert.Throws<DatasetException>(() => DatasetFactory.Open(Idx("/nonexistent/mnist"), 1)).Message);
    }

    [Fact]
    public void Orl_layout_pgm_folder_loads_resized_and_cropped()
    {
        var dir = TestData.WritePgmFolder(subjects: 3, perSubject: 2);
        using var dataset = DatasetFactory.Open(new DatasetSpec(DatasetKind.Images, dir, "train", 64, 1, null), 1);
        Assert.Equal(6, dataset.Count);
        Assert.Equal([1L, 64, 64], dataset.SampleShape);
        using var rgb = DatasetFactory.Open(new DatasetSpec(DatasetKind.Images, dir, "train", 32, 3, null), 1);
        Assert.Equal([3L, 32, 32], rgb.SampleShape);
    }

    [Fact]
    public void Celeba_style_jpeg_and_png_folders_load_in_colour()
    {
        var dir = Path.Combine(TestData.NewDirectory(), "img_align_celeba");
        Directory.CreateDirectory(dir);
        // A 178×218 image (CelebA's aligned size): left half red, right half blue.
        var (w, h) = (178, 218);
        var rgb = new byte[w * h * 3];
        for (var y = 0; y < h; y++)
            for (var x = 0; x < w; x++)
                (rgb[(y * w + x) * 3], rgb[(y * w + x) * 3 + 2]) = x < w / 2 ? ((byte)255, (byte)0) : ((byte)0, (byte)255);
        using (var jpg = File.Create(Path.Combine(dir, "000001.jpg")))
            new ImageWriter().WriteJpg(rgb, w, h, ColorComponents.RedGreenBlue, jpg, 95);
        using (var png = File.Create(Path.Combine(dir, "000002.png")))
            new ImageWriter().WritePng(rgb, w, h, ColorComponents.RedGreenBlue, png);
        var pixels = ImageFolderReader.LoadOne(Path.Combine(dir, "000002.png"), 64, 3);
        Assert.Equal(255, pixels[0 * 64 * 64 + 32 * 64 + 2]);   // red channel, left side
        Assert.Equal(255, pixels[2 * 64 * 64 + 32 * 64 + 61]);  // blue channel, right side
        using var dataset = DatasetFactory.Open(new DatasetSpec(DatasetKind.Images, dir, "train", 64, 3, null), 1);
        Assert.Equal(2, dataset.Count);
    }

    [Fact]
    public void Undecodable_image_names_its_path()
    {
        var dir = TestData.NewDirectory();
        File.WriteAllText(Path.Combine(dir, "broken.jpg"), "not a jpeg");
        var e = Assert.Throws<DatasetException>(() => DatasetFactory.Open(new DatasetSpec(DatasetKind.Images, dir, "train", 64, 3, null), 1));
        Assert.EndsWith("broken.jpg", e.Path);
        var pgm = TestData.NewDirectory();
        File.WriteAllText(Path.Combine(pgm, "1.pgm"), "P5\n92 112\n255\n" + new string('x', 10));
        Assert.Contains("truncated PGM raster", Assert.Throws<DatasetException>(() => DatasetFactory.Open(new DatasetSpec(DatasetKind.Images, pgm, "train", 64, 1, null), 1)).Message);
    }

    [Fact]
    public void Shared_orl_faces_load_when_present()
    {
        var dir = TestData.RequireShared("faces/att-orl");
        using var dataset = DatasetFactory.Open(new DatasetSpec(DatasetKind.Images, dir, "train", 64, 1, null), 1);
        Assert.Equal(400, dataset.Count);
    }

    [Fact]
    public void Ranks_take_disjoint_shards_that_make_up_the_global_batch()
    {
        using var dataset = new TensorDataset(arange(100, dtype: ScalarType.Int32).to_type(ScalarType.Byte).view(100, 1, 1, 1), seed: 9);
        for (var batch = 0; batch < 7; batch++)
        {
            using var global = dataset.Batch(batch, ShardSlice.Single(24), CPU);
            var shards = Enumerable.Range(0, 3).Select(r => dataset.Batch(batch, new ShardSlice(r, 3, 24), CPU)).ToList();
            using var joined = cat(shards, 0);
            Assert.Equal(global.data<float>().ToArray(), joined.data<float>().ToArray());
            foreach (var s in shards)
                s.Dispose();
        }
        // One epoch of batches visits every sample exactly once (100 = 4 batches of 25).
        var seen = Enumerable.Range(0, 4).SelectMany(b =>
        {
            using var x = dataset.Batch(b, ShardSlice.Single(25), CPU);
            return x.add(1).mul(127.5).round().to_type(ScalarType.Int32).data<int>().ToArray();
        }).Order().ToArray();
        Assert.Equal(Enumerable.Range(0, 100), seen);
    }

    [Fact]
    public void Mixtures_are_deterministic_per_batch_and_match_the_pacgan_parameters()
    {
        using var ring = GaussianMixture.Ring8(seed: 4);
        using var a = ring.Batch(5, ShardSlice.Single(4000), CPU);
        using var b = ring.Batch(5, ShardSlice.Single(4000), CPU);
        using var c = ring.Batch(6, ShardSlice.Single(4000), CPU);
        Assert.Equal(a.data<float>().ToArray(), b.data<float>().ToArray());
        Assert.NotEqual(a.data<float>().ToArray(), c.data<float>().ToArray());
        using var radius = a.pow(2).sum(1).sqrt();
        Assert.InRange(radius.mean().ToDouble(), 0.99, 1.01);
        Assert.InRange(radius.std().ToDouble(), 0.005, 0.015);
        using var grid = GaussianMixture.Grid25(seed: 4);
        Assert.Equal(25, grid.Modes.GetLength(0));
        Assert.Equal((-4f, 4f), (grid.Modes[0, 0], grid.Modes[4, 1]));
        Assert.Equal(0.05, grid.StandardDeviation);
    }
}
