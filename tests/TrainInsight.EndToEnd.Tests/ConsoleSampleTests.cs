using System.Diagnostics;
using System.Text.RegularExpressions;

namespace TrainInsight.EndToEnd.Tests;

/// <summary>The console sample as a user runs it, with its output redirected to a file or a pipe (CI, tee, nohup).</summary>
public sealed partial class ConsoleSampleTests
{
    [FashionMnistFact]
    public async Task Run_OutputRedirected_PrintsEveryCommandOnOneLineAndFinishes()
    {
        var (code, output, stderr) = await RunSampleAsync("--epochs", "1", "--limit", "512", "--no-db", "--no-checkpoints", "--urls", "http://127.0.0.1:0");

        code.Should().Be(0, stderr);
        var lines = output.Split('\n', StringSplitOptions.TrimEntries);
        var port = PortOf().Match(output).Groups[1].Value;
        port.Should().NotBeEmpty(output);
        lines.Should().Contain(l => l.EndsWith($"curl -X POST http://127.0.0.1:{port}/api/training/control -H 'Content-Type: application/json' -d '{{\"action\":\"pause\"}}'", StringComparison.Ordinal),
            "redirected output is not wrapped at 80 columns, so the command can be copied as printed");
        lines.Should().Contain(l => l.StartsWith($"dashboard:    http://127.0.0.1:{port}/", StringComparison.Ordinal), "the dashboard is served at the root");
        lines.Should().Contain(l => l.StartsWith("epoch 1 done: train loss", StringComparison.Ordinal));
        lines.Should().Contain(l => l.StartsWith("Run ", StringComparison.Ordinal) && l.Contains(" completed after ", StringComparison.Ordinal));

        // Diagnosis is on by default; the default settings train healthily.
        lines.Should().NotContain(l => l.Contains("CRITICAL", StringComparison.Ordinal), output);
        lines.Should().Contain(l => l.StartsWith("diagnosis: no open warning or critical finding", StringComparison.Ordinal), output);
    }

    [FashionMnistFact]
    public async Task Run_LearningRateFarTooHighWithSgd_PrintsTheDivergenceFindingAsItIsRaised()
    {
        // SGD at a learning rate of 10 blows the loss up within a few steps; 32 steps, every one published.
        var (code, output, stderr) = await RunSampleAsync(
            "--epochs", "1", "--limit", "1024", "--batch-size", "32", "--metrics-interval", "1", "--optimizer", "sgd", "--lr", "10",
            "--no-db", "--no-checkpoints", "--urls", "http://127.0.0.1:0");

        code.Should().Be(0, stderr);
        var lines = output.Split('\n', StringSplitOptions.TrimEntries);
        var raised = lines.Should().Contain(l => l.StartsWith("finding raised: CRITICAL divergence at step ", StringComparison.Ordinal), output).Which;
        raised.Should().Contain(" - fix: ", "the line names the first suggested fix");
        Array.IndexOf(lines, raised).Should().BeLessThan(Array.FindIndex(lines, l => l.StartsWith("epoch 1 done:", StringComparison.Ordinal)),
            "the finding is shown while the run trains, not after it");
        lines.Should().Contain(l => l.StartsWith("diagnosis: ", StringComparison.Ordinal) && l.Contains("CRITICAL divergence since step ", StringComparison.Ordinal), output);
    }

    [Fact]
    public async Task Run_Help_DocumentsNoDiagnostics()
    {
        var (code, output, _) = await RunSampleAsync("--help");

        code.Should().Be(0);
        output.Should().Contain("--no-diagnostics");
    }

    private static async Task<(int Code, string Output, string Stderr)> RunSampleAsync(params string[] args)
    {
        var sample = Path.Combine(RepositoryRoot(), "samples", "TrainInsight.Samples.Console", "bin", "Release", "net10.0", "traininsight-sample.dll");
        var start = new ProcessStartInfo("dotnet", [sample, .. args])
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
        return (process.ExitCode, output, await stderr);
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
