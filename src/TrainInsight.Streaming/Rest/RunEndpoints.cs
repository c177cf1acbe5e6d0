using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using TrainInsight.Streaming.Internal;
using TrainInsight.Streaming.Serialization;
using TrainInsight.Wire;

namespace TrainInsight.Streaming.Rest;

/// <summary>GET /api/runs, /api/runs/{id}, /api/runs/{id}/metrics, /api/runs/{id}/commands and /api/runs/{id}/findings: the stored runs.</summary>
internal static class RunEndpoints
{
    public const int DefaultRunLimit = 100;
    public const int MaxRunLimit = 1_000;
    public const int DefaultPointLimit = 1_000;
    public const int MaxPointLimit = 100_000;
    public const int MinDownsamplePoints = 2;
    public const int MaxDownsamplePoints = 100_000;

    // FindingQuery's default and maximum.
    public const int DefaultFindingLimit = 1_000;
    public const int MaxFindingLimit = 10_000;

    public static void Map(IEndpointRouteBuilder group)
    {
        group.MapGet("/api/runs", ListAsync)
            .WithName("TrainInsight.ListRuns")
            .WithSummary("Lists the stored runs, the most recently updated first.")
            .Produces<RunListResponse>()
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .WithQueryParameter("limit", $"The most runs to return, 1 to {MaxRunLimit:N0}. The default is {DefaultRunLimit}.", OpenApiMetadata.Integer(1, MaxRunLimit));

        group.MapGet("/api/runs/{id}", GetAsync)
            .WithName("TrainInsight.GetRun")
            .WithSummary("Gets one run with the latest value of each of its metrics.")
            .Produces<RunDetail>()
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .WithRunIdParameter();

        group.MapGet("/api/runs/{id}/metrics", GetMetricsAsync)
            .WithName("TrainInsight.GetRunMetrics")
            .WithSummary("Reads a run's stored metric points in the order they were published.")
            .Produces<MetricPointsResponse>()
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .WithRunIdParameter()
            .WithQueryParameter("names", "Only these metrics: comma-separated, the parameter may be repeated. The default is every metric.", OpenApiMetadata.StringArray())
            .WithQueryParameter("since", "Only points measured after this step. The default is from the first step.", OpenApiMetadata.Integer(0, null))
            .WithQueryParameter("limit", $"The most points to return, 1 to {MaxPointLimit:N0}. The default is {DefaultPointLimit:N0}.", OpenApiMetadata.Integer(1, MaxPointLimit))
            .WithQueryParameter(
                "max_points",
                $"Downsample instead of paging: at most this many points per metric, {MinDownsamplePoints} to {MaxDownsamplePoints:N0}, over every step after since, " +
                "keeping each step bucket's minimum and maximum, NaN and infinite values, and each metric's first and last point. Cannot be combined with limit. " +
                "The default is no downsampling.",
                OpenApiMetadata.Integer(MinDownsamplePoints, MaxDownsamplePoints));

        group.MapGet("/api/runs/{id}/commands", GetCommandsAsync)
            .WithName("TrainInsight.GetRunCommands")
            .WithSummary("Reads the control commands a run handled, with their outcome, oldest first.")
            .Produces<CommandListResponse>()
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .WithRunIdParameter();

        group.MapGet("/api/runs/{id}/findings", GetFindingsAsync)
            .WithName("TrainInsight.GetRunFindings")
            .WithSummary("Reads a run's findings: the latest revision of each, in the order they were first raised.")
            .WithDescription("Each finding is the SSE data of its latest finding event. The state and severity filters apply to that revision.")
            .Produces<FindingListResponse>()
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .WithRunIdParameter()
            .WithQueryParameter("state", "Only findings in this state now: open or resolved. The default is both.", OpenApiMetadata.StringEnum(FindingWireNames.States.Select(s => s.Name)))
            .WithQueryParameter("severity", "Only findings at least this severe: info, warning or critical. The default is every severity.", OpenApiMetadata.StringEnum(FindingWireNames.Severities.Select(s => s.Name)))
            .WithQueryParameter("limit", $"The most findings to return, 1 to {MaxFindingLimit:N0}. The default is {DefaultFindingLimit:N0}.", OpenApiMetadata.Integer(1, MaxFindingLimit));
    }

