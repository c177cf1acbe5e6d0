using TorchSharp.Modules;
using TrainInsight.Torch.Vision;
using static TorchSharp.torch;

namespace TrainInsight.Torch.Tests;

/// <summary>
/// A real training setup for the hook tests: a bus, a control mailbox, a monitor, a seeded <see cref="SmallCnn"/>,
/// Adam and a data set, plus an <see cref="EventRecorder"/> subscribed to the bus. Owns and disposes all of them.
/// </summary>
internal sealed class TrainingHarness : IDisposable
{
    public const double LearningRate = 1e-3;

    private IEnumerator<(Tensor Images, Tensor Labels)>? _batches;
    private int _pass;

    public TrainingHarness(TorchMonitorOptions? options = null, ImageClassificationData? data = null, int batchSize = 32, int seed = 7)
    {
        Bus = TelemetryBus.Create();
        Control = TrainingControl.Create();
        Monitor = new TrainingMonitor(Bus, Control, options);
        Recorder = new EventRecorder(Bus);
        random.manual_seed(seed);
        Model = new SmallCnn();
        Optimizer = optim.Adam(Model.parameters(), LearningRate);
        Criterion = nn.CrossEntropyLoss();
        Data = data ?? SyntheticImages.Create(256, seed);
        BatchSize = batchSize;
    }

    public ITelemetryBus Bus { get; }

    public ITrainingControl Control { get; }

    public TrainingMonitor Monitor { get; }

    public EventRecorder Recorder { get; }

    public SmallCnn Model { get; }

    public Adam Optimizer { get; }

    public CrossEntropyLoss Criterion { get; }

    public ImageClassificationData Data { get; }

    public int BatchSize { get; }

    public static RunDescriptor NewRun(int? totalEpochs = null, int? stepsPerEpoch = null) =>
        new("torch-test-" + Guid.NewGuid().ToString("N")[..12]) { TotalEpochs = totalEpochs, StepsPerEpoch = stepsPerEpoch };

    public TrainingSession Attach(RunDescriptor? run = null) => Monitor.Attach(Model, Optimizer, run ?? NewRun());

    /// <summary>One training step the way a user writes it: boundary, forward, backward, optimizer step, record.</summary>
    /// <returns><see langword="false"/> when the session said the loop must end (no step was taken).</returns>
    public bool TryStep(TrainingSession session, CancellationToken cancellationToken = default) =>
        TryStep(session, session.RecordStep, cancellationToken);

    /// <summary>One training step whose recording is up to <paramref name="record"/> (loss, logits, labels).</summary>
    public bool TryStep(TrainingSession session, Action<Tensor, Tensor, Tensor> record, CancellationToken cancellationToken = default)
    {
        using var scope = NewDisposeScope();
        if (!session.WaitForStepBoundary(cancellationToken))
        {
            return false;
        }

        var (images, labels) = NextBatch();
        Optimizer.zero_grad();
        var output = Model.call(images);
        var loss = Criterion.call(output, labels);
        loss.backward();
        Optimizer.step();
        record(loss, output, labels);
        return true;
    }

    public void Steps(TrainingSession session, int count)
    {
        for (var i = 0; i < count; i++)
        {
            TryStep(session).Should().BeTrue("nothing asked the run to stop");
        }
    }

    /// <summary>
    /// Trains on a dedicated thread until the session says stop (command, cancellation) or <paramref name="maxSteps"/>
    /// steps were taken, then completes the session. The task's result is the number of steps taken.
    /// </summary>
    public Task<long> RunInBackground(TrainingSession session, CancellationToken cancellationToken, long maxSteps = 100_000) =>
        Task.Factory.StartNew(
            () =>
            {
                long steps = 0;
                while (steps < maxSteps && TryStep(session, cancellationToken))
                {
                    steps++;
                }

                session.Complete();
                return steps;
            },
            CancellationToken.None,
            TaskCreationOptions.LongRunning,
            TaskScheduler.Default);

    public void Dispose()
    {
        _batches?.Dispose();
        Recorder.Dispose();
        Criterion.Dispose();
        Optimizer.Dispose();
        Model.Dispose();
        Data.Dispose();
        Bus.Dispose();
    }

    // Called inside the step's dispose scope, so the batch tensors are freed with it.
    private (Tensor Images, Tensor Labels) NextBatch()
    {
        if (_batches is null || !_batches.MoveNext())
        {
            _batches?.Dispose();
            _batches = Data.Batches(BatchSize, shuffleSeed: _pass++).GetEnumerator();
            _batches.MoveNext();
        }

        return _batches.Current;
    }
}
