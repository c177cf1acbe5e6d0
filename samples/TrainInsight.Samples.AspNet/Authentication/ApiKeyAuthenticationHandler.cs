using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace TrainInsight.Samples.AspNet.Authentication;

/// <summary>
/// The service's own authentication, as an existing API might have it: <c>Authorization: ApiKey &lt;key&gt;</c> (or the
/// <c>api_key</c> query parameter, for browsers' EventSource and WebSocket, which cannot set headers). Each key maps to
/// a caller and its role.
/// </summary>
internal sealed class ApiKeyAuthenticationHandler(IOptionsMonitor<ApiKeyAuthenticationOptions> options, ILoggerFactory logger, UrlEncoder encoder)
    : AuthenticationHandler<ApiKeyAuthenticationOptions>(options, logger, encoder)
{
    public const string SchemeName = "ApiKey";

    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        string? key = null;
        if (Request.Headers.Authorization.ToString() is { Length: > 0 } header)
        {
            if (!header.StartsWith(SchemeName + " ", StringComparison.Ordinal))
            {
                return Task.FromResult(AuthenticateResult.NoResult());
            }

            key = header[(SchemeName.Length + 1)..].Trim();
        }
        else if (Request.Query.TryGetValue("api_key", out var fromQuery))
        {
            key = fromQuery.ToString();
        }

        if (key is null)
        {
            return Task.FromResult(AuthenticateResult.NoResult());
        }

        if (!Options.Keys.TryGetValue(key, out var caller))
        {
            return Task.FromResult(AuthenticateResult.Fail("Unknown API key."));
        }

        var identity = new ClaimsIdentity([new Claim(ClaimTypes.Name, caller.Name), new Claim(ClaimTypes.Role, caller.Role)], SchemeName);
        return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), SchemeName)));
    }

    protected override Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        Response.Headers.WWWAuthenticate = SchemeName;
        return base.HandleChallengeAsync(properties);
    }
}
