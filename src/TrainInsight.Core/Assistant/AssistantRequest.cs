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
    /// <exception cref="ArgumentException">The value is empty, longer than 35 characters, or not letters, digits and '-'.</exception>
    public string? Language
    {
        get => _language;
        set
        {
            if (value is not null && (value.Length is 0 or > 35 || !value.All(c => char.IsAsciiLetterOrDigit(c) || c == '-')))
            {
                throw new ArgumentException($"Language '{value}' is not a BCP 47 tag such as \"en\" or \"zh-CN\".", nameof(value));
            }

            _language = value;
        }
    }
}
