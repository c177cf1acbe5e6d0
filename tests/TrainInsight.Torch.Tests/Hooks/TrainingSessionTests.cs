using TrainInsight.Torch.Training;
using TrainInsight.Torch.Vision;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace TrainInsight.Torch.Tests.Hooks;

public sealed class TrainingSessionTests(ITestOutputHelper output)
{
    [Fact]
    public async Task RecordStep_SampledSteps_PublishClassificationMetrics()
    {
        using var harness = new TrainingHarness(new TorchMonitorOptions { MetricsInterval = 5 });
        var run = TrainingHarness.NewRun(totalEpochs: 2, stepsPerEpoch: 6);
        using (var session = harness.Attach(run))
        {
            for (var epoch = 1; epoch <= 2; epoch++)
            {
                session.BeginEpoch(epoch);
                harness.Steps(session, 6);
                session.RecordEpoch();
            }

            session.Complete();
        }

        var events = await harness.Recorder.WaitForRunFinishedAsync();
        var metrics = events.OfType<MetricEvent>().Where(m => m.Values.ContainsKey(MetricNames.TrainLoss)).ToList();
        metrics.Select(m => m.Step).Should().Equal([1, 5, 10], "step 1 and every 5th step are sampled");
        metrics.Select(m => (m.Epoch, m.Batch)).Should().Equal((1, 1), (1, 5), (2, 4));
        foreach (var metric in metrics)
        {
            metric.RunId.Should().Be(run.Id);
            metric.Values[MetricNames.TrainLoss].Should().BePositive().And.Match(v => double.IsFinite(v));
            metric.Values[MetricNames.TrainAccuracy].Should().BeInRange(0, 1);
            metric.Values[MetricNames.LearningRate].Should().Be(harness.Optimizer.ParamGroups.First().LearningRate);
            metric.Values[MetricNames.LearningRate].Should().Be(TrainingHarness.LearningRate);
            metric.Values[MetricNames.SamplesPerSecond].Should().BePositive();
            metric.Values[MetricNames.StepsPerSecond].Should().BePositive();
            metric.Values[MetricNames.BatchTime].Should().BePositive();
            metric.Values[MetricNames.EtaSeconds].Should().BeGreaterThanOrEqualTo(0);
            metric.Values.Should().NotContainKey(MetricNames.GradientNorm, "gradient norms are off by default");
        }

        // Step 10 is batch 4 of epoch 2: 2 of 12 planned steps remain, at the mean step time of every window so far (fewer
        // than EtaWindowSteps): step 1 alone, steps 2-5, and steps 7-10 (epoch 2 started a new window).
        var meanStepTime = ((1 * metrics[0].Values[MetricNames.BatchTime]) + (4 * metrics[1].Values[MetricNames.BatchTime]) + (4 * metrics[2].Values[MetricNames.BatchTime])) / 9;
        metrics[^1].Values[MetricNames.EtaSeconds].Should().BeApproximately(2 * meanStepTime, 1e-9);
        metrics[^1].Values[MetricNames.SamplesPerSecond].Should().BeApproximately(
            harness.BatchSize * metrics[^1].Values[MetricNames.StepsPerSecond], 1e-6);
    }

    [Fact]
    public async Task Session_WholeRun_PublishesStartedFirstFinishedLastWithContiguousSequence()
    {
        using var harness = new TrainingHarness(new TorchMonitorOptions { MetricsInterval = 2 });
        using var validation = SyntheticImages.Create(64, seed: 99);
        RunDescriptor run;
        using (var session = harness.Attach())
        {
            run = session.Run;
            session.BeginEpoch(1);
            harness.Steps(session, 4);
            var (valLoss, valAccuracy) = VisionTrainer.Evaluate(harness.Model, validation, 32);
            session.RecordEpoch(valLoss, valAccuracy);
            session.Complete();
            session.State.Should().Be(RunState.Completed);
        }

        var events = await harness.Recorder.WaitForRunFinishedAsync();
        events.Select(e => e.Sequence).Should().Equal(Enumerable.Range(1, events.Count).Select(i => (long)i));
        events.Select(e => e.Offset).Should().BeInAscendingOrder();
        events.Should().OnlyContain(e => e.RunId == run.Id);
        events[0].Should().BeOfType<TrainingEvent>().Which.Should().Match<TrainingEvent>(e =>
            e.Kind == TrainingEventKind.RunStarted && e.State == RunState.Training && e.Step == 0);
        var finished = events[^1].Should().BeOfType<TrainingEvent>().Subject;
        finished.Kind.Should().Be(TrainingEventKind.RunFinished);
        finished.State.Should().Be(RunState.Completed);
        finished.Step.Should().Be(4);
        finished.Message.Should().BeNull();
        finished.Metrics.Should().ContainKey(MetricNames.BestAccuracy);
        events.OfType<TrainingEvent>().Count(e => e.Kind == TrainingEventKind.RunFinished).Should().Be(1);
    }

