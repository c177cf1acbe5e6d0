using System.ComponentModel;
using System.Text.Json.Serialization;

namespace TrainInsight.Streaming.Rest;

// Shapes of the POST /api/proposals bodies for their OpenAPI description only: ProposalRequestReader reads the JSON
// itself, so that every malformed body gets a precise problem+json.

/// <summary>The body of POST /api/proposals.</summary>
internal sealed class ProposalCreateRequestModel
{
    [JsonPropertyName("run_id")]
    [Description("The run to steer (\"run\" is accepted too).")]
    public required string RunId { get; init; }

    [JsonPropertyName("commands")]
    [Description("The control commands, in order: 1 to 8, each {\"action\", \"value\", \"path\"} as POST /api/training/control takes them.")]
    public required IReadOnlyList<FixCommandModel> Commands { get; init; }

    [JsonPropertyName("title")]
    [Description("A one-line title (at most 200 characters); written from the commands when absent.")]
    public string? Title { get; init; }

    [JsonPropertyName("rationale")]
    [Description("Why, with the numbers behind it (at most 4,000 characters).")]
    public string? Rationale { get; init; }

    [JsonPropertyName("expected_effect")]
    [Description("What it is expected to do (at most 4,000 characters).")]
    public string? ExpectedEffect { get; init; }

    [JsonPropertyName("target_metric")]
    [Description("The metric (lower is better) whose change is measured; train_loss by default for hyperparameter changes and restores.")]
    public string? TargetMetric { get; init; }

    [JsonPropertyName("actor")]
    [Description("Who proposes it, when the request is not authenticated (an authenticated user's name always wins); anonymous when absent.")]
    public string? Actor { get; init; }
}

/// <summary>The optional body of POST /api/proposals/{id}/approve and /reject.</summary>
internal sealed class ProposalDecisionRequestModel
{
    [JsonPropertyName("reason")]
    [Description("reject only: why (at most 4,000 characters).")]
    public string? Reason { get; init; }

    [JsonPropertyName("actor")]
    [Description("Who decides, when the request is not authenticated (an authenticated user's name always wins); anonymous when absent.")]
    public string? Actor { get; init; }
}
