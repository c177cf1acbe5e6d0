using TrainInsight.Internal;

namespace TrainInsight.Tests.Shared;

public class DurationTextTests
{
    [Theory]
    [InlineData(0, "zero")]
    [InlineData(250, "250 ms")]
    [InlineData(1_000, "1 second")]
    [InlineData(45_000, "45 seconds")]
    [InlineData(1_500, "1.5 s")]
    [InlineData(60_000, "1 minute")]
    [InlineData(600_000, "10 minutes")]
    [InlineData(3_600_000, "1 hour")]
    [InlineData(2_592_000_000, "30 days")]
    [InlineData(754_300, "12 min 34 s")]
    [InlineData(7_512_000, "2 h 5 min")]
    public void Describe_Duration_ReadsAsPeopleWriteIt(long milliseconds, string expected) =>
        DurationText.Describe(TimeSpan.FromMilliseconds(milliseconds)).Should().Be(expected);
}
