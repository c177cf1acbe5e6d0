namespace TrainInsight.HttpIngest.Tests;

public sealed class HttpIngestSinkOptionsTests
{
    private static readonly Uri s_endpoint = new("http://127.0.0.1:5000/api/ingest");

    [Fact]
    public void Constructor_Defaults_AreDocumentedValues()
    {
        var options = new HttpIngestSinkOptions(s_endpoint);

        options.Endpoint.Should().Be(s_endpoint);
        options.BatchSize.Should().Be(256);
        options.FlushInterval.Should().Be(TimeSpan.FromMilliseconds(250));
        options.MaxBufferedEvents.Should().Be(100_000);
        options.InitialRetryDelay.Should().Be(TimeSpan.FromMilliseconds(250));
        options.MaxRetryDelay.Should().Be(TimeSpan.FromSeconds(30));
        options.RequestTimeout.Should().Be(TimeSpan.FromSeconds(30));
        options.DisposeTimeout.Should().Be(TimeSpan.FromSeconds(5));
        options.RunId.Should().BeNull();
    }

    [Theory]
    [InlineData("http://host/api/ingest")]
    [InlineData("https://host:8443/prefix/api/ingest")]
    public void Constructor_HttpOrHttpsEndpoint_IsKept(string endpoint)
    {
        new HttpIngestSinkOptions(new Uri(endpoint)).Endpoint.Should().Be(new Uri(endpoint));
    }

    [Theory]
    [InlineData("ftp://host/api/ingest")]
    [InlineData("ws://host/api/ingest")]
    [InlineData("file:///tmp/x")]
    public void Constructor_OtherScheme_ThrowsArgumentException(string endpoint)
    {
        var create = () => new HttpIngestSinkOptions(new Uri(endpoint));

        create.Should().Throw<ArgumentException>().WithParameterName(nameof(endpoint));
    }

    [Fact]
    public void Constructor_RelativeOrNullEndpoint_Throws()
    {
        ((Action)(() => _ = new HttpIngestSinkOptions(new Uri("/api/ingest", UriKind.Relative)))).Should().Throw<ArgumentException>();
        ((Action)(() => _ = new HttpIngestSinkOptions(null!))).Should().Throw<ArgumentNullException>();
    }

    [Theory]
    [InlineData(0)]
    [InlineData(10_001)]
    public void BatchSize_OutOfRange_Throws(int value)
    {
        var options = new HttpIngestSinkOptions(s_endpoint);

        ((Action)(() => options.BatchSize = value)).Should().Throw<ArgumentOutOfRangeException>();
        options.BatchSize.Should().Be(256);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(10_000_001)]
    public void MaxBufferedEvents_OutOfRange_Throws(int value)
    {
        var options = new HttpIngestSinkOptions(s_endpoint);

        ((Action)(() => options.MaxBufferedEvents = value)).Should().Throw<ArgumentOutOfRangeException>();
    }

    [Fact]
    public void TimeSpans_OutOfRange_Throw()
    {
        var options = new HttpIngestSinkOptions(s_endpoint);

        ((Action)(() => options.FlushInterval = TimeSpan.Zero)).Should().Throw<ArgumentOutOfRangeException>();
        ((Action)(() => options.InitialRetryDelay = TimeSpan.Zero)).Should().Throw<ArgumentOutOfRangeException>();
        ((Action)(() => options.MaxRetryDelay = TimeSpan.FromHours(2))).Should().Throw<ArgumentOutOfRangeException>();
        ((Action)(() => options.RequestTimeout = TimeSpan.FromMilliseconds(99))).Should().Throw<ArgumentOutOfRangeException>();
        ((Action)(() => options.DisposeTimeout = TimeSpan.FromSeconds(-1))).Should().Throw<ArgumentOutOfRangeException>();
    }

    [Fact]
    public void InRangeValues_AreKept()
    {
        var options = new HttpIngestSinkOptions(s_endpoint)
        {
            BatchSize = 10_000,
            MaxBufferedEvents = 1,
            FlushInterval = TimeSpan.FromMilliseconds(1),
            InitialRetryDelay = TimeSpan.FromSeconds(1),
            MaxRetryDelay = TimeSpan.FromHours(1),
            RequestTimeout = TimeSpan.FromMinutes(10),
            DisposeTimeout = TimeSpan.Zero,
            RunId = "run-a",
        };

        options.BatchSize.Should().Be(10_000);
        options.MaxBufferedEvents.Should().Be(1);
        options.DisposeTimeout.Should().Be(TimeSpan.Zero);
        options.RunId.Should().Be("run-a");
    }

    [Theory]
    [InlineData("")]
    [InlineData("bad id")]
    public void RunId_Invalid_ThrowsArgumentException(string runId)
    {
        var options = new HttpIngestSinkOptions(s_endpoint);

        ((Action)(() => options.RunId = runId)).Should().Throw<ArgumentException>();
    }
}
