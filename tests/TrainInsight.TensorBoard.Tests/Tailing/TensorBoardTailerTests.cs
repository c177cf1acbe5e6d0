using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using TrainInsight.TensorBoard.Tests.Infrastructure;
using TrainInsight.Tests.Shared;

namespace TrainInsight.TensorBoard.Tests.Tailing;

public sealed class TensorBoardTailerTests : IDisposable
{
    private static readonly TimeSpan s_patience = TimeSpan.FromSeconds(30);
    private readonly string _logdir = Directory.CreateTempSubdirectory("traininsight-tail-").FullName;
    private readonly ITelemetryBus _bus = TelemetryBus.Create();

    public void Dispose()
    {
        _bus.Dispose();
        Directory.Delete(_logdir, recursive: true);
    }

    [Fact]
    public async Task ScanOnce_ExistingRuns_PublishesEveryScalarPerRunWithStepWallTimeAndMappedNames()
    {
        using (var train = new TfEventsWriter(Path.Combine(_logdir, "version_0", "train", "events.out.tfevents.1.host.0")))
        {
            train.Scalars(0, 1_700_000_000.5, ("Loss/train", 2f), ("acc", 0.5f));
            train.Scalars(5, 1_700_000_010, ("Loss/train", 1f));
        }

        using (var root = new TfEventsWriter(Path.Combine(_logdir, "events.out.tfevents.2.host.0")))
        {
            root.Scalars(1, 1_700_000_020, ("x", 3f));
        }

        using var subscription = _bus.Subscribe();
        await using var tailer = Tailer(o => o.MapTag("Loss/train", MetricNames.TrainLoss));

        tailer.ScanOnce().Should().Be(4);

        var events = await TakeAsync(subscription, 5);
        var started = events.OfType<TrainingEvent>().ToList();
        started.Select(e => e.Kind).Should().AllBeEquivalentTo(TrainingEventKind.RunStarted);
        started.Select(e => e.Run.Id).Should().BeEquivalentTo(Path.GetFileName(_logdir), "version_0.train");
        var metrics = events.OfType<MetricEvent>().Where(m => m.Run.Id == "version_0.train").ToList();
        metrics.Should().HaveCount(2, "the root run ('.', listed first) holds the third");
        events.OfType<MetricEvent>().Single(m => m.Run.Id != "version_0.train").Values.Should().Equal(new Dictionary<string, double> { ["x"] = 3 });
        metrics[0].Values.Should().Equal(new Dictionary<string, double> { [MetricNames.TrainLoss] = 2, ["acc"] = 0.5 });
        metrics[0].Step.Should().Be(0);
        metrics[0].Timestamp.Should().Be(DateTimeOffset.FromUnixTimeMilliseconds(1_700_000_000_500));
        metrics[1].Step.Should().Be(5);
        metrics[1].Run.Name.Should().Be("version_0/train");
        tailer.GetStatistics().Should().Be(new TensorBoardTailerStatistics(Files: 2, Runs: 2, Records: 5, CorruptRecords: 0, Scalars: 4, Scans: 1));
    }

    [Fact]
    public async Task ScanOnce_FileGrowsWithAPartialRecordThenTheRest_PublishesEachRecordOnceWhenComplete()
    {
        var path = Path.Combine(_logdir, "run", "events.out.tfevents.1.h.0");
        using var writer = new TfEventsWriter(path);
        writer.Scalars(1, 1_700_000_000, ("loss", 1f));
        using var subscription = _bus.Subscribe();
        await using var tailer = Tailer();
        tailer.ScanOnce().Should().Be(1);

        var next = TfEventsWriter.Frame(TfEventsWriter.Event(1_700_000_001, 2, ScalarSummary("loss", 0.5f)));
        writer.WriteRaw(next.AsSpan(0, next.Length - 3));
        tailer.ScanOnce().Should().Be(0, "the record is not complete yet: it is waited for, not an error");
        writer.WriteRaw(next.AsSpan(next.Length - 3));
        tailer.ScanOnce().Should().Be(1);
        tailer.ScanOnce().Should().Be(0, "nothing is published twice");

        var metrics = (await TakeAsync(subscription, 3)).OfType<MetricEvent>().ToList();
        metrics.Select(m => m.Step).Should().Equal(1, 2);
        tailer.GetStatistics().CorruptRecords.Should().Be(0);
    }

