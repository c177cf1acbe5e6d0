using TrainInsight.Diagnostics.Tests.Infrastructure;

namespace TrainInsight.Diagnostics.Tests.Detectors;

/// <summary>The detectors that read one signal against a threshold: a clear positive, a clear negative and a borderline value each.</summary>
public class SignalDetectorTests
{
    public static TheoryData<string, string, double, int> Positives => new()
    {
        { FindingLabels.DyingRelu, MetricNames.DeadRelu, 0.9, 1 },
        { FindingLabels.SaturatedActivations, MetricNames.Saturation, 0.8, 1 },
        { FindingLabels.ExplodingGradients, MetricNames.GradientNorm, 1e5, 1 },
        { FindingLabels.UnshuffledData, MetricNames.BatchClassShare, 1.0, 1 },
        { FindingLabels.UnnormalizedInput, MetricNames.InputMean, 73, 1 },
    };

    public static TheoryData<string, string, double> Borderlines => new()
    {
        { FindingLabels.DyingRelu, MetricNames.DeadRelu, 0.45 },
        { FindingLabels.SaturatedActivations, MetricNames.Saturation, 0.45 },
        { FindingLabels.ExplodingGradients, MetricNames.GradientNorm, 900 },
        { FindingLabels.UnshuffledData, MetricNames.BatchClassShare, 0.7 },
        { FindingLabels.UnnormalizedInput, MetricNames.InputMean, 0.45 },
    };

    [Theory]
    [MemberData(nameof(Positives))]
    public void Observe_ClearPositive_RaisesAtOnce(string label, string metric, double value, int check)
    {
        var run = new Synthetic();
        run.Samples(20, i => Synthetic.HealthyWith(i, (metric, value)));

        run.FirstCheckOf(label).Should().Be(check);
        var finding = run.Raised.First(f => f.Label == label);
        finding.Evidence[0].Metric.Should().Be(metric);
        finding.Fixes.Should().NotBeEmpty();
        run.Raised.Count(f => f.Label == label).Should().Be(1, "a finding is raised once per episode");
    }

    [Theory]
    [MemberData(nameof(Borderlines))]
    public void Observe_JustUnderThreshold_DoesNotRaise(string label, string metric, double value)
    {
        var run = new Synthetic();
        run.Samples(30, i => Synthetic.HealthyWith(i, (metric, value)));

        run.Problems.Should().NotContain(label);
    }

    [Fact]
    public void Observe_GradientsHugeFromTheStart_SuggestsInitialisationAndNoLiveAction()
    {
        var run = new Synthetic();
        run.Samples(5, i => Synthetic.HealthyWith(i, (MetricNames.GradientNorm, 1e5)));

        var finding = run.Raised.Single(f => f.Label == FindingLabels.ExplodingGradients);
        finding.Fixes.Select(f => f.Id).Should().Equal("fix_initialisation", "clip_gradients");
        finding.Message.Should().Contain("which points at the initialisation");
    }

    [Fact]
    public void Observe_GradientsExplodeLater_LowerRateFirst()
    {
        var run = new Synthetic();
        run.Samples(20, i => Synthetic.Healthy(i));
        run.Samples(5, i => Synthetic.HealthyWith(20 + i, (MetricNames.GradientNorm, 1e5)));

        run.Raised.Single(f => f.Label == FindingLabels.ExplodingGradients).Fixes[0].Should().BeEquivalentTo(new { Id = "lower_learning_rate", Kind = FixKind.LiveAction });
    }

    [Fact]
    public void Observe_RawPixels_SuggestsNormalisationWithTheBatchStatistics()
    {
        var run = new Synthetic();
        run.Samples(3, i => Synthetic.HealthyWith(i, (MetricNames.InputMean, 72.94), (MetricNames.InputStd, 90.02), (MetricNames.GradientNorm, 5e4)));

        var finding = run.Raised.Should().ContainSingle(f => f.Severity >= FindingSeverity.Warning).Subject;
        finding.Label.Should().Be(FindingLabels.UnnormalizedInput, "the raw input explains the large gradients, which are not raised on their own");
        finding.Message.Should().Contain("the range of raw 0–255 pixels");
        finding.Fixes[0].Title.Should().StartWith("Normalise the inputs: x = (x − 72.94) / 90.02");
    }

