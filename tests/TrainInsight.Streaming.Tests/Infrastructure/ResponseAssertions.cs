using System.Net;
using System.Text.Json;

namespace TrainInsight.Streaming.Tests.Infrastructure;

internal static class ResponseAssertions
{
    /// <summary>Asserts an RFC 9457 problem+json response with the given status and returns its document.</summary>
    public static async Task<JsonElement> ShouldBeProblemAsync(HttpResponseMessage response, HttpStatusCode status)
    {
        response.StatusCode.Should().Be(status);
        response.Content.Headers.ContentType!.MediaType.Should().Be("application/problem+json");
        using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var problem = document.RootElement.Clone();
        problem.GetProperty("status").GetInt32().Should().Be((int)status);
        problem.GetProperty("type").GetString().Should().StartWith("https://traininsight.dev/problems/");
        problem.GetProperty("title").GetString().Should().NotBeNullOrEmpty();
        problem.GetProperty("detail").GetString().Should().NotBeNullOrEmpty();
        return problem;
    }

    public static async Task<JsonElement> ReadJsonAsync(HttpResponseMessage response)
    {
        using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return document.RootElement.Clone();
    }
}
