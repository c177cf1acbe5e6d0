using System.ComponentModel;
using System.Text.Json.Serialization;

namespace TrainInsight.Streaming.Rest;

/// <summary>One suggested fix of a finding.</summary>
internal sealed record SuggestedFixModel(
    [property: JsonPropertyName("id"), Description("The kind of fix, stable and machine-readable (lower_learning_rate, call_zero_grad, …).")] string Id,
    [property: JsonPropertyName("kind"), Description("live_action: POST its commands to /api/training/control; code_change: change the training code and restart.")] string Kind,
    [property: JsonPropertyName("title"), Description("What to do, as one line with the numbers.")] string Title,
    [property: JsonPropertyName("rationale"), Description("Why it helps, in one line.")] string Rationale,
    [property: JsonPropertyName("commands"), Description("For a live_action, the control commands to submit, in order; empty for a code_change.")] IReadOnlyList<FixCommandModel> Commands);