    [Fact]
    public async Task RecordEpoch_WithValidation_PublishesValidationMetricsAndBestAccuracy()
    {
        using var harness = new TrainingHarness(new TorchMonitorOptions { MetricsInterval = 1 });
        using (var session = harness.Attach())
        {
            session.BeginEpoch(1);
            harness.Steps(session, 3);
            session.RecordEpoch(validationLoss: 0.9, validationAccuracy: 0.7);
            session.BeginEpoch(2);
            harness.Steps(session, 2);
            session.RecordCheckpoint("/tmp/epoch-2.ckpt");
            session.RecordEpoch(validationLoss: 1.1, validationAccuracy: 0.6);
            session.Complete();
        }

        var events = await harness.Recorder.WaitForRunFinishedAsync();
        var sampledLosses = events.OfType<MetricEvent>().Where(m => m.Values.ContainsKey(MetricNames.TrainLoss))
            .Select(m => (m.Epoch, Loss: m.Values[MetricNames.TrainLoss])).ToList();
        var epochs = events.OfType<TrainingEvent>().Where(e => e.Kind == TrainingEventKind.EpochCompleted).ToList();
        epochs.Should().HaveCount(2);

        epochs[0].Epoch.Should().Be(1);
        epochs[0].Step.Should().Be(3);
        epochs[0].State.Should().Be(RunState.Training);
        epochs[0].CheckpointPath.Should().BeNull();
        epochs[0].Metrics.Should().Contain(MetricNames.ValLoss, 0.9).And.Contain(MetricNames.ValAccuracy, 0.7).And.Contain(MetricNames.BestAccuracy, 0.7);
        epochs[0].Metrics[MetricNames.TrainLoss].Should().BeApproximately(sampledLosses.Where(l => l.Epoch == 1).Average(l => l.Loss), 1e-12);

        epochs[1].Epoch.Should().Be(2);
        epochs[1].Step.Should().Be(5);
        epochs[1].CheckpointPath.Should().Be("/tmp/epoch-2.ckpt");
        epochs[1].Metrics.Should().Contain(MetricNames.ValAccuracy, 0.6).And.Contain(MetricNames.BestAccuracy, 0.7, "the best accuracy so far is kept");
        epochs[1].Metrics[MetricNames.TrainLoss].Should().BeApproximately(sampledLosses.Where(l => l.Epoch == 2).Average(l => l.Loss), 1e-12);

        var validationMetrics = events.OfType<MetricEvent>().Where(m => m.Values.ContainsKey(MetricNames.ValLoss)).ToList();
        validationMetrics.Select(m => (m.Step, m.Epoch)).Should().Equal((3L, (int?)1), (5L, (int?)2));
        validationMetrics[1].Values.Should().Equal(new Dictionary<string, double>
        {
            [MetricNames.ValLoss] = 1.1,
            [MetricNames.ValAccuracy] = 0.6,
            [MetricNames.BestAccuracy] = 0.7,
        });

        var checkpoint = events.OfType<TrainingEvent>().Single(e => e.Kind == TrainingEventKind.CheckpointSaved);
        checkpoint.Should().Match<TrainingEvent>(e => e.CheckpointPath == "/tmp/epoch-2.ckpt" && e.Epoch == 2 && e.Step == 5);
        events[^1].Should().BeOfType<TrainingEvent>().Which.Metrics.Should().Contain(MetricNames.BestAccuracy, 0.7);
    }

    [Fact]
    public async Task RecordEpoch_WithoutValidation_PublishesEpochEventOnly()
    {
        using var harness = new TrainingHarness(new TorchMonitorOptions { MetricsInterval = 100 });
        using (var session = harness.Attach())
        {
            session.BeginEpoch(1);
            harness.Steps(session, 2);
            session.RecordEpoch();
            session.Complete();
        }

        var events = await harness.Recorder.WaitForRunFinishedAsync();
        events.OfType<MetricEvent>().Should().ContainSingle("only step 1 is sampled and there is no validation");
        var epoch = events.OfType<TrainingEvent>().Single(e => e.Kind == TrainingEventKind.EpochCompleted);
        epoch.Metrics.Keys.Should().Equal(MetricNames.TrainLoss);
        events[^1].Should().BeOfType<TrainingEvent>().Which.Metrics.Should().BeEmpty("no validation accuracy was ever reported");
    }

