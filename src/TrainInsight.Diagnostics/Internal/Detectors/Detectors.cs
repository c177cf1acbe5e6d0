namespace TrainInsight.Diagnostics.Internal;

/// <summary>The built-in detectors, root causes first: a cause raised in an event explains the symptoms judged after it.</summary>
internal static class Detectors
{
    public static IEnumerable<Detector> Create(DiagnosticsOptions options)
    {
        Detector[] all =
        [
            new UnnormalizedInputDetector(options),
            new UnshuffledDataDetector(options),
            new MissingZeroGradDetector(options),
            new DataLoaderBottleneckDetector(options),
            new DivergenceDetector(options),
            new ExplodingGradientsDetector(options),
            new SaturatedActivationsDetector(options),
            new DyingReluDetector(options),
            new VanishingGradientsDetector(options),
            new LabelNoiseDetector(options),
            new OverfittingDetector(options),
            new LearningRateTooHighDetector(options),
            new LearningRateTooLowDetector(options),
            new PlateauDetector(options),
        ];
        return all.Where(d => !options.DisabledLabels.Contains(d.Label));
    }
}
