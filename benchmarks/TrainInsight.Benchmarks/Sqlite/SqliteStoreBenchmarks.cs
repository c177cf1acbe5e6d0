// Latest results (one run, shared 2-core VM, quiet; see docs/benchmarks.md):
//
// BenchmarkDotNet v0.15.8, Linux Debian GNU/Linux 12 (bookworm)
// AMD EPYC 2.60GHz, 1 CPU, 2 logical and 2 physical cores
// .NET SDK 10.0.401
//   [Host]     : .NET 10.0.12 (10.0.12, 10.0.1226.42308), X64 RyuJIT x86-64-v4
//   Job-FFINCA : .NET 10.0.12 (10.0.12, 10.0.1226.42308), X64 RyuJIT x86-64-v4
//
// InvocationCount=64  IterationCount=8  LaunchCount=1
// WarmupCount=3
//
//
// | Method              | Mean        | Error       | StdDev    | Ratio | RatioSD | Gen0   | Allocated | Alloc Ratio |
// |-------------------- |------------:|------------:|----------:|------:|--------:|-------:|----------:|------------:|
// | RawSqliteInsert     | 1,456.79 ns |   422.23 ns | 220.84 ns |  1.02 |    0.20 | 0.0156 |     468 B |       1.000 |
// | SqliteStoreAppend   | 3,412.56 ns | 1,102.41 ns | 576.58 ns |  2.39 |    0.50 | 0.0625 |    1170 B |       2.500 |
// | InMemoryStoreAppend |    72.87 ns |    47.86 ns |  21.25 ns |  0.05 |    0.02 |      - |       2 B |       0.004 |

using BenchmarkDotNet.Attributes;
using Microsoft.Data.Sqlite;
using TrainInsight.Sqlite;

namespace TrainInsight.Benchmarks.Sqlite;

/// <summary>
/// The store writer's cost per metric point: one <see cref="IMetricStore.AppendAsync"/> of <see cref="Events"/> events
/// with 10 metrics each (what a fast trainer publishes in one flush interval), so one operation is one point. The
/// baseline inserts the same points, bare (offset, name, value), through one prepared statement in one transaction on
/// the same pragmas (WAL, synchronous=NORMAL): what SQLite costs without the store's events, run summaries and
/// NaN-exact value columns.
/// </summary>
[MemoryDiagnoser]
[SimpleJob(launchCount: 1, warmupCount: 3, iterationCount: 8, invocationCount: InvocationsPerIteration)]
public class SqliteStoreBenchmarks
{
    private const int Events = 100;
    private const int MetricsPerEvent = 10;
    private const int Points = Events * MetricsPerEvent;

    // Fixed so that [IterationSetup] can create exactly the events one iteration appends (offsets must be new).
    private const int InvocationsPerIteration = 64;

    private static readonly RunDescriptor s_run = new("bench-run");
    private static readonly string[] s_names = [.. Enumerable.Range(0, MetricsPerEvent).Select(i => "metric_" + i)];

    private string _directory = null!;
    private SqliteMetricStore _store = null!;
    private InMemoryMetricStore _memory = null!;
    private SqliteConnection _raw = null!;
    private SqliteCommand _rawInsert = null!;
    private List<TrainInsightEvent>[] _batches = [];
    private int _next;
    private long _offset;
    private long _rawOffset;

    [GlobalSetup]
    public void GlobalSetup()
    {
        _directory = Directory.CreateTempSubdirectory("traininsight-bench-").FullName;
        _store = new SqliteMetricStore(new SqliteStoreOptions { Path = Path.Combine(_directory, "store.db") });
        _memory = new InMemoryMetricStore(maxEvents: 100_000_000);
        _raw = new SqliteConnection($"Data Source={Path.Combine(_directory, "raw.db")};Pooling=False");
        _raw.Open();
        using (var pragmas = _raw.CreateCommand())
        {
            pragmas.CommandText = """
                PRAGMA journal_mode = WAL;
                PRAGMA synchronous = NORMAL;
                CREATE TABLE points (event_offset INTEGER NOT NULL, name TEXT NOT NULL, value REAL);
                """;
            pragmas.ExecuteNonQuery();
        }

        _rawInsert = _raw.CreateCommand();
        _rawInsert.CommandText = "INSERT INTO points (event_offset, name, value) VALUES ($offset, $name, $value);";
        _rawInsert.Parameters.Add(new SqliteParameter("$offset", 0L));
        _rawInsert.Parameters.Add(new SqliteParameter("$name", string.Empty));
        _rawInsert.Parameters.Add(new SqliteParameter("$value", 0.0));
        _rawInsert.Prepare();
    }

    [IterationSetup(Targets = [nameof(SqliteStoreAppend), nameof(InMemoryStoreAppend)])]
    public void CreateBatches()
    {
        _batches = new List<TrainInsightEvent>[InvocationsPerIteration];
        for (var b = 0; b < _batches.Length; b++)
        {
            var batch = new List<TrainInsightEvent>(Events);
            for (var i = 0; i < Events; i++)
            {
                var offset = ++_offset;
                var values = new Dictionary<string, double>(MetricsPerEvent);
                foreach (var name in s_names)
                {
                    values[name] = offset * 0.001;
                }

                batch.Add(new MetricEvent(s_run, offset, values) { Offset = offset, Sequence = offset });
            }

            _batches[b] = batch;
        }

        _next = 0;
    }

    [GlobalCleanup]
    public void GlobalCleanup()
    {
        if (_store.IsDegraded)
        {
            throw new InvalidOperationException("The store degraded to memory; its numbers are invalid.");
        }

        _store.Dispose();
        _memory.Dispose();
        _rawInsert.Dispose();
        _raw.Dispose();
        Directory.Delete(_directory, recursive: true);
    }

    /// <summary>Baseline: the same points as bare rows, one prepared INSERT each, one transaction per batch.</summary>
    [Benchmark(Baseline = true, OperationsPerInvoke = Points)]
    public void RawSqliteInsert()
    {
        using var transaction = _raw.BeginTransaction();
        _rawInsert.Transaction = transaction;
        var p = _rawInsert.Parameters;
        for (var i = 0; i < Events; i++)
        {
            var offset = ++_rawOffset;
            p[0].Value = offset;
            foreach (var name in s_names)
            {
                p[1].Value = name;
                p[2].Value = offset * 0.001;
                _rawInsert.ExecuteNonQuery();
            }
        }

        transaction.Commit();
    }

    /// <summary>One AppendAsync of a batch: events, their points, the run summary and metric names, in one transaction.</summary>
    [Benchmark(OperationsPerInvoke = Points)]
    public Task SqliteStoreAppend() => _store.AppendAsync(_batches[_next++]);

    /// <summary>The same batch into the in-memory store: what keeping the events costs without a file.</summary>
    [Benchmark(OperationsPerInvoke = Points)]
    public Task InMemoryStoreAppend() => _memory.AppendAsync(_batches[_next++]);
}
