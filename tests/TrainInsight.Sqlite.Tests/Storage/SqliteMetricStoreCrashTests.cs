using System.Diagnostics;
using System.Globalization;
using System.Reflection;
using Xunit.Abstractions;

namespace TrainInsight.Sqlite.Tests.Storage;

/// <summary>
/// The crash promise: killing the host with SIGKILL mid-run loses at most the last flush interval. A child
/// process (TrainInsight.Sqlite.Tests.Crasher) publishes steadily through a bus into a SqliteMetricStore and prints each
/// step it published; the test kills it, then opens the file.
/// </summary>
public sealed class SqliteMetricStoreCrashTests(ITestOutputHelper output) : IDisposable
{
    private const int FlushMilliseconds = 200;

    // The machine is shared and noisy: allow a generous second on top of the flush interval.
    private static readonly TimeSpan s_slack = TimeSpan.FromSeconds(1);
    private readonly TempDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    [Fact]
    public async Task Store_HostKilledMidRun_KeepsAGapFreePrefixWithEverythingOlderThanOneFlushInterval()
    {
        var path = _directory.File("crash.db");
        var published = new List<(long Step, TimeSpan At)>();
        var clock = Stopwatch.StartNew();
        var ready = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var process = StartCrasher(path, line =>
        {
            if (line == "ready")
            {
                ready.TrySetResult();
            }
            else if (line.StartsWith("published ", StringComparison.Ordinal))
            {
                lock (published)
                {
                    published.Add((long.Parse(line["published ".Length..], CultureInfo.InvariantCulture), clock.Elapsed));
                }
            }
        });

        TimeSpan killedAt;
        try
        {
            await ready.Task.WaitAsync(TimeSpan.FromSeconds(30));

            // Publish for a while: several flush intervals, well beyond the slack.
            var deadline = clock.Elapsed + TimeSpan.FromSeconds(30);
            while (FirstAt(published) > clock.Elapsed - TimeSpan.FromSeconds(2.5))
            {
                clock.Elapsed.Should().BeLessThan(deadline, "the crasher publishes within 30 s");
                process.HasExited.Should().BeFalse("the crasher runs until it is killed");
                await Task.Delay(20);
            }
        }
        finally
        {
            killedAt = clock.Elapsed;
            process.Kill(); // SIGKILL on Linux: no finally blocks, no Dispose, no flush.
        }

        (await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30)).ContinueWith(_ => process.ExitCode, TaskScheduler.Default))
            .Should().Be(137, "SIGKILL ends a process with 128 + 9");
        (long Step, TimeSpan At)[] lines;
        lock (published)
        {
            lines = [.. published];
        }

        var mustBeStored = lines.Where(l => l.At <= killedAt - TimeSpan.FromMilliseconds(FlushMilliseconds) - s_slack).Select(l => l.Step).DefaultIfEmpty(0).Max();
        using var store = new SqliteMetricStore(new SqliteStoreOptions { Path = path });
        var events = await store.ReadEventsAsync(0, 1_000_000);

        output.WriteLine($"published {lines[^1].Step} steps in {(lines[^1].At - lines[0].At).TotalSeconds:F2} s; stored {events.Count}; " +
            $"must be stored (published > {FlushMilliseconds} ms + {s_slack.TotalSeconds} s before the kill): {mustBeStored}");
        store.IsDegraded.Should().BeFalse("the killed process left a readable database");
        mustBeStored.Should().BeGreaterThan(0, "the crasher published for over 2 s before the kill");
        events.Select(e => e.Offset).Should().Equal(Enumerable.Range(1, events.Count).Select(i => (long)i), "the stored events are a gap-free prefix");
        events.Should().OnlyContain(e => ((MetricEvent)e).Step == e.Offset && ((MetricEvent)e).Values.Count == 10);
        events.Count.Should().BeGreaterThanOrEqualTo((int)mustBeStored, $"every step published more than {FlushMilliseconds} ms + {s_slack.TotalSeconds} s before the kill is stored");
        events.Count.Should().BeLessThanOrEqualTo((int)lines[^1].Step + 1, "nothing is stored that was not published (the last one perhaps before it was printed)");
        store.LoadState().LastOffset.Should().Be(events.Count);
    }

    private static TimeSpan FirstAt(List<(long Step, TimeSpan At)> published)
    {
        lock (published)
        {
            return published.Count == 0 ? TimeSpan.MaxValue : published[0].At;
        }
    }

    private static Process StartCrasher(string databasePath, Action<string> onLine)
    {
        var crasher = typeof(SqliteMetricStoreCrashTests).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "CrasherPath").Value!;
        File.Exists(crasher).Should().BeTrue($"the crasher is built with the tests ({crasher})");
        var dotnet = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH");
        if (string.IsNullOrEmpty(dotnet))
        {
            dotnet = Path.GetFileNameWithoutExtension(Environment.ProcessPath) == "dotnet" ? Environment.ProcessPath! : "dotnet";
        }

        var start = new ProcessStartInfo(dotnet)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(crasher);
        start.ArgumentList.Add(databasePath);
        start.ArgumentList.Add(FlushMilliseconds.ToString(CultureInfo.InvariantCulture));
        var process = new Process { StartInfo = start };
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is { } line)
            {
                onLine(line);
            }
        };
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }
}