    [Fact]
    public async Task ScanOnce_CorruptRecord_IsCountedAndSkippedAndTheNextIsRead()
    {
        var path = Path.Combine(_logdir, "run", "events.out.tfevents.1.h.0");
        using (var writer = new TfEventsWriter(path))
        {
            var bad = TfEventsWriter.Frame(TfEventsWriter.Event(1_700_000_000, 1, ScalarSummary("loss", 9f)));
            bad[^2] ^= 0x40;
            writer.WriteRaw(bad);
            writer.Scalars(2, 1_700_000_001, ("loss", 1f));
        }

        using var subscription = _bus.Subscribe();
        await using var tailer = Tailer();

        tailer.ScanOnce().Should().Be(1);
        (await TakeAsync(subscription, 2)).OfType<MetricEvent>().Single().Step.Should().Be(2);
        tailer.GetStatistics().CorruptRecords.Should().Be(1);
    }

    [Fact]
    public async Task ScanOnce_FileReplacedBySmallerOneAndFileDeleted_RereadsTheNewAndForgetsTheGone()
    {
        var kept = Path.Combine(_logdir, "a", "events.out.tfevents.1.h.0");
        var deleted = Path.Combine(_logdir, "b", "events.out.tfevents.1.h.0");
        using (var writer = new TfEventsWriter(kept))
        {
            writer.Scalars(1, 1_700_000_000, ("loss", 1f));
            writer.Scalars(2, 1_700_000_001, ("loss", 0.9f));
        }

        using (var writer = new TfEventsWriter(deleted))
        {
            writer.Scalars(1, 1_700_000_000, ("loss", 1f));
        }

        using var subscription = _bus.Subscribe();
        await using var tailer = Tailer();
        tailer.ScanOnce().Should().Be(3);

        File.Delete(kept);
        using (var writer = new TfEventsWriter(kept, fileVersion: false))
        {
            writer.Scalars(7, 1_700_000_100, ("loss", 0.1f));
        }

        File.Delete(deleted);
        tailer.ScanOnce().Should().Be(1, "the replaced file is read from its start");
        tailer.GetStatistics().Files.Should().Be(1);
        (await TakeAsync(subscription, 6)).OfType<MetricEvent>().Last().Step.Should().Be(7);
    }

    [Fact]
    public async Task Start_RecordAppended_ArrivesThroughTheWatcherLongBeforeThePollInterval()
    {
        var path = Path.Combine(_logdir, "run", "events.out.tfevents.1.h.0");
        using var writer = new TfEventsWriter(path);
        using var subscription = _bus.Subscribe();
        await using var tailer = Tailer(o => o.PollInterval = TimeSpan.FromHours(1));
        tailer.Start();
        await Poll.UntilAsync(() => tailer.GetStatistics().Scans >= 1, "the tailer scanned once");

        writer.Scalars(3, 1_700_000_000, ("loss", 0.25f));

        // With an hour between polls, only the file-system watcher can bring it within the test's patience.
        var metric = (await TakeAsync(subscription, 2)).OfType<MetricEvent>().Single();
        metric.Values["loss"].Should().Be(0.25);
    }

    [Fact]
    public async Task AddTensorBoard_HostStartsAndStopsTheTailer()
    {
        using (var writer = new TfEventsWriter(Path.Combine(_logdir, "run", "events.out.tfevents.1.h.0")))
        {
            writer.Scalars(4, 1_700_000_000, ("loss", 0.5f));
        }

        var builder = Host.CreateApplicationBuilder();
        builder.Services.AddTrainInsight().AddTensorBoard(o => o.LogDirectory = _logdir);
        using var host = builder.Build();
        var bus = host.Services.GetRequiredService<ITelemetryBus>();
        using var subscription = bus.Subscribe();

        await host.StartAsync();
        var metric = (await TakeAsync(subscription, 2)).OfType<MetricEvent>().Single();
        await host.StopAsync();

        metric.Step.Should().Be(4);
        host.Services.GetRequiredService<TensorBoardTailer>().LogDirectory.Should().Be(_logdir);
    }

    [Fact]
    public async Task ScanOnce_HistogramFixture_PublishesItsMeanStdMinAndMax()
    {
        // The wandb "simple" fixture holds one HistogramProto ('histo'), one scalar ('loss') and one image.
        var source = Fixtures.File("wandb/events.out.tfevents.111.simple.localdomain");
        var run = Path.Combine(_logdir, "simple");
        Directory.CreateDirectory(run);
        File.Copy(source, Path.Combine(run, Path.GetFileName(source)));
        var histogram = TensorBoardEventFileReader.ReadAll(source).SelectMany(e => e.Values).Single(v => v.Kind == TensorBoardValueKind.Histogram).Histogram!;
        using var subscription = _bus.Subscribe();
        await using var tailer = Tailer();

        tailer.ScanOnce();

        var values = (await TakeAsync(subscription, 3)).OfType<MetricEvent>().SelectMany(m => m.Values).ToDictionary(v => v.Key, v => v.Value);
        values.Keys.Should().BeEquivalentTo("loss", "histo/mean", "histo/std", "histo/min", "histo/max");
        var mean = histogram.Sum / histogram.Count;
        values["histo/mean"].Should().Be(mean);
        values["histo/std"].Should().BeApproximately(Math.Sqrt((histogram.SumSquares / histogram.Count) - (mean * mean)), 1e-12);
        values["histo/min"].Should().Be(histogram.Min);
        values["histo/max"].Should().Be(histogram.Max);
        values["histo/min"].Should().BeLessThanOrEqualTo(values["histo/mean"]).And.BeLessThan(values["histo/max"]);
    }

