using TorchSharp.Modules;
using TrainInsight.Torch.Vision;
using static TorchSharp.torch;

namespace TrainInsight.Torch.Tests.Hooks;

/// <summary>Per-layer norms, update ratios, activation health, the data/compute split and per-group learning rates, on real training.</summary>
public sealed class TrainingSessionStatisticsTests
{
    private static readonly string[] s_smallCnnLayers = ["conv1", "conv2", "fc1", "fc2"];

    [Fact]
    public async Task RecordStep_LayerStatisticsWithSgd_MatchNormsComputedByHand()
    {
        const double Rate = 0.05;
        using var bus = TelemetryBus.Create();
        using var recorder = new EventRecorder(bus);
        var monitor = new TrainingMonitor(bus, TrainingControl.Create(), new TorchMonitorOptions { LayerStatistics = true, StatisticsInterval = 1, MetricsInterval = 1 });
        random.manual_seed(3);
        using var model = new SmallCnn();
        using var optimizer = optim.SGD(model.parameters(), Rate);
        using var data = SyntheticImages.Create(64, seed: 3);
        var expected = new List<Dictionary<string, double>>();
        using (var session = monitor.Attach(model, optimizer, TrainingHarness.NewRun()))
        {
            foreach (var (images, labels) in data.Batches(16, shuffleSeed: 1))
            {
                using (images)
                using (labels)
                using (NewDisposeScope())
                {
                    session.WaitForStepBoundary().Should().BeTrue();
                    optimizer.zero_grad();
                    var output = model.call(images);
                    var loss = nn.functional.cross_entropy(output, labels);
                    loss.backward();
                    var before = LayerSquares(model, p => p);
                    var gradients = LayerSquares(model, p => p.grad!);
                    optimizer.step();
                    var after = LayerSquares(model, p => p);
                    expected.Add(s_smallCnnLayers.ToDictionary(l => l, l => 0.0));
                    foreach (var layer in s_smallCnnLayers)
                    {
                        expected[^1]["g/" + layer] = Math.Sqrt(gradients[layer]);
                        expected[^1]["w/" + layer] = Math.Sqrt(after[layer]);

                        // Plain SGD: the update is -rate * gradient.
                        expected[^1]["r/" + layer] = Rate * Math.Sqrt(gradients[layer]) / Math.Sqrt(before[layer]);
                    }

                    session.RecordStep(loss, output, labels);
                }
            }

            session.Complete();
        }

        var metrics = (await recorder.WaitForRunFinishedAsync()).OfType<MetricEvent>().ToList();
        metrics.Should().HaveCount(4);
        for (var step = 0; step < metrics.Count; step++)
        {
            var values = metrics[step].Values;
            foreach (var layer in s_smallCnnLayers)
            {
                values[MetricNames.ForLayer(MetricNames.GradientNorm, layer)].Should().BeApproximately(expected[step]["g/" + layer], expected[step]["g/" + layer] * 1e-5);
                values[MetricNames.ForLayer(MetricNames.WeightNorm, layer)].Should().BeApproximately(expected[step]["w/" + layer], expected[step]["w/" + layer] * 1e-5);
                values[MetricNames.ForLayer(MetricNames.UpdateRatio, layer)].Should().BeApproximately(expected[step]["r/" + layer], expected[step]["r/" + layer] * 1e-3);
            }

            var layerGradients = s_smallCnnLayers.Sum(l => Math.Pow(values[MetricNames.ForLayer(MetricNames.GradientNorm, l)], 2));
            values[MetricNames.GradientNorm].Should().BeApproximately(Math.Sqrt(layerGradients), 1e-9, "the global norm is the layers' norms combined");
            values.Should().ContainKeys(MetricNames.WeightNorm, MetricNames.UpdateRatio);
            values.Keys.Where(k => k.Contains('/')).Should().HaveCount(3 * s_smallCnnLayers.Length, "no other per-layer names appear");
        }
    }