    [Fact]
    public async Task RecordStep_GradientNormEnabled_PublishesFinitePositiveNorm()
    {
        using var harness = new TrainingHarness(new TorchMonitorOptions { MetricsInterval = 1, GradientNorm = true });
        double expected = 0;
        using (var session = harness.Attach())
        {
            harness.Steps(session, 2);
            harness.TryStep(session, (loss, output, labels) =>
            {
                session.RecordStep(loss, output, labels);
                using var scope = NewDisposeScope();
                expected = Math.Sqrt(harness.Model.parameters().Sum(p => p.grad!.pow(2).sum().to_type(ScalarType.Float64).item<double>()));
            }).Should().BeTrue();
            session.Complete();
            session.TelemetryErrors.Should().Be(0);
        }

        var metrics = (await harness.Recorder.WaitForRunFinishedAsync()).OfType<MetricEvent>().ToList();
        metrics.Should().HaveCount(3);
        metrics.Should().OnlyContain(m => double.IsFinite(m.Values[MetricNames.GradientNorm]) && m.Values[MetricNames.GradientNorm] > 0);
        metrics[^1].Values[MetricNames.GradientNorm].Should().BeApproximately(expected, expected * 1e-4);
    }

    [Fact]
    public async Task RecordStep_SampledSteps_PublishProcessMemoryAndGpuMetricsOnlyWhereNvmlReads()
    {
        using var harness = new TrainingHarness(new TorchMonitorOptions { MetricsInterval = 2 });
        using (var session = harness.Attach())
        {
            harness.Steps(session, 4);
            session.Complete();
            session.TelemetryErrors.Should().Be(0);
        }

        var metrics = (await harness.Recorder.WaitForRunFinishedAsync()).OfType<MetricEvent>().ToList();
        metrics.Select(m => m.Step).Should().Equal([1, 2, 4]);
        var nvml = GpuMonitor.Default.TryRead(0, out _);
        foreach (var metric in metrics)
        {
            // Working set and GC heap in GiB: more than 1 MiB, less than 1 TiB.
            metric.Values[MetricNames.ProcessMemory].Should().BeInRange(1.0 / 1024, 1024);
            metric.Values[MetricNames.ManagedMemory].Should().BeInRange(1.0 / (1024 * 1024), 1024);
            if (nvml)
            {
                metric.Values[MetricNames.GpuMemoryTotal].Should().BePositive();
                metric.Values[MetricNames.GpuMemoryUsed].Should().BeInRange(0, metric.Values[MetricNames.GpuMemoryTotal]);
            }
            else
            {
                // Without NVML the GPU metrics are left out, not sent as zero.
                metric.Values.Should().NotContainKeys(MetricNames.GpuMemoryUsed, MetricNames.GpuMemoryTotal, MetricNames.GpuUtilization);
            }
        }

        output.WriteLine($"NVML available: {nvml}; process memory {metrics[^1].Values[MetricNames.ProcessMemory]:F3} GiB");
    }

    [Fact]
    public async Task RecordStep_GpuMetricsDisabled_PublishesNoGpuMetrics()
    {
        using var harness = new TrainingHarness(new TorchMonitorOptions { MetricsInterval = 1, GpuMetrics = false });
        using (var session = harness.Attach())
        {
            harness.Steps(session, 2);
            session.Complete();
        }

        var metrics = (await harness.Recorder.WaitForRunFinishedAsync()).OfType<MetricEvent>().ToList();
        metrics.Should().HaveCount(2);
        metrics.Should().OnlyContain(m => m.Values.ContainsKey(MetricNames.ProcessMemory)
            && !m.Values.ContainsKey(MetricNames.GpuMemoryUsed)
            && !m.Values.ContainsKey(MetricNames.GpuMemoryTotal)
            && !m.Values.ContainsKey(MetricNames.GpuUtilization));
    }

    [Fact]
    public async Task RecordStep_LearningRateChanged_PublishesNewRate()
    {
        using var harness = new TrainingHarness(new TorchMonitorOptions { MetricsInterval = 1 });
        using (var session = harness.Attach())
        {
            harness.Steps(session, 1);
            harness.Optimizer.ParamGroups.First().LearningRate = 2.5e-4;
            harness.Steps(session, 1);
            session.Complete();
        }

        var metrics = (await harness.Recorder.WaitForRunFinishedAsync()).OfType<MetricEvent>().ToList();
        metrics.Select(m => m.Values[MetricNames.LearningRate]).Should().Equal(1e-3, 2.5e-4);
    }

