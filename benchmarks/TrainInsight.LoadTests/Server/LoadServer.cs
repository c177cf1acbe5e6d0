using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Transport.Sockets;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace TrainInsight.LoadTests.Server;

/// <summary>The host under test: Kestrel on 127.0.0.1 with TrainInsight streaming, as a real host sets it up.</summary>
internal static class LoadServer
{
    public static async Task<WebApplication> StartAsync()
    {
        // No configuration sources and no logging providers: nothing but TrainInsight and Kestrel costs CPU here.
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.WebHost.UseKestrelCore().ConfigureKestrel(kestrel =>
        {
            // Both limits are already unlimited by default; set explicitly so a changed default cannot cap the test.
            kestrel.Limits.MaxConcurrentConnections = null;
            kestrel.Limits.MaxConcurrentUpgradedConnections = null;
            kestrel.AddServerHeader = false;
            kestrel.Listen(IPAddress.Loopback, 0);
        });
        // The default accept backlog is 512; the load generator opens connections 64 at a time, this is headroom.
        builder.Services.Configure<SocketTransportOptions>(o => o.Backlog = 4096);
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(5));
        builder.Services.AddRoutingCore();
        builder.Services.AddTrainInsight().AddStreaming();

        var app = builder.Build();
        app.MapTrainInsight();
        await app.StartAsync().ConfigureAwait(false);
        return app;
    }
}