    [Fact]
    public async Task RecordStep_StatisticsInterval_ComputesStatisticsOnlyOnTheFirstAndEveryNthStep()
    {
        using var harness = new TrainingHarness(
            new TorchMonitorOptions { MetricsInterval = 2, StatisticsInterval = 5, LayerStatistics = true, ActivationStatistics = true },
            batchSize: 8);
        using (var session = harness.Attach())
        {
            harness.Steps(session, 10);
            session.Complete();
        }

        var metrics = (await harness.Recorder.WaitForRunFinishedAsync()).OfType<MetricEvent>().ToList();
        metrics.Select(m => m.Step).Should().Equal(1, 2, 4, 5, 6, 8, 10);
        metrics.Where(m => m.Values.ContainsKey(MetricNames.UpdateRatio)).Select(m => m.Step).Should().Equal(1, 5, 10);
        metrics.Where(m => m.Values.ContainsKey(MetricNames.DeadRelu)).Select(m => m.Step).Should().Equal(1, 5, 10);
        metrics.Where(m => m.Values.ContainsKey(MetricNames.ForLayer(MetricNames.GradientNorm, "conv1"))).Select(m => m.Step).Should().Equal(1, 5, 10);
        metrics.Should().AllSatisfy(m => m.Values.Should().ContainKey(MetricNames.TrainLoss), "a statistics step also publishes the regular metrics");
    }

    [Fact]
    public async Task RecordStep_ActivationStatistics_ReportsAKilledLayerAsAllDead()
    {
        using var harness = new TrainingHarness(new TorchMonitorOptions { MetricsInterval = 1, StatisticsInterval = 1, ActivationStatistics = true }, batchSize: 16);
        using (no_grad())
        {
            // Every fc1 pre-activation becomes hugely negative: relu3 outputs zero for every sample.
            harness.Model.named_parameters().Single(p => p.name == "_fc1.bias").parameter.fill_(-1e4);
        }

        using (var session = harness.Attach())
        {
            harness.Steps(session, 2);
            session.Complete();
        }

        var metrics = (await harness.Recorder.WaitForRunFinishedAsync()).OfType<MetricEvent>().ToList();
        metrics.Should().HaveCount(2);
        foreach (var values in metrics.Select(m => m.Values))
        {
            values[MetricNames.ForLayer(MetricNames.DeadRelu, "relu3")].Should().Be(1.0);
            values[MetricNames.ForLayer(MetricNames.DeadRelu, "relu1")].Should().BeInRange(0, 0.5, "fresh convolutions keep most units alive");
            values[MetricNames.ForLayer(MetricNames.DeadRelu, "relu2")].Should().BeInRange(0, 0.5);
            var mean = new[] { "relu1", "relu2", "relu3" }.Average(l => values[MetricNames.ForLayer(MetricNames.DeadRelu, l)]);
            values[MetricNames.DeadRelu].Should().BeApproximately(mean, 1e-12);
            values.Should().NotContainKey(MetricNames.Saturation, "SmallCnn has no sigmoid or tanh");
        }
    }

    [Theory]
    [InlineData("sigmoid", 100.0, 1.0)]
    [InlineData("sigmoid", 0.0, 0.0)]
    [InlineData("tanh", 100.0, 1.0)]
    [InlineData("tanh", 0.0, 0.0)]
    public async Task RecordStep_ActivationStatistics_MeasuresSaturationOfSigmoidAndTanh(string activation, double weight, double expectedShare)
    {
        using var bus = TelemetryBus.Create();
        using var recorder = new EventRecorder(bus);
        var monitor = new TrainingMonitor(bus, TrainingControl.Create(), new TorchMonitorOptions { MetricsInterval = 1, StatisticsInterval = 1, ActivationStatistics = true });
        random.manual_seed(5);
        using var hidden = nn.Linear(4, 32);
        using (no_grad())
        {
            // Inputs are ±1, so every pre-activation is ±(4 × weight) away from zero (or exactly zero).
            hidden.weight!.fill_(weight);
            hidden.bias!.zero_();
        }

        using var model = nn.Sequential(
            ("hidden", hidden),
            ("act", activation == "sigmoid" ? nn.Sigmoid() : nn.Tanh()),
            ("head", nn.Linear(32, 2)));
        using var optimizer = optim.SGD(model.parameters(), 1e-6);
        using (var session = monitor.Attach(model, optimizer, TrainingHarness.NewRun()))
        using (NewDisposeScope())
        {
            var input = ones(8, 4);
            input[TensorIndex.Slice(0, 4)] = input[TensorIndex.Slice(0, 4)].neg();
            var target = tensor(new long[] { 0, 1, 0, 1, 0, 1, 0, 1 });
            session.WaitForStepBoundary().Should().BeTrue();
            var loss = nn.functional.cross_entropy(model.call(input), target);
            loss.backward();
            optimizer.step();
            session.RecordStep(loss, 8);
            session.Complete();
        }

        var values = (await recorder.WaitForRunFinishedAsync()).OfType<MetricEvent>().Single().Values;
        values[MetricNames.ForLayer(MetricNames.Saturation, "act")].Should().Be(expectedShare);
        values[MetricNames.Saturation].Should().Be(expectedShare);
        values.Should().NotContainKey(MetricNames.DeadRelu);
    }

