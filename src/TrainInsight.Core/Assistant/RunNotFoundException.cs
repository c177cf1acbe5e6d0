namespace TrainInsight;

/// <summary>Thrown when an operation names a run that neither the bus nor the store has seen.</summary>
public sealed class RunNotFoundException : KeyNotFoundException
{
    /// <summary>Initializes a new instance of the <see cref="RunNotFoundException"/> class.</summary>
    public RunNotFoundException()
        : base("The run was not found.")
    {
    }

    /// <summary>Initializes a new instance of the <see cref="RunNotFoundException"/> class.</summary>
    /// <param name="message">The message.</param>
    public RunNotFoundException(string message)
        : base(message)
    {
    }

    /// <summary>Initializes a new instance of the <see cref="RunNotFoundException"/> class.</summary>
    /// <param name="message">The message.</param>
    /// <param name="innerException">The cause.</param>
    public RunNotFoundException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Gets the run id that was asked for.</summary>
    public string? RunId { get; init; }
}