    [Fact]
    public async Task RecordStep_BatchSizeOverload_PublishesLossAndThroughputWithoutAccuracy()
    {
        using var harness = new TrainingHarness(new TorchMonitorOptions { MetricsInterval = 1 });
        using (var session = harness.Attach())
        {
            harness.TryStep(session, (loss, _, _) => session.RecordStep(loss, batchSize: 1_000)).Should().BeTrue();
            session.Complete();
        }

        var metric = (await harness.Recorder.WaitForRunFinishedAsync()).OfType<MetricEvent>().Single();
        metric.Values.Should().ContainKeys(MetricNames.TrainLoss, MetricNames.LearningRate, MetricNames.SamplesPerSecond, MetricNames.BatchTime);
        metric.Values.Should().NotContainKey(MetricNames.TrainAccuracy);
        metric.Values.Should().NotContainKey(MetricNames.EtaSeconds, "the run has no planned length");
        metric.Epoch.Should().BeNull();
        metric.Batch.Should().BeNull();
        metric.Values[MetricNames.SamplesPerSecond].Should().BeApproximately(1_000 * metric.Values[MetricNames.StepsPerSecond], 1e-6);
    }

    [FashionMnistFact]
    public async Task RecordStep_SixtyAdamStepsOnFashionMnist_TrainLossFalls()
    {
        var data = FashionMnist.Load(FashionMnist.DefaultDirectory, train: true, limit: 60 * 64);
        using var harness = new TrainingHarness(new TorchMonitorOptions { MetricsInterval = 1 }, data, batchSize: 64);
        using (var session = harness.Attach())
        {
            session.BeginEpoch(1);
            harness.Steps(session, 60);
            session.Complete();
        }

        var losses = (await harness.Recorder.WaitForRunFinishedAsync()).OfType<MetricEvent>().Select(m => m.Values[MetricNames.TrainLoss]).ToList();
        losses.Should().HaveCount(60);
        var first = losses.Take(5).Average();
        var last = losses.TakeLast(5).Average();
        output.WriteLine($"Mean train loss of the first five steps {first:F3}, of the last five {last:F3}.");
        first.Should().BeGreaterThan(1.8, "an untrained 10-class classifier starts near ln 10 ≈ 2.3");
        last.Should().BeLessThan(first * 0.6, "60 Adam steps at lr 1e-3 on Fashion-MNIST learn a lot (first five {0:F3}, last five {1:F3})", first, last);
    }

    [Fact]
    public async Task RecordStep_OutputAndTargetDisagree_StepCountsAndErrorIsCounted()
    {
        using var harness = new TrainingHarness(new TorchMonitorOptions { MetricsInterval = 1 });
        using (var session = harness.Attach())
        {
            harness.Steps(session, 1);
            harness.TryStep(session, (loss, output, labels) =>
            {
                using var scope = NewDisposeScope();
                var wrongTarget = cat([labels, labels]);
                FluentActions.Invoking(() => session.RecordStep(loss, output, wrongTarget)).Should().NotThrow();
            }).Should().BeTrue();
            session.Step.Should().Be(2, "a step whose telemetry failed still counts");
            session.TelemetryErrors.Should().Be(1);
            harness.Steps(session, 1);
            session.TelemetryErrors.Should().Be(1, "the loop goes on as before");
            session.Complete();
        }

        var metrics = (await harness.Recorder.WaitForRunFinishedAsync()).OfType<MetricEvent>().ToList();
        metrics.Select(m => m.Step).Should().Equal(1, 3);
    }