    [Fact]
    public void WaitForStepBoundary_BeforeAStatisticsStep_ArmsTheHooksOnlyThenSoValidationIsNeverMeasured()
    {
        using var harness = new TrainingHarness(new TorchMonitorOptions { StatisticsInterval = 2, ActivationStatistics = true, LayerStatistics = true }, batchSize: 8);
        using var session = harness.Attach();
        var activations = session.Statistics.Activations!;
        activations.Armed.Should().BeTrue("step 1 is a statistics step");
        harness.Steps(session, 1);
        activations.Armed.Should().BeFalse("between steps (where validation runs) the hooks are quiet");
        session.WaitForStepBoundary().Should().BeTrue();
        activations.Armed.Should().BeTrue("step 2 is a statistics step and is about to run");
        harness.Steps(session, 1);
        activations.Armed.Should().BeFalse();
        session.WaitForStepBoundary().Should().BeTrue();
        activations.Armed.Should().BeFalse("step 3 is not a statistics step");
        session.Complete();
    }

    [Fact]
    public async Task WaitForStepBoundary_TimeBeforeTheBoundary_IsReportedAsDataTime()
    {
        var delay = TimeSpan.FromMilliseconds(20);
        using var harness = new TrainingHarness(new TorchMonitorOptions { MetricsInterval = 3 }, batchSize: 8);
        using (var session = harness.Attach())
        {
            for (var i = 0; i < 6; i++)
            {
                // A slow data loader: the batch takes at least 20 ms to arrive.
                Thread.Sleep(delay);
                harness.TryStep(session).Should().BeTrue();
            }

            session.Complete();
        }

        var metrics = (await harness.Recorder.WaitForRunFinishedAsync()).OfType<MetricEvent>().ToList();
        metrics.Select(m => m.Step).Should().Equal(1, 3, 6);
        foreach (var values in metrics.Select(m => m.Values))
        {
            values[MetricNames.DataTime].Should().BeGreaterThanOrEqualTo(delay.TotalSeconds, "every step waited at least that long for its batch");
            values[MetricNames.ComputeTime].Should().BeGreaterThan(0);
            (values[MetricNames.DataTime] + values[MetricNames.ComputeTime]).Should().BeApproximately(values[MetricNames.BatchTime], 1e-9);
        }
    }

    [Fact]
    public async Task RecordStep_LoopWithoutStepBoundaries_PublishesNoDataComputeSplit()
    {
        using var harness = new TrainingHarness(new TorchMonitorOptions { MetricsInterval = 2 }, batchSize: 8);
        using (var session = harness.Attach())
        {
            for (var i = 0; i < 4; i++)
            {
                using var scope = NewDisposeScope();
                using var images = randn(8, 1, 28, 28);
                using var labels = randint(0, 10, [8]);
                harness.Optimizer.zero_grad();
                var output = harness.Model.call(images);
                var loss = harness.Criterion.call(output, labels);
                loss.backward();
                harness.Optimizer.step();
                session.RecordStep(loss, output, labels);
            }

            session.Complete();
        }

        var metrics = (await harness.Recorder.WaitForRunFinishedAsync()).OfType<MetricEvent>().ToList();
        metrics.Should().HaveCount(3);
        metrics.Should().AllSatisfy(m => m.Values.Should().ContainKey(MetricNames.BatchTime).And.NotContainKeys(MetricNames.DataTime, MetricNames.ComputeTime));
    }

