namespace TrainInsight;

/// <summary>What an applied proposal did to its target metric (see <see cref="ProposalOutcome"/>).</summary>
public enum ProposalVerdict
{
    /// <summary>The metric improved by at least the helped margin against what its trend predicted.</summary>
    Helped,

    /// <summary>The metric changed by less than either margin.</summary>
    NoEffect,

    /// <summary>The metric got worse by at least the hurt margin, or stopped being finite.</summary>
    Hurt,
}
