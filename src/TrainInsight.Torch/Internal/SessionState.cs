namespace TrainInsight.Torch.Internal;

/// <summary>Where a session's run stands: its state, position and whether it must stop. Training thread only.</summary>
internal sealed class SessionState
{
    public RunState State { get; set; } = RunState.Training;

    public long Step { get; set; }

    /// <summary>Gets or sets the current epoch (1-based), or 0 before the first.</summary>
    public int Epoch { get; set; }

    /// <summary>Gets or sets the step within the current epoch.</summary>
    public int Batch { get; set; }

    public bool StopRequested { get; private set; }

    /// <summary>Gets why the run stops when the trainer did not ask for it (early stopping), or <see langword="null"/>.</summary>
    public string? StopReason { get; private set; }

    public bool LearningRateOverridden { get; set; }

    /// <summary>Gets the epoch as events carry it: <see langword="null"/> before the first.</summary>
    public int? EventEpoch => Epoch == 0 ? null : Epoch;

    public void RequestStop(string? reason = null)
    {
        StopRequested = true;
        StopReason ??= reason;
        State = RunState.Stopped;
    }
}