    public static async Task<IResult> ListAsync(HttpRequest request, IMetricStore store, ITrainingControl control, CancellationToken cancellationToken)
    {
        if (!TryGetInt(request, "limit", DefaultRunLimit, MaxRunLimit, out var limit, out var problem))
        {
            return problem;
        }

        var runs = await store.GetRunsAsync(limit, cancellationToken).ConfigureAwait(false);
        var active = control.ActiveRuns.ToHashSet(StringComparer.Ordinal);
        var summaries = new RunSummary[runs.Count];
        for (var i = 0; i < runs.Count; i++)
        {
            summaries[i] = Fill(new RunSummary
            {
                Id = runs[i].Run.Id,
                Name = runs[i].Run.Name,
                StartedAt = WireNames.UnixSeconds(runs[i].Run.StartedAt),
                State = WireNames.State(runs[i].State),
                Live = active.Contains(runs[i].Run.Id),
                FirstEventAt = WireNames.UnixSeconds(runs[i].FirstEventAt),
                LastEventAt = WireNames.UnixSeconds(runs[i].LastEventAt),
                EventCount = runs[i].EventCount,
                LastSequence = runs[i].LastSequence,
                LastOffset = runs[i].LastOffset,
                MetricNames = runs[i].MetricNames,
            }, runs[i]);
        }

        return TypedResults.Json(new RunListResponse(summaries), RestJsonContext.Default.RunListResponse);
    }

    public static async Task<IResult> GetAsync(
        string id, IMetricStore store, ITelemetryBus bus, ITrainingControl control, CancellationToken cancellationToken)
    {
        var lookup = await FindAsync(id, store, cancellationToken).ConfigureAwait(false);
        if (!lookup.Found)
        {
            return lookup.Problem;
        }

        var run = lookup.Run;

        // The bus knows the run's newest state and values (the store is written every StoreFlushInterval); after a
        // restart, or once the bus has forgotten the run, the store's last step is the best there is.
        var snapshot = bus.GetCurrent(id);

        // A run the bus knows only from a lost notice (it was silent since a restart) has no values there: the store has them.
        var latest = snapshot is { Values.Count: > 0 }
            ? new LatestValues
            {
                Source = "live",
                Step = snapshot.Step,
                Epoch = snapshot.Epoch,
                Timestamp = WireNames.UnixSeconds(snapshot.Timestamp),
                Offset = snapshot.Offset,
                Values = snapshot.Values,
            }
            : await ReadLatestFromStoreAsync(run, store, cancellationToken).ConfigureAwait(false);
        var newer = snapshot is not null && snapshot.Offset > run.LastOffset;
        var detail = Fill(new RunDetail
        {
            Id = run.Run.Id,
            Name = run.Run.Name,
            StartedAt = WireNames.UnixSeconds(run.Run.StartedAt),
            State = WireNames.State(newer ? snapshot!.State : run.State),
            Live = control.ActiveRuns.Contains(id),
            FirstEventAt = WireNames.UnixSeconds(run.FirstEventAt),
            LastEventAt = WireNames.UnixSeconds(run.LastEventAt),
            EventCount = run.EventCount,
            LastSequence = run.LastSequence,
            LastOffset = run.LastOffset,
            MetricNames = run.MetricNames,
            Latest = latest,
        }, run);
        return TypedResults.Json(detail, RestJsonContext.Default.RunDetail);
    }

