namespace TrainInsight.Dashboard.Tests;

public class DashboardOptionsTests
{
    [Fact]
    public void Constructor_Always_HasDocumentedDefaults()
    {
        var options = new DashboardOptions();

        options.ApiPrefix.Should().BeEmpty();
        options.Title.Should().Be("TrainInsight");
        options.HistoryPointsPerMetric.Should().Be(2_000);
        options.LivePointsPerChart.Should().Be(10_000);
    }

    [Theory]
    [InlineData("/")]
    [InlineData("traininsight")]
    [InlineData("/traininsight/")]
    [InlineData("/a//b")]
    [InlineData("/a b")]
    [InlineData("/a?x")]
    public void ApiPrefix_NotAPrefix_Throws(string prefix)
    {
        var options = new DashboardOptions();

        var act = () => options.ApiPrefix = prefix;

        act.Should().Throw<ArgumentException>().WithMessage("*ApiPrefix*");
        options.ApiPrefix.Should().BeEmpty();
    }

    [Theory]
    [InlineData("")]
    [InlineData("/traininsight")]
    [InlineData("/a/b-c_d.e")]
    public void ApiPrefix_Valid_Keeps(string prefix)
    {
        var options = new DashboardOptions { ApiPrefix = prefix };

        options.ApiPrefix.Should().Be(prefix);
    }

    [Fact]
    public void Setters_OutOfRange_Throw()
    {
        var options = new DashboardOptions();

        ((Action)(() => options.HistoryPointsPerMetric = 99)).Should().Throw<ArgumentOutOfRangeException>();
        ((Action)(() => options.HistoryPointsPerMetric = DashboardOptions.MaxHistoryPointsPerMetric + 1)).Should().Throw<ArgumentOutOfRangeException>();
        ((Action)(() => options.LivePointsPerChart = 999)).Should().Throw<ArgumentOutOfRangeException>();
        ((Action)(() => options.LivePointsPerChart = 1_000_001)).Should().Throw<ArgumentOutOfRangeException>();
        ((Action)(() => options.Title = "  ")).Should().Throw<ArgumentException>();
        ((Action)(() => options.Title = new string('x', 101))).Should().Throw<ArgumentException>();
        ((Action)(() => options.Title = null!)).Should().Throw<ArgumentNullException>();
    }

    [Fact]
    public void Setters_InRange_Keep()
    {
        var options = new DashboardOptions { HistoryPointsPerMetric = 100, LivePointsPerChart = 1_000_000, Title = "  Lab 3  " };

        options.HistoryPointsPerMetric.Should().Be(100);
        options.LivePointsPerChart.Should().Be(1_000_000);
        options.Title.Should().Be("Lab 3");
    }
}
