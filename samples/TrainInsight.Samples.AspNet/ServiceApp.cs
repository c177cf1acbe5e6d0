using Microsoft.AspNetCore.Authorization;
using TrainInsight.Samples.AspNet.Authentication;

namespace TrainInsight.Samples.AspNet;

/// <summary>
/// An existing-style web API (its own endpoints, its own authentication) that embeds TrainInsight: the training streams,
/// REST endpoints, control and ingest are mounted under <see cref="TrainingPrefix"/> and require the service's
/// "training" policy, like any other protected part of the service; steering a run and ingesting another host's runs
/// also need the "steer-training" policy.
/// </summary>
internal static class ServiceApp
{
    public const string TrainingPrefix = "/training";
    public const string TrainingPolicy = "training";
    public const string SteeringPolicy = "steer-training";

    /// <summary>Builds the service; <paramref name="configure"/> lets a test change the builder (its URLs, say).</summary>
    public static WebApplication Build(string[] args, Action<WebApplicationBuilder>? configure = null)
    {
        var builder = WebApplication.CreateBuilder(args);
        configure?.Invoke(builder);

        // The service's own authentication and authorization: API keys with roles, from configuration.
        builder.Services.AddAuthentication(ApiKeyAuthenticationHandler.SchemeName)
            .AddScheme<ApiKeyAuthenticationOptions, ApiKeyAuthenticationHandler>(ApiKeyAuthenticationHandler.SchemeName, o =>
            {
                foreach (var entry in builder.Configuration.GetSection("ApiKeys").GetChildren())
                {
                    o.Keys[entry.Key] = new ApiCaller(entry["Name"] ?? entry.Key, entry["Role"] ?? "viewer");
                }
            });
        builder.Services.AddAuthorizationBuilder()
            .AddPolicy(TrainingPolicy, policy => policy.RequireRole("viewer", "trainer"))
            .AddPolicy(SteeringPolicy, policy => policy.RequireRole("trainer"));

        // TrainInsight: the bus, a store that survives restarts, the streaming endpoints, and the assistant (diagnosis
        // included) at /api/assistant/*. It answers from the rules until the service registers an IChatClient of its own,
        // e.g. builder.Services.AddChatClient(new OpenAI.Chat.ChatClient("gpt-4o-mini", key).AsIChatClient()).
        var trainInsight = builder.Services.AddTrainInsight().AddStreaming().AddLlm();
        if (builder.Configuration["TrainInsight:Database"] is { Length: > 0 } database)
        {
            trainInsight.AddSqliteStore(o => o.Path = database);
        }

        var app = builder.Build();
        app.UseAuthentication();
        app.UseAuthorization();
        app.UseWebSockets();

        // The service's own endpoints.
        app.MapGet("/health", () => Results.Ok(new { status = "ok" }));
        app.MapGet("/api/models", () => Results.Ok(new[]
        {
            new { name = "defect-detector", version = "3.2.0", task = "classification" },
            new { name = "part-segmenter", version = "1.4.1", task = "segmentation" },
        }));
        app.MapGet("/api/me", (HttpContext context) => Results.Ok(new { name = context.User.Identity?.Name }))
            .RequireAuthorization();

        // TrainInsight under a prefix, protected like the rest of the service. Its endpoints are named ("TrainInsight.*"),
        // so a host can tighten single ones: control and ingest also need a trainer's key.
        var training = app.MapTrainInsight(TrainingPrefix).RequireAuthorization(TrainingPolicy);
        training.Finally(endpoint =>
        {
            if (endpoint.Metadata.OfType<IEndpointNameMetadata>().Any(n => n.EndpointName is "TrainInsight.Control" or "TrainInsight.Ingest"))
            {
                endpoint.Metadata.Add(new AuthorizeAttribute(SteeringPolicy));
            }
        });
        return app;
    }
}
