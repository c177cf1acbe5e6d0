using static TorchSharp.torch;

namespace TrainInsight.Torch.Tests.Hooks;

/// <summary>The data signals: <c>batch_class_share</c> from RecordStep's targets, <c>input_mean</c>/<c>input_std</c> from RecordInput.</summary>
public sealed class TrainingSessionInputTests
{
    [Fact]
    public async Task RecordStep_TargetsWithKnownClassCounts_PublishesShareOfTheMostCommonClass()
    {
        using var rig = new Rig(new TorchMonitorOptions { MetricsInterval = 1 });
        using (var session = rig.Attach())
        {
            // 8 targets, class 0 four times: 4/8.
            rig.Step(session, Features(8), [0, 0, 2, 1, 0, 2, 0, 1]);

            // One class only (a class-sorted, unshuffled loader): 1.
            rig.Step(session, Features(6), [2, 2, 2, 2, 2, 2]);

            // 1,500 targets (counted another way than small batches): class 1 seven hundred times, classes 0 and 2 the rest.
            var large = Enumerable.Range(0, 1_500).Select(i => i < 700 ? 1L : i % 2 == 0 ? 0L : 2L).ToArray();
            rig.Step(session, Features(1_500), large);
            session.TelemetryErrors.Should().Be(0);
            session.Complete();
        }

        var metrics = await rig.MetricsAsync();
        metrics.Select(m => m.Values[MetricNames.BatchClassShare]).Should().Equal(4.0 / 8, 1.0, 700.0 / 1_500);
    }

    [Fact]
    public async Task RecordStep_FloatOrTwoDimensionalTargets_PublishesNoClassShareAndCountsNoError()
    {
        using var rig = new Rig(new TorchMonitorOptions { MetricsInterval = 1 });
        using (var session = rig.Attach())
        using (NewDisposeScope())
        {
            var output = rig.Model.call(Features(4));
            session.RecordStep(tensor(0.5f), output, tensor(new float[] { 0, 1, 2, 1 }));
            session.RecordStep(tensor(0.5f), ones(4), zeros(4, 3, dtype: ScalarType.Int64)); // 1-D output: no accuracy either
            session.RecordStep(tensor(0.5f), batchSize: 4);
            session.TelemetryErrors.Should().Be(0, "targets that are not class indices are skipped silently");
            session.Complete();
        }

        var metrics = await rig.MetricsAsync();
        metrics.Should().HaveCount(3);
        metrics.Should().OnlyContain(m => !m.Values.ContainsKey(MetricNames.BatchClassShare));
    }

    [Fact]
    public async Task RecordInput_SampledStep_PublishesMeanAndPopulationStdOfTheBatch()
    {
        using var rig = new Rig(new TorchMonitorOptions { MetricsInterval = 1 });
        var values = new float[16 * 4];
        var random = new Random(5);
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = (float)(random.NextDouble() * 255);
        }

        var mean = values.Average(v => (double)v);
        var std = Math.Sqrt(values.Average(v => (v - mean) * (v - mean)));
        using (var session = rig.Attach())
        {
            // Known numbers: 1..6 have mean 3.5 and population standard deviation sqrt(35/12).
            rig.Step(session, tensor(new float[] { 1, 2, 3, 4, 5, 6, 1, 2, 3, 4, 5, 6 }, [3, 4]), [0, 1, 2], recordInput: true);
            rig.Step(session, tensor(values, [16, 4]), [.. Enumerable.Repeat(1L, 16)], recordInput: true);
            session.TelemetryErrors.Should().Be(0);
            session.Complete();
        }