    [Fact]
    public async Task RecordStep_TwoParameterGroups_PublishesEachGroupsRate()
    {
        using var bus = TelemetryBus.Create();
        using var recorder = new EventRecorder(bus);
        var monitor = new TrainingMonitor(bus, TrainingControl.Create(), new TorchMonitorOptions { MetricsInterval = 1 });
        random.manual_seed(1);
        using var model = new SmallCnn();
        var parameters = model.named_parameters().ToList();
        using var optimizer = optim.SGD(
            [
                new SGD.ParamGroup(parameters.Where(p => p.name.StartsWith("_conv", StringComparison.Ordinal)).Select(p => p.parameter), lr: 0.01),
                new SGD.ParamGroup(parameters.Where(p => p.name.StartsWith("_fc", StringComparison.Ordinal)).Select(p => p.parameter), lr: 0.002),
            ],
            0.01);
        using (var session = monitor.Attach(model, optimizer, TrainingHarness.NewRun()))
        using (NewDisposeScope())
        {
            session.WaitForStepBoundary().Should().BeTrue();
            var labels = randint(0, 10, [4]);
            var output = model.call(randn(4, 1, 28, 28));
            var loss = nn.functional.cross_entropy(output, labels);
            loss.backward();
            optimizer.step();
            session.RecordStep(loss, output, labels);
            session.Complete();
        }

        var values = (await recorder.WaitForRunFinishedAsync()).OfType<MetricEvent>().Single().Values;
        values[MetricNames.LearningRate].Should().Be(0.01, "the plain name is the first group's rate");
        values["learning_rate/group0"].Should().Be(0.01);
        values["learning_rate/group1"].Should().Be(0.002);
    }

    [Fact]
    public async Task RecordStep_AllStatisticsInsideCallerScope_LeaveNoTensorBehindAndFreeTheSnapshotAtTheEnd()
    {
        using var harness = new TrainingHarness(
            new TorchMonitorOptions { MetricsInterval = 1, StatisticsInterval = 1, LayerStatistics = true, ActivationStatistics = true, GradientNorm = true });
        var session = harness.Attach();
        for (var i = 0; i < 2; i++)
        {
            harness.TryStep(session, (loss, output, labels) =>
            {
                using var scope = NewDisposeScope();
                session.RecordStep(loss, output, labels);
                scope.DisposablesCount.Should().Be(0, "the statistics free what they compute in their own scopes");
                loss.IsInvalid.Should().BeFalse();
                output.IsInvalid.Should().BeFalse();
            }).Should().BeTrue();
        }

        var layers = session.Statistics.Layers!;
        layers.HasSnapshot.Should().BeFalse("the last statistics step used the copy up");
        session.WaitForStepBoundary().Should().BeTrue();
        layers.HasSnapshot.Should().BeTrue("the next step is a statistics step, so the boundary keeps the weights it starts from");
        session.Complete();
        layers.HasSnapshot.Should().BeFalse("finishing the run frees the weight copy");
        session.TelemetryErrors.Should().Be(0);
        var metrics = (await harness.Recorder.WaitForRunFinishedAsync()).OfType<MetricEvent>().ToList();
        metrics.Should().HaveCount(2).And.AllSatisfy(m => m.Values.Should().ContainKeys(MetricNames.UpdateRatio, MetricNames.DeadRelu));
    }

    [Fact]
    public async Task Train_FullMonitoring_DoesNotChangeTheLossSequence()
    {
        static async Task<double[]> LossesAsync(TorchMonitorOptions options)
        {
            using var bus = TelemetryBus.Create();
            using var recorder = new EventRecorder(bus);
            using var data = SyntheticImages.Create(96, seed: 11);
            random.manual_seed(11);
            using var model = new SmallCnn();
            var trainer = new TrainInsight.Torch.Training.VisionTrainer(
                new TrainingMonitor(bus, TrainingControl.Create(), options),
                new TrainInsight.Torch.Training.VisionTrainerOptions { Epochs = 2, BatchSize = 16, Seed = 11 });
            trainer.Train(model, data, validation: null);
            return [.. (await recorder.WaitForRunFinishedAsync()).OfType<MetricEvent>().Select(m => m.Values[MetricNames.TrainLoss])];
        }

        var bare = await LossesAsync(new TorchMonitorOptions { MetricsInterval = 1, GpuMetrics = false });
        var full = await LossesAsync(new TorchMonitorOptions
        {
            MetricsInterval = 1,
            StatisticsInterval = 2,
            LayerStatistics = true,
            ActivationStatistics = true,
            GradientNorm = true,
        });

        bare.Should().HaveCount(12);
        full.Should().Equal(bare, "the hooks read the model and never change it");
    }

    private static Dictionary<string, double> LayerSquares(nn.Module model, Func<Parameter, Tensor> pick)
    {
        using var scope = NewDisposeScope();
        return model.named_parameters()
            .GroupBy(p => p.name[1..p.name.IndexOf('.', StringComparison.Ordinal)])
            .ToDictionary(g => g.Key, g => g.Sum(p => pick(p.parameter).detach().to_type(ScalarType.Float64).square().sum().item<double>()));
    }
}
