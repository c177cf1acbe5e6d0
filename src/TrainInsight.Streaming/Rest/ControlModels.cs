using System.ComponentModel;
using System.Text.Json.Serialization;

namespace TrainInsight.Streaming.Rest;

// Shapes of POST /api/training/control for its OpenAPI description only: the endpoint reads and writes JSON itself
// (see ControlEndpoint), so that every malformed body gets a precise problem+json.

/// <summary>The control request body.</summary>
internal sealed class ControlRequestModel
{
    [JsonPropertyName("action")]
    [Description("pause, resume, stop, set_learning_rate, set_weight_decay, save_checkpoint, evaluate, set_early_stopping or restore_checkpoint.")]
    public required string Action { get; init; }

    [JsonPropertyName("value")]
    [JsonNumberHandling(JsonNumberHandling.AllowNamedFloatingPointLiterals)]
    [Description("Required by set_learning_rate (finite, > 0, <= 10), set_weight_decay (finite, 0 to 1) and set_early_stopping (the patience: a whole number from 0 to 10,000, 0 turns early stopping off); refused with the other actions. The trainer rejects an out-of-range value with a control_applied acknowledgement.")]
    public double? Value { get; init; }

    [JsonPropertyName("path")]
    [Description("Required by restore_checkpoint (the checkpoint file to restore: the model's parameters and buffers and, when it holds it, the optimizer's state); refused with the other actions. The trainer rejects a missing or unreadable file, or a checkpoint of another model, with a control_applied acknowledgement.")]
    public string? Path { get; init; }

    [JsonPropertyName("run_id")]
    [Description("The run to steer; every active run when absent.")]
    public string? RunId { get; init; }
}

/// <summary>The 202 response.</summary>
[JsonNumberHandling(JsonNumberHandling.Strict)]
internal sealed record ControlAcceptedModel(
    [property: JsonPropertyName("command_id")] string CommandId,
    [property: JsonPropertyName("action")] string Action,
    [property: JsonPropertyName("value"), JsonNumberHandling(JsonNumberHandling.AllowNamedFloatingPointLiterals), Description("The command's argument, when it has one.")] double? Value,
    [property: JsonPropertyName("path"), Description("The checkpoint of restore_checkpoint.")] string? Path,
    [property: JsonPropertyName("run_id")] string? RunId,
    [property: JsonPropertyName("status"), Description("Always accepted: the trainer acknowledges the command with a control_applied event.")] string Status,
    [property: JsonPropertyName("issued_at")] double IssuedAt);
