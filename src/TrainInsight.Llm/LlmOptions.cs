using TrainInsight.Internal;

namespace TrainInsight.Llm;

/// <summary>Settings of the TrainInsight assistant (<see cref="TrainingAssistant"/>) and of the pipeline around the host's chat client.</summary>
/// <remarks>The assistant reads these on every call, so later changes apply to the next call (the pipeline's limits included).</remarks>
public sealed class LlmOptions
{
    private string _defaultLanguage = "en";
    private int _contextTokenBudget = 1_024;
    private int _historyTokenBudget = 2_048;
    private int? _maxOutputTokens = 1_024;
    private float? _temperature;
    private TimeSpan _requestTimeout = TimeSpan.FromSeconds(60);
    private TimeSpan _streamIdleTimeout = TimeSpan.FromSeconds(30);
    private int _maxCallsPerMinute = 60;
    private long _maxTokensPerDay = 2_000_000;
    private int _circuitBreakerFailures = 5;
    private TimeSpan _circuitBreakerDuration = TimeSpan.FromSeconds(30);
    private int _maxToolCalls = 4;
    private int _maxSuggestions = 5;
    private AssistantPrompts _prompts = new();
    private int _autoAnalysesPerHour = 4;

    /// <summary>
    /// Gets or sets the language of answers to requests that name none and carry no message to detect it from, as a BCP 47
    /// tag. The rules answer in English and Chinese (<c>zh</c>); a model answers in any. The default is <c>en</c>.
    /// </summary>
    public string DefaultLanguage
    {
        get => _defaultLanguage;
        set
        {
            ArgumentException.ThrowIfNullOrWhiteSpace(value);
            _ = new AssistantRequest("x") { Language = value };
            _defaultLanguage = value;
        }
    }

    /// <summary>
    /// Gets or sets the most tokens the run context (current values, trends, best so far, findings, run information,
    /// hyperparameters, recent control actions) may take in a prompt, estimated conservatively (about 3.3 letters of
    /// Latin text, or 1.5 tokens per CJK character, per token; checked against the cl100k tokenizer); what does not fit is
    /// left out, least important first, and the prompt says how much. Between 256 and 32,768. The default is 1,024.
    /// </summary>
    public int ContextTokenBudget
    {
        get => _contextTokenBudget;
        set => _contextTokenBudget = OptionsGuard.InRange(value, 256, 32_768);
    }

    /// <summary>
    /// Gets or sets the most tokens of earlier chat messages sent with a new message; older messages are replaced by one
    /// summary line each, and the summary is kept in the conversation. Between 0 and 65,536. The default is 2,048.
    /// </summary>
    public int HistoryTokenBudget
    {
        get => _historyTokenBudget;
        set => _historyTokenBudget = OptionsGuard.InRange(value, 0, 65_536);
    }

    /// <summary>
    /// Gets or sets the most tokens the model may write per call (<c>ChatOptions.MaxOutputTokens</c>), or
    /// <see langword="null"/> to leave it to the client. Between 16 and 65,536. The default is 1,024.
    /// </summary>
    public int? MaxOutputTokens
    {
        get => _maxOutputTokens;
        set => _maxOutputTokens = OptionsGuard.InRangeOrNull(value, 16, 65_536);
    }

    /// <summary>
    /// Gets or sets the sampling temperature sent in <c>ChatOptions.Temperature</c>, or <see langword="null"/> to leave it
    /// to the client. Between 0 and 2. The default is <see langword="null"/>.
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
    /// Gets or sets how long one call to the model may take (a chat answer that uses tools makes one call per round); after
    /// that the answer comes from the rules and says so. Between 1 second and 10 minutes. The default is 60 seconds.
    /// </summary>
    public TimeSpan RequestTimeout
    {
        get => _requestTimeout;
        set => _requestTimeout = OptionsGuard.InRange(value, TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(10));
    }