    [Fact]
    public async Task RecordStep_NonScalarLossAndOneDimensionalOutput_DoNotThrowIntoTheLoop()
    {
        using var harness = new TrainingHarness(new TorchMonitorOptions { MetricsInterval = 1 });
        using (var session = harness.Attach())
        using (NewDisposeScope())
        {
            var vectorLoss = ones(4);
            FluentActions.Invoking(() => session.RecordStep(vectorLoss, ones(8), zeros(8, dtype: ScalarType.Int64))).Should().NotThrow();
            session.Step.Should().Be(1);
            session.TelemetryErrors.Should().Be(1, "a loss that is not a scalar cannot be read");

            var flatOutput = ones(8);
            session.RecordStep(tensor(0.5f), flatOutput, zeros(8, dtype: ScalarType.Int64));
            session.Step.Should().Be(2);
            session.TelemetryErrors.Should().Be(1, "logits that are not [batch, classes] are skipped, not an error");

            var disposedLoss = tensor(1f);
            disposedLoss.Dispose();
            FluentActions.Invoking(() => session.RecordStep(disposedLoss, batchSize: 8)).Should().NotThrow();
            session.Step.Should().Be(3);
            session.TelemetryErrors.Should().Be(2);
            session.Complete();
        }

        var metrics = (await harness.Recorder.WaitForRunFinishedAsync()).OfType<MetricEvent>().ToList();
        metrics.Should().ContainSingle().Which.Step.Should().Be(2);
        metrics[0].Values.Should().Contain(MetricNames.TrainLoss, 0.5).And.NotContainKey(MetricNames.TrainAccuracy);
    }

    [Fact]
    public void RecordStep_NullTensorsOrBadBatchSize_ThrowArgumentExceptions()
    {
        using var harness = new TrainingHarness();
        using var session = harness.Attach();
        using var scope = NewDisposeScope();
        var t = tensor(1f);

        FluentActions.Invoking(() => session.RecordStep(null!, t, t)).Should().Throw<ArgumentNullException>();
        FluentActions.Invoking(() => session.RecordStep(t, null!, t)).Should().Throw<ArgumentNullException>();
        FluentActions.Invoking(() => session.RecordStep(t, t, null!)).Should().Throw<ArgumentNullException>();
        FluentActions.Invoking(() => session.RecordStep(null!, 4)).Should().Throw<ArgumentNullException>();
        FluentActions.Invoking(() => session.RecordStep(t, 0)).Should().Throw<ArgumentOutOfRangeException>();
        FluentActions.Invoking(() => session.BeginEpoch(0)).Should().Throw<ArgumentOutOfRangeException>();
        FluentActions.Invoking(() => session.RecordCheckpoint("")).Should().Throw<ArgumentException>();
        FluentActions.Invoking(() => session.Fail(null!)).Should().Throw<ArgumentNullException>();
        session.Step.Should().Be(0);
    }

    [Fact]
    public async Task RecordStep_InsideCallerScope_LeavesNoTensorBehind()
    {
        using var harness = new TrainingHarness(new TorchMonitorOptions { MetricsInterval = 1, GradientNorm = true });
        using var session = harness.Attach();

        harness.TryStep(session, (loss, output, labels) =>
        {
            using var scope = NewDisposeScope();
            session.RecordStep(loss, output, labels);
            scope.DisposablesCount.Should().Be(0, "the hook frees the tensors it reads in its own scope");
            loss.IsInvalid.Should().BeFalse("the hook does not dispose the caller's tensors");
            output.IsInvalid.Should().BeFalse();
            labels.IsInvalid.Should().BeFalse();
        }).Should().BeTrue();

        var metric = await harness.Recorder.WaitForAsync<MetricEvent>(_ => true, "the sampled step was published");
        metric.Values.Should().ContainKeys(MetricNames.TrainLoss, MetricNames.TrainAccuracy, MetricNames.GradientNorm);
    }

    [Fact]
    public async Task Methods_AfterComplete_ThrowInvalidOperation()
    {
        using var harness = new TrainingHarness();
        var session = harness.Attach();
        session.Complete();
        using var scope = NewDisposeScope();
        var t = tensor(1f);

        FluentActions.Invoking(() => session.WaitForStepBoundary()).Should().Throw<InvalidOperationException>().WithMessage($"Run '{session.Run.Id}' has already finished.");
        FluentActions.Invoking(() => session.BeginEpoch(1)).Should().Throw<InvalidOperationException>();
        FluentActions.Invoking(() => session.RecordStep(t, t, t)).Should().Throw<InvalidOperationException>();
        FluentActions.Invoking(() => session.RecordStep(t, 1)).Should().Throw<InvalidOperationException>();
        FluentActions.Invoking(() => session.RecordEpoch()).Should().Throw<InvalidOperationException>();
        FluentActions.Invoking(() => session.RecordCheckpoint("/tmp/x")).Should().Throw<InvalidOperationException>();
        session.Step.Should().Be(0);

        // Ending an ended run again is a no-op, not a second RunFinished.
        session.Complete();
        session.Fail(new InvalidOperationException("late"));
        session.Dispose();
        session.State.Should().Be(RunState.Completed);
        await harness.Recorder.WaitForRunFinishedAsync();
        await Task.Delay(100);
        harness.Recorder.TrainingEvents(TrainingEventKind.RunFinished).Should().ContainSingle().Which.State.Should().Be(RunState.Completed);
    }

