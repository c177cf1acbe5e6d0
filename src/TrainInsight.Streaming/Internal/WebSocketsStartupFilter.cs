using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;

namespace TrainInsight.Streaming.Internal;

/// <summary>Adds the WebSocket middleware at the start of the pipeline; it only acts on upgrade requests and is a no-op if the host adds it too.</summary>
internal sealed class WebSocketsStartupFilter : IStartupFilter
{
    public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
    {
        app.UseWebSockets();
        next(app);
    };
}
