using System.Diagnostics;

namespace GanCluster.Cli.Tests;

/// <summary>Runs the real <c>gancluster</c> executable in a child process, as a user would.</summary>
internal static class CliProcess
{
    public sealed record Result(int ExitCode, string Output)
    {
        public override string ToString() => $"exit {ExitCode}\n{Output}";
    }

    public static Result Run(string workingDirectory, params string[] args)
    {
        using var process = Start(workingDirectory, args);
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromMinutes(5)))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"gancluster {string.Join(' ', args)} did not finish in 5 minutes");
        }
        return new Result(process.ExitCode, stdout.Result + stderr.Result);
    }

    /// <summary>Runs one of the cluster's programs (<c>src/PROJECT</c>, Release) to its end, as a pod's hook would.</summary>
    public static Result RunProgram(string project, string workingDirectory, params string[] args)
    {
        var dll = Path.Combine(ExampleSpecTests.RepositoryRoot(), "src", project, "bin", "Release", "net10.0", $"{project}.dll");
        var start = new ProcessStartInfo("dotnet") { WorkingDirectory = workingDirectory, RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(dll);
        foreach (var a in args)
            start.ArgumentList.Add(a);
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromMinutes(3)))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{project} {string.Join(' ', args)} did not finish in 3 minutes");
        }
        return new Result(process.ExitCode, stdout.Result + stderr.Result);
    }

    /// <summary>Starts <c>gancluster</c> without waiting; the caller reads its redirected output and disposes it.</summary>
    public static Process Start(string workingDirectory, params string[] args)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "gancluster.dll"));
        foreach (var a in args)
            start.ArgumentList.Add(a);
        start.Environment["NO_COLOR"] = "1";
        // Each test has its own evaluator cache: never the user's, never another test's.
        start.Environment["GANCLUSTER_CACHE"] = Path.Combine(workingDirectory, "cache");
        return Process.Start(start)!;
    }

    public static string NewDirectory()
    {
        var path = Path.Combine(Path.GetTempPath(), "gancluster-cli-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(path);
        return path;
    }

    public static string WriteSpec(string directory, string yaml, string name = "spec.yaml")
    {
        var path = Path.Combine(directory, name);
        File.WriteAllText(path, yaml);
        return path;
    }

    /// <summary>Writes <paramref name="count"/> random 28×28 "digits" (labels i mod 10) as MNIST-layout IDX train and test pairs into <c>directory/name</c>.</summary>
    public static string WriteDigits(string directory, int count, string name = "digits")
    {
        var digits = Directory.CreateDirectory(Path.Combine(directory, name)).FullName;
        var images = new byte[16 + count * 784];
        System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(images, 0x803);
        System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(images.AsSpan(4), count);
        System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(images.AsSpan(8), 28);
        System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(images.AsSpan(12), 28);
        new Random(2).NextBytes(images.AsSpan(16));
        var labels = new byte[8 + count];
        System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(labels, 0x801);
        System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(labels.AsSpan(4), count);
        for (var i = 0; i < count; i++)
            labels[8 + i] = (byte)(i % 10);
        File.WriteAllBytes(Path.Combine(digits, "train-images-idx3-ubyte"), images);
        File.WriteAllBytes(Path.Combine(digits, "train-labels-idx1-ubyte"), labels);
        // The same images as the test split, so an evaluator can be fitted to this folder too.
        File.WriteAllBytes(Path.Combine(digits, "t10k-images-idx3-ubyte"), images);
        File.WriteAllBytes(Path.Combine(digits, "t10k-labels-idx1-ubyte"), labels);
        return digits;
    }

    /// <summary>A dcgan28 spec (BatchNorm, dropout, RMSprop, EMA) on a small IDX set written here.</summary>
    public const string Dcgan28Yaml = """
        name: e2e
        seed: 11
        steps: 20
        batch_size: 8
        threads: 1
        model: { name: dcgan28 }
        dataset: { kind: idx, path: digits }
        labels: { real_target: 0.9, flip_probability: 0.05 }
        ema: { decay: 0.9 }
        report_every: 5
        checkpoint_every: 10
        sample_every: 10
        sample_count: 16
        """;
}
