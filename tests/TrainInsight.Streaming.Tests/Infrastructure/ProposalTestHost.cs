using System.Net.Http.Headers;
using System.Security.Claims;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;

namespace TrainInsight.Streaming.Tests.Infrastructure;

/// <summary>
/// A <see cref="StreamingTestServer"/> with a <see cref="FakeProposalService"/> registered (and no assistant), the runs
/// "run-a" and "run-b" known to the bus, and a test authentication: a request with an X-Test-User header is authenticated
/// as that user.
/// </summary>
internal static class ProposalTestHost
{
    public const string UserHeader = "X-Test-User";

    public static async Task<(StreamingTestServer Server, FakeProposalService Proposals)> StartAsync(Action<TrainInsightOptions>? configureBus = null)
    {
        var server = await StreamingTestServer.StartAsync(
            configureBus: configureBus,
            configureServices: services =>
            {
                services.AddSingleton<FakeProposalService>();
                services.AddSingleton<IProposalService>(sp => sp.GetRequiredService<FakeProposalService>());
            },
            configureApp: app => app.Use((context, next) =>
            {
                if (context.Request.Headers[UserHeader] is [{ Length: > 0 } user])
                {
                    context.User = new ClaimsPrincipal(new ClaimsIdentity([new Claim(ClaimTypes.Name, user)], "test"));
                }

                return next(context);
            }));
        foreach (var run in AssistantTestHost.KnownRuns)
        {
            server.Bus.TryPublish(new MetricEvent(new RunDescriptor(run), 1, new Dictionary<string, double> { [MetricNames.TrainLoss] = 1 })).Should().BeTrue();
        }

        await Poll.UntilAsync(() => AssistantTestHost.KnownRuns.All(r => server.Bus.GetCurrent(r) is not null), "the bus knows the test runs");
        return (server, server.App.Services.GetRequiredService<FakeProposalService>());
    }

    /// <summary>POSTs a body (JSON unless <paramref name="contentType"/> says otherwise; none when it is null).</summary>
    public static async Task<HttpResponseMessage> PostAsync(StreamingTestServer server, string path, string? json, string? contentType = "application/json", string? user = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new ByteArrayContent(Encoding.UTF8.GetBytes(json ?? string.Empty)) };
        request.Content.Headers.ContentType = contentType is null ? null : MediaTypeHeaderValue.Parse(contentType);
        if (user is not null)
        {
            request.Headers.Add(UserHeader, user);
        }

        return await server.Client.SendAsync(request).ConfigureAwait(false);
    }
}
