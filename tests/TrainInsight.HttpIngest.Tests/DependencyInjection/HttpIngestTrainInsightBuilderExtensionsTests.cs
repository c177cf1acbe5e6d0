using System.Collections.Concurrent;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace TrainInsight.HttpIngest.Tests.DependencyInjection;

public sealed class HttpIngestTrainInsightBuilderExtensionsTests
{
    [Fact]
    public async Task AddHttpIngestSink_HostRuns_ForwardsThroughTheFactoryClientWithTheHostsHandlersAndFlushesAtStop()
    {
        await using var server = await FakeIngestServer.StartAsync();
        var headers = new ConcurrentQueue<string?>();
        server.Respond = (_, context) =>
        {
            headers.Enqueue(context.Request.Headers.Authorization);
            return Task.FromResult(false);
        };
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Services.AddTrainInsight().AddHttpIngestSink(server.Endpoint, o => o.FlushInterval = TimeSpan.FromMinutes(1));

        // The host's own handler on the sink's named client: the sink sends through IHttpClientFactory.
        builder.Services.AddHttpClient(HttpIngestSink.HttpClientName).AddHttpMessageHandler(() => new BearerHandler("secret-token"));
        using var host = builder.Build();
        await host.StartAsync();
        var bus = host.Services.GetRequiredService<ITelemetryBus>();
        var run = new RunDescriptor("pushed-run");

        bus.TryPublish(new TrainingEvent(run, TrainingEventKind.RunStarted) { State = RunState.Training });
        bus.TryPublish(new MetricEvent(run, 1, new Dictionary<string, double> { [MetricNames.TrainLoss] = 2.3 }));
        await Poll.UntilAsync(() => bus.GetStatistics().Dispatched == 2, "both events were dispatched");
        server.RequestCount.Should().Be(0, "the flush interval (1 minute) has not passed");
        await host.StopAsync();

        server.Received.Select(e => e.Sequence).Should().Equal(1, 2);
        headers.Should().OnlyContain(h => h == "Bearer secret-token");
        host.Services.GetRequiredService<HttpIngestSink>().SentCount.Should().Be(2);
    }

    [Fact]
    public void AddHttpIngestSink_CalledTwice_ConfiguresOneSinkAndRefusesAnotherEndpoint()
    {
        var services = new ServiceCollection();
        var endpoint = new Uri("http://127.0.0.1:5000/api/ingest");

        services.AddTrainInsight().AddHttpIngestSink(endpoint, o => o.BatchSize = 10).AddHttpIngestSink(endpoint, o => o.MaxBufferedEvents = 50);

        services.Where(d => d.ServiceType == typeof(HttpIngestSinkOptions)).Should().ContainSingle();
        services.Where(d => d.ServiceType == typeof(HttpIngestSink)).Should().ContainSingle();
        services.Where(d => d.ServiceType == typeof(IHostedService)).Should().ContainSingle();
        var options = (HttpIngestSinkOptions)services.Single(d => d.ServiceType == typeof(HttpIngestSinkOptions)).ImplementationInstance!;
        (options.BatchSize, options.MaxBufferedEvents).Should().Be((10, 50));
        FluentActions.Invoking(() => services.AddTrainInsight().AddHttpIngestSink(new Uri("http://127.0.0.1:6000/api/ingest")))
            .Should().Throw<InvalidOperationException>()
            .WithMessage("AddHttpIngestSink was already called with the endpoint http://127.0.0.1:5000/api/ingest; a host forwards its bus to one ingest endpoint, not also to http://127.0.0.1:6000/api/ingest.");
    }

    [Fact]
    public void AddHttpIngestSink_RelativeEndpoint_ThrowsArgumentException() =>
        FluentActions.Invoking(() => new ServiceCollection().AddTrainInsight().AddHttpIngestSink(new Uri("/api/ingest", UriKind.Relative)))
            .Should().Throw<ArgumentException>();

    private sealed class BearerHandler(string token) : DelegatingHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
            return base.SendAsync(request, cancellationToken);
        }
    }
}
