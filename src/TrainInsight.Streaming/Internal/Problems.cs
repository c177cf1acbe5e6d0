using Microsoft.AspNetCore.Http;

namespace TrainInsight.Streaming.Internal;

/// <summary>RFC 9457 problem+json responses with a stable type URI per problem.</summary>
internal static class Problems
{
    /// <summary>The base of every problem's type URI; the type is this plus "bad-request", "not-found", ….</summary>
    public const string TypeBase = "https://traininsight.dev/problems/";

    public static IResult BadRequest(string title, string detail) => Create(StatusCodes.Status400BadRequest, "bad-request", title, detail);

    /// <summary>A 400 whose <c>path</c> member names the offending part of the body, e.g. <c>$.runs[0].events[3].step</c>.</summary>
    public static IResult BadRequest(string title, string detail, string path) => Results.Problem(
        detail: detail, statusCode: StatusCodes.Status400BadRequest, title: title, type: TypeBase + "bad-request",
        extensions: new Dictionary<string, object?>(StringComparer.Ordinal) { ["path"] = path });

    public static IResult ServiceUnavailable(string title, string detail) => Create(StatusCodes.Status503ServiceUnavailable, "service-unavailable", title, detail);

    public static IResult NotFound(string title, string detail) => Create(StatusCodes.Status404NotFound, "not-found", title, detail);

    public static IResult Conflict(string title, string detail) => Create(StatusCodes.Status409Conflict, "conflict", title, detail);

    /// <summary>A 409 with extension members, such as the <c>state</c> a proposal is in.</summary>
    public static IResult Conflict(string title, string detail, IDictionary<string, object?> extensions) => Results.Problem(
        detail: detail, statusCode: StatusCodes.Status409Conflict, title: title, type: TypeBase + "conflict", extensions: extensions);

    public static IResult TooManyRequests(string title, string detail) => Create(StatusCodes.Status429TooManyRequests, "too-many-requests", title, detail);

    public static IResult TooLarge(long limit) => Create(
        StatusCodes.Status413PayloadTooLarge, "payload-too-large", "Request body too large", $"The request body exceeds the limit of {limit:N0} bytes.");

    public static IResult UnsupportedMediaType(string? contentType) => Create(
        StatusCodes.Status415UnsupportedMediaType, "unsupported-media-type", "Unsupported media type", contentType is null
            ? "The request has no Content-Type; send the body as application/json."
            : $"Content-Type '{contentType}' is not supported; send the body as application/json (UTF-8).");

    private static IResult Create(int status, string type, string title, string detail) =>
        Results.Problem(detail: detail, statusCode: status, title: title, type: TypeBase + type);
}
