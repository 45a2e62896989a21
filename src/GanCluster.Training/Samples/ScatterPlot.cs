namespace GanCluster.Training.Samples;

/// <summary>Generated 2D points (blue) over the true mixture modes (red rings of 3 sd, crosses at the centres).</summary>
public static class ScatterPlot
{
    private static readonly (byte, byte, byte) Sample = (30, 90, 200);
    private static readonly (byte, byte, byte) Mode = (220, 30, 30);
    private static readonly (byte, byte, byte) Axis = (215, 215, 215);

    public static PngCanvas Render(float[,] points, float[,] modes, double modeSd, int size = 512)
    {
        var extent = 1.5 * Enumerable.Range(0, modes.GetLength(0))
            .Max(i => Math.Max(Math.Abs(modes[i, 0]), Math.Abs(modes[i, 1])));
        var canvas = new PngCanvas(size, size, (255, 255, 255));
        int ToPixel(double v) => (int)Math.Round((v + extent) / (2 * extent) * (size - 1));

        var centre = ToPixel(0);
        canvas.FillRectangle(0, centre, size, 1, Axis);
        canvas.FillRectangle(centre, 0, 1, size, Axis);
        for (var i = 0; i < points.GetLength(0); i++)
            canvas.FillRectangle(ToPixel(points[i, 0]) - 1, size - 1 - ToPixel(points[i, 1]) - 1, 3, 3, Sample);
        var radius = Math.Max(3, 3 * modeSd / (2 * extent) * size);
        for (var m = 0; m < modes.GetLength(0); m++)
        {
            var (mx, my) = (ToPixel(modes[m, 0]), size - 1 - ToPixel(modes[m, 1]));
            for (var a = 0; a < 360; a += 3)
                canvas[(int)(mx + radius * Math.Cos(a * Math.PI / 180)), (int)(my + radius * Math.Sin(a * Math.PI / 180))] = Mode;
            canvas.FillRectangle(mx - 4, my, 9, 1, Mode);
            canvas.FillRectangle(mx, my - 4, 1, 9, Mode);
        }
        return canvas;
    }
}
