namespace TrainInsight.Tests.Bus;

public class SubscriptionOptionsTests
{
    [Fact]
    public void Constructor_Default_LiveEventsOfEveryRunWithBusCapacity()
    {
        var options = new SubscriptionOptions();

        options.Capacity.Should().BeNull();
        options.AfterOffset.Should().BeNull();
        options.RunId.Should().BeNull();
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    public void Capacity_BelowOne_Throws(int capacity)
    {
        var options = new SubscriptionOptions();

        options.Invoking(o => o.Capacity = capacity).Should().Throw<ArgumentOutOfRangeException>();
        options.Capacity.Should().BeNull();
    }

    [Fact]
    public void AfterOffset_Negative_Throws()
    {
        var options = new SubscriptionOptions();

        options.Invoking(o => o.AfterOffset = -1).Should().Throw<ArgumentOutOfRangeException>();
        options.AfterOffset.Should().BeNull();
    }

    [Fact]
    public void Properties_ValidValuesAndNull_AreKept()
    {
        var options = new SubscriptionOptions { Capacity = 1, AfterOffset = 0, RunId = "r" };

        options.Capacity.Should().Be(1);
        options.AfterOffset.Should().Be(0);
        options.RunId.Should().Be("r");

        options.Capacity = null;
        options.AfterOffset = null;
        options.Capacity.Should().BeNull();
        options.AfterOffset.Should().BeNull();
    }
}
