using System.ComponentModel;
using System.Text.Json.Serialization;

namespace TrainInsight.Streaming.Rest;

/// <summary>
/// One control command of a live fix or a proposal: the body to POST to /api/training/control (with the run's run_id).
/// </summary>
[JsonNumberHandling(JsonNumberHandling.Strict)]
internal sealed record FixCommandModel(
    [property: JsonPropertyName("action"), Description("The control action, as POST /api/training/control names it: pause, resume, stop, set_learning_rate, set_weight_decay, save_checkpoint, evaluate, set_early_stopping or restore_checkpoint.")] string Action,
    [property: JsonPropertyName("value"), Description("The action's argument (the new learning rate, say); absent when the action takes none.")] double? Value,
    [property: JsonPropertyName("path"), Description("The file the action works on (the checkpoint of restore_checkpoint); absent for the other actions.")] string? Path = null)
{
    public static FixCommandModel From(FixCommand command) => new(Wire.WireNames.Action(command.Action), command.Value, command.Path);
}
