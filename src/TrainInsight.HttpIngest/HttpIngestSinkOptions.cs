using TrainInsight.Internal;

namespace TrainInsight.HttpIngest;

/// <summary>Settings of an <see cref="HttpIngestSink"/>.</summary>
public sealed class HttpIngestSinkOptions
{
    private int _batchSize = 256;
    private TimeSpan _flushInterval = TimeSpan.FromMilliseconds(250);
    private int _maxBufferedEvents = 100_000;
    private TimeSpan _initialRetryDelay = TimeSpan.FromMilliseconds(250);
    private TimeSpan _maxRetryDelay = TimeSpan.FromSeconds(30);
    private TimeSpan _requestTimeout = TimeSpan.FromSeconds(30);
    private TimeSpan _disposeTimeout = TimeSpan.FromSeconds(5);
    private string? _runId;

    /// <summary>Initializes a new instance of the <see cref="HttpIngestSinkOptions"/> class.</summary>
    /// <param name="endpoint">
    /// The absolute http or https address of the server's ingest endpoint, for example
    /// <c>http://metrics-host:5000/api/ingest</c> (with the server's <c>MapTrainInsight</c> prefix, if any).
    /// </param>
    /// <exception cref="ArgumentException"><paramref name="endpoint"/> is not an absolute http or https URI.</exception>
    public HttpIngestSinkOptions(Uri endpoint)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        if (!endpoint.IsAbsoluteUri || (endpoint.Scheme != Uri.UriSchemeHttp && endpoint.Scheme != Uri.UriSchemeHttps))
        {
            throw new ArgumentException($"The ingest endpoint must be an absolute http or https URI, not '{endpoint}'.", nameof(endpoint));
        }

        Endpoint = endpoint;
    }

    /// <summary>Gets the address of the server's ingest endpoint.</summary>
    public Uri Endpoint { get; }

    /// <summary>
    /// Gets or sets the most events sent in one request. Between 1 and 10,000 (the server's limit per batch).
    /// The default is 256.
    /// </summary>
    public int BatchSize
    {
        get => _batchSize;
        set => _batchSize = OptionsGuard.InRange(value, 1, 10_000);
    }

    /// <summary>
    /// Gets or sets how long the sink waits for a batch to fill before it sends what it has. Between 1 ms and 1 minute.
    /// The default is 250 milliseconds.
    /// </summary>
    public TimeSpan FlushInterval
    {
        get => _flushInterval;
        set => _flushInterval = OptionsGuard.InRange(value, TimeSpan.FromMilliseconds(1), TimeSpan.FromMinutes(1));
    }

    /// <summary>
    /// Gets or sets how many events may wait to be sent (while the server is slow or unreachable) before the oldest are
    /// dropped and counted in <see cref="HttpIngestSink.DroppedCount"/>. Between 1 and 10,000,000. The default is 100,000.
    /// </summary>
    public int MaxBufferedEvents
    {
        get => _maxBufferedEvents;
        set => _maxBufferedEvents = OptionsGuard.InRange(value, 1, 10_000_000);
    }

    /// <summary>
    /// Gets or sets the delay before the first retry of a failed request; each further retry doubles it, up to
    /// <see cref="MaxRetryDelay"/>, with random jitter. Between 1 ms and 10 minutes. The default is 250 milliseconds.
    /// </summary>
    public TimeSpan InitialRetryDelay
    {
        get => _initialRetryDelay;
        set => _initialRetryDelay = OptionsGuard.InRange(value, TimeSpan.FromMilliseconds(1), TimeSpan.FromMinutes(10));
    }

    /// <summary>
    /// Gets or sets the longest delay between retries, also the most a server's <c>Retry-After</c> is honored.
    /// Between 1 ms and 1 hour. The default is 30 seconds.
    /// </summary>
    public TimeSpan MaxRetryDelay
    {
        get => _maxRetryDelay;
        set => _maxRetryDelay = OptionsGuard.InRange(value, TimeSpan.FromMilliseconds(1), TimeSpan.FromHours(1));
    }

    /// <summary>
    /// Gets or sets how long one request may take before it is abandoned and retried. Between 100 ms and 10 minutes.
    /// The default is 30 seconds.
    /// </summary>
    public TimeSpan RequestTimeout
    {
        get => _requestTimeout;
        set => _requestTimeout = OptionsGuard.InRange(value, TimeSpan.FromMilliseconds(100), TimeSpan.FromMinutes(10));
    }

    /// <summary>
    /// Gets or sets how long disposing the sink may spend sending what is still buffered; events not sent by then are
    /// counted as dropped. Between zero and 10 minutes. The default is 5 seconds.
    /// </summary>
    public TimeSpan DisposeTimeout
    {
        get => _disposeTimeout;
        set => _disposeTimeout = OptionsGuard.InRange(value, TimeSpan.Zero, TimeSpan.FromMinutes(10));
    }

    /// <summary>
    /// Gets or sets the only run whose events are sent, or <see langword="null"/> to send the events of every run.
    /// The default is <see langword="null"/>.
    /// </summary>
    /// <exception cref="ArgumentException">The value is not a valid run id.</exception>
    public string? RunId
    {
        get => _runId;
        set
        {
            if (value is not null && !RunDescriptor.IsValidId(value))
            {
                throw new ArgumentException($"Run id '{value}' is invalid: use 1 to 128 letters, digits, '-', '_' or '.'.", nameof(value));
            }

            _runId = value;
        }
    }
}
