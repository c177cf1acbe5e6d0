using TrainInsight.Streaming.Rest;
using static TrainInsight.Streaming.Tests.Rest.MetricSeriesSamplerTests;

namespace TrainInsight.Streaming.Tests.Rest;

public sealed class MetricDownsamplerTests
{
    [Fact]
    public void Complete_SeveralNames_DownsamplesEachOnItsOwn()
    {
        // train_loss every step (1,000 points, a spike at 500), val_loss every 100th step (10 points) in the same events.
        var downsampler = new MetricDownsampler(20, stepRangeEnd: 1_000);
        foreach (var point in Interleaved())
        {
            downsampler.Add(point);
        }

        var result = downsampler.Complete();

        result.SourcePoints.Should().Be(1_010);
        result.Downsampled.Should().BeTrue();
        var train = result.Points.Where(p => p.Name == "train_loss").ToList();
        var validation = result.Points.Where(p => p.Name == "val_loss").ToList();
        train.Should().HaveCountLessThanOrEqualTo(20).And.Contain(p => p.Step == 500 && p.Value == 100);
        validation.Select(p => p.Step).Should().Equal(100, 200, 300, 400, 500, 600, 700, 800, 900, 1_000);
    }

    [Fact]
    public void Complete_PointsFromSeveralNames_AreInOffsetThenNameOrder()
    {
        var downsampler = new MetricDownsampler(20, stepRangeEnd: 1_000);
        var input = Interleaved();
        foreach (var point in input)
        {
            downsampler.Add(point);
        }

        var points = downsampler.Complete().Points;

        // The input is in store order; what is kept is a subsequence of it.
        var positions = points.Select(p => input.IndexOf(p)).ToList();
        positions.Should().NotContain(-1).And.BeInAscendingOrder().And.OnlyHaveUniqueItems();
        points.Where(p => p.Step == 1_000).Select(p => p.Name).Should().Equal("train_loss", "val_loss");
    }

    [Fact]
    public void Complete_NoNameOverMax_ReturnsEveryPointNotDownsampled()
    {
        var downsampler = new MetricDownsampler(1_000, stepRangeEnd: 1_000);
        var input = Interleaved();
        foreach (var point in input)
        {
            downsampler.Add(point);
        }

        var result = downsampler.Complete();

        result.Points.Should().Equal(input);
        result.Downsampled.Should().BeFalse();
        result.SourcePoints.Should().Be(1_010);
    }

    [Fact]
    public void Complete_NothingAdded_IsEmptyAndNotDownsampled()
    {
        var result = new MetricDownsampler(10, stepRangeEnd: null).Complete();

        result.Points.Should().BeEmpty();
        result.SourcePoints.Should().Be(0);
        result.Downsampled.Should().BeFalse();
    }

    /// <summary>Store order: per step one event, train_loss and, every 100th step, val_loss (names sorted within an event).</summary>
    private static List<MetricPoint> Interleaved()
    {
        var points = new List<MetricPoint>();
        foreach (var train in Series(1_000, step => step == 500 ? 100 : 1.0 / step))
        {
            points.Add(train);
            if (train.Step % 100 == 0)
            {
                points.Add(train with { Name = "val_loss", Value = 2.0 / train.Step });
            }
        }

        return points;
    }
}
