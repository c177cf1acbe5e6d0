using TrainInsight.Torch.Internal;

namespace TrainInsight.Torch.Tests.Internal;

public class EtaEstimatorTests
{
    [Fact]
    public void SecondsPerStep_NoWindowYet_IsNull() => new EtaEstimator(200).SecondsPerStep.Should().BeNull();

    [Fact]
    public void SecondsPerStep_WindowsWithinTheSpan_IsTheirStepWeightedMean()
    {
        var eta = new EtaEstimator(200);

        eta.Add(1, 0.5);
        eta.Add(10, 1.0);

        eta.SecondsPerStep.Should().BeApproximately(1.5 / 11, 1e-12);
    }

    [Fact]
    public void Add_BeyondTheSpan_DropsTheOldestWindowsWhileTheRestStillCoverIt()
    {
        var eta = new EtaEstimator(20);
        eta.Add(10, 10.0); // 1 s per step, oldest
        eta.Add(10, 1.0);
        eta.Add(10, 1.0);

        // 20 steps remain without the oldest: it goes.
        eta.SecondsPerStep.Should().BeApproximately(0.1, 1e-12);
    }

    [Fact]
    public void Add_OneSlowWindowAmongTwenty_MovesTheEstimateByItsShareOnly()
    {
        // What the issue saw: 10-step windows of 40 ms per step, then one window (a GC, a slow batch) at 240 ms per step.
        var smoothed = new EtaEstimator(200);
        var raw = new EtaEstimator(1);
        for (var i = 0; i < 20; i++)
        {
            smoothed.Add(10, 0.4);
            raw.Add(10, 0.4);
        }

        smoothed.Add(10, 2.4);
        raw.Add(10, 2.4);

        raw.SecondsPerStep.Should().BeApproximately(0.24, 1e-12, "a one-window estimate jumps six-fold");
        smoothed.SecondsPerStep.Should().BeApproximately((19 * 0.4 + 2.4) / 200, 1e-12, "the 200-step window moves by a twentieth of the outlier");
        (smoothed.SecondsPerStep!.Value / 0.04).Should().BeLessThan(1.3);
    }

    [Theory]
    [InlineData(0, 1.0)]
    [InlineData(5, 0.0)]
    [InlineData(5, double.NaN)]
    [InlineData(5, double.PositiveInfinity)]
    public void Add_EmptyOrUnmeasurableWindow_Ignored(int steps, double seconds)
    {
        var eta = new EtaEstimator(200);
        eta.Add(10, 1.0);

        eta.Add(steps, seconds);

        eta.SecondsPerStep.Should().Be(0.1);
    }
}
