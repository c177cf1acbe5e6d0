namespace TrainInsight;

/// <summary>Thrown when an operation names a proposal that does not exist.</summary>
public sealed class ProposalNotFoundException : KeyNotFoundException
{
    /// <summary>Initializes a new instance of the <see cref="ProposalNotFoundException"/> class.</summary>
    public ProposalNotFoundException()
        : base("The proposal was not found.")
    {
    }

    /// <summary>Initializes a new instance of the <see cref="ProposalNotFoundException"/> class.</summary>
    /// <param name="message">The message.</param>
    public ProposalNotFoundException(string message)
        : base(message)
    {
    }

    /// <summary>Initializes a new instance of the <see cref="ProposalNotFoundException"/> class.</summary>
    /// <param name="message">The message.</param>
    /// <param name="innerException">The cause.</param>
    public ProposalNotFoundException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Gets the proposal id that was asked for.</summary>
    public string? ProposalId { get; init; }
}
