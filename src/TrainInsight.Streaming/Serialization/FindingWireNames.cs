namespace TrainInsight.Streaming.Serialization;

/// <summary>
/// The wire names of a finding's severity, state and fix kind (docs/protocol.md, event type <c>finding</c>); the actions of
/// its fixes are the control endpoint's (<see cref="TrainInsight.Wire.WireNames.Action"/>).
/// </summary>
internal static class FindingWireNames
{
    /// <summary>Every severity by its wire name, least severe first.</summary>
    public static readonly IReadOnlyList<(string Name, FindingSeverity Value)> Severities =
    [
        ("info", FindingSeverity.Info),
        ("warning", FindingSeverity.Warning),
        ("critical", FindingSeverity.Critical),
    ];

    /// <summary>Every state by its wire name.</summary>
    public static readonly IReadOnlyList<(string Name, FindingState Value)> States =
    [
        ("open", FindingState.Open),
        ("resolved", FindingState.Resolved),
    ];

    public static string Severity(FindingSeverity severity) => severity switch
    {
        FindingSeverity.Info => "info",
        FindingSeverity.Warning => "warning",
        FindingSeverity.Critical => "critical",
        _ => severity.ToString().ToLowerInvariant(),
    };

    public static string State(FindingState state) => state switch
    {
        FindingState.Open => "open",
        FindingState.Resolved => "resolved",
        _ => state.ToString().ToLowerInvariant(),
    };

    public static string Kind(FixKind kind) => kind switch
    {
        FixKind.LiveAction => "live_action",
        FixKind.CodeChange => "code_change",
        _ => kind.ToString().ToLowerInvariant(),
    };
}
