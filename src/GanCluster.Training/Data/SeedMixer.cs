namespace GanCluster.Training.Data;

/// <summary>Derives independent, reproducible seeds from (seed, stream, index) with SplitMix64 finalisers.</summary>
public static class SeedMixer
{
    public static long Mix(long seed, long stream, long index)
    {
        var x = Finalise(unchecked((ulong)seed + 0x9E3779B97F4A7C15UL));
        x = Finalise(x ^ unchecked((ulong)stream * 0xBF58476D1CE4E5B9UL));
        x = Finalise(x ^ unchecked((ulong)index * 0x94D049BB133111EBUL));
        return (long)(x >> 1);
    }

    private static ulong Finalise(ulong z)
    {
        z = unchecked((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL);
        z = unchecked((z ^ (z >> 27)) * 0x94D049BB133111EBUL);
        return z ^ (z >> 31);
    }
}
