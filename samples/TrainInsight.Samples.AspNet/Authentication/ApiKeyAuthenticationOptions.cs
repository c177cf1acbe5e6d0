using Microsoft.AspNetCore.Authentication;

namespace TrainInsight.Samples.AspNet.Authentication;

/// <summary>The keys the service accepts.</summary>
internal sealed class ApiKeyAuthenticationOptions : AuthenticationSchemeOptions
{
    public Dictionary<string, ApiCaller> Keys { get; } = new(StringComparer.Ordinal);
}
