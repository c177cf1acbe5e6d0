using System.ComponentModel;
using System.Text.Json.Serialization;
using TrainInsight.Wire;

namespace TrainInsight.Streaming.Rest;

/// <summary>The measured outcome of an applied proposal, in a <see cref="ProposalModel"/>.</summary>
[JsonNumberHandling(JsonNumberHandling.Strict)]
internal sealed record ProposalOutcomeModel(
    [property: JsonPropertyName("metric"), Description("The target metric (lower is better), for example train_loss.")] string Metric,
    [property: JsonPropertyName("verdict"), Description("helped, no_effect or hurt.")] string Verdict,
    [property: JsonPropertyName("before"), JsonNumberHandling(JsonNumberHandling.AllowNamedFloatingPointLiterals), Description("The metric's median over the updates before the commands were applied.")] double Before,
    [property: JsonPropertyName("after"), JsonNumberHandling(JsonNumberHandling.AllowNamedFloatingPointLiterals), Description("The metric's median over as many updates after; \"NaN\" when a value after was not finite.")] double After,
    [property: JsonPropertyName("expected"), JsonNumberHandling(JsonNumberHandling.AllowNamedFloatingPointLiterals), Description("What the trend before predicted for the updates after (before itself when the metric was not improving).")] double Expected,
    [property: JsonPropertyName("change"), JsonNumberHandling(JsonNumberHandling.AllowNamedFloatingPointLiterals), Description("(after − expected) ÷ |before|: negative is better; \"NaN\" when after is.")] double Change,
    [property: JsonPropertyName("message"), Description("The verdict in words, with the numbers.")] string Message,
    [property: JsonPropertyName("before_count"), Description("How many updates of the metric the before window held.")] int BeforeCount,
    [property: JsonPropertyName("after_count"), Description("How many updates of the metric the after window held.")] int AfterCount,
    [property: JsonPropertyName("from_step"), Description("The first step of the before window.")] long FromStep,
    [property: JsonPropertyName("to_step"), Description("The last step of the after window.")] long ToStep)
{
    public static ProposalOutcomeModel From(ProposalOutcome outcome) => new(
        outcome.Metric, WireNames.Verdict(outcome.Verdict), outcome.Before, outcome.After, outcome.Expected, outcome.Change, outcome.Message,
        outcome.BeforeCount, outcome.AfterCount, outcome.FromStep, outcome.ToStep);
}
