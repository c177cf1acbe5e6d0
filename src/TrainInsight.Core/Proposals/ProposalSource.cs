namespace TrainInsight;

/// <summary>Who made a <see cref="ProposalEvent"/>.</summary>
public enum ProposalSource
{
    /// <summary>A diagnosis rule: the live fix of a finding (<see cref="ProposalEvent.FindingId"/> names it).</summary>
    Rule,

    /// <summary>The language model: a suggestion or a <c>propose_control_action</c> tool call.</summary>
    Model,

    /// <summary>A chat message the assistant's fixed grammar understood ("pause", "把学习率降到一半") without a model.</summary>
    Command,

    /// <summary>TrainInsight itself, to undo an applied proposal whose outcome was measured as hurt (<see cref="ProposalEvent.RevertOf"/>).</summary>
    Revert,

    /// <summary>A client of the API: a tool, a script or an MCP client.</summary>
    External,
}
