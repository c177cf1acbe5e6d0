using System.Diagnostics;
using TrainInsight.DiagnosisBenchmark.Traces;
using TrainInsight.Diagnostics;

namespace TrainInsight.DiagnosisBenchmark.Advice;

/// <summary>When the assistant is asked during a replay.</summary>
internal enum AskPoint
{
    /// <summary>After the whole trace: the run is finished, the findings still open at its end are what the assistant sees.</summary>
    End,

    /// <summary>Right after the diagnosis opens its first finding at Warning or above (a user alerted by it); at the end when none opens.</summary>
    Detection,
}

/// <summary>
/// A trace replayed as a live host sees it: its events published one by one on a real bus (<see cref="TelemetryBus.Create"/>)
/// that stores them in a fresh <see cref="InMemoryMetricStore"/>, with a <see cref="DiagnosisEngine"/> subscribed that
/// publishes its findings back on the bus; exactly the store, bus and engine that <c>AddLlm()</c> gives the assistant.
/// </summary>
internal sealed class TraceReplay : IAsyncDisposable
{
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(60);

    private TraceReplay(InMemoryMetricStore store, ITelemetryBus bus, DiagnosisEngine engine)
    {
        Store = store;
        Bus = bus;
        Engine = engine;
    }

    public InMemoryMetricStore Store { get; }

    public ITelemetryBus Bus { get; }

    public DiagnosisEngine Engine { get; }

    /// <summary>Gets how many of the trace's events were published before the assistant was asked.</summary>
    public int EventsReplayed { get; private set; }

    /// <summary>Gets the step of the last event replayed.</summary>
    public long LastStep { get; private set; }

    /// <summary>Gets whether the replay stopped at the first Warning finding (<see cref="AskPoint.Detection"/>).</summary>
    public bool StoppedAtDetection { get; private set; }

    public static async Task<TraceReplay> RunAsync(TraceRun trace, AskPoint ask)
    {
        var store = new InMemoryMetricStore();
        // Old timestamps and no trainer attached: never report the replayed run lost; flush the store often.
        var bus = TelemetryBus.Create(new TrainInsightOptions { LostRunTimeout = null, StoreFlushInterval = TimeSpan.FromMilliseconds(10) }, store);
        var engine = new DiagnosisEngine(bus);
        engine.Start();
        var replay = new TraceReplay(store, bus, engine);
        try
        {
            foreach (var item in trace.Events)
            {
                if (!bus.TryPublish(item))
                {
                    throw new InvalidOperationException($"The bus rejected event {replay.EventsReplayed + 1} of '{trace.Run.Id}'.");
                }

                replay.EventsReplayed++;
                replay.LastStep = item switch
                {
                    MetricEvent m => m.Step,
                    TrainingEvent { Step: { } s } => s,
                    _ => replay.LastStep,
                };

                // One event at a time, as a trainer publishes them: the engine never falls behind, so it misses nothing, and
                // the Detection point is the event that opened the finding.
                var published = replay.EventsReplayed;
                Wait(() => engine.EventsProcessed + engine.Errors >= published, trace, "the diagnosis to process the event");
                if (ask == AskPoint.Detection &&
                    engine.GetFindings(trace.Run.Id).Any(f => f.State == FindingState.Open && f.Severity >= FindingSeverity.Warning))
                {
                    replay.StoppedAtDetection = true;
                    break;
                }
            }

            // Every finding the engine published dispatched and stored, as the store and the ring hold them live.
            Wait(
                () => bus.GetStatistics() is var s && s.Dispatched + s.DroppedAtIngest >= s.Published && s.StoredOffset >= s.LastOffset,
                trace,
                "the bus to dispatch and store every event");
            if (engine.Errors > 0 || engine.EventsMissed > 0)
            {
                throw new InvalidOperationException($"'{trace.Run.Id}': the diagnosis failed on {engine.Errors} and missed {engine.EventsMissed} events.");
            }

            return replay;
        }
        catch
        {
            await replay.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await Engine.DisposeAsync().ConfigureAwait(false);
        await Bus.DisposeAsync().ConfigureAwait(false);
        Store.Dispose();
    }

    private static void Wait(Func<bool> done, TraceRun trace, string what)
    {
        var watch = Stopwatch.StartNew();
        var spin = default(SpinWait);
        while (!done())
        {
            if (watch.Elapsed > s_timeout)
            {
                throw new TimeoutException($"'{trace.Run.Id}': gave up waiting {s_timeout.TotalSeconds:F0} s for {what}.");
            }

            spin.SpinOnce();
        }
    }
}