    [Fact]
    public void Observe_FirstLayerGradientFarBelowLast_RaisesVanishing()
    {
        var run = new Synthetic();
        run.Samples(10, i => Synthetic.HealthyWith(i, ("gradient_norm/layers.0", 2e-7), ("gradient_norm/layers.2", 0.5)));

        run.FirstCheckOf(FindingLabels.VanishingGradients).Should().Be(1);
        var finding = run.Raised.Single(f => f.Label == FindingLabels.VanishingGradients);
        finding.Message.Should().StartWith("The gradient reaching the first layer (layers.0, norm 2e-7) is 4e-7 of the last layer's (layers.2, norm 0.5)");
        finding.Fixes.Should().OnlyContain(f => f.Kind == FixKind.CodeChange);
    }

    [Fact]
    public void Observe_FirstLayerGradientModeratelySmaller_IsNotVanishing()
    {
        var run = new Synthetic();
        run.Samples(10, i => Synthetic.HealthyWith(i, ("gradient_norm/layers.0", 5e-3), ("gradient_norm/layers.2", 1)));

        run.Problems.Should().NotContain(FindingLabels.VanishingGradients);
    }

    [Fact]
    public void Observe_TinyGlobalGradientWithoutLayers_RaisesVanishing()
    {
        var run = new Synthetic();
        run.Samples(5, i => new Dictionary<string, double> { [MetricNames.TrainLoss] = 2.3, [MetricNames.GradientNorm] = 1e-8 });

        run.FirstCheckOf(FindingLabels.VanishingGradients).Should().Be(1);
    }

    [Fact]
    public void Observe_GradientSummedAcrossSteps_RaisesMissingZeroGrad()
    {
        var run = new Synthetic();
        run.Samples(20, i => Synthetic.HealthyWith(i, (MetricNames.GradientNorm, 0.5 * Math.Pow(1.8, i))));

        // 0.5 × 1.8^i passes 64 × 0.5 at i = 8 (the 9th update), when the last 5 changes are all rises.
        run.FirstCheckOf(FindingLabels.MissingZeroGrad).Should().Be(9);
        var finding = run.Raised.Single(f => f.Label == FindingLabels.MissingZeroGrad);
        finding.Fixes[0].Should().BeEquivalentTo(new { Id = "call_zero_grad", Kind = FixKind.CodeChange });
    }

    [Fact]
    public void Observe_GradientGrowingSteadilyButModerately_IsNotMissingZeroGrad()
    {
        // Like a healthy CNN leaving its initialisation: 24× in 6 straight rises while the loss falls.
        var run = new Synthetic();
        run.Samples(12, i => Synthetic.HealthyWith(i, (MetricNames.GradientNorm, 0.2 * Math.Pow(1.9, Math.Min(i, 5)))));

        run.Problems.Should().NotContain(FindingLabels.MissingZeroGrad);
    }

    [Fact]
    public void Observe_ReluDyingDuringTraining_PutsTheLowerRateFirst()
    {
        var run = new Synthetic();
        run.Samples(10, i => Synthetic.HealthyWith(i, (MetricNames.DeadRelu, i == 0 ? 0.1 : 0.92), (MetricNames.LearningRate, 3)));

        var finding = run.Raised.Single(f => f.Label == FindingLabels.DyingRelu);
        finding.Message.Should().Contain("They died during training (only 10 % were dead at the first update)");
        finding.Fixes[0].Should().BeEquivalentTo(new { Id = "lower_learning_rate", Kind = FixKind.LiveAction, Title = "Set the learning rate to 0.3 (3 × 0.1)" });
    }

    [Fact]
    public void Observe_ReluDeadFromTheStart_PutsTheInitialisationFirst()
    {
        var run = new Synthetic();
        run.Samples(5, i => Synthetic.HealthyWith(i, (MetricNames.DeadRelu, 1.0)));

        var finding = run.Raised.Single(f => f.Label == FindingLabels.DyingRelu);
        finding.Fixes.Select(f => f.Id).Should().Equal("fix_bias_initialisation", "use_leaky_relu");
        finding.Message.Should().Contain("dead from the first update (100 %)");
    }

    [Fact]
    public void Observe_GradientGrowingWithDips_IsNotMissingZeroGrad()
    {
        var run = new Synthetic();
        run.Samples(30, i => Synthetic.HealthyWith(i, (MetricNames.GradientNorm, 0.5 * Math.Pow(1.3, i) * (i % 3 == 0 ? 0.7 : 1))));

        run.Problems.Should().NotContain(FindingLabels.MissingZeroGrad);
    }

