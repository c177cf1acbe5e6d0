// Latest results (one run, shared 2-core VM; see docs/benchmarks.md for what they mean):
//
// | Method        | Dataset        | Mean        | Error     | StdDev   | Ratio | RatioSD | Gen0     | Gen1     | Allocated  | Alloc Ratio |
// |-------------- |--------------- |------------:|----------:|---------:|------:|--------:|---------:|---------:|-----------:|------------:|
// | ReadAndCrc32C | AllFixtures    |    407.7 us |  16.29 us | 10.78 us |  1.00 |    0.04 |        - |        - |      160 B |        1.00 |
// | FramingOnly   | AllFixtures    |    730.4 us |  19.14 us | 11.39 us |  1.79 |    0.05 |        - |        - |      232 B |        1.45 |
// | ReadAll       | AllFixtures    |  5,066.1 us | 134.38 us | 70.28 us | 12.43 |    0.35 | 453.1250 | 218.7500 |  7598342 B |   47,489.64 |
// |               |                |             |           |          |       |         |          |          |            |             |
// | ReadAndCrc32C | ScalarFixtures |    354.1 us |   4.68 us |  3.09 us |  1.00 |    0.01 |        - |        - |      160 B |        1.00 |
// | FramingOnly   | ScalarFixtures |    950.9 us |   7.78 us |  4.63 us |  2.69 |    0.03 |        - |        - |      232 B |        1.45 |
// | ReadAll       | ScalarFixtures | 10,411.9 us |  92.41 us | 61.12 us | 29.41 |    0.30 | 875.0000 | 437.5000 | 14894464 B |   93,090.40 |
//
// AllFixtures: 4,680,389 bytes, 28,049 events; ScalarFixtures: 4,199,500 bytes, 60,200 events. Goal (ReadAll ≥ 0.5×
// the floor) not met: 0.080× and 0.034×; the per-event objects alone cost more than the floor (docs/benchmarks.md).

using BenchmarkDotNet.Attributes;
using TrainInsight.TensorBoard;
using TrainInsight.TensorBoard.Internal;

namespace TrainInsight.Benchmarks.TensorBoard;

/// <summary>
/// P5: the TensorBoard event-file reader's throughput. One operation reads a whole file of a few MB built by
/// concatenating the real fixture files (tests/TrainInsight.TensorBoard.Tests/Fixtures/tfevents) until it is at least
/// 4 MiB; it is in the page cache. The baseline is the floor any reader pays: read the same bytes from the file and
/// compute their CRC-32C. <see cref="FramingOnly"/> adds the TFRecord framing and both CRC checks per record;
/// <see cref="ReadAll"/> is the full parse into <see cref="TensorBoardEvent"/>s. Goal: ReadAll throughput ≥ 0.5× the
/// floor, i.e. Ratio ≤ 2.
/// </summary>
/// <remarks>
/// <c>AllFixtures</c> is every fixture (about half of its bytes are graph_def/meta_graph_def payloads, which are skipped
/// without copying); <c>ScalarFixtures</c> only the small-record scalar files (tensorboard-reducer, lingvo), the
/// worst case per byte: every ~50-byte record becomes an event with one value.
/// </remarks>
[MemoryDiagnoser]
[SimpleJob(launchCount: 1, warmupCount: 3, iterationCount: 10)]
public class EventFileReaderBenchmarks
{
    private const int MinimumBytes = 4 * 1024 * 1024;

    private string _directory = null!;
    private string _path = null!;
    private byte[] _chunk = [];

    [Params("AllFixtures", "ScalarFixtures")]
    public string Dataset { get; set; } = "AllFixtures";

    [GlobalSetup]
    public void GlobalSetup()
    {
        var fixtures = FixtureDirectory();
        var files = Directory.EnumerateFiles(fixtures, "*tfevents*", SearchOption.AllDirectories)
            .Where(f => Dataset == "AllFixtures" || f.Contains("tensorboard-reducer", StringComparison.Ordinal) || f.Contains("lingvo", StringComparison.Ordinal))
            .Order(StringComparer.Ordinal)
            .Select(File.ReadAllBytes)
            .ToList();
        using var data = new MemoryStream();
        while (data.Length < MinimumBytes)
        {
            foreach (var file in files)
            {
                data.Write(file);
            }
        }

        _directory = Directory.CreateTempSubdirectory("traininsight-bench-tfevents-").FullName;
        _path = Path.Combine(_directory, "events.out.tfevents.bench");
        File.WriteAllBytes(_path, data.ToArray());
        _chunk = new byte[64 * 1024];
        var events = TensorBoardEventFileReader.ReadAll(_path).Count();
        Console.WriteLine($"// {Dataset}: {data.Length:N0} bytes, {events:N0} events");
    }

    [GlobalCleanup]
    public void GlobalCleanup() => Directory.Delete(_directory, recursive: true);

    /// <summary>The floor: read the file in 64 KiB chunks and compute the CRC-32C of every chunk.</summary>
    [Benchmark(Baseline = true)]
    public uint ReadAndCrc32C()
    {
        using var stream = new FileStream(_path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, bufferSize: 0);
        uint crc = 0;
        int read;
        while ((read = stream.Read(_chunk)) > 0)
        {
            crc ^= Crc32C.Compute(_chunk.AsSpan(0, read));
        }

        return crc;
    }

    /// <summary>TFRecord framing with both CRC checks per record, no decoding.</summary>
    [Benchmark]
    public long FramingOnly()
    {
        using var stream = new FileStream(_path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, bufferSize: 0);
        using var scanner = new TfRecordScanner(stream);
        long bytes = 0;
        while (scanner.TryReadRecord(out var payload))
        {
            bytes += payload.Length;
        }

        return bytes;
    }

    /// <summary>The full parse: <see cref="TensorBoardEventFileReader.ReadAll(string)"/>, touching every value.</summary>
    [Benchmark]
    public long ReadAll()
    {
        long values = 0;
        foreach (var e in TensorBoardEventFileReader.ReadAll(_path))
        {
            values += e.Values.Count;
        }

        return values;
    }

    private static string FixtureDirectory()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "TrainInsight.sln")))
        {
            directory = directory.Parent;
        }

        return directory is null
            ? throw new InvalidOperationException($"No folder above {AppContext.BaseDirectory} holds TrainInsight.sln.")
            : Path.Combine(directory.FullName, "tests", "TrainInsight.TensorBoard.Tests", "Fixtures", "tfevents");
    }
}
