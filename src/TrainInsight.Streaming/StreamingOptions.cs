using TrainInsight.Internal;

namespace TrainInsight.Streaming;

/// <summary>Settings of the TrainInsight streaming endpoints.</summary>
public sealed class StreamingOptions
{
    private TimeSpan _heartbeatInterval = TimeSpan.FromSeconds(15);
    private int _maxRequestBodyBytes = 64 * 1024;
    private int _maxIngestBodyBytes = 1024 * 1024;
    private int? _clientQueueCapacity;

    /// <summary>
    /// Gets or sets how long an SSE stream may stay silent before a heartbeat comment is sent; also the WebSocket
    /// keep-alive ping interval. Between 100 ms and 10 minutes. The default is 15 seconds.
    /// </summary>
    public TimeSpan HeartbeatInterval
    {
        get => _heartbeatInterval;
        set => _heartbeatInterval = OptionsGuard.InRange(value, TimeSpan.FromMilliseconds(100), TimeSpan.FromMinutes(10));
    }

    /// <summary>
    /// Gets or sets the largest request body the control endpoint accepts; larger bodies get 413 (<c>POST /api/ingest</c> has
    /// its own <see cref="MaxIngestBodyBytes"/>). Between 1 KiB and 16 MiB.
    /// The default is 65,536 (64 KiB).
    /// </summary>
    public int MaxRequestBodyBytes
    {
        get => _maxRequestBodyBytes;
        set
        {
            if (value < 1024 || value > 16 * 1024 * 1024)
            {
                throw new ArgumentOutOfRangeException(nameof(value), value, "MaxRequestBodyBytes must be between 1 KiB and 16 MiB.");
            }

            _maxRequestBodyBytes = value;
        }
    }

    /// <summary>
    /// Gets or sets the largest body <c>POST /api/ingest</c> accepts, by <c>Content-Length</c> or as sent (chunked);
    /// larger bodies get 413 and nothing of them is published. Between 1 KiB and 16 MiB. The default is 1,048,576 (1 MiB).
    /// </summary>
    public int MaxIngestBodyBytes
    {
        get => _maxIngestBodyBytes;
        set
        {
            if (value < 1024 || value > 16 * 1024 * 1024)
            {
                throw new ArgumentOutOfRangeException(nameof(value), value, "MaxIngestBodyBytes must be between 1 KiB and 16 MiB.");
            }

            _maxIngestBodyBytes = value;
        }
    }

    /// <summary>
    /// Gets or sets how many events each SSE or WebSocket client may fall behind before it loses events (counted in
    /// the bus statistics), or <see langword="null"/> for <see cref="TrainInsightOptions.SubscriberCapacity"/>. Between 1 and 10,000,000.
    /// The default is <see langword="null"/>.
    /// </summary>
    public int? ClientQueueCapacity
    {
        get => _clientQueueCapacity;
        set => _clientQueueCapacity = OptionsGuard.InRangeOrNull(value, 1, 10_000_000);
    }

    /// <summary>
    /// Gets the origins (such as "https://dashboard.example.com"; "*" for any) whose browser pages may call the
    /// TrainInsight endpoints: GET and POST, with the Content-Type and Last-Event-ID request headers. When it is not
    /// empty, <c>MapTrainInsight</c> gives its endpoints that CORS policy and the host must call <c>app.UseCors()</c>
    /// (after <c>UseRouting()</c> when it calls that). The default is empty: no CORS headers, same-origin pages only.
    /// </summary>
    public IList<string> AllowedOrigins { get; } = [];

    /// <summary>
    /// Gets or sets whether <c>MapTrainInsight</c> maps <c>{prefix}/openapi/traininsight.json</c>, the OpenAPI document of
    /// the TrainInsight endpoints alone (registered as the "traininsight" document of Microsoft.AspNetCore.OpenApi).
    /// The default is <see langword="true"/>.
    /// </summary>
    public bool MapOpenApiDocument { get; set; } = true;
}
