using TrainInsight.Diagnostics.Tests.Infrastructure;

namespace TrainInsight.Diagnostics.Tests.Detectors;

public class HealthyRunTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void Observe_HealthyRunWithEverySignal_RaisesNoWarning(int seed)
    {
        var run = new Synthetic();
        for (var epoch = 0; epoch < 10; epoch++)
        {
            var offset = epoch * 20;
            run.Samples(20, i => Synthetic.Healthy(offset + i, seed));
            run.Validate(valLoss: 0.35 + (1.5 * Math.Exp(-epoch / 2.0)), valAccuracy: 0.6 + (0.03 * epoch));
        }

        run.Problems.Should().BeEmpty();
        run.Raised.Should().NotContain(f => f.Label == FindingLabels.SignalsMissing);
    }

    [Fact]
    public void Observe_HealthyRunWithNoisyLoss_RaisesNoWarning()
    {
        var run = new Synthetic();
        run.Samples(200, i => Synthetic.HealthyWith(i, (MetricNames.TrainLoss, Synthetic.HealthyLoss(i, seed: 4, noise: 0.25))));

        run.Problems.Should().BeEmpty();
    }
}