    /// <summary>
    /// Gets or sets how long a streamed answer may wait for its first piece and between two pieces; after that the text so
    /// far is discarded and the rules answer. Between 100 milliseconds and 10 minutes. The default is 30 seconds.
    /// </summary>
    public TimeSpan StreamIdleTimeout
    {
        get => _streamIdleTimeout;
        set => _streamIdleTimeout = OptionsGuard.InRange(value, TimeSpan.FromMilliseconds(100), TimeSpan.FromMinutes(10));
    }

    /// <summary>
    /// Gets or sets the most calls to the model in any 60 seconds (each round of a tool-calling answer counts; cached answers
    /// do not); beyond it the rules answer. Between 1 and 100,000. The default is 60.
    /// </summary>
    public int MaxCallsPerMinute
    {
        get => _maxCallsPerMinute;
        set => _maxCallsPerMinute = OptionsGuard.InRange(value, 1, 100_000);
    }

    /// <summary>
    /// Gets or sets the most tokens (input and output, as the model reports them, or estimated when it does not) per UTC
    /// day; beyond it the rules answer until midnight UTC. Between 1,000 and 10,000,000,000. The default is 2,000,000.
    /// </summary>
    public long MaxTokensPerDay
    {
        get => _maxTokensPerDay;
        set => _maxTokensPerDay = OptionsGuard.InRange(value, 1_000L, 10_000_000_000L);
    }

    /// <summary>
    /// Gets or sets how many model calls in a row may fail (errors and timeouts) before the circuit opens: then the rules
    /// answer at once, without calling the model, for <see cref="CircuitBreakerDuration"/>, after which one call tries the
    /// model again. Between 1 and 1,000. The default is 5.
    /// </summary>
    public int CircuitBreakerFailures
    {
        get => _circuitBreakerFailures;
        set => _circuitBreakerFailures = OptionsGuard.InRange(value, 1, 1_000);
    }

    /// <summary>Gets or sets how long an open circuit stays open. Between 1 second and 1 hour. The default is 30 seconds.</summary>
    public TimeSpan CircuitBreakerDuration
    {
        get => _circuitBreakerDuration;
        set => _circuitBreakerDuration = OptionsGuard.InRange(value, TimeSpan.FromSeconds(1), TimeSpan.FromHours(1));
    }

    /// <summary>
    /// Gets or sets the most rounds of tool calls (current metrics, history, findings, run information, comparison) in one
    /// chat answer. Between 0 (no tools) and 20. The default is 4.
    /// </summary>
    public int MaxToolCalls
    {
        get => _maxToolCalls;
        set => _maxToolCalls = OptionsGuard.InRange(value, 0, 20);
    }

    /// <summary>Gets or sets the most suggestions in one answer. Between 1 and 20. The default is 5.</summary>
    public int MaxSuggestions
    {
        get => _maxSuggestions;
        set => _maxSuggestions = OptionsGuard.InRange(value, 1, 20);
    }

    /// <summary>Gets or sets the system prompts of the three roles. The default is <c>new AssistantPrompts()</c>.</summary>
    public AssistantPrompts Prompts
    {
        get => _prompts;
        set => _prompts = value ?? throw new ArgumentNullException(nameof(value));
    }

    /// <summary>
    /// Gets or sets whether the assistant analyses runs on its own (<see cref="AutoAnalyzer"/>): after each new finding of
    /// warning severity or worse and at each epoch's end, publishing the result on the bus as an
    /// <see cref="AssistantAnalysisEvent"/>. Read when the host starts the analyzer. The default is <see langword="false"/>.
    /// </summary>
    public bool AutoAnalysis { get; set; }

    /// <summary>
    /// Gets or sets the most automatic analyses of one run in any 60 minutes (a sliding window); the triggers beyond it are
    /// skipped and counted in <see cref="AutoAnalyzer.Skipped"/>. Between 1 and 60. The default is 4.
    /// </summary>
    public int AutoAnalysesPerHour
    {
        get => _autoAnalysesPerHour;
        set => _autoAnalysesPerHour = OptionsGuard.InRange(value, 1, 60);
    }
}
