using System.Globalization;

namespace TrainInsight.Llm;

/// <summary>One thing a rule noticed about a run.</summary>
public sealed class Finding
{
    /// <summary>Initializes a new instance of the <see cref="Finding"/> class.</summary>
    /// <param name="code">A stable, machine-readable code; see <see cref="FindingCodes"/> for the built-in ones.</param>
    /// <param name="severity">How serious it is.</param>
    /// <param name="message">A human-readable explanation with the numbers behind it.</param>
    /// <exception cref="ArgumentException"><paramref name="code"/> or <paramref name="message"/> is null or empty, or <paramref name="severity"/> is undefined.</exception>
    public Finding(string code, FindingSeverity severity, string message)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(code);
        ArgumentException.ThrowIfNullOrWhiteSpace(message);
        if (!Enum.IsDefined(severity))
        {
            throw new ArgumentOutOfRangeException(nameof(severity), severity, "Unknown finding severity.");
        }

        Code = code;
        Severity = severity;
        Message = message;
    }

    /// <summary>Gets the stable, machine-readable code; see <see cref="FindingCodes"/>.</summary>
    public string Code { get; }

    /// <summary>Gets how serious the finding is.</summary>
    public FindingSeverity Severity { get; }

    /// <summary>Gets a human-readable explanation with the numbers behind it.</summary>
    public string Message { get; }

    /// <summary>Returns the finding as one line: severity, code and message.</summary>
    /// <returns>For example <c>Warning loss_diverging: …</c>.</returns>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Severity} {Code}: {Message}");
}
