using System.Buffers;
using System.Diagnostics;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using TrainInsight.Streaming.Internal;
using TrainInsight.Streaming.Serialization;

namespace TrainInsight.Streaming.Sse;

/// <summary>
/// Writes an <see cref="ITrainingAssistant"/> answer stream as Server-Sent Events: <c>delta</c> {"text"} per
/// <see cref="AssistantUpdateKind.Delta"/>, <c>reset</c> {"reason"} per <see cref="AssistantUpdateKind.Reset"/> and
/// <c>answer</c> (the answer document) for <see cref="AssistantUpdateKind.Completed"/>, after which the response ends;
/// a <c>: keep-alive</c> comment whenever nothing was written for the keep-alive interval.
/// </summary>
/// <remarks>
/// The first update is awaited before the response starts, so that an unknown run (thrown on the first move) is still a
/// 404 problem; only when it takes longer than the keep-alive interval (a model slow to its first token) does the
/// response start early, with a keep-alive, and a later <see cref="RunNotFoundException"/> then ends the stream with an
/// <c>error</c> event holding the problem. The enumeration is canceled when the client goes away or the host stops.
/// </remarks>
internal sealed class AssistantStreamResult(
    string operation, string runId, Func<CancellationToken, IAsyncEnumerable<AssistantUpdate>> updates, TimeSpan keepAlive) : IResult
{
    private static readonly byte[] s_keepAlive = ": keep-alive\n\n"u8.ToArray();
    private static readonly byte[] s_delta = "delta"u8.ToArray();
    private static readonly byte[] s_reset = "reset"u8.ToArray();
    private static readonly byte[] s_answer = "answer"u8.ToArray();
    private static readonly byte[] s_error = "error"u8.ToArray();

    private HttpContext _context = null!;
    private CancellationTokenSource _streamEnd = null!;
    private CancellationToken _token;
    private IAsyncEnumerator<AssistantUpdate> _enumerator = null!;
    private Task<bool>? _pending;
    private Task? _timer;
    private long _lastWrite;
    private bool _started;

    public async Task ExecuteAsync(HttpContext httpContext)
    {
        ArgumentNullException.ThrowIfNull(httpContext);
        _context = httpContext;
        var services = httpContext.RequestServices;
        var logger = services.GetRequiredService<ILoggerFactory>().CreateLogger("TrainInsight.Streaming.Assistant");
        var stopping = services.GetService<IHostApplicationLifetime>()?.ApplicationStopping ?? CancellationToken.None;

        // The stream also ends when the host starts stopping, as the event stream does: the server waits for open requests.
        using var streamEnd = CancellationTokenSource.CreateLinkedTokenSource(httpContext.RequestAborted, stopping);
        using var timers = CancellationTokenSource.CreateLinkedTokenSource(streamEnd.Token);
        _streamEnd = streamEnd;
        _token = streamEnd.Token;
        _lastWrite = Stopwatch.GetTimestamp();
        _enumerator = updates(_token).GetAsyncEnumerator(_token);
        try
        {
            await WriteUpdatesAsync(timers.Token).ConfigureAwait(false);
        }
        catch (RunNotFoundException ex) when (!_started)
        {
            await Problems.NotFound("Run not found", ex.Message).ExecuteAsync(httpContext).ConfigureAwait(false);
        }
        catch (RunNotFoundException ex)
        {
            await WriteErrorAsync(ex, logger).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (_token.IsCancellationRequested)
        {
            Log.AssistantStreamCanceled(logger, operation, runId);
        }
        catch (IOException) when (_token.IsCancellationRequested)
        {
            // The connection broke while writing.
            Log.AssistantStreamCanceled(logger, operation, runId);
        }
        finally
        {
            // An enumerator cannot be disposed while a move is in flight: cancel it and let it finish first.
            if (_pending is { IsCompleted: false } pending)
            {
                await streamEnd.CancelAsync().ConfigureAwait(false);
                await ((Task)pending).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }

            await timers.CancelAsync().ConfigureAwait(false);
            await _enumerator.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <summary>Ends a started stream with an error event holding the 404 problem.</summary>
    private async Task WriteErrorAsync(RunNotFoundException exception, ILogger logger)
    {
        var problem = AssistantJson.Problem(StatusCodes.Status404NotFound, Problems.TypeBase + "not-found", "Run not found", exception.Message);
        try
        {
            await WriteEventAsync(s_error, problem).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException && _token.IsCancellationRequested)
        {
            Log.AssistantStreamCanceled(logger, operation, runId);
        }
    }

    private async Task WriteUpdatesAsync(CancellationToken timerToken)
    {
        while (await NextAsync(timerToken).ConfigureAwait(false))
        {
            var update = _enumerator.Current;
            switch (update.Kind)
            {
                case AssistantUpdateKind.Delta:
                    await WriteEventAsync(s_delta, AssistantJson.Delta(update.Text ?? string.Empty)).ConfigureAwait(false);
                    break;
                case AssistantUpdateKind.Reset:
                    await WriteEventAsync(s_reset, AssistantJson.Reset(update.Text ?? string.Empty)).ConfigureAwait(false);
                    break;
                case AssistantUpdateKind.Completed when update.Answer is { } answer:
                    await WriteEventAsync(s_answer, AssistantJson.Answer(answer)).ConfigureAwait(false);
                    return; // The last update: the response ends.
                default:
                    break;
            }
        }

        // The stream ended without its answer (or had no update at all): end the response as it is.
        Start();
        await FlushAsync().ConfigureAwait(false);
    }

    /// <summary>Moves to the next update, writing keep-alives while it is slow to come.</summary>
    private async Task<bool> NextAsync(CancellationToken timerToken)
    {
        var pending = _enumerator.MoveNextAsync().AsTask();
        _pending = pending;
        while (!pending.IsCompleted && !_token.IsCancellationRequested)
        {
            var due = keepAlive - Stopwatch.GetElapsedTime(_lastWrite);
            if (due <= TimeSpan.Zero)
            {
                Start();
                _context.Response.BodyWriter.Write(s_keepAlive);
                await FlushAsync().ConfigureAwait(false);
                continue;
            }

            // One timer per silence, not one per update: when it fires early (updates came in between), the loop
            // re-arms it for the rest of the interval.
            _timer ??= Task.Delay(due, timerToken);
            await Task.WhenAny(pending, _timer).ConfigureAwait(false);
            if (_timer.IsCompleted)
            {
                _timer = null;
            }
        }

        var more = await pending.ConfigureAwait(false);
        _pending = null;
        return more;
    }

    private async Task WriteEventAsync(byte[] type, byte[] data)
    {
        Start();
        var writer = _context.Response.BodyWriter;
        writer.Write("event: "u8);
        writer.Write(type);
        writer.Write("\ndata: "u8);
        writer.Write(data);
        writer.Write("\n\n"u8);
        await FlushAsync().ConfigureAwait(false);
    }

    private async Task FlushAsync()
    {
        if ((await _context.Response.BodyWriter.FlushAsync(_token).ConfigureAwait(false)).IsCompleted)
        {
            // The client is gone: end the enumeration as a disconnect does.
            await _streamEnd.CancelAsync().ConfigureAwait(false);
            throw new OperationCanceledException("The client closed the stream.", _token);
        }

        _lastWrite = Stopwatch.GetTimestamp();
    }

    /// <summary>Sends the stream's headers, once.</summary>
    private void Start()
    {
        if (_started)
        {
            return;
        }

        _started = true;
        var response = _context.Response;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = "text/event-stream";
        response.Headers.CacheControl = "no-cache,no-store";
        response.Headers["X-Accel-Buffering"] = "no";
        _context.Features.Get<IHttpResponseBodyFeature>()?.DisableBuffering();
    }
}
