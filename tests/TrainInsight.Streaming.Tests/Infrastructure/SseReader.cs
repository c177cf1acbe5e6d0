using System.Net.ServerSentEvents;
using System.Text.Json;

namespace TrainInsight.Streaming.Tests.Infrastructure;

/// <summary>Reads an open SSE response one parsed item at a time with <see cref="SseParser"/> (which skips comments).</summary>
internal sealed class SseReader : IAsyncDisposable
{
    private readonly HttpResponseMessage _response;
    private readonly IAsyncEnumerator<SseItem<string>> _items;

    private SseReader(HttpResponseMessage response, Stream stream, CancellationToken cancellationToken)
    {
        _response = response;
        _items = SseParser.Create(stream).EnumerateAsync(cancellationToken).GetAsyncEnumerator(cancellationToken);
    }

    public static async Task<SseReader> OpenAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        response.EnsureSuccessStatusCode();
        var stream = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        return new SseReader(response, stream, cancellationToken);
    }

    /// <summary>Returns the next item, or null when the server ended the stream.</summary>
    public async Task<SseItem<string>?> NextOrEndAsync() =>
        await _items.MoveNextAsync().ConfigureAwait(false) ? _items.Current : null;

    public async Task<SseItem<string>> NextAsync() =>
        await NextOrEndAsync().ConfigureAwait(false) ?? throw new InvalidOperationException("The SSE stream ended.");

    public async Task<List<SseItem<string>>> NextAsync(int count)
    {
        var items = new List<SseItem<string>>(count);
        while (items.Count < count)
        {
            items.Add(await NextAsync().ConfigureAwait(false));
        }

        return items;
    }

    public async ValueTask DisposeAsync()
    {
        // Disposing the response aborts the connection, which is what a browser closing the tab does.
        _response.Dispose();
        try
        {
            await _items.DisposeAsync().ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or OperationCanceledException or ObjectDisposedException or HttpRequestException)
        {
        }
    }
}

internal static class SseItemExtensions
{
    public static long Id(this SseItem<string> item) => long.Parse(item.EventId!, System.Globalization.CultureInfo.InvariantCulture);

    public static JsonElement Json(this SseItem<string> item)
    {
        using var document = JsonDocument.Parse(item.Data);
        return document.RootElement.Clone();
    }
}
