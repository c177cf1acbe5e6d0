using TrainInsight.Diagnostics.Tests.Infrastructure;

namespace TrainInsight.Diagnostics.Tests.Detectors;

public class EpochDetectorTests
{
    [Fact]
    public void Observe_ValidationLossRisesWhileTrainingFalls_RaisesOverfitting()
    {
        var run = new Synthetic();
        double[] val = [0.6, 0.5, 0.45, 0.44, 0.5, 0.56, 0.62];
        for (var epoch = 0; epoch < val.Length; epoch++)
        {
            var offset = epoch * 20;
            run.Samples(20, i => Synthetic.HealthyWith(offset + i, (MetricNames.TrainLoss, 0.5 * Math.Pow(0.7, epoch)), (MetricNames.TrainAccuracy, 0.9)));
            run.Validate(val[epoch], 0.85);
        }

        var finding = run.Raised.Should().ContainSingle(f => f.Label == FindingLabels.Overfitting).Subject;
        run.FirstCheckOf(FindingLabels.Overfitting).Should().Be((6 * 21) - 0, "the second validation 10 % above the best (0.44 at epoch 4) is epoch 6");
        finding.Message.Should().StartWith("val_loss has been above its best (0.44 at epoch 4) for 2 validations and is 0.56 at epoch 6");
        finding.Fixes[0].Should().BeEquivalentTo(new { Id = "checkpoint_and_stop", Kind = FixKind.LiveAction });
        finding.Fixes[0].Commands.Select(c => c.Action).Should().Equal(ControlAction.SaveCheckpoint, ControlAction.Stop);
        finding.Fixes[1].Commands.Should().ContainSingle().Which.Should().BeEquivalentTo(new { Action = ControlAction.SetWeightDecay, Value = 5e-4 });
    }

    [Fact]
    public void Observe_ValidationLossRisesWithTrainingLoss_IsNotOverfitting()
    {
        var run = new Synthetic();
        double[] val = [0.6, 0.5, 0.44, 0.5, 0.56, 0.62];
        for (var epoch = 0; epoch < val.Length; epoch++)
        {
            var offset = epoch * 20;
            run.Samples(20, i => Synthetic.HealthyWith(offset + i, (MetricNames.TrainLoss, 0.5)));
            run.Validate(val[epoch], 0.85);
        }

        run.Problems.Should().NotContain(FindingLabels.Overfitting);
    }

    [Fact]
    public void Observe_ValidationAccuracyFarAboveTraining_RaisesLabelNoiseWithEstimate()
    {
        var run = new Synthetic();
        for (var epoch = 0; epoch < 4; epoch++)
        {
            var offset = epoch * 20;
            run.Samples(20, i => Synthetic.HealthyWith(offset + i, (MetricNames.TrainAccuracy, 0.45), (MetricNames.TrainLoss, 1.9)));
            run.Validate(0.6, 0.8);
        }

        var finding = run.Raised.Should().ContainSingle(f => f.Label == FindingLabels.LabelNoise).Subject;
        run.FirstCheckOf(FindingLabels.LabelNoise).Should().Be(42);
        finding.Message.Should().Contain("roughly 50 % of the training labels look wrong");
        finding.Fixes.Should().OnlyContain(f => f.Kind == FixKind.CodeChange, "no live action fixes wrong labels (stopping early cost 5 pp on the benchmark)");
    }

    [Fact]
    public void Observe_ValidationSlightlyAboveTraining_IsNotLabelNoise()
    {
        var run = new Synthetic();
        for (var epoch = 0; epoch < 4; epoch++)
        {
            var offset = epoch * 20;
            run.Samples(20, i => Synthetic.HealthyWith(offset + i, (MetricNames.TrainAccuracy, 0.8)));
            run.Validate(0.5, 0.86);
        }

        run.Problems.Should().NotContain(FindingLabels.LabelNoise);
    }
}
