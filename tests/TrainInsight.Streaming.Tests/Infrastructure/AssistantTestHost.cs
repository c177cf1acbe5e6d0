using System.Net.Http.Headers;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace TrainInsight.Streaming.Tests.Infrastructure;

/// <summary>A <see cref="StreamingTestServer"/> with a <see cref="FakeTrainingAssistant"/> registered, and requests to its endpoints.</summary>
internal static class AssistantTestHost
{
    /// <summary>The runs the bus knows in every test (the streaming endpoints answer 404 before streaming for any other).</summary>
    public static readonly string[] KnownRuns = ["run-a", "run-b"];

    public static async Task<StreamingTestServer> StartAsync(
        FakeTrainingAssistant assistant,
        CapturingLoggerProvider? logs = null,
        Action<StreamingOptions>? configureStreaming = null,
        Action<TrainInsightOptions>? configureBus = null)
    {
        var server = await StreamingTestServer.StartAsync(configureStreaming, configureBus, configureServices: services =>
        {
            services.AddSingleton<ITrainingAssistant>(assistant);
            if (logs is not null)
            {
                services.AddLogging(b => b.SetMinimumLevel(LogLevel.Trace).AddProvider(logs));
            }
        });
        foreach (var run in KnownRuns)
        {
            server.Bus.TryPublish(new MetricEvent(new RunDescriptor(run), 1, new Dictionary<string, double> { [MetricNames.TrainLoss] = 1 })).Should().BeTrue();
        }

        await Poll.UntilAsync(() => KnownRuns.All(r => server.Bus.GetCurrent(r) is not null), "the bus knows the test runs");
        return server;
    }

    /// <summary>POSTs a JSON body and returns once the response headers arrived (the body may still be streaming).</summary>
    public static async Task<HttpResponseMessage> PostAsync(
        StreamingTestServer server, string path, string json, string? accept = null, string contentType = "application/json", CancellationToken cancellationToken = default)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path)
        {
            Content = new StringContent(json, Encoding.UTF8),
        };
        request.Content.Headers.ContentType = contentType.Length == 0 ? null : MediaTypeHeaderValue.Parse(contentType);
        if (accept is not null)
        {
            request.Headers.TryAddWithoutValidation("Accept", accept);
        }

        return await server.Client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
    }
}
