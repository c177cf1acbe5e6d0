using TrainInsight.Diagnostics.Tests.Infrastructure;

namespace TrainInsight.Diagnostics.Tests.Detectors;

public class DivergenceDetectorTests
{
    [Fact]
    public void Observe_NaNLoss_RaisesCriticalAtTheSameUpdateWithStopFirst()
    {
        var run = new Synthetic();
        run.Samples(30, i => Synthetic.Healthy(i));
        run.Samples(5, i => Synthetic.HealthyWith(30 + i, (MetricNames.TrainLoss, double.NaN)));

        var finding = run.Raised.Should().ContainSingle(f => f.Label == FindingLabels.Divergence).Subject;
        run.FirstCheckOf(FindingLabels.Divergence).Should().Be(31);
        finding.Severity.Should().Be(FindingSeverity.Critical);
        finding.Confidence.Should().Be(1);
        finding.FirstStep.Should().Be(310);
        finding.Message.Should().StartWith("train_loss was NaN at step 310 at learning rate 0.001");
        finding.Evidence[0].Should().BeEquivalentTo(new { Metric = MetricNames.TrainLoss, Step = 310L });
        double.IsNaN(finding.Evidence[0].Value).Should().BeTrue();
        finding.Fixes[0].Should().BeEquivalentTo(new { Id = "stop", Kind = FixKind.LiveAction });
        finding.Fixes[0].Commands.Should().ContainSingle().Which.Action.Should().Be(ControlAction.Stop);
        finding.Fixes[1].Title.Should().Contain("learning rate ×0.1 (0.0001)");
    }

    [Fact]
    public void Observe_InfiniteGradientNorm_Raises()
    {
        var run = new Synthetic();
        run.Samples(10, i => Synthetic.Healthy(i));
        run.Samples(1, i => Synthetic.HealthyWith(10, (MetricNames.GradientNorm, double.PositiveInfinity)));

        run.FirstCheckOf(FindingLabels.Divergence).Should().Be(11);
        run.Raised.Single(f => f.Label == FindingLabels.Divergence).Message.Should().StartWith("gradient_norm was +Infinity at step 110");
    }

    [Fact]
    public void Observe_LossBlowsUpAfterProgress_RaisesWithLowerLearningRateFix()
    {
        var run = new Synthetic();
        run.Samples(60, i => Synthetic.Healthy(i));
        run.Samples(5, i => Synthetic.HealthyWith(60 + i, (MetricNames.TrainLoss, 8.0 + i)));

        var check = run.FirstCheckOf(FindingLabels.Divergence);
        check.Should().BeInRange(61, 63);
        var finding = run.Raised.Single(f => f.Label == FindingLabels.Divergence);
        finding.Message.Should().Contain("training is diverging");
        finding.Fixes[0].Should().BeEquivalentTo(new { Id = "lower_learning_rate", Kind = FixKind.LiveAction, Title = "Set the learning rate to 0.0001 (0.001 × 0.1)" });
        finding.Fixes[0].Commands.Should().ContainSingle().Which.Should().BeEquivalentTo(new { Action = ControlAction.SetLearningRate, Value = 0.0001 });
    }

    [Fact]
    public void Observe_LossBumpBelowFactor_DoesNotRaise()
    {
        var run = new Synthetic();
        run.Samples(60, i => Synthetic.Healthy(i));

        // About twice the best smoothed loss: high, but under the 3× factor.
        run.Samples(10, i => Synthetic.HealthyWith(60 + i, (MetricNames.TrainLoss, 2.0 * Synthetic.HealthyLoss(60))));

        run.Problems.Should().NotContain(FindingLabels.Divergence);
    }

    [Fact]
    public void Observe_NaNValidationLoss_Raises()
    {
        var run = new Synthetic();
        run.Samples(10, i => Synthetic.Healthy(i)).Validate(double.NaN, 0.1);

        run.FirstCheckOf(FindingLabels.Divergence).Should().Be(11);
    }
}
