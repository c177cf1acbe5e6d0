using System.ComponentModel;
using System.Text.Json.Serialization;

namespace TrainInsight.Streaming.Rest;

/// <summary>One measurement behind a finding.</summary>
[JsonNumberHandling(JsonNumberHandling.Strict)]
internal sealed record FindingEvidenceModel(
    [property: JsonPropertyName("metric"), Description("The metric's name as the trainer sent it.")] string Metric,
    [property: JsonPropertyName("value"), JsonNumberHandling(JsonNumberHandling.AllowNamedFloatingPointLiterals), Description("The value the detector judged; NaN and infinities are the strings \"NaN\", \"Infinity\" and \"-Infinity\".")] double Value,
    [property: JsonPropertyName("step"), Description("The step of the (latest) sample behind the value.")] long Step,
    [property: JsonPropertyName("description"), Description("What the value is, for example \"median of the last 20 samples\".")] string Description,
    [property: JsonPropertyName("threshold"), JsonNumberHandling(JsonNumberHandling.AllowNamedFloatingPointLiterals), Description("The threshold the value crossed; absent when the evidence is context rather than a test.")] double? Threshold);
