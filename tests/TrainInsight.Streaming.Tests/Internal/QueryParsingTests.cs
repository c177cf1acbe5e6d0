using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using TrainInsight.Streaming.Internal;

namespace TrainInsight.Streaming.Tests.Internal;

public sealed class QueryParsingTests
{
    [Fact]
    public void TryGetMetricNames_Absent_SucceedsWithNull()
    {
        QueryParsing.TryGetMetricNames(Request(""), out var names, out var problem).Should().BeTrue();

        names.Should().BeNull();
        problem.Should().BeNull();
    }

    [Fact]
    public void TryGetMetricNames_CommaSeparated_SplitsTrimsAndDeduplicates()
    {
        QueryParsing.TryGetMetricNames(Request("?names=train_loss,%20val_loss%20,train_loss,,"), out var names, out var problem).Should().BeTrue();

        problem.Should().BeNull();
        names.Should().BeEquivalentTo("train_loss", "val_loss");
    }

    [Fact]
    public void TryGetMetricNames_Repeated_TakesTheUnion()
    {
        QueryParsing.TryGetMetricNames(Request("?names=a,b&names=c&names=a"), out var names, out _).Should().BeTrue();

        names.Should().BeEquivalentTo("a", "b", "c");
    }

    [Fact]
    public void TryGetMetricNames_NamesDifferingInCase_AreDistinct()
    {
        QueryParsing.TryGetMetricNames(Request("?names=Loss,loss"), out var names, out _).Should().BeTrue();

        names.Should().BeEquivalentTo("Loss", "loss");
    }

    [Theory]
    [InlineData("?names=")]
    [InlineData("?names=,")]
    [InlineData("?names=%20,%20,")]
    [InlineData("?names=&names=")]
    public void TryGetMetricNames_NoNameListed_Fails400(string query)
    {
        QueryParsing.TryGetMetricNames(Request(query), out var names, out var problem).Should().BeFalse();

        names.Should().BeNull();
        ShouldBe400(problem).Detail.Should().Contain("at least one metric name");
    }

    [Fact]
    public void TryGetMetricNames_NameOf128Characters_IsAccepted()
    {
        var name = new string('n', 128);

        QueryParsing.TryGetMetricNames(Request("?names=" + name), out var names, out _).Should().BeTrue();

        names.Should().Equal(name);
    }

    [Fact]
    public void TryGetMetricNames_NameOf129Characters_Fails400()
    {
        QueryParsing.TryGetMetricNames(Request("?names=ok," + new string('n', 129)), out var names, out var problem).Should().BeFalse();

        names.Should().BeNull();
        ShouldBe400(problem).Detail.Should().Contain("129");
    }

    [Fact]
    public void TryGetMetricNames_MaxNames_IsAccepted()
    {
        var list = string.Join(',', Enumerable.Range(0, QueryParsing.MaxMetricNames).Select(i => $"m{i}"));

        QueryParsing.TryGetMetricNames(Request("?names=" + list), out var names, out _).Should().BeTrue();

        names.Should().HaveCount(256);
    }

    [Fact]
    public void TryGetMetricNames_OneNameOverMax_Fails400()
    {
        var list = string.Join(',', Enumerable.Range(0, QueryParsing.MaxMetricNames + 1).Select(i => $"m{i}"));

        QueryParsing.TryGetMetricNames(Request("?names=" + list), out var names, out var problem).Should().BeFalse();

        names.Should().BeNull();
        ShouldBe400(problem).Detail.Should().Contain("257");
    }

    [Fact]
    public void TryGetMetricNames_DuplicatesBeyondMax_CountOnce()
    {
        var list = string.Join(',', Enumerable.Range(0, 1_000).Select(i => $"m{i % 10}"));

        QueryParsing.TryGetMetricNames(Request("?names=" + list), out var names, out _).Should().BeTrue();

        names.Should().HaveCount(10);
    }

    [Fact]
    public void TryGetResumeOffset_HeaderAndQueries_HeaderThenLastEventIdThenAfter()
    {
        var request = Request("?lastEventId=5&after=9");
        request.Headers["Last-Event-ID"] = "3";
        QueryParsing.TryGetResumeOffset(request, out var fromHeader, out _).Should().BeTrue();
        QueryParsing.TryGetResumeOffset(Request("?lastEventId=5&after=9"), out var fromLastEventId, out _).Should().BeTrue();
        QueryParsing.TryGetResumeOffset(Request("?after=9"), out var fromAfter, out _).Should().BeTrue();
        QueryParsing.TryGetResumeOffset(Request(""), out var none, out _).Should().BeTrue();

        fromHeader.Should().Be(3);
        fromLastEventId.Should().Be(5);
        fromAfter.Should().Be(9);
        none.Should().BeNull();
    }

    [Theory]
    [InlineData("?after=+1")]
    [InlineData("?after=%201")]
    [InlineData("?after=1e3")]
    public void TryGetResumeOffset_NotPlainDigits_Fails400(string query)
    {
        QueryParsing.TryGetResumeOffset(Request(query), out var after, out var problem).Should().BeFalse();

        after.Should().BeNull();
        ShouldBe400(problem);
    }

    private static HttpRequest Request(string query)
    {
        var context = new DefaultHttpContext();
        context.Request.QueryString = new QueryString(query);
        return context.Request;
    }

    private static Microsoft.AspNetCore.Mvc.ProblemDetails ShouldBe400(IResult? problem)
    {
        var result = problem.Should().BeOfType<ProblemHttpResult>().Subject;
        result.StatusCode.Should().Be(StatusCodes.Status400BadRequest);
        result.ProblemDetails.Type.Should().StartWith("https://traininsight.dev/problems/");
        result.ProblemDetails.Title.Should().NotBeNullOrEmpty();
        return result.ProblemDetails;
    }
}
