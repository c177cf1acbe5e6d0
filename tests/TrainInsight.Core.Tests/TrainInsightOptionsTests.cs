namespace TrainInsight.Tests;

public class TrainInsightOptionsTests
{
    [Fact]
    public void Constructor_Default_HasDocumentedDefaults()
    {
        var options = new TrainInsightOptions();

        options.HistoryCapacity.Should().Be(10_000);
        options.IngestCapacity.Should().Be(65_536);
        options.SubscriberCapacity.Should().Be(1_024);
        options.StoreFlushInterval.Should().Be(TimeSpan.FromMilliseconds(500));
        options.StoreQueueCapacity.Should().Be(1_000_000);
    }

    [Theory]
    [InlineData(nameof(TrainInsightOptions.HistoryCapacity), 1)]
    [InlineData(nameof(TrainInsightOptions.HistoryCapacity), 10_000_000)]
    [InlineData(nameof(TrainInsightOptions.IngestCapacity), 16)]
    [InlineData(nameof(TrainInsightOptions.IngestCapacity), 10_000_000)]
    [InlineData(nameof(TrainInsightOptions.SubscriberCapacity), 1)]
    [InlineData(nameof(TrainInsightOptions.SubscriberCapacity), 10_000_000)]
    public void Capacity_AtBoundary_IsAccepted(string property, int value)
    {
        var options = new TrainInsightOptions();

        Set(options, property, value);

        Get(options, property).Should().Be(value);
    }

    [Theory]
    [InlineData(nameof(TrainInsightOptions.HistoryCapacity), 0)]
    [InlineData(nameof(TrainInsightOptions.HistoryCapacity), 10_000_001)]
    [InlineData(nameof(TrainInsightOptions.IngestCapacity), 15)]
    [InlineData(nameof(TrainInsightOptions.IngestCapacity), 10_000_001)]
    [InlineData(nameof(TrainInsightOptions.SubscriberCapacity), 0)]
    [InlineData(nameof(TrainInsightOptions.SubscriberCapacity), -1)]
    [InlineData(nameof(TrainInsightOptions.SubscriberCapacity), 10_000_001)]
    public void Capacity_OutOfRange_ThrowsAndKeepsPreviousValue(string property, int value)
    {
        var options = new TrainInsightOptions();
        var before = Get(options, property);

        var set = () => Set(options, property, value);

        set.Should().Throw<ArgumentOutOfRangeException>().WithParameterName(property);
        Get(options, property).Should().Be(before);
    }

    [Theory]
    [InlineData(9)]
    [InlineData(60_001)]
    public void StoreFlushInterval_OutOfRange_ThrowsAndKeepsDefault(int milliseconds)
    {
        var options = new TrainInsightOptions();

        options.Invoking(o => o.StoreFlushInterval = TimeSpan.FromMilliseconds(milliseconds)).Should().Throw<ArgumentOutOfRangeException>();
        options.StoreFlushInterval.Should().Be(TimeSpan.FromMilliseconds(500));
    }

    [Theory]
    [InlineData(1_023)]
    [InlineData(100_000_001)]
    public void StoreQueueCapacity_OutOfRange_ThrowsAndKeepsDefault(int value)
    {
        var options = new TrainInsightOptions();

        options.Invoking(o => o.StoreQueueCapacity = value).Should().Throw<ArgumentOutOfRangeException>().WithParameterName(nameof(TrainInsightOptions.StoreQueueCapacity));
        options.StoreQueueCapacity.Should().Be(1_000_000);
    }

    private static int Get(TrainInsightOptions options, string property) => property switch
    {
        nameof(TrainInsightOptions.HistoryCapacity) => options.HistoryCapacity,
        nameof(TrainInsightOptions.IngestCapacity) => options.IngestCapacity,
        nameof(TrainInsightOptions.SubscriberCapacity) => options.SubscriberCapacity,
        _ => throw new ArgumentOutOfRangeException(nameof(property)),
    };

    private static void Set(TrainInsightOptions options, string property, int value)
    {
        switch (property)
        {
            case nameof(TrainInsightOptions.HistoryCapacity):
                options.HistoryCapacity = value;
                break;
            case nameof(TrainInsightOptions.IngestCapacity):
                options.IngestCapacity = value;
                break;
            case nameof(TrainInsightOptions.SubscriberCapacity):
                options.SubscriberCapacity = value;
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(property));
        }
    }
}
