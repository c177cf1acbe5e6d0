using TorchSharp;
using TrainInsight.Torch.TensorBoard;
using TrainInsight.Torch.Training;
using TrainInsight.Torch.Vision;
using static TorchSharp.torch;

namespace TrainInsight.Torch.Tests.TensorBoard;

public sealed class TensorBoardScalarLoggerTests
{
    private static readonly VisionTrainerOptions s_trainerOptions = new() { Epochs = 2, BatchSize = 16, MaxStepsPerEpoch = 4, RunName = "tensorboard" };

    public TensorBoardScalarLoggerTests()
    {
        // The logger-only tests write before anything has trained in this process; TorchSharp's CRC-32C is native.
        InitializeDeviceType(DeviceType.CPU);
    }

    [Fact]
    public async Task Train_TensorBoardLogDirectorySet_WritesEveryPublishedValueAsAScalar()
    {
        using var directory = new TempDirectory();
        using var train = SyntheticImages.Create(128);
        using var validation = SyntheticImages.Create(64, seed: 2);
        using var bus = TelemetryBus.Create();
        using var recorder = new EventRecorder(bus);
        var monitor = new TrainingMonitor(bus, TrainingControl.Create(), new TorchMonitorOptions { MetricsInterval = 1, TensorBoardLogDirectory = directory.Path });
        random.manual_seed(1);
        using var model = new SmallCnn();

        var summary = new VisionTrainer(monitor, s_trainerOptions).Train(model, train, validation);

        // Read at once: Train returns only after the session's finish waited for the logger to write the whole run.
        var runFolder = Path.Combine(directory.Path, summary.Run.Id);
        Directory.GetFileSystemEntries(directory.Path).Should().Equal([runFolder], "each run writes to its own sub-folder");
        var file = Directory.GetFiles(runFolder).Should().ContainSingle().Subject;
        Path.GetFileName(file).Should().StartWith("events.out.tfevents.");
        var events = TensorBoardEventsFile.Read(file);
        var scalars = TensorBoardEventsFile.Scalars(events);

        await recorder.WaitForRunFinishedAsync();
        summary.Steps.Should().Be(8);
        var published = recorder.Metrics.Where(m => m.RunId == summary.Run.Id).ToList();
        events[0].FileVersion.Should().Be("brain.Event:2", "an events file starts with its version record");
        scalars.Select(s => (s.Tag, s.Step, s.Value, s.WallTime)).Should().Equal(
            published.SelectMany(m => m.Values.Select(v => (v.Key, m.Step, (float)v.Value, (double)m.Timestamp.ToUnixTimeSeconds()))),
            "every value of every metric event becomes one scalar, in publishing order, at its step and time");

        var trainLosses = published.Where(m => m.Values.ContainsKey(MetricNames.TrainLoss)).Select(m => (m.Step, (float)m.Values[MetricNames.TrainLoss])).ToList();
        trainLosses.Select(l => l.Step).Should().Equal(1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L);
        scalars.Where(s => s.Tag == MetricNames.TrainLoss).Select(s => (s.Step, s.Value)).Should().Equal(trainLosses);

        var validationLosses = published.Where(m => m.Values.ContainsKey(MetricNames.ValLoss)).Select(m => (m.Step, (float)m.Values[MetricNames.ValLoss])).ToList();
        validationLosses.Select(l => l.Step).Should().Equal(4L, 8L);
        validationLosses[^1].Item2.Should().Be((float)summary.ValidationLoss!.Value);
        scalars.Where(s => s.Tag == MetricNames.ValLoss).Select(s => (s.Step, s.Value)).Should().Equal(validationLosses);
        scalars.Where(s => s.Tag == MetricNames.ValAccuracy).Select(s => s.Step).Should().Equal(4L, 8L);

        // TrainInsight's own reader (the TensorBoard package) reads TorchSharp's file exactly like the test's decoder.
        using var reader = new TrainInsight.TensorBoard.TensorBoardEventFileReader(file);
        var read = reader.ReadAvailable();
        reader.CorruptRecords.Should().Be(0);
        reader.HasPartialRecord.Should().BeFalse();
        read[0].FileVersion.Should().Be("brain.Event:2");
        read.SelectMany(e => e.Values.Where(v => v.Kind == TrainInsight.TensorBoard.TensorBoardValueKind.Scalar).Select(v => (v.Tag, e.Step, (float)v.Value, e.WallTime)))
            .Should().Equal(scalars.Select(s => (s.Tag, s.Step, s.Value, s.WallTime)));
    }

