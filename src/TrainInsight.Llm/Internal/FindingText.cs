using System.Globalization;

namespace TrainInsight.Llm.Internal;

/// <summary>How analyses and prompts write a finding in one line.</summary>
internal static class FindingText
{
    /// <summary>For example <c>Critical divergence (confidence 1, since step 40): train_loss was NaN …</c>.</summary>
    public static string Line(FindingEvent finding) => string.Create(
        CultureInfo.InvariantCulture,
        $"{finding.Severity} {finding.Label} (confidence {finding.Confidence:0.##}, since step {finding.FirstStep}): {finding.Message}");

    public static string Kind(FixKind kind) => kind == FixKind.LiveAction ? "live action" : "code change";
}
