using System.ComponentModel;
using System.Text.Json.Serialization;

namespace TrainInsight.Llm.Internal.Suggestions;

/// <summary>One suggestion as the model writes it, before validation.</summary>
internal sealed class SuggestionItem
{
    [JsonPropertyName("parameter")]
    [Description("The snake_case name of the hyperparameter to change, e.g. learning_rate.")]
    public string Parameter { get; set; } = string.Empty;

    [JsonPropertyName("current_value")]
    [Description("Its current value, or null when unknown.")]
    public double? CurrentValue { get; set; }

    [JsonPropertyName("proposed_value")]
    [Description("The proposed value.")]
    public double? ProposedValue { get; set; }

    [JsonPropertyName("rationale")]
    [Description("Why, citing the run's numbers.")]
    public string Rationale { get; set; } = string.Empty;

    [JsonPropertyName("expected_effect")]
    [Description("What should happen, and how soon.")]
    public string ExpectedEffect { get; set; } = string.Empty;

    [JsonPropertyName("priority")]
    [Description("1 is the first to try.")]
    public int? Priority { get; set; }

    [JsonPropertyName("confidence")]
    [Description("Between 0 and 1.")]
    public double? Confidence { get; set; }
}