    [Fact]
    public void Train_TensorBoardLogDirectoryUnset_CreatesNoFolder()
    {
        using var directory = new TempDirectory();
        using var train = SyntheticImages.Create(64);
        using var bus = TelemetryBus.Create();
        var monitor = new TrainingMonitor(bus, TrainingControl.Create(), new TorchMonitorOptions { MetricsInterval = 1 });
        random.manual_seed(1);
        using var model = new SmallCnn();

        // TorchSharp's SummaryWriter defaults to ./runs: run in an empty current folder to see that nothing is written.
        var previous = Environment.CurrentDirectory;
        Environment.CurrentDirectory = directory.Path;
        TrainingSummary summary;
        try
        {
            summary = new VisionTrainer(monitor, s_trainerOptions).Train(model, train, train);
        }
        finally
        {
            Environment.CurrentDirectory = previous;
        }

        summary.State.Should().Be(RunState.Completed);
        Directory.EnumerateFileSystemEntries(directory.Path).Should().BeEmpty();
    }

    [Fact]
    public async Task Train_TensorBoardLogDirectoryUnwritable_CompletesWithEveryStep()
    {
        using var directory = new TempDirectory();
        var blocker = directory.File("not-a-folder");
        await File.WriteAllTextAsync(blocker, "a regular file where the log folder's parent should be");
        using var train = SyntheticImages.Create(128);
        using var bus = TelemetryBus.Create();
        using var recorder = new EventRecorder(bus);
        var monitor = new TrainingMonitor(bus, TrainingControl.Create(), new TorchMonitorOptions
        {
            MetricsInterval = 1,
            TensorBoardLogDirectory = Path.Combine(blocker, "tensorboard"),
        });
        random.manual_seed(1);
        using var model = new SmallCnn();

        var summary = new VisionTrainer(monitor, s_trainerOptions).Train(model, train, train);

        summary.State.Should().Be(RunState.Completed);
        summary.Steps.Should().Be(8, "two epochs of at most 4 steps, as without TensorBoard");
        summary.EpochsCompleted.Should().Be(2);
        await recorder.WaitForRunFinishedAsync();
        recorder.Metrics.Count(m => m.Values.ContainsKey(MetricNames.TrainLoss)).Should().Be(8, "every step is still published");
        File.Exists(blocker).Should().BeTrue();
        Directory.GetFileSystemEntries(directory.Path).Should().Equal([blocker]);
    }

    [Fact]
    public void Complete_TensorBoardLogDirectoryUnwritable_CountsOneTelemetryError()
    {
        using var directory = new TempDirectory();
        var blocker = directory.File("not-a-folder");
        File.WriteAllText(blocker, "x");
        using var harness = new TrainingHarness(new TorchMonitorOptions { MetricsInterval = 1, TensorBoardLogDirectory = Path.Combine(blocker, "tb") });
        using var session = harness.Attach();

        harness.Steps(session, 3);
        session.Complete();

        session.Step.Should().Be(3);
        session.State.Should().Be(RunState.Completed);
        session.TelemetryErrors.Should().Be(1, "the first failed write stops the logger; later values are not attempted");
    }

    [Fact]
    public void Complete_TensorBoardLogDirectorySet_CountsNoTelemetryError()
    {
        using var directory = new TempDirectory();
        using var harness = new TrainingHarness(new TorchMonitorOptions { MetricsInterval = 2, TensorBoardLogDirectory = directory.Path });
        var run = TrainingHarness.NewRun();
        using var session = harness.Attach(run);

        harness.Steps(session, 5);
        session.Complete();

        session.TelemetryErrors.Should().Be(0);
        var scalars = TensorBoardEventsFile.Scalars(TensorBoardEventsFile.Read(Directory.GetFiles(Path.Combine(directory.Path, run.Id)).Single()));
        scalars.Where(s => s.Tag == MetricNames.TrainLoss).Select(s => s.Step).Should().Equal([1L, 2L, 4L], "only sampled steps publish");
    }

    [Fact]
    public void Attach_BusDisposed_TrainsAndCountsOneTelemetryError()
    {
        using var directory = new TempDirectory();
        using var harness = new TrainingHarness(new TorchMonitorOptions { MetricsInterval = 1, TensorBoardLogDirectory = directory.Path });
        harness.Bus.Dispose();

        using var session = harness.Attach();
        harness.Steps(session, 2);
        session.Complete();

        session.Step.Should().Be(2);
        session.TelemetryErrors.Should().Be(1, "the logger could not subscribe");
        Directory.EnumerateFileSystemEntries(directory.Path).Should().BeEmpty();
    }

