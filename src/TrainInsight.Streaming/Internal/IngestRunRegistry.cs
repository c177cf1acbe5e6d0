using TrainInsight.Streaming.Serialization;
using TrainInsight.Wire;

namespace TrainInsight.Streaming.Internal;

/// <summary>
/// The remote runs <c>POST /api/ingest</c> has seen: one <see cref="RunDescriptor"/> per run id, shared by all the
/// run's events across batches, and the highest client sequence accepted, so a resent batch is not published twice.
/// Holds at most <see cref="MaxRuns"/> runs; the least recently used is forgotten first.
/// </summary>
internal sealed class IngestRunRegistry
{
    /// <summary>The most remote runs remembered.</summary>
    public const int MaxRuns = 1_024;

    // One gate for deduplication and publishing: two batches of one run (a retry racing the original) must not both
    // pass the sequence check, and a run's events must reach the bus in sequence order. Publishing is TryPublish only.
    private readonly Lock _gate = new();
    private readonly Dictionary<string, LinkedListNode<RemoteRun>> _runs = new(StringComparer.Ordinal);
    private readonly LinkedList<RemoteRun> _recent = new();

    /// <summary>The number of runs remembered.</summary>
    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _runs.Count;
            }
        }
    }

    /// <summary>
    /// Publishes every event of a validated batch whose sequence is above its run's highest accepted one.
    /// </summary>
    /// <returns>The counts for the response, and whether the bus refused an event (it is disposed).</returns>
    public (IngestResponseDto Response, bool BusClosed) Publish(ITelemetryBus bus, List<IngestRunDto?> runs)
    {
        var response = new IngestResponseDto();
        lock (_gate)
        {
            foreach (var part in runs)
            {
                var events = part!.Events!;
                var result = new IngestRunResultDto { RunId = part.Run!.Id! };
                response.Runs.Add(result);
                if (events.Count == 0)
                {
                    result.LastSequence = _runs.TryGetValue(result.RunId, out var known) ? known.Value.LastSequence : 0;
                    continue;
                }

                var run = GetOrAdd(part.Run);
                foreach (var item in events)
                {
                    var sequence = item!.Sequence!.Value;
                    if (sequence <= run.LastSequence)
                    {
                        result.Duplicates++;
                        continue;
                    }

                    if (!bus.TryPublish(IngestMapping.ToEvent(run.Descriptor, item)))
                    {
                        result.LastSequence = run.LastSequence;
                        return (Total(response), true);
                    }

                    run.LastSequence = sequence;
                    result.Accepted++;
                }

                result.LastSequence = run.LastSequence;
            }
        }

        return (Total(response), false);
    }

    private RemoteRun GetOrAdd(IngestRunInfoDto info)
    {
        if (_runs.TryGetValue(info.Id!, out var node))
        {
            _recent.Remove(node);
            _recent.AddFirst(node);
            return node.Value;
        }

        if (_runs.Count >= MaxRuns)
        {
            var oldest = _recent.Last!;
            _recent.RemoveLast();
            _runs.Remove(oldest.Value.Descriptor.Id);
        }

        node = _recent.AddFirst(new RemoteRun(IngestMapping.ToDescriptor(info)));
        _runs.Add(info.Id!, node);
        return node.Value;
    }

    private static IngestResponseDto Total(IngestResponseDto response)
    {
        foreach (var run in response.Runs)
        {
            response.Accepted += run.Accepted;
            response.Duplicates += run.Duplicates;
        }

        return response;
    }

    private sealed class RemoteRun(RunDescriptor descriptor)
    {
        public RunDescriptor Descriptor { get; } = descriptor;

        public long LastSequence { get; set; }
    }
}
