namespace TrainInsight;

/// <summary>Thrown when a proposal cannot make the transition asked for: it is no longer pending, or its run has ended.</summary>
public sealed class ProposalStateException : InvalidOperationException
{
    /// <summary>Initializes a new instance of the <see cref="ProposalStateException"/> class.</summary>
    public ProposalStateException()
        : base("The proposal cannot make that transition.")
    {
    }

    /// <summary>Initializes a new instance of the <see cref="ProposalStateException"/> class.</summary>
    /// <param name="message">The message.</param>
    public ProposalStateException(string message)
        : base(message)
    {
    }

    /// <summary>Initializes a new instance of the <see cref="ProposalStateException"/> class.</summary>
    /// <param name="message">The message.</param>
    /// <param name="innerException">The cause.</param>
    public ProposalStateException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Gets the proposal, or <see langword="null"/> when the proposal was not made.</summary>
    public string? ProposalId { get; init; }

    /// <summary>Gets the state the proposal is in, or <see langword="null"/> when it was not made.</summary>
    public ProposalState? State { get; init; }
}