    [Fact]
    public async Task Dispose_WithoutComplete_FinishesStoppedWithMessage()
    {
        using var harness = new TrainingHarness(new TorchMonitorOptions { MetricsInterval = 1 });
        string runId;
        using (var session = harness.Attach())
        {
            runId = session.Run.Id;
            harness.Steps(session, 2);
            harness.Control.ActiveRuns.Should().Contain(runId);
        }

        var finished = (await harness.Recorder.WaitForRunFinishedAsync()).OfType<TrainingEvent>().Last();
        finished.Kind.Should().Be(TrainingEventKind.RunFinished);
        finished.State.Should().Be(RunState.Stopped);
        finished.Step.Should().Be(2);
        finished.Message.Should().Be("The training loop ended without calling Complete().");
        harness.Control.ActiveRuns.Should().NotContain(runId, "a finished run is detached from control");
        FluentActions.Invoking(() => harness.Control.Submit(ControlAction.Pause, runId)).Should().Throw<RunNotActiveException>();
    }

    [Fact]
    public async Task Fail_WithException_FinishesFailedWithTypeAndMessage()
    {
        using var harness = new TrainingHarness();
        using (var session = harness.Attach())
        {
            session.BeginEpoch(3);
            session.Fail(new InvalidDataException("the batch was corrupt"));
            session.State.Should().Be(RunState.Failed);
        }

        var finished = (await harness.Recorder.WaitForRunFinishedAsync()).OfType<TrainingEvent>().Last();
        finished.State.Should().Be(RunState.Failed);
        finished.Epoch.Should().Be(3);
        finished.Message.Should().Be("InvalidDataException: the batch was corrupt");
        harness.Recorder.TrainingEvents(TrainingEventKind.RunFinished).Should().ContainSingle();
    }

    [Fact]
    public async Task Fail_MultiLineMessage_KeepsTheFirstLine()
    {
        using var harness = new TrainingHarness();
        using (var session = harness.Attach())
        {
            session.Fail(new InvalidOperationException("shapes differ\r\nException raised from addmm\nframe #0: libtorch_cpu.so"));
        }

        var finished = (await harness.Recorder.WaitForRunFinishedAsync()).OfType<TrainingEvent>().Last();
        finished.Message.Should().Be("InvalidOperationException: shapes differ");
    }

    [Fact]
    public void WaitForStepBoundary_NothingPending_ReturnsTrueAndKeepsTraining()
    {
        using var harness = new TrainingHarness();
        using var session = harness.Attach();

        session.WaitForStepBoundary().Should().BeTrue();
        session.State.Should().Be(RunState.Training);
        session.StopRequested.Should().BeFalse();
    }

    [Fact]
    public async Task WaitForStepBoundary_CancelledToken_StopsCleanly()
    {
        using var harness = new TrainingHarness(new TorchMonitorOptions { MetricsInterval = 1 });
        using var cts = new CancellationTokenSource();
        using (var session = harness.Attach())
        {
            harness.Steps(session, 2);
            cts.Cancel();

            harness.TryStep(session, cts.Token).Should().BeFalse();
            session.StopRequested.Should().BeTrue();
            session.State.Should().Be(RunState.Stopped);
            session.Step.Should().Be(2);
            session.Complete();
        }

        var finished = (await harness.Recorder.WaitForRunFinishedAsync()).OfType<TrainingEvent>().Last();
        finished.State.Should().Be(RunState.Stopped);
        finished.Message.Should().BeNull("the loop ended the way it was asked to");
    }

