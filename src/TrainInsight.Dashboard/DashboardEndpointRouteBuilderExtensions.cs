using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using TrainInsight.Dashboard;
using TrainInsight.Dashboard.Internal;

namespace Microsoft.AspNetCore.Builder;

/// <summary>Maps the TrainInsight dashboard page.</summary>
public static class DashboardEndpointRouteBuilderExtensions
{
    /// <summary>
    /// Maps the dashboard at <paramref name="path"/> (the page) and <c>{path}/assets/…</c> (its scripts, styles and the
    /// embedded uPlot library), answering GET and HEAD from memory with their content types, strong ETags (304 on
    /// <c>If-None-Match</c>), Brotli or gzip when the browser accepts it, and cache headers (files whose URL carries their
    /// content version are cached for a year; the page and the rest are revalidated). The page talks only to the TrainInsight
    /// endpoints of the same host, so call <c>MapTrainInsight()</c> too (with the same prefix as
    /// <see cref="DashboardOptions.ApiPrefix"/>). The endpoints are left out of the OpenAPI document.
    /// </summary>
    /// <param name="endpoints">The endpoint route builder (usually the <c>WebApplication</c>).</param>
    /// <param name="path">Where the page is served, such as "/" or "/dashboard": it must start with '/', and end with '/' only when it is "/". The default is "/".</param>
    /// <param name="configure">Sets the page's options; <see langword="null"/> keeps the defaults.</param>
    /// <returns>A builder for conventions on the dashboard's endpoints, such as <c>RequireAuthorization()</c>.</returns>
    /// <exception cref="ArgumentException"><paramref name="path"/> is not a path as described.</exception>
    public static IEndpointConventionBuilder MapTrainInsightDashboard(this IEndpointRouteBuilder endpoints, string path = "/", Action<DashboardOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        ArgumentNullException.ThrowIfNull(path);
        if (!path.StartsWith('/') || (path.Length > 1 && path.EndsWith('/')) || path.Contains("//", StringComparison.Ordinal) ||
            path.Any(c => !(char.IsAsciiLetterOrDigit(c) || c is '/' or '-' or '_' or '.' or '~')))
        {
            throw new ArgumentException($"The dashboard's path must start with '/' and not end with '/' (except \"/\" itself), for example \"/dashboard\"; got '{path}'.", nameof(path));
        }

        var options = new DashboardOptions();
        configure?.Invoke(options);
        var endpoint = new DashboardEndpoint(new DashboardAssets(options, path));
        var prefix = path == "/" ? string.Empty : path;

        var group = endpoints.MapGroup(prefix);
        string[] methods = [HttpMethods.Get, HttpMethods.Head];
        group.MapMethods("/", methods, endpoint.ServeIndexAsync).WithName("TrainInsight.Dashboard" + prefix).ExcludeFromDescription();
        group.MapMethods("/assets/{**path}", methods, (HttpContext context, string path) => endpoint.ServeAssetAsync(context, path))
            .WithName("TrainInsight.DashboardAssets" + prefix).ExcludeFromDescription();
        return group;
    }
}
