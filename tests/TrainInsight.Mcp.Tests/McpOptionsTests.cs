namespace TrainInsight.Mcp.Tests;

public sealed class McpOptionsTests
{
    [Fact]
    public void Defaults_AreDocumentedValues()
    {
        var options = new McpOptions();

        options.ServerName.Should().Be("traininsight");
        options.EnableProposalTools.Should().BeTrue();
        options.MaxRuns.Should().Be(50);
        options.MaxProposals.Should().Be(50);
    }

    [Theory]
    [InlineData("")]
    [InlineData("  ")]
    public void ServerName_Empty_Throws(string name)
    {
        var set = () => new McpOptions { ServerName = name };

        set.Should().Throw<ArgumentException>();
    }

    [Fact]
    public void ServerName_TooLong_ThrowsWithTheLength()
    {
        var set = () => new McpOptions { ServerName = new string('a', 101) };

        set.Should().Throw<ArgumentOutOfRangeException>().WithMessage("ServerName is 101 characters long; the most is 100.*");
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1_001)]
    public void MaxRunsAndMaxProposals_OutOfRange_Throw(int value)
    {
        var runs = () => new McpOptions { MaxRuns = value };
        var proposals = () => new McpOptions { MaxProposals = value };

        runs.Should().Throw<ArgumentOutOfRangeException>().WithMessage("MaxRuns must be between 1 and 1,000.*");
        proposals.Should().Throw<ArgumentOutOfRangeException>().WithMessage("MaxProposals must be between 1 and 1,000.*");
    }
}
