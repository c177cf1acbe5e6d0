using System.ComponentModel;
using System.Text.Json.Serialization;

namespace TrainInsight.Streaming.Rest;

/// <summary>One suggested change of an assistant answer.</summary>
[JsonNumberHandling(JsonNumberHandling.Strict)]
internal sealed record HyperparameterSuggestionModel(
    [property: JsonPropertyName("parameter"), Description("What to change, in snake case: a hyperparameter (learning_rate, weight_decay, batch_size, early_stopping_patience, gradient_clip_norm) or, for a change with no single value, the fix's id (call_zero_grad, normalize_inputs).")] string Parameter,
    [property: JsonPropertyName("current_value"), JsonNumberHandling(JsonNumberHandling.AllowNamedFloatingPointLiterals), Description("The parameter's current value; null when it is unknown or has no single value.")] double? CurrentValue,
    [property: JsonPropertyName("proposed_value"), JsonNumberHandling(JsonNumberHandling.AllowNamedFloatingPointLiterals), Description("The proposed value; null when the change has no single value.")] double? ProposedValue,
    [property: JsonPropertyName("rationale"), Description("Why, with the numbers from the run behind it.")] string Rationale,
    [property: JsonPropertyName("expected_effect"), Description("What should happen, and how soon, if it is applied.")] string ExpectedEffect,
    [property: JsonPropertyName("priority"), Description("The rank: 1 is the first to try.")] int Priority,
    [property: JsonPropertyName("confidence"), Description("The confidence that it helps, from 0 to 1.")] double Confidence,
    [property: JsonPropertyName("commands"), Description("The control commands that apply it to the running job, in order (bodies for POST /api/training/control with the run's run_id); empty when it needs a code change and a restart.")] IReadOnlyList<FixCommandModel> Commands,
    [property: JsonPropertyName("finding_id"), Description("The finding the suggestion answers; null when none.")] string? FindingId);
