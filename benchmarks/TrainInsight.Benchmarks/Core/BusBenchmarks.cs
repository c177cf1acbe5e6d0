// Latest results (one run, shared 2-core VM, quiet; see docs/benchmarks.md):
//
// BenchmarkDotNet v0.15.8, Linux Debian GNU/Linux 12 (bookworm)
// AMD EPYC 2.60GHz, 1 CPU, 2 logical and 2 physical cores
// .NET SDK 10.0.401
//   [Host]     : .NET 10.0.12 (10.0.12, 10.0.1226.42308), X64 RyuJIT x86-64-v4
//   Job-VEVCLP : .NET 10.0.12 (10.0.12, 10.0.1226.42308), X64 RyuJIT x86-64-v4
//
// InvocationCount=1024  IterationCount=8  LaunchCount=1
// WarmupCount=3
//
//
// | Method                    | Mean      | Error     | StdDev    | Ratio | RatioSD | Allocated | Alloc Ratio |
// |-------------------------- |----------:|----------:|----------:|------:|--------:|----------:|------------:|
// | RawChannelWriteRead       |  40.22 ns |  2.528 ns |  1.322 ns |  1.00 |    0.04 |         - |          NA |
// | PublishHotPath            |  50.03 ns | 17.958 ns |  7.973 ns |  1.25 |    0.19 |         - |          NA |
// | PublishWithoutSubscribers |  22.26 ns | 11.108 ns |  4.932 ns |  0.55 |    0.12 |         - |          NA |
// | PublishToEightSubscribers | 137.25 ns | 41.282 ns | 14.721 ns |  3.42 |    0.36 |         - |          NA |

using System.Threading.Channels;
using BenchmarkDotNet.Attributes;

namespace TrainInsight.Benchmarks.Core;

/// <summary>
/// The cost of one event through the bus, against a bare bounded channel. Each operation is one event; every
/// invocation moves a batch of <see cref="Batch"/> events (OperationsPerInvoke), so the cross-thread hand-off to
/// the dispatcher is amortised the way it is in a training loop that publishes steadily.
/// </summary>
[MemoryDiagnoser]
[SimpleJob(launchCount: 1, warmupCount: 3, iterationCount: 8, invocationCount: InvocationsPerIteration)]
public class BusBenchmarks
{
    private const int Batch = 1_024;
    private const int FanOut = 8;

    // Fixed so that [IterationSetup] can pre-create exactly the events one iteration publishes:
    // an event instance can be published only once.
    private const int InvocationsPerIteration = 1_024;

    private static readonly RunDescriptor s_run = new("bench-run");
    private static readonly IReadOnlyDictionary<string, double> s_values = new Dictionary<string, double>
    {
        [MetricNames.TrainLoss] = 0.5,
        [MetricNames.LearningRate] = 0.001,
    };

    private Channel<TrainInsightEvent> _channel = null!;
    private MetricEvent[] _rawItems = null!;
    private ITelemetryBus _bus = null!;
    private ITelemetrySubscription _subscription = null!;
    private ITelemetryBus _idleBus = null!;
    private ITelemetryBus _fanOutBus = null!;
    private ITelemetrySubscription[] _fanOut = [];
    private MetricEvent[] _events = [];
    private int _next;

    [GlobalSetup]
    public void GlobalSetup()
    {
        // The same shape as the bus's ingest channel.
        _channel = Channel.CreateBounded<TrainInsightEvent>(new BoundedChannelOptions(Batch)
        {
            FullMode = BoundedChannelFullMode.DropOldest,
            SingleReader = true,
            SingleWriter = false,
            AllowSynchronousContinuations = false,
        });
        _rawItems = Enumerable.Range(0, Batch).Select(i => new MetricEvent(s_run, i, s_values)).ToArray();

        _bus = TelemetryBus.Create();
        _subscription = _bus.Subscribe(new SubscriptionOptions { Capacity = 2 * Batch });
        _idleBus = TelemetryBus.Create();
        _fanOutBus = TelemetryBus.Create();
        _fanOut = [.. Enumerable.Range(0, FanOut).Select(_ => _fanOutBus.Subscribe(new SubscriptionOptions { Capacity = 2 * Batch }))];
    }

