namespace TrainInsight.Llm.Tests.Analysis;

public class FindingTests
{
    [Fact]
    public void Ctor_Values_AreKeptAndToStringIsOneLine()
    {
        var finding = new Finding(FindingCodes.Plateau, FindingSeverity.Info, "flat");

        finding.Code.Should().Be("plateau");
        finding.Severity.Should().Be(FindingSeverity.Info);
        finding.Message.Should().Be("flat");
        finding.ToString().Should().Be("Info plateau: flat");
    }

    [Theory]
    [InlineData(null, "m")]
    [InlineData("", "m")]
    [InlineData("c", null)]
    [InlineData("c", " ")]
    public void Ctor_BlankCodeOrMessage_Throws(string? code, string? message)
    {
        var act = () => new Finding(code!, FindingSeverity.Info, message!);

        act.Should().Throw<ArgumentException>();
    }

    [Fact]
    public void Ctor_UndefinedSeverity_Throws()
    {
        var act = () => new Finding("c", (FindingSeverity)42, "m");

        act.Should().Throw<ArgumentOutOfRangeException>().WithParameterName("severity");
    }
}