    [Fact]
    public async Task Start_DirectoryMissingThenCreated_IsWaitedForAndWatchedOnceItExists()
    {
        var later = Path.Combine(_logdir, "later");
        using var subscription = _bus.Subscribe();
        await using var tailer = new TensorBoardTailer(_bus, new TensorBoardTailerOptions { LogDirectory = later, PollInterval = TimeSpan.FromMilliseconds(50) });
        tailer.Start();
        await Poll.UntilAsync(() => tailer.GetStatistics().Scans >= 2, "the tailer scanned twice");

        using (var writer = new TfEventsWriter(Path.Combine(later, "run", "events.out.tfevents.1.h.0")))
        {
            writer.Scalars(1, 1_700_000_000, ("loss", 1f));
        }

        (await TakeAsync(subscription, 2)).OfType<MetricEvent>().Single().Step.Should().Be(1);
    }

    [Fact]
    public async Task Start_DirectoryDeletedAndCreatedAgain_WatchesTheNewDirectory()
    {
        var root = Path.Combine(_logdir, "logs");
        using (var writer = new TfEventsWriter(Path.Combine(root, "old", "events.out.tfevents.1.h.0")))
        {
            writer.Scalars(1, 1_700_000_000, ("loss", 1f));
        }

        using var subscription = _bus.Subscribe();
        await using var tailer = new TensorBoardTailer(_bus, new TensorBoardTailerOptions { LogDirectory = root, PollInterval = TimeSpan.FromMilliseconds(100) });
        tailer.Start();
        (await TakeAsync(subscription, 2)).OfType<MetricEvent>().Single().Step.Should().Be(1);

        Directory.Delete(root, recursive: true);
        await Poll.UntilAsync(() => tailer.GetStatistics().Files == 0, "the deleted file was forgotten");
        Directory.CreateDirectory(root);
        await Task.Delay(300);
        using (var writer = new TfEventsWriter(Path.Combine(root, "new", "events.out.tfevents.2.h.0")))
        {
            writer.Scalars(9, 1_700_000_100, ("loss", 0.5f));
        }

        var metric = (await TakeAsync(subscription, 2)).OfType<MetricEvent>().Single();
        metric.Step.Should().Be(9);
        metric.Run.Id.Should().Be("new");
    }

    [Fact]
    public async Task ScanOnce_FileRenamedOverByALargerOne_ReadsTheNewFileFromItsStart()
    {
        var path = Path.Combine(_logdir, "run", "events.out.tfevents.1.h.0");
        using (var writer = new TfEventsWriter(path, wallTime: 1_700_000_000))
        {
            writer.Scalars(1, 1_700_000_000, ("loss", 1f));
        }

        using var subscription = _bus.Subscribe();
        await using var tailer = Tailer();
        tailer.ScanOnce().Should().Be(1);

        // rsync-style: a complete new version written elsewhere, then renamed over the old one.
        var staged = Path.Combine(_logdir, "staged.tmp");
        using (var writer = new TfEventsWriter(staged, wallTime: 1_700_000_500))
        {
            writer.Scalars(1, 1_700_000_500, ("loss", 0.9f));
            writer.Scalars(2, 1_700_000_501, ("loss", 0.8f));
            writer.Scalars(3, 1_700_000_502, ("loss", 0.7f));
        }

        File.Move(staged, path, overwrite: true);
        tailer.ScanOnce().Should().Be(3);
        (await TakeAsync(subscription, 5)).OfType<MetricEvent>().Select(m => m.Values["loss"]).Should().Equal(1.0, (double)0.9f, (double)0.8f, (double)0.7f);
    }

    [Fact]
    public async Task ScanOnce_FileTruncatedAndRewrittenLonger_ReadsItAgainFromItsStart()
    {
        var path = Path.Combine(_logdir, "run", "events.out.tfevents.1.h.0");
        using (var writer = new TfEventsWriter(path, wallTime: 1_700_000_000))
        {
            writer.Scalars(1, 1_700_000_000, ("loss", 1f));
        }

        using var subscription = _bus.Subscribe();
        await using var tailer = Tailer();
        tailer.ScanOnce().Should().Be(1);

        using (var truncate = new FileStream(path, FileMode.Truncate, FileAccess.Write, FileShare.ReadWrite | FileShare.Delete))
        {
        }

        using (var writer = new TfEventsWriter(path, wallTime: 1_700_000_900))
        {
            for (var step = 1; step <= 5; step++)
            {
                writer.Scalars(step, 1_700_000_900 + step, ("loss", step));
            }
        }

        tailer.ScanOnce().Should().Be(5, "every record of the rewritten file, none lost at the old offset");
        tailer.GetStatistics().CorruptRecords.Should().Be(0);
        (await TakeAsync(subscription, 7)).OfType<MetricEvent>().Skip(1).Select(m => m.Step).Should().Equal(1, 2, 3, 4, 5);
    }