    [Fact]
    public void Observe_LoopWaitsForData_RaisesBottleneckWithSpeedup()
    {
        var run = new Synthetic();
        run.Samples(5, i => Synthetic.HealthyWith(i, (MetricNames.DataTime, 0.03), (MetricNames.BatchTime, 0.036)));

        run.FirstCheckOf(FindingLabels.DataLoaderBottleneck).Should().Be(3, "timings are judged over a full window of 3, because the first steps include warm-up");
        run.Raised.Single(f => f.Label == FindingLabels.DataLoaderBottleneck).Message
            .Should().Contain("83.3 %").And.Contain("30 ms of 36 ms").And.Contain("up to 6× faster");
    }

    [Fact]
    public void Observe_LoopWaitsForDataLessThanHalf_IsNotBottleneck()
    {
        var run = new Synthetic();
        run.Samples(10, i => Synthetic.HealthyWith(i, (MetricNames.DataTime, 0.009), (MetricNames.BatchTime, 0.02)));

        run.Problems.Should().NotContain(FindingLabels.DataLoaderBottleneck);
    }

    [Fact]
    public void Observe_FlatLossAtConstantRate_RaisesPlateauWithDecay()
    {
        var run = new Synthetic();
        run.Samples(120, i => Synthetic.HealthyWith(i, (MetricNames.TrainLoss, 0.9 + (0.02 * Synthetic.Noise(i))), (MetricNames.TrainAccuracy, 0.7), (MetricNames.LearningRate, 0.1)));

        run.FirstCheckOf(FindingLabels.Plateau).Should().BeInRange(101, 110, "without validations the 100-sample window of the training loss decides: full at the 101st, and the smoothed loss settles within a few more");
        run.Raised.Single(f => f.Label == FindingLabels.Plateau).Fixes[0].Commands.Single().Value.Should().Be(0.01);
    }

    [Fact]
    public void Observe_ValidationStalledAtConstantRate_RaisesPlateauAfterFourValidations()
    {
        var run = new Synthetic();
        double[] val = [0.9, 0.6, 0.5, 0.52, 0.499, 0.51, 0.505, 0.5];
        for (var epoch = 0; epoch < val.Length; epoch++)
        {
            var offset = epoch * 20;
            run.Samples(20, i => Synthetic.HealthyWith(offset + i, (MetricNames.TrainLoss, 0.6 - (0.01 * epoch)), (MetricNames.TrainAccuracy, 0.8), (MetricNames.LearningRate, 0.1)));
            run.Validate(val[epoch], 0.8);
        }

        // Best 0.5 at epoch 3; 0.499 is not 1 % better; epochs 4 to 7 make four validations without progress.
        run.FirstCheckOf(FindingLabels.Plateau).Should().Be(7 * 21);
        var finding = run.Raised.Single(f => f.Label == FindingLabels.Plateau);
        finding.Message.Should().StartWith("val_loss has not improved by 1 % for 4 validations at a constant learning rate of 0.1: its best is 0.5 at epoch 3");
        finding.Fixes[0].Commands.Single().Value.Should().Be(0.01);
    }

    [Fact]
    public void Observe_ValidationStalledWhileTrainingFallsFast_IsNotPlateau()
    {
        var run = new Synthetic();
        double[] val = [0.9, 0.6, 0.5, 0.52, 0.51, 0.505, 0.52, 0.53];
        for (var epoch = 0; epoch < val.Length; epoch++)
        {
            var offset = epoch * 20;
            run.Samples(20, i => Synthetic.HealthyWith(offset + i, (MetricNames.TrainLoss, 0.6 * Math.Pow(0.8, epoch)), (MetricNames.TrainAccuracy, 0.8)));
            run.Validate(val[epoch], 0.8);
        }

        run.Problems.Should().NotContain(FindingLabels.Plateau);
    }

    [Fact]
    public void Observe_FlatLossAtFullTrainingAccuracy_IsNotPlateau()
    {
        var run = new Synthetic();
        run.Samples(120, i => Synthetic.HealthyWith(i, (MetricNames.TrainLoss, 0.01), (MetricNames.TrainAccuracy, 1.0)));

        run.Problems.Should().NotContain(FindingLabels.Plateau);
    }
}
