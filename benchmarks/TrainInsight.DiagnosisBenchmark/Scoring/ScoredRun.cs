namespace TrainInsight.DiagnosisBenchmark.Scoring;

/// <summary>One trace replayed through the diagnosis: the truth, the prediction and when the true label was found.</summary>
internal sealed record ScoredRun
{
    public required string Run { get; init; }

    public required string Scenario { get; init; }

    public required string Model { get; init; }

    public required int Seed { get; init; }

    public required string TrueLabel { get; init; }

    /// <summary>Gets the label of the first finding raised at Warning or above, or <c>healthy</c>.</summary>
    public required string Predicted { get; init; }

    public required long OnsetStep { get; init; }

    public required long TotalSteps { get; init; }

    /// <summary>Gets every label raised at Warning or above, in the order first raised, each once.</summary>
    public required IReadOnlyList<RaisedFinding> Raised { get; init; }

    public required double FinalValAccuracy { get; init; }

    public required double SamplesPerSecond { get; init; }

    public bool TrueLabelRaised => Raised.Any(r => r.Label == TrueLabel);

    /// <summary>Gets the first raise of the true label at or after the onset, or <see langword="null"/>.</summary>
    public RaisedFinding? TrueDetection => Raised.FirstOrDefault(r => r.Label == TrueLabel && r.Step >= OnsetStep);

    /// <summary>Gets the metric updates from the onset to the detection (inclusive), or <see langword="null"/> when not detected.</summary>
    public int? ChecksToDetect { get; init; }

    /// <summary>Gets the steps from the onset to the detection as a percentage of the run's steps, or <see langword="null"/>.</summary>
    public double? PercentToDetect => TrueDetection is { } d && TotalSteps > 0 ? 100.0 * (d.Step - OnsetStep) / TotalSteps : null;
}
