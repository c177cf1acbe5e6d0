namespace TrainInsight;

/// <summary>Thrown when a command targets a run that is not active (or when no run is active at all).</summary>
public sealed class RunNotActiveException : InvalidOperationException
{
    /// <summary>Initializes a new instance of the <see cref="RunNotActiveException"/> class.</summary>
    public RunNotActiveException()
        : base("No training run is active.")
    {
    }

    /// <summary>Initializes a new instance of the <see cref="RunNotActiveException"/> class.</summary>
    /// <param name="message">The message.</param>
    public RunNotActiveException(string message)
        : base(message)
    {
    }

    /// <summary>Initializes a new instance of the <see cref="RunNotActiveException"/> class.</summary>
    /// <param name="message">The message.</param>
    /// <param name="innerException">The cause.</param>
    public RunNotActiveException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Gets the run id that was asked for, or <see langword="null"/> when the command targeted every run.</summary>
    public string? RunId { get; init; }
}
