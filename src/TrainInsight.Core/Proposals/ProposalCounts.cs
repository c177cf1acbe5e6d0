namespace TrainInsight;

/// <summary>
/// How a group of proposals fared: how many were made, decided, applied and measured, and the two rates that follow.
/// </summary>
public sealed class ProposalCounts
{
    /// <summary>Gets how many proposals were made.</summary>
    public int Proposed { get; private set; }

    /// <summary>Gets how many still wait for a person.</summary>
    public int Pending { get; private set; }

    /// <summary>Gets how many were approved, by a person or by the auto-apply policy (whatever happened after).</summary>
    public int Approved { get; private set; }

    /// <summary>Gets how many of <see cref="Approved"/> the auto-apply policy approved.</summary>
    public int AutoApplied { get; private set; }

    /// <summary>Gets how many a person rejected.</summary>
    public int Rejected { get; private set; }

    /// <summary>Gets how many expired before anybody decided.</summary>
    public int Expired { get; private set; }

    /// <summary>Gets how many the trainer applied.</summary>
    public int Applied { get; private set; }

    /// <summary>Gets how many failed (the trainer rejected a command, or it could not be queued).</summary>
    public int Failed { get; private set; }

    /// <summary>Gets how many applied proposals have a measured outcome.</summary>
    public int Measured { get; private set; }

    /// <summary>Gets how many measured outcomes were "helped".</summary>
    public int Helped { get; private set; }

    /// <summary>Gets how many measured outcomes were "no effect".</summary>
    public int NoEffect { get; private set; }

    /// <summary>Gets how many measured outcomes were "hurt".</summary>
    public int Hurt { get; private set; }

    /// <summary>
    /// Gets the adoption rate: of the proposals that were put to a person and are no longer pending, the share a person
    /// approved: (approved − auto-applied) ÷ (proposed − pending − auto-applied). <see langword="null"/> when none was settled.
    /// </summary>
    public double? AdoptionRate
    {
        get
        {
            var settled = Proposed - Pending - AutoApplied;
            return settled <= 0 ? null : (double)(Approved - AutoApplied) / settled;
        }
    }

    /// <summary>Gets the efficacy: the share of measured outcomes that helped, or <see langword="null"/> when none was measured.</summary>
    public double? HelpedRate => Measured == 0 ? null : (double)Helped / Measured;

    internal void Add(ProposalEvent latest)
    {
        Proposed++;
        switch (latest.State)
        {
            case ProposalState.Pending:
                Pending++;
                break;
            case ProposalState.Rejected:
                Rejected++;
                break;
            case ProposalState.Expired:
                Expired++;
                break;
            case ProposalState.Approved:
                Approved++;
                break;
            case ProposalState.Applied:
                Approved++;
                Applied++;
                break;
            case ProposalState.Failed:
                // A proposal fails only after its approval (the trainer rejected a command, or it could not be queued).
                Approved++;
                Failed++;
                break;
        }

        if (latest.AutoApplied)
        {
            AutoApplied++;
        }

        if (latest.Outcome is { } outcome)
        {
            Measured++;
            switch (outcome.Verdict)
            {
                case ProposalVerdict.Helped:
                    Helped++;
                    break;
                case ProposalVerdict.NoEffect:
                    NoEffect++;
                    break;
                case ProposalVerdict.Hurt:
                    Hurt++;
                    break;
            }
        }
    }
}