    [Fact]
    public async Task Start_StepBeyondInt32_SkipsThatEvent()
    {
        using var directory = new TempDirectory();
        using var bus = TelemetryBus.Create();
        var run = new RunDescriptor("tensorboard-large-steps");
        using var logger = TensorBoardScalarLogger.Create(bus, directory.Path, run)!;
        bus.TryPublish(Metric(run, int.MaxValue + 1L, 1)).Should().BeTrue();
        bus.TryPublish(Metric(run, int.MaxValue, 2)).Should().BeTrue();
        bus.TryPublish(new TrainingEvent(run, TrainingEventKind.RunFinished)).Should().BeTrue();
        var errors = 0;

        logger.Start(() => Interlocked.Increment(ref errors));
        await logger.Completion.WaitAsync(EventRecorder.Patience);

        logger.SkippedEvents.Should().Be(1);
        logger.ScalarsWritten.Should().Be(1);
        errors.Should().Be(0);
        ReadScalars(logger).Select(s => (s.Tag, s.Step, s.Value)).Should().Equal([(MetricNames.TrainLoss, (long)int.MaxValue, 2f)]);
    }

    [Fact]
    public async Task Start_AfterAGap_WritesWhatFollowsAndStopsAtRunFinished()
    {
        using var directory = new TempDirectory();
        using var bus = TelemetryBus.Create();
        var run = new RunDescriptor("tensorboard-gap");
        using var logger = TensorBoardScalarLogger.Create(bus, directory.Path, run, capacity: 4)!;
        for (var step = 1; step <= 20; step++)
        {
            bus.TryPublish(Metric(run, step, step / 10d)).Should().BeTrue();
        }

        bus.TryPublish(new TrainingEvent(run, TrainingEventKind.RunFinished)).Should().BeTrue();
        await Poll.UntilAsync(() => bus.GetStatistics().Dispatched >= 21, "the bus dispatched all 21 events");

        // Not reading yet, the logger's queue of 4 kept the newest events and a gap before them.
        logger.Start(onError: null);
        await logger.Completion.WaitAsync(EventRecorder.Patience);

        logger.Errors.Should().Be(0);
        ReadScalars(logger).Select(s => s.Step).Should().Equal(18L, 19L, 20L);
    }

    [Fact]
    public async Task Start_AnotherRunWithTheSameId_IgnoresItsEvents()
    {
        using var directory = new TempDirectory();
        using var bus = TelemetryBus.Create();
        var earlier = new RunDescriptor("tensorboard-same-id");
        var run = new RunDescriptor("tensorboard-same-id");
        using var logger = TensorBoardScalarLogger.Create(bus, directory.Path, run)!;
        bus.TryPublish(Metric(earlier, 7, 7)).Should().BeTrue();
        bus.TryPublish(new TrainingEvent(earlier, TrainingEventKind.RunFinished)).Should().BeTrue();
        bus.TryPublish(Metric(run, 1, 1)).Should().BeTrue();
        bus.TryPublish(new TrainingEvent(run, TrainingEventKind.RunFinished)).Should().BeTrue();

        logger.Start(onError: null);
        await logger.Completion.WaitAsync(EventRecorder.Patience);

        ReadScalars(logger).Select(s => (s.Step, s.Value)).Should().Equal([(1L, 1f)], "the earlier run's end must not stop this run's logger");
    }

    [Theory]
    [InlineData("run-1_a.b", "run-1_a.b")]
    [InlineData(".", "._")]
    [InlineData("..", ".._")]
    [InlineData("ends.", "ends._")]
    [InlineData("a/b\\c:d", "a_b_c_d")]
    public void FolderName_RunId_IsOneOrdinaryPathSegment(string runId, string expected) =>
        TensorBoardScalarLogger.FolderName(runId).Should().Be(expected);

    [Fact]
    public void Crc32C_CheckValue_MatchesTheStandard() =>
        TensorBoardEventsFile.Crc32C("123456789"u8).Should().Be(0xE3069283u, "the CRC-32C check value of \"123456789\"");

    private static MetricEvent Metric(RunDescriptor run, long step, double loss) =>
        new(run, step, new Dictionary<string, double> { [MetricNames.TrainLoss] = loss });

    private static IReadOnlyList<TensorBoardEventsFile.Scalar> ReadScalars(TensorBoardScalarLogger logger) =>
        TensorBoardEventsFile.Scalars(TensorBoardEventsFile.Read(Directory.GetFiles(logger.LogDirectory!).Single()));
}