    [Fact]
    public async Task WaitForStepBoundary_PauseThenResumeThenStop_FreezesResumesAndEndsTheBackgroundLoop()
    {
        using var harness = new TrainingHarness(new TorchMonitorOptions { MetricsInterval = 1 }, batchSize: 8);
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        var session = harness.Attach();
        var runId = session.Run.Id;
        var loop = harness.RunInBackground(session, cts.Token);
        await harness.Recorder.WaitForAsync<MetricEvent>(m => m.Step >= 3, "the loop trains");

        var pause = harness.Control.Submit(ControlAction.Pause, runId);
        var paused = await harness.Recorder.WaitForAsync<TrainingEvent>(e => e.Command?.Id == pause.Id, "the pause was handled");
        paused.Kind.Should().Be(TrainingEventKind.ControlApplied);
        paused.ControlStatus.Should().Be(ControlStatus.Applied);
        paused.State.Should().Be(RunState.Paused);
        session.State.Should().Be(RunState.Paused);
        var frozenAt = session.Step;
        paused.Step.Should().Be(frozenAt, "the command is applied at the step boundary the loop stopped at");
        await Task.Delay(500);
        session.Step.Should().Be(frozenAt, "a paused loop takes no step");
        harness.Recorder.Metrics.Max(m => m.Step).Should().Be(frozenAt);
        loop.IsCompleted.Should().BeFalse();

        var resume = harness.Control.Submit(ControlAction.Resume, runId);
        var resumed = await harness.Recorder.WaitForAsync<TrainingEvent>(e => e.Command?.Id == resume.Id, "the resume was handled");
        resumed.ControlStatus.Should().Be(ControlStatus.Applied);
        resumed.State.Should().Be(RunState.Training);
        await harness.Recorder.WaitForAsync<MetricEvent>(m => m.Step >= frozenAt + 3, "the resumed loop trains again");

        var stop = harness.Control.Submit(ControlAction.Stop, runId);
        var steps = await loop.WaitAsync(EventRecorder.Patience);
        var stopped = await harness.Recorder.WaitForAsync<TrainingEvent>(e => e.Command?.Id == stop.Id, "the stop was handled");
        stopped.ControlStatus.Should().Be(ControlStatus.Applied);
        stopped.State.Should().Be(RunState.Stopped);
        stopped.Step.Should().Be(steps);
        var finished = (await harness.Recorder.WaitForRunFinishedAsync()).OfType<TrainingEvent>().Last();
        finished.Kind.Should().Be(TrainingEventKind.RunFinished);
        finished.State.Should().Be(RunState.Stopped);
        finished.Step.Should().Be(steps);
        session.Step.Should().Be(steps);
        harness.Control.ActiveRuns.Should().NotContain(runId);
    }

    [Fact]
    public async Task WaitForStepBoundary_ResumeWhileTraining_IsRejectedAndTrainingContinues()
    {
        using var harness = new TrainingHarness(new TorchMonitorOptions { MetricsInterval = 1 }, batchSize: 8);
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        var session = harness.Attach();
        var loop = harness.RunInBackground(session, cts.Token);
        await harness.Recorder.WaitForAsync<MetricEvent>(m => m.Step >= 2, "the loop trains");

        var resume = harness.Control.Submit(ControlAction.Resume, session.Run.Id);
        var rejected = await harness.Recorder.WaitForAsync<TrainingEvent>(e => e.Command?.Id == resume.Id, "the resume was handled");
        rejected.ControlStatus.Should().Be(ControlStatus.Rejected);
        rejected.Message.Should().Be("The run is not paused.");
        rejected.State.Should().Be(RunState.Training);
        await harness.Recorder.WaitForAsync<MetricEvent>(m => m.Step >= rejected.Step + 3, "a rejected command leaves training running");

        cts.Cancel();
        await loop.WaitAsync(EventRecorder.Patience);
        (await harness.Recorder.WaitForRunFinishedAsync()).OfType<TrainingEvent>().Last().State.Should().Be(RunState.Stopped);
    }

    [Fact]
    public async Task WaitForStepBoundary_PauseTwiceThenCancelWhilePaused_RejectsSecondPauseAndStops()
    {
        using var harness = new TrainingHarness(new TorchMonitorOptions { MetricsInterval = 1 }, batchSize: 8);
        using var cts = new CancellationTokenSource();
        var session = harness.Attach();
        var loop = harness.RunInBackground(session, cts.Token);
        await harness.Recorder.WaitForAsync<MetricEvent>(m => m.Step >= 1, "the loop trains");

        var first = harness.Control.Submit(ControlAction.Pause, session.Run.Id);
        await harness.Recorder.WaitForAsync<TrainingEvent>(e => e.Command?.Id == first.Id, "the pause was handled");
        var second = harness.Control.Submit(ControlAction.Pause, session.Run.Id);
        var rejected = await harness.Recorder.WaitForAsync<TrainingEvent>(e => e.Command?.Id == second.Id, "the second pause was handled while paused");
        rejected.ControlStatus.Should().Be(ControlStatus.Rejected);
        rejected.Message.Should().Be("The run is already paused.");
        rejected.State.Should().Be(RunState.Paused);

        var pausedAt = session.Step;
        cts.Cancel();
        var steps = await loop.WaitAsync(EventRecorder.Patience);
        steps.Should().Be(pausedAt, "cancellation ends a paused loop without another step");
        var finished = (await harness.Recorder.WaitForRunFinishedAsync()).OfType<TrainingEvent>().Last();
        finished.State.Should().Be(RunState.Stopped);
        finished.Step.Should().Be(pausedAt);
    }