    public static async Task<IResult> GetMetricsAsync(string id, HttpRequest request, IMetricStore store, CancellationToken cancellationToken)
    {
        if (!RunDescriptor.IsValidId(id))
        {
            return InvalidRunId(id);
        }

        if (!TryGetNames(request, out var names, out var problem) ||
            !TryGetSince(request, out var since, out problem) ||
            !TryGetInt(request, "limit", DefaultPointLimit, MaxPointLimit, out var limit, out problem) ||
            !TryGetMaxPoints(request, out var maxPoints, out problem))
        {
            return problem;
        }

        var lookup = await FindAsync(id, store, cancellationToken).ConfigureAwait(false);
        if (!lookup.Found)
        {
            return lookup.Problem;
        }

        var run = lookup.Run;
        if (maxPoints is { } most)
        {
            // The buckets span each metric's first step to the run's last stored step (later points join the last bucket).
            var sampled = await DownsampledMetricsReader.ReadAsync(store, id, names, since, most, run.LastStep, cancellationToken).ConfigureAwait(false);
            var response = new MetricPointsResponse
            {
                RunId = id,
                Points = ToModels(sampled.Points, sampled.Points.Count),
                Downsampled = sampled.Downsampled,
                SourcePoints = sampled.SourcePoints,
            };
            return TypedResults.Json(response, RestJsonContext.Default.MetricPointsResponse);
        }

        // One point more than asked tells whether more follow. A page never ends inside a step (a step can carry
        // several points, from one event or several), so that "since = the page's last step" loses nothing.
        var query = new MetricQuery(id) { Names = names, AfterStep = since, Limit = Math.Min(limit + 1, MaxPointLimit) };
        var points = await store.GetMetricsAsync(query, cancellationToken).ConfigureAwait(false);
        var count = Math.Min(points.Count, limit);
        long? nextSince = null;
        if (points.Count > limit || (points.Count == MaxPointLimit && limit == MaxPointLimit))
        {
            var lastStep = points[count - 1].Step;
            var whole = count;

            // Trim only when the point after the page belongs to the page's last step (or is unknown at the cap).
            var splitsStep = points.Count <= limit || points[limit].Step == lastStep;
            while (splitsStep && whole > 0 && points[whole - 1].Step == lastStep)
            {
                whole--;
            }

            // When one step alone has more points than the limit, the page is its first `limit` points and the next page
            // starts at the following step: raise the limit to read such a step whole.
            count = whole > 0 ? whole : count;
            nextSince = points[count - 1].Step;
        }

        var page = new MetricPointsResponse { RunId = id, Points = ToModels(points, count), NextSince = nextSince };
        return TypedResults.Json(page, RestJsonContext.Default.MetricPointsResponse);
    }

    private static MetricPointModel[] ToModels(IReadOnlyList<MetricPoint> points, int count)
    {
        var models = new MetricPointModel[count];
        for (var i = 0; i < count; i++)
        {
            var point = points[i];
            models[i] = new MetricPointModel(point.Name, point.Step, point.Value, WireNames.UnixSeconds(point.Timestamp), point.Sequence, point.Offset);
        }

        return models;
    }

    public static async Task<IResult> GetCommandsAsync(string id, IMetricStore store, CancellationToken cancellationToken)
    {
        var lookup = await FindAsync(id, store, cancellationToken).ConfigureAwait(false);
        if (!lookup.Found)
        {
            return lookup.Problem;
        }

        var run = lookup.Run;

        var records = await store.GetCommandsAsync(id, cancellationToken).ConfigureAwait(false);
        var commands = records.Select(r => new CommandRecordModel
        {
            CommandId = r.CommandId,
            Action = WireNames.Action(r.Action),
            Value = r.Value,
            Status = r.Status == ControlStatus.Applied ? "applied" : "rejected",
            IssuedAt = WireNames.UnixSeconds(r.IssuedAt),
            HandledAt = WireNames.UnixSeconds(r.HandledAt),
            Step = r.Step,
            Message = r.Message,
            Offset = r.Offset,
        }).ToArray();
        return TypedResults.Json(new CommandListResponse(id, commands), RestJsonContext.Default.CommandListResponse);
    }

