namespace TrainInsight.Streaming.Tests;

public sealed class StreamingOptionsTests
{
    [Fact]
    public void Constructor_Defaults_AreDocumentedValues()
    {
        var options = new StreamingOptions();

        options.HeartbeatInterval.Should().Be(TimeSpan.FromSeconds(15));
        options.MaxRequestBodyBytes.Should().Be(65_536);
        options.MaxIngestBodyBytes.Should().Be(1_048_576);
        options.ClientQueueCapacity.Should().BeNull();
        options.AllowedOrigins.Should().BeEmpty();
        options.MapOpenApiDocument.Should().BeTrue();
    }

    [Theory]
    [InlineData(100)]
    [InlineData(15_000)]
    [InlineData(600_000)]
    public void HeartbeatInterval_InRange_IsKept(int milliseconds)
    {
        var options = new StreamingOptions { HeartbeatInterval = TimeSpan.FromMilliseconds(milliseconds) };

        options.HeartbeatInterval.Should().Be(TimeSpan.FromMilliseconds(milliseconds));
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(0)]
    [InlineData(99)]
    [InlineData(600_001)]
    public void HeartbeatInterval_OutOfRange_ThrowsArgumentOutOfRangeException(int milliseconds)
    {
        var options = new StreamingOptions();

        var set = () => options.HeartbeatInterval = TimeSpan.FromMilliseconds(milliseconds);

        set.Should().Throw<ArgumentOutOfRangeException>();
        options.HeartbeatInterval.Should().Be(TimeSpan.FromSeconds(15));
    }

    [Theory]
    [InlineData(1024)]
    [InlineData(65_536)]
    [InlineData(16 * 1024 * 1024)]
    public void MaxRequestBodyBytes_InRange_IsKept(int bytes)
    {
        var options = new StreamingOptions { MaxRequestBodyBytes = bytes };

        options.MaxRequestBodyBytes.Should().Be(bytes);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1023)]
    [InlineData(16 * 1024 * 1024 + 1)]
    [InlineData(int.MinValue)]
    public void MaxRequestBodyBytes_OutOfRange_ThrowsArgumentOutOfRangeException(int bytes)
    {
        var options = new StreamingOptions();

        var set = () => options.MaxRequestBodyBytes = bytes;

        set.Should().Throw<ArgumentOutOfRangeException>();
        options.MaxRequestBodyBytes.Should().Be(65_536);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(16)]
    [InlineData(null)]
    public void ClientQueueCapacity_PositiveOrNull_IsKept(int? capacity)
    {
        var options = new StreamingOptions { ClientQueueCapacity = 5 };

        options.ClientQueueCapacity = capacity;

        options.ClientQueueCapacity.Should().Be(capacity);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    public void ClientQueueCapacity_BelowOne_ThrowsArgumentOutOfRangeException(int capacity)
    {
        var options = new StreamingOptions();

        var set = () => options.ClientQueueCapacity = capacity;

        set.Should().Throw<ArgumentOutOfRangeException>();
        options.ClientQueueCapacity.Should().BeNull();
    }

    [Theory]
    [InlineData(1024)]
    [InlineData(1_048_576)]
    [InlineData(16 * 1024 * 1024)]
    public void MaxIngestBodyBytes_InRange_IsKept(int bytes)
    {
        var options = new StreamingOptions { MaxIngestBodyBytes = bytes };

        options.MaxIngestBodyBytes.Should().Be(bytes);
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(0)]
    [InlineData(1023)]
    [InlineData(16 * 1024 * 1024 + 1)]
    public void MaxIngestBodyBytes_OutOfRange_ThrowsArgumentOutOfRangeException(int bytes)
    {
        var options = new StreamingOptions();

        var set = () => options.MaxIngestBodyBytes = bytes;

        set.Should().Throw<ArgumentOutOfRangeException>();
        options.MaxIngestBodyBytes.Should().Be(1_048_576);
    }
}
