namespace TrainInsight.DiagnosisBenchmark.Advice;

/// <summary>One trace's advice, scored against <see cref="AdviceExpectations"/>.</summary>
internal sealed class AdviceRun
{
    public required string Run { get; init; }

    public required string Scenario { get; init; }

    public required string Model { get; init; }

    public required int Seed { get; init; }

    public required string Label { get; init; }

    /// <summary>Gets where the assistant was asked: <c>end</c> or <c>first warning</c>, with the step.</summary>
    public required string AskedAt { get; init; }

    /// <summary>Gets the open findings the answer was grounded in, most severe first, as <c>label (severity)</c>.</summary>
    public required IReadOnlyList<string> Findings { get; init; }

    /// <summary>Gets the open findings' messages, in the same order.</summary>
    public required IReadOnlyList<string> FindingMessages { get; init; }

    /// <summary>Gets whether an open finding carries the true label (the rules can only be right when it does).</summary>
    public required bool TrueLabelFound { get; init; }

    public required AssistantSource Source { get; init; }

    public string? ModelId { get; init; }

    public string? Notice { get; init; }

    /// <summary>Gets whether a model was configured but the rules answered (failure, unusable output, budget).</summary>
    public required bool Fallback { get; init; }

    public required IReadOnlyList<ReadSuggestion> Suggestions { get; init; }

    /// <summary>Gets the rank of the first suggestion that meets the expectation (parameter and direction), or null.</summary>
    public int? HitRank { get; init; }

    /// <summary>Gets the target that suggestion met.</summary>
    public AdviceTarget? Hit { get; init; }

    /// <summary>Gets the rank of the first suggestion naming an expected parameter or fix, whatever its direction, or null.</summary>
    public int? ParameterHitRank { get; init; }

    /// <summary>Gets the wall time of the <c>SuggestAsync</c> call.</summary>
    public required double LatencyMs { get; init; }

    public long? InputTokens { get; init; }

    public long? OutputTokens { get; init; }

    /// <summary>Gets the exception the call threw (it should not: the assistant answers from the rules instead), or null.</summary>
    public string? Error { get; init; }

    public bool IsHealthy => Label == FindingLabels.Healthy;

    public bool Top1 => HitRank == 1;

    public bool Top3 => HitRank is <= 3;

    public bool ParameterTop1 => ParameterHitRank == 1;

    public bool ParameterTop3 => ParameterHitRank is <= 3;

    /// <summary>Gets whether a healthy run got any suggestion.</summary>
    public bool FalseAlarm => IsHealthy && Suggestions.Count > 0;

    /// <summary>
    /// Gets whether a healthy run got a suggestion that changes the training, not only one asking for more telemetry (the
    /// <c>signals_missing</c> finding's <c>send_signals</c>).
    /// </summary>
    public bool TrainingFalseAlarm => IsHealthy && Suggestions.Any(s => !TelemetryOnly(s));

    public static bool TelemetryOnly(ReadSuggestion s) => s.FindingLabel == FindingLabels.SignalsMissing || s.Parameter == "send_signals";

    /// <summary>Gets whether the answer is right: a hit at rank 1 for a faulty run, no suggestion for a healthy one.</summary>
    public bool Right => IsHealthy ? Suggestions.Count == 0 && Error is null : Top1;
}
