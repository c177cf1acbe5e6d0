namespace TrainInsight;

/// <summary>Which run an <see cref="ITrainingAssistant"/> operation is about, and in which language to answer.</summary>
public class AssistantRequest
{
    private string? _language;

    /// <summary>Initializes a new instance of the <see cref="AssistantRequest"/> class.</summary>
    /// <param name="runId">The run.</param>
    /// <exception cref="ArgumentException"><paramref name="runId"/> is not a valid run id (see <see cref="RunDescriptor.IsValidId"/>).</exception>
    public AssistantRequest(string runId)
    {
        if (!RunDescriptor.IsValidId(runId))
        {
            throw new ArgumentException($"Run id '{runId}' is invalid: use 1 to 128 letters, digits, '-', '_' or '.'.", nameof(runId));
        }

        RunId = runId;
    }

    /// <summary>Gets the run.</summary>
    public string RunId { get; }

    /// <summary>
    /// Gets or sets the language to answer in, as a BCP 47 tag such as <c>en</c> or <c>zh-CN</c>, or <see langword="null"/>
    /// to use the language of the message (Chinese when it is mostly CJK text, else English) or, without a message, the
    /// assistant's default. The default is <see langword="null"/>.
    /// </summary>
    /// <exception cref="ArgumentException">
    /// The value is not a BCP 47 tag: a language of 2 to 8 letters, then subtags of 1 to 8 letters or digits separated by
    /// '-', 35 characters at most.
    /// </exception>
    public string? Language
    {
        get => _language;
        set
        {
            if (value is not null && !IsLanguageTag(value))
            {
                throw new ArgumentException($"Language '{value}' is not a BCP 47 tag such as \"en\" or \"zh-CN\".", nameof(Language));
            }

            _language = value;
        }
    }

    private static bool IsLanguageTag(string value)
    {
        if (value.Length > 35)
        {
            return false;
        }

        var parts = value.Split('-');
        return parts[0].Length is >= 2 and <= 8 && parts[0].All(char.IsAsciiLetter) &&
            parts.Skip(1).All(p => p.Length is >= 1 and <= 8 && p.All(char.IsAsciiLetterOrDigit));
    }
}
