using TrainInsight.Diagnostics.Tests.Infrastructure;

namespace TrainInsight.Diagnostics.Tests.Detectors;

public class LearningRateDetectorTests
{
    [Fact]
    public void Observe_OscillatingLossAndLargeUpdates_RaisesTooHighWithComputedRate()
    {
        var run = new Synthetic();
        run.Samples(40, i => Synthetic.HealthyWith(
            i,
            (MetricNames.TrainLoss, 1.6 * (1 + (0.7 * Synthetic.Noise(i, 9)))),
            (MetricNames.UpdateRatio, 0.3),
            (MetricNames.LearningRate, 0.5)));

        var finding = run.Raised.Should().ContainSingle(f => f.Label == FindingLabels.LearningRateTooHigh).Subject;
        run.FirstCheckOf(FindingLabels.LearningRateTooHigh).Should().Be(20);
        finding.Severity.Should().Be(FindingSeverity.Warning);
        finding.Message.Should().Contain("at learning rate 0.5").And.Contain("the learning rate is too high");
        finding.Fixes[0].Commands.Should().ContainSingle().Which.Value.Should().Be(0.05);
        finding.Evidence.Should().Contain(e => e.Metric == MetricNames.UpdateRatio && e.Value == 0.3 && e.Threshold == 0.1);
    }

    [Fact]
    public void Observe_MildNoiseWhileFalling_DoesNotRaiseTooHigh()
    {
        var run = new Synthetic();
        run.Samples(60, i => Synthetic.HealthyWith(i, (MetricNames.TrainLoss, Synthetic.HealthyLoss(i, seed: 2, noise: 0.2))));

        run.Problems.Should().NotContain(FindingLabels.LearningRateTooHigh);
    }

    [Fact]
    public void Observe_TinyUpdates_RaisesTooLowWithTenfoldRate()
    {
        var run = new Synthetic();
        run.Samples(10, i => Synthetic.HealthyWith(i, (MetricNames.UpdateRatio, 4e-7), (MetricNames.LearningRate, 1e-5), (MetricNames.TrainLoss, 2.3 - (0.001 * i))));

        run.FirstCheckOf(FindingLabels.LearningRateTooLow).Should().Be(5);
        var finding = run.Raised.Single(f => f.Label == FindingLabels.LearningRateTooLow);
        finding.Fixes[0].Should().BeEquivalentTo(new { Id = "raise_learning_rate", Kind = FixKind.LiveAction, Title = "Set the learning rate to 0.01 (1e-5 × 1000)" });
        finding.Message.Should().Contain("median 4e-7").And.Contain("The learning rate is too low");
        finding.Fixes[0].Rationale.Should().Contain("×1000 brings the update/weight ratio from 4e-7 to about the healthy 1e-3");
    }

    [Fact]
    public void Observe_UpdatesJustAboveLimit_DoesNotRaiseTooLow()
    {
        var run = new Synthetic();
        run.Samples(30, i => Synthetic.HealthyWith(i, (MetricNames.UpdateRatio, 3e-5)));

        run.Problems.Should().NotContain(FindingLabels.LearningRateTooLow);
    }

    [Fact]
    public void Observe_FlatLossWithoutUpdateRatio_RaisesTooLowFromTheLoss()
    {
        var run = new Synthetic();
        run.Samples(70, i => new Dictionary<string, double> { [MetricNames.TrainLoss] = 2.3 - (0.0005 * i) + (0.01 * Synthetic.Noise(i)) });

        run.FirstCheckOf(FindingLabels.LearningRateTooLow).Should().Be(60);
        run.Raised.Single(f => f.Label == FindingLabels.LearningRateTooLow).Fixes[0].Kind.Should().Be(FixKind.CodeChange, "the run reports no learning rate to multiply");
    }
}
