using GanCluster.Training.Data;
using static TorchSharp.torch;

namespace GanCluster.Training.Samples;

/// <summary>Renders G's samples for a dataset: a scatter over the modes for 2D mixtures, an image grid otherwise.</summary>
public static class SampleWriter
{
    public static void WritePng(Tensor samples, IGanDataset dataset, string path)
    {
        var canvas = dataset is GaussianMixture mixture
            ? ScatterPlot.Render(ToPoints(samples), mixture.Modes, mixture.StandardDeviation)
            : ImageGrid.Render(samples);
        canvas.Save(path);
    }

    public static float[,] ToPoints(Tensor samples)
    {
        using var cpuSamples = samples.detach().cpu().contiguous();
        var flat = cpuSamples.data<float>().ToArray();
        var points = new float[flat.Length / 2, 2];
        Buffer.BlockCopy(flat, 0, points, 0, flat.Length * sizeof(float));
        return points;
    }
}