    [IterationSetup(Targets = [nameof(PublishHotPath), nameof(PublishWithoutSubscribers), nameof(PublishToEightSubscribers)])]
    public void CreateEvents()
    {
        _events = new MetricEvent[Batch * InvocationsPerIteration];
        for (var i = 0; i < _events.Length; i++)
        {
            _events[i] = new MetricEvent(s_run, i, s_values);
        }

        _next = 0;
    }

    [IterationCleanup(Target = nameof(PublishWithoutSubscribers))]
    public void WaitForIdleBusToDrain() =>
        SpinWait.SpinUntil(() => _idleBus.GetStatistics() is { } s && s.Dispatched + s.DroppedAtIngest == s.Published);

    [GlobalCleanup]
    public void GlobalCleanup()
    {
        var stats = _bus.GetStatistics();
        var lost = _subscription.DroppedCount + stats.DroppedAtIngest;
        var fanOutLost = _fanOut.Sum(s => s.DroppedCount) + _fanOutBus.GetStatistics().DroppedAtIngest;
        foreach (var subscription in _fanOut)
        {
            subscription.Dispose();
        }

        _fanOutBus.Dispose();
        if (fanOutLost != 0)
        {
            throw new InvalidOperationException($"PublishToEightSubscribers lost {fanOutLost} events; its numbers are invalid.");
        }

        _subscription.Dispose();
        _bus.Dispose();
        _idleBus.Dispose();
        if (lost != 0)
        {
            // A run that lost events measured something else; refuse to report it.
            throw new InvalidOperationException($"PublishHotPath lost {lost} events; its numbers are invalid.");
        }
    }

    /// <summary>Baseline: one TryWrite and one TryRead of a pre-allocated item on a bounded channel, same thread.</summary>
    [Benchmark(Baseline = true, OperationsPerInvoke = Batch)]
    public int RawChannelWriteRead()
    {
        var writer = _channel.Writer;
        var reader = _channel.Reader;
        for (var i = 0; i < Batch; i++)
        {
            writer.TryWrite(_rawItems[i]);
        }

        var read = 0;
        while (reader.TryRead(out _))
        {
            read++;
        }

        return read;
    }

    /// <summary>One event from TryPublish through the dispatcher (sequence, offset, history, run snapshot) to a subscriber's reader.</summary>
    [Benchmark(OperationsPerInvoke = Batch)]
    public long PublishHotPath()
    {
        var events = _events;
        var start = _next;
        _next += Batch;
        for (var i = start; i < start + Batch; i++)
        {
            _bus.TryPublish(events[i]);
        }

        return ReadBatch(_subscription);
    }

    /// <summary>TryPublish alone on a bus that nobody subscribes to: the trainer thread's cost.</summary>
    [Benchmark(OperationsPerInvoke = Batch)]
    public int PublishWithoutSubscribers()
    {
        var events = _events;
        var start = _next;
        _next += Batch;
        var accepted = 0;
        for (var i = start; i < start + Batch; i++)
        {
            if (_idleBus.TryPublish(events[i]))
            {
                accepted++;
            }
        }

        return accepted;
    }

    /// <summary>
    /// One event from TryPublish to each of 8 subscribers, every subscriber reading all of them: the per-event time of
    /// the whole fan-out, so 1 s / Mean is the bus's throughput with 8 subscribers.
    /// </summary>
    [Benchmark(OperationsPerInvoke = Batch)]
    public long PublishToEightSubscribers()
    {
        var events = _events;
        var start = _next;
        _next += Batch;
        for (var i = start; i < start + Batch; i++)
        {
            _fanOutBus.TryPublish(events[i]);
        }

        var last = 0L;
        foreach (var subscription in _fanOut)
        {
            last = ReadBatch(subscription);
        }

        return last;
    }

    /// <summary>Reads one batch from a subscription, spinning while the dispatcher catches up; returns the last offset.</summary>
    private static long ReadBatch(ITelemetrySubscription subscription)
    {
        var reader = subscription.Reader;
        var read = 0;
        var last = 0L;
        var spin = default(SpinWait);
        while (read < Batch)
        {
            if (reader.TryRead(out var item))
            {
                last = item.Offset;
                read++;
            }
            else
            {
                spin.SpinOnce(sleep1Threshold: -1);
            }
        }

        return last;
    }
}