    [Fact]
    public async Task WaitForStepBoundary_StopWhilePaused_EndsTheLoop()
    {
        using var harness = new TrainingHarness(new TorchMonitorOptions { MetricsInterval = 1 }, batchSize: 8);
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        var session = harness.Attach();
        var loop = harness.RunInBackground(session, cts.Token);
        await harness.Recorder.WaitForAsync<MetricEvent>(m => m.Step >= 1, "the loop trains");

        var pause = harness.Control.Submit(ControlAction.Pause);
        await harness.Recorder.WaitForAsync<TrainingEvent>(e => e.Command?.Id == pause.Id, "the pause was handled");
        var stop = harness.Control.Submit(ControlAction.Stop);
        await loop.WaitAsync(EventRecorder.Patience);

        var stopped = await harness.Recorder.WaitForAsync<TrainingEvent>(e => e.Command?.Id == stop.Id, "the stop was handled");
        stopped.ControlStatus.Should().Be(ControlStatus.Applied);
        stopped.State.Should().Be(RunState.Stopped);
        (await harness.Recorder.WaitForRunFinishedAsync()).OfType<TrainingEvent>().Last().State.Should().Be(RunState.Stopped);
        cts.IsCancellationRequested.Should().BeFalse("the stop command, not the safety timeout, ended the loop");
    }

    [Fact]
    public async Task WaitForStepBoundary_StopTwiceBeforeBoundary_RejectsTheSecond()
    {
        using var harness = new TrainingHarness();
        using (var session = harness.Attach())
        {
            var first = harness.Control.Submit(ControlAction.Stop, session.Run.Id);
            var second = harness.Control.Submit(ControlAction.Stop, session.Run.Id);

            session.WaitForStepBoundary().Should().BeFalse();
            session.Complete();

            var events = await harness.Recorder.WaitForRunFinishedAsync();
            var acks = events.OfType<TrainingEvent>().Where(e => e.Kind == TrainingEventKind.ControlApplied).ToList();
            acks.Select(a => (a.Command!.Id, a.ControlStatus)).Should().Equal((first.Id, ControlStatus.Applied), (second.Id, ControlStatus.Rejected));
            acks[1].Message.Should().Be("The run is stopping.");
        }
    }

    [Fact]
    public async Task WaitForStepBoundary_PauseAfterStopBeforeBoundary_IsRejectedAsStopping()
    {
        using var harness = new TrainingHarness();
        using var session = harness.Attach();
        harness.Control.Submit(ControlAction.Stop, session.Run.Id);
        var pause = harness.Control.Submit(ControlAction.Pause, session.Run.Id);

        session.WaitForStepBoundary().Should().BeFalse();
        session.Complete();

        var events = await harness.Recorder.WaitForRunFinishedAsync();
        var ack = events.OfType<TrainingEvent>().Single(e => e.Command?.Id == pause.Id);
        ack.ControlStatus.Should().Be(ControlStatus.Rejected);
        ack.Message.Should().Be("The run is stopping.");
        ack.State.Should().Be(RunState.Stopped);
    }

    [Fact]
    public async Task Complete_CommandsStillQueued_EachIsRejectedBeforeRunFinished()
    {
        using var harness = new TrainingHarness();
        var session = harness.Attach();
        harness.Steps(session, 1);

        // Accepted after the last step boundary (say, during the final validation): nobody will apply them.
        var pause = harness.Control.Submit(ControlAction.Pause, session.Run.Id);
        var stop = harness.Control.Submit(ControlAction.Stop);
        session.Complete();
        session.Dispose();

        var events = (await harness.Recorder.WaitForRunFinishedAsync()).OfType<TrainingEvent>().ToList();
        var acks = events.Where(e => e.Kind == TrainingEventKind.ControlApplied).ToList();
        acks.Select(a => a.Command!.Id).Should().Equal(pause.Id, stop.Id);
        acks.Should().OnlyContain(a => a.ControlStatus == ControlStatus.Rejected && a.Message == "The run has finished.");
        events[^1].Kind.Should().Be(TrainingEventKind.RunFinished, "every acknowledgement comes before the run's last event");
        events[^1].State.Should().Be(RunState.Completed);
        FluentActions.Invoking(() => harness.Control.Submit(ControlAction.Pause, session.Run.Id)).Should().Throw<RunNotActiveException>();
    }
}
