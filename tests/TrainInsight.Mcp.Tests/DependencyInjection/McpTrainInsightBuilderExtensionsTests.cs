using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using ModelContextProtocol.Server;
using TrainInsight.Mcp.Tests.Infrastructure;

namespace TrainInsight.Mcp.Tests.DependencyInjection;

public sealed class McpTrainInsightBuilderExtensionsTests
{
    [Fact]
    public void AddMcp_CalledTwice_RegistersTheToolsOnceAndAppliesBothConfigurations()
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddTrainInsight().AddMcp(o => o.ServerName = "first").AddMcp(o => o.MaxRuns = 7);
        using var provider = services.BuildServiceProvider();

        var options = provider.GetRequiredService<McpOptions>();
        var server = provider.GetRequiredService<IOptions<McpServerOptions>>().Value;

        options.ServerName.Should().Be("first");
        options.MaxRuns.Should().Be(7);
        server.ServerInfo!.Name.Should().Be("first");
        server.ToolCollection!.Select(t => t.ProtocolTool.Name).Should().OnlyHaveUniqueItems().And.HaveCount(6);
    }

    [Fact]
    public void AddMcp_HostNamedTheServer_KeepsTheHostsNameAndAddsTheToolsBesideTheHostsOwn()
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddMcpServer(o => o.ServerInfo = new() { Name = "my-api", Version = "2.0" })
            .WithTools([McpServerTool.Create(() => "pong", new() { Name = "ping" })]);
        services.AddTrainInsight().AddMcp();
        using var provider = services.BuildServiceProvider();

        var server = provider.GetRequiredService<IOptions<McpServerOptions>>().Value;

        server.ServerInfo!.Name.Should().Be("my-api");
        server.ToolCollection!.Select(t => t.ProtocolTool.Name).Should().Contain(["ping", "list_runs"]);
    }

    [Fact]
    public void MapTrainInsightMcp_WithoutAddMcp_ThrowsSayingWhatToCall()
    {
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.WebHost.UseKestrelCore();
        builder.Services.AddRoutingCore();
        builder.Services.AddTrainInsight();
        using var app = builder.Build();

        var map = () => app.MapTrainInsightMcp();

        map.Should().Throw<InvalidOperationException>().WithMessage("*AddTrainInsight().AddMcp()*");
    }

    [Fact]
    public void MapTrainInsightMcp_PatternWithoutSlash_Throws()
    {
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.WebHost.UseKestrelCore();
        builder.Services.AddRoutingCore();
        builder.Services.AddTrainInsight().AddMcp();
        using var app = builder.Build();

        var map = () => app.MapTrainInsightMcp("mcp");

        map.Should().Throw<ArgumentException>().WithMessage("*must start with '/'*");
    }

    [Fact]
    public async Task MapTrainInsightMcp_ConventionsOfTheReturnedBuilder_ApplyToTheMcpEndpoints()
    {
        var marker = new object();
        await using var server = await McpTestServer.StartAsync(pattern: "/training/mcp", configureEndpoints: e => e.Add(b => b.Metadata.Add(marker)));

        var endpoints = server.App.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Where(e => e.RoutePattern.RawText?.StartsWith("/training/mcp", StringComparison.Ordinal) == true).ToList();

        endpoints.Should().NotBeEmpty();
        endpoints.Should().OnlyContain(e => e.Metadata.Contains(marker));
        (await server.Client.ListToolsAsync()).Should().NotBeEmpty("the client connected at the custom pattern");
    }
}
