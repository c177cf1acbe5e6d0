namespace TrainInsight.Diagnostics.Tests.Options;

public class DiagnosticsOptionsTests
{
    [Fact]
    public void Defaults_AreTheDocumentedValues()
    {
        var options = new DiagnosticsOptions();

        options.ResolveAfterChecks.Should().Be(5);
        options.MinUpdateInterval.Should().Be(10);
        options.CoverageAfterChecks.Should().Be(10);
        options.MaxRuns.Should().Be(1_000);
        options.Divergence.LossFactor.Should().Be(3);
        options.LearningRate.HighUpdateRatio.Should().Be(0.1);
        options.LearningRate.LowUpdateRatio.Should().Be(1e-5);
        options.Gradients.VanishingRatio.Should().Be(1e-3);
        options.Gradients.ExplodingNorm.Should().Be(1e3);
        options.Activations.DeadRelu.Should().Be(0.7);
        options.Data.MaxClassShare.Should().Be(0.8);
        options.LabelNoise.MinAccuracyGap.Should().Be(0.15);
        options.Overfitting.Patience.Should().Be(2);
        options.Plateau.Window.Should().Be(100);
        options.Plateau.Patience.Should().Be(4);
        options.Gradients.AccumulationGrowth.Should().Be(64);
        options.Divergence.MaxUpdateRatio.Should().Be(1);
    }

    public static TheoryData<Action<DiagnosticsOptions>, string> BadValues => new()
    {
        { o => o.ResolveAfterChecks = 0, nameof(DiagnosticsOptions.ResolveAfterChecks) },
        { o => o.MaxRuns = 0, nameof(DiagnosticsOptions.MaxRuns) },
        { o => o.Divergence.LossFactor = 1, nameof(DivergenceOptions.LossFactor) },
        { o => o.Divergence.Smoothing = double.NaN, nameof(DivergenceOptions.Smoothing) },
        { o => o.LearningRate.Window = 5, nameof(LearningRateOptions.Window) },
        { o => o.LearningRate.DecreaseFactor = 1, nameof(LearningRateOptions.DecreaseFactor) },
        { o => o.Overfitting.MinRise = -0.1, nameof(OverfittingOptions.MinRise) },
        { o => o.Gradients.AccumulationMonotony = 0.4, nameof(GradientOptions.AccumulationMonotony) },
        { o => o.Activations.DeadRelu = 1.5, nameof(ActivationOptions.DeadRelu) },
        { o => o.Plateau.Window = 3, nameof(PlateauOptions.Window) },
        { o => o.LabelNoise.Patience = 0, nameof(LabelNoiseOptions.Patience) },
        { o => o.Data.MaxDataWait = 0, nameof(DataOptions.MaxDataWait) },
    };

    [Theory]
    [MemberData(nameof(BadValues))]
    public void Setter_OutOfRange_ThrowsNamingTheProperty(Action<DiagnosticsOptions> set, string property)
    {
        var act = () => set(new DiagnosticsOptions());

        act.Should().Throw<ArgumentOutOfRangeException>().WithParameterName(property);
    }
}