    public static async Task<IResult> GetFindingsAsync(string id, HttpRequest request, IMetricStore store, CancellationToken cancellationToken)
    {
        if (!RunDescriptor.IsValidId(id))
        {
            return InvalidRunId(id);
        }

        if (!TryGetChoice(request, "state", FindingWireNames.States, "open or resolved", out FindingState? state, out var problem) ||
            !TryGetChoice(request, "severity", FindingWireNames.Severities, "info, warning or critical (the least severity to return)", out FindingSeverity? severity, out problem) ||
            !TryGetInt(request, "limit", DefaultFindingLimit, MaxFindingLimit, out var limit, out problem))
        {
            return problem;
        }

        var lookup = await FindAsync(id, store, cancellationToken).ConfigureAwait(false);
        if (!lookup.Found)
        {
            return lookup.Problem;
        }

        var findings = await store.GetFindingsAsync(new FindingQuery(id) { State = state, MinSeverity = severity, Limit = limit }, cancellationToken).ConfigureAwait(false);

        // Each finding is its event's SSE data, encoded once and shared with the streams (docs/architecture.md).
        var buffer = new ArrayBufferWriter<byte>(512 * (findings.Count + 1));
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("run_id", id);
            writer.WriteStartArray("findings");
            foreach (var finding in findings)
            {
                writer.WriteRawValue(EncodedEvent.For(finding).Sse, skipInputValidation: true);
            }

            writer.WriteEndArray();
            writer.WriteEndObject();
        }

