using System.Diagnostics;
using System.Text.RegularExpressions;

namespace TrainInsight.EndToEnd.Tests;

/// <summary>The console sample as a user runs it, with its output redirected to a file or a pipe (CI, tee, nohup).</summary>
public sealed partial class ConsoleSampleTests
{
    [FashionMnistFact]
    public async Task Run_OutputRedirected_PrintsEveryCommandOnOneLineAndFinishes()
    {
        var sample = Path.Combine(RepositoryRoot(), "samples", "TrainInsight.Samples.Console", "bin", "Release", "net10.0", "traininsight-sample.dll");
        var start = new ProcessStartInfo("dotnet", [sample, "--epochs", "1", "--limit", "512", "--no-db", "--no-checkpoints", "--urls", "http://127.0.0.1:0"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Path.GetTempPath(),
        };
        using var process = Process.Start(start)!;
        var stderr = process.StandardError.ReadToEndAsync();
        var output = await process.StandardOutput.ReadToEndAsync();
        using var cts = new CancellationTokenSource(Poll.DefaultTimeout * 6);
        await process.WaitForExitAsync(cts.Token);

        process.ExitCode.Should().Be(0, await stderr);
        var lines = output.Split('\n', StringSplitOptions.TrimEntries);
        var port = PortOf().Match(output).Groups[1].Value;
        port.Should().NotBeEmpty(output);
        lines.Should().Contain(l => l.EndsWith($"curl -X POST http://127.0.0.1:{port}/api/training/control -H 'Content-Type: application/json' -d '{{\"action\":\"pause\"}}'", StringComparison.Ordinal),
            "redirected output is not wrapped at 80 columns, so the command can be copied as printed");
        lines.Should().Contain(l => l.StartsWith("epoch 1 done: train loss", StringComparison.Ordinal));
        lines.Should().Contain(l => l.StartsWith("Run ", StringComparison.Ordinal) && l.Contains(" completed after ", StringComparison.Ordinal));
    }

    [GeneratedRegex(@"http://127\.0\.0\.1:(\d+)/api/stream/metrics")]
    private static partial Regex PortOf();

    private static string RepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "TrainInsight.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException("TrainInsight.sln not found above " + AppContext.BaseDirectory);
    }
}
