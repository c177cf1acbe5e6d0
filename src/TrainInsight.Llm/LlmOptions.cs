using TrainInsight.Internal;

namespace TrainInsight.Llm;

/// <summary>Settings of the TrainInsight analyst.</summary>
public sealed class LlmOptions
{
    private int _maxPromptPoints = 50;
    private float? _temperature;
    private TimeSpan _requestTimeout = TimeSpan.FromSeconds(60);

    /// <summary>
    /// Gets or sets the most points of one series (the sampled <c>train_loss</c>, the per-epoch summaries) that a prompt
    /// lists; longer series are thinned evenly, keeping the first and the last point. First, last and minimum values are
    /// always stated. Between 1 and 10,000. The default is 50.
    /// </summary>
    public int MaxPromptPoints
    {
        get => _maxPromptPoints;
        set => _maxPromptPoints = OptionsGuard.InRange(value, 1, 10_000);
    }

    /// <summary>
    /// Gets or sets the sampling temperature sent to the chat client in <c>ChatOptions.Temperature</c>, or
    /// <see langword="null"/> to leave it to the client. Between 0 and 2. The default is <see langword="null"/>.
    /// </summary>
    public float? Temperature
    {
        get => _temperature;
        set
        {
            if (value is { } t && (float.IsNaN(t) || t < 0 || t > 2))
            {
                throw new ArgumentOutOfRangeException(nameof(value), value, "Temperature must be between 0 and 2.");
            }

            _temperature = value;
        }
    }

    /// <summary>
    /// Gets or sets how long the chat client may take to answer; after that the analysis falls back to rules and says so.
    /// Between 1 second and 10 minutes. The default is 60 seconds.
    /// </summary>
    public TimeSpan RequestTimeout
    {
        get => _requestTimeout;
        set => _requestTimeout = OptionsGuard.InRange(value, TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(10));
    }
}
