using System.ComponentModel;
using System.Text.Json.Serialization;

namespace TrainInsight.Llm.Internal.Suggestions;

/// <summary>The JSON the hyperparameter optimiser is asked for (its schema goes to the model as the response format).</summary>
internal sealed class SuggestionPayload
{
    [JsonPropertyName("summary")]
    [Description("One or two sentences on the effect of the current hyperparameters, with numbers from the run.")]
    public string Summary { get; set; } = string.Empty;

    [JsonPropertyName("suggestions")]
    [Description("The suggested adjustments, best first.")]
    public List<SuggestionItem> Suggestions { get; set; } = [];
}
