using TrainInsight.Streaming.Rest;

namespace TrainInsight.Streaming.Tests.Rest;

public sealed class MetricSeriesSamplerTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(99)]
    [InlineData(100)]
    public void CopyTo_NoMorePointsThanMax_ReturnsEveryPointUnchanged(int count)
    {
        var input = Series(count, step => Math.Sin(step));
        var sampler = Feed(new MetricSeriesSampler(100, stepRangeEnd: count), input);

        var kept = Kept(sampler);

        kept.Should().Equal(input);
        sampler.Downsampled.Should().BeFalse();
        sampler.Count.Should().Be(count);
    }

    [Fact]
    public void CopyTo_NothingAdded_ReturnsNothing()
    {
        var sampler = new MetricSeriesSampler(10, stepRangeEnd: null);

        Kept(sampler).Should().BeEmpty();
        sampler.Downsampled.Should().BeFalse();
    }

    [Theory]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(5)]
    [InlineData(10)]
    [InlineData(101)]
    [InlineData(2_000)]
    public void CopyTo_MorePointsThanMax_KeepsAtMostMaxInOriginalOrder(int maxPoints)
    {
        var random = new Random(maxPoints);
        var input = Series(20_000, _ => random.NextDouble());
        var sampler = Feed(new MetricSeriesSampler(maxPoints, stepRangeEnd: 20_000), input);

        var kept = Kept(sampler);

        sampler.Downsampled.Should().BeTrue();
        kept.Count.Should().BeLessThanOrEqualTo(maxPoints).And.BeGreaterThanOrEqualTo(Math.Min(maxPoints, 2));
        kept.Select(p => p.Offset).Should().BeInAscendingOrder().And.OnlyHaveUniqueItems();
        input.Should().Contain(kept, "only input points come out");
        kept[0].Should().Be(input[0]);
        kept[^1].Should().Be(input[^1]);
    }

    [Fact]
    public void CopyTo_SpikeAndDip_BothKept()
    {
        var input = Series(10_000, step => step switch { 4_321 => 1e6, 7_777 => -1e6, _ => 1.0 / step });
        var sampler = Feed(new MetricSeriesSampler(50, stepRangeEnd: 10_000), input);

        var kept = Kept(sampler);

        kept.Should().Contain(p => p.Step == 4_321 && p.Value == 1e6);
        kept.Should().Contain(p => p.Step == 7_777 && p.Value == -1e6);
    }

    [Fact]
    public void CopyTo_NonFiniteValues_AreAllKept()
    {
        var input = Series(10_000, step => step switch
        {
            1_000 => double.NaN,
            3_000 => double.PositiveInfinity,
            5_000 => double.NegativeInfinity,
            _ => 1.0,
        });
        var sampler = Feed(new MetricSeriesSampler(20, stepRangeEnd: 10_000), input);

        var kept = Kept(sampler);

        kept.Should().Contain(p => p.Step == 1_000 && double.IsNaN(p.Value));
        kept.Should().Contain(p => p.Step == 3_000 && double.IsPositiveInfinity(p.Value));
        kept.Should().Contain(p => p.Step == 5_000 && double.IsNegativeInfinity(p.Value));
    }

    [Fact]
    public void CopyTo_DivergingLossInOneBucket_KeepsItsInfinityAndItsNaN()
    {
        // A loss that overflows and then turns NaN within one bucket, among larger finite values.
        var input = Series(10_000, step => step switch
        {
            9_001 => double.PositiveInfinity,
            9_002 => double.NaN,
            9_003 => double.NaN,
            > 9_000 => 1e30 + step,
            _ => 2.0 - (step / 10_000.0),
        });
        var sampler = Feed(new MetricSeriesSampler(4, stepRangeEnd: 10_000), input);

        var kept = Kept(sampler);

        kept.Should().Contain(p => p.Step == 9_001 && double.IsPositiveInfinity(p.Value));
        kept.Should().Contain(p => p.Step == 9_002 && double.IsNaN(p.Value), "the first NaN of the bucket is its minimum");
        kept.Should().HaveCountLessThanOrEqualTo(4);
    }

    [Fact]
    public void CopyTo_FirstAndLastNotExtremes_AreStillKept()
    {
        var input = Series(1_000, step => step is 1 or 1_000 ? 0.5 : step % 2);
        var sampler = Feed(new MetricSeriesSampler(10, stepRangeEnd: 1_000), input);

        var kept = Kept(sampler);

        kept[0].Should().Be(input[0]);
        kept[^1].Should().Be(input[^1]);
        kept.Should().HaveCountLessThanOrEqualTo(10);
    }

    [Fact]
    public void CopyTo_EveryBucket_KeepsItsMinimumAndMaximumValue()
    {
        // 100 points to keep: 49 buckets of equal step width over steps 1..9,800 (200 steps each), plus first and last.
        var random = new Random(7);
        var input = Series(9_800, _ => Math.Round(random.NextDouble() * 1_000));
        var sampler = Feed(new MetricSeriesSampler(100, stepRangeEnd: 9_800), input);

        var kept = Kept(sampler);

        foreach (var bucket in input.GroupBy(p => (p.Step - 1) / 200))
        {
            var inBucket = kept.Where(p => (p.Step - 1) / 200 == bucket.Key).ToList();
            inBucket.Should().Contain(p => p.Value == bucket.Min(b => b.Value), "bucket {0} keeps its minimum", bucket.Key);
            inBucket.Should().Contain(p => p.Value == bucket.Max(b => b.Value), "bucket {0} keeps its maximum", bucket.Key);

            // The earliest of equal extremes, and nothing else but the series' first and last points.
            inBucket.Where(p => p != input[0] && p != input[^1]).Should().HaveCountLessThanOrEqualTo(2);
        }

        kept.Should().HaveCountLessThanOrEqualTo(100);
    }

    [Fact]
    public void CopyTo_ConstantSeries_KeepsOnePointPerBucketPlusFirstAndLast()
    {
        var input = Series(1_000, _ => 3.0);
        var sampler = Feed(new MetricSeriesSampler(22, stepRangeEnd: 1_000), input);

        var kept = Kept(sampler);

        // 10 buckets of 100 steps; a bucket's minimum and maximum are its first point, the series' first point is bucket 0's.
        kept.Select(p => p.Step).Should().Equal(1, 101, 201, 301, 401, 501, 601, 701, 801, 901, 1_000);
    }

    [Fact]
    public void CopyTo_PointsAfterTheRangeEnd_JoinTheLastBucket()
    {
        // The run's last step was 1,000 when the read began; the series went on to 5,000.
        var input = Series(5_000, step => step);
        var sampler = Feed(new MetricSeriesSampler(10, stepRangeEnd: 1_000), input);

        var kept = Kept(sampler);

        kept.Should().HaveCountLessThanOrEqualTo(10);
        kept[^1].Step.Should().Be(5_000);
        kept.Where(p => p.Step > 1_000).Should().ContainSingle("the last bucket's maximum is the last point");
    }

    [Fact]
    public void CopyTo_StepsGoBackwards_StaysWithinMaxInAddedOrder()
    {
        var input = Series(3_000, step => step).Select((p, i) => p with { Step = i < 1_500 ? p.Step : p.Step - 1_500 }).ToList();
        var sampler = Feed(new MetricSeriesSampler(12, stepRangeEnd: null), input);

        var kept = Kept(sampler);

        kept.Should().HaveCountLessThanOrEqualTo(12);
        kept.Select(p => p.Offset).Should().BeInAscendingOrder();
        kept[^1].Should().Be(input[^1]);
    }

    [Theory]
    [InlineData(double.NaN, 1.0, true)]
    [InlineData(double.NaN, double.NegativeInfinity, true)]
    [InlineData(double.NaN, double.NaN, false)]
    [InlineData(1.0, double.NaN, false)]
    [InlineData(double.NegativeInfinity, -1e308, true)]
    [InlineData(1.0, 2.0, true)]
    [InlineData(2.0, 2.0, false)]
    public void IsLower_NaNFirstThenByValue(double a, double b, bool expected) =>
        MetricSeriesSampler.IsLower(a, b).Should().Be(expected);

    [Theory]
    [InlineData(1.0, double.NaN, true)]
    [InlineData(double.NaN, 1.0, false)]
    [InlineData(double.NaN, double.NaN, false)]
    [InlineData(double.PositiveInfinity, 1e308, true)]
    [InlineData(2.0, 1.0, true)]
    [InlineData(2.0, 2.0, false)]
    public void IsHigher_ByValueNaNNever(double a, double b, bool expected) =>
        MetricSeriesSampler.IsHigher(a, b).Should().Be(expected);

    [Fact]
    public void Constructor_MaxPointsBelowTwo_Throws()
    {
        var create = () => new MetricSeriesSampler(1, stepRangeEnd: null);

        create.Should().Throw<ArgumentOutOfRangeException>();
    }

    /// <summary>One point per step from 1 to <paramref name="count"/>, offsets 10 apart.</summary>
    internal static List<MetricPoint> Series(int count, Func<long, double> value, string name = "train_loss") =>
        [.. Enumerable.Range(1, count).Select(step => new MetricPoint(
            "run-a", name, step, value(step), DateTimeOffset.FromUnixTimeMilliseconds(1_767_225_600_000 + step), step, step * 10L))];

    private static MetricSeriesSampler Feed(MetricSeriesSampler sampler, IEnumerable<MetricPoint> points)
    {
        foreach (var point in points)
        {
            sampler.Add(point);
        }

        return sampler;
    }

    private static List<MetricPoint> Kept(MetricSeriesSampler sampler)
    {
        var kept = new List<MetricPoint>();
        sampler.CopyTo(kept);
        return kept;
    }
}