        var metrics = await rig.MetricsAsync();
        metrics[0].Values[MetricNames.InputMean].Should().BeApproximately(3.5, 1e-6);
        metrics[0].Values[MetricNames.InputStd].Should().BeApproximately(Math.Sqrt(35.0 / 12), 1e-6);
        metrics[1].Values[MetricNames.InputMean].Should().BeApproximately(mean, 1e-3);
        metrics[1].Values[MetricNames.InputStd].Should().BeApproximately(std, 1e-3);
    }

    [Fact]
    public async Task RecordInput_IntegerPixels_PublishesTheirMeanAndStd()
    {
        using var rig = new Rig(new TorchMonitorOptions { MetricsInterval = 1 });
        using (var session = rig.Attach())
        using (NewDisposeScope())
        {
            session.WaitForStepBoundary().Should().BeTrue();
            session.RecordInput(tensor(new byte[] { 0, 255, 0, 255 }, [2, 2]));
            var output = rig.Model.call(Features(2));
            session.RecordStep(nn.functional.cross_entropy(output, tensor(new long[] { 0, 1 })), output, tensor(new long[] { 0, 1 }));
            session.Complete();
        }

        var metric = (await rig.MetricsAsync()).Single();
        metric.Values[MetricNames.InputMean].Should().BeApproximately(127.5, 1e-6);
        metric.Values[MetricNames.InputStd].Should().BeApproximately(127.5, 1e-6);
    }

    [Fact]
    public async Task RecordInput_UnsampledSteps_ReadsNothingAndPublishesNothingExtra()
    {
        using var rig = new Rig(new TorchMonitorOptions { MetricsInterval = 5 });
        using (var session = rig.Attach())
        {
            for (var step = 1; step <= 10; step++)
            {
                using var scope = NewDisposeScope();
                Tensor input;
                if (step is 1 or 5 or 10)
                {
                    // Sampled: every element is the step number, so the published mean says whose input it was.
                    input = full(4, 4, (float)step);
                }
                else
                {
                    // Unsampled: a disposed tensor, which any read would fail on (and count).
                    input = ones(4, 4);
                    input.Dispose();
                }

                rig.Step(session, Features(4), [0, 1, 1, 1], input: input);
            }

            session.TelemetryErrors.Should().Be(0, "unsampled steps never touch the input");
            session.Complete();
        }

        var metrics = await rig.MetricsAsync();
        metrics.Select(m => m.Step).Should().Equal(1, 5, 10);
        metrics.Select(m => m.Values[MetricNames.InputMean]).Should().Equal(1, 5, 10);
        metrics.Select(m => m.Values[MetricNames.InputStd]).Should().Equal(0, 0, 0);
        metrics.Should().OnlyContain(m => m.Values[MetricNames.BatchClassShare] == 0.75);
    }

    [Fact]
    public async Task RecordInput_WithoutRecordInputOnALaterStep_PublishesNoStaleValues()
    {
        using var rig = new Rig(new TorchMonitorOptions { MetricsInterval = 1 });
        using (var session = rig.Attach())
        {
            rig.Step(session, Features(4), [0, 1, 2, 3], recordInput: true);
            rig.Step(session, Features(4), [0, 1, 2, 3]);
            session.Complete();
        }

        var metrics = await rig.MetricsAsync();
        metrics[0].Values.Should().ContainKeys(MetricNames.InputMean, MetricNames.InputStd);
        metrics[1].Values.Should().NotContainKeys(MetricNames.InputMean, MetricNames.InputStd);
    }

    [Fact]
    public async Task RecordInput_DisposedTensorOnSampledStep_CountsAnErrorAndTrainingGoesOn()
    {
        using var rig = new Rig(new TorchMonitorOptions { MetricsInterval = 1 });
        using (var session = rig.Attach())
        {
            var disposed = ones(4, 4);
            disposed.Dispose();
            FluentActions.Invoking(() => rig.Step(session, Features(4), [0, 1, 2, 3], input: disposed)).Should().NotThrow();
            session.TelemetryErrors.Should().Be(1);
            session.Step.Should().Be(1);
            session.Complete();
        }

        var metric = (await rig.MetricsAsync()).Single();
        metric.Values.Should().ContainKey(MetricNames.TrainLoss).And.NotContainKey(MetricNames.InputMean);
    }

    [Fact]
    public void RecordInput_NullOrAfterComplete_Throws()
    {
        using var rig = new Rig(new TorchMonitorOptions());
        var session = rig.Attach();
        FluentActions.Invoking(() => session.RecordInput(null!)).Should().Throw<ArgumentNullException>();
        session.Complete();
        using var input = ones(2, 2);
        FluentActions.Invoking(() => session.RecordInput(input)).Should().Throw<InvalidOperationException>();
        session.Dispose();
    }

    private static Tensor Features(int count) => arange(count * 4, dtype: ScalarType.Float32).reshape(count, 4).div(count * 4);

    /// <summary>A bus, a recorder and a tiny linear classifier trained with SGD, the way a user's loop records its steps.</summary>
    private sealed class Rig : IDisposable
    {
        private readonly ITelemetryBus _bus = TelemetryBus.Create();
        private readonly EventRecorder _recorder;
        private readonly TrainingMonitor _monitor;
        private readonly optim.Optimizer _optimizer;

        public Rig(TorchMonitorOptions options)
        {
            _recorder = new EventRecorder(_bus);
            _monitor = new TrainingMonitor(_bus, TrainingControl.Create(), options);
            random.manual_seed(11);
            Model = nn.Linear(4, 4);
            _optimizer = optim.SGD(Model.parameters(), 0.01);
        }

        public nn.Module<Tensor, Tensor> Model { get; }

        public TrainingSession Attach() => _monitor.Attach(Model, _optimizer, TrainingHarness.NewRun());

        /// <summary>One step; the input recorded is <paramref name="input"/>, or the features when <paramref name="recordInput"/>.</summary>
        public void Step(TrainingSession session, Tensor features, long[] targets, bool recordInput = false, Tensor? input = null)
        {
            using var scope = NewDisposeScope();
            session.WaitForStepBoundary().Should().BeTrue();
            if (input is not null)
            {
                session.RecordInput(input);
            }
            else if (recordInput)
            {
                session.RecordInput(features);
            }

            var target = tensor(targets, [targets.Length]);
            _optimizer.zero_grad();
            var output = Model.call(features);
            var loss = nn.functional.cross_entropy(output, target);
            loss.backward();
            _optimizer.step();
            session.RecordStep(loss, output, target);
        }

        public async Task<IReadOnlyList<MetricEvent>> MetricsAsync() =>
            [.. (await _recorder.WaitForRunFinishedAsync()).OfType<MetricEvent>()];

        public void Dispose()
        {
            _recorder.Dispose();
            _optimizer.Dispose();
            Model.Dispose();
            _bus.Dispose();
        }
    }
}
