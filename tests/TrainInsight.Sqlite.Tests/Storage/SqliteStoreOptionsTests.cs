namespace TrainInsight.Sqlite.Tests.Storage;

public sealed class SqliteStoreOptionsTests
{
    [Fact]
    public void Constructor_Always_HasDocumentedDefaults()
    {
        var options = new SqliteStoreOptions();

        options.Path.Should().Be("traininsight.db");
        options.MaxAge.Should().BeNull();
        options.MaxEventsPerRun.Should().BeNull();
        options.MaxRuns.Should().BeNull();
        options.BusyTimeout.Should().Be(TimeSpan.FromSeconds(5));
        options.MemoryFallbackCapacity.Should().Be(100_000);
    }

    [Fact]
    public void Setters_OutOfRange_Throw()
    {
        var options = new SqliteStoreOptions();

        ((Action)(() => options.Path = " ")).Should().Throw<ArgumentException>();
        ((Action)(() => options.MaxAge = TimeSpan.FromSeconds(59))).Should().Throw<ArgumentOutOfRangeException>();
        ((Action)(() => options.MaxEventsPerRun = 0)).Should().Throw<ArgumentOutOfRangeException>();
        ((Action)(() => options.MaxRuns = 0)).Should().Throw<ArgumentOutOfRangeException>();
        ((Action)(() => options.BusyTimeout = TimeSpan.FromMilliseconds(999))).Should().Throw<ArgumentOutOfRangeException>();
        ((Action)(() => options.BusyTimeout = TimeSpan.FromMinutes(2))).Should().Throw<ArgumentOutOfRangeException>();
        ((Action)(() => options.MemoryFallbackCapacity = 0)).Should().Throw<ArgumentOutOfRangeException>();
    }

    [Fact]
    public void Setters_InRangeOrNull_Keep()
    {
        var options = new SqliteStoreOptions
        {
            MaxAge = TimeSpan.FromDays(30),
            MaxEventsPerRun = 1,
            MaxRuns = 1,
            BusyTimeout = TimeSpan.FromSeconds(1),
            MemoryFallbackCapacity = 1,
        };

        options.MaxAge.Should().Be(TimeSpan.FromDays(30));
        options.MaxAge = null;
        options.MaxAge.Should().BeNull();
        options.MaxEventsPerRun.Should().Be(1);
        options.MaxRuns.Should().Be(1);
        options.BusyTimeout.Should().Be(TimeSpan.FromSeconds(1));
    }
}
