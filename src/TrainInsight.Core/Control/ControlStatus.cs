namespace TrainInsight;

/// <summary>What the trainer did with a <see cref="ControlCommand"/>.</summary>
public enum ControlStatus
{
    /// <summary>The command took effect.</summary>
    Applied,

    /// <summary>The command was not applied; the event's message says why. Training continues unchanged.</summary>
    Rejected,
}