    [Fact]
    public async Task ScanOnce_TwoPathsWithTheSameId_GetDistinctRuns()
    {
        using (var a = new TfEventsWriter(Path.Combine(_logdir, "a", "b", "events.out.tfevents.1.h.0")))
        {
            a.Scalars(1, 1_700_000_000, ("loss", 1f));
        }

        using (var b = new TfEventsWriter(Path.Combine(_logdir, "a.b", "events.out.tfevents.1.h.0")))
        {
            b.Scalars(1, 1_700_000_000, ("loss", 2f));
        }

        using var subscription = _bus.Subscribe();
        await using var tailer = Tailer();
        tailer.ScanOnce().Should().Be(2);

        var runs = (await TakeAsync(subscription, 4)).OfType<MetricEvent>().Select(m => (m.Run.Id, m.Run.Name)).ToList();
        runs.Select(r => r.Id).Should().OnlyHaveUniqueItems().And.Contain("a.b");
        runs.Select(r => r.Name).Should().BeEquivalentTo("a/b", "a.b");
    }

    [Fact]
    public async Task RunId_LongPath_IsStableAcrossTailers()
    {
        var run = string.Join('/', Enumerable.Repeat("a-rather-long-folder-name", 8));
        await using var first = Tailer();
        await using var second = Tailer();

        var id = first.RunId(run);

        // The suffix is FNV-1a of the path, computed here independently: the same in every process, unlike
        // string.GetHashCode (which two tailers in one process would also agree on).
        var hash = 2166136261u;
        foreach (var c in run)
        {
            hash = (hash ^ c) * 16777619u;
        }

        id.Should().Be(run.Replace('/', '.')[..119] + "-" + hash.ToString("x8", System.Globalization.CultureInfo.InvariantCulture));
        second.RunId(run).Should().Be(id);
        RunDescriptor.IsValidId(id).Should().BeTrue();
    }

    [Fact]
    public void Options_InvalidValues_Throw()
    {
        var options = new TensorBoardTailerOptions();
        FluentActions.Invoking(() => options.LogDirectory = " ").Should().Throw<ArgumentException>();
        FluentActions.Invoking(() => options.PollInterval = TimeSpan.FromMilliseconds(5)).Should().Throw<ArgumentOutOfRangeException>().WithMessage("PollInterval must be between 10 ms and 1 hour.*");
        FluentActions.Invoking(() => options.MapTag("", "x")).Should().Throw<ArgumentException>();
        options.PollInterval.Should().Be(TimeSpan.FromSeconds(1));
        options.WatchFileSystem.Should().BeTrue();
        FluentActions.Invoking(() => new TensorBoardTailer(_bus, options)).Should().Throw<ArgumentException>().WithMessage("*LogDirectory must be set*");
    }

    [Theory]
    [InlineData("train", "train")]
    [InlineData("version_0/validation", "version_0.validation")]
    [InlineData("lr=0.1 bs=32", "lr-0.1-bs-32")]
    public async Task RunId_RelativePaths_BecomeValidRunIds(string run, string id)
    {
        await using var tailer = Tailer();
        tailer.RunId(run).Should().Be(id);
        RunDescriptor.IsValidId(id).Should().BeTrue();
    }

    private static byte[] ScalarSummary(string tag, float value)
    {
        var bits = BitConverter.GetBytes(value);
        return TfEventsWriter.Field(5, TfEventsWriter.Field(1, [.. TfEventsWriter.Field(1, System.Text.Encoding.UTF8.GetBytes(tag)), 0x15, .. bits]));
    }

    private TensorBoardTailer Tailer(Action<TensorBoardTailerOptions>? configure = null)
    {
        var options = new TensorBoardTailerOptions { LogDirectory = _logdir };
        configure?.Invoke(options);
        return new TensorBoardTailer(_bus, options);
    }

    private static async Task<List<TrainInsightEvent>> TakeAsync(ITelemetrySubscription subscription, int count)
    {
        using var cts = new CancellationTokenSource(s_patience);
        var events = new List<TrainInsightEvent>();
        while (events.Count < count)
        {
            var item = await subscription.Reader.ReadAsync(cts.Token);
            if (item is not GapEvent)
            {
                events.Add(item);
            }
        }

        return events;
    }
}