        return new JsonBytesResult(buffer.WrittenMemory);
    }

    /// <summary>The stored run, or the problem to answer with (400 for a malformed id, 404 for an unknown run).</summary>
    private static async Task<RunLookup> FindAsync(string id, IMetricStore store, CancellationToken cancellationToken)
    {
        if (!RunDescriptor.IsValidId(id))
        {
            return new RunLookup(null, InvalidRunId(id));
        }

        var run = await store.GetRunAsync(id, cancellationToken).ConfigureAwait(false);
        return run is null ? new RunLookup(null, Problems.NotFound("Unknown run", $"No run '{id}' is stored.")) : new RunLookup(run, null);
    }

    /// <summary>The values measured at the run's last stored step, when the bus no longer knows the run.</summary>
    private static async Task<LatestValues?> ReadLatestFromStoreAsync(StoredRun run, IMetricStore store, CancellationToken cancellationToken)
    {
        if (run.LastStep is not { } lastStep)
        {
            return null;
        }

        var query = new MetricQuery(run.Run.Id) { AfterStep = lastStep > 0 ? lastStep - 1 : null, Limit = MaxPointLimit };
        var points = await store.GetMetricsAsync(query, cancellationToken).ConfigureAwait(false);
        var last = points.Where(p => p.Step == lastStep).ToList();
        if (last.Count == 0)
        {
            return null;
        }

        var values = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var point in last)
        {
            values[point.Name] = point.Value;
        }

        return new LatestValues
        {
            Source = "store",
            Step = lastStep,
            Timestamp = WireNames.UnixSeconds(last[^1].Timestamp),
            Offset = last[^1].Offset,
            Values = values,
        };
    }

    private static T Fill<T>(T summary, StoredRun run)
        where T : RunSummary => summary with
        {
            ModelName = run.Run.ModelName,
            ParameterCount = run.Run.ParameterCount,
            TotalEpochs = run.Run.TotalEpochs,
            StepsPerEpoch = run.Run.StepsPerEpoch,
            Hyperparameters = run.Run.Hyperparameters.Count > 0 ? run.Run.Hyperparameters : null,
            LastStep = run.LastStep,
            LastEpoch = run.LastEpoch,
        };

    private static IResult InvalidRunId(string id) =>
        Problems.BadRequest("Invalid run id", $"'{id}' is not a valid run id: use 1 to 128 letters, digits, '-', '_' or '.'.");

    internal static bool TryGetInt(HttpRequest request, string name, int defaultValue, int max, out int value, [NotNullWhen(false)] out IResult? problem)
    {
        problem = null;
        value = defaultValue;
        if (!request.Query.TryGetValue(name, out var raw))
        {
            return true;
        }

        if (raw.Count != 1 || !int.TryParse(raw[0], NumberStyles.None, CultureInfo.InvariantCulture, out value) || value < 1 || value > max)
        {
            problem = Problems.BadRequest($"Invalid {name}", $"{name} must be one integer from 1 to {max:N0}, not '{raw}'.");
            return false;
        }

        return true;
    }

    /// <summary>Reads ?max_points=N (2 to 100,000, given once, without limit); null when absent.</summary>
    private static bool TryGetMaxPoints(HttpRequest request, out int? maxPoints, [NotNullWhen(false)] out IResult? problem)
    {
        problem = null;
        maxPoints = null;
        if (!request.Query.TryGetValue("max_points", out var raw))
        {
            return true;
        }

        if (raw.Count != 1 || !int.TryParse(raw[0], NumberStyles.None, CultureInfo.InvariantCulture, out var value) ||
            value < MinDownsamplePoints || value > MaxDownsamplePoints)
        {
            problem = Problems.BadRequest(
                "Invalid max_points", $"max_points must be one integer from {MinDownsamplePoints} to {MaxDownsamplePoints:N0}, not '{raw}'.");
            return false;
        }

        if (request.Query.ContainsKey("limit"))
        {
            problem = Problems.BadRequest(
                "Invalid max_points", "max_points cannot be combined with limit: max_points downsamples every step after since, limit pages through them. Give one of them.");
            return false;
        }

        maxPoints = value;
        return true;
    }

    /// <summary>Reads an optional parameter that must be one of <paramref name="choices"/> (exact wire names), given once.</summary>
    private static bool TryGetChoice<T>(
        HttpRequest request, string name, IReadOnlyList<(string Name, T Value)> choices, string allowed, out T? value, [NotNullWhen(false)] out IResult? problem)
        where T : struct
    {
        problem = null;
        value = null;
        if (!request.Query.TryGetValue(name, out var raw))
        {
            return true;
        }

        if (raw.Count == 1)
        {
            foreach (var choice in choices)
            {
                if (string.Equals(raw[0], choice.Name, StringComparison.Ordinal))
                {
                    value = choice.Value;
                    return true;
                }
            }
        }

        problem = Problems.BadRequest($"Invalid {name}", $"{name} must be one of {allowed}, given once, not '{raw}'.");
        return false;
    }

    private static bool TryGetSince(HttpRequest request, out long? since, [NotNullWhen(false)] out IResult? problem)
    {
        problem = null;
        since = null;
        if (!request.Query.TryGetValue("since", out var raw))
        {
            return true;
        }

        if (raw.Count != 1 || !long.TryParse(raw[0], NumberStyles.None, CultureInfo.InvariantCulture, out var value))
        {
            problem = Problems.BadRequest("Invalid since", $"since must be one step number (a non-negative integer), not '{raw}'.");
            return false;
        }

        since = value;
        return true;
    }

    /// <summary>Reads ?names=a,b&amp;names=c; null when absent.</summary>
    private static bool TryGetNames(HttpRequest request, out IReadOnlyCollection<string>? names, [NotNullWhen(false)] out IResult? problem)
    {
        problem = null;
        names = null;
        if (!request.Query.TryGetValue("names", out var raw))
        {
            return true;
        }

        var set = new HashSet<string>(StringComparer.Ordinal);
        foreach (var value in raw)
        {
            foreach (var name in (value ?? string.Empty).Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
            {
                set.Add(name);
            }
        }

        if (set.Count == 0)
        {
            problem = Problems.BadRequest("Invalid names", "names must list at least one metric name, such as names=train_loss,val_loss.");
            return false;
        }

        names = set;
        return true;
    }
}
